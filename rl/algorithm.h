// The algorithm interface every trainer in rl/ implements (Agent), and the registry that maps
// names like "ppo" to a factory and the action spaces the algorithm supports. The shared
// workflow (rl/trainer.h) drives any Agent: iterate until the step budget, evaluate, checkpoint.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envs/env.h"
#include "rl/config.h"
#include "rl/metric_sink.h"
#include "rl/run_config.h"
#include "tensor/state_io.h"
#include "tensor/tensor.h"

namespace rein::rl {

// What an agent is built from: the env to train on and the shared run settings.
struct AgentSetup {
  std::string env_id;
  envs::Kwargs env_kwargs;
  RunConfig run;
  // Bytes the agent's networks (with gradients and optimizer state) and buffers may take
  // together; 0: the machine's physical memory. Agents refuse larger sizes before allocating,
  // naming the settings to lower.
  double memory_bytes = 0;
  // Built only to act (rein eval, rein record, the agent view; load_acting_agent): no replay
  // buffer is allocated and none is read from the checkpoint, so an agent trained with a
  // buffer larger than this machine's memory still plays here. Such an agent cannot train.
  bool acting_only = false;
};

// A learning agent that owns its training envs, model, optimizer and statistics.
// Thread-safety: one thread at a time.
class Agent {
 public:
  virtual ~Agent() = default;

  // One iteration of collection and learning (PPO: a rollout of n_steps x n_envs and its
  // epochs). Logs the DESIGN.md metrics to `sink` at the global step. Throws NonFiniteError when
  // a loss or an observation is NaN/inf (the model is left as before the bad update).
  virtual void iterate(MetricSink& sink) = 0;
  // While set, `*stop` becoming true (Ctrl-C, SIGTERM) ends an iteration that is still
  // collecting, without its learning step: the trainer sets it for the length of train(). Agents
  // whose iterations are short ignore it; an off-policy phase of train_freq steps can be endless.
  virtual void set_stop_flag(const std::atomic<bool>* /*stop*/) {}
  // When the stop flag cut the last iteration (or a checkpoint of a cut one was loaded): the env
  // step at which that iteration began. The next iterate() finishes it, as if never cut; a cut
  // iteration logs nothing of its end (losses, epsilon). nullopt: the last iteration ended.
  virtual std::optional<int64_t> cut_iteration_start() const { return std::nullopt; }
  // Env steps taken so far (over all envs): the x-axis of every metric.
  virtual int64_t global_step() const = 0;

  // Actions for raw observations (B, *obs_shape) from the env: int64 (B) for Discrete, float32
  // (B, A) clipped to the bounds for Box. Observation normalisation (frozen) is applied inside.
  virtual Tensor predict(const Tensor& obs, bool deterministic) = 0;

  // The algorithm's resolved hyperparameters, by name (RunConfig's are added by the trainer).
  virtual std::vector<Param> params() = 0;

  // Checkpoint contents, declared once for saving and loading (tensor/state_io.h): named
  // tensors (weights, optimizer moments) and a JSON object with everything else (counters,
  // normaliser statistics, generator states). Loading checks every value and throws rein::Error
  // naming the field; state_name() prefixes those messages ("ppo checkpoint").
  virtual void state(StateIO& io) = 0;
  virtual std::string state_name() const { return "agent state"; }

  // state() saved: its tensors and its JSON text.
  std::vector<std::pair<std::string, Tensor>> state_tensors();
  std::string state_json();
  // state() loaded from what state_tensors()/state_json() gave.
  void load_state(const std::vector<std::pair<std::string, Tensor>>& tensors,
                  const std::string& json);
};

// Thrown when a loss, gradient or observation stops being finite.
class NonFiniteError : public Error {
 public:
  NonFiniteError(std::string metric, int64_t step, const std::string& message)
      : Error(message), metric_(std::move(metric)), step_(step) {}
  const std::string& metric() const { return metric_; }
  int64_t step() const { return step_; }

 private:
  std::string metric_;
  int64_t step_;
};

struct AlgorithmInfo {
  std::string name;     // "ppo"
  std::string summary;  // one line for `rein train --help` and error messages
  std::vector<envs::SpaceKind> action_spaces;  // the action spaces it can learn
  // The observation spaces it can learn from. The default is what rl/internal/obs_encoder.h
  // feeds a network (Box flattened, Discrete and MultiDiscrete one-hot); tabular agents narrow it.
  std::vector<envs::SpaceKind> observation_spaces = {
      envs::SpaceKind::Box, envs::SpaceKind::Discrete, envs::SpaceKind::MultiDiscrete};
  // Why the spaces are limited and what to use instead, appended to the space errors (optional):
  // "a Q-table needs finitely many states and actions, e.g. FrozenLake-v1, ...".
  std::string spaces_note;
  // Takes policy = "CnnPolicy" (NatureCNN features from image observations).
  bool cnn_policy = false;
  // The config fields with their defaults, as (name, value, type, help), for listings.
  std::function<std::vector<std::vector<std::string>>()> describe_config;
  // Builds an agent: applies `settings` to the algorithm's config (Settings::apply), validates
  // it, calls settings.finish() (the caller applied RunConfig's fields first), then makes the
  // envs and the model.
  std::function<std::unique_ptr<Agent>(const AgentSetup&, Settings&)> make;
};

// Adds an algorithm; throws rein::Error if the name is taken.
void register_algorithm(AlgorithmInfo info);
// Every registered algorithm (the built-ins register on first use), sorted by name.
std::vector<AlgorithmInfo> list_algorithms();
// One line per registered algorithm, for `rein train --help` and the unknown-algorithm error:
//   "  a2c             actions: Discrete, Box | observations: Box, Discrete, MultiDiscrete"
std::string algorithm_table();
// Throws: "train: unknown algorithm 'ppp' (did you mean 'ppo'? available: ppo, ...)" followed
// by "\nalgorithms and the spaces they support:\n" and algorithm_table().
AlgorithmInfo find_algorithm(std::string_view name);
// Throw unless the algorithm supports the space kind (the Trainer checks both before building an
// agent, so every algorithm refuses what its AlgorithmInfo does not list):
//   "train: ppo cannot handle the action space MultiDiscrete([3 2]) of Foo-v0 (supports: Discrete,
//   Box)" "train: qlearning cannot handle the observation space Box(...) of CartPole-v1 (supports:
//    Discrete; <spaces_note>)"
void check_action_space(const AlgorithmInfo& algo, const envs::Space& space,
                        std::string_view env_id);
// Image observations (uint8 Boxes) need policy "CnnPolicy" from an algorithm with
// cnn_policy; "CnnPolicy" needs image observations.
void check_observation_space(const AlgorithmInfo& algo, const envs::Space& space,
                             std::string_view env_id, std::string_view policy = "MlpPolicy");
// The `policy` setting: true for "CnnPolicy", false for "MlpPolicy"; throws rein::Error naming
// both for anything else.
bool is_cnn_policy(std::string_view policy);
const char* space_kind_name(envs::SpaceKind kind);

}  // namespace rein::rl
