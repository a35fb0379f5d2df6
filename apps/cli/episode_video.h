// Episodes of an agent as video: `rein record` and `rein train --video-every` play the agent,
// render every frame (the reset frame, then one per step, as Gymnasium's RecordVideo) and
// encode them to one H.264 MP4 through rein_video.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "envs/env.h"
#include "rl/algorithm.h"

namespace rein::cli {

struct EpisodeVideoOptions {
  int64_t episodes = 1;
  uint64_t seed = 0;          // episode i resets with seed + i
  bool deterministic = true;  // argmax / mean action, as `rein eval`
  int fps = 0;                // 0: the env's own render fps (Gymnasium's metadata["render_fps"])
  // Episode cap for an env without a time limit, so a policy that loops cannot record forever.
  int64_t default_max_episode_steps = 10'000;
  std::function<void(int64_t episodes_done, double episode_return)> on_episode{};
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT): stop, and write no file
};

struct EpisodeVideo {
  int width = 0, height = 0, fps = 0;
  int64_t frames = 0;
  std::vector<double> returns;
  std::vector<int64_t> lengths;
};

// Writes `path` only when every episode was recorded (nothing is left behind on error).
// Throws rein::Error: episodes < 1, an env that cannot render frames, an unwritable path.
EpisodeVideo record_episodes(rl::Agent& agent, const std::string& env_id,
                             const envs::Kwargs& env_kwargs, const std::string& path,
                             const EpisodeVideoOptions& options);

// `rein train --video-every N`: after the training iteration that reaches each multiple of N
// env steps, one deterministic episode (always from the same seed, so videos of one run compare)
// as `<dir>/video-step-<step>.mp4`, a file beside the run's checkpoints.
class PeriodicVideo {
 public:
  // Throws rein::Error now, before any training, when every < 1 or the env cannot render.
  PeriodicVideo(int64_t every, std::string env_id, envs::Kwargs env_kwargs, uint64_t seed,
                int64_t start_step);
  // The video recorded into `dir` for `step`, or nullopt when no multiple of N was reached
  // since the last one.
  std::optional<std::string> maybe_record(rl::Agent& agent, int64_t step, const std::string& dir);

 private:
  int64_t every_;
  std::string env_id_;
  envs::Kwargs env_kwargs_;
  uint64_t seed_;
  int64_t next_;
};

}  // namespace rein::cli
