// FrozenLake-v1: the model (Gymnasium 1.4 frozen_lake.py) and the env around it.
#include "envs/toy_text/frozen_lake.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <utility>

#include "base/error.h"
#include "envs/toy_text/internal/grid_models.h"
#include "envs/toy_text/internal/grid_render.h"

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
  // Each cell's transitions take about 0.7 KB: a desc of a few MB asked for gigabytes. The bound
  // is a random map's largest (1024 x 1024), checked before any row is read.
  constexpr int64_t kMaxCells = kMaxRandomMapSize * kMaxRandomMapSize;
  const int64_t cols = static_cast<int64_t>(desc[0].size());
  if (static_cast<int64_t>(desc.size()) > kMaxCells / cols) {
    throw Error(str("FrozenLake: desc has ", desc.size(), " rows of ", cols, " cells; at most ",
                    kMaxRandomMapSize, " x ", kMaxRandomMapSize, " = ", kMaxCells,
                    " cells are taken (each cell's transitions take about 0.7 KB)"));
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

}  // namespace rein::envs::internal

namespace rein::envs {

using internal::frozen_lake_has_path;

std::vector<std::string> generate_random_map(int64_t size, double p, NpRandom& gen) {
  if (size < 2) {
    throw Error(str("FrozenLake: random map size must be at least 2, got ", size));
  }
  if (!(p > 0.0)) {
    throw Error(str("FrozenLake: random map frozen probability p must be > 0, got ", p,
                    " (with no frozen cells no path to the goal exists)"));
  }
  // A size^2-state map: its transition table takes about 0.5 KB a state, and a 1024 x 1024 map
  // already has a million states.
  if (size > kMaxRandomMapSize) {
    throw Error(str("FrozenLake: random map size must be at most ", kMaxRandomMapSize,
                    " (a size x size map has size^2 states), got ", size));
  }
  const double asked_p = p;
  p = std::min(1.0, p);  // Gymnasium clips p the same way
  // np_random.choice(["F", "H"], (size, size), p=[p, 1 - p]): one random() per cell in row
  // order, compared with the normalised cumulative sum (F below p / (p + (1 - p))).
  const double frozen_below = p / (p + (1.0 - p));
  std::vector<std::string> board(static_cast<size_t>(size), std::string(size, 'F'));
  const int64_t max_tries = std::max<int64_t>(1, kMaxRandomMapCells / (size * size));
  for (int64_t tries = 0; tries < max_tries; ++tries) {
    for (auto& row : board) {
      for (char& cell : row) cell = gen.random() < frozen_below ? 'F' : 'H';
    }
    board.front().front() = 'S';
    board.back().back() = 'G';
    if (frozen_lake_has_path(board)) return board;
  }
  throw Error(str("FrozenLake: none of ", max_tries, " random ", size, "x", size,
                  " maps with frozen probability p ", asked_p,
                  " had a path from S to G (Gymnasium would draw forever); raise p (a large map "
                  "needs about 0.6 or more) or lower size"));
}

namespace {

// Splits "SFFF,FHFH" (also '/', ';' or whitespace between rows) into rows.
std::vector<std::string> split_rows(const std::string& text) {
  std::vector<std::string> rows;
  std::string row;
  for (char c : text) {
    if (c == ',' || c == '/' || c == ';' || c == ' ' || c == '\n' || c == '\t') {
      if (!row.empty()) rows.push_back(std::move(row));
      row.clear();
    } else {
      row += c;
    }
  }
  if (!row.empty()) rows.push_back(std::move(row));
  return rows;
}

std::array<double, 3> parse_reward_schedule(const std::string& text) {
  std::array<double, 3> out{};
  std::string rest = text;
  for (char& c : rest) c = (c == ',' || c == '(' || c == ')' || c == '[' || c == ']') ? ' ' : c;
  std::istringstream in(rest);
  size_t n = 0;
  double v = 0.0;
  while (in >> v) {
    if (n < 3) out[n] = v;
    ++n;
  }
  if (n != 3 || !in.eof()) {
    throw Error(
        str("FrozenLake: reward_schedule must be three numbers (goal, hole, frozen), e.g. "
            "'1,0,0'; got '",
            text, "'"));
  }
  // Rewards reach vector envs and training as float32: a larger one would arrive as inf.
  for (double r : out)
    if (!(std::abs(r) <= std::numeric_limits<float>::max()))
      throw Error(str("FrozenLake: reward_schedule '", text, "' holds ", r,
                      ", beyond float32's range (|reward| <= 3.4e38) that rewards are kept in"));
  return out;
}

std::vector<std::string> resolve_desc(const FrozenLakeConfig& config) {
  if (!config.desc.empty()) return config.desc;
  if (config.map_name == "random") {
    NpRandom gen(config.seed ? *config.seed
                             : (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}());
    return generate_random_map(config.size, config.p, gen);
  }
  return internal::frozen_lake_map(config.map_name);
}

}  // namespace

FrozenLakeConfig FrozenLake::parse_kwargs(const Kwargs& kwargs) {
  KwargsReader kw("FrozenLake", kwargs);
  FrozenLakeConfig c;
  if (auto desc = kw.get_optional("desc")) {
    c.desc = split_rows(*desc);
    if (c.desc.empty())
      throw Error("FrozenLake: desc is empty; give rows like SFFF,FHFH,FFFH,HFFG");
  }
  c.map_name = kw.get_string("map_name", c.map_name);
  if (c.map_name == "none" || c.map_name == "None") c.map_name = "random";  // Gymnasium's None
  c.is_slippery = kw.get_bool("is_slippery", c.is_slippery);
  c.success_rate = kw.get_double_in("success_rate", c.success_rate, 0.0, 1.0,
                                    "the probability of the chosen move on slippery ice");
  if (auto rs = kw.get_optional("reward_schedule")) c.reward_schedule = parse_reward_schedule(*rs);
  const auto size = kw.get_optional("size");
  const auto p = kw.get_optional("p");
  const auto seed = kw.get_optional("seed");
  if ((size || p || seed) && (!c.desc.empty() || c.map_name != "random")) {
    throw Error(
        "FrozenLake: size, p and seed describe a random map; pass map_name=random with them "
        "(and no desc)");
  }
  c.size = kw.get_int("size", c.size);
  c.p = kw.get_double("p", c.p);
  if (seed) {
    const int64_t v = kw.get_int("seed", 0);
    if (v < 0) throw Error(str("FrozenLake: seed must be >= 0, got ", v));
    c.seed = static_cast<uint64_t>(v);
  }
  kw.finish();
  return c;
}

FrozenLake::FrozenLake(const Kwargs& kwargs) : FrozenLake(parse_kwargs(kwargs)) {}

FrozenLake::FrozenLake(const FrozenLakeConfig& config) : FrozenLake(config, resolve_desc(config)) {}

FrozenLake::FrozenLake(const FrozenLakeConfig& config, std::vector<std::string> desc)
    : TabularEnv("FrozenLake",
                 internal::frozen_lake_table(desc, config.is_slippery, config.success_rate,
                                             config.reward_schedule)),
      desc_(std::move(desc)) {}

void FrozenLake::render(DrawList& out) const {
  // Gymnasium's layout: a window of min(64 px x cells, 512) a side, cells of window // count,
  // ice everywhere, a hole, gift (goal) or stool (start) on top, a 1 px (180, 200, 230) border
  // per cell, and the elf facing its last move, or a cracked hole once it fell in.
  const int64_t nr = nrow(), nc = ncol();
  const int width = static_cast<int>(std::min<int64_t>(64 * nc, 512));
  const int height = static_cast<int>(std::min<int64_t>(64 * nr, 512));
  const double cw = static_cast<double>(width / nc), ch = static_cast<double>(height / nr);
  internal::ScreenCanvas canvas(out, width, height, {0, 0, 0, 255});
  for (int64_t r = 0; r < nr; ++r) {
    for (int64_t c = 0; c < nc; ++c) {
      const double x = static_cast<double>(c) * cw, y = static_cast<double>(r) * ch;
      const char cell = desc_[static_cast<size_t>(r)][static_cast<size_t>(c)];
      internal::draw_ice(canvas, x, y, cw, ch);
      if (cell == 'H') internal::draw_hole(canvas, x, y, cw, ch, false);
      if (cell == 'G') internal::draw_gift(canvas, x, y, cw, ch);
      if (cell == 'S') internal::draw_stool(canvas, x, y, cw, ch);
      canvas.rect(x, y, cw, ch, {180, 200, 230, 255}, false);
    }
  }
  const int64_t row = s() / nc, col = s() % nc;
  const double x = static_cast<double>(col) * cw, y = static_cast<double>(row) * ch;
  if (desc_[static_cast<size_t>(row)][static_cast<size_t>(col)] == 'H') {
    internal::draw_hole(canvas, x, y, cw, ch, true);
  } else {
    internal::draw_elf(canvas, x, y, cw, ch,
                       static_cast<internal::Facing>(last_action().value_or(1)));
  }
}

std::string FrozenLake::render_text() const {
  static constexpr const char* kNames[4] = {"Left", "Down", "Right", "Up"};
  std::string out = last_action() ? str("  (", kNames[*last_action()], ")\n") : "\n";
  const int64_t row = s() / ncol();
  const int64_t col = s() % ncol();
  for (int64_t r = 0; r < nrow(); ++r) {
    for (int64_t c = 0; c < ncol(); ++c) {
      const std::string cell(1, desc_[r][c]);
      out += (r == row && c == col)
                 ? internal::colorize(cell, internal::AnsiColor::Red, false, true)
                 : cell;
    }
    out += '\n';
  }
  return out;
}

}  // namespace rein::envs
