// Wrappers for image observations, as Gymnasium 1.x and the RL Zoo have them: grey-scale,
// resize (area averaging) and frame skipping. With FrameStackObservation (frame_stack.h) they
// make the usual pixel pipeline: FrameSkip -> ResizeObservation -> GrayscaleObservation -> stack.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "envs/wrappers.h"

namespace rein::envs {

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

// Image Box (H, W) or (H, W, C), uint8 in [0, 255] -> (height, width[, C]) uint8, each output
// pixel the area-weighted mean of the input pixels it covers (OpenCV's INTER_AREA, which
// Gymnasium calls), rounded to nearest. Integer shrink factors give OpenCV's values exactly;
// other shrinks are exact averages where OpenCV sums float weights (see docs/ENVS.md);
// enlarging a side repeats pixels by area, where OpenCV interpolates bilinearly.
class ResizeObservation : public ObservationWrapper {
 public:
  ResizeObservation(std::unique_ptr<Env> env, int64_t height, int64_t width);

 private:
  void observation(const Tensor& obs) override;
  // One axis of the resampling: output index o takes input pixels [first[o], first[o] +
  // weights[o].size()) with those weights (their sum is the scale factor).
  struct Axis {
    std::vector<int64_t> first;
    std::vector<std::vector<double>> weights;
  };
  static Axis make_axis(int64_t in, int64_t out);
  int64_t in_h_, in_w_, channels_;
  Axis rows_, cols_;
  std::vector<double> row_sums_;  // one output row before the vertical pass, (in_w, C)
};

// The RL Zoo's FrameSkip: repeats each action `skip` times (stopping early when the episode
// ends), returns the last observation and info and the sum of the rewards. skip >= 1.
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
