// NatureCNN (rl/blocks/nature_cnn.h).
#include "rl/blocks/nature_cnn.h"

#include "autograd/init.h"
#include "autograd/ops.h"

namespace rein::rl {

namespace {

// Holds a child under a dotted SB3 name ("cnn.0") without a Sequential's forward.
class Group : public nn::Module {
 public:
  template <typename M>
  std::shared_ptr<M> add(const std::string& name, std::shared_ptr<M> m) {
    return register_module(name, std::move(m));
  }
};

}  // namespace

NatureCNN::NatureCNN(const std::vector<int64_t>& image, int64_t features_dim, Generator& gen)
    : image_(image), features_dim_(features_dim) {
  if (image.size() != 3 || image[0] < 1) {
    throw Error("NatureCNN: the image must be (C, H, W) with C >= 1");
  }
  if (image[1] < 36 || image[2] < 36) {
    throw Error(str("NatureCNN: images of ", image[1], "x", image[2],
                    " pixels are too small for its 8x8/4, 4x4/2 and 3x3/1 convolutions (at least "
                    "36x36; ResizeObservation can enlarge them)"));
  }
  if (features_dim < 1)
    throw Error(str("NatureCNN: features_dim must be >= 1, got ", features_dim));
  auto cnn = register_module("cnn", std::make_shared<Group>());
  const int64_t channels[4] = {image[0], 32, 64, 64}, kernels[3] = {8, 4, 3},
                strides[3] = {4, 2, 1};
  int64_t h = image[1], w = image[2];
  for (int i = 0; i < 3; ++i) {
    auto conv =
        std::make_shared<nn::Conv2d>(channels[i], channels[i + 1], kernels[i], strides[i], gen);
    cnn->add(std::to_string(2 * i), conv);  // SB3's Sequential puts a ReLU at 1, 3, 5
    std::tie(h, w) = conv->output_size(h, w);
    convs_.push_back(std::move(conv));
  }
  auto lin = register_module("linear", std::make_shared<Group>());
  linear_ = lin->add("0", std::make_shared<nn::Linear>(64 * h * w, features_dim, gen));
}

Var NatureCNN::forward(const Var& x) {
  Var h = reshape(x, Shape{-1, image_[0], image_[1], image_[2]});
  for (const auto& conv : convs_) h = relu(conv->forward(h));
  return relu(linear_->forward(flatten(h, 1)));
}

void NatureCNN::orthogonal_init(double gain, Generator& gen) {
  for (const auto& conv : convs_) {
    nn::init::orthogonal_(conv->weight, gain, gen);
    nn::init::zeros_(conv->bias);
  }
  nn::init::orthogonal_(linear_->weight, gain, gen);
  nn::init::zeros_(linear_->bias);
}

}  // namespace rein::rl
