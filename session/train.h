// session::train: one tracked training run, start to end, as `rein train` does it. Resolves the
// settings (the preset of algorithm and env, then the request's settings), builds or resumes the
// trainer, records the run in the tracker (a new run, or the resumed run continued in place),
// trains with checkpoints registered as artifacts, and stores the end state and summary. Every
// user error is thrown (rein::Error) before a run is recorded. The entry point for library users
// and language bindings; it never prints, and reports through the callbacks instead.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "envs/env.h"
#include "rl/config.h"
#include "rl/trainer.h"
#include "tracker/types.h"

namespace rein::session {

// What the run is once it is recorded, before training starts.
struct StartedRun {
  int64_t run_id = 0;
  std::string run_name;
  std::string algorithm;
  std::string env_id;  // as trained (a remote:// address for a remote env)
  int64_t total_timesteps = 0;
  int64_t n_envs = 0;
  int64_t seed = 0;
  int64_t start_step = 0;  // > 0 when resumed
  std::string checkpoint_dir;
};

// A file a run records beside its metrics (kind: tracker/artifact_kinds.h).
struct Artifact {
  std::string kind;
  std::string path;
};

struct TrainRequest {
  // What to train: an algorithm on an env, or `resume` (a run name or id in `db`, or a checkpoint
  // file) to continue from its newest checkpoint. With resume, a non-empty env_id replaces the
  // saved one (needed for remote://HOST:PORT) and algorithm is ignored.
  std::string algorithm;
  std::string env_id;
  envs::Kwargs env_kwargs;
  std::string resume;
  // Applied over the built-in preset of (algorithm, env) (a resumed run: over its saved params).
  rl::Settings settings;
  bool use_preset = true;
  // Env plug-in libraries loaded first and recorded (plugin.N params); a resumed run loads the
  // ones it recorded when this is empty.
  std::vector<std::string> plugins;

  // How the run is recorded.
  std::string db = "rein.db";
  std::string experiment = "default";
  std::string name;     // empty: generated
  std::string command;  // the command line, for reproduction
  std::vector<std::string> tags;
  std::vector<tracker::Param> extra_params;  // recorded beside the resolved settings

  // Checkpoints: default folder checkpoints/RUN beside the db (RUN.2, ... when it exists). Also
  // every checkpoint_minutes of wall time (0: off), so a killed run can be resumed; only the newest
  // keep_checkpoints files written by this call stay on disk (0: all).
  std::string checkpoint_dir;
  double checkpoint_minutes = 5.0;
  int64_t keep_checkpoints = 3;

  // Observation and control (all optional; called on the calling thread).
  std::function<void(const std::string&)> on_notice;  // "resuming ...", "dropped N points ..."
  std::function<void(const StartedRun&)> on_start;
  std::function<void(const rl::TrainProgress&)> on_progress;
  std::function<void(const rl::EvalResult&, int64_t step)> on_eval;
  const std::atomic<bool>* stop = nullptr;  // set (e.g. from a signal handler) to stop cleanly
  // Pauses for a driver that judges runs at fixed steps (`rein sweep`'s early stopping): after
  // the first iteration that passes any of `pause_at` (before the last), once everything logged
  // so far is committed to the tracker, on_pause(step) is called; training goes on when it
  // returns (stop is checked right after). Pausing changes nothing in the run: no random number
  // is drawn and nothing is saved.
  std::vector<int64_t> pause_at;
  std::function<void(int64_t step)> on_pause;

  // Extensions (both optional). on_trainer sees the built trainer before the run is recorded: what
  // it throws is a user error, and no run is recorded. after_iteration runs after each training
  // iteration with the agent; the artifacts it returns are registered with the run at that step
  // (`rein train --video-every` records its videos so).
  std::function<void(rl::Trainer&)> on_trainer;
  std::function<std::vector<Artifact>(rl::Agent&, const rl::TrainProgress&,
                                      const std::string& checkpoint_dir)>
      after_iteration;
};

struct TrainResult {
  int64_t run_id = 0;
  std::string run_name;
  int64_t start_step = 0;  // > 0 when resumed
  rl::TrainResult train;   // interrupted, global_step, final_eval, last_checkpoint, wall_seconds
};

// Trains and records one run. On a training error the run ends Failed, the notice names the last
// checkpoint (to resume from), and the error is rethrown.
TrainResult train(const TrainRequest& request);

// 100352 -> "100,352" (how step counts read in messages and progress lines).
std::string format_count(int64_t n);

// This process's arguments, argv[0] first, as the kernel recorded them.
std::vector<std::string> process_arguments();
// This process's command line as typed ("rein train ppo CartPole-v1 --seed 3"), for
// TrainRequest::command.
std::string process_command_line();

}  // namespace rein::session
