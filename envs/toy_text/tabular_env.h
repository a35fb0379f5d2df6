// TabularEnv: an env whose dynamics are one TransitionTable (FrozenLake, CliffWalking, Taxi),
// stepped the way Gymnasium's toy-text envs step: draw u in [0, 1) from the env's generator and
// take the first outcome whose running probability exceeds u.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "envs/env.h"
#include "envs/toy_text/transition_table.h"

namespace rein::envs {

// Observation: Discrete(n_states), a rank-0 int64 tensor. info: {"prob": probability of the
// outcome taken} (1 at reset). The state (state()/set_state()) is the one integer s, Gymnasium's
// unwrapped.s. Reset options are not accepted (Gymnasium's toy-text envs ignore them; an option
// here is more likely a typo, so it is an error).
class TabularEnv : public Env {
 public:
  ResetResult reset(std::optional<uint64_t> seed = std::nullopt,
                    const Kwargs& options = {}) override;
  StepResult step(const Action& action) override;
  void set_state(std::span<const double> state) override;
  std::vector<double> state() const override;

  // The whole model, Gymnasium's unwrapped.P and initial_state_distrib (for planning code).
  const TransitionTable& transitions() const { return table_; }
  int64_t s() const { return s_; }
  // The action of the last step since reset (nullopt right after reset), for rendering.
  std::optional<int64_t> last_action() const { return last_action_; }

 protected:
  // `label` names the env in messages until make() attaches a spec.
  TabularEnv(std::string label, TransitionTable table);

  // Hooks for envs with extras (Taxi): called after the reset state was drawn, and after a
  // step's outcome was drawn (returns the state to keep; `from` is the state before the step).
  virtual void after_reset() {}
  virtual int64_t after_step(int64_t /*from*/, int64_t to) { return to; }
  // Fills info_ after reset/step; the default sets "prob".
  virtual void fill_info(double prob);

  // The registered id once made, else the label given at construction (for messages).
  std::string display_name() const;

 private:
  std::string label_;
  TransitionTable table_;
  int64_t s_ = 0;
  std::optional<int64_t> last_action_;
  Tensor obs_;  // rank-0 int64, reused
};

}  // namespace rein::envs
