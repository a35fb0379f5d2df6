// Pieces the policy-gradient agents without clipping (A2C, REINFORCE) share: the training vector
// env, Box action clamping, finiteness checks, the fast L2 gradient clip, and the checkpoint JSON
// of a VecNormalize. PPO keeps its own copies (its numbers are pinned by its tests).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "autograd/var.h"
#include "envs/vector_env.h"
#include "rl/algorithm.h"
#include "rl/vec_normalize.h"

namespace rein::rl::internal {

// setup.run.n_envs copies of the env, each wrapped in RecordEpisodeStatistics (final_info then
// carries episode_return / episode_length); threaded when setup.run.threads > 1.
std::unique_ptr<envs::VectorEnv> make_train_envs(const AgentSetup& setup);

bool all_finite(const float* p, int64_t n);

// Clamps rows of A floats to [low_j, high_j] in place (SB3 clips Box actions before env.step).
void clamp_rows(float* actions, int64_t rows, const std::vector<double>& low,
                const std::vector<double>& high);

// torch.nn.utils.clip_grad_norm_ for the L2 norm (double accumulation in parameter order, factor
// max_norm / (norm + 1e-6)); squares with a * a instead of std::pow. Returns the norm before
// clipping. max_norm <= 0 only measures the norm.
double clip_grad_norm_l2(const std::vector<Var>& params, double max_norm);

// VecNormalize statistics <-> JSON (obs_rms, ret_rms, running_returns), as PPO's checkpoints.
void save_normalizer(VecNormalize& norm, nlohmann::json& j);
// Throws rein::Error (prefixed with `what`) when a statistic's size does not match.
void load_normalizer(const nlohmann::json& j, VecNormalize& norm, const char* what);

}  // namespace rein::rl::internal
