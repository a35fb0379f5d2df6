// rein.serve: any Python object with Gymnasium's API served over rein's remote protocol by the
// native server (envs/remote). PythonEnv adapts the object to envs::Env; the server's thread
// calls it holding the GIL only for the duration of each reset/step.
#include <pybind11/stl.h>

#include <memory>
#include <string>

#include "convert.h"
#include "envs/registry.h"
#include "envs/remote/server.h"

namespace rein::python {
namespace {

Dtype dtype_of(const py::handle& space) {
  const std::string name = py::str(py::dtype::from_args(space.attr("dtype")).attr("name"));
  if (name == "float32") return Dtype::Float32;
  if (name == "float64") return Dtype::Float64;
  if (name == "int64" || name == "int32") return Dtype::Int64;
  if (name == "uint8") return Dtype::UInt8;
  throw Error("serve: Box spaces of dtype " + name +
              " are not supported (float32, float64, int64, uint8)");
}

// A Gymnasium space object (gymnasium.spaces or rein.spaces) as a rein Space.
envs::Space space_of(const py::handle& space, const char* which) {
  if (py::hasattr(space, "nvec")) {
    return envs::MultiDiscrete(py::cast<std::vector<int64_t>>(
        py::module_::import("numpy").attr("ravel")(space.attr("nvec")).attr("tolist")()));
  }
  if (py::hasattr(space, "n")) {
    const int64_t start =
        py::hasattr(space, "start") ? py::int_(space.attr("start")).cast<int64_t>() : 0;
    return envs::Discrete(py::int_(space.attr("n")).cast<int64_t>(), start);
  }
  if (py::hasattr(space, "low") && py::hasattr(space, "high")) {
    py::object np = py::module_::import("numpy");
    auto bounds = [&](const char* name) {
      return np.attr("ravel")(np.attr("asarray")(space.attr(name), "float64"))
          .attr("tolist")()
          .cast<std::vector<double>>();
    };
    const auto shape = py::cast<std::vector<int64_t>>(space.attr("shape"));
    return envs::Box(bounds("low"), bounds("high"), Shape(shape), dtype_of(space));
  }
  throw Error(std::string("serve: the env's ") + which +
              " is not a Discrete, Box or MultiDiscrete " + "space (got " +
              std::string(py::str(py::repr(space))) + ")");
}

// The message of the Python exception being handled, as rein::Error (sent to the client).
[[noreturn]] void rethrow_python(const std::string& where, py::error_already_set& e) {
  throw Error(where + ": the Python env raised " + e.what());
}

// A Python object owned from C++ code that may outlive the interpreter: the registry keeps env
// factories until process exit, after Python has finalized. Dropped under the GIL while Python
// runs; afterwards deliberately leaked (nothing is left to free it with).
class PythonObject {
 public:
  explicit PythonObject(py::object o) : o_(std::move(o)) {}
  PythonObject(const PythonObject&) = delete;
  PythonObject& operator=(const PythonObject&) = delete;
  ~PythonObject() {
    if (Py_IsInitialized() && !_Py_IsFinalizing()) {
      py::gil_scoped_acquire gil;
      o_ = py::object();
    } else {
      o_.release();
    }
  }
  const py::object& get() const { return o_; }

 private:
  py::object o_;
};

class PythonEnv final : public envs::Env {
 public:
  PythonEnv(py::object env, std::string name)
      : holder_(std::move(env)), env_(holder_.get()), name_(std::move(name)) {
    observation_space_ = space_of(env_.attr("observation_space"), "observation_space");
    action_space_ = space_of(env_.attr("action_space"), "action_space");
    obs_ = zeros(observation_space_.shape(), observation_space_.dtype());
  }

  envs::ResetResult reset(std::optional<uint64_t> seed, const envs::Kwargs& options) override {
    py::gil_scoped_acquire gil;
    try {
      py::dict opts;
      for (const auto& [k, v] : options) opts[py::str(k)] = v;
      py::object s = seed ? py::object(py::int_(*seed)) : py::object(py::none());
      py::tuple r = env_.attr("reset")(
          py::arg("seed") = s,
          py::arg("options") = options.empty() ? py::object(py::none()) : py::object(opts));
      if (r.size() != 2) throw Error(name_ + ".reset: must return (obs, info)");
      store(r[0], r[1], name_ + ".reset");
    } catch (py::error_already_set& e) {
      rethrow_python(name_ + ".reset", e);
    }
    return {obs_, info_};
  }

  envs::StepResult step(const envs::Action& action) override {
    py::gil_scoped_acquire gil;
    try {
      py::object a;
      switch (action.kind()) {
        case envs::Action::Kind::Discrete:
          a = py::int_(action.index());
          break;
        case envs::Action::Kind::Continuous: {
          py::array_t<float> v(to_dims(action_space_.shape()));
          std::copy(action.values().begin(), action.values().end(), v.mutable_data());
          a = v;
          break;
        }
        case envs::Action::Kind::MultiDiscrete: {
          py::array_t<int64_t> v(to_dims(action_space_.shape()));
          std::copy(action.int_values().begin(), action.int_values().end(), v.mutable_data());
          a = v;
          break;
        }
      }
      py::tuple r = env_.attr("step")(a);
      if (r.size() != 5) {
        throw Error(name_ + ".step: must return (obs, reward, terminated, truncated, info)");
      }
      store(r[0], r[4], name_ + ".step");
      return {obs_, py::float_(r[1]).cast<double>(), py::bool_(r[2]).cast<bool>(),
              py::bool_(r[3]).cast<bool>(), info_};
    } catch (py::error_already_set& e) {
      rethrow_python(name_ + ".step", e);
    }
  }

 private:
  static std::vector<py::ssize_t> to_dims(const Shape& s) { return {s.begin(), s.end()}; }

  // Copies obs into the env's buffer (checking it fits the space) and numeric infos into info_.
  void store(const py::handle& obs, const py::handle& info, const std::string& where) {
    py::array a = as_numeric_array(obs, where + ": observation");
    if (a.size() != obs_.numel()) {
      throw Error(where + ": observation " + std::string(py::str(py::repr(obs))) +
                  " does not fit " + observation_space_.to_string());
    }
    switch (obs_.dtype()) {
      case Dtype::Float32:
        copy_into<float>(a, obs_.data<float>());
        break;
      case Dtype::Float64:
        copy_into<double>(a, obs_.data<double>());
        break;
      case Dtype::Int64:
        copy_into<int64_t>(a, obs_.data<int64_t>());
        break;
      case Dtype::Bool:
        copy_into<bool>(a, obs_.data<bool>());
        break;
      case Dtype::UInt8:
        copy_into<uint8_t>(a, obs_.data<uint8_t>());
        break;
    }
    info_.clear();
    if (!py::isinstance<py::dict>(info)) return;
    for (auto [k, v] : info.cast<py::dict>()) {
      if (PyFloat_Check(v.ptr()) || PyIndex_Check(v.ptr())) {
        info_.set(py::str(k).cast<std::string>(),
                  py::float_(py::reinterpret_borrow<py::object>(v)).cast<double>());
      }  // other values (text, nested dicts) have no place in rein's Info and are dropped
    }
  }
  template <typename T>
  static void copy_into(const py::array& a, T* out) {
    auto c = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(a);
    std::copy(c.data(), c.data() + c.size(), out);
  }

  PythonObject holder_;
  py::handle env_;  // holder_'s object
  std::string name_;
  Tensor obs_;
};

// A running server of a Python env; stop() (or leaving the `with` block) ends it.
class PythonServer {
 public:
  PythonServer(py::object make_env, const std::string& env_id, const std::string& host, int port,
               int64_t n_envs, const std::string& token, int64_t max_clients, bool shared_instance,
               std::optional<int64_t> max_episode_steps) {
    if (port < 0 || port > 65535) raise_invalid("serve: port must be in 0..65535");
    if (n_envs < 1) raise_invalid("serve: n_envs must be >= 1");
    if (max_episode_steps && *max_episode_steps < 1)
      raise_invalid("serve: max_episode_steps must be >= 1");
    // The id clients see (and runs record); a second server of the same name in this process
    // gets a numbered one, since the registry keeps each id once.
    id_ = env_id;
    for (int n = 2; envs::registry().contains(id_); ++n) id_ = env_id + "-" + std::to_string(n);
    auto factory = std::make_shared<PythonObject>(std::move(make_env));
    const std::string name = env_id;
    envs::register_env(
        id_,
        [factory, name](const envs::Kwargs&) -> std::unique_ptr<envs::Env> {
          py::gil_scoped_acquire gil;
          try {
            return std::make_unique<PythonEnv>(factory->get()(), name);
          } catch (py::error_already_set& e) {
            rethrow_python(name, e);
          }
        },
        envs::EnvSpec{.id = id_, .max_episode_steps = max_episode_steps});
    envs::remote::ServerOptions o;
    o.env_id = id_;
    o.host = host;
    o.port = static_cast<uint16_t>(port);
    o.n_envs = static_cast<uint32_t>(n_envs);
    o.token = token;
    o.max_clients = shared_instance ? 1 : max_clients;
    if (shared_instance) o.max_envs_per_client = 1;
    server_ = std::make_unique<envs::remote::Server>(std::move(o));
    py::gil_scoped_release release;
    server_->start();
  }
  ~PythonServer() { stop(); }
  uint16_t port() const { return server_->port(); }
  std::string address() const { return server_->address(); }
  int64_t steps() const { return server_->stats().steps; }
  void stop() {
    if (!server_) return;
    py::gil_scoped_release release;  // the server's thread may be waiting for the GIL
    server_.reset();
  }

 private:
  std::string id_;
  std::unique_ptr<envs::remote::Server> server_;
};

}  // namespace

void bind_serve(py::module_& m) {
  py::class_<PythonServer>(m, "_Server")
      .def(py::init<py::object, const std::string&, const std::string&, int, int64_t,
                    const std::string&, int64_t, bool, std::optional<int64_t>>(),
           py::arg("make_env"), py::arg("env_id"), py::arg("host"), py::arg("port"),
           py::arg("n_envs"), py::arg("token"), py::arg("max_clients"), py::arg("shared_instance"),
           py::arg("max_episode_steps"))
      .def_property_readonly("port", &PythonServer::port)
      .def_property_readonly("address", &PythonServer::address)
      .def_property_readonly("steps", &PythonServer::steps)
      .def("stop", &PythonServer::stop);
}

}  // namespace rein::python
