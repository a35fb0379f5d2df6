// The explicit model of a tabular env, Gymnasium's `env.unwrapped.P`: for every state and action
// the list of possible outcomes, plus the distribution of the state at reset. FrozenLake,
// CliffWalking and Taxi are defined entirely by one of these; dynamic-programming code can read it
// directly.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace rein::envs {

// One outcome of taking an action: Gymnasium's (prob, next_state, reward, terminated) tuple.
struct Transition {
  double prob = 1.0;
  int64_t next_state = 0;
  double reward = 0.0;
  bool terminated = false;

  friend bool operator==(const Transition&, const Transition&) = default;
};

// P[s][a] as a flat table. Outcomes keep their insertion order and are never merged: sampling
// (below) walks them in order, so the order is part of the dynamics. Copyable value type.
class TransitionTable {
 public:
  TransitionTable() = default;
  TransitionTable(int64_t n_states, int64_t n_actions);

  int64_t n_states() const { return n_states_; }
  int64_t n_actions() const { return n_actions_; }

  // The outcomes of action a in state s, in order. Indices are not checked (callers validate).
  std::span<const Transition> at(int64_t s, int64_t a) const {
    return outcomes_[s * n_actions_ + a];
  }
  void add(int64_t s, int64_t a, const Transition& t) {
    outcomes_[s * n_actions_ + a].push_back(t);
  }

  // Probability of each state at reset (size n_states, sums to 1).
  std::vector<double> initial_state_distribution;

 private:
  int64_t n_states_ = 0;
  int64_t n_actions_ = 0;
  std::vector<std::vector<Transition>> outcomes_;  // (n_states * n_actions) lists
};

// Gymnasium's categorical_sample: the index of the first entry whose running sum of probabilities
// exceeds u (u uniform in [0, 1)). Like numpy's argmax over an all-false mask it returns 0 when
// rounding leaves the total at or below u.
int64_t categorical_sample(std::span<const double> probs, double u);
int64_t categorical_sample(std::span<const Transition> outcomes, double u);

}  // namespace rein::envs
