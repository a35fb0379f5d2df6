// session::train: settings -> trainer -> tracked run -> end state.
#include "session/train.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <variant>

#include "base/error.h"
#include "envs/plugin.h"
#include "envs/remote/remote_env.h"
#include "session/checkpoints.h"
#include "session/tracked_run.h"
#include "tracker/names.h"

namespace rein::session {
namespace {

// The env a remote://HOST:PORT id serves, as its server names it in the handshake (one short
// connection); any other id is itself. It picks the preset, names the run and fills the env column.
std::string served_env_id(const std::string& env_id, const envs::Kwargs& kwargs) {
  if (!envs::remote::is_remote_id(env_id)) return env_id;
  envs::remote::RemoteEnv probe(envs::remote::parse_url(env_id),
                                envs::remote::client_options(kwargs));
  return probe.welcome().env_id.empty() ? env_id : probe.welcome().env_id;
}

void notice(const TrainRequest& r, const std::string& text) {
  if (r.on_notice) r.on_notice(text);
}

// The trainer a request names, checked before anything is recorded.
struct Prepared {
  std::optional<rl::Trainer> trainer;
  std::vector<std::string> plugins;    // recorded as plugin.N
  std::string resumed_from;            // run name or checkpoint file; empty for a new run
  std::optional<int64_t> resumed_run;  // the run that continues in place
  std::string resumed_file;            // the checkpoint file it continues from
  std::string served_env;              // differs from the env id for remote://HOST:PORT
};

Prepared prepare(const TrainRequest& r) {
  Prepared p;
  p.plugins = r.plugins;
  if (!r.resume.empty()) {
    ResolvedCheckpoint ck = resolve_checkpoint(r.resume, r.db);
    load_plugins(r.plugins, ck);
    if (p.plugins.empty()) p.plugins = ck.plugins;
    const std::string who = ck.run_name.empty() ? ck.path : ck.run_name;
    p.resumed_from = who;
    p.resumed_run = ck.run_id;
    p.resumed_file = ck.path;
    p.trainer.emplace(rl::Trainer::resume(ck.path, r.settings, r.env_id));
    const int64_t done = p.trainer->agent().global_step();
    const int64_t total = p.trainer->run_config().total_timesteps;
    // A checkpoint of a collect phase a stop cut past the total still has that phase to finish.
    if (done >= total && !p.trainer->agent().cut_iteration_start()) {
      // Nothing to train: say so before the run is reopened (and its later points dropped).
      throw Error(str("train --resume: ", who, " already trained ", format_count(done), " of its ",
                      format_count(total),
                      " steps. --steps is the new total, "
                      "counting the steps done: to train ",
                      format_count(total), " more, run: rein train --resume ", who, " --steps ",
                      total + done));
    }
    notice(r, str("resuming ", ck.run_name.empty() ? "checkpoint" : ck.run_name, " from ", ck.path,
                  " (step ", format_count(done), ")"));
    return p;
  }
  for (const std::string& lib : p.plugins) envs::load_plugin(lib);
  if (r.algorithm.empty() || r.env_id.empty())
    throw Error(
        "train: ALGO and ENV are required (e.g. rein train ppo CartPole-v1), or --resume RUN");
  p.served_env = served_env_id(r.env_id, r.env_kwargs);
  rl::Settings settings;
  if (r.use_preset) settings = rl::preset_settings(r.algorithm, p.served_env);
  settings.merge(r.settings);
  p.trainer.emplace(r.algorithm, r.env_id, r.env_kwargs, std::move(settings));
  return p;
}

tracker::RunSpec run_spec(const TrainRequest& r, Prepared& p) {
  rl::Trainer& trainer = *p.trainer;
  tracker::RunSpec spec;
  spec.experiment = r.experiment;
  spec.name = r.name;
  spec.algorithm = trainer.algorithm();
  spec.env = p.served_env.empty() ? trainer.env_id() : p.served_env;
  spec.seed = trainer.run_config().seed;
  spec.command = r.command;
  spec.rein_version = REIN_SESSION_VERSION;
  spec.tags = r.tags;
  // Typed as the config declares them (never guessed from text: net_arch "64" is a string).
  for (const rl::Param& p : trainer.params())
    spec.params.push_back(
        {p.key, std::visit([](const auto& v) { return tracker::ParamValue(v); }, p.value)});
  if (spec.env != trainer.env_id()) spec.params.push_back({"env.address", trainer.env_id()});
  for (const auto& [k, v] : trainer.env_kwargs())
    spec.params.push_back({"env." + k, tracker::parse_param_value(v)});
  for (size_t i = 0; i < p.plugins.size(); ++i)
    spec.params.push_back({"plugin." + std::to_string(i), plugin_record_path(p.plugins[i])});
  spec.params.insert(spec.params.end(), r.extra_params.begin(), r.extra_params.end());
  if (!p.resumed_from.empty()) {
    spec.params.push_back({"resumed_at_step", trainer.agent().global_step()});
    spec.tags.push_back("resumed");
    // A checkpoint file no run in the db records: the continuation is a new run naming its origin.
    if (!p.resumed_run) spec.params.push_back({"resumed_from", p.resumed_from});
  }
  return spec;
}

// Where the run's checkpoints go: --checkpoint-dir as given; for a run continued in place, the
// folder of the checkpoint it continues from; for a new run, checkpoints/NAME beside the
// database, or NAME.2, NAME.3, ... when that folder exists. Another run of the same name (names
// may repeat in a database, and two databases in one folder both have a run 1) must never write
// over its files, so a new run takes only a folder it has just created itself.
std::string checkpoint_folder(const TrainRequest& r, const Prepared& p, const std::string& name) {
  namespace fs = std::filesystem;
  if (!r.checkpoint_dir.empty()) return r.checkpoint_dir;
  if (p.resumed_run) return fs::path(p.resumed_file).parent_path().string();
  const std::string first = tracker::run_checkpoint_dir(r.db, name);
  std::error_code ec;
  fs::create_directories(fs::path(first).parent_path(), ec);
  for (int k = 1; k <= 1000; ++k) {
    const std::string dir = k == 1 ? first : str(first, ".", k);
    if (fs::create_directory(dir, ec)) return dir;
    // Neither made nor there (checked without throwing: the parent may be unreadable): the
    // folder cannot be written.
    if (std::error_code missing; !fs::exists(dir, missing)) {
      throw Error(str("cannot create the checkpoint folder '", dir, "': ", ec.message(),
                      " (give a writable --checkpoint-dir)"));
    }
  }
  throw Error(str("1000 checkpoint folders named '", first,
                  "[.N]' exist already; give another --name or a --checkpoint-dir"));
}

}  // namespace

TrainResult train(const TrainRequest& r) {
  Prepared p = prepare(r);
  rl::Trainer& trainer = *p.trainer;
  if (r.on_trainer) r.on_trainer(trainer);
  const tracker::RunSpec spec = run_spec(r, p);
  // Checkpoint paths are stored in the tracker: one it would refuse must fail now, not after
  // training. The default folder adds only the run name, which the tracker checks itself.
  // (absolute() of the db first: `--db rein.db` has an empty parent path.)
  tracker::check_utf8("--checkpoint-dir", !r.checkpoint_dir.empty()
                                              ? std::filesystem::absolute(r.checkpoint_dir).string()
                                              : tracker::database_folder(r.db));
  const int64_t start_step = trainer.agent().global_step();
  std::unique_ptr<TrackedRun> run =
      p.resumed_run ? std::make_unique<TrackedRun>(r.db, *p.resumed_run, start_step, spec)
                    : std::make_unique<TrackedRun>(r.db, spec);
  if (run->dropped_points() > 0)
    notice(r, str("dropped ", format_count(static_cast<int64_t>(run->dropped_points())),
                  " points of run ", run->name(), " logged after step ", format_count(start_step)));
  const std::string ckpt_dir = checkpoint_folder(r, p, run->name());
  const rl::RunConfig& config = trainer.run_config();
  if (r.on_start)
    r.on_start({run->id(), run->name(), trainer.algorithm(), trainer.env_id(),
                config.total_timesteps, config.n_envs, config.seed, start_step, ckpt_dir});

  rl::TrainHooks hooks;
  hooks.stop = r.stop;
  hooks.on_progress = [&](const rl::TrainProgress& progress) {
    if (r.on_progress) r.on_progress(progress);
    if (!r.after_iteration) return;
    for (const Artifact& a : r.after_iteration(trainer.agent(), progress, ckpt_dir))
      run->writer().add_artifact(a.kind, std::filesystem::absolute(a.path).string(), progress.step);
  };
  hooks.on_eval = r.on_eval;
  int64_t previous_step = start_step;
  hooks.after_iteration = [&](int64_t step) {
    const bool passed = std::any_of(r.pause_at.begin(), r.pause_at.end(),
                                    [&](int64_t at) { return previous_step < at && at <= step; });
    previous_step = step;
    if (!passed || !r.on_pause) return;
    run->writer().flush();  // the driver judges from the tracker: what is logged must be there
    r.on_pause(step);
  };
  hooks.checkpoint_every_seconds = r.checkpoint_minutes * 60.0;
  hooks.log_at = r.pause_at;  // the driver sees a paused run's step in its train/sps
  hooks.on_checkpoint = [&](const std::string& path, int64_t step) {
    run->add_checkpoint(path, step, r.keep_checkpoints);
  };
  TrainResult out{run->id(), run->name(), start_step, {}};
  try {
    out.train = trainer.train(run->sink(), ckpt_dir, hooks);
  } catch (const std::exception& e) {
    run->fail(e.what());
    if (!run->last_checkpoint().empty()) notice(r, "checkpoint: " + run->last_checkpoint());
    throw;
  }
  run->finish(out.train);
  return out;
}

std::string format_count(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::vector<std::string> process_arguments() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> out;
  size_t start = 0;
  while (start < raw.size()) {
    size_t end = raw.find('\0', start);
    if (end == std::string::npos) end = raw.size();
    out.push_back(raw.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string process_command_line() {
  std::vector<std::string> args = process_arguments();
  if (args.empty()) return "rein";
  args[0] = std::filesystem::path(args[0]).filename().string();
  std::string out;
  for (std::string& arg : args) {
    if (arg.find_first_of(" \t\"'") != std::string::npos) arg = "'" + arg + "'";
    out += (out.empty() ? "" : " ") + arg;
  }
  return out;
}

}  // namespace rein::session
