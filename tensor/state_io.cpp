// StateIO: saving and checked loading of declared state (tensor/state_io.h).
#include "tensor/state_io.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace rein {

using Json = nlohmann::json;

struct StateIO::Root {
  std::string what;
  bool loading = false;
  Json state = Json::object();
  NamedTensorList saved;                    // saving
  const NamedTensorList* loaded = nullptr;  // loading
};

namespace {

// A JSON value as a message shows it, cut short when long.
std::string shown(const Json& v) {
  std::string s = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

std::string range_text(double lo, double hi) {
  if (lo == std::numeric_limits<double>::lowest() && hi == std::numeric_limits<double>::max())
    return "a finite number";
  return str("a finite number in [", lo, ", ", hi, "]");
}

bool in_range(const Json& v, double lo, double hi) {
  return v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= lo &&
         v.get<double>() <= hi;
}

// The integer a JSON value holds exactly, if it holds one.
std::optional<int64_t> as_integer(const Json& v) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{INT64_MAX}) return std::nullopt;
    return v.get<int64_t>();
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= 9.0e15)
      return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

bool all_finite(const Tensor& t) {
  if (t.dtype() == Dtype::Float32) {
    const float* p = t.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i)
      if (!std::isfinite(p[i])) return false;
  } else if (t.dtype() == Dtype::Float64) {
    const double* p = t.data<double>();
    for (int64_t i = 0; i < t.numel(); ++i)
      if (!std::isfinite(p[i])) return false;
  }
  return true;
}

}  // namespace

StateIO::StateIO(std::string what) : root_(std::make_shared<Root>()) {
  root_->what = std::move(what);
}

StateIO::StateIO(std::string what, const std::string& text, const NamedTensorList& tensors)
    : root_(std::make_shared<Root>()) {
  root_->what = std::move(what);
  root_->loading = true;
  root_->loaded = &tensors;
  try {
    root_->state = Json::parse(text);
  } catch (const Json::exception& e) {
    throw Error(str(root_->what, ": the state is not valid JSON (", e.what(), ")"));
  }
  if (!root_->state.is_object())
    throw Error(
        str(root_->what, ": the state is ", shown(root_->state), ", expected a JSON object"));
}

StateIO::StateIO(std::shared_ptr<Root> root, std::vector<Step> path, std::string field,
                 std::string prefix)
    : root_(std::move(root)),
      path_(std::move(path)),
      field_(std::move(field)),
      prefix_(std::move(prefix)) {}

StateIO::~StateIO() = default;
StateIO::StateIO(const StateIO&) = default;
StateIO& StateIO::operator=(const StateIO&) = default;

bool StateIO::loading() const { return root_->loading; }
const std::string& StateIO::what() const { return root_->what; }
std::string StateIO::json() const { return root_->state.dump(); }
const NamedTensorList& StateIO::tensors() const { return root_->saved; }

void StateIO::fail(const std::string& message) const {
  throw Error(str(root_->what, ": ", message));
}

void StateIO::fail_value(const std::string& key, const std::string& expected) const {
  const Json* v = static_cast<const Json*>(member(key));
  fail(str("field '", field(key), "' is ", shown(*v), ", expected ", expected));
}

void* StateIO::node(bool create) const {
  Json* n = &root_->state;
  std::string name;  // the field name of n, for messages
  for (size_t k = 0; k < path_.size(); ++k) {
    const Step& s = path_[k];
    if (s.key.empty()) {  // an element of an array objects() checked
      n = &(*n)[s.index];
      name += str("[", s.index, "]");
      continue;
    }
    name += (name.empty() ? "" : ".") + s.key;
    if (create) {
      n = &(*n)[s.key];
      if (n->is_null()) *n = Json::object();
      continue;
    }
    auto it = n->find(s.key);
    if (it == n->end()) throw Error(str(root_->what, ": field '", name, "' is missing"));
    const bool array_of_objects = k + 1 < path_.size() && path_[k + 1].key.empty();
    if (!array_of_objects && !it->is_object())  // (objects() checked the array)
      throw Error(str(root_->what, ": field '", name, "' is ", shown(*it), ", expected an object"));
    n = &*it;
  }
  return n;
}

const void* StateIO::member(const std::string& key) const {
  const Json* n = static_cast<const Json*>(node(false));
  auto it = n->find(key);
  if (it == n->end()) throw Error(str(root_->what, ": field '", field(key), "' is missing"));
  return &*it;
}

void* StateIO::slot(const std::string& key) const {
  return &(*static_cast<Json*>(node(true)))[key];
}

StateIO StateIO::object(const std::string& key) const {
  std::vector<Step> path = path_;
  path.push_back({key});
  return StateIO(root_, std::move(path), field(key) + ".", prefix_ + key + ".");
}

std::vector<StateIO> StateIO::objects(const std::string& key, size_t size) const {
  if (!loading()) {
    Json& v = *static_cast<Json*>(slot(key));
    v = Json::array();
    for (size_t i = 0; i < size; ++i) v.push_back(Json::object());
  } else {
    const Json& v = *static_cast<const Json*>(member(key));
    if (!v.is_array() || v.size() != size) fail_value(key, str("an array of ", size, " objects"));
    for (size_t i = 0; i < size; ++i)
      if (!v[i].is_object())
        fail(str("field '", field(key), "[", i, "]' is ", shown(v[i]), ", expected an object"));
  }
  std::vector<StateIO> out;
  for (size_t i = 0; i < size; ++i) {
    std::vector<Step> path = path_;
    path.push_back({key});
    path.push_back({"", i});
    const std::string name = str(field(key), "[", i, "]");
    out.push_back(StateIO(root_, std::move(path), name + ".", prefix_ + name + "."));
  }
  return out;
}

bool StateIO::has(const std::string& key) const {
  if (!loading()) return true;
  const Json* n = static_cast<const Json*>(node(false));
  auto it = n->find(key);
  return it != n->end() && !it->is_null();
}

void StateIO::null(const std::string& key) const {
  if (!loading()) *static_cast<Json*>(slot(key)) = nullptr;
}

void StateIO::integer(const std::string& key, int64_t& v, int64_t lo, int64_t hi) const {
  if (!loading()) {
    *static_cast<Json*>(slot(key)) = v;
    return;
  }
  auto i = as_integer(*static_cast<const Json*>(member(key)));
  if (!i || *i < lo || *i > hi) fail_value(key, str("an integer in [", lo, ", ", hi, "]"));
  v = *i;
}

void StateIO::number(const std::string& key, double& v, double lo, double hi) const {
  if (!loading()) {
    *static_cast<Json*>(slot(key)) = v;
    return;
  }
  const Json& j = *static_cast<const Json*>(member(key));
  if (!in_range(j, lo, hi)) fail_value(key, range_text(lo, hi));
  v = j.get<double>();
}

const void* StateIO::array(const std::string& key, std::optional<size_t> size,
                           const char* noun) const {
  const Json* j = static_cast<const Json*>(member(key));
  if (!j->is_array() || (size && j->size() != *size))
    fail_value(key, size ? str("an array of ", *size, " ", noun) : str("an array of ", noun));
  return j;
}

void StateIO::integers(const std::string& key, std::vector<int64_t>& v, std::optional<size_t> size,
                       int64_t lo, int64_t hi) const {
  if (!loading()) {
    *static_cast<Json*>(slot(key)) = v;
    return;
  }
  const Json& j = *static_cast<const Json*>(array(key, size, "integers"));
  std::vector<int64_t> out;
  for (size_t i = 0; i < j.size(); ++i) {
    auto x = as_integer(j[i]);
    if (!x || *x < lo || *x > hi)
      fail(str("field '", field(key), "[", i, "]' is ", shown(j[i]), ", expected an integer in [",
               lo, ", ", hi, "]"));
    out.push_back(*x);
  }
  v = std::move(out);
}

void StateIO::numbers(const std::string& key, std::vector<double>& v, std::optional<size_t> size,
                      double lo, double hi) const {
  if (!loading()) {
    *static_cast<Json*>(slot(key)) = v;
    return;
  }
  const Json& j = *static_cast<const Json*>(array(key, size, "numbers"));
  std::vector<double> out;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!in_range(j[i], lo, hi))
      fail(str("field '", field(key), "[", i, "]' is ", shown(j[i]), ", expected ",
               range_text(lo, hi)));
    out.push_back(j[i].get<double>());
  }
  v = std::move(out);
}

void StateIO::text(const std::string& key, std::string& v) const {
  if (!loading()) {
    *static_cast<Json*>(slot(key)) = v;
    return;
  }
  const Json& j = *static_cast<const Json*>(member(key));
  if (!j.is_string()) fail_value(key, "a string");
  v = j.get<std::string>();
}

void StateIO::put(const std::string& name, const Tensor& t) const {
  REIN_ASSERT(!loading());
  root_->saved.emplace_back(tensor_name(name), t);
}

void StateIO::check_tensor(const std::string& name, const Tensor& t, Dtype dtype) const {
  if (t.dtype() != dtype)
    fail(str("tensor '", tensor_name(name), "' is ", dtype_name(t.dtype()), ", expected ",
             dtype_name(dtype)));
  if (!all_finite(t.contiguous()))
    fail(str("tensor '", tensor_name(name), "' holds NaN or infinite values"));
}

Tensor StateIO::get(const std::string& name, Dtype dtype, const Shape& shape) const {
  const std::string full = tensor_name(name);
  for (const auto& [n, t] : *root_->loaded) {
    if (n != full) continue;
    if (!(t.shape() == shape))
      fail(str("tensor '", full, "' has shape ", t.shape(), ", expected ", shape));
    check_tensor(name, t, dtype);
    return t.contiguous();
  }
  fail(str("tensor '", full, "' is missing"));
}

void StateIO::tensor(const std::string& name, Tensor& t) const {
  if (!loading())
    put(name, t);
  else
    t.copy_(get(name, t.dtype(), t.shape()));
}

std::vector<int64_t> StateIO::get_integers(const std::string& name, int64_t count, int64_t lo,
                                           int64_t hi) const {
  const Tensor t = get(name, Dtype::Int64, {count});
  const int64_t* p = t.data<int64_t>();
  for (int64_t i = 0; i < count; ++i)
    if (p[i] < lo || p[i] > hi)
      fail(str("tensor '", tensor_name(name), "' element ", i, " is ", p[i],
               ", expected an integer in [", lo, ", ", hi, "]"));
  return {p, p + count};
}

NamedTensorList StateIO::scoped_tensors() const {
  NamedTensorList out;
  for (const auto& [n, t] : *root_->loaded)
    if (n.rfind(prefix_, 0) == 0) out.emplace_back(n.substr(prefix_.size()), t);
  return out;
}

void StateIO::only_tensors(const std::vector<std::string>& prefixes) const {
  if (!loading()) return;
  for (const auto& [n, t] : *root_->loaded) {
    bool known = false;
    for (const std::string& p : prefixes) known |= n.rfind(tensor_name(p), 0) == 0;
    if (!known) fail(str("unexpected tensor '", n, "'"));
  }
}

}  // namespace rein
