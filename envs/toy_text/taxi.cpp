// Taxi-v4 (and its alias Taxi-v3): the model (Gymnasium 1.4 taxi.py) and the env around it.
#include "envs/toy_text/taxi.h"

#include <algorithm>

#include "base/error.h"
#include "envs/toy_text/internal/grid_models.h"
#include "envs/toy_text/internal/grid_render.h"

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
    case kSouth:
      return {std::min(row + 1, kTaxiSize - 1), col};
    case kNorth:
      return {std::max(row - 1, 0), col};
    case kEast:
      return kTaxiMap[1 + row][2 * col + 2] == ':' ? std::array{row, col + 1}
                                                   : std::array{row, col};
    default:
      return kTaxiMap[1 + row][2 * col] == ':' ? std::array{row, col - 1} : std::array{row, col};
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

namespace rein::envs {

using internal::kTaxiLocs;
using internal::kTaxiMap;
using internal::kTaxiSize;

namespace {

std::pair<bool, bool> read_taxi_kwargs(const Kwargs& kwargs) {
  KwargsReader kw("Taxi", kwargs);
  const bool rainy = kw.get_bool("is_rainy", false);
  const bool fickle = kw.get_bool("fickle_passenger", false);
  kw.finish();
  return {rainy, fickle};
}

// Gymnasium's locs_colors, blitted at alpha 128.
constexpr Color kLandmarkColors[4] = {
    {255, 0, 0, 128}, {0, 255, 0, 128}, {255, 255, 0, 128}, {0, 0, 255, 128}};
constexpr double kCell = 50;  // Gymnasium's 550 x 350 window over the 11 x 7 map

// Gymnasium's get_surf_loc: the top-left pixel of a grid cell's map character.
Point surf_loc(int64_t row, int64_t col) {
  return {double(col * 2 + 1) * kCell, double(row + 1) * kCell};
}

// The sprites drawn with shapes: the cab (facing its last move), a passenger and the hotel.
void draw_cab(internal::ScreenCanvas& c, Point at, int64_t facing) {
  const Color body{255, 202, 40, 255}, glass{55, 71, 79, 255}, tyre{33, 33, 33, 255};
  const bool sideways = facing == 2 || facing == 3;  // east / west: seen from the side
  const double x = at.x, y = at.y;
  if (sideways) {
    c.rect(x + 4, y + 18, 42, 18, body);
    c.rect(x + 14, y + 10, 22, 10, body);
    c.rect(facing == 2 ? x + 26 : x + 16, y + 12, 8, 7, glass);
    c.circle(x + 14, y + 37, 5, tyre);
    c.circle(x + 36, y + 37, 5, tyre);
  } else {
    c.rect(x + 10, y + 8, 30, 36, body);
    c.rect(x + 14, facing == 0 ? y + 30 : y + 12, 22, 8, glass);  // windscreen toward the move
    c.rect(x + 6, y + 12, 4, 9, tyre);
    c.rect(x + 40, y + 12, 4, 9, tyre);
    c.rect(x + 6, y + 31, 4, 9, tyre);
    c.rect(x + 40, y + 31, 4, 9, tyre);
  }
}

void draw_passenger(internal::ScreenCanvas& c, Point at) {
  c.polygon({{at.x + 16, at.y + 44},
             {at.x + 34, at.y + 44},
             {at.x + 31, at.y + 22},
             {at.x + 19, at.y + 22}},
            {30, 136, 229, 255});
  c.circle(at.x + 25, at.y + 15, 7, {240, 200, 160, 255});
}

void draw_hotel(internal::ScreenCanvas& c, Point at) {
  c.rect(at.x + 8, at.y + 6, 34, 40, {141, 60, 48, 255});
  for (int r = 0; r < 3; ++r) {
    for (int k = 0; k < 3; ++k)
      c.rect(at.x + 12 + 10 * k, at.y + 10 + 10 * r, 6, 6, {255, 224, 130, 255});
  }
  c.rect(at.x + 21, at.y + 38, 8, 8, {62, 39, 35, 255});  // door
}

}  // namespace

Taxi::Taxi(const Kwargs& kwargs) : Taxi(read_taxi_kwargs(kwargs)) {}

Taxi::Taxi(std::pair<bool, bool> flags) : Taxi(flags.first, flags.second) {}

Taxi::Taxi(bool is_rainy, bool fickle_passenger)
    : TabularEnv("Taxi", internal::taxi_table(is_rainy)),
      is_rainy_(is_rainy),
      fickle_passenger_(fickle_passenger),
      mask_(zeros({6}, Dtype::Bool)) {}

int64_t Taxi::encode(int row, int col, int passenger, int destination) {
  return internal::taxi_encode({row, col, passenger, destination});
}

std::array<int, 4> Taxi::decode(int64_t s) {
  const internal::TaxiState t = internal::taxi_decode(s);
  return {t.row, t.col, t.passenger, t.destination};
}

std::array<int8_t, 6> Taxi::action_mask(int64_t s) { return internal::taxi_action_mask(s); }

void Taxi::after_reset() {
  // Gymnasium draws this only when fickle_passenger is on, after the start state.
  fickle_step_ = fickle_passenger_ && rng().random() < 0.3;
}

int64_t Taxi::after_step(int64_t from, int64_t to) {
  if (!fickle_step_) return to;
  const internal::TaxiState before = internal::taxi_decode(from);
  internal::TaxiState after = internal::taxi_decode(to);
  // Only once per episode, on the first step that moves the taxi with the passenger aboard.
  if (before.passenger != 4 || (after.row == before.row && after.col == before.col)) return to;
  fickle_step_ = false;
  const int pick = static_cast<int>(rng().integers(0, 3));  // one of the other three landmarks
  after.destination = pick < before.destination ? pick : pick + 1;
  return internal::taxi_encode(after);
}

void Taxi::fill_info(double prob) {
  const auto mask = internal::taxi_action_mask(s());
  bool* m = mask_.data<bool>();
  for (int a = 0; a < 6; ++a) m[a] = mask[a] != 0;
  info_.set("prob", prob);  // both keys are overwritten in place every step
  info_.set("action_mask", mask_);
}

void Taxi::render(DrawList& out) const {
  // Gymnasium's layout: the 11 x 7 map characters as 50 px cells (road, '|' and '-' medians),
  // the four landmarks tinted at alpha 128 and shifted 10 px down, the passenger at its
  // landmark, the hotel half a cell above the destination and the cab on its cell; whichever
  // of hotel and cab is lower is drawn last.
  internal::ScreenCanvas canvas(out, 550, 350, {0, 0, 0, 255});
  const Color road{189, 189, 189, 255}, median{85, 139, 47, 255};
  for (int y = 0; y < 7; ++y) {
    for (int x = 0; x < 11; ++x) {
      const double px = x * kCell, py = y * kCell;
      canvas.rect(px, py, kCell, kCell, road);
      const char ch = kTaxiMap[static_cast<size_t>(y)][x];
      if (ch == '|') {  // a vertical median, rounded off where it starts and ends
        const bool top = y == 0 || kTaxiMap[static_cast<size_t>(y - 1)][x] != '|';
        const bool bottom = y == 6 || kTaxiMap[static_cast<size_t>(y + 1)][x] != '|';
        canvas.rect(px + 18, py + (top ? 10 : 0), 14, kCell - (top ? 10 : 0) - (bottom ? 10 : 0),
                    median);
      } else if (ch == '-' || ch == '+') {
        const bool left = x == 0, right = x == 10;
        canvas.rect(px + (left ? 10 : 0), py + 18, kCell - (left ? 10 : 0) - (right ? 10 : 0), 14,
                    median);
      }
    }
  }
  for (int i = 0; i < 4; ++i) {
    const Point loc = surf_loc(kTaxiLocs[i][0], kTaxiLocs[i][1]);
    canvas.rect(loc.x, loc.y + 10, kCell, kCell, kLandmarkColors[i]);
  }
  const auto [row, col, passenger, destination] = decode(s());
  if (passenger < 4)
    draw_passenger(canvas, surf_loc(kTaxiLocs[passenger][0], kTaxiLocs[passenger][1]));
  const int64_t facing = last_action() && *last_action() < 4 ? *last_action() : 0;
  const Point dest = surf_loc(kTaxiLocs[destination][0], kTaxiLocs[destination][1]);
  const Point taxi = surf_loc(row, col);
  const Point hotel = {dest.x, dest.y - kCell / 2};
  if (dest.y <= taxi.y) {
    draw_hotel(canvas, hotel);
    draw_cab(canvas, taxi, facing);
  } else {
    draw_cab(canvas, taxi, facing);
    draw_hotel(canvas, hotel);
  }
}

std::string Taxi::render_text() const {
  std::array<std::array<std::string, 11>, 7> out;
  for (int r = 0; r < 7; ++r) {
    for (int c = 0; c < 11; ++c) out[r][c] = std::string(1, kTaxiMap[r][c]);
  }
  const auto [row, col, passenger, destination] = decode(s());
  using internal::AnsiColor;
  using internal::colorize;
  std::string& taxi = out[1 + row][2 * col + 1];
  if (passenger < 4) {
    taxi = colorize(taxi, AnsiColor::Yellow, false, true);
    std::string& p = out[1 + kTaxiLocs[passenger][0]][2 * kTaxiLocs[passenger][1] + 1];
    p = colorize(p, AnsiColor::Blue, true);
  } else {
    taxi = colorize(taxi == " " ? "_" : taxi, AnsiColor::Green, false, true);
  }
  std::string& d = out[1 + kTaxiLocs[destination][0]][2 * kTaxiLocs[destination][1] + 1];
  d = colorize(d, AnsiColor::Magenta);
  std::string text;
  for (const auto& line : out) {
    for (const auto& cell : line) text += cell;
    text += '\n';
  }
  static constexpr const char* kNames[6] = {"South", "North", "East", "West", "Pickup", "Dropoff"};
  text += last_action() ? str("  (", kNames[*last_action()], ")\n") : std::string("\n");
  return text;
}

}  // namespace rein::envs
