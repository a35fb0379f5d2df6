// EpisodeLimit: the time limit and episode statistics of a DQN training env, in one wrapper
// whose counters can be saved and restored. envs' TimeLimit and RecordEpisodeStatistics keep
// theirs private, and a run resumed with its replay buffer (--save-replay) must continue the
// episodes it was in: same step count to the limit, same return so far.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "envs/wrappers.h"

namespace rein::rl::internal {

// truncated = true on the max_episode_steps-th step since reset (as envs::TimeLimit); on the
// step that ends an episode, info gains "episode_return" and "episode_length" (as
// envs::RecordEpisodeStatistics). Thread-safety: one thread at a time.
class EpisodeLimit : public envs::Wrapper {
 public:
  EpisodeLimit(std::unique_ptr<envs::Env> env, std::optional<int64_t> max_episode_steps);
  envs::ResetResult reset(std::optional<uint64_t> seed = std::nullopt,
                          const envs::Kwargs& options = {}) override;
  envs::StepResult step(const envs::Action& action) override;

  struct Counters {
    int64_t elapsed_steps = 0;
    double episode_return = 0.0;
  };
  Counters counters() const { return counters_; }
  void set_counters(const Counters& c) { counters_ = c; }

 private:
  std::optional<int64_t> max_episode_steps_;
  Counters counters_;
  envs::Info info_out_;
};

// The time limit make() would apply to `env_id` with `kwargs` (their "max_episode_steps" wins:
// "0"/"none" means none), and the kwargs without it for make(), with the limit disabled.
std::optional<int64_t> episode_limit_of(const std::string& env_id, const envs::Kwargs& kwargs);
envs::Kwargs without_time_limit(const envs::Kwargs& kwargs);

}  // namespace rein::rl::internal
