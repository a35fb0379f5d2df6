// OffPolicyCore: what DQN, SAC, TD3 and DDPG share, as Stable-Baselines3's OffPolicyAlgorithm
// (v2.x off_policy_algorithm.py): the training envs (the registry's TimeLimit, then
// RecordEpisodeStatistics for the episode metrics), the replay ring, the collect loop of
// train_freq vector steps (collect_rollouts), learning_starts and the gradient steps per phase,
// and the checkpoint of the env step count, the buffer and the envs' states (--save-replay), so
// a resumed run continues its episodes bit for bit. The agents choose actions and learn.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "autograd/module.h"
#include "base/error.h"
#include "envs/vector_env.h"
#include "rl/algorithm.h"
#include "rl/internal/obs_encoder.h"
#include "rl/internal/replay_buffer.h"

namespace rein::rl::internal {

// The settings every off-policy config shares (SB3's OffPolicyAlgorithm arguments), checked alike
// for DQN, SAC, TD3 and DDPG: throws rein::Error "ALGO: KEY must ..." for the first one out of
// range.
template <class Config>
void validate_off_policy_settings(const char* algo, const Config& c) {
  auto need = [algo](bool ok, const char* key, const std::string& why) {
    if (!ok) throw Error(str(algo, ": ", key, " ", why));
  };
  need(c.learning_rate > 0, "learning_rate", str("must be > 0, got ", c.learning_rate));
  need(c.buffer_size >= 1, "buffer_size", str("must be >= 1, got ", c.buffer_size));
  need(c.learning_starts >= 0, "learning_starts", str("must be >= 0, got ", c.learning_starts));
  need(c.batch_size >= 1, "batch_size", str("must be >= 1, got ", c.batch_size));
  need(c.tau > 0 && c.tau <= 1, "tau", str("must be in (0, 1], got ", c.tau));
  need(c.gamma >= 0 && c.gamma <= 1, "gamma", str("must be in [0, 1], got ", c.gamma));
  need(c.train_freq >= 1, "train_freq", str("must be >= 1, got ", c.train_freq));
  if constexpr (requires { c.train_freq_unit; }) {
    need(c.train_freq_unit == "step" || c.train_freq_unit == "episode", "train_freq_unit",
         str("must be step or episode, got '", c.train_freq_unit, "'"));
  }
  need(c.gradient_steps >= -1, "gradient_steps", str("must be >= 0 or -1, got ", c.gradient_steps));
}

struct OffPolicyOptions {
  int64_t learning_starts = 100;     // env steps before the first gradient step
  int64_t train_freq = 1;            // vector-env steps (or episodes) per collect phase
  bool train_freq_episodes = false;  // train_freq counts finished episodes (SB3 (n, "episode"))
  int64_t gradient_steps = 1;        // gradient steps per phase; -1: env steps collected
  bool save_replay = false;          // checkpoints carry the buffer and the envs' states
  ReplayOptions replay;              // capacity, n_step, gamma, priorities (sizes are filled in)
  bool image = false;  // CnnPolicy: images encoded as channel-first planes / 255, stored as bytes
  // The agent's networks for the envs' observations and actions: checked with the replay buffer
  // against AgentSetup::memory_bytes before the buffer is allocated (memory_budget.h).
  std::function<MemoryUse(const ObsEncoder& obs, const envs::Space& actions)> networks = {};
};

// The options of the settings SAC, TD3 and DDPG share (train_freq counted in steps or episodes,
// one-step returns, uniform replay).
template <class Config>
OffPolicyOptions off_policy_options(const Config& c) {
  return {.learning_starts = c.learning_starts,
          .train_freq = c.train_freq,
          .train_freq_episodes = c.train_freq_unit == "episode",
          .gradient_steps = c.gradient_steps,
          .save_replay = c.save_replay,
          .replay = {.capacity = c.buffer_size, .gamma = c.gamma}};
}

// Thread-safety: one thread at a time.
class OffPolicyCore {
 public:
  // Builds setup.run.n_envs envs of setup.env_id and, once the networks (options.networks) and
  // the replay buffer fit setup.memory_bytes together, the buffer; with setup.acting_only no
  // buffer (collect() then throws). `algo` names the agent in errors.
  OffPolicyCore(std::string algo, const AgentSetup& setup, const OffPolicyOptions& options);

  envs::VectorEnv& envs() { return *envs_; }
  const ObsEncoder& encoder() const { return encoder_; }
  // Raw env observations (rows, ...) -> the (rows, obs_dim) rows the networks read (predict).
  Tensor encode(const Tensor& raw_obs) const;
  int64_t n_envs() const { return N_; }
  int64_t obs_dim() const { return D_; }
  const Tensor& obs() const { return obs_; }   // (N, obs_dim): the observations acted on next
  ReplayBuffer& buffer() { return *buffer_; }  // not of an acting-only core
  int64_t global_step() const { return global_step_; }
  int64_t n_calls() const { return n_calls_; }  // vector steps taken (SB3 _n_calls)
  // Before learning_starts: actions come from the action space, not the policy.
  bool warmup() const { return global_step_ < options_.learning_starts; }

  // SB3 collect_rollouts: train_freq vector steps, or steps until train_freq episodes ended; a
  // phase a stop cut (phase_cut()) is continued instead, to its end.
  // `act` writes the env actions (int64 (N) for Discrete, float32 (N, A) in the env's bounds for
  // Box) and the actions the buffer stores (the same tensor for Discrete; the policy's [-1, 1]
  // actions for Box); `on_step` runs after each step (SB3 _on_step) with the envs whose episode
  // ended in it.
  void collect(MetricSink& sink, const std::function<void(Tensor& env, Tensor& stored)>& act,
               const std::function<void(const std::vector<uint8_t>& done)>& on_step);
  // Gradient steps due after a collect phase (SB3 learn()): 0 until past learning_starts or
  // while the phase is cut; gradient_steps -1 gives the env steps the phase collected (both
  // parts of a phase a stop cut).
  int64_t due_gradient_steps() const;
  // `*stop` becoming true cuts a collect phase (after the step in progress): it has no gradient
  // steps due yet, and the next collect() finishes it. nullptr: phases run to their end.
  void set_stop_flag(const std::atomic<bool>* stop) { stop_ = stop; }
  // The last collect phase was cut by the stop flag (or a checkpoint of a cut phase was loaded):
  // the next collect() continues it, so what an agent does at a phase's start is already done.
  bool phase_cut() const { return phase_cut_; }
  // The env step at which the last (or the cut) collect phase began.
  int64_t phase_start_step() const { return phase_start_; }
  // Agent::cut_iteration_start of an agent whose iteration is a collect phase and its learning.
  std::optional<int64_t> cut_phase_start() const {
    return phase_cut_ ? std::optional<int64_t>(phase_start_) : std::nullopt;
  }

  // Checkpoint state (tensor/state_io.h): the step counters "global_step" and "n_calls", for a
  // cut phase its progress ("phase_start_step", "phase_count": absent at a phase boundary), and,
  // with save_replay, the buffer (object "replay"), each env's state ("envs", null when an env
  // cannot save one) and the observations acted on next ("env.obs"). Loaded without a saved
  // buffer, the envs restart fresh episodes on a stream of their own (SB3 starts with an empty
  // buffer when none is loaded).
  void state(StateIO& io);

 private:
  void reset_envs(uint64_t seed);
  // The "envs" part of state(); false when there is none (loading) or an env cannot save its
  // state (saving: "envs" is then null).
  bool envs_state(StateIO& io);
  // The row the buffer stores for row `i` of an observation batch, written into `floats` (its
  // index when one-hot, its encoding otherwise) or, for images, `pixels` (the env's bytes
  // channel first: no division by 255 to undo).
  ObsRow stored_row(const Tensor& batch, int64_t i, float* floats, uint8_t* pixels) const;

  std::string algo_;
  OffPolicyOptions options_;
  uint64_t seed_;
  std::unique_ptr<envs::VectorEnv> envs_;
  ObsEncoder encoder_;
  int64_t N_, D_;
  int64_t one_hot_;  // > 0 for Discrete observations (stored as indices)
  std::unique_ptr<ReplayBuffer> buffer_;
  Tensor obs_;
  std::vector<float> scratch_a_, scratch_b_;
  std::vector<uint8_t> pixels_a_, pixels_b_;  // images
  int64_t global_step_ = 0;
  int64_t n_calls_ = 0;
  // The phase in progress or last collected: its first env step (its env steps are those since)
  // and what train_freq counts (vector steps or episodes) so far.
  int64_t phase_start_ = 0;
  int64_t phase_count_ = 0;
  const std::atomic<bool>* stop_ = nullptr;
  bool phase_cut_ = false;  // the phase ended on *stop_ before train_freq: collect() continues it
  std::vector<uint8_t> done_;
};

// target <- tau * online + (1 - tau) * target for every parameter (SB3 polyak_update; tau = 1
// copies). Both modules must have the same architecture.
void polyak_update(const nn::Module& online, nn::Module& target, double tau);

}  // namespace rein::rl::internal
