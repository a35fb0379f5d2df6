// Action distributions of rein::distributions (torch.distributions names): Categorical from
// logits with an optional action mask, diagonal Normal, a tanh-squashed Normal for bounded
// actions, and the state-dependent Gaussian of gSDE with its exploration matrices. log_prob and
// entropy are differentiable Vars; samples are plain tensors unless stated.
// Thread-safety: none (they are small values built per forward pass).
#pragma once

#include <utility>

#include "autograd/var.h"
#include "tensor/generator.h"
#include "tensor/state_io.h"

namespace rein::distributions {

// logits: (A) or (B, A), float32/float64. mask (optional): bool of the same shape, true where
// an action is allowed; masked actions get probability 0 (their logit is replaced by a large
// negative number, so gradients stay finite) and no share of the entropy. Every row needs at
// least one allowed action (throws rein::Error otherwise).
class Categorical {
 public:
  explicit Categorical(const Var& logits, const Tensor& mask = Tensor());

  Tensor sample(Generator& gen) const;              // int64 () or (B)
  Var log_prob(const Tensor& actions) const;        // actions int64 () or (B) -> () or (B)
  Var entropy() const;                              // () or (B)
  Tensor mode() const;                              // argmax, int64 () or (B)
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

  Tensor sample(Generator& gen) const;   // no gradient
  Var rsample(Generator& gen) const;     // mean + std * eps, differentiable (reparameterised)
  Var log_prob(const Var& value) const;  // (...)
  Var entropy() const;                   // (...)
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

// Generalized state-dependent exploration, gSDE (Raffin et al. 2021, "Smooth Exploration for
// Robotic Reinforcement Learning", arXiv:2005.05719), as Stable-Baselines3's
// StateDependentNoiseDistribution. The action is mean(s) + z(s) W: z(s) are the latent features
// of the policy's last hidden layer (B, F) and W (F, A) a weight matrix drawn from N(0, sigma^2)
// and kept for several steps (ExplorationMatrices), so the noise is a smooth function of the
// state instead of fresh per step. Given s, the action is Gaussian with mean(s) and variance
// sum_f z_f^2 sigma_fj^2 (+ epsilon), which is what log_prob and entropy use.
struct StateDependentNoiseOptions {
  bool full_std = true;         // log_std is (F, A), one sigma per feature and action; else (F, 1)
  bool use_expln = false;       // sigma = expln(log_std) (exp below 0, log1p(x) + 1 above): the
                                // variance grows slowly instead of exponentially (paper, SB3)
  bool squash_output = false;   // actions tanh(u) in (-1, 1), log_prob with the tanh correction
  bool learn_features = false;  // false: z is detached (PPO, A2C); true: gradients reach the
                                // features through the variance and the noise (SB3's SAC)
  double epsilon = 1e-6;        // added to the variance and inside the tanh correction's log
};

// sigma (F, A) from log_std (F, A) or (F, 1) (broadcast over the A actions when !full_std).
// Differentiable (SB3 get_std).
Var state_dependent_std(const Var& log_std, int64_t action_dim,
                        const StateDependentNoiseOptions& options);

// The sampled weights W of gSDE: one matrix (F, A) and one per row of a batch (n, F, A), as SB3
// draws them in sample_weights. Kept between resamples; the algorithm decides when to redraw
// (on-policy: at every rollout start and every sde_sample_freq steps).
class ExplorationMatrices {
 public:
  // Draws W = sigma * eps, eps ~ N(0, 1): first the single matrix, then `batch` matrices (one
  // per env), all from `gen` in row-major order. Differentiable with respect to log_std when
  // grad mode is on (reparameterised, as SB3's rsample); call it under no_grad for rollouts.
  void resample(const Var& log_std, int64_t action_dim, int64_t batch,
                const StateDependentNoiseOptions& options, Generator& gen);
  // The same from given standard normal draws: eps_single (F, A) and eps_batch (n, F, A), of
  // log_std's dtype (tests against recorded values use this).
  void resample_from(const Var& log_std, const Tensor& eps_single, const Tensor& eps_batch,
                     const StateDependentNoiseOptions& options);
  bool sampled() const { return single_.defined(); }
  // Noise z W for latent features z (B, F) -> (B, A): row i uses matrix i when B equals the
  // batch of the last resample (and B > 1), else every row uses the single matrix (SB3
  // get_noise). z is detached unless options.learn_features.
  Var noise(const Var& latent, const StateDependentNoiseOptions& options) const;

  // Checkpoint state: the matrices' values (a restored policy acts with the same noise).
  const Var& single() const { return single_; }
  const Var& batch() const { return batch_; }
  // Restores saved values; throws rein::Error when the shapes do not match (F, A) / (n, F, A).
  void set(const Tensor& single, const Tensor& batch);
  // Checkpoint state (tensor/state_io.h), in the format gSDE agents have always saved: tensors
  // "gsde.exploration_mat" and "gsde.exploration_matrices", their count in the field
  // "gsde_batch". Loading requires single()'s dtype and shape (sampled() first).
  void state(StateIO& io);

 private:
  Var single_;  // (F, A)
  Var batch_;   // (n, F, A)
};

class StateDependentNoise {
 public:
  // mean (B, A), log_std (F, A) or (F, 1), latent (B, F), one float dtype.
  StateDependentNoise(const Var& mean, const Var& log_std, const Var& latent,
                      const StateDependentNoiseOptions& options);

  // Actions (B, A): tanh(mean + z W) when squashed, else mean + z W; differentiable (through
  // W's reparameterisation and, with learn_features, z).
  Var sample(const ExplorationMatrices& noise) const;
  Var mode() const;  // mean, or tanh(mean) when squashed
  // (B). Squashed: SB3's inverse (atanh of the actions clipped to 1 - float eps) and the
  // correction sum log(1 - tanh(u)^2 + epsilon).
  Var log_prob(const Var& actions) const;
  // (B) Gaussian entropy. Squashed actions have no closed form: throws rein::Error (SB3 returns
  // None and the algorithms use -log_prob instead).
  Var entropy() const;
  const Normal& gaussian() const { return gaussian_; }

 private:
  StateDependentNoiseOptions options_;
  Var latent_;  // detached unless learn_features
  Normal gaussian_;
};

}  // namespace rein::distributions
