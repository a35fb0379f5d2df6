// EpisodeLimit: time limit plus episode statistics with restorable counters.
#include "rl/internal/dqn_episode.h"

#include <string>

#include "envs/registry.h"

namespace rein::rl::internal {

EpisodeLimit::EpisodeLimit(std::unique_ptr<envs::Env> env, std::optional<int64_t> max_episode_steps)
    : Wrapper(std::move(env)), max_episode_steps_(max_episode_steps) {}

envs::ResetResult EpisodeLimit::reset(std::optional<uint64_t> seed, const envs::Kwargs& options) {
  counters_ = {};
  return env_->reset(seed, options);
}

envs::StepResult EpisodeLimit::step(const envs::Action& action) {
  envs::StepResult r = env_->step(action);
  ++counters_.elapsed_steps;
  counters_.episode_return += r.reward;
  const bool truncated =
      r.truncated || (max_episode_steps_ && counters_.elapsed_steps >= *max_episode_steps_);
  if (!r.terminated && !truncated) return r;
  info_out_ = r.info;
  info_out_.set("episode_return", counters_.episode_return);
  info_out_.set("episode_length", static_cast<double>(counters_.elapsed_steps));
  return {r.obs, r.reward, r.terminated, truncated, info_out_};
}

std::optional<int64_t> episode_limit_of(const std::string& env_id, const envs::Kwargs& kwargs) {
  if (auto it = kwargs.find("max_episode_steps"); it != kwargs.end()) {
    if (it->second == "0" || it->second == "none") return std::nullopt;
    try {
      const int64_t n = std::stoll(it->second);
      if (n >= 1) return n;
    } catch (const std::exception&) {
    }
    throw Error(str("dqn: max_episode_steps must be >= 1 (or 0/none for no limit), got '",
                    it->second, "'"));
  }
  return envs::registry().spec(env_id).max_episode_steps;
}

envs::Kwargs without_time_limit(const envs::Kwargs& kwargs) {
  envs::Kwargs out = kwargs;
  out.erase("max_episode_steps");
  out.emplace("max_episode_steps", std::string(1, '0'));  // make(): 0 disables the limit
  return out;
}

}  // namespace rein::rl::internal
