// RolloutAgent: what PPO and A2C share as agents, as SB3's OnPolicyAlgorithm: the vectorised
// rollout (envs, actor-critic policy, buffer), one optimizer over the model, the iteration count,
// the checkpoint, and learn()'s loop of collect then update. An algorithm writes its update.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "autograd/optim.h"
#include "rl/algorithm.h"
#include "rl/internal/on_policy.h"
#include "rl/internal/vec_rollout.h"

namespace rein::rl::internal {

// Config: the algorithm's settings (n_steps, gamma, the policy's net_arch, activation,
// shared_network, ortho_init, log_std_init, policy and sde; fields()). Not thread-safe.
template <class Config>
class RolloutAgent : public Agent {
 public:
  void iterate(MetricSink& sink) final {
    model_->train();
    roll_.collect(sink, store_log_probs_, algo_);
    update(sink);
    ++iteration_;
  }
  int64_t global_step() const final { return roll_.global_step; }
  Tensor predict(const Tensor& obs, bool deterministic) final {
    return roll_.policy.predict(obs, deterministic);
  }
  std::vector<Param> params() final { return to_params(cfg_.fields()); }
  void state(StateIO& io) final { roll_.state(io, *opt_, iteration_); }
  std::string state_name() const final { return str(algo_, " checkpoint"); }

 protected:
  // `algo` names the agent in errors and in the checkpoint; store_log_probs: the rollout keeps
  // the log-probabilities of its actions (PPO's ratio needs them). The subclass sets opt_.
  RolloutAgent(const char* algo, const AgentSetup& setup, const Config& config,
               bool store_log_probs)
      : algo_(algo),
        setup_(setup),
        cfg_(config),
        roll_(setup,
              net_spec(config.net_arch, config.activation, config.shared_network, config.ortho_init,
                       config.log_std_init, config.sde.options(), config.policy),
              config.n_steps, config.gamma),
        model_(roll_.policy.model.get()),
        store_log_probs_(store_log_probs) {
    roll_.sde_sample_freq = config.sde.sde_sample_freq;
  }

  // One update on the rollout just collected, logging its metrics.
  virtual void update(MetricSink& sink) = 0;

  const char* algo_;
  AgentSetup setup_;
  Config cfg_;
  VecRollout roll_;
  ActorCritic* model_;  // roll_.policy.model
  std::unique_ptr<optim::Optimizer> opt_;
  int64_t iteration_ = 0;

 private:
  bool store_log_probs_;
};

}  // namespace rein::rl::internal
