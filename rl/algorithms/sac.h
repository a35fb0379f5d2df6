// Soft Actor-Critic (Haarnoja et al. 2018, "Soft Actor-Critic Algorithms and Applications",
// arXiv:1812.05905), as Stable-Baselines3's SAC does it (v2.x sac.py and sac/policies.py, names
// and defaults): a tanh-squashed diagonal Gaussian actor with the log-probability correction,
// twin Q critics with Polyak-averaged target critics, the entropy coefficient fixed or learned
// toward a target entropy (-dim(A) by default), actions rescaled from [-1, 1] to the Box bounds,
// train_freq/gradient_steps on the shared off-policy core, and optionally gSDE exploration
// (use_sde; rl/internal/sac_actor.h). docs/algorithms/sac.md lists the details and the
// deviations.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rl/algorithm.h"
#include "rl/blocks/sde.h"
#include "rl/config.h"

namespace rein::rl {

// Defaults are Stable-Baselines3 SAC's (v2.x), so a zoo preset overrides exactly the keys the
// zoo lists.
struct SACConfig {
  double learning_rate = 3e-4;           // Adam step size of actor, critics and entropy coefficient
  bool anneal_lr = false;                // zoo "lin_X": decay linearly to 0 over the run
  int64_t buffer_size = 1'000'000;       // replay slots over all envs
  int64_t learning_starts = 100;         // env steps of uniform random actions before learning
  int64_t batch_size = 256;              // transitions per gradient step
  double tau = 0.005;                    // Polyak coefficient of the target critics
  double gamma = 0.99;                   // discount
  int64_t train_freq = 1;                // vector-env steps (or episodes) between training phases
  std::string train_freq_unit = "step";  // step | episode (zoo: train_freq: [1, "episode"])
  int64_t gradient_steps = 1;            // gradient steps per phase; -1: env steps collected
  std::string ent_coef = "auto";         // a number (fixed), "auto" or "auto_X" (learned, from X)
  std::string target_entropy = "auto";   // "auto": -dim(A); or a number
  int64_t target_update_interval = 1;    // gradient steps between target updates
  std::string net_arch = "256,256";      // hidden sizes, or "pi=[...], qf=[...]"
  std::string activation = "relu";       // relu | tanh | elu | gelu
  SdeConfig sde;                         // use_sde, sde_sample_freq, full_std, use_expln
  bool use_sde_at_warmup = false;        // gSDE actions instead of uniform before learning_starts
  double log_std_init = -3.0;            // initial log std of gSDE (used only with use_sde)
  double clip_mean = 2.0;                // gSDE: mean clipped to [-clip_mean, clip_mean]; 0: off
  bool save_replay = false;              // checkpoints include the replay buffer and env states

  std::vector<Field> fields();
  // Throws rein::Error naming the first field out of range.
  void validate() const;
};

// The registry entry: name "sac", action space Box.
AlgorithmInfo sac_algorithm();

std::unique_ptr<Agent> make_sac(const AgentSetup& setup, const SACConfig& config);

}  // namespace rein::rl
