// SAC's actors behind one interface: the tanh-squashed diagonal Gaussian (in rl/algorithms/sac.cpp)
// and the gSDE actor below, which is Stable-Baselines3's SAC Actor with use_sde (v2.x
// sac/policies.py): the hidden layers' output z(s) is both the input of the mean layer and the
// feature vector of the state-dependent noise (learn_features: gradients reach the hidden layers
// through it), the mean is clipped to [-clip_mean, clip_mean] (SB3's Hardtanh), the noise is z(s) W
// with W drawn from N(0, sigma^2) and kept until reset_noise, actions are tanh(mean + z W), and
// log_std is an (F, A) parameter (F, 1 without full_std). docs/algorithms/gsde.md explains the
// method.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "autograd/distributions.h"
#include "autograd/layers.h"
#include "tensor/generator.h"

namespace rein::rl::internal {

class SacActor : public nn::Module {
 public:
  // Reparameterised actions (B, A) in (-1, 1) and their log-probability (B, 1) under the
  // squashed distribution (differentiable). `gen` draws the Gaussian noise of the plain actor;
  // the gSDE actor uses its exploration matrices instead.
  virtual std::pair<Var, Var> sample(const Var& obs, Generator& gen) = 0;
  // The deterministic action (B, A): tanh of the mean, no noise.
  virtual Tensor mode(const Tensor& obs) = 0;
};

struct GsdeActorOptions {
  bool full_std = true;      // log_std (F, A); false: (F, 1), one sigma per feature
  bool use_expln = false;    // sigma = expln(log_std) instead of exp(log_std)
  double log_std_init = -3;  // every entry of log_std at the start (SB3 SAC default -3)
  double clip_mean = 2.0;    // > 0: the mean is clipped to [-clip_mean, clip_mean]; 0: no clip
};

class GsdeActor final : public SacActor {
 public:
  GsdeActor(int64_t obs_dim, int64_t action_dim, const std::vector<int64_t>& hidden,
            nn::Activation activation, const GsdeActorOptions& options, Generator& init_gen);

  Var forward(const Var& x) override { return mean_and_latent(x).first; }
  std::string name() const override { return "GsdeActor"; }
  std::pair<Var, Var> sample(const Var& obs, Generator& gen) override;
  Tensor mode(const Tensor& obs) override;

  // Draws new exploration matrices: a single one and `batch` more (one per env; SB3
  // reset_noise). Under grad mode they are differentiable with respect to log_std (SB3 draws
  // them so before each gradient step); collect under no_grad.
  void reset_noise(int64_t batch, Generator& gen);
  const Var& log_std() const { return log_std_; }
  // mean(sigma) over log_std's entries: the train/std metric.
  double mean_std() const;
  distributions::ExplorationMatrices& exploration() { return exploration_; }

 private:
  // The clipped mean (B, A) and the latent features (B, F).
  std::pair<Var, Var> mean_and_latent(const Var& obs);

  int64_t A_;
  double clip_mean_;
  distributions::StateDependentNoiseOptions options_;
  std::shared_ptr<nn::MLP> net_;  // hidden layers + the mean layer (SB3 latent_pi and mu)
  Var log_std_;
  distributions::ExplorationMatrices exploration_;
};

}  // namespace rein::rl::internal
