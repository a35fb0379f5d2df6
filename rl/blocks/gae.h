// Generalized Advantage Estimation (Schulman et al. 2016, "High-Dimensional Continuous Control
// Using Generalized Advantage Estimation"), with the time-limit handling of Pardo et al. 2018
// ("Time Limits in Reinforcement Learning") as Stable-Baselines3 does it: a truncated episode is
// bootstrapped from the value of its final observation, a terminated one is not.
#pragma once

#include <cstdint>
#include <span>

namespace rein::rl {

// All arrays are (T, N) row-major: T steps of N envs; element t * N + i is env i at step t.
struct GaeInput {
  int64_t num_steps = 0;           // T
  int64_t num_envs = 0;            // N
  std::span<const float> rewards;  // r_t
  std::span<const float> values;   // V(s_t)
  // done_t: the episode ended at step t (terminated or truncated); s_{t+1} belongs to a new one.
  std::span<const uint8_t> dones;
  // V(final observation) where the episode was truncated at step t, else 0 (ignored where
  // !dones): the bootstrap term of a time limit.
  std::span<const float> truncation_values;
  std::span<const float> last_values;  // (N): V(s_T), the observation after the last step
  double gamma = 0.99;
  double gae_lambda = 0.95;
};

// Writes advantages A_t and returns (A_t + V(s_t)), both (T, N):
//   next_t  = dones_t ? truncation_values_t : V(s_{t+1})      (V(s_T) = last_values)
//   delta_t = r_t + gamma * next_t - V(s_t)
//   A_t     = delta_t + gamma * lambda * (1 - dones_t) * A_{t+1}
// Throws rein::Error if a span's size does not match T * N (or N).
void compute_gae(const GaeInput& in, std::span<float> advantages, std::span<float> returns);

}  // namespace rein::rl
