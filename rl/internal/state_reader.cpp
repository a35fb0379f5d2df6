// StateReader: checked reads of an agent's checkpoint state (rl/internal/state_reader.h).
#include "rl/internal/state_reader.h"

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

namespace rein::rl::internal {

struct StateReader::Root {
  std::string what;
  nlohmann::json json;
  const NamedTensorList* tensors;
};

namespace {

// A JSON value as a message shows it, cut short when long.
std::string shown(const nlohmann::json& v) {
  std::string s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

std::string range_text(double lo, double hi) {
  if (lo == std::numeric_limits<double>::lowest() && hi == std::numeric_limits<double>::max())
    return "a finite number";
  return str("a finite number in [", lo, ", ", hi, "]");
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

StateReader::StateReader(std::string what, const std::string& json,
                         const NamedTensorList& tensors) {
  auto root = std::make_shared<Root>();
  root->what = std::move(what);
  root->tensors = &tensors;
  try {
    root->json = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    throw Error(str(root->what, ": the state is not valid JSON (", e.what(), ")"));
  }
  if (!root->json.is_object())
    throw Error(str(root->what, ": the state is ", shown(root->json), ", expected a JSON object"));
  node_ = &root->json;
  root_ = std::move(root);
}

StateReader::StateReader(std::shared_ptr<const Root> root, const nlohmann::json* node,
                         std::string path)
    : root_(std::move(root)), node_(node), path_(std::move(path)) {}

StateReader::~StateReader() = default;
StateReader::StateReader(const StateReader&) = default;

void StateReader::fail(const std::string& field, const std::string& value,
                       const std::string& expected) const {
  throw Error(str(root_->what, ": field '", field, "' is ", value, ", expected ", expected));
}

const nlohmann::json& StateReader::member(const std::string& key) const {
  auto it = node_->find(key);
  if (it == node_->end()) throw Error(str(root_->what, ": field '", field(key), "' is missing"));
  return *it;
}

bool StateReader::has(const std::string& key) const {
  auto it = node_->find(key);
  return it != node_->end() && !it->is_null();
}

StateReader StateReader::object(const std::string& key) const {
  const nlohmann::json& v = member(key);
  if (!v.is_object()) fail(field(key), shown(v), "an object");
  return StateReader(root_, &v, field(key) + ".");
}

std::vector<StateReader> StateReader::objects(const std::string& key, size_t size) const {
  const nlohmann::json& v = member(key);
  if (!v.is_array() || v.size() != size)
    fail(field(key), shown(v), str("an array of ", size, " objects"));
  std::vector<StateReader> out;
  for (size_t i = 0; i < size; ++i) {
    const std::string name = str(field(key), "[", i, "]");
    if (!v[i].is_object()) fail(name, shown(v[i]), "an object");
    out.push_back(StateReader(root_, &v[i], name + "."));
  }
  return out;
}

namespace {

// The integer a JSON value holds exactly, if it holds one.
std::optional<int64_t> as_integer(const nlohmann::json& v) {
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

}  // namespace

int64_t StateReader::integer(const std::string& key, int64_t lo, int64_t hi) const {
  const nlohmann::json& v = member(key);
  auto i = as_integer(v);
  if (!i || *i < lo || *i > hi)
    fail(field(key), shown(v), str("an integer in [", lo, ", ", hi, "]"));
  return *i;
}

double StateReader::number(const std::string& key, double lo, double hi) const {
  const nlohmann::json& v = member(key);
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < lo ||
      v.get<double>() > hi)
    fail(field(key), shown(v), range_text(lo, hi));
  return v.get<double>();
}

std::vector<int64_t> StateReader::integers(const std::string& key, std::optional<size_t> size,
                                           int64_t lo, int64_t hi) const {
  const nlohmann::json& v = member(key);
  if (!v.is_array() || (size && v.size() != *size))
    fail(field(key), shown(v),
         size ? str("an array of ", *size, " integers") : std::string("an array of integers"));
  std::vector<int64_t> out;
  for (size_t i = 0; i < v.size(); ++i) {
    auto x = as_integer(v[i]);
    if (!x || *x < lo || *x > hi)
      fail(str(field(key), "[", i, "]"), shown(v[i]), str("an integer in [", lo, ", ", hi, "]"));
    out.push_back(*x);
  }
  return out;
}

std::vector<double> StateReader::numbers(const std::string& key, std::optional<size_t> size,
                                         double lo, double hi) const {
  const nlohmann::json& v = member(key);
  if (!v.is_array() || (size && v.size() != *size))
    fail(field(key), shown(v),
         size ? str("an array of ", *size, " numbers") : std::string("an array of numbers"));
  std::vector<double> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_number() || !std::isfinite(v[i].get<double>()) || v[i].get<double>() < lo ||
        v[i].get<double>() > hi)
      fail(str(field(key), "[", i, "]"), shown(v[i]), range_text(lo, hi));
    out.push_back(v[i].get<double>());
  }
  return out;
}

std::string StateReader::text(const std::string& key) const {
  const nlohmann::json& v = member(key);
  if (!v.is_string()) fail(field(key), shown(v), "a string");
  return v.get<std::string>();
}

template <typename G>
void StateReader::restore_generator(const std::string& key, G& gen) const {
  const std::string s = text(key);
  try {
    gen.set_state_string(s);
  } catch (const Error& e) {
    fail(field(key), shown(member(key)), str("a generator state (", e.what(), ")"));
  }
}

void StateReader::generator(const std::string& key, Generator& gen) const {
  restore_generator(key, gen);
}

void StateReader::generator(const std::string& key, envs::NpRandom& gen) const {
  restore_generator(key, gen);
}

bool StateReader::has_tensor(const std::string& name) const {
  for (const auto& [n, t] : *root_->tensors)
    if (n == name) return true;
  return false;
}

void StateReader::check_tensor(const std::string& name, const Tensor& t, Dtype dtype) const {
  if (t.dtype() != dtype)
    throw Error(str(root_->what, ": tensor '", name, "' is ", dtype_name(t.dtype()), ", expected ",
                    dtype_name(dtype)));
  if (!all_finite(t.contiguous()))
    throw Error(str(root_->what, ": tensor '", name, "' holds NaN or infinite values"));
}

Tensor StateReader::tensor(const std::string& name, Dtype dtype, const Shape& shape) const {
  for (const auto& [n, t] : *root_->tensors) {
    if (n != name) continue;
    if (!(t.shape() == shape))
      throw Error(
          str(root_->what, ": tensor '", name, "' has shape ", t.shape(), ", expected ", shape));
    check_tensor(name, t, dtype);
    return t.contiguous();
  }
  throw Error(str(root_->what, ": tensor '", name, "' is missing"));
}

std::vector<int64_t> StateReader::integer_tensor(const std::string& name, int64_t count, int64_t lo,
                                                 int64_t hi) const {
  const Tensor t = tensor(name, Dtype::Int64, {count});
  const int64_t* p = t.data<int64_t>();
  for (int64_t i = 0; i < count; ++i)
    if (p[i] < lo || p[i] > hi)
      throw Error(str(root_->what, ": tensor '", name, "' element ", i, " is ", p[i],
                      ", expected an integer in [", lo, ", ", hi, "]"));
  return {p, p + count};
}

std::vector<std::pair<std::string, Tensor>> StateReader::with_prefix(
    const std::string& prefix) const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (const auto& [n, t] : *root_->tensors)
    if (n.rfind(prefix, 0) == 0) out.emplace_back(n.substr(prefix.size()), t);
  return out;
}

void StateReader::module(const std::string& prefix, nn::Module& module) const {
  std::map<std::string, Dtype> dtypes;
  for (const auto& [n, t] : module.state_dict()) dtypes[n] = t.dtype();
  auto state = with_prefix(prefix);
  for (const auto& [n, t] : state)
    if (auto it = dtypes.find(n); it != dtypes.end()) check_tensor(prefix + n, t, it->second);
  try {
    module.load_state_dict(state);
  } catch (const Error& e) {
    throw Error(str(root_->what, ": tensors '", prefix, "*': ", e.what()));
  }
}

void StateReader::optimizer(const std::string& prefix, optim::Optimizer& optimizer) const {
  std::map<std::string, std::pair<Dtype, Shape>> expected;
  for (const auto& [n, t] : optimizer.state_dict()) expected[n] = {t.dtype(), t.shape()};
  auto state = with_prefix(prefix);
  bool has_step = false;
  for (const auto& [n, t] : state) {
    if (n == "step") {
      has_step = true;
      const Tensor step = tensor(prefix + n, Dtype::Int64, {});
      const int64_t v = step.data<int64_t>()[0];
      if (v < 0 || v > kMaxCounter)
        fail(prefix + n, str(v), str("an integer in [0, ", kMaxCounter, "]"));
    } else if (auto it = expected.find(n); it != expected.end()) {
      check_tensor(prefix + n, t, it->second.first);
    } else {
      // A slot the optimizer has not created yet (before its first step) has the dtype of
      // its parameter: float32 in every rl/ model.
      check_tensor(prefix + n, t, Dtype::Float32);
    }
  }
  if (!has_step) throw Error(str(root_->what, ": tensor '", prefix, "step' is missing"));
  try {
    optimizer.load_state_dict(state);
  } catch (const Error& e) {
    throw Error(str(root_->what, ": tensors '", prefix, "*': ", e.what()));
  }
}

void StateReader::only_tensors(const std::vector<std::string>& prefixes) const {
  for (const auto& [n, t] : *root_->tensors) {
    bool known = false;
    for (const std::string& p : prefixes) known |= n.rfind(p, 0) == 0;
    if (!known) throw Error(str(root_->what, ": unexpected tensor '", n, "'"));
  }
}

}  // namespace rein::rl::internal
