// RolloutBuffer: plain arrays for the rollout, GAE, and minibatch gathering.
#include "rl/blocks/rollout_buffer.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "rl/blocks/gae.h"

namespace rein::rl {

RolloutBuffer::RolloutBuffer(int64_t num_steps, int64_t num_envs, int64_t obs_dim,
                             int64_t action_dim, bool discrete_actions)
    : T_(num_steps), N_(num_envs), D_(obs_dim), A_(action_dim), discrete_(discrete_actions) {
  const size_t n = static_cast<size_t>(T_ * N_);
  obs_.resize(n * static_cast<size_t>(D_));
  if (discrete_)
    disc_actions_.resize(n);
  else
    cont_actions_.resize(n * static_cast<size_t>(A_));
  log_probs_.resize(n);
  values_.resize(n);
  rewards_.resize(n);
  trunc_values_.resize(n);
  advantages_.resize(n);
  returns_.resize(n);
  dones_.resize(n);
  last_values_.resize(static_cast<size_t>(N_));
}

double RolloutBuffer::bytes(int64_t num_steps, int64_t num_envs, int64_t obs_dim,
                            int64_t action_dim, bool discrete_actions) {
  // Per row: the observation, the action (an int64 index or action_dim floats), six floats
  // (log_prob, value, reward, truncation value, advantage, return) and the done byte; then
  // num_envs last values.
  const double action = discrete_actions ? sizeof(int64_t) : 4.0 * static_cast<double>(action_dim);
  const double row = 4.0 * static_cast<double>(obs_dim) + action + 6 * sizeof(float) + 1;
  return static_cast<double>(num_steps) * static_cast<double>(num_envs) * row +
         4.0 * static_cast<double>(num_envs);
}

void RolloutBuffer::compute_returns_and_advantages(double gamma, double gae_lambda) {
  GaeInput in{.num_steps = T_,
              .num_envs = N_,
              .rewards = rewards_,
              .values = values_,
              .dones = dones_,
              .truncation_values = trunc_values_,
              .last_values = last_values_,
              .gamma = gamma,
              .gae_lambda = gae_lambda};
  compute_gae(in, advantages_, returns_);
}

double RolloutBuffer::explained_variance() const {
  return rl::explained_variance(returns_, values_);
}

double explained_variance(std::span<const float> returns, std::span<const float> values) {
  const size_t n = returns.size();
  double my = 0, md = 0;
  for (size_t k = 0; k < n; ++k) {
    my += returns[k];
    md += returns[k] - values[k];
  }
  my /= static_cast<double>(n);
  md /= static_cast<double>(n);
  double vy = 0, vd = 0;
  for (size_t k = 0; k < n; ++k) {
    vy += (returns[k] - my) * (returns[k] - my);
    double d = returns[k] - values[k] - md;
    vd += d * d;
  }
  if (vy == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return 1.0 - vd / vy;
}

void RolloutBuffer::gather(std::span<const int64_t> indices, Minibatch& out) const {
  const int64_t B = static_cast<int64_t>(indices.size());
  if (!out.obs.defined() || out.obs.size(0) != B) {
    out.obs = empty({B, D_});
    out.actions = discrete_ ? empty({B}, Dtype::Int64) : empty({B, A_});
    out.old_log_probs = empty({B});
    out.old_values = empty({B});
    out.advantages = empty({B});
    out.returns = empty({B});
  }
  float* obs = out.obs.data<float>();
  float* lp = out.old_log_probs.data<float>();
  float* val = out.old_values.data<float>();
  float* adv = out.advantages.data<float>();
  float* ret = out.returns.data<float>();
  for (int64_t b = 0; b < B; ++b) {
    const size_t k = static_cast<size_t>(indices[static_cast<size_t>(b)]);
    std::memcpy(obs + b * D_, obs_.data() + k * static_cast<size_t>(D_), sizeof(float) * D_);
    lp[b] = log_probs_[k];
    val[b] = values_[k];
    adv[b] = advantages_[k];
    ret[b] = returns_[k];
  }
  if (discrete_) {
    int64_t* a = out.actions.data<int64_t>();
    for (int64_t b = 0; b < B; ++b) a[b] = disc_actions_[static_cast<size_t>(indices[b])];
  } else {
    float* a = out.actions.data<float>();
    for (int64_t b = 0; b < B; ++b)
      std::memcpy(a + b * A_, cont_actions_.data() + indices[b] * A_, sizeof(float) * A_);
  }
}

}  // namespace rein::rl
