// Reset and step of the table-driven toy-text envs.
#include "envs/toy_text/tabular_env.h"

#include <cmath>
#include <utility>

#include "base/error.h"

namespace rein::envs {

TabularEnv::TabularEnv(std::string label, TransitionTable table)
    : label_(std::move(label)), table_(std::move(table)) {
  observation_space_ = Discrete(table_.n_states());
  action_space_ = Discrete(table_.n_actions());
  obs_ = scalar(0.0, Dtype::Int64);
  s_ = categorical_sample(table_.initial_state_distribution, 0.0);
}

ResetResult TabularEnv::reset(std::optional<uint64_t> seed, const Kwargs& options) {
  if (!options.empty()) KwargsReader(display_name() + ".reset options", options).finish();
  seed_rng(seed);
  s_ = categorical_sample(table_.initial_state_distribution, rng().random());
  last_action_.reset();
  after_reset();
  obs_.data<int64_t>()[0] = s_;
  fill_info(1.0);
  return {obs_, info_};
}

StepResult TabularEnv::step(const Action& action) {
  if (!action.is_discrete() || action.index() < 0 || action.index() >= table_.n_actions()) {
    check_action(action_space_, action, display_name() + ".step");  // throws with the details
  }
  const int64_t a = action.index();
  const auto outcomes = table_.at(s_, a);
  // Gymnasium draws u even when there is a single outcome; so do we, to keep the same stream use.
  const Transition& t = outcomes[categorical_sample(outcomes, rng().random())];
  s_ = after_step(s_, t.next_state);
  last_action_ = a;
  obs_.data<int64_t>()[0] = s_;
  fill_info(t.prob);
  return {obs_, t.reward, t.terminated, false, info_};
}

std::string TabularEnv::display_name() const { return spec() ? spec()->id : label_; }

void TabularEnv::fill_info(double prob) {
  info_.set("prob", prob);  // overwrites in place: no allocation after the first call
}

void TabularEnv::set_state(std::span<const double> state) {
  if (state.size() != 1 || !(state[0] >= 0.0) ||
      state[0] >= static_cast<double>(table_.n_states()) || std::floor(state[0]) != state[0]) {
    std::string given;
    for (double v : state) given += (given.empty() ? "" : ", ") + str(v);
    throw Error(str(display_name(), ".set_state: expected one integer state index in [0, ",
                    table_.n_states(), "), got [", given, "]"));
  }
  s_ = static_cast<int64_t>(state[0]);
  obs_.data<int64_t>()[0] = s_;
}

std::vector<double> TabularEnv::state() const { return {static_cast<double>(s_)}; }

}  // namespace rein::envs
