// Action distributions of rein::distributions (torch.distributions names): Categorical from
// logits with an optional action mask, diagonal Normal, and a tanh-squashed Normal for bounded
// actions. log_prob and entropy are differentiable Vars; samples are plain tensors.
// Thread-safety: none (they are small values built per forward pass).
#pragma once

#include <utility>

#include "autograd/var.h"
#include "tensor/generator.h"

namespace rein::distributions {

// logits: (A) or (B, A), float32/float64. mask (optional): bool of the same shape, true where
// an action is allowed; masked actions get probability 0 (their logit is replaced by a large
// negative number, so gradients stay finite) and no share of the entropy. Every row needs at
// least one allowed action (throws rein::Error otherwise).
class Categorical {
 public:
  explicit Categorical(const Var& logits, const Tensor& mask = Tensor());

  Tensor sample(Generator& gen) const;          // int64 () or (B)
  Var log_prob(const Tensor& actions) const;    // actions int64 () or (B) -> () or (B)
  Var entropy() const;                          // () or (B)
  Tensor mode() const;                          // argmax, int64 () or (B)
  const Var& logits() const { return log_probs_; }  // normalised: log_softmax of the logits
  Var probs() const;

 private:
  Var log_probs_;  // (B, A) internally
  Tensor mask_;    // (B, A) bool, or undefined
  bool batched_;
};

// Diagonal Gaussian over the last dimension: mean and std of the same shape (..., D) (std > 0;
// broadcasting allowed). log_prob and entropy sum over the last dimension, giving (...) — as
// torch Independent(Normal(mean, std), 1), i.e. CleanRL's `.log_prob(a).sum(1)`.
class Normal {
 public:
  Normal(const Var& mean, const Var& std);

  Tensor sample(Generator& gen) const;    // no gradient
  Var rsample(Generator& gen) const;      // mean + std * eps, differentiable (reparameterised)
  Var log_prob(const Var& value) const;   // (...)
  Var entropy() const;                    // (...)
  const Var& mode() const { return mean_; }
  const Var& mean() const { return mean_; }
  const Var& stddev() const { return std_; }

 private:
  Var mean_;
  Var std_;
};

// a = tanh(u), u ~ Normal(mean, std) (SAC's squashed Gaussian, actions in (-1, 1); rescale to
// the action bounds outside). log_prob includes the change of variables
// log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)), summed over the last dimension.
class TanhNormal {
 public:
  TanhNormal(const Var& mean, const Var& std);

  // Reparameterised sample and its log-probability, from the pre-squash value (stable).
  std::pair<Var, Var> rsample_with_log_prob(Generator& gen) const;
  Tensor sample(Generator& gen) const;
  // log-probability of actions in (-1, 1); clipped to +-(1 - 1e-6) before atanh.
  Var log_prob(const Var& action) const;
  Var mode() const;  // tanh(mean)
  const Normal& base() const { return base_; }

 private:
  Normal base_;
};

}  // namespace rein::distributions
