// Spaces: construction checks, membership, sampling (Gymnasium's rules) and printing.
#include "envs/spaces.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "envs/internal/values.h"

namespace rein::envs {
namespace {

// Python's repr of a float bound as numpy prints it in Box reprs: "-1.0", "inf", "0.41887903".
std::string bound_text(double v, Dtype dtype) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (dtype == Dtype::UInt8) return std::to_string(static_cast<int>(v));  // numpy: "0", "255"
  std::ostringstream os;
  os.precision(8);
  os << v;
  std::string s = os.str();
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// uint8 Boxes (images) need whole bounds inside [0, 255], as NumPy would store them.
void check_uint8_bounds(const std::vector<double>& low, const std::vector<double>& high) {
  for (size_t i = 0; i < low.size(); ++i) {
    for (const double v : {low[i], high[i]}) {
      if (!(v >= 0 && v <= 255) || std::floor(v) != v) {
        throw Error(
            str("Box: uint8 bounds must be integers in [0, 255], got ", v, " at element ", i));
      }
    }
  }
}

bool is_integral(Dtype d) { return d == Dtype::Int64 || d == Dtype::UInt8; }

}  // namespace

Discrete::Discrete(int64_t n_, int64_t start_) : n(n_), start(start_) {
  if (n <= 0) throw Error(str("Discrete: n must be positive, got ", n));
}

Box::Box(double lo, double hi, const Shape& shape_, Dtype dtype_)
    : low(static_cast<size_t>(shape_.numel()), lo),
      high(static_cast<size_t>(shape_.numel()), hi),
      shape(shape_),
      dtype(dtype_) {
  if (!(lo <= hi)) throw Error(str("Box: low ", lo, " is above high ", hi));
  if (dtype == Dtype::Bool) throw Error("Box: dtype bool is not supported");
  if (dtype == Dtype::UInt8) check_uint8_bounds(low, high);
}

Box::Box(std::vector<double> lo, std::vector<double> hi, Dtype dtype_)
    : Box(std::move(lo), std::move(hi), Shape{0}, dtype_) {}

Box::Box(std::vector<double> lo, std::vector<double> hi, const Shape& shape_, Dtype dtype_)
    : low(std::move(lo)), high(std::move(hi)), shape(shape_), dtype(dtype_) {
  if (shape.size() == 1 && shape[0] == 0) shape = Shape{static_cast<int64_t>(low.size())};
  if (low.size() != high.size() || static_cast<int64_t>(low.size()) != shape.numel()) {
    throw Error(str("Box: ", low.size(), " low and ", high.size(),
                    " high bounds do not match shape ", rein::to_string(shape)));
  }
  for (size_t i = 0; i < low.size(); ++i) {
    if (!(low[i] <= high[i])) {
      throw Error(str("Box: low[", i, "] = ", low[i], " is above high[", i, "] = ", high[i]));
    }
  }
  if (dtype == Dtype::Bool) throw Error("Box: dtype bool is not supported");
  if (dtype == Dtype::UInt8) check_uint8_bounds(low, high);
}

bool Box::is_bounded() const {
  for (size_t i = 0; i < low.size(); ++i) {
    if (!std::isfinite(low[i]) || !std::isfinite(high[i])) return false;
  }
  return true;
}

MultiDiscrete::MultiDiscrete(std::vector<int64_t> nvec_) : nvec(std::move(nvec_)) {
  if (nvec.empty()) throw Error("MultiDiscrete: nvec is empty");
  for (size_t i = 0; i < nvec.size(); ++i) {
    if (nvec[i] <= 0) throw Error(str("MultiDiscrete: nvec[", i, "] = ", nvec[i], " <= 0"));
  }
}

const Discrete& Space::discrete() const {
  if (!is_discrete()) throw Error(str("Space: expected Discrete, got ", to_string()));
  return std::get<Discrete>(v_);
}
const Box& Space::box() const {
  if (!is_box()) throw Error(str("Space: expected Box, got ", to_string()));
  return std::get<Box>(v_);
}
const MultiDiscrete& Space::multi_discrete() const {
  if (!is_multi_discrete()) throw Error(str("Space: expected MultiDiscrete, got ", to_string()));
  return std::get<MultiDiscrete>(v_);
}

Shape Space::shape() const {
  switch (kind()) {
    case SpaceKind::Discrete:
      return Shape{};
    case SpaceKind::Box:
      return std::get<Box>(v_).shape;
    case SpaceKind::MultiDiscrete:
      return Shape{static_cast<int64_t>(std::get<MultiDiscrete>(v_).nvec.size())};
  }
  return Shape{};
}

Dtype Space::dtype() const { return is_box() ? std::get<Box>(v_).dtype : Dtype::Int64; }

int64_t Space::flat_dim() const { return shape().numel(); }

int64_t Space::one_hot_dim() const {
  switch (kind()) {
    case SpaceKind::Discrete:
      return std::get<Discrete>(v_).n;
    case SpaceKind::Box:
      return flat_dim();
    case SpaceKind::MultiDiscrete: {
      int64_t total = 0;
      for (int64_t n : std::get<MultiDiscrete>(v_).nvec) total += n;
      return total;
    }
  }
  return 0;
}

std::string Space::why_not_contains(const Tensor& x) const {
  if (!x.defined()) return "the tensor is undefined";
  if (x.dtype() != dtype()) {
    return str("dtype ", dtype_name(x.dtype()), " is not the space's ", dtype_name(dtype()));
  }
  if (!(x.shape() == shape())) {
    return str("shape ", rein::to_string(x.shape()), " is not the space's ",
               rein::to_string(shape()));
  }
  const int64_t n = x.numel();
  for (int64_t i = 0; i < n; ++i) {
    const double v = internal::read_value(x, i);
    double lo = 0, hi = 0;
    switch (kind()) {
      case SpaceKind::Discrete: {
        const auto& d = std::get<Discrete>(v_);
        lo = static_cast<double>(d.start);
        hi = static_cast<double>(d.start + d.n - 1);
        break;
      }
      case SpaceKind::Box:
        lo = std::get<Box>(v_).low[static_cast<size_t>(i)];
        hi = std::get<Box>(v_).high[static_cast<size_t>(i)];
        break;
      case SpaceKind::MultiDiscrete:
        lo = 0;
        hi = static_cast<double>(std::get<MultiDiscrete>(v_).nvec[static_cast<size_t>(i)] - 1);
        break;
    }
    if (std::isnan(v) || v < lo || v > hi) {
      return str("element ", i, " = ", v, " is outside [", lo, ", ", hi, "]");
    }
  }
  return "";
}

bool Space::contains(const Tensor& x) const { return why_not_contains(x).empty(); }

Tensor Space::from_values(std::span<const double> values) const {
  if (static_cast<int64_t>(values.size()) != flat_dim())
    throw Error(
        str("action: ", to_string(), " takes ", flat_dim(), " value(s), got ", values.size()));
  const bool integral = kind() != SpaceKind::Box || is_integral(dtype());
  for (double v : values) {
    if (!std::isfinite(v)) throw Error(str("action: ", v, " is not a finite number"));
    if (integral && (std::floor(v) != v || std::fabs(v) > 9.0e15))
      throw Error(str("action: ", v, " is not an integer (", to_string(), " takes integers)"));
    if (!integral && std::fabs(v) > static_cast<double>(std::numeric_limits<float>::max()))
      throw Error(str("action: ", v, " does not fit in a float32"));
  }
  Tensor out(shape(), dtype());
  if (dtype() == Dtype::UInt8) {
    for (double v : values) {
      if (v < 0 || v > 255)
        throw Error(str("action: ", v, " is outside [0, 255] of ", to_string()));
    }
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (out.dtype() == Dtype::UInt8)  // in range or caught by why_not_contains below
      out.data<uint8_t>()[i] = static_cast<uint8_t>(std::clamp(values[i], 0.0, 255.0));
    else if (integral)
      out.data<int64_t>()[i] = static_cast<int64_t>(values[i]);
    else if (out.dtype() == Dtype::Float64)
      out.data<double>()[i] = values[i];
    else
      out.data<float>()[i] = static_cast<float>(values[i]);
  }
  const std::string why = why_not_contains(out);
  if (!why.empty()) throw Error(str("action: ", why, " of ", to_string()));
  return out;
}

namespace {

// The draws Space sampling needs, from either generator: NumPy's names for NpRandom (exact
// Gymnasium samples), rein's for Generator.
int64_t draw_integers(NpRandom& g, int64_t lo, int64_t hi) { return g.integers(lo, hi); }
int64_t draw_integers(Generator& g, int64_t lo, int64_t hi) { return g.randint(lo, hi); }
double draw_random(NpRandom& g) { return g.random(); }
double draw_random(Generator& g) { return g.uniform(); }

// Gymnasium 1.x Space.sample: Discrete start + integers(n); MultiDiscrete floor(random * nvec);
// Box draws normal for unbounded components, then exponential shifted to the bound for
// half-bounded ones, then one uniform per bounded component (integer boxes: floor of uniform
// over [low, high + 1)), each group in element order, then casts to the dtype. (The exponential
// is -log1p(-random()), not NumPy's ziggurat; no built-in space is half-bounded.)
template <typename Rng>
void sample_space(const Space& space, Rng& gen, Tensor& out) {
  switch (space.kind()) {
    case SpaceKind::Discrete: {
      const Discrete& d = space.discrete();
      out.data<int64_t>()[0] = d.start + draw_integers(gen, 0, d.n);
      return;
    }
    case SpaceKind::MultiDiscrete: {
      const MultiDiscrete& m = space.multi_discrete();
      for (size_t i = 0; i < m.nvec.size(); ++i) {
        out.data<int64_t>()[i] =
            static_cast<int64_t>(draw_random(gen) * static_cast<double>(m.nvec[i]));
      }
      return;
    }
    case SpaceKind::Box: {
      const Box& b = space.box();
      const size_t n = b.low.size();
      const bool integral = is_integral(b.dtype);
      auto store = [&](size_t i, double v) {
        if (integral) v = std::floor(v);
        switch (b.dtype) {
          case Dtype::Float32:
            out.data<float>()[i] = static_cast<float>(v);
            break;
          case Dtype::Float64:
            out.data<double>()[i] = v;
            break;
          case Dtype::Int64:
            out.data<int64_t>()[i] = static_cast<int64_t>(v);
            break;
          case Dtype::UInt8:
            out.data<uint8_t>()[i] = static_cast<uint8_t>(v);
            break;
          case Dtype::Bool:
            break;
        }
      };
      auto high_of = [&](size_t i) { return integral ? b.high[i] + 1.0 : b.high[i]; };
      for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(b.low[i]) && !std::isfinite(b.high[i])) store(i, gen.normal());
      }
      for (size_t i = 0; i < n; ++i) {
        if (std::isfinite(b.low[i]) && !std::isfinite(b.high[i])) {
          store(i, -std::log1p(-draw_random(gen)) + b.low[i]);
        }
      }
      for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(b.low[i]) && std::isfinite(b.high[i])) {
          store(i, std::log1p(-draw_random(gen)) + high_of(i));
        }
      }
      for (size_t i = 0; i < n; ++i) {
        if (std::isfinite(b.low[i]) && std::isfinite(b.high[i])) {
          const double range = high_of(i) - b.low[i];
          double v = b.low[i] + range * draw_random(gen);
          if (integral) v = std::min(std::floor(v), b.high[i]);
          store(i, v);
        }
      }
      return;
    }
  }
}

}  // namespace

Tensor Space::sample(NpRandom& gen) const {
  Tensor out(shape(), dtype());
  sample_into(gen, out);
  return out;
}

Tensor Space::sample(Generator& gen) const {
  Tensor out(shape(), dtype());
  sample_into(gen, out);
  return out;
}

void Space::check_sample_out(const Tensor& out) const {
  if (out.dtype() != dtype() || !(out.shape() == shape()) || !out.is_contiguous()) {
    throw Error(str("Space.sample_into: out must be contiguous ", dtype_name(dtype()), " ",
                    rein::to_string(shape()), " for ", to_string()));
  }
}

void Space::sample_into(NpRandom& gen, Tensor& out) const {
  check_sample_out(out);
  sample_space(*this, gen, out);
}

void Space::sample_into(Generator& gen, Tensor& out) const {
  check_sample_out(out);
  sample_space(*this, gen, out);
}

bool Space::operator==(const Space& other) const {
  if (kind() != other.kind()) return false;
  switch (kind()) {
    case SpaceKind::Discrete: {
      const auto &a = std::get<Discrete>(v_), &b = std::get<Discrete>(other.v_);
      return a.n == b.n && a.start == b.start;
    }
    case SpaceKind::Box: {
      const auto &a = std::get<Box>(v_), &b = std::get<Box>(other.v_);
      return a.shape == b.shape && a.dtype == b.dtype && a.low == b.low && a.high == b.high;
    }
    case SpaceKind::MultiDiscrete:
      return std::get<MultiDiscrete>(v_).nvec == std::get<MultiDiscrete>(other.v_).nvec;
  }
  return false;
}

std::string Space::to_string() const {
  std::ostringstream os;
  switch (kind()) {
    case SpaceKind::Discrete: {
      const auto& d = std::get<Discrete>(v_);
      os << "Discrete(" << d.n;
      if (d.start != 0) os << ", start=" << d.start;
      os << ")";
      break;
    }
    case SpaceKind::Box: {
      const auto& b = std::get<Box>(v_);
      auto bounds = [&](const std::vector<double>& v) {
        bool same = true;
        for (double x : v) same = same && x == v.front();
        if (same && !v.empty()) return bound_text(v.front(), b.dtype);
        std::ostringstream list;
        list << "[";
        for (size_t i = 0; i < v.size(); ++i) list << (i ? " " : "") << bound_text(v[i], b.dtype);
        list << "]";
        return list.str();
      };
      os << "Box(" << bounds(b.low) << ", " << bounds(b.high) << ", (";
      for (int64_t i = 0; i < b.shape.size(); ++i) os << (i ? ", " : "") << b.shape[i];
      os << (b.shape.size() == 1 ? ",), " : "), ") << dtype_name(b.dtype) << ")";
      break;
    }
    case SpaceKind::MultiDiscrete: {
      os << "MultiDiscrete([";
      const auto& m = std::get<MultiDiscrete>(v_);
      for (size_t i = 0; i < m.nvec.size(); ++i) os << (i ? " " : "") << m.nvec[i];
      os << "])";
      break;
    }
  }
  return os.str();
}

}  // namespace rein::envs
