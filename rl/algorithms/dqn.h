// Deep Q-Network (Mnih et al. 2015, "Human-level control through deep reinforcement learning",
// Nature 518), implemented as Stable-Baselines3's DQN does it (v2.x dqn.py, names and defaults):
// replay buffer, target network with hard or Polyak updates every target_update_interval env
// steps, Huber (smooth L1) loss, linear epsilon-greedy schedule, learning_starts, train_freq,
// gradient_steps (-1: as many as env steps collected), global gradient-norm clipping, and
// time-limit truncations bootstrapped from the final observation. Options beyond SB3: Double DQN
// (van Hasselt et al. 2016, arXiv:1509.06461), dueling heads (Wang et al. 2016), n-step returns
// and prioritized replay (Schaul et al. 2016, arXiv:1511.05952) with beta annealed to 1.
// docs/algorithms/dqn.md lists the details.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rl/algorithm.h"
#include "rl/config.h"

namespace rein::rl {

// Defaults are Stable-Baselines3 DQN's (v2.x), so a zoo preset overrides exactly the keys the
// zoo lists; the options SB3 lacks default to off.
struct DQNConfig {
  double learning_rate = 1e-4;              // Adam step size (constant)
  int64_t buffer_size = 1'000'000;          // replay slots over all envs
  int64_t learning_starts = 100;            // env steps of uniform random actions before learning
  int64_t batch_size = 32;                  // transitions per gradient step
  double tau = 1.0;                         // target update coefficient (1: hard copy)
  double gamma = 0.99;                      // discount
  int64_t train_freq = 4;                   // vector-env steps between training phases
  int64_t gradient_steps = 1;               // gradient steps per phase; -1: env steps collected
  int64_t target_update_interval = 10'000;  // env steps between target updates
  double exploration_fraction = 0.1;        // share of the run over which epsilon decays
  double exploration_initial_eps = 1.0;
  double exploration_final_eps = 0.05;
  double max_grad_norm = 10.0;  // global gradient-norm clip
  // MlpPolicy, or CnnPolicy: NatureCNN features of image observations (SB3 CnnPolicy); without
  // net_arch given, no hidden layers follow the CNN.
  std::string policy = "MlpPolicy";
  std::string net_arch = "64,64";         // hidden layer sizes of the Q-network
  std::string activation = "relu";        // relu | tanh | elu | gelu
  double adam_eps = 1e-8;                 // SB3 DQN keeps torch's Adam default
  bool double_q = false;                  // Double DQN: online argmax, target evaluation
  bool dueling = false;                   // dueling value/advantage heads
  int64_t n_step = 1;                     // n-step returns
  bool prioritized_replay = false;        // proportional prioritized replay
  double prioritized_replay_alpha = 0.6;  // priority exponent
  double prioritized_replay_beta0 = 0.4;  // importance exponent at step 0 (annealed to 1)
  double prioritized_replay_eps = 1e-6;   // added to |TD| so no priority is 0
  bool save_replay = false;               // checkpoints include the replay buffer and env states

  std::vector<Field> fields();
  // Throws rein::Error naming the first field out of range.
  void validate() const;
};

// The registry entry: name "dqn", action space Discrete.
AlgorithmInfo dqn_algorithm();

// Builds a DQN agent. Throws on a bad config or an unsupported observation/action space.
std::unique_ptr<Agent> make_dqn(const AgentSetup& setup, const DQNConfig& config);

}  // namespace rein::rl
