// Advantage Actor-Critic, the synchronous variant of A3C (Mnih et al. 2016, "Asynchronous Methods
// for Deep Reinforcement Learning", arXiv:1602.01783), implemented as Stable-Baselines3's A2C
// (stable_baselines3/a2c/a2c.py, v2.x): vectorised n-step rollouts, n-step returns bootstrapped
// from V(s_{t+n}) (GAE with lambda = 1 by default; lambda < 1 is SB3's option), one gradient step
// per rollout on policy loss + ent_coef * entropy loss + vf_coef * value loss, global gradient
// clipping, RMSprop (alpha 0.99, eps 1e-5) as the paper and SB3, time-limit bootstrapping, SB3
// VecNormalize. Discrete and Box actions. docs/algorithms/a2c.md lists the details.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rl/algorithm.h"
#include "rl/blocks/sde.h"
#include "rl/config.h"

namespace rein::rl {

// Defaults are Stable-Baselines3 A2C's (v2.x), so a zoo preset overrides exactly the keys the zoo
// lists.
struct A2CConfig {
  int64_t n_steps = 5;               // steps per env per update (rollout = n_steps * n_envs)
  double learning_rate = 7e-4;       // optimizer step size (initial value when annealed)
  bool anneal_lr = false;            // zoo "lin_X": decay linearly to 0 over the run
  double gamma = 0.99;               // discount
  double gae_lambda = 1.0;           // 1: plain n-step returns (A2C); < 1: GAE(lambda)
  double ent_coef = 0.0;             // entropy bonus weight
  double vf_coef = 0.5;              // value loss weight
  double max_grad_norm = 0.5;        // global gradient-norm clip
  bool normalize_advantage = false;  // standardise the rollout's advantages
  bool use_rms_prop = true;          // RMSprop (alpha 0.99) as SB3; false: Adam
  double rms_prop_eps = 1e-5;        // epsilon of RMSprop (or Adam), SB3's value
  // MlpPolicy, or CnnPolicy: NatureCNN features of image observations shared by actor and
  // critic (SB3 CnnPolicy); without net_arch given, no hidden layers follow the CNN.
  std::string policy = "MlpPolicy";
  std::string net_arch = "64,64";   // hidden layer sizes of the actor and of the critic
  std::string activation = "tanh";  // tanh | relu | elu | gelu
  bool shared_network = false;      // one trunk for actor and critic
  bool ortho_init = true;           // orthogonal init, gains sqrt(2) / 0.01 policy / 1 value
  double log_std_init = 0.0;        // initial log std of the Gaussian policy (Box actions)
  SdeConfig sde;                    // gSDE: use_sde, sde_sample_freq, full_std, use_expln, ...

  std::vector<Field> fields();
  // Throws rein::Error naming the first field out of range.
  void validate() const;
};

// The registry entry: name "a2c", action spaces Discrete and Box.
AlgorithmInfo a2c_algorithm();

// Builds an A2C agent. Throws on a bad config or an unsupported observation/action space.
std::unique_ptr<Agent> make_a2c(const AgentSetup& setup, const A2CConfig& config);

}  // namespace rein::rl
