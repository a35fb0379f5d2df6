// GAE(lambda) over a (T, N) rollout, accumulated in double and stored as float32.
#include "rl/blocks/gae.h"

#include <vector>

#include "base/error.h"

namespace rein::rl {

void compute_gae(const GaeInput& in, std::span<float> advantages, std::span<float> returns) {
  const int64_t T = in.num_steps, N = in.num_envs;
  const size_t TN = static_cast<size_t>(T * N);
  auto check = [&](size_t got, size_t want, const char* what) {
    if (got != want)
      throw Error(str("compute_gae: ", what, " has ", got, " elements, expected ", want, " (T=", T,
                      ", N=", N, ")"));
  };
  check(in.rewards.size(), TN, "rewards");
  check(in.values.size(), TN, "values");
  check(in.dones.size(), TN, "dones");
  check(in.truncation_values.size(), TN, "truncation_values");
  check(in.last_values.size(), static_cast<size_t>(N), "last_values");
  check(advantages.size(), TN, "advantages");
  check(returns.size(), TN, "returns");

  std::vector<double> running(static_cast<size_t>(N), 0.0);  // A_{t+1} per env
  for (int64_t t = T - 1; t >= 0; --t) {
    for (int64_t i = 0; i < N; ++i) {
      const size_t k = static_cast<size_t>(t * N + i);
      const bool done = in.dones[k] != 0;
      double next;
      if (done) {
        next = in.truncation_values[k];
      } else {
        next = t + 1 < T ? in.values[k + static_cast<size_t>(N)] : in.last_values[i];
      }
      const double delta = in.rewards[k] + in.gamma * next - in.values[k];
      const double a = delta + (done ? 0.0 : in.gamma * in.gae_lambda * running[i]);
      running[i] = a;
      advantages[k] = static_cast<float>(a);
      returns[k] = static_cast<float>(a + in.values[k]);
    }
  }
}

}  // namespace rein::rl
