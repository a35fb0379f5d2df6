// gSDE settings (see rl/blocks/sde.h).
#include "rl/blocks/sde.h"

#include "base/error.h"

namespace rein::rl {

void SdeConfig::add_fields(std::vector<Field>& fields, bool with_squash_output) {
  fields.push_back({"use_sde", &use_sde, "gSDE: state-dependent exploration (Box actions)"});
  fields.push_back({"sde_sample_freq", &sde_sample_freq,
                    "gSDE: redraw the noise matrices every N steps (<= 0: once per rollout)"});
  fields.push_back({"full_std", &full_std, "gSDE: one std per latent feature and action"});
  fields.push_back({"use_expln", &use_expln, "gSDE: expln instead of exp for the std"});
  if (with_squash_output)
    fields.push_back({"squash_output", &squash_output, "gSDE: tanh-squash actions to the bounds"});
}

void SdeConfig::validate(const char* algo) const {
  if (use_sde) return;
  auto refuse = [algo](bool set, const char* key) {
    if (set)
      throw Error(str(algo, ": ", key, " applies only with use_sde = true (set use_sde = true ",
                      "for state-dependent exploration, or drop ", key, ")"));
  };
  refuse(sde_sample_freq != -1, "sde_sample_freq");
  refuse(!full_std, "full_std");
  refuse(use_expln, "use_expln");
  refuse(squash_output, "squash_output");
}

std::optional<distributions::StateDependentNoiseOptions> SdeConfig::options() const {
  if (!use_sde) return std::nullopt;
  return distributions::StateDependentNoiseOptions{.full_std = full_std,
                                                   .use_expln = use_expln,
                                                   .squash_output = squash_output,
                                                   .learn_features = false};
}

}  // namespace rein::rl
