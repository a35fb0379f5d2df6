// VecNormalize: observation and reward normalisation across a vector of envs, with the semantics
// of Stable-Baselines3's VecNormalize (statistics shared by all envs, clipping, rewards scaled by
// the running std of the discounted return). The zoo presets were tuned with it; Gymnasium's
// per-env NormalizeObservation keeps one statistic per env and would not reproduce them.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "envs/wrappers.h"

namespace rein::rl {

struct VecNormalizeOptions {
  bool normalize_obs = false;
  bool normalize_reward = false;
  double clip_obs = 10.0;
  double clip_reward = 10.0;
  double gamma = 0.99;    // discount of the return whose std scales rewards
  double epsilon = 1e-8;  // SB3 default
};

// Not thread-safe. Observations are float32 rows of obs_dim values.
class VecNormalize {
 public:
  VecNormalize(int64_t num_envs, int64_t obs_dim, VecNormalizeOptions options);

  // Updates the observation statistics with `batch` (rows x obs_dim) when training.
  void update_obs(std::span<const float> batch);
  // (x - mean) / sqrt(var + eps), clipped; in == out allowed. Identity when normalize_obs is off.
  void normalize_obs(std::span<const float> in, std::span<float> out) const;
  // Scales rewards in place (one per env) and updates the return statistics when training;
  // `dones` resets the running return of envs whose episode ended.
  void normalize_rewards(std::span<float> rewards, std::span<const uint8_t> dones);

  void set_training(bool training) { training_ = training; }
  const VecNormalizeOptions& options() const { return options_; }
  envs::RunningMeanStd& obs_rms() { return obs_rms_; }
  envs::RunningMeanStd& ret_rms() { return ret_rms_; }
  std::vector<double>& running_returns() { return returns_; }
  // Checkpoint state (tensor/state_io.h): "obs_rms", "ret_rms" and "running_returns" (one per
  // env: a checkpoint of another n_envs leaves them as they are).
  void state(StateIO& io);

 private:
  VecNormalizeOptions options_;
  int64_t obs_dim_;
  bool training_ = true;
  envs::RunningMeanStd obs_rms_;
  envs::RunningMeanStd ret_rms_{1};
  std::vector<double> returns_;  // (num_envs) discounted running return
  std::vector<double> scratch_mean_, scratch_var_;
};

}  // namespace rein::rl
