// evaluate(): runs an agent's policy for a number of episodes on fresh copies of its env and
// reports the returns (SB3 evaluate_policy: raw rewards, episodes spread over a few envs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "envs/env.h"
#include "rl/algorithm.h"

namespace rein::rl {

struct EvalResult {
  std::vector<double> returns;  // one per episode, in completion order
  std::vector<int64_t> lengths;
  double mean_return = 0.0;
  double std_return = 0.0;  // population std (numpy's np.std, as SB3 logs it)
  // Share of episodes that succeeded, for envs that define success (see episode_succeeded);
  // absent for the others.
  std::optional<double> success_rate;
  // Episodes cut at EvalOptions::default_max_episode_steps because the env has no time limit
  // (counted as truncated, their partial returns included), and, when there are any, a warning
  // for the user naming the env and the cure. Empty when every episode ended by itself.
  int64_t cut_episodes = 0;
  std::string warning;
};

// Whether an episode that just ended succeeded, or nullopt when the env defines no success.
// The rules are explicit, never guessed from the reward:
//   - an "is_success" number in the final step's info (SB3's convention; plug-ins can set it):
//     success iff it is non-zero;
//   - FrozenLake (FrozenLake-v1, FrozenLake8x8-v1, any desc): success iff the episode terminated
//     on the goal cell 'G' (Gymnasium's reward 1 with the default reward_schedule).
// `env` is the env that ran the episode, `final_obs` its last observation.
std::optional<bool> episode_succeeded(const envs::Env& env, const envs::Info& final_info,
                                      const Tensor& final_obs, bool terminated);

struct EvalOptions {
  int64_t episodes = 100;
  uint64_t seed = 0;          // env i of the evaluation is reset with seed + i
  bool deterministic = true;  // argmax / mean action
  int64_t max_parallel = 8;   // envs stepped together (each runs its share of the episodes)
  // Episode cap for an env without a time limit (no max_episode_steps, e.g. CliffWalking-v1, as
  // in Gymnasium): evaluation wraps it in a TimeLimit of this many steps, so a deterministic
  // policy that loops cannot hang it (SB3's evaluate_policy would). Envs that have a limit, or
  // are given max_episode_steps in the kwargs (even "none"), are evaluated untouched. 0: no cap.
  int64_t default_max_episode_steps = 100'000;
};

// Throws rein::Error if episodes < 1, default_max_episode_steps < 0 or the env cannot be made.
EvalResult evaluate(Agent& agent, const std::string& env_id, const envs::Kwargs& env_kwargs,
                    const EvalOptions& options);

}  // namespace rein::rl
