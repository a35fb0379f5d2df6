// RunConfig: the settings every algorithm's training run shares (length, seed, vector env size,
// normalisation, evaluation and checkpoint cadence). Algorithm-specific hyperparameters live in
// the algorithm's own config (e.g. PPOConfig); both are filled by the same Settings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rl/config.h"

namespace rein::rl {

struct RunConfig {
  int64_t total_timesteps = 1'000'000;  // env steps to train for (zoo: n_timesteps)
  int64_t seed = 0;                     // seeds the envs, the initial weights and all sampling
  int64_t n_envs = 1;                   // envs stepped together (SB3 default 1; presets set it)
  // SB3 VecNormalize: running mean/std of observations shared by all envs, clipped to clip_obs.
  bool normalize_obs = false;
  // SB3 VecNormalize: rewards divided by the std of the discounted return, clipped.
  bool normalize_reward = false;
  double clip_obs = 10.0;        // VecNormalize default
  double clip_reward = 10.0;     // VecNormalize default
  int64_t eval_episodes = 100;   // episodes of the final (and periodic) deterministic evaluation
  int64_t eval_every = 0;        // env steps between periodic evaluations; 0 = final only
  int64_t checkpoint_every = 0;  // env steps between checkpoints; 0 = at the end only
  // Env steps between the points of update metrics (losses, grad norm, learning rate, ...): each
  // is averaged over the interval and written when the global step passes a multiple of it.
  // Episode and evaluation points are written as they happen. 0: every iteration, unaveraged.
  int64_t log_interval = 100;
  int64_t threads = 1;  // env worker threads; > 1 also a training thread (dqn, sac, td3)
  // The zoo's env_wrapper and frame_stack: wrappers around every env (make()'s "wrappers"
  // syntax, innermost first) and then FrameStackObservation(frame_stack) when > 0. Both end
  // up in the env arguments as "wrappers", so evaluation, checkpoints and videos see them.
  std::string env_wrapper;
  int64_t frame_stack = 0;

  std::vector<Field> fields() {
    return {
        {"total_timesteps", &total_timesteps, "env steps to train for"},
        {"seed", &seed, "seeds envs, initial weights and sampling"},
        {"n_envs", &n_envs, "number of envs stepped together"},
        {"normalize_obs", &normalize_obs, "running mean/std normalisation of observations"},
        {"normalize_reward", &normalize_reward, "scale rewards by the discounted-return std"},
        {"clip_obs", &clip_obs, "bound on normalised observations"},
        {"clip_reward", &clip_reward, "bound on normalised rewards"},
        {"eval_episodes", &eval_episodes, "episodes of each deterministic evaluation"},
        {"eval_every", &eval_every, "env steps between evaluations (0: final only)"},
        {"checkpoint_every", &checkpoint_every, "env steps between checkpoints (0: at the end)"},
        {"log_interval", &log_interval,
         "env steps over which update metrics are averaged into one point (0: every iteration)"},
        {"threads", &threads, "worker threads for envs and training (results do not depend on it)"},
        {"env_wrapper", &env_wrapper,
         "wrappers around each env, e.g. \"ResizeObservation(shape=64x64), "
         "GrayscaleObservation(keep_dim=true)\""},
        {"frame_stack", &frame_stack, "observations stacked by FrameStackObservation (0: none)"},
    };
  }
  // Throws rein::Error naming the first field out of range.
  void validate() const;
  // make()'s "wrappers" argument for env_wrapper and frame_stack ("" when neither is set).
  std::string wrappers() const;
};

}  // namespace rein::rl
