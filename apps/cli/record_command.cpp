// `rein record CHECKPOINT_OR_RUN -o FILE.mp4`: plays a trained agent and writes its episodes as
// H.264 video (apps/cli/episode_video.h), with a progress bar.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <numeric>

#include "apps/cli/commands.h"
#include "apps/cli/env_args.h"
#include "apps/cli/episode_video.h"
#include "apps/cli/progress.h"
#include "base/error.h"
#include "session/checkpoints.h"

namespace rein::cli {
namespace {

// Ctrl-C stops after the current frame; the unfinished video is removed, not left half-written.
std::atomic<bool> g_stop_recording{false};
void on_record_signal(int) { g_stop_recording = true; }

struct RecordArgs {
  std::string target, output, db = default_db(), env;
  std::vector<std::string> plugins, env_args;
  int64_t episodes = 1;
  int64_t seed = 0;
  int fps = 0;
  bool deterministic = false, stochastic = false, quiet = false;
};

void run_record(const RecordArgs& a) {
  if (a.episodes < 1) throw Error(str("record: --episodes must be at least 1, got ", a.episodes));
  if (a.fps < 0 || a.fps > 1000)
    throw Error(str("record: --fps must be 1 to 1000, or 0 for the env's own rate, got ", a.fps));
  session::PlayableAgent played = session::load_playable_agent(a.target, a.db, a.plugins, a.env);
  const rl::CheckpointInfo& info = played.info;
  const envs::Kwargs kwargs = parse_env_args(a.env_args, info.env_kwargs);

  ProgressDisplay progress(!a.quiet, stderr, "episode");
  const auto start = std::chrono::steady_clock::now();
  EpisodeVideoOptions o{.episodes = a.episodes,
                        .seed = static_cast<uint64_t>(a.seed),
                        .deterministic = !a.stochastic,
                        .fps = a.fps};
  double sum = 0.0;
  o.on_episode = [&](int64_t done, double ret) {
    sum += ret;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.update({.step = done,
                     .total_steps = a.episodes,
                     .elapsed_seconds = elapsed,
                     .steps_per_second = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0,
                     .mean_return = sum / static_cast<double>(done),
                     .episodes = done});
  };
  g_stop_recording = false;
  o.stop = &g_stop_recording;
  auto previous = std::signal(SIGINT, on_record_signal);
  auto previous_term = std::signal(SIGTERM, on_record_signal);
  EpisodeVideo v;
  try {
    v = record_episodes(*played.agent, info.env_id, kwargs, a.output, o);
  } catch (...) {
    std::signal(SIGINT, previous);
    std::signal(SIGTERM, previous_term);
    progress.finish();
    throw;
  }
  std::signal(SIGINT, previous);
  std::signal(SIGTERM, previous_term);
  progress.finish();
  const double mean = std::accumulate(v.returns.begin(), v.returns.end(), 0.0) /
                      static_cast<double>(v.returns.size());
  std::printf(
      "wrote %s: %s on %s, %zu episode%s (%s policy), %s frames, %dx%d at %d fps "
      "(%.1f s), mean return %.2f\n",
      a.output.c_str(), info.algorithm.c_str(), info.env_id.c_str(), v.returns.size(),
      v.returns.size() == 1 ? "" : "s", a.stochastic ? "stochastic" : "deterministic",
      format_count(v.frames).c_str(), v.width, v.height, v.fps,
      static_cast<double>(v.frames) / v.fps, mean);
}

}  // namespace

void add_record_command(CLI::App& app) {
  auto a = std::make_shared<RecordArgs>();
  CLI::App* cmd = app.add_subcommand("record",
                                     "Record a trained agent's episodes as H.264 MP4 video: rein "
                                     "record CHECKPOINT_OR_RUN -o FILE.mp4");
  cmd->add_option("checkpoint", a->target, "checkpoint file, or run name/id in --db")->required();
  cmd->add_option("-o,--output", a->output, "the video file to write (MP4, H.264)")->required();
  cmd->add_option("--episodes", a->episodes, "episodes to record, one after another in one video")
      ->capture_default_str();
  cmd->add_option("--seed", a->seed, "episode i resets with seed + i")->capture_default_str();
  cmd->add_option("--fps", a->fps,
                  "frames per second of the video (default: the env's own rate, "
                  "e.g. 50 for CartPole)");
  cmd->add_option("--env", a->env,
                  "play on this env id instead of the checkpoint's (needed for remote://)");
  cmd->add_option("--env-arg", a->env_args,
                  "env argument key=value over the checkpoint's (repeatable)")
      ->type_name("K=V");
  cmd->add_option("--db", a->db, "tracker database (to find a run's checkpoint)")
      ->capture_default_str();
  cmd->add_option("--plugin", a->plugins,
                  "load env plug-in LIB.so first (repeatable; default: the run's own plug-ins)");
  auto* det = cmd->add_flag("--deterministic", a->deterministic,
                            "play the most likely action (the default)");
  auto* sto = cmd->add_flag("--stochastic", a->stochastic, "sample actions from the policy");
  det->excludes(sto);
  cmd->add_flag("-q,--quiet", a->quiet, "no progress bar");
  cmd->footer(
      "Frames are the env's RGB rendering (the reset frame, then one per step), encoded as H.264\n"
      "(yuv420p) in an MP4 through FFmpeg's libraries. Envs without a time limit are cut at\n"
      "10,000 steps an episode (give --env-arg max_episode_steps=N to change it). The file\n"
      "appears only when every episode was recorded.");
  cmd->callback([a] { run_record(*a); });
}

}  // namespace rein::cli
