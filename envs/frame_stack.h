// FrameStackObservation: the last k observations stacked along a new first axis, as
// Gymnasium's wrapper of that name (for image observations: motion is visible in a stack).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "envs/wrappers.h"

namespace rein::envs {

// Stacks are 2 to 16 frames in practice (the RL Zoo's Atari 4, CarRacing 2-8); the limits stand
// far above and keep one stack in memory: 2^24 values are 16 MiB of uint8 frames (and 256 MiB of
// float64 bounds in its Box), room for 1024 84x84 Atari frames, 606 CarRacing frames or one
// 2048x2048 RGB image.
inline constexpr int64_t kMaxStackSize = 1024;
inline constexpr int64_t kMaxStackedValues = int64_t{1} << 24;

// The last `stack_size` observations stacked along a new first axis, oldest first: Box
// (k, *shape) of the inner dtype (uint8 frames stay uint8). On reset the earlier slots hold
// copies of the reset observation ("reset" padding, Gymnasium's default) or zeros ("zero").
// Box observations only; stack_size in [1, kMaxStackSize] and the stack at most
// kMaxStackedValues values, else rein::Error. Stepping does not allocate.
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
