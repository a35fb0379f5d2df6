// Wrappers that change observations: NormalizeObservation, ClipObservation, FlattenObservation
// and OneHotObservation. Each writes into its own float32 buffer, sized once.
#include <algorithm>
#include <cmath>
#include <limits>

#include "envs/internal/values.h"
#include "envs/wrappers.h"

namespace rein::envs {

// ---- NormalizeObservation ----

NormalizeObservation::NormalizeObservation(std::unique_ptr<Env> env, double epsilon)
    : ObservationWrapper(std::move(env)), epsilon_(epsilon) {
  if (!observation_space_.is_box()) {
    throw Error(str("NormalizeObservation: needs a Box observation space, got ",
                    observation_space_.to_string()));
  }
  const Shape shape = observation_space_.shape();
  rms_ = RunningMeanStd(shape.numel());
  scratch_.resize(static_cast<size_t>(shape.numel()));
  obs_ = zeros(shape, Dtype::Float32);
  observation_space_ = Box(-std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::infinity(), shape, Dtype::Float32);
}

void NormalizeObservation::observation(const Tensor& obs) {
  internal::read_values(obs, scratch_.data());
  if (update_) rms_.update(scratch_.data());
  float* out = obs_.data<float>();
  for (size_t i = 0; i < scratch_.size(); ++i) {
    out[i] = static_cast<float>((scratch_[i] - rms_.mean[i]) / std::sqrt(rms_.var[i] + epsilon_));
  }
}

// ---- ClipObservation ----

ClipObservation::ClipObservation(std::unique_ptr<Env> env, double low, double high)
    : ObservationWrapper(std::move(env)), low_(low), high_(high) {
  if (!observation_space_.is_box()) {
    throw Error(str("ClipObservation: needs a Box observation space, got ",
                    observation_space_.to_string()));
  }
  if (!(low <= high)) throw Error(str("ClipObservation: low ", low, " is above high ", high));
  const Box inner = observation_space_.box();
  std::vector<double> lo(inner.low.size()), hi(inner.high.size());
  for (size_t i = 0; i < lo.size(); ++i) {
    lo[i] = std::clamp(inner.low[i], low, high);
    hi[i] = std::clamp(inner.high[i], low, high);
  }
  observation_space_ = Box(lo, hi, inner.shape, Dtype::Float32);
  obs_ = zeros(inner.shape, Dtype::Float32);
}

void ClipObservation::observation(const Tensor& obs) {
  float* out = obs_.data<float>();
  const int64_t n = obs_.numel();
  for (int64_t i = 0; i < n; ++i) {
    out[i] = static_cast<float>(std::clamp(internal::read_value(obs, i), low_, high_));
  }
}

// ---- FlattenObservation / OneHotObservation ----

FlattenObservation::FlattenObservation(std::unique_ptr<Env> env)
    : ObservationWrapper(std::move(env)), inner_space_(observation_space_) {
  const int64_t width = inner_space_.one_hot_dim();
  obs_ = zeros(Shape{width}, Dtype::Float32);
  if (inner_space_.is_box()) {
    const Box& b = inner_space_.box();
    observation_space_ = Box(b.low, b.high, Shape{width}, Dtype::Float32);
  } else {
    observation_space_ = Box(0.0, 1.0, Shape{width}, Dtype::Float32);
  }
}

void FlattenObservation::observation(const Tensor& obs) {
  float* out = obs_.data<float>();
  switch (inner_space_.kind()) {
    case SpaceKind::Box:
      for (int64_t i = 0; i < obs_.numel(); ++i) {
        out[i] = static_cast<float>(internal::read_value(obs, i));
      }
      return;
    case SpaceKind::Discrete: {
      std::fill(out, out + obs_.numel(), 0.0f);
      const auto& d = inner_space_.discrete();
      const int64_t k = static_cast<int64_t>(internal::read_value(obs, 0)) - d.start;
      if (k < 0 || k >= d.n) {
        throw Error(str("FlattenObservation: observation ", k + d.start, " is outside ",
                        inner_space_.to_string()));
      }
      out[k] = 1.0f;
      return;
    }
    case SpaceKind::MultiDiscrete: {
      std::fill(out, out + obs_.numel(), 0.0f);
      const auto& nvec = inner_space_.multi_discrete().nvec;
      int64_t base = 0;
      for (size_t i = 0; i < nvec.size(); ++i) {
        const int64_t k = static_cast<int64_t>(internal::read_value(obs, static_cast<int64_t>(i)));
        if (k < 0 || k >= nvec[i]) {
          throw Error(str("FlattenObservation: observation element ", i, " = ", k, " is outside ",
                          inner_space_.to_string()));
        }
        out[base + k] = 1.0f;
        base += nvec[i];
      }
      return;
    }
  }
}

namespace {
std::unique_ptr<Env> require_discrete(std::unique_ptr<Env> env) {
  if (!env) throw Error("OneHotObservation: the wrapped env is null");
  if (!env->observation_space().is_discrete()) {
    throw Error(str("OneHotObservation: needs a Discrete observation space, got ",
                    env->observation_space().to_string(), " (use FlattenObservation)"));
  }
  return env;
}
}  // namespace

OneHotObservation::OneHotObservation(std::unique_ptr<Env> env)
    : FlattenObservation(require_discrete(std::move(env))) {}

}  // namespace rein::envs
