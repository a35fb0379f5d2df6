// Twin Delayed DDPG (Fujimoto et al. 2018, "Addressing Function Approximation Error in
// Actor-Critic Methods", arXiv:1802.09477) and DDPG (Lillicrap et al. 2016, arXiv:1509.02971),
// as Stable-Baselines3's TD3 and DDPG do them (v2.x td3.py, ddpg.py; names and defaults): a
// deterministic tanh actor with a target actor, clipped double Q learning over twin critics,
// delayed policy and target updates (policy_delay) and target policy smoothing
// (target_policy_noise clipped at target_noise_clip). DDPG is TD3 with one critic, no delay and
// no smoothing, as SB3 builds it. Exploration: normal or Ornstein-Uhlenbeck action noise
// (zoo noise_type / noise_std) on the [-1, 1] actions. docs/algorithms/td3.md has the details.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rl/algorithm.h"
#include "rl/config.h"

namespace rein::rl {

// Defaults are Stable-Baselines3 TD3's (v2.x).
struct TD3Config {
  double learning_rate = 1e-3;           // Adam step size of actor and critics
  bool anneal_lr = false;                // zoo "lin_X": decay linearly to 0 over the run
  int64_t buffer_size = 1'000'000;       // replay slots over all envs
  int64_t learning_starts = 100;         // env steps of uniform random actions before learning
  int64_t batch_size = 256;              // transitions per gradient step
  double tau = 0.005;                    // Polyak coefficient of the target networks
  double gamma = 0.99;                   // discount
  int64_t train_freq = 1;                // vector-env steps (or episodes) between training phases
  std::string train_freq_unit = "step";  // step | episode (zoo: train_freq: [1, "episode"])
  int64_t gradient_steps = 1;            // gradient steps per phase; -1: env steps collected
  int64_t policy_delay = 2;              // critic updates per actor and target update
  double target_policy_noise = 0.2;      // std of the target action smoothing noise
  double target_noise_clip = 0.5;        // its clip
  std::string noise_type = "none";       // exploration: none | normal | ornstein-uhlenbeck
  double noise_std = 0.1;                // its sigma, on the [-1, 1] actions
  std::string net_arch = "400,300";      // hidden sizes, or "pi=[...], qf=[...]"
  std::string activation = "relu";       // relu | tanh | elu | gelu
  int64_t n_critics = 2;                 // Q-networks (clipped double Q takes their minimum)
  bool save_replay = false;              // checkpoints include the replay buffer and env states

  std::vector<Field> fields();
  // Throws rein::Error naming `algo` and the first field out of range.
  void validate(const char* algo = "td3") const;
};

// DDPG's settings: TD3's without policy_delay, target smoothing and n_critics (fixed at 1, 0 and
// 1), as SB3's DDPG constructor.
struct DDPGConfig : TD3Config {
  DDPGConfig() {
    policy_delay = 1;
    target_policy_noise = 0.0;
    target_noise_clip = 0.0;
    n_critics = 1;
  }
  std::vector<Field> fields();
  void validate() const { TD3Config::validate("ddpg"); }
};

// The registry entries: names "td3" and "ddpg", action space Box.
AlgorithmInfo td3_algorithm();
AlgorithmInfo ddpg_algorithm();

std::unique_ptr<Agent> make_td3(const AgentSetup& setup, const TD3Config& config);
std::unique_ptr<Agent> make_ddpg(const AgentSetup& setup, const DDPGConfig& config);

}  // namespace rein::rl
