// CliffWalking-v1 and CliffWalkingSlippery-v1: the model (Gymnasium 1.4 cliffwalking.py) and the
// env around it.
#include "envs/toy_text/internal/grid_models.h"

#include <algorithm>

#include "tensor/error.h"

namespace rein::envs::internal {

bool cliff_walking_is_cliff(int64_t row, int64_t col) {
  return row == kCliffRows - 1 && col >= 1 && col <= kCliffCols - 2;
}

TransitionTable cliff_walking_table(bool is_slippery) {
  TransitionTable table(kCliffRows * kCliffCols, 4);
  table.initial_state_distribution[kCliffStart] = 1.0;
  // Actions 0 up, 1 right, 2 down, 3 left (not FrozenLake's order).
  const int64_t dr[4] = {-1, 0, 1, 0};
  const int64_t dc[4] = {0, 1, 0, -1};
  auto outcome = [&](int64_t row, int64_t col, int a, double prob) {
    const int64_t r = std::clamp<int64_t>(row + dr[a], 0, kCliffRows - 1);
    const int64_t c = std::clamp<int64_t>(col + dc[a], 0, kCliffCols - 1);
    // The cliff is not terminal: -100 and back to the start.
    if (cliff_walking_is_cliff(r, c)) return Transition{prob, kCliffStart, -100.0, false};
    const int64_t next = r * kCliffCols + c;
    return Transition{prob, next, -1.0, next == kCliffGoal};
  };
  for (int64_t s = 0; s < kCliffRows * kCliffCols; ++s) {
    const int64_t row = s / kCliffCols;
    const int64_t col = s % kCliffCols;
    for (int a = 0; a < 4; ++a) {
      if (is_slippery) {
        for (int b : {(a + 3) % 4, a, (a + 1) % 4}) table.add(s, a, outcome(row, col, b, 1.0 / 3.0));
      } else {
        table.add(s, a, outcome(row, col, a, 1.0));
      }
    }
  }
  return table;
}

}  // namespace rein::envs::internal
