// Storage and sampling of tabular env models.
#include "envs/toy_text/transition_table.h"

namespace rein::envs {

TransitionTable::TransitionTable(int64_t n_states, int64_t n_actions)
    : initial_state_distribution(static_cast<size_t>(n_states), 0.0),
      n_states_(n_states),
      n_actions_(n_actions),
      outcomes_(static_cast<size_t>(n_states * n_actions)) {}

int64_t categorical_sample(std::span<const double> probs, double u) {
  double cumulative = 0.0;  // summed left to right, as numpy's cumsum does
  for (size_t i = 0; i < probs.size(); ++i) {
    cumulative += probs[i];
    if (cumulative > u) return static_cast<int64_t>(i);
  }
  return 0;
}

int64_t categorical_sample(std::span<const Transition> outcomes, double u) {
  double cumulative = 0.0;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    cumulative += outcomes[i].prob;
    if (cumulative > u) return static_cast<int64_t>(i);
  }
  return 0;
}

}  // namespace rein::envs
