// nn layers: Linear, activations, LayerNorm, Sequential, MLP.
#include "autograd/layers.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "autograd/init.h"
#include "autograd/internal/fused_linear.h"
#include "autograd/ops.h"

namespace rein::nn {

Linear::Linear(int64_t in_features, int64_t out_features, Generator& gen, bool bias, Dtype dtype)
    : in_(in_features), out_(out_features) {
  if (in_features <= 0 || out_features <= 0) {
    throw Error(
        str("Linear: sizes must be positive, got in ", in_features, ", out ", out_features));
  }
  // torch.nn.Linear.reset_parameters: kaiming_uniform(a = sqrt 5) == U(+-1/sqrt(in)), same bound
  // for the bias.
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
  weight = register_parameter("weight", empty({out_features, in_features}, dtype));
  init::uniform_(weight, -bound, bound, gen);
  if (bias) {
    this->bias = register_parameter("bias", empty({out_features}, dtype));
    init::uniform_(this->bias, -bound, bound, gen);
  }
}

Var Linear::forward(const Var& x) { return linear(x, weight, bias); }

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride,
               Generator& gen, int64_t padding, bool bias, Dtype dtype)
    : in_(in_channels),
      out_(out_channels),
      kernel_(kernel_size),
      stride_(stride),
      padding_(padding) {
  if (in_channels <= 0 || out_channels <= 0 || kernel_size <= 0 || stride <= 0 || padding < 0) {
    throw Error(
        str("Conv2d: channels, kernel size and stride must be positive and padding >= 0,"
            " got in ",
            in_channels, ", out ", out_channels, ", kernel ", kernel_size, ", stride ", stride,
            ", padding ", padding));
  }
  // torch.nn.Conv2d.reset_parameters: U(+-1/sqrt(fan_in)) for both, fan_in = in * k * k.
  const double bound =
      1.0 / std::sqrt(static_cast<double>(in_channels * kernel_size * kernel_size));
  weight = register_parameter("weight",
                              empty({out_channels, in_channels, kernel_size, kernel_size}, dtype));
  init::uniform_(weight, -bound, bound, gen);
  if (bias) {
    this->bias = register_parameter("bias", empty({out_channels}, dtype));
    init::uniform_(this->bias, -bound, bound, gen);
  }
}

Var Conv2d::forward(const Var& x) { return conv2d(x, weight, bias, stride_, padding_); }

std::pair<int64_t, int64_t> Conv2d::output_size(int64_t height, int64_t width) const {
  return {(height + 2 * padding_ - kernel_) / stride_ + 1,
          (width + 2 * padding_ - kernel_) / stride_ + 1};
}
Var ReLU::forward(const Var& x) { return relu(x); }
Var Tanh::forward(const Var& x) { return tanh(x); }
Var ELU::forward(const Var& x) { return elu(x, alpha_); }
Var GELU::forward(const Var& x) { return gelu(x); }

LayerNorm::LayerNorm(int64_t features, double eps, bool elementwise_affine, Dtype dtype)
    : features_(features), eps_(eps) {
  if (features <= 0) throw Error(str("LayerNorm: features must be positive, got ", features));
  if (elementwise_affine) {
    weight = register_parameter("weight", ones({features}, dtype));
    bias = register_parameter("bias", zeros({features}, dtype));
  }
}

Var LayerNorm::forward(const Var& x) {
  if (x.dim() == 0 || x.size(-1) != features_) {
    throw Error(str("LayerNorm: input ", x.shape(), " does not end in ", features_, " features"));
  }
  Var mu = mean(x, -1, true);
  Var centered = x - mu;
  Var variance = mean(square(centered), -1, true);  // biased, as torch
  Var y = centered * rsqrt(variance + eps_);
  if (weight.defined()) y = y * weight + bias;
  return y;
}

Sequential::Sequential(std::vector<std::shared_ptr<Module>> modules) {
  for (auto& m : modules) push_back(std::move(m));
}

void Sequential::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

Var Sequential::forward(const Var& x) {
  Var h = x;
  for (auto& m : modules_) h = m->forward(h);
  return h;
}

Activation activation_from_string(const std::string& name) {
  std::string n = name;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  if (n == "relu") return Activation::ReLU;
  if (n == "tanh") return Activation::Tanh;
  if (n == "elu") return Activation::ELU;
  if (n == "gelu") return Activation::GELU;
  if (n == "identity" || n == "none") return Activation::Identity;
  throw Error(
      str("activation: unknown name '", name, "' (choose relu, tanh, elu, gelu or identity)"));
}

std::shared_ptr<Module> make_activation(Activation activation) {
  switch (activation) {
    case Activation::ReLU:
      return std::make_shared<ReLU>();
    case Activation::Tanh:
      return std::make_shared<Tanh>();
    case Activation::ELU:
      return std::make_shared<ELU>();
    case Activation::GELU:
      return std::make_shared<GELU>();
    case Activation::Identity:
      return std::make_shared<Identity>();
  }
  return std::make_shared<Identity>();
}

Var activate(const Var& x, Activation activation) {
  switch (activation) {
    case Activation::ReLU:
      return relu(x);
    case Activation::Tanh:
      return tanh(x);
    case Activation::ELU:
      return elu(x);
    case Activation::GELU:
      return gelu(x);
    case Activation::Identity:
      return x;
  }
  return x;
}

MLP::MLP(const std::vector<int64_t>& sizes, Activation activation, Generator& gen, Dtype dtype)
    : activation_(activation) {
  if (sizes.size() < 2) {
    throw Error(str("MLP: needs at least an input and an output size, got ", sizes.size()));
  }
  // Children are registered as a flat Sequential would name them ("0", "1" for the activation,
  // "2", ...), so checkpoints match torch.nn.Sequential(Linear, Tanh, Linear, ...).
  int64_t index = 0;
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    auto lin = std::make_shared<Linear>(sizes[i], sizes[i + 1], gen, true, dtype);
    register_module(std::to_string(index++), lin);
    linears_.push_back(lin);
    if (i + 2 < sizes.size() && activation != Activation::Identity) {
      register_module(std::to_string(index++), make_activation(activation));
    }
  }
}

Var MLP::forward(const Var& x) {
  // Hidden ReLU/Tanh layers run as one fused linear + activation op (autograd/internal/
  // fused_linear.h); without a graph to record, the whole MLP runs on tensors.
  const bool fusable = activation_ != Activation::ELU && activation_ != Activation::GELU;
  const auto fused = activation_ == Activation::ReLU   ? internal::FusedActivation::ReLU
                     : activation_ == Activation::Tanh ? internal::FusedActivation::Tanh
                                                       : internal::FusedActivation::None;
  if (fusable) {
    if (Var y = internal::mlp_forward_no_graph(x, linears_, fused); y.defined()) return y;
  }
  Var h = x;
  for (size_t i = 0; i < linears_.size(); ++i) {
    const bool hidden = i + 1 < linears_.size();
    if (hidden && fusable) {
      h = internal::linear_activation(h, linears_[i]->weight, linears_[i]->bias, fused);
      continue;
    }
    h = rein::linear(h, linears_[i]->weight, linears_[i]->bias);
    if (hidden) h = activate(h, activation_);  // ELU and GELU have no fused kernel
  }
  return h;
}

std::pair<Var, Var> MLP::forward_with_latent(const Var& x) {
  const auto fused = activation_ == Activation::ReLU   ? internal::FusedActivation::ReLU
                     : activation_ == Activation::Tanh ? internal::FusedActivation::Tanh
                                                       : internal::FusedActivation::None;
  Var h = x;
  for (size_t i = 0; i + 1 < linears_.size(); ++i) {
    if (activation_ == Activation::ELU || activation_ == Activation::GELU) {
      h = activate(rein::linear(h, linears_[i]->weight, linears_[i]->bias), activation_);
    } else {
      h = internal::linear_activation(h, linears_[i]->weight, linears_[i]->bias, fused);
    }
  }
  return {h, rein::linear(h, linears_.back()->weight, linears_.back()->bias)};
}

}  // namespace rein::nn
