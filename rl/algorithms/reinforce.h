// REINFORCE with a learned baseline (Williams 1992, "Simple Statistical Gradient-Following
// Algorithms for Connectionist Reinforcement Learning"; Sutton & Barto 2018, section 13.4): each
// update uses n_envs complete episodes sampled with the current policy, weights log pi(a_t|s_t)
// by the Monte-Carlo reward-to-go G_t minus a value-network baseline V(s_t), and regresses V on
// G_t. Options: reward-to-go normalisation (the batch's weights standardised), entropy bonus,
// gradient clipping, bootstrapping a time-limit truncation from V(final observation) (Pardo et
// al. 2018). Discrete and Box actions. docs/algorithms/reinforce.md lists the details.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rl/algorithm.h"
#include "rl/config.h"

namespace rein::rl {

// No zoo preset exists for REINFORCE; rl/presets/reinforce.toml documents the choices.
struct ReinforceConfig {
  double learning_rate = 1e-3;      // Adam step size (initial value when annealed)
  bool anneal_lr = false;           // decay linearly to 0 over the run
  double gamma = 0.99;              // discount of the reward-to-go
  bool baseline = true;             // subtract a learned V(s_t) from G_t (and train it)
  bool normalize_returns = true;    // standardise the policy weights (G_t - V(s_t)) per batch
  bool bootstrap_truncated = true;  // G at a time limit starts from V(final obs), not 0
  double ent_coef = 0.0;            // entropy bonus weight
  double vf_coef = 0.5;             // value loss weight
  double max_grad_norm = 0.0;       // global gradient-norm clip; 0 = off (plain REINFORCE)
  std::string net_arch = "64,64";   // hidden layer sizes of the policy and of the baseline
  std::string activation = "tanh";  // tanh | relu | elu | gelu
  bool ortho_init = true;           // orthogonal init, gains sqrt(2) / 0.01 policy / 1 value
  double log_std_init = 0.0;        // initial log std of the Gaussian policy (Box actions)
  double adam_eps = 1e-8;           // torch.optim.Adam's default

  std::vector<Field> fields();
  // Throws rein::Error naming the first field out of range.
  void validate() const;
};

// Reward-to-go of one episode of T steps, accumulated in double: G_t = r_t + gamma * G_{t+1}
// with G_T = bootstrap: 0 for a terminated episode, V(final observation) for a truncated one.
// out.size() must equal rewards.size() (throws rein::Error otherwise).
void reward_to_go(std::span<const float> rewards, double gamma, double bootstrap,
                  std::span<float> out);

// The registry entry: name "reinforce", action spaces Discrete and Box.
AlgorithmInfo reinforce_algorithm();

// Builds a REINFORCE agent. Throws on a bad config (normalize_reward is refused: the returns are
// Monte-Carlo sums of raw rewards) or an unsupported observation/action space.
std::unique_ptr<Agent> make_reinforce(const AgentSetup& setup, const ReinforceConfig& config);

}  // namespace rein::rl
