// VecNormalize (SB3 stable_baselines3/common/vec_env/vec_normalize.py semantics).
#include "rl/blocks/vec_normalize.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"

namespace rein::rl {

VecNormalize::VecNormalize(int64_t num_envs, int64_t obs_dim, VecNormalizeOptions options)
    : options_(options),
      obs_dim_(obs_dim),
      obs_rms_(obs_dim),
      returns_(static_cast<size_t>(num_envs), 0.0),
      scratch_mean_(static_cast<size_t>(obs_dim)),
      scratch_var_(static_cast<size_t>(obs_dim)) {}

void VecNormalize::update_obs(std::span<const float> batch) {
  if (!options_.normalize_obs || !training_) return;
  const size_t d = static_cast<size_t>(obs_dim_);
  const size_t rows = batch.size() / d;
  if (rows == 0) return;
  // Batch moments (population variance, as numpy's var in SB3's RunningMeanStd.update).
  for (size_t j = 0; j < d; ++j) {
    double m = 0.0;
    for (size_t r = 0; r < rows; ++r) m += batch[r * d + j];
    m /= static_cast<double>(rows);
    double v = 0.0;
    for (size_t r = 0; r < rows; ++r) {
      double x = batch[r * d + j] - m;
      v += x * x;
    }
    scratch_mean_[j] = m;
    scratch_var_[j] = v / static_cast<double>(rows);
  }
  obs_rms_.update_from_moments(scratch_mean_.data(), scratch_var_.data(),
                               static_cast<double>(rows));
}

void VecNormalize::normalize_obs(std::span<const float> in, std::span<float> out) const {
  REIN_ASSERT(in.size() == out.size());
  if (!options_.normalize_obs) {
    if (in.data() != out.data()) std::copy(in.begin(), in.end(), out.begin());
    return;
  }
  const size_t d = static_cast<size_t>(obs_dim_);
  const double clip = options_.clip_obs;
  for (size_t k = 0; k < in.size(); ++k) {
    const size_t j = k % d;
    double x = (in[k] - obs_rms_.mean[j]) / std::sqrt(obs_rms_.var[j] + options_.epsilon);
    out[k] = static_cast<float>(std::clamp(x, -clip, clip));
  }
}

void VecNormalize::normalize_rewards(std::span<float> rewards, std::span<const uint8_t> dones) {
  if (!options_.normalize_reward) return;
  REIN_ASSERT(rewards.size() == returns_.size() && dones.size() == returns_.size());
  const size_t n = returns_.size();
  if (training_) {
    double m = 0.0, v = 0.0;
    for (size_t i = 0; i < n; ++i) {
      returns_[i] = returns_[i] * options_.gamma + rewards[i];
      m += returns_[i];
    }
    m /= static_cast<double>(n);
    for (size_t i = 0; i < n; ++i) v += (returns_[i] - m) * (returns_[i] - m);
    v /= static_cast<double>(n);
    ret_rms_.update_from_moments(&m, &v, static_cast<double>(n));
  }
  const double scale = 1.0 / std::sqrt(ret_rms_.var[0] + options_.epsilon);
  for (size_t i = 0; i < n; ++i) {
    double r = rewards[i] * scale;
    rewards[i] = static_cast<float>(std::clamp(r, -options_.clip_reward, options_.clip_reward));
    if (dones[i]) returns_[i] = 0.0;
  }
}

void VecNormalize::state(StateIO& io) {
  io.object("obs_rms", obs_rms_);
  io.object("ret_rms", ret_rms_);
  std::vector<double> returns = returns_;
  io.numbers("running_returns", returns, std::nullopt);
  if (returns.size() == returns_.size()) returns_ = std::move(returns);
}

}  // namespace rein::rl
