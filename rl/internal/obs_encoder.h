// ObsEncoder: turns env observations into the float32 feature rows networks take: Box
// observations flattened (any dtype converted), Discrete ones one-hot (FrozenLake, Taxi),
// MultiDiscrete ones as concatenated one-hots (Blackjack).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "envs/spaces.h"
#include "tensor/tensor.h"

namespace rein::rl::internal {

class ObsEncoder {
 public:
  ObsEncoder(const envs::Space& space, std::string_view env_id);
  int64_t dim() const { return dim_; }
  // batch: (B, *obs_shape) -> out: B rows of dim() floats.
  void encode(const Tensor& batch, float* out) const;
  // Row `row` of a batch -> dim() floats.
  void encode_row(const Tensor& batch, int64_t row, float* out) const;

 private:
  envs::Space space_;
  int64_t dim_ = 0;
  int64_t elems_ = 0;             // scalars per observation
  std::vector<int64_t> offsets_;  // MultiDiscrete one-hot offsets
};

}  // namespace rein::rl::internal
