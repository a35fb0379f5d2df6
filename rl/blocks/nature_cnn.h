// NatureCNN: the convolutional feature extractor of Mnih et al. 2015 ("Human-level control
// through deep reinforcement learning", Nature 518) as Stable-Baselines3's CnnPolicy uses it:
// Conv2d(C, 32, 8, stride 4), ReLU, Conv2d(32, 64, 4, stride 2), ReLU, Conv2d(64, 64, 3,
// stride 1), ReLU, flatten, Linear(n_flatten, features_dim), ReLU.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "autograd/layers.h"
#include "autograd/module.h"
#include "tensor/generator.h"

namespace rein::rl {

// Parameter names follow SB3's: "cnn.0.weight", "cnn.2.weight", "cnn.4.weight" and
// "linear.0.weight" (with biases). Not thread-safe.
class NatureCNN : public nn::Module {
 public:
  // image: (C, H, W) of the input planes. Throws rein::Error when H or W is below 36, the
  // smallest image the three convolutions leave a pixel of.
  NatureCNN(const std::vector<int64_t>& image, int64_t features_dim, Generator& gen);
  // x (B, C * H * W) channel-first rows (values in [0, 1]) -> (B, features_dim).
  Var forward(const Var& x) override;
  std::string name() const override { return "NatureCNN"; }
  int64_t features_dim() const { return features_dim_; }
  // SB3 ortho_init for the feature extractor: orthogonal weights with `gain`, zero biases.
  void orthogonal_init(double gain, Generator& gen);

 private:
  std::vector<int64_t> image_;
  int64_t features_dim_;
  std::vector<std::shared_ptr<nn::Conv2d>> convs_;
  std::shared_ptr<nn::Linear> linear_;
};

}  // namespace rein::rl
