// Conversions between rein values and Python objects (see convert.h).
#include "convert.h"

#include <cstring>
#include <sstream>
#include <string>

namespace rein::python {
namespace {

// Set by register_errors. A handle holding a reference that is never dropped: a static
// py::object would be released after the interpreter is gone, at process exit.
py::handle& invalid_argument_type() {
  static py::handle type;
  return type;
}

std::vector<py::ssize_t> dims_of(const Tensor& t) { return {t.shape().begin(), t.shape().end()}; }

// A shape as Python writes a tuple: "(4,)", "(64, 4)", "()".
std::string tuple_text(const std::vector<int64_t>& dims) {
  std::ostringstream os;
  os << '(';
  for (size_t d = 0; d < dims.size(); ++d) os << (d ? ", " : "") << dims[d];
  os << (dims.size() == 1 ? ",)" : ")");
  return os.str();
}

std::string shape_text(const py::array& a) {
  return tuple_text(std::vector<int64_t>(a.shape(), a.shape() + a.ndim()));
}

// `shape` with a leading batch dimension `lead` (none when lead < 0).
std::string shape_text(int64_t lead, const Shape& shape) {
  std::vector<int64_t> dims;
  if (lead >= 0) dims.push_back(lead);
  dims.insert(dims.end(), shape.begin(), shape.end());
  return tuple_text(dims);
}

bool has_shape(const py::array& a, int64_t lead, const Shape& shape) {
  const py::ssize_t rank = static_cast<py::ssize_t>(shape.size()) + (lead >= 0 ? 1 : 0);
  if (a.ndim() != rank) return false;
  py::ssize_t d = 0;
  if (lead >= 0 && a.shape(d++) != lead) return false;
  for (int64_t s : shape) {
    if (a.shape(d++) != s) return false;
  }
  return true;
}

char kind_of(const py::array& a) { return a.dtype().kind(); }

}  // namespace

py::array as_numeric_array(const py::handle& obj, const std::string& owner) {
  py::array a = py::array::ensure(obj);
  if (!a) {
    PyErr_Clear();
    raise_invalid(owner + ": expected a number or an array of numbers, got " + type_name(obj));
  }
  const char k = kind_of(a);
  if (k != 'i' && k != 'u' && k != 'f' && k != 'b') {
    raise_invalid(owner + ": expected numbers, got an array of dtype " +
                  std::string(py::str(a.dtype())));
  }
  return a;
}

namespace {

template <typename T>
py::array cast_contiguous(const py::array& a) {
  return py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(a);
}

}  // namespace

std::string type_name(const py::handle& obj) {
  return py::str(py::type::handle_of(obj).attr("__name__"));
}

py::dtype numpy_dtype(Dtype dtype) {
  switch (dtype) {
    case Dtype::Float32:
      return py::dtype::of<float>();
    case Dtype::Float64:
      return py::dtype::of<double>();
    case Dtype::Int64:
      return py::dtype::of<int64_t>();
    case Dtype::Bool:
      return py::dtype::of<bool>();
    case Dtype::UInt8:
      return py::dtype::of<uint8_t>();
  }
  throw Error("numpy_dtype: unknown dtype");
}

py::array to_numpy_copy(const Tensor& t) {
  const Tensor c = t.contiguous();
  py::array out(numpy_dtype(c.dtype()), dims_of(c));
  std::memcpy(out.mutable_data(), c.raw_data(),
              static_cast<size_t>(c.numel()) * element_size(c.dtype()));
  return out;
}

py::array to_numpy_view(const Tensor& t) {
  if (!t.is_contiguous()) throw Error("to_numpy_view: tensor is not contiguous");
  auto* keep = new Tensor(t);
  py::capsule owner(keep, [](void* p) { delete static_cast<Tensor*>(p); });
  py::array out(numpy_dtype(t.dtype()), dims_of(t), t.raw_data(), owner);
  // Read-only: the buffer belongs to the env, and a write would change its next step's input.
  py::detail::array_proxy(out.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return out;
}

namespace {

// One scalar keyword value as text; nullopt for a value of another type.
std::optional<std::string> scalar_text(const py::object& value) {
  if (value.is_none()) return "none";
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (PyIndex_Check(value.ptr())) return py::str(py::int_(value)).cast<std::string>();
  if (PyFloat_Check(value.ptr()) ||
      py::isinstance(value, py::module_::import("numpy").attr("floating"))) {
    return py::repr(py::float_(value)).cast<std::string>();  // shortest text, same double
  }
  return std::nullopt;
}

}  // namespace

envs::Kwargs to_kwargs(const py::dict& kwargs, std::string_view owner) {
  envs::Kwargs out;
  for (auto [key, item] : kwargs) {
    const std::string k = py::str(key);
    const auto value = py::reinterpret_borrow<py::object>(item);
    if (auto text = scalar_text(value)) {
      out[k] = *text;
      continue;
    }
    if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
      // A sequence is comma-separated, as rein's settings write lists ("64,64" for net_arch).
      std::string joined;
      for (const auto& element : value) {
        auto text = scalar_text(py::reinterpret_borrow<py::object>(element));
        if (!text) {
          raise_invalid(std::string(owner) + ": argument '" + k + "' holds a " +
                        type_name(element) + "; lists may hold str, bool, int or float");
        }
        joined += (joined.empty() ? "" : ",") + *text;
      }
      out[k] = joined;
      continue;
    }
    raise_invalid(std::string(owner) + ": argument '" + k + "' must be a str, bool, int, " +
                  "float, None or a list of them, got " + type_name(value));
  }
  return out;
}

std::optional<uint64_t> to_seed(const py::object& seed, std::string_view owner) {
  if (seed.is_none()) return std::nullopt;
  if (!PyIndex_Check(seed.ptr()) || py::isinstance<py::bool_>(seed)) {
    raise_invalid(std::string(owner) + ": seed must be None or a non-negative int, got " +
                  type_name(seed));
  }
  const py::int_ value(seed);
  if (value < py::int_(0)) {
    raise_invalid(std::string(owner) + ": seed must be non-negative, got " +
                  py::repr(seed).cast<std::string>());
  }
  const unsigned long long v = PyLong_AsUnsignedLongLong(value.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    raise_invalid(std::string(owner) + ": seed must be below 2**64, got " +
                  py::repr(seed).cast<std::string>());
  }
  return static_cast<uint64_t>(v);
}

py::dict to_dict(const envs::Info& info) {
  py::dict out;
  for (const auto& e : info.entries()) {
    if (e.tensor.defined()) {
      out[py::str(e.key)] = to_numpy_copy(e.tensor);
    } else {
      out[py::str(e.key)] = py::float_(e.number);
    }
  }
  return out;
}

void register_errors(py::module_& m) {
  py::register_exception<rein::Error>(m, "Error", PyExc_RuntimeError);
  m.attr("Error").attr("__doc__") = "A failure reported by rein (the message says what and why).";
  m.attr("Error").attr("__module__") = "rein";
  py::object builtins = py::module_::import("builtins");
  invalid_argument_type() =
      builtins
          .attr("type")(
              "InvalidArgument", py::make_tuple(m.attr("Error"), builtins.attr("ValueError")),
              py::dict(py::arg("__doc__") = "A bad argument: unknown env id, action outside the "
                                            "space, malformed keyword argument.",
                       py::arg("__module__") = "rein"))
          .release();
  m.attr("InvalidArgument") = invalid_argument_type();
}

void raise_invalid(const std::string& message) {
  PyErr_SetString(invalid_argument_type().ptr(), message.c_str());
  throw py::error_already_set();
}

ActionHolder::ActionHolder(const py::handle& action, const envs::Space& space,
                           std::string_view owner) {
  const std::string who = std::string(owner) + ": action";
  switch (space.kind()) {
    case envs::SpaceKind::Discrete: {
      if (!PyIndex_Check(action.ptr())) {
        raise_invalid(who + " must be an integer for " + space.to_string() + ", got " +
                      type_name(action) + " " + std::string(py::repr(action)));
      }
      const long long v =
          PyLong_AsLongLong(py::reinterpret_steal<py::object>(PyNumber_Index(action.ptr())).ptr());
      if (PyErr_Occurred()) {
        PyErr_Clear();
        raise_invalid(who + " " + std::string(py::repr(action)) + " is outside " +
                      space.to_string());
      }
      action_.emplace(static_cast<int64_t>(v));
      break;
    }
    case envs::SpaceKind::Box: {
      py::array a = as_numeric_array(action, who);
      if (!has_shape(a, -1, space.shape())) {
        raise_invalid(who + " must have shape " + shape_text(-1, space.shape()) + " for " +
                      space.to_string() + ", got shape " + shape_text(a));
      }
      floats_ = cast_contiguous<float>(a);
      action_.emplace(std::span<const float>(static_cast<const float*>(floats_.data()),
                                             static_cast<size_t>(floats_.size())));
      break;
    }
    case envs::SpaceKind::MultiDiscrete: {
      py::array a = as_numeric_array(action, who);
      if (kind_of(a) != 'i' && kind_of(a) != 'u') {
        raise_invalid(who + " must hold integers for " + space.to_string() + ", got dtype " +
                      std::string(py::str(a.dtype())));
      }
      if (!has_shape(a, -1, space.shape())) {
        raise_invalid(who + " must have shape " + shape_text(-1, space.shape()) + " for " +
                      space.to_string() + ", got shape " + shape_text(a));
      }
      ints_ = cast_contiguous<int64_t>(a);
      action_.emplace(std::span<const int64_t>(static_cast<const int64_t*>(ints_.data()),
                                               static_cast<size_t>(ints_.size())));
      break;
    }
  }
  invalid_on_error([&] { envs::check_action(space, *action_, owner); });
}

void batch_actions(const py::handle& actions, const envs::Space& space, int64_t num_envs,
                   Tensor& out) {
  const std::string who = "VectorEnv.step: actions";
  py::array a = as_numeric_array(actions, who);
  const bool discrete = !space.is_box();
  if (!has_shape(a, num_envs, space.shape())) {
    raise_invalid(who + " must have shape " + shape_text(num_envs, space.shape()) + " for " +
                  std::to_string(num_envs) + " envs with action space " + space.to_string() +
                  ", got shape " + shape_text(a));
  }
  if (discrete && kind_of(a) != 'i' && kind_of(a) != 'u') {
    raise_invalid(who + " must hold integers for " + space.to_string() + ", got dtype " +
                  std::string(py::str(a.dtype())));
  }
  const py::array c = discrete ? cast_contiguous<int64_t>(a) : cast_contiguous<float>(a);
  const size_t bytes = static_cast<size_t>(c.size()) * (discrete ? sizeof(int64_t) : sizeof(float));
  std::memcpy(
      discrete ? static_cast<void*>(out.data<int64_t>()) : static_cast<void*>(out.data<float>()),
      c.data(), bytes);
  if (!discrete) return;
  const int64_t* v = out.data<int64_t>();
  const int64_t width = space.flat_dim();
  for (int64_t i = 0; i < c.size(); ++i) {
    const int64_t lo = space.is_discrete() ? space.discrete().start : 0;
    const int64_t n = space.is_discrete()
                          ? space.discrete().n
                          : space.multi_discrete().nvec[static_cast<size_t>(i % width)];
    if (v[i] < lo || v[i] >= lo + n) {
      raise_invalid(who + "[" + std::to_string(i / width) + "] = " + std::to_string(v[i]) +
                    " is outside " + space.to_string());
    }
  }
}

}  // namespace rein::python
