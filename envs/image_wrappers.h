// Wrappers for image observations, as Gymnasium 1.x and the RL Zoo have them: grey-scale,
// resize (area averaging) and frame skipping. With FrameStackObservation (frame_stack.h) they
// make the usual pixel pipeline: FrameSkip -> ResizeObservation -> GrayscaleObservation -> stack.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "envs/wrappers.h"

namespace rein::envs {

// Resized frames are 64 to 256 pixels a side in practice (Atari 84, CarRacing 96, ImageNet
// models 224); 2048 is 8 times that, and a 2048x2048 RGB frame (12 MiB) still stacks once under
// kMaxStackedValues. Skips are 2 to 8 (the RL Zoo's Atari 4); 1000 keeps one step of a slow env
// within seconds.
inline constexpr int64_t kMaxResizeSide = 2048;
inline constexpr int64_t kMaxFrameSkip = 1000;

namespace internal {
class AreaResize;
}

// RGB uint8 (H, W, 3) with bounds [0, 255] -> uint8 luminance (H, W), or (H, W, 1) with
// keep_dim: Gymnasium's sum(obs * [0.2125, 0.7154, 0.0721], axis=-1).astype(uint8), the same
// float64 products, summed left to right as NumPy does and truncated as its cast does.
class GrayscaleObservation : public ObservationWrapper {
 public:
  explicit GrayscaleObservation(std::unique_ptr<Env> env, bool keep_dim = false);

 private:
  void observation(const Tensor& obs) override;
};

// The grey level Gymnasium's GrayscaleObservation gives one RGB pixel.
uint8_t grayscale_pixel(uint8_t r, uint8_t g, uint8_t b);

// Image Box (H, W) or (H, W, C), uint8 in [0, 255] -> (height, width[, C]) uint8, as Gymnasium's
// ResizeObservation: OpenCV's INTER_AREA resize (area means when shrinking, its bilinear-like
// area mode when a side grows), reproduced in OpenCV's own arithmetic so that every pixel equals
// OpenCV 4.6's (checked on the cases in docs/ENVS.md). Integer shrink factors average blocks;
// other shrinks weigh partly covered pixels by their overlap.
// height and width in [1, kMaxResizeSide] and the frame at most kMaxStackedValues values
// (frame_stack.h), else rein::Error.
class ResizeObservation : public ObservationWrapper {
 public:
  ResizeObservation(std::unique_ptr<Env> env, int64_t height, int64_t width);
  ~ResizeObservation() override;

 private:
  void observation(const Tensor& obs) override;
  std::unique_ptr<internal::AreaResize> resize_;
};

// The RL Zoo's FrameSkip: repeats each action `skip` times (stopping early when the episode
// ends), returns the last observation and info and the sum of the rewards. skip in
// [1, kMaxFrameSkip], else rein::Error.
class FrameSkip : public Wrapper {
 public:
  FrameSkip(std::unique_ptr<Env> env, int64_t skip);
  StepResult step(const Action& action) override;

 private:
  int64_t skip_;
};

// Wraps `env` in the wrappers `spec` names, innermost first, as make()'s "wrappers" argument:
//   "FrameSkip(skip=2), ResizeObservation(shape=64x64), GrayscaleObservation(keep_dim=true),
//    FrameStackObservation(stack_size=4)"
// Known: GrayscaleObservation(keep_dim), ResizeObservation(shape=HxW), FrameSkip(skip),
// FrameStackObservation(stack_size, padding). An empty spec wraps nothing.
// Throws rein::Error naming the wrapper and argument at fault.
std::unique_ptr<Env> apply_wrappers(std::unique_ptr<Env> env, std::string_view spec);

}  // namespace rein::envs
