// Layers of rein::nn: Linear, activations, LayerNorm, Sequential and the MLP builder.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/module.h"
#include "tensor/generator.h"

namespace rein::nn {

// y = x W^T + b. weight (out, in), bias (out). x: (N, in) or (in).
// Initialised as torch.nn.Linear: U(-1/sqrt(in), 1/sqrt(in)) for both, from `gen`.
class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, Generator& gen, bool bias = true,
         Dtype dtype = Dtype::Float32);
  Var forward(const Var& x) override;
  std::string name() const override { return "Linear"; }

  int64_t in_features() const { return in_; }
  int64_t out_features() const { return out_; }
  Var weight;
  Var bias;  // undefined when built with bias = false

 private:
  int64_t in_;
  int64_t out_;
};

// 2-D convolution: x (N, in_channels, H, W) -> (N, out_channels, OH, OW) (torch.nn.Conv2d
// with a square kernel, zero padding). weight (out, in, k, k), bias (out), initialised as
// torch: U(-1/sqrt(in k k), 1/sqrt(in k k)).
class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride,
         Generator& gen, int64_t padding = 0, bool bias = true, Dtype dtype = Dtype::Float32);
  Var forward(const Var& x) override;
  std::string name() const override { return "Conv2d"; }
  // The (height, width) of the output for an input of (height, width).
  std::pair<int64_t, int64_t> output_size(int64_t height, int64_t width) const;

  Var weight;
  Var bias;  // undefined when built with bias = false

 private:
  int64_t in_, out_, kernel_, stride_, padding_;
};

class ReLU : public Module {
 public:
  Var forward(const Var& x) override;
  std::string name() const override { return "ReLU"; }
};

class Tanh : public Module {
 public:
  Var forward(const Var& x) override;
  std::string name() const override { return "Tanh"; }
};

class ELU : public Module {
 public:
  explicit ELU(double alpha = 1.0) : alpha_(alpha) {}
  Var forward(const Var& x) override;
  std::string name() const override { return "ELU"; }

 private:
  double alpha_;
};

// Exact (erf) GELU, as torch.nn.GELU() with its default approximate="none".
class GELU : public Module {
 public:
  Var forward(const Var& x) override;
  std::string name() const override { return "GELU"; }
};

class Identity : public Module {
 public:
  Var forward(const Var& x) override { return x; }
  std::string name() const override { return "Identity"; }
};

// Normalises over the last dimension (size `features`), then scales and shifts by weight
// (ones) and bias (zeros). Biased variance, as torch.nn.LayerNorm.
class LayerNorm : public Module {
 public:
  explicit LayerNorm(int64_t features, double eps = 1e-5, bool elementwise_affine = true,
                     Dtype dtype = Dtype::Float32);
  Var forward(const Var& x) override;
  std::string name() const override { return "LayerNorm"; }
  Var weight;  // undefined without elementwise_affine
  Var bias;

 private:
  int64_t features_;
  double eps_;
};

// Runs its children in order; children are named "0", "1", ... as in torch.nn.Sequential.
class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(std::vector<std::shared_ptr<Module>> modules);
  void push_back(std::shared_ptr<Module> module);
  Var forward(const Var& x) override;
  std::string name() const override { return "Sequential"; }
  size_t size() const { return modules_.size(); }
  const std::shared_ptr<Module>& operator[](size_t i) const { return modules_[i]; }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

enum class Activation { ReLU, Tanh, ELU, GELU, Identity };
// "relu", "tanh", "elu", "gelu", "identity" (case-insensitive); throws rein::Error naming the
// choices.
Activation activation_from_string(const std::string& name);
std::shared_ptr<Module> make_activation(Activation activation);
// `activation` applied to x (the function make_activation's module computes).
Var activate(const Var& x, Activation activation);

// A Sequential of Linear layers sizes[0] -> sizes[1] -> ... with `activation` between them and
// none after the last (so MLP({4, 64, 64, 2}, Activation::Tanh, gen) is 3 Linear + 2 Tanh).
// Parameter names follow Sequential: "0.weight", "0.bias", "2.weight", ...
// Linear layers use torch.nn.Linear's default init; re-initialise with nn::init (e.g. orthogonal
// with gain sqrt(2) for hidden layers, as PPO does) through linear(i).
class MLP : public Module {
 public:
  MLP(const std::vector<int64_t>& sizes, Activation activation, Generator& gen,
      Dtype dtype = Dtype::Float32);
  Var forward(const Var& x) override;
  // The last hidden layer's output (after its activation; x itself when there is no hidden
  // layer) and the MLP's output computed from it, with the bits of forward(): gSDE reads the
  // policy's latent features this way.
  std::pair<Var, Var> forward_with_latent(const Var& x);
  std::string name() const override { return "MLP"; }

  size_t num_linear() const { return linears_.size(); }
  Linear& linear(size_t i) { return *linears_[i]; }
  const Linear& linear(size_t i) const { return *linears_[i]; }
  Activation activation() const { return activation_; }

 private:
  std::vector<std::shared_ptr<Linear>> linears_;
  Activation activation_;
};

}  // namespace rein::nn
