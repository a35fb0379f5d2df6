// Tabular temporal-difference control over Discrete observations and actions: Q-learning
// (Watkins 1989; Sutton & Barto 2018, sec. 6.5), SARSA (Rummery & Niranjan 1994; S&B sec. 6.4)
// and Expected SARSA (van Seijen et al. 2009; S&B sec. 6.6), with epsilon-greedy exploration and
// decaying exploration / learning-rate schedules. The Q-table is the checkpoint tensor
// "q_table" (float64, (n_states, n_actions)). docs/algorithms/tabular.md lists the details.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rl/algorithm.h"
#include "rl/config.h"

namespace rein::rl {

enum class TabularMethod { QLearning, Sarsa, ExpectedSarsa };

// A value that moves from `initial` to `final` over the first `fraction` of training, then stays
// at `final` (SB3's exploration schedule shape). kind: "constant" (always initial), "linear",
// or "exponential" (geometric interpolation: initial * (final / initial)^(t / (fraction * T)),
// the same as multiplying by a fixed decay factor every step until `final` is reached).
struct Schedule {
  std::string kind = "constant";
  double initial = 1.0;
  double final = 1.0;
  double fraction = 1.0;  // in (0, 1]

  // progress = step / total_timesteps, clamped to [0, 1].
  double value(double progress) const;
  // Throws rein::Error "<owner>: <key> ..." on an unknown kind or an out-of-range value.
  void validate(const char* owner, const char* key) const;
};

// Defaults: Sutton & Barto's usual step size 0.1 and epsilon-greedy exploration decaying from 1
// to 0.05 over half the run; the presets (rl/presets/qlearning.toml ...) set them per env.
struct TabularConfig {
  double learning_rate = 0.1;                       // step size alpha (initial value when decayed)
  std::string learning_rate_schedule = "constant";  // constant | linear | exponential
  double final_learning_rate = 0.01;                // alpha at the end of the decay
  double learning_rate_fraction = 1.0;              // share of the run over which alpha decays
  double gamma = 0.99;                              // discount
  std::string exploration_schedule = "linear";      // constant | linear | exponential
  double exploration_initial_eps = 1.0;             // epsilon at step 0
  double exploration_final_eps = 0.05;              // epsilon after the decay
  double exploration_fraction = 0.5;                // share of the run over which epsilon decays
  double initial_q = 0.0;                           // initial value of every Q(s, a)
  int64_t steps_per_iteration = 10000;              // env steps (all envs) between metric logs

  std::vector<Field> fields();
  Schedule learning_rate_sched() const;
  Schedule exploration_sched() const;
  // Throws rein::Error naming the algorithm and the first field out of range.
  void validate(const char* algorithm) const;
};

// The TD error delta = target - Q(s, a) of one transition, for a row-major (n_states, n_actions)
// table. target = r when `terminal`; otherwise r + gamma * bootstrap(s'), where bootstrap is
//   QLearning:     max_a Q(s', a)
//   Sarsa:         Q(s', next_action)
//   ExpectedSarsa: sum_a pi(a | s') Q(s', a), pi epsilon-greedy (expected_q below).
double td_error(TabularMethod method, std::span<const double> q, int64_t n_actions, int64_t s,
                int64_t a, double reward, int64_t next_s, int64_t next_action, bool terminal,
                double gamma, double epsilon);

// Expected value of a row of Q under the epsilon-greedy policy: epsilon / A on every action plus
// (1 - epsilon) shared equally by the tied maxima (the behaviour policy breaks ties at random).
double expected_q(std::span<const double> q_row, double epsilon);

// Registry entries "qlearning", "sarsa", "expected_sarsa": Discrete actions; the factory also
// refuses a non-Discrete observation space.
AlgorithmInfo qlearning_algorithm();
AlgorithmInfo sarsa_algorithm();
AlgorithmInfo expected_sarsa_algorithm();

// Builds a tabular agent. Throws rein::Error on a bad config or when the env's observation or
// action space is not Discrete.
std::unique_ptr<Agent> make_tabular(TabularMethod method, const AgentSetup& setup,
                                    const TabularConfig& config);

}  // namespace rein::rl
