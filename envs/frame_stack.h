// FrameStackObservation: the last k observations stacked along a new first axis, as
// Gymnasium's wrapper of that name (for image observations: motion is visible in a stack).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "envs/wrappers.h"

namespace rein::envs {

// The last `stack_size` observations stacked along a new first axis, oldest first: Box
// (k, *shape) of the inner dtype (uint8 frames stay uint8). On reset the earlier slots hold
// copies of the reset observation ("reset" padding, Gymnasium's default) or zeros ("zero").
// Box observations only; stack_size >= 1. Stepping does not allocate.
class FrameStackObservation : public Wrapper {
 public:
  FrameStackObservation(std::unique_ptr<Env> env, int64_t stack_size,
                        const std::string& padding = "reset");
  ResetResult reset(std::optional<uint64_t> seed = std::nullopt,
                    const Kwargs& options = {}) override;
  StepResult step(const Action& action) override;

 private:
  void push(const Tensor& obs);
  int64_t stack_size_;
  bool zero_padding_;
  size_t frame_bytes_ = 0;
  Tensor obs_;
};

}  // namespace rein::envs
