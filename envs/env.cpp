// The Env base class and its small value types: KwargsReader, Action, Info.
#include "envs/env.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <random>
#include <sstream>

namespace rein::envs {

namespace {

// " must be a finite number in [low, high], got v (why)": the tail of every range error of an
// argument, a reset option or a state value (an infinite end is left out of the range; an open
// range reads "in (low, high)").
std::string out_of_range(double low, double high, double v, std::string_view why,
                         KwargsReader::Ends ends = KwargsReader::Ends::Closed) {
  const std::string range = ends == KwargsReader::Ends::Open
                                ? str("a number in (", low, ", ", high, ")")
                            : std::isinf(low) && std::isinf(high) ? "a number"
                            : std::isinf(low)                     ? str("a number <= ", high)
                            : std::isinf(high)                    ? str("a number >= ", low)
                                               : str("a finite number in [", low, ", ", high, "]");
  return str(" must be ", range, ", got ", v, " (", why, ")");
}

}  // namespace

// ---- KwargsReader ----

KwargsReader::KwargsReader(std::string_view owner, const Kwargs& kwargs, std::string_view noun)
    : owner_(owner), noun_(noun), kwargs_(kwargs) {}

std::optional<std::string> KwargsReader::get_optional(std::string_view key) {
  accepted_.emplace_back(key);
  auto it = kwargs_.find(key);
  if (it == kwargs_.end()) return std::nullopt;
  return it->second;
}

double KwargsReader::get_double(std::string_view key, double fallback) {
  auto v = get_optional(key);
  if (!v) return fallback;
  try {
    size_t used = 0;
    double d = std::stod(*v, &used);
    if (used == v->size()) return d;
  } catch (const std::exception&) {
  }
  throw Error(str(owner_, ": ", noun_, " '", key, "' must be a number, got '", *v, "'"));
}

double KwargsReader::get_double_in(std::string_view key, double fallback, double low, double high,
                                   std::string_view why, Ends ends) {
  const double v = get_double(key, fallback);
  if (ends == Ends::Closed ? low <= v && v <= high : low < v && v < high) return v;
  throw Error(str(owner_, ": ", noun_, " '", key, "'", out_of_range(low, high, v, why, ends)));
}

void check_state(std::string_view owner, std::span<const double> state,
                 std::span<const StateValue> values, std::string_view why) {
  if (state.size() != values.size()) {
    std::string names;
    for (const StateValue& v : values) names += str(names.empty() ? "" : ", ", v.name);
    throw Error(str(owner, ".set_state: expected ", values.size(), " values [", names, "], got ",
                    state.size()));
  }
  for (size_t i = 0; i < state.size(); ++i) {
    const double limit = values[i].limit;
    if (std::abs(state[i]) <= limit) continue;  // false for NaN
    throw Error(
        str(owner, ".set_state: ", values[i].name, out_of_range(-limit, limit, state[i], why)));
  }
}

int64_t KwargsReader::get_int(std::string_view key, int64_t fallback) {
  auto v = get_optional(key);
  if (!v) return fallback;
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || ptr != v->data() + v->size()) {
    throw Error(str(owner_, ": ", noun_, " '", key, "' must be an integer, got '", *v, "'"));
  }
  return out;
}

bool KwargsReader::get_bool(std::string_view key, bool fallback) {
  auto v = get_optional(key);
  if (!v) return fallback;
  std::string s = *v;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "true" || s == "1" || s == "yes") return true;
  if (s == "false" || s == "0" || s == "no") return false;
  throw Error(str(owner_, ": ", noun_, " '", key, "' must be true or false, got '", *v, "'"));
}

std::string KwargsReader::get_string(std::string_view key, std::string fallback) {
  auto v = get_optional(key);
  return v ? *v : std::move(fallback);
}

void KwargsReader::finish() const {
  std::string unknown;
  for (const auto& [key, value] : kwargs_) {
    if (std::find(accepted_.begin(), accepted_.end(), key) == accepted_.end()) {
      unknown += (unknown.empty() ? "'" : ", '") + key + "'";
    }
  }
  if (unknown.empty()) return;
  std::string accepted;
  for (const auto& k : accepted_) accepted += (accepted.empty() ? "" : ", ") + k;
  throw Error(str(owner_, ": unknown ", noun_, " ", unknown,
                  " (accepted: ", accepted.empty() ? "none" : accepted, ")"));
}

// ---- Action ----

Action Action::from_tensor(const Tensor& t) {
  if (!t.defined() || !t.is_contiguous()) {
    throw Error("Action.from_tensor: the tensor must be defined and contiguous");
  }
  if (t.dtype() == Dtype::Int64) {
    if (t.numel() == 1 && t.dim() <= 1) return Action(t.data<int64_t>()[0]);
    return Action(std::span<const int64_t>(t.data<int64_t>(), static_cast<size_t>(t.numel())));
  }
  if (t.dtype() == Dtype::Float32) {
    return Action(std::span<const float>(t.data<float>(), static_cast<size_t>(t.numel())));
  }
  throw Error(str("Action.from_tensor: dtype ", dtype_name(t.dtype()),
                  " is not an action dtype (int64 or float32)"));
}

std::string Action::to_string() const {
  std::ostringstream os;
  switch (kind_) {
    case Kind::Discrete:
      os << index_;
      break;
    case Kind::Continuous:
    case Kind::MultiDiscrete:
      os << "[";
      for (size_t i = 0; i < size_; ++i) {
        os << (i ? ", " : "");
        if (kind_ == Kind::Continuous)
          os << floats_[i];
        else
          os << ints_[i];
      }
      os << "]";
      break;
  }
  return os.str();
}

void check_action(const Space& space, const Action& action, std::string_view op) {
  switch (space.kind()) {
    case SpaceKind::Discrete: {
      const auto& d = space.discrete();
      if (!action.is_discrete()) {
        throw Error(str(op, ": action ", action.to_string(), " is not a discrete index for ",
                        space.to_string()));
      }
      if (action.index() < d.start || action.index() >= d.start + d.n) {
        throw Error(str(op, ": action ", action.index(), " is outside ", space.to_string(),
                        " (valid: ", d.start, "..", d.start + d.n - 1, ")"));
      }
      return;
    }
    case SpaceKind::Box: {
      if (action.kind() != Action::Kind::Continuous ||
          static_cast<int64_t>(action.values().size()) != space.flat_dim()) {
        throw Error(str(op, ": action ", action.to_string(), " does not fit ", space.to_string(),
                        " (expected ", space.flat_dim(), " float values)"));
      }
      return;
    }
    case SpaceKind::MultiDiscrete: {
      const auto& nvec = space.multi_discrete().nvec;
      if (action.kind() != Action::Kind::MultiDiscrete ||
          action.int_values().size() != nvec.size()) {
        throw Error(str(op, ": action ", action.to_string(), " does not fit ", space.to_string()));
      }
      for (size_t i = 0; i < nvec.size(); ++i) {
        if (action.int_values()[i] < 0 || action.int_values()[i] >= nvec[i]) {
          throw Error(str(op, ": action ", action.to_string(), " element ", i, " is outside [0, ",
                          nvec[i] - 1, "]"));
        }
      }
      return;
    }
  }
}

// ---- Info ----

void Info::set(std::string_view key, double value) {
  for (auto& e : entries_) {
    if (e.key == key) {
      e.number = value;
      e.tensor = Tensor();
      return;
    }
  }
  entries_.emplace_back();
  entries_.back().key.assign(key);
  entries_.back().number = value;
}

void Info::set(std::string_view key, const Tensor& value) {
  for (auto& e : entries_) {
    if (e.key == key) {
      e.tensor = value;
      return;
    }
  }
  entries_.emplace_back();
  entries_.back().key.assign(key);
  entries_.back().tensor = value;
}

const Info::Entry* Info::find(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

namespace {
std::string keys_of(const std::vector<Info::Entry>& entries) {
  std::string keys;
  for (const auto& e : entries) keys += (keys.empty() ? "" : ", ") + e.key;
  return keys.empty() ? "none" : keys;
}
}  // namespace

double Info::number(std::string_view key) const {
  const Entry* e = find(key);
  if (e == nullptr || e->tensor.defined()) {
    throw Error(str("Info: no number '", key, "' (keys: ", keys_of(entries_), ")"));
  }
  return e->number;
}

const Tensor& Info::tensor(std::string_view key) const {
  const Entry* e = find(key);
  if (e == nullptr || !e->tensor.defined()) {
    throw Error(str("Info: no tensor '", key, "' (keys: ", keys_of(entries_), ")"));
  }
  return e->tensor;
}

std::string Info::to_string() const {
  std::ostringstream os;
  os << "{";
  for (size_t i = 0; i < entries_.size(); ++i) {
    const auto& e = entries_[i];
    os << (i ? ", " : "") << '"' << e.key << "\": ";
    if (e.tensor.defined()) {
      os << "[";
      auto values = e.tensor.tolist();
      for (size_t j = 0; j < values.size(); ++j) os << (j ? ", " : "") << values[j];
      os << "]";
    } else {
      os << e.number;
    }
  }
  os << "}";
  return os.str();
}

// ---- Env ----

void Env::render(DrawList& out) const {
  const std::string text = render_text();
  Viewport v;
  v.x_min = 0;
  v.x_max = 1;
  v.y_min = 0;
  v.y_max = 1;
  out.set_viewport(v);
  out.set_background(Color{0, 0, 0, 255});
  out.text(Point{0.02, 0.98}, text, Color{230, 230, 230, 255});
}

void Env::render_rgb(RgbImage& out) const {
  const RenderInfo ri = render_info();
  if (!ri.draws && !ri.text) {
    throw Error(str("render_rgb: env '", name(),
                    "' cannot render frames (it neither draws nor "
                    "renders text)"));
  }
  DrawList frame;
  render(frame);
  rasterize(frame, out);
}

RgbImage Env::render_rgb() const {
  RgbImage out;
  render_rgb(out);
  return out;
}

std::string Env::render_text() const {
  throw Error(str("render_text: env '", name(), "' has no text rendering"));
}

void Env::set_state(std::span<const double> /*state*/) {
  throw Error(str("set_state: env '", name(), "' does not support setting its state"));
}

std::vector<double> Env::state() const {
  throw Error(str("state: env '", name(), "' does not expose its state"));
}

std::string Env::name() const {
  if (spec_) return spec_->id;
  if (&unwrapped() != this && unwrapped().spec_) return unwrapped().spec_->id;
  return "unregistered env";
}

void Env::seed_rng(std::optional<uint64_t> seed) {
  if (seed) {
    rng_.seed(*seed);
    seeded_ = true;
  } else if (!seeded_) {
    // Gymnasium seeds an env that was never given a seed from OS entropy.
    std::random_device rd;
    rng_.seed((static_cast<uint64_t>(rd()) << 32) ^ rd());
    seeded_ = true;
  }
}

}  // namespace rein::envs
