// Taxi-v4 (and its alias Taxi-v3): the model (Gymnasium 1.4 taxi.py) and the env around it.
#include "envs/toy_text/internal/grid_models.h"

#include <algorithm>

#include "tensor/error.h"

namespace rein::envs::internal {

const std::array<const char*, 7> kTaxiMap = {
    "+---------+", "|R: | : :G|", "| : | : : |", "| : : : : |",
    "| | : | : |", "|Y| : |B: |", "+---------+",
};
const std::array<std::array<int, 2>, 4> kTaxiLocs = {{{0, 0}, {0, 4}, {4, 0}, {4, 3}}};

namespace {

enum Action { kSouth = 0, kNorth = 1, kEast = 2, kWest = 3, kPickup = 4, kDropoff = 5 };

// The taxi's cell after a move, or the same cell when the move is blocked: south/north stop at
// the grid edge, east/west at a '|' in the map (the border included).
std::array<int, 2> taxi_move(int row, int col, int a) {
  switch (a) {
    case kSouth: return {std::min(row + 1, kTaxiSize - 1), col};
    case kNorth: return {std::max(row - 1, 0), col};
    case kEast: return kTaxiMap[1 + row][2 * col + 2] == ':' ? std::array{row, col + 1}
                                                            : std::array{row, col};
    default: return kTaxiMap[1 + row][2 * col] == ':' ? std::array{row, col - 1}
                                                     : std::array{row, col};
  }
}

}  // namespace

int taxi_landmark_at(int row, int col) {
  for (int i = 0; i < 4; ++i) {
    if (kTaxiLocs[i][0] == row && kTaxiLocs[i][1] == col) return i;
  }
  return -1;
}

int64_t taxi_encode(const TaxiState& s) {
  return ((s.row * 5 + s.col) * 5 + s.passenger) * 4 + s.destination;
}

TaxiState taxi_decode(int64_t s) {
  TaxiState t;
  t.destination = static_cast<int>(s % 4);
  s /= 4;
  t.passenger = static_cast<int>(s % 5);
  s /= 5;
  t.col = static_cast<int>(s % 5);
  t.row = static_cast<int>(s / 5);
  return t;
}

TransitionTable taxi_table(bool is_rainy) {
  TransitionTable table(500, 6);
  double starts = 0.0;
  for (int64_t s = 0; s < 500; ++s) {
    const TaxiState t = taxi_decode(s);
    if (t.passenger < 4 && t.passenger != t.destination) starts += 1.0;
  }
  // Rain pushes the taxi sideways: for each move, the two lateral moves in Gymnasium's order.
  const int lateral[4][2] = {{kEast, kWest}, {kWest, kEast}, {kNorth, kSouth}, {kSouth, kNorth}};
  const double drift = (1.0 - 0.8) / 2.0;  // 0.09999999999999998, as Gymnasium computes it
  for (int64_t s = 0; s < 500; ++s) {
    const TaxiState t = taxi_decode(s);
    const bool start = t.passenger < 4 && t.passenger != t.destination;
    table.initial_state_distribution[s] = start ? 1.0 / starts : 0.0;
    for (int a = 0; a < 6; ++a) {
      TaxiState next = t;
      double reward = -1.0;
      bool terminated = false;
      if (a <= kWest) {
        const auto cell = taxi_move(t.row, t.col, a);
        next.row = cell[0];
        next.col = cell[1];
        if (!is_rainy) {
          table.add(s, a, Transition{1.0, taxi_encode(next), reward, false});
          continue;
        }
        // A blocked move does not drift: all three outcomes stay put.
        const bool blocked = cell[0] == t.row && cell[1] == t.col;
        table.add(s, a, Transition{0.8, taxi_encode(next), reward, false});
        for (int side : lateral[a]) {
          const auto drifted = blocked ? std::array{t.row, t.col} : taxi_move(t.row, t.col, side);
          TaxiState d = t;
          d.row = drifted[0];
          d.col = drifted[1];
          table.add(s, a, Transition{drift, taxi_encode(d), reward, false});
        }
        continue;
      }
      const int here = taxi_landmark_at(t.row, t.col);
      if (a == kPickup) {
        if (t.passenger < 4 && here == t.passenger) {
          next.passenger = 4;
        } else {
          reward = -10.0;  // no passenger here, or already aboard
        }
      } else if (t.passenger == 4 && here == t.destination) {
        next.passenger = t.destination;
        reward = 20.0;
        terminated = true;
      } else if (t.passenger == 4 && here >= 0) {
        next.passenger = here;  // left at another landmark: legal, -1, episode goes on
      } else {
        reward = -10.0;
      }
      table.add(s, a, Transition{1.0, taxi_encode(next), reward, terminated});
    }
  }
  return table;
}

std::array<int8_t, 6> taxi_action_mask(int64_t s) {
  const TaxiState t = taxi_decode(s);
  std::array<int8_t, 6> mask{};
  mask[kSouth] = t.row < kTaxiSize - 1;
  mask[kNorth] = t.row > 0;
  mask[kEast] = t.col < kTaxiSize - 1 && kTaxiMap[t.row + 1][2 * t.col + 2] == ':';
  mask[kWest] = t.col > 0 && kTaxiMap[t.row + 1][2 * t.col] == ':';
  mask[kPickup] = t.passenger < 4 && taxi_landmark_at(t.row, t.col) == t.passenger;
  mask[kDropoff] = t.passenger == 4 && taxi_landmark_at(t.row, t.col) >= 0;
  return mask;
}

}  // namespace rein::envs::internal
