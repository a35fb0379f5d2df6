// CliffWalking-v1 and CliffWalkingSlippery-v1: the model (Gymnasium 1.4 cliffwalking.py) and the
// env around it.
#include "envs/toy_text/cliff_walking.h"

#include <algorithm>

#include "base/error.h"
#include "envs/toy_text/internal/grid_models.h"
#include "envs/toy_text/internal/grid_render.h"

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
        for (int b : {(a + 3) % 4, a, (a + 1) % 4})
          table.add(s, a, outcome(row, col, b, 1.0 / 3.0));
      } else {
        table.add(s, a, outcome(row, col, a, 1.0));
      }
    }
  }
  return table;
}

}  // namespace rein::envs::internal

namespace rein::envs {

using internal::kCliffCols;
using internal::kCliffGoal;
using internal::kCliffRows;
using internal::kCliffStart;

namespace {

bool read_is_slippery(const Kwargs& kwargs) {
  KwargsReader kw("CliffWalking", kwargs);
  const bool slippery = kw.get_bool("is_slippery", false);
  kw.finish();
  return slippery;
}

}  // namespace

CliffWalking::CliffWalking(const Kwargs& kwargs) : CliffWalking(read_is_slippery(kwargs)) {}

CliffWalking::CliffWalking(bool is_slippery)
    : TabularEnv("CliffWalking", internal::cliff_walking_table(is_slippery)),
      is_slippery_(is_slippery) {}

namespace {
// CliffWalking's actions are 0 up, 1 right, 2 down, 3 left.
internal::Facing cliff_facing(int64_t action) {
  constexpr internal::Facing kFacing[4] = {internal::Facing::Up, internal::Facing::Right,
                                           internal::Facing::Down, internal::Facing::Left};
  return kFacing[action & 3];
}
}  // namespace

void CliffWalking::render(DrawList& out) const {
  // Gymnasium's layout: 60 px cells, checkered mountain grass, the cliff, the grass along its
  // edge, the stool (start) and cookie (goal), and the elf facing its last move.
  const double cell = 60;
  internal::ScreenCanvas canvas(out, static_cast<int>(kCliffCols * 60),
                                static_cast<int>(kCliffRows * 60), {0, 0, 0, 255});
  for (int64_t r = 0; r < kCliffRows; ++r) {
    for (int64_t c = 0; c < kCliffCols; ++c) {
      const double x = static_cast<double>(c) * cell, y = static_cast<double>(r) * cell;
      const bool near_cliff = r == kCliffRows - 2 && internal::cliff_walking_is_cliff(r + 1, c);
      internal::draw_mountain(canvas, x, y, cell, cell, static_cast<int>((r % 2) ^ (c % 2)),
                              near_cliff);
      if (internal::cliff_walking_is_cliff(r, c)) internal::draw_cliff(canvas, x, y, cell, cell);
    }
  }
  auto cell_x = [&](int64_t s) { return static_cast<double>(s % kCliffCols) * cell; };
  auto cell_y = [&](int64_t s) { return static_cast<double>(s / kCliffCols) * cell; };
  internal::draw_stool(canvas, cell_x(kCliffStart), cell_y(kCliffStart), cell, cell);
  internal::draw_cookie(canvas, cell_x(kCliffGoal), cell_y(kCliffGoal), cell, cell);
  internal::draw_elf(canvas, cell_x(s()), cell_y(s()), cell, cell,
                     cliff_facing(last_action().value_or(2)));
}

std::string CliffWalking::render_text() const {
  std::string out;
  for (int64_t i = 0; i < kCliffRows * kCliffCols; ++i) {
    const int64_t r = i / kCliffCols;
    const int64_t c = i % kCliffCols;
    const char mark = i == s()                                 ? 'x'
                      : i == kCliffGoal                        ? 'T'
                      : internal::cliff_walking_is_cliff(r, c) ? 'C'
                                                               : 'o';
    // Gymnasium writes " m " per cell, left-stripped in the first column and right-stripped
    // (plus a newline) in the last.
    if (c != 0) out += ' ';
    out += mark;
    if (c != kCliffCols - 1) out += ' ';
    if (c == kCliffCols - 1) out += '\n';
  }
  out += '\n';
  return out;
}

}  // namespace rein::envs
