// Episodes of an agent as video: `rein record` and `rein train --video-every` play the agent,
// render every frame (the reset frame, then one per step, as Gymnasium's RecordVideo) and
// encode them to one H.264 MP4 through rein_video.
#pragma once

#include <cstdint>
#include <functional>
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
};

struct EpisodeVideo {
  int width = 0, height = 0, fps = 0;
  int64_t frames = 0;
  std::vector<double> returns;
  std::vector<int64_t> lengths;
};

// Writes `path` only when every episode was recorded (nothing is left behind on error).
// Throws rein::Error: episodes < 1, an env that cannot render frames, an unwritable path.
EpisodeVideo record_episodes(rl::Agent& agent, const std::string& env_id, const envs::Kwargs& env_kwargs,
                             const std::string& path, const EpisodeVideoOptions& options);

}  // namespace rein::cli
