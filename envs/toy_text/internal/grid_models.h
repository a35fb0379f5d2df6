// The explicit models (transition tables) of the grid worlds, independent of the Env interface so
// that tests and dynamic-programming code can build them directly. Each function validates its
// arguments and throws rein::Error with the op name and values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "envs/toy_text/transition_table.h"

namespace rein::envs::internal {

// FrozenLake (Gymnasium 1.4 FrozenLakeEnv.__init__). reward_schedule is (goal, hole, frozen);
// the start cell counts as frozen. The initial distribution is uniform over the 'S' cells.
TransitionTable frozen_lake_table(const std::vector<std::string>& desc, bool is_slippery,
                                  double success_rate,
                                  const std::array<double, 3>& reward_schedule);
// The named maps "4x4" and "8x8"; throws on any other name.
std::vector<std::string> frozen_lake_map(const std::string& map_name);
// Throws unless desc is a non-empty rectangle of S/F/H/G with at least one S, of at most
// kMaxRandomMapSize^2 cells.
void check_frozen_lake_desc(const std::vector<std::string>& desc);
// True iff a path avoiding holes leads from (0, 0) to a 'G' (Gymnasium's is_valid).
bool frozen_lake_has_path(const std::vector<std::string>& board);

// CliffWalking (4 x 12). Slippery: outcomes (a-1, a, a+1) mod 4 with probability 1/3 each.
TransitionTable cliff_walking_table(bool is_slippery);
inline constexpr int64_t kCliffRows = 4;
inline constexpr int64_t kCliffCols = 12;
inline constexpr int64_t kCliffStart = 36;
inline constexpr int64_t kCliffGoal = 47;
bool cliff_walking_is_cliff(int64_t row, int64_t col);

// Taxi (5 x 5, 500 states, 6 actions).
inline constexpr int kTaxiSize = 5;
extern const std::array<const char*, 7> kTaxiMap;          // the map rows, walls are '|'
extern const std::array<std::array<int, 2>, 4> kTaxiLocs;  // R, G, Y, B as (row, col)
struct TaxiState {
  int row = 0, col = 0, passenger = 0, destination = 0;  // passenger 4 = in the taxi
};
int64_t taxi_encode(const TaxiState& s);
TaxiState taxi_decode(int64_t s);
TransitionTable taxi_table(bool is_rainy);
// The 6 flags of info["action_mask"]: 1 where the action changes the state.
std::array<int8_t, 6> taxi_action_mask(int64_t s);
// Index of the landmark at (row, col), or -1.
int taxi_landmark_at(int row, int col);

}  // namespace rein::envs::internal
