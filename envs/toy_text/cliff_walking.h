// CliffWalking-v1 and CliffWalkingSlippery-v1 (Gymnasium 1.4; Sutton & Barto, Example 6.6):
// cross a 4 x 12 grid from the bottom-left start to the bottom-right goal without stepping on
// the cliff between them.
#pragma once

#include "envs/toy_text/tabular_env.h"

namespace rein::envs {

// Observation Discrete(48), s = row * 12 + col, start 36, goal 47, cliff 37..46. Actions
// Discrete(4): 0 up, 1 right, 2 down, 3 left. Reward -1 per step; stepping on the cliff gives
// -100 and puts the agent back on the start (not terminal); entering the goal terminates.
// Kwarg is_slippery (default false): the move is (a-1, a, a+1) mod 4 with probability 1/3 each.
class CliffWalking : public TabularEnv {
 public:
  explicit CliffWalking(const Kwargs& kwargs = {});
  explicit CliffWalking(bool is_slippery);

  bool is_slippery() const { return is_slippery_; }

  void render(DrawList& out) const override;
  // Gymnasium's "ansi" frame: x agent, C cliff, T goal, o other cells.
  std::string render_text() const override;
  RenderInfo render_info() const override { return {.draws = true, .text = true, .fps = 4}; }

 private:
  bool is_slippery_;
};

}  // namespace rein::envs
