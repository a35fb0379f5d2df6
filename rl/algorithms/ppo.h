// Proximal Policy Optimization (Schulman et al. 2017, "Proximal Policy Optimization
// Algorithms", arXiv:1707.06347), implemented as Stable-Baselines3's PPO and CleanRL's ppo.py /
// ppo_continuous_action.py do it ("The 37 Implementation Details of PPO", Huang et al. 2022):
// vectorised rollouts, GAE(lambda) with time-limit bootstrapping, clipped surrogate, optional
// clipped value loss, entropy bonus, per-minibatch advantage normalisation, shuffled minibatch
// epochs, global gradient-norm clipping, linear annealing of lr and clip range, optional
// target-KL early stop, orthogonal init, separate or shared actor/critic MLPs, and SB3
// VecNormalize observation/reward normalisation. docs/algorithms/ppo.md lists the details.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rl/algorithm.h"
#include "rl/blocks/sde.h"
#include "rl/config.h"

namespace rein::rl {

// Defaults are Stable-Baselines3 PPO's (v2.x), so a zoo preset overrides exactly the keys the zoo
// lists.
struct PPOConfig {
  int64_t n_steps = 2048;          // steps per env per rollout (rollout = n_steps * n_envs)
  int64_t batch_size = 64;         // minibatch size (the last minibatch of an epoch may be short)
  int64_t n_epochs = 10;           // passes over each rollout
  double learning_rate = 3e-4;     // Adam step size (initial value when annealed)
  bool anneal_lr = false;          // zoo "lin_X": decay linearly to 0 over the run
  double gamma = 0.99;             // discount
  double gae_lambda = 0.95;        // GAE bias/variance trade-off
  double clip_range = 0.2;         // PPO ratio clip epsilon (initial value when annealed)
  bool anneal_clip_range = false;  // zoo "lin_X" clip range
  double clip_range_vf = 0.0;  // clip of value updates around the old values; 0 = off (SB3 None)
  bool normalize_advantage = true;  // per-minibatch advantage normalisation
  double ent_coef = 0.0;            // entropy bonus weight
  double vf_coef = 0.5;             // value loss weight
  double max_grad_norm = 0.5;       // global gradient-norm clip
  double target_kl = 0.0;           // stop the epochs when approx KL > 1.5 target_kl; 0 = off
  // MlpPolicy, or CnnPolicy: NatureCNN features of image observations shared by actor and
  // critic (SB3 CnnPolicy); without net_arch given, no hidden layers follow the CNN.
  std::string policy = "MlpPolicy";
  std::string net_arch = "64,64";   // hidden layer sizes of the actor and of the critic
  std::string activation = "tanh";  // tanh | relu | elu | gelu
  bool shared_network = false;      // one trunk for actor and critic (CleanRL Atari style)
  bool ortho_init = true;           // orthogonal init, gains sqrt(2) / 0.01 policy / 1 value
  double log_std_init = 0.0;        // initial log std of the Gaussian policy (Box actions)
  double adam_eps = 1e-5;           // SB3/CleanRL use 1e-5, not PyTorch's 1e-8
  SdeConfig sde;                    // gSDE: use_sde, sde_sample_freq, full_std, use_expln, ...

  std::vector<Field> fields();
  // Throws rein::Error naming the first field out of range.
  void validate() const;
};

// The registry entry: name "ppo", action spaces Discrete and Box.
AlgorithmInfo ppo_algorithm();

// Builds a PPO agent (what the registry's factory calls). Throws on a bad config or an
// unsupported observation/action space.
std::unique_ptr<Agent> make_ppo(const AgentSetup& setup, const PPOConfig& config);

}  // namespace rein::rl
