// Trainer: the training workflow every algorithm shares. It resolves the settings into a
// RunConfig and the algorithm's config, builds the agent, then iterates until the step budget,
// logging metrics, evaluating and checkpointing on schedule, and stopping cleanly on request.
// It never prints: apps/ turns its hooks into a progress bar and tracker records.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "envs/env.h"
#include "rl/algorithm.h"
#include "rl/config.h"
#include "rl/evaluate.h"
#include "rl/metric_sink.h"
#include "rl/run_config.h"

namespace rein::rl {
namespace internal {
class UpdateMeans;
}

struct TrainProgress {
  int64_t step = 0;         // global env step
  int64_t total_steps = 0;  // RunConfig::total_timesteps
  double elapsed_seconds = 0.0;
  double steps_per_second = 0.0;      // since this process started training
  std::optional<double> mean_return;  // of the last 100 finished training episodes
  int64_t episodes = 0;               // finished training episodes
};

struct TrainHooks {
  std::function<void(const TrainProgress&)> on_progress;  // after every iteration
  std::function<void(const std::string& path, int64_t step)> on_checkpoint;
  std::function<void(const EvalResult&, int64_t step)> on_eval;
  // After every iteration, once its checkpoint and evaluation are done (not after the last).
  std::function<void(int64_t step)> after_iteration;
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT) to stop after the iteration
  // Also checkpoint after the first iteration that ends this many wall-clock seconds after the
  // previous checkpoint (or the start); 0: only checkpoint_every and the end. A safety net, so a
  // run killed with kill -9 can be resumed; it is not part of the config, since when it fires
  // depends on the machine (training itself does not change: saving draws no random numbers).
  double checkpoint_every_seconds = 0.0;
  // Also write the averaged update metrics and train/sps after the iteration that passes each
  // of these steps, whatever log_interval says: a driver that pauses runs at fixed steps (rein
  // sweep's rungs) reads from train/sps how far a run is.
  std::vector<int64_t> log_at;
};

struct TrainResult {
  bool interrupted = false;
  int64_t global_step = 0;
  std::optional<EvalResult> final_eval;  // absent when interrupted
  std::string last_checkpoint;           // empty if none was written
  double wall_seconds = 0.0;
};

// The settings a run starts from: the built-in preset of (algorithm, env) when rein has one.
Settings preset_settings(const std::string& algorithm, const std::string& env_id);

// Not thread-safe (hooks run on the training thread).
class Trainer {
 public:
  // Applies `settings` to RunConfig and the algorithm's config (unknown keys and bad values throw
  // rein::Error listing the valid keys), checks the env's action and observation spaces against
  // the algorithm's AlgorithmInfo, and builds the agent. Every user error is thrown here, before
  // any run is recorded, sizes too large for `memory_bytes` included (AgentSetup::memory_bytes:
  // networks and buffers together; 0: the machine's physical memory).
  Trainer(const std::string& algorithm, const std::string& env_id, const envs::Kwargs& env_kwargs,
          Settings settings, double memory_bytes = 0);
  // Continues the run saved in a checkpoint; `overrides` (e.g. total_timesteps) replace saved
  // params. A non-empty `env_id` (typed by the user) replaces the saved one; a checkpoint of a
  // scheme env ("remote://HOST:PORT") resumes only that way (rl/checkpoint.h).
  static Trainer resume(const std::string& checkpoint_path, const Settings& overrides = {},
                        const std::string& env_id = "");

  Trainer(Trainer&&) noexcept;
  Trainer& operator=(Trainer&&) noexcept;
  ~Trainer();

  const std::string& algorithm() const { return algorithm_; }
  const std::string& env_id() const { return env_id_; }
  const envs::Kwargs& env_kwargs() const { return env_kwargs_; }
  const RunConfig& run_config() const { return run_; }
  // All resolved params: RunConfig's, then the algorithm's (what the tracker and checkpoints get).
  std::vector<Param> params() const;
  Agent& agent() { return *agent_; }

  // Trains until total_timesteps (or hooks.stop). Agents' update metrics are averaged over
  // RunConfig::log_interval env steps and written, then train/sps, at the first step past each
  // multiple of it and at the end (metric::is_update_metric; episode and evaluation points are
  // written as they happen); the sums not yet written are part of every checkpoint. Checkpoints go
  // to checkpoint_dir/step-<N>.safetensors (none if checkpoint_dir is empty). At the end, unless
  // interrupted, evaluates eval_episodes deterministic episodes and logs eval/mean_return and
  // eval/std_return at the last step. On NonFiniteError it writes a checkpoint of the last good
  // model (the bad update is never applied) and rethrows; so it does (if the disk allows) when
  // sink.check() throws after an iteration, e.g. because the tracker's database refused a write.
  // Leftover temporary checkpoint files of killed writers in checkpoint_dir are removed first.
  TrainResult train(MetricSink& sink, const std::string& checkpoint_dir, const TrainHooks& hooks);

  // Writes a checkpoint now (the agent and the averaged metrics not yet written); returns its
  // path.
  std::string save_checkpoint(const std::string& checkpoint_dir);

 private:
  Trainer();
  std::string algorithm_;
  std::string env_id_;
  envs::Kwargs env_kwargs_;
  RunConfig run_;
  std::unique_ptr<Agent> agent_;
  std::unique_ptr<internal::UpdateMeans> update_means_;  // since the last point written
};

}  // namespace rein::rl
