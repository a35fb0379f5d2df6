// The vectorised n-step rollout of PPO and A2C, as SB3's OnPolicyAlgorithm.collect_rollouts:
// the training envs, the actor-critic policy that acts in them, and the RolloutBuffer it fills;
// and RolloutAgent, the agent PPO and A2C build on it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rl/blocks/rollout_buffer.h"
#include "rl/internal/on_policy.h"
#include "rl/metric_sink.h"

namespace rein::rl::internal {

// What the memory check of a rollout agent needs beyond the rollout (check_policy_memory).
struct UpdateMemory {
  const char* algo;           // names the agent in the error
  int copies;                 // each parameter held as value, gradient and the optimizer's state
  std::string held;           // names the copies
  double batch_rows;          // rows an update gathers beside the rollout (at most all of them)
  std::string batch_setting;  // the setting that bounds them
};

// Not thread-safe.
struct VecRollout {
  // Makes the envs, then, once the policy, the buffer and the update's batch fit
  // setup.memory_bytes (else throws rein::Error naming the settings to lower), the policy on
  // their spaces (normaliser discounting with gamma) and a buffer of n_steps x n_envs; resets the
  // envs with setup.run.seed, feeding the normaliser.
  VecRollout(const AgentSetup& setup, const ActorCriticSpec& net, int64_t n_steps, double gamma,
             const UpdateMemory& memory);

  // Resets the envs; update_stats feeds the first observations to the normaliser (SB3 does on
  // reset; a restored checkpoint must not, or its statistics would drift before training).
  void reset(uint64_t seed, bool update_stats);
  // Fills the buffer with n_steps steps of every env (advancing global_step by n_envs each),
  // drawing gSDE's exploration matrices (one per env) at the start and, with
  // sde_sample_freq > 0, every sde_sample_freq steps, as SB3's collect_rollouts,
  // logging train/episode_return and train/episode_length as episodes end. Stores log-probs
  // when store_log_probs (PPO's ratio needs them). Throws NonFiniteError on a NaN/inf reward or
  // observation; `algo` prefixes the message.
  void collect(MetricSink& sink, bool store_log_probs, const char* algo);
  // The checkpoint state of an agent built on this rollout (policy_gradient_state, with its
  // optimizer and iteration count). Loading restarts the envs from fresh episodes on a stream of
  // their own (run_seed + global_step; SB3 resets on load too).
  void state(StateIO& io, optim::Optimizer& opt, int64_t& iteration);
  // After an update: logs the explained variance of the rollout's returns by its values (when
  // finite) and, for Box actions, the policy's mean action std.
  void log_fit_metrics(MetricSink& sink);

  std::unique_ptr<envs::VectorEnv> envs;
  ActorCriticPolicy policy;
  RolloutBuffer buffer;
  int64_t N;                     // envs
  uint64_t run_seed;             // setup.run.seed
  int64_t global_step = 0;       // env steps taken over all envs
  int64_t sde_sample_freq = -1;  // gSDE only: steps between redraws (<= 0: once per rollout)
  Tensor obs;                    // (N, D) normalised current observations
  std::vector<float> raw;        // (N, D) encoded observations before normalisation
};

// What PPO and A2C share as agents, as SB3's OnPolicyAlgorithm: the rollout, one optimizer over
// the model (set by the subclass), the iteration count, the checkpoint and learn()'s loop of
// collect then update. Config: n_steps, gamma, the policy settings (net_spec's), sde, fields().
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
  // memory.algo names the agent in errors and checkpoints; store_log_probs: PPO's ratio needs
  // them.
  // `memory` describes the update for the memory check.
  RolloutAgent(const AgentSetup& setup, const Config& c, bool store_log_probs,
               const UpdateMemory& memory)
      : algo_(memory.algo),
        setup_(setup),
        cfg_(c),
        roll_(setup,
              net_spec(c.net_arch, c.activation, c.shared_network, c.ortho_init, c.log_std_init,
                       c.sde.options(), c.policy),
              c.n_steps, c.gamma, memory),
        model_(roll_.policy.model.get()),
        store_log_probs_(store_log_probs) {
    roll_.sde_sample_freq = c.sde.sde_sample_freq;
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
