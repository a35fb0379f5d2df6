// The gSDE settings of the algorithms with a Gaussian policy (PPO, A2C and SAC), with
// Stable-Baselines3's names and defaults: use_sde, sde_sample_freq and the policy keywords
// full_std, use_expln, squash_output (PPO and A2C; SAC's actions are always squashed). The
// distribution itself is rein::distributions::StateDependentNoise (autograd/distributions.h);
// docs/algorithms/gsde.md explains the method.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "autograd/distributions.h"
#include "rl/config.h"

namespace rein::rl {

struct SdeConfig {
  bool use_sde = false;          // state-dependent exploration instead of a diagonal Gaussian
  int64_t sde_sample_freq = -1;  // redraw the exploration matrices every N steps; <= 0: only at
                                 // the start of each rollout
  bool full_std = true;          // one std per (latent feature, action) pair, else per feature
  bool use_expln = false;        // expln instead of exp keeps the std from growing too fast
  bool squash_output = false;    // tanh-squash actions, then rescale to the Box bounds

  // Appends the fields (names as above) to an algorithm's field list; squash_output only when
  // `with_squash_output` (SAC squashes always, as SB3's SAC has no such option).
  void add_fields(std::vector<Field>& fields, bool with_squash_output = true);
  // Throws rein::Error "<algo>: sde_sample_freq applies only with use_sde = true ..." when a gSDE
  // option is set without use_sde (it would silently do nothing).
  void validate(const char* algo) const;
  // The distribution's options when use_sde (latent features detached, as SB3's on-policy
  // algorithms), else nullopt.
  std::optional<distributions::StateDependentNoiseOptions> options() const;
};

}  // namespace rein::rl
