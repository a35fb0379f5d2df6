// `rein train ALGO ENV`: gathers the user's settings (--config, --set, flags), trains through
// session::train (preset, trainer, tracked run), shows progress, stops cleanly on Ctrl-C, and
// prints the final evaluation. `--resume RUN` continues a run from its latest checkpoint.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <thread>

#include "apps/cli/child_processes.h"
#include "apps/cli/commands.h"
#include "apps/cli/env_args.h"
#include "apps/cli/episode_video.h"
#include "apps/cli/pause_signal.h"
#include "apps/cli/progress.h"
#include "apps/cli/text_table.h"
#include "apps/cli/train_seeds.h"
#include "base/error.h"
#include "rl/trainer.h"
#include "session/stop_signals.h"
#include "session/train.h"
#include "tracker/artifact_kinds.h"
#include "tracker/names.h"
#include "tracker/run_facts.h"

namespace rein::cli {
namespace {

struct TrainArgs {
  std::string algorithm, env_id, config_file, db = default_db(), name, resume, checkpoint_dir;
  std::string experiment = "default";
  std::vector<std::string> sets, env_args, tags, plugins;
  std::optional<int64_t> steps, seed, n_envs, threads, eval_episodes, eval_every, checkpoint_every,
      log_interval;
  double checkpoint_minutes = 5.0;  // wall-clock safety checkpoints (TrainHooks); 0: off
  int64_t keep_checkpoints = 3;     // checkpoint files of this process kept on disk; 0: all
  bool no_progress = false, no_preset = false;
  std::optional<std::string> seeds;  // --seeds LIST: one process per seed, tagged group:GROUP
  std::string group;
  std::optional<int64_t> jobs;    // seeds trained at once
  bool save_replay = false;       // off-policy: checkpoints carry the replay buffer (save_replay)
  int64_t video_every = 0;        // --video-every: env steps between recorded episodes; 0: none
  std::vector<int64_t> pause_at;  // --pause-at: wait for SIGUSR1 after passing each of these
  std::string command_line;
};

// The user's settings, later ones winning: --config, --set, then the flags (the session puts
// them over the preset).
rl::Settings build_settings(const TrainArgs& a) {
  rl::Settings s;
  if (!a.config_file.empty()) s.merge_toml_file(a.config_file);
  for (const std::string& kv : a.sets) s.set_assignment(kv, "--set");
  auto flag = [&](const std::optional<int64_t>& v, const char* key, const char* origin) {
    if (v) s.set(key, std::to_string(*v), origin);
  };
  flag(a.steps, "total_timesteps", "--steps");
  flag(a.seed, "seed", "--seed");
  flag(a.n_envs, "n_envs", "--n-envs");
  flag(a.threads, "threads", "--threads");
  flag(a.eval_episodes, "eval_episodes", "--eval-episodes");
  flag(a.eval_every, "eval_every", "--eval-every");
  flag(a.checkpoint_every, "checkpoint_every", "--checkpoint-every");
  flag(a.log_interval, "log_interval", "--log-interval");
  if (a.save_replay) s.set("save_replay", "true", "--save-replay");
  return s;
}

// The group id of a --seeds invocation when --group is not given: ALGO-ENV-YYYYmmdd-HHMMSS.
std::string default_group(const TrainArgs& a) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  std::string env = a.env_id;
  for (char& c : env)
    if (c == '/' || c == ':') c = '_';  // remote://HOST:PORT
  return str(a.algorithm, "-", env, "-", stamp);
}

void run_train_seeds(const TrainArgs& a) {
  if (!a.resume.empty())
    throw Error(
        "train: --seeds starts new runs and cannot be used with --resume (resume each "
        "seed's run on its own: rein train --resume RUN)");
  if (a.seed) throw Error("train: give either --seed N or --seeds LIST, not both");
  if (a.algorithm.empty() || a.env_id.empty())
    throw Error("train: ALGO and ENV are required (e.g. rein train ppo CartPole-v1 --seeds 1-5)");
  SeedsJob job;
  job.seeds = parse_seed_list(*a.seeds);
  const int64_t cores = std::max(1u, std::thread::hardware_concurrency());
  job.jobs = a.jobs.value_or(std::min<int64_t>(cores, static_cast<int64_t>(job.seeds.size())));
  check_jobs("train: --jobs", job.jobs);
  job.group = a.group.empty() ? default_group(a) : a.group;
  tracker::check_utf8("--group", job.group);
  job.name = a.name;
  job.db = a.db;
  job.progress = !a.no_progress;
  job.child_args = seed_child_arguments();
  const session::StopSignals signals;
  run_seeds(job, signals.flag());
}

void run_train(const TrainArgs& a) {
  if (a.seeds) return run_train_seeds(a);
  if (a.jobs) throw Error("train: --jobs N runs seeds in parallel; give it with --seeds LIST");
  session::TrainRequest r;
  r.algorithm = a.algorithm;
  r.env_id = a.env_id;
  r.resume = a.resume;
  r.settings = build_settings(a);
  r.use_preset = !a.no_preset;
  r.plugins = a.plugins;
  r.db = a.db;
  r.experiment = a.experiment;
  r.name = a.name;
  r.command = a.command_line;
  r.tags = a.tags;
  r.checkpoint_dir = a.checkpoint_dir;
  r.checkpoint_minutes = a.checkpoint_minutes;
  r.keep_checkpoints = a.keep_checkpoints;
  if (a.resume.empty()) r.env_kwargs = parse_env_args(a.env_args);

  ProgressDisplay progress(!a.no_progress);
  r.on_notice = [&](const std::string& text) {
    progress.finish();
    std::fprintf(stderr, "%s\n", text.c_str());
  };
  r.on_start = [&](const session::StartedRun& run) {
    std::fprintf(stderr, "run %s: %s on %s, %s steps, %lld env(s), seed %lld (db %s)\n",
                 run.run_name.c_str(), run.algorithm.c_str(), run.env_id.c_str(),
                 format_count(run.total_timesteps).c_str(), static_cast<long long>(run.n_envs),
                 static_cast<long long>(run.seed), a.db.c_str());
  };
  r.on_progress = [&](const rl::TrainProgress& p) { progress.update(p); };
  // --video-every: checked before the run is recorded (the env must render), then one episode
  // after the iteration that reaches each multiple of N steps, a "video" artifact of the run.
  std::optional<PeriodicVideo> videos;
  if (a.video_every != 0) {
    r.on_trainer = [&](rl::Trainer& trainer) {
      videos.emplace(a.video_every, trainer.env_id(), trainer.env_kwargs(),
                     static_cast<uint64_t>(trainer.run_config().seed) + 1'000'000,
                     trainer.agent().global_step());
    };
    r.after_iteration = [&](rl::Agent& agent, const rl::TrainProgress& p, const std::string& dir) {
      std::vector<session::Artifact> made;
      if (std::optional<std::string> video = videos->maybe_record(agent, p.step, dir)) {
        progress.finish();
        std::fprintf(stderr, "video at step %s: %s\n", format_count(p.step).c_str(),
                     video->c_str());
        made.push_back({tracker::kVideoArtifact, *video});
      }
      return made;
    };
  }
  r.on_eval = [&](const rl::EvalResult& ev, int64_t step) {
    progress.finish();
    std::fprintf(stderr, "eval at step %s: mean return %s +- %s over %zu episodes\n",
                 format_count(step).c_str(), format_fixed(ev.mean_return).c_str(),
                 format_fixed(ev.std_return).c_str(), ev.returns.size());
    if (!ev.warning.empty()) std::fprintf(stderr, "warning: %s\n", ev.warning.c_str());
  };
  session::TrainResult out;
  {
    const session::StopSignals signals;  // Ctrl-C: stop after the iteration, run interrupted
    r.stop = &signals.flag();
    const PauseSignal pause;
    r.pause_at = a.pause_at;
    r.on_pause = [&](int64_t) {
      progress.finish();
      pause.wait(signals.flag());
    };
    try {
      out = session::train(r);
    } catch (...) {
      progress.finish();
      throw;
    }
  }
  progress.finish();

  const rl::TrainResult& result = out.train;
  const double sps =
      result.wall_seconds > 0
          ? static_cast<double>(result.global_step - out.start_step) / result.wall_seconds
          : 0;
  const std::string& name = out.run_name;
  std::printf("run %s %s: %s steps in %s (%s steps/s)\n", name.c_str(),
              result.interrupted ? "interrupted" : "finished",
              format_count(result.global_step).c_str(),
              tracker::format_duration(result.wall_seconds).c_str(),
              format_count(std::llround(sps)).c_str());
  if (result.final_eval)
    std::printf("eval/mean_return %s +- %s over %zu episodes (deterministic policy)\n",
                format_fixed(result.final_eval->mean_return).c_str(),
                format_fixed(result.final_eval->std_return).c_str(),
                result.final_eval->returns.size());
  if (result.final_eval && result.final_eval->success_rate)
    std::printf("eval/success_rate %s\n",
                format_fixed(*result.final_eval->success_rate, 3).c_str());
  if (!result.last_checkpoint.empty())
    std::printf("checkpoint: %s\n", result.last_checkpoint.c_str());
  if (result.interrupted)
    std::printf("continue with: rein train --resume %s --db %s\n", name.c_str(), a.db.c_str());
  std::printf("see: rein runs show %s --db %s   |   rein dashboard --db %s\n", name.c_str(),
              a.db.c_str(), a.db.c_str());
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  a->command_line = session::process_command_line();
  CLI::App* cmd = app.add_subcommand("train", "Train an agent: rein train ALGO ENV [options]");
  cmd->add_option("algorithm", a->algorithm, "algorithm (listed below), e.g. ppo");
  cmd->add_option("env", a->env_id, "env id (see: rein envs list), e.g. CartPole-v1");
  cmd->add_option("--steps", a->steps,
                  "env steps to train for (total_timesteps); with --resume the new total, "
                  "counting the steps already done");
  cmd->add_option("--seed", a->seed, "random seed");
  cmd->add_option("--n-envs", a->n_envs, "envs stepped together");
  cmd->add_option("--config", a->config_file, "TOML file of key = value settings");
  cmd->add_option("--set", a->sets, "override a setting: key=value (repeatable)");
  cmd->add_option("--env-arg", a->env_args,
                  "env constructor argument key=value (repeatable); wrappers=\"...\" wraps the env "
                  "(e.g. \"ResizeObservation(shape=64x64), GrayscaleObservation(keep_dim=true)\")");
  cmd->add_option("--plugin", a->plugins,
                  "load env plug-in LIB.so first (repeatable; recorded, so eval and --resume "
                  "load it again)");
  cmd->add_option("--db", a->db,
                  "tracker database: a file, or postgresql://user@host[:port]/dbname")
      ->capture_default_str();
  cmd->add_option("--name", a->name, "run name (default: generated)");
  cmd->add_option("--experiment", a->experiment, "experiment the run belongs to")
      ->capture_default_str();
  cmd->add_option("--tag", a->tags, "tag the run (repeatable)");
  cmd->add_option("--threads", a->threads,
                  "worker threads: envs, and a second thread for DQN's targets and the critics of "
                  "sac, td3 and ddpg (results do not change)");
  cmd->add_option("--eval-episodes", a->eval_episodes, "episodes of the final evaluation (100)");
  cmd->add_option("--eval-every", a->eval_every, "env steps between evaluations (0: final only)");
  cmd->add_option("--checkpoint-every", a->checkpoint_every,
                  "env steps between checkpoints (0: at the end only)");
  cmd->add_option("--log-interval", a->log_interval,
                  "env steps over which losses, grad norm, learning rate and the other update "
                  "metrics are averaged into one point, written with train/sps at each multiple "
                  "(100; 0: every iteration); episode and eval points are written as they happen")
      ->type_name("N");
  cmd->add_option("--checkpoint-minutes", a->checkpoint_minutes,
                  "also checkpoint every M minutes of wall time, so a killed run can be resumed "
                  "(0: off)")
      ->capture_default_str();
  cmd->add_option("--keep-checkpoints", a->keep_checkpoints,
                  "keep only the newest N checkpoint files this run writes (0: all)")
      ->capture_default_str();
  cmd->add_option(
      "--checkpoint-dir", a->checkpoint_dir,
      "where checkpoints go (default: checkpoints/RUN beside the db; RUN.2, ... when a run of "
      "that name has the folder)");
  cmd->add_option("--resume", a->resume,
                  "continue a run (name, id or checkpoint file); ENV, if given, replaces the "
                  "saved env id (a remote:// id is never taken from the file)");
  cmd->add_option("--seeds", a->seeds,
                  "train one run per seed, as parallel processes: 1-10, 1,3,5 or 0-4,10; the "
                  "runs are tagged group:ID and a table with mean and std follows");
  cmd->add_option("--jobs", a->jobs, "with --seeds: seeds trained at once (default: one per core)");
  cmd->add_option("--group", a->group,
                  "with --seeds: the group id the runs are tagged with (default: "
                  "ALGO-ENV-DATE-TIME)");
  cmd->add_option("--video-every", a->video_every,
                  "record one deterministic evaluation episode as MP4 every N env steps, beside "
                  "the checkpoints (a \"video\" artifact: rein runs show lists it)")
      ->type_name("N");
  cmd->add_option("--pause-at", a->pause_at,
                  "after the iteration that passes each STEP, commit the metrics and wait for "
                  "SIGUSR1 before going on (for drivers that judge runs at fixed steps, as "
                  "rein sweep's early stopping does; the run trains exactly as without)")
      ->delimiter(',')
      ->type_name("STEP,...")
      ->check(CLI::PositiveNumber);
  cmd->add_flag(
      "--save-replay", a->save_replay,
      "checkpoints include the replay buffer, so --resume continues exactly (dqn, sac, td3, ddpg)");
  cmd->add_flag("--no-preset", a->no_preset, "ignore the built-in preset of ALGO and ENV");
  cmd->add_flag("--no-progress", a->no_progress, "no progress bar or progress lines");
  // Built when help is printed, from the registry (plug-in algorithms included).
  cmd->footer([] { return "Algorithms and the spaces they support:\n" + rl::algorithm_table(); });
  cmd->footer(
      "Settings apply in this order, later ones winning: the built-in preset of (ALGO, ENV)\n"
      "(rein presets show ALGO ENV), --config FILE, --set key=value, then the flags above.\n"
      "--resume RUN continues the run in place from its newest checkpoint (with its plug-ins);\n"
      "--steps is then the new total, counting the steps already done. A checkpoint is also\n"
      "written every --checkpoint-minutes of wall time, so a killed run can be resumed.\n"
      "--seeds 1-10 --jobs 4 trains the seeds as separate processes, four at a time, with one\n"
      "progress line; Ctrl-C stops them all cleanly (each run is then interrupted, resumable).");
  cmd->callback([a] { run_train(*a); });
}

}  // namespace rein::cli
