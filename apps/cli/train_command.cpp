// `rein train ALGO ENV`: resolves settings (preset, --config, --set, flags), builds the trainer,
// records the run in the tracker, shows progress, stops cleanly on Ctrl-C, and prints the final
// evaluation. `--resume RUN` continues a run from its latest checkpoint.
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <deque>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "apps/cli/commands.h"
#include "apps/cli/env_args.h"
#include "apps/cli/episode_video.h"
#include "apps/cli/progress.h"
#include "apps/cli/run_checkpoints.h"
#include "apps/version.h"
#include "envs/plugin.h"
#include "envs/remote/remote_env.h"
#include "rl/trainer.h"
#include "tracker/names.h"
#include "tracker/run_facts.h"
#include "tracker/run_writer.h"
#include "tracker/store.h"

namespace rein::cli {
namespace {

std::atomic<bool> g_stop{false};

// Ctrl-C and SIGTERM (kill, systemd, a batch scheduler) both stop after the iteration and
// leave the run interrupted, with a checkpoint.
extern "C" void on_stop_signal(int sig) {
  g_stop.store(true);
  std::signal(sig, SIG_DFL);  // a second one kills at once
}

// rl::MetricSink -> tracker::RunWriter, with interned metric keys.
class TrackerSink final : public rl::MetricSink {
 public:
  explicit TrackerSink(tracker::RunWriter& writer) : writer_(writer) {}
  void log(int64_t step, std::string_view name, double value) override {
    auto it = keys_.find(std::string(name));
    if (it == keys_.end()) it = keys_.emplace(std::string(name), writer_.key(name)).first;
    writer_.log(it->second, step, value);
  }
  void check() override { writer_.check(); }

 private:
  tracker::RunWriter& writer_;
  std::unordered_map<std::string, tracker::MetricKey> keys_;
};

struct TrainArgs {
  std::string algorithm, env_id, config_file, db = default_db(), name, resume, checkpoint_dir;
  std::string experiment = "default";
  std::vector<std::string> sets, env_args, tags, plugins;
  std::optional<int64_t> steps, seed, n_envs, threads, eval_episodes, eval_every, checkpoint_every;
  double checkpoint_minutes = 5.0;  // wall-clock safety checkpoints (TrainHooks); 0: off
  int64_t keep_checkpoints = 3;     // checkpoint files of this process kept on disk; 0: all
  bool no_progress = false, no_preset = false;
  bool save_replay = false;  // DQN: checkpoints carry the replay buffer (DQNConfig::save_replay)
  int64_t video_every = 0;   // --video-every: env steps between recorded episodes; 0: none
  std::string command_line;
};

// The env a remote://HOST:PORT id serves, as its server names it in the handshake (one short
// connection); any other id is itself. It picks the preset, names the run and fills the env column.
std::string served_env_id(const std::string& env_id, const envs::Kwargs& kwargs) {
  if (!envs::remote::is_remote_id(env_id)) return env_id;
  envs::remote::RemoteEnv probe(envs::remote::parse_url(env_id),
                                envs::remote::client_options(kwargs));
  return probe.welcome().env_id.empty() ? env_id : probe.welcome().env_id;
}

rl::Settings build_settings(const TrainArgs& a, bool with_preset, const std::string& preset_env) {
  rl::Settings s;
  if (with_preset && !a.no_preset) s = rl::preset_settings(a.algorithm, preset_env);
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
  if (a.save_replay) s.set("save_replay", "true", "--save-replay");
  return s;
}

std::string fixed(double v, int digits = 2) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

void run_train(const TrainArgs& a) {
  // Everything a user can get wrong is checked here, before a run is recorded.
  std::vector<std::string> plugins = a.plugins;  // recorded as plugin.N; a resumed run's own
  std::optional<rl::Trainer> trainer;
  std::string resumed_from;
  std::optional<int64_t> resumed_run;  // the run --resume continues in place
  std::string served_env;               // differs from the env id for remote://HOST:PORT
  if (!a.resume.empty()) {
    ResolvedCheckpoint ck = resolve_checkpoint(a.resume, a.db);
    load_plugins(a.plugins, ck);
    if (plugins.empty()) plugins = ck.plugins;
    resumed_from = ck.run_name.empty() ? ck.path : ck.run_name;
    resumed_run = ck.run_id;
    // ENV given with --resume replaces the saved env id (needed for remote://HOST:PORT).
    trainer.emplace(rl::Trainer::resume(ck.path, build_settings(a, false, ""), a.env_id));
    const int64_t done = trainer->agent().global_step();
    const int64_t total = trainer->run_config().total_timesteps;
    if (done >= total) {
      // Nothing to train: say so before the run is reopened (and its later points dropped).
      const std::string who = ck.run_name.empty() ? ck.path : ck.run_name;
      throw Error(str("train --resume: ", who, " already trained ", format_count(done),
                      " of its ", format_count(total), " steps. --steps is the new total, "
                      "counting the steps done: to train ", format_count(total),
                      " more, run: rein train --resume ", who, " --steps ", total + done));
    }
    std::fprintf(stderr, "resuming %s from %s (step %s)\n",
                 ck.run_name.empty() ? "checkpoint" : ck.run_name.c_str(), ck.path.c_str(),
                 format_count(trainer->agent().global_step()).c_str());
  } else {
    for (const std::string& lib : plugins) envs::load_plugin(lib);
    if (a.algorithm.empty() || a.env_id.empty())
      throw Error("train: ALGO and ENV are required (e.g. rein train ppo CartPole-v1), or --resume RUN");
    const envs::Kwargs kwargs = parse_env_args(a.env_args);
    served_env = served_env_id(a.env_id, kwargs);
    trainer.emplace(a.algorithm, a.env_id, kwargs, build_settings(a, true, served_env));
  }
  const rl::RunConfig& run = trainer->run_config();

  tracker::RunSpec spec;
  spec.experiment = a.experiment;
  spec.name = a.name;
  spec.algorithm = trainer->algorithm();
  spec.env = served_env.empty() ? trainer->env_id() : served_env;
  spec.seed = run.seed;
  spec.command = a.command_line;
  spec.rein_version = REIN_VERSION;
  spec.tags = a.tags;
  for (const auto& [k, v] : trainer->params())
    spec.params.push_back({k, tracker::parse_param_value(v)});
  if (spec.env != trainer->env_id()) spec.params.push_back({"env.address", trainer->env_id()});
  for (const auto& [k, v] : trainer->env_kwargs())
    spec.params.push_back({"env." + k, tracker::parse_param_value(v)});
  for (size_t i = 0; i < plugins.size(); ++i)
    spec.params.push_back({"plugin." + std::to_string(i), plugin_record_path(plugins[i])});
  if (!resumed_from.empty()) {
    spec.params.push_back({"resumed_at_step", trainer->agent().global_step()});
    spec.tags.push_back("resumed");
  }
  // --video-every: checked now (the env must render), recorded from the progress hook below.
  std::optional<PeriodicVideo> videos;
  if (a.video_every != 0) {
    videos.emplace(a.video_every, trainer->env_id(), trainer->env_kwargs(),
                   static_cast<uint64_t>(run.seed) + 1'000'000, trainer->agent().global_step());
  }
  // Checkpoint paths are stored in the tracker: one it would refuse must fail now, not after
  // training. The default folder adds only the run name, which the tracker checks itself.
  // (absolute() of the db first: `--db rein.db` has an empty parent path.)
  tracker::check_utf8("--checkpoint-dir",
                      !a.checkpoint_dir.empty()
                          ? std::filesystem::absolute(a.checkpoint_dir).string()
                          : std::filesystem::absolute(a.db).parent_path().string());
  std::optional<tracker::RunWriter> opened;
  if (resumed_run) {
    // The same run continues: points it logged after the checkpoint's step are dropped, since
    // training repeats those steps (docs/TRACKER.md, "Resuming a run"). Params are written
    // again, so a changed total_timesteps shows; the name, start time and command stay.
    opened.emplace(a.db, tracker::ReopenSpec{.run_id = *resumed_run,
                                             .truncate_after_step = trainer->agent().global_step()});
    for (const tracker::Param& p : spec.params) opened->log_param(p.key, p.value);
    for (const std::string& t : spec.tags) opened->add_tag(t);
    if (opened->dropped_points() > 0)
      std::fprintf(stderr, "dropped %s points of run %s logged after step %s\n",
                   format_count(static_cast<int64_t>(opened->dropped_points())).c_str(),
                   opened->run_name().c_str(), format_count(trainer->agent().global_step()).c_str());
  } else {
    // A checkpoint file no run in --db records: the continuation is a new run naming its origin.
    if (!resumed_from.empty()) spec.params.push_back({"resumed_from", resumed_from});
    opened.emplace(a.db, spec);
  }
  tracker::RunWriter& writer = *opened;
  TrackerSink sink(writer);
  const std::string ckpt_dir = !a.checkpoint_dir.empty()
                                   ? a.checkpoint_dir
                                   : tracker::run_checkpoint_dir(a.db, writer.run_name());

  std::fprintf(stderr, "run %s: %s on %s, %s steps, %lld env(s), seed %lld (db %s)\n",
               writer.run_name().c_str(), trainer->algorithm().c_str(),
               trainer->env_id().c_str(), format_count(run.total_timesteps).c_str(),
               static_cast<long long>(run.n_envs), static_cast<long long>(run.seed),
               a.db.c_str());

  ProgressDisplay progress(!a.no_progress);
  rl::TrainHooks hooks;
  hooks.stop = &g_stop;
  hooks.on_progress = [&](const rl::TrainProgress& p) {
    progress.update(p);
    if (!videos) return;
    if (std::optional<std::string> video = videos->maybe_record(trainer->agent(), p.step, ckpt_dir)) {
      writer.add_artifact("video", *video, p.step);
      progress.finish();
      std::fprintf(stderr, "video at step %s: %s\n", format_count(p.step).c_str(), video->c_str());
    }
  };
  hooks.checkpoint_every_seconds = a.checkpoint_minutes * 60.0;
  std::string last_checkpoint;  // named when the run fails, to resume from
  std::deque<std::string> written;  // this process's checkpoint files, oldest first
  hooks.on_checkpoint = [&](const std::string& path, int64_t step) {
    last_checkpoint = std::filesystem::absolute(path).string();
    writer.add_artifact("checkpoint", last_checkpoint, step);
    // Bounded disk: only the newest --keep-checkpoints files stay (their artifact rows of older
    // ones read as "file missing"; `rein runs gc` drops them).
    written.push_back(last_checkpoint);
    while (a.keep_checkpoints > 0 && written.size() > static_cast<size_t>(a.keep_checkpoints)) {
      std::error_code ec;
      std::filesystem::remove(written.front(), ec);
      written.pop_front();
    }
  };
  hooks.on_eval = [&](const rl::EvalResult& ev, int64_t step) {
    progress.finish();
    std::fprintf(stderr, "eval at step %s: mean return %s +- %s over %zu episodes\n",
                 format_count(step).c_str(), fixed(ev.mean_return).c_str(),
                 fixed(ev.std_return).c_str(), ev.returns.size());
    if (!ev.warning.empty()) std::fprintf(stderr, "warning: %s\n", ev.warning.c_str());
  };

  const int64_t start_step = trainer->agent().global_step();  // > 0 when resumed
  g_stop = false;
  auto previous = std::signal(SIGINT, on_stop_signal);
  auto previous_term = std::signal(SIGTERM, on_stop_signal);
  rl::TrainResult result;
  try {
    result = trainer->train(sink, ckpt_dir, hooks);
  } catch (const std::exception& e) {
    std::signal(SIGINT, previous);
    std::signal(SIGTERM, previous_term);
    progress.finish();
    try {
      writer.finish(tracker::RunStatus::Failed, e.what());
    } catch (const std::exception&) {
      // The database may be what failed: report the training error, not this one.
    }
    if (!last_checkpoint.empty()) std::fprintf(stderr, "checkpoint: %s\n", last_checkpoint.c_str());
    throw;
  }
  std::signal(SIGINT, previous);
  std::signal(SIGTERM, previous_term);
  progress.finish();

  nlohmann::json summary;
  summary["global_step"] = result.global_step;
  summary["wall_seconds"] = result.wall_seconds;
  summary["checkpoint"] = result.last_checkpoint;
  if (result.final_eval) {
    summary["eval_mean_return"] = result.final_eval->mean_return;
    summary["eval_std_return"] = result.final_eval->std_return;
    summary["eval_episodes"] = result.final_eval->returns.size();
  }
  writer.set_summary(summary.dump());
  writer.finish(result.interrupted ? tracker::RunStatus::Interrupted
                                   : tracker::RunStatus::Finished);

  const double sps = result.wall_seconds > 0
                         ? static_cast<double>(result.global_step - start_step) / result.wall_seconds
                         : 0;
  std::printf("run %s %s: %s steps in %s (%s steps/s)\n", writer.run_name().c_str(),
              result.interrupted ? "interrupted" : "finished",
              format_count(result.global_step).c_str(),
              tracker::format_duration(result.wall_seconds).c_str(),
              format_count(std::llround(sps)).c_str());
  if (result.final_eval)
    std::printf("eval/mean_return %s +- %s over %zu episodes (deterministic policy)\n",
                fixed(result.final_eval->mean_return).c_str(),
                fixed(result.final_eval->std_return).c_str(), result.final_eval->returns.size());
  if (result.final_eval && result.final_eval->success_rate)
    std::printf("eval/success_rate %s\n", fixed(*result.final_eval->success_rate, 3).c_str());
  if (!result.last_checkpoint.empty())
    std::printf("checkpoint: %s\n", result.last_checkpoint.c_str());
  if (result.interrupted)
    std::printf("continue with: rein train --resume %s --db %s\n", writer.run_name().c_str(),
                a.db.c_str());
  std::printf("see: rein runs show %s --db %s   |   rein dashboard --db %s\n",
              writer.run_name().c_str(), a.db.c_str(), a.db.c_str());
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  a->command_line = process_command_line();
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
  cmd->add_option("--env-arg", a->env_args, "env constructor argument key=value (repeatable)");
  cmd->add_option("--plugin", a->plugins,
                  "load env plug-in LIB.so first (repeatable; recorded, so eval and --resume "
                  "load it again)");
  cmd->add_option("--db", a->db, "tracker database")->capture_default_str();
  cmd->add_option("--name", a->name, "run name (default: generated)");
  cmd->add_option("--experiment", a->experiment, "experiment the run belongs to")
      ->capture_default_str();
  cmd->add_option("--tag", a->tags, "tag the run (repeatable)");
  cmd->add_option("--threads", a->threads, "worker threads for the envs (results do not change)");
  cmd->add_option("--eval-episodes", a->eval_episodes, "episodes of the final evaluation (100)");
  cmd->add_option("--eval-every", a->eval_every, "env steps between evaluations (0: final only)");
  cmd->add_option("--checkpoint-every", a->checkpoint_every,
                  "env steps between checkpoints (0: at the end only)");
  cmd->add_option("--checkpoint-minutes", a->checkpoint_minutes,
                  "also checkpoint every M minutes of wall time, so a killed run can be resumed "
                  "(0: off)")
      ->capture_default_str();
  cmd->add_option("--keep-checkpoints", a->keep_checkpoints,
                  "keep only the newest N checkpoint files this run writes (0: all)")
      ->capture_default_str();
  cmd->add_option("--checkpoint-dir", a->checkpoint_dir,
                  "where checkpoints go (default: checkpoints/RUN beside the db)");
  cmd->add_option("--resume", a->resume,
                  "continue a run (name, id or checkpoint file); ENV, if given, replaces the "
                  "saved env id (a remote:// id is never taken from the file)");
  cmd->add_option("--video-every", a->video_every,
                  "record one deterministic evaluation episode as MP4 every N env steps, beside "
                  "the checkpoints (a \"video\" artifact: rein runs show lists it)")
      ->type_name("N");
  cmd->add_flag("--save-replay", a->save_replay,
                "checkpoints include the replay buffer, so --resume continues exactly (dqn)");
  cmd->add_flag("--no-preset", a->no_preset, "ignore the built-in preset of ALGO and ENV");
  cmd->add_flag("--no-progress", a->no_progress, "no progress bar or progress lines");
  // Built when help is printed, from the registry (plug-in algorithms included).
  cmd->footer([] { return "Algorithms and the spaces they support:\n" + rl::algorithm_table(); });
  cmd->footer(
      "Settings apply in this order, later ones winning: the built-in preset of (ALGO, ENV)\n"
      "(rein presets show ALGO ENV), --config FILE, --set key=value, then the flags above.\n"
      "--resume RUN continues the run in place from its newest checkpoint (with its plug-ins);\n"
      "--steps is then the new total, counting the steps already done. A checkpoint is also\n"
      "written every --checkpoint-minutes of wall time, so a killed run can be resumed.");
  cmd->callback([a] { run_train(*a); });
}

}  // namespace rein::cli
