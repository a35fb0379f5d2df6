// FrozenLake-v1: the model (Gymnasium 1.4 frozen_lake.py) and the env around it.
#include "envs/toy_text/internal/grid_models.h"

#include <algorithm>
#include <utility>

#include "tensor/error.h"

namespace rein::envs::internal {
namespace {

enum Move { kLeft = 0, kDown = 1, kRight = 2, kUp = 3 };

}  // namespace

std::vector<std::string> frozen_lake_map(const std::string& map_name) {
  if (map_name == "4x4") return {"SFFF", "FHFH", "FFFH", "HFFG"};
  if (map_name == "8x8") {
    return {"SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF",
            "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"};
  }
  throw Error(str("FrozenLake: unknown map_name '", map_name,
                  "' (known: 4x4, 8x8, random; or give the map rows with desc)"));
}

void check_frozen_lake_desc(const std::vector<std::string>& desc) {
  if (desc.empty() || desc[0].empty()) {
    throw Error("FrozenLake: desc is empty; give at least one row of S/F/H/G cells");
  }
  bool has_start = false;
  for (size_t r = 0; r < desc.size(); ++r) {
    if (desc[r].size() != desc[0].size()) {
      throw Error(str("FrozenLake: desc row ", r, " '", desc[r], "' has ", desc[r].size(),
                      " cells but row 0 has ", desc[0].size(), "; the map must be a rectangle"));
    }
    for (char c : desc[r]) {
      if (c != 'S' && c != 'F' && c != 'H' && c != 'G') {
        throw Error(str("FrozenLake: desc row ", r, " '", desc[r], "' has the cell '", c,
                        "'; allowed are S (start), F (frozen), H (hole), G (goal)"));
      }
      has_start = has_start || c == 'S';
    }
  }
  if (!has_start) throw Error("FrozenLake: desc has no start cell 'S'");
}

TransitionTable frozen_lake_table(const std::vector<std::string>& desc, bool is_slippery,
                                  double success_rate,
                                  const std::array<double, 3>& reward_schedule) {
  check_frozen_lake_desc(desc);
  if (!(success_rate >= 0.0 && success_rate <= 1.0)) {
    throw Error(str("FrozenLake: success_rate must lie in [0, 1], got ", success_rate));
  }
  const int64_t nrow = static_cast<int64_t>(desc.size());
  const int64_t ncol = static_cast<int64_t>(desc[0].size());
  TransitionTable table(nrow * ncol, 4);

  double starts = 0.0;
  for (int64_t s = 0; s < nrow * ncol; ++s) starts += desc[s / ncol][s % ncol] == 'S' ? 1.0 : 0.0;
  for (int64_t s = 0; s < nrow * ncol; ++s) {
    table.initial_state_distribution[s] = (desc[s / ncol][s % ncol] == 'S' ? 1.0 : 0.0) / starts;
  }

  // Gymnasium: fail_rate = (1 - success_rate) / 2, which for 1/3 is 0.33333333333333337.
  const double fail_rate = (1.0 - success_rate) / 2.0;
  auto outcome = [&](int64_t row, int64_t col, int a, double prob) {
    if (a == kLeft) col = std::max<int64_t>(col - 1, 0);
    if (a == kDown) row = std::min<int64_t>(row + 1, nrow - 1);
    if (a == kRight) col = std::min<int64_t>(col + 1, ncol - 1);
    if (a == kUp) row = std::max<int64_t>(row - 1, 0);
    const char letter = desc[row][col];
    const double reward = letter == 'G'   ? reward_schedule[0]
                          : letter == 'H' ? reward_schedule[1]
                                          : reward_schedule[2];
    return Transition{prob, row * ncol + col, reward, letter == 'G' || letter == 'H'};
  };
  for (int64_t row = 0; row < nrow; ++row) {
    for (int64_t col = 0; col < ncol; ++col) {
      const int64_t s = row * ncol + col;
      const char letter = desc[row][col];
      for (int a = 0; a < 4; ++a) {
        if (letter == 'G' || letter == 'H') {
          table.add(s, a, Transition{1.0, s, 0.0, true});  // absorbing, reward 0
        } else if (is_slippery) {
          // Perpendicular slips around the intended move, in the order (a-1, a, a+1) mod 4.
          for (int b : {(a + 3) % 4, a, (a + 1) % 4}) {
            table.add(s, a, outcome(row, col, b, b == a ? success_rate : fail_rate));
          }
        } else {
          table.add(s, a, outcome(row, col, a, 1.0));
        }
      }
    }
  }
  return table;
}

bool frozen_lake_has_path(const std::vector<std::string>& board) {
  const int64_t nrow = static_cast<int64_t>(board.size());
  const int64_t ncol = nrow == 0 ? 0 : static_cast<int64_t>(board[0].size());
  if (nrow == 0 || ncol == 0) return false;
  std::vector<char> seen(static_cast<size_t>(nrow * ncol), 0);
  std::vector<std::pair<int64_t, int64_t>> frontier{{0, 0}};
  seen[0] = 1;
  while (!frontier.empty()) {
    auto [r, c] = frontier.back();
    frontier.pop_back();
    const int64_t dr[4] = {1, 0, -1, 0};
    const int64_t dc[4] = {0, 1, 0, -1};
    for (int k = 0; k < 4; ++k) {
      const int64_t nr = r + dr[k];
      const int64_t nc = c + dc[k];
      if (nr < 0 || nr >= nrow || nc < 0 || nc >= ncol || seen[nr * ncol + nc]) continue;
      if (board[nr][nc] == 'G') return true;
      seen[nr * ncol + nc] = 1;
      if (board[nr][nc] != 'H') frontier.emplace_back(nr, nc);
    }
  }
  return false;
}

std::vector<std::string> generate_random_map(int64_t size, double p, Generator& gen) {
  if (size < 2) {
    throw Error(str("FrozenLake: random map size must be at least 2, got ", size));
  }
  if (!(p > 0.0)) {
    throw Error(str("FrozenLake: random map frozen probability p must be > 0, got ", p,
                    " (with no frozen cells no path to the goal exists)"));
  }
  p = std::min(1.0, p);  // Gymnasium clips p the same way
  std::vector<std::string> board(static_cast<size_t>(size), std::string(size, 'F'));
  do {
    for (auto& row : board) {
      for (char& cell : row) cell = gen.uniform() < p ? 'F' : 'H';  // choice(["F","H"], p=[p,1-p])
    }
    board.front().front() = 'S';
    board.back().back() = 'G';
  } while (!frozen_lake_has_path(board));
  return board;
}

}  // namespace rein::envs::internal
