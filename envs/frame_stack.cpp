// FrameStackObservation: a ring of the last k observations kept as one contiguous (k, *shape)
// tensor; a new frame shifts the older ones forward by one slot (memmove), so stepping does not
// allocate.
#include "envs/frame_stack.h"

#include <cstring>

namespace rein::envs {

FrameStackObservation::FrameStackObservation(std::unique_ptr<Env> env, int64_t stack_size,
                                             const std::string& padding)
    : Wrapper(std::move(env)), stack_size_(stack_size), zero_padding_(padding == "zero") {
  if (!observation_space_.is_box()) {
    throw Error(
        str("FrameStackObservation: needs Box observations, got ", observation_space_.to_string()));
  }
  if (stack_size < 1 || stack_size > kMaxStackSize) {
    throw Error(str("FrameStackObservation: stack_size must be an integer in [1, ", kMaxStackSize,
                    "], got ", stack_size));
  }
  if (padding != "reset" && padding != "zero") {
    throw Error(
        str("FrameStackObservation: padding must be \"reset\" or \"zero\", got \"", padding, "\""));
  }
  const Box& inner = observation_space_.box();
  const int64_t frame = inner.shape.numel();
  int64_t values = 0;
  if (__builtin_mul_overflow(stack_size, frame, &values) || values > kMaxStackedValues) {
    throw Error(str("FrameStackObservation: stack_size must be an integer in [1, ",
                    kMaxStackedValues / frame, "] for ", to_string(inner.shape),
                    " observations (a stack holds at most ", kMaxStackedValues, " values), got ",
                    stack_size));
  }
  Shape shape{stack_size};
  for (const int64_t d : inner.shape) shape.push_back(d);
  std::vector<double> low, high;
  for (int64_t k = 0; k < stack_size; ++k) {
    low.insert(low.end(), inner.low.begin(), inner.low.end());
    high.insert(high.end(), inner.high.begin(), inner.high.end());
  }
  const Dtype dtype = inner.dtype;
  frame_bytes_ = static_cast<size_t>(inner.shape.numel()) * element_size(dtype);
  observation_space_ = Box(std::move(low), std::move(high), shape, dtype);
  obs_ = zeros(shape, dtype);
}

void FrameStackObservation::push(const Tensor& obs) {
  if (obs.dtype() != obs_.dtype() || obs.numel() * stack_size_ != obs_.numel()) {
    throw Error(str("FrameStackObservation: the env returned ", dtype_name(obs.dtype()), " ",
                    to_string(obs.shape()), ", its space says ", observation_space_.to_string()));
  }
  auto* base = static_cast<char*>(obs_.raw_data());
  std::memmove(base, base + frame_bytes_, frame_bytes_ * static_cast<size_t>(stack_size_ - 1));
  const Tensor c = obs.contiguous();
  std::memcpy(base + frame_bytes_ * static_cast<size_t>(stack_size_ - 1), c.raw_data(),
              frame_bytes_);
}

ResetResult FrameStackObservation::reset(std::optional<uint64_t> seed, const Kwargs& options) {
  ResetResult r = env_->reset(seed, options);
  if (zero_padding_) obs_.zero_();
  for (int64_t k = 0; k < (zero_padding_ ? 1 : stack_size_); ++k) push(r.obs);
  return {obs_, r.info};
}

StepResult FrameStackObservation::step(const Action& action) {
  StepResult r = env_->step(action);
  push(r.obs);
  return {obs_, r.reward, r.terminated, r.truncated, r.info};
}

}  // namespace rein::envs
