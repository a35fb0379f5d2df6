// RolloutBuffer: the (T, N) storage of one on-policy rollout (SB3's RolloutBuffer), its GAE
// advantages and returns, and minibatch gathering into preallocated tensors. Shared by the
// on-policy algorithms (PPO, A2C).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "tensor/tensor.h"

namespace rein::rl {

// One minibatch, rows gathered from the buffer. Tensors are allocated once per size and reused.
struct Minibatch {
  Tensor obs;            // (B, obs_dim) float32
  Tensor actions;        // (B) int64 (discrete) or (B, A) float32
  Tensor old_log_probs;  // (B)
  Tensor old_values;     // (B)
  Tensor advantages;     // (B)
  Tensor returns;        // (B)
};

// Not thread-safe. Row index k = t * num_envs + i.
class RolloutBuffer {
 public:
  RolloutBuffer(int64_t num_steps, int64_t num_envs, int64_t obs_dim, int64_t action_dim,
                bool discrete_actions);
  // The bytes a buffer of these sizes allocates (checked before building one).
  static double bytes(int64_t num_steps, int64_t num_envs, int64_t obs_dim, int64_t action_dim,
                      bool discrete_actions);

  int64_t num_steps() const { return T_; }
  int64_t num_envs() const { return N_; }
  int64_t size() const { return T_ * N_; }

  // Row pointers for step t (N rows each).
  float* obs(int64_t t) { return obs_.data() + t * N_ * D_; }
  float* continuous_actions(int64_t t) { return cont_actions_.data() + t * N_ * A_; }
  int64_t* discrete_actions(int64_t t) { return disc_actions_.data() + t * N_; }
  float* log_probs(int64_t t) { return log_probs_.data() + t * N_; }
  float* values(int64_t t) { return values_.data() + t * N_; }
  float* rewards(int64_t t) { return rewards_.data() + t * N_; }
  uint8_t* dones(int64_t t) { return dones_.data() + t * N_; }
  float* truncation_values(int64_t t) { return trunc_values_.data() + t * N_; }
  std::span<float> last_values() { return last_values_; }

  // GAE(lambda) over the stored rollout (rl/blocks/gae.h).
  void compute_returns_and_advantages(double gamma, double gae_lambda);
  std::span<const float> advantages() const { return advantages_; }
  std::span<const float> returns() const { return returns_; }
  std::span<const float> all_values() const { return values_; }
  std::span<const float> all_rewards() const { return rewards_; }

  // rl::explained_variance of the rollout's returns and values.
  double explained_variance() const;

  // Copies rows `indices` into `out` (resized when the minibatch size changes).
  void gather(std::span<const int64_t> indices, Minibatch& out) const;

 private:
  int64_t T_, N_, D_, A_;
  bool discrete_;
  std::vector<float> obs_, cont_actions_, log_probs_, values_, rewards_, trunc_values_;
  std::vector<float> advantages_, returns_, last_values_;
  std::vector<int64_t> disc_actions_;
  std::vector<uint8_t> dones_;
};

// 1 - Var[returns - values] / Var[returns], accumulated in double (SB3 explained_variance);
// NaN when the returns have zero variance. The spans have the same size.
double explained_variance(std::span<const float> returns, std::span<const float> values);

}  // namespace rein::rl
