// ObsEncoder: turns env observations into the float32 feature rows networks take: Box
// observations flattened (any dtype converted), Discrete ones one-hot (FrozenLake, Taxi),
// MultiDiscrete ones as concatenated one-hots (Blackjack). For a CnnPolicy, uint8 images become
// channel-first planes scaled to [0, 1], as SB3's VecTransposeImage and preprocess_obs do.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "envs/spaces.h"
#include "tensor/tensor.h"

namespace rein::rl::internal {

// True for the observations a CnnPolicy takes: a uint8 Box of shape (H, W), (H, W, C) or
// frame-stacked (K, H, W, C) with bounds [0, 255].
bool is_image_space(const envs::Space& space);

class ObsEncoder {
 public:
  // image: encode an image space (is_image_space) as channel-first planes (C', H, W) / 255,
  // C' = K * C with the stacked frames' channels side by side, oldest first.
  ObsEncoder(const envs::Space& space, std::string_view env_id, bool image = false);
  int64_t dim() const { return dim_; }
  // (C', H, W) of an image encoder; empty otherwise.
  const std::vector<int64_t>& image_shape() const { return image_shape_; }
  // batch: (B, *obs_shape) -> out: B rows of dim() floats.
  void encode(const Tensor& batch, float* out) const;
  // Row `row` of a batch -> dim() floats.
  void encode_row(const Tensor& batch, int64_t row, float* out) const;
  // Row `row` of an image batch -> dim() bytes: encode_row's channel-first planes holding the
  // pixels k themselves rather than k / 255 (what a replay buffer keeps).
  void pixels_row(const Tensor& batch, int64_t row, uint8_t* out) const;

 private:
  envs::Space space_;
  int64_t dim_ = 0;
  int64_t elems_ = 0;             // scalars per observation
  std::vector<int64_t> offsets_;  // MultiDiscrete one-hot offsets
  std::vector<int64_t> image_shape_;
  int64_t pixel_channels_ = 1;  // C of one frame (the innermost observation axis)
};

}  // namespace rein::rl::internal
