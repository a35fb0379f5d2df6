// FrozenLake-v1 / FrozenLake8x8-v1 (Gymnasium 1.4): walk from S to G over frozen cells F without
// falling into a hole H; on slippery ice the agent may slide perpendicular to the intended move.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "envs/toy_text/tabular_env.h"
#include "tensor/generator.h"

namespace rein::envs {

// Constructor arguments (make() kwargs of the same names, as text).
struct FrozenLakeConfig {
  // Map rows of S/F/H/G; when empty, map_name picks the map. Kwarg: rows separated by ',' or '/',
  // e.g. desc=SFFF,FHFH,FFFH,HFFG.
  std::vector<std::string> desc;
  // "4x4", "8x8", or "random" (Gymnasium's map_name=None: generate_random_map(size, p, seed)).
  std::string map_name = "4x4";
  bool is_slippery = true;          // Gymnasium's default: slippery
  double success_rate = 1.0 / 3.0;  // probability of the intended move when slippery
  std::array<double, 3> reward_schedule{1.0, 0.0, 0.0};  // rewards for entering (G, H, F/S)
  int64_t size = 8;                                      // random map: side length
  double p = 0.8;                // random map: probability that a cell is frozen
  std::optional<uint64_t> seed;  // random map: seed (absent: std::random_device, as Gymnasium)
};

// Gymnasium's generate_random_map: size x size cells, each frozen with probability p (clipped to
// 1) else a hole, S top left, G bottom right, redrawn until a hole-free path joins them. Throws
// rein::Error if size < 2 or p <= 0 (no map could ever be valid), if size > kMaxRandomMapSize, or
// once kMaxRandomMapCells cells were drawn without a valid map (Gymnasium draws forever: below
// p ~ 0.6 a large map almost never has a path). Any map found within that budget is Gymnasium's.
inline constexpr int64_t kMaxRandomMapSize = 1024;
inline constexpr int64_t kMaxRandomMapCells = 100'000'000;
std::vector<std::string> generate_random_map(int64_t size, double p, NpRandom& gen);

// Observation Discrete(nrow * ncol), s = row * ncol + col; actions Discrete(4): 0 left, 1 down,
// 2 right, 3 up. Reward reward_schedule on entering G/H/other; terminated on entering G or H.
// Reset: uniform over the S cells. Throws rein::Error for an unknown map_name or a bad desc.
class FrozenLake : public TabularEnv {
 public:
  explicit FrozenLake(const Kwargs& kwargs = {});
  explicit FrozenLake(const FrozenLakeConfig& config);

  const std::vector<std::string>& desc() const { return desc_; }
  int64_t nrow() const { return static_cast<int64_t>(desc_.size()); }
  int64_t ncol() const { return static_cast<int64_t>(desc_[0].size()); }

  // Ice, holes, start and goal as cells, the agent as a circle.
  void render(DrawList& out) const override;
  // Gymnasium's "ansi" frame: the last action in parentheses, then the map with the agent's cell
  // highlighted in red (ANSI escape codes).
  std::string render_text() const override;
  RenderInfo render_info() const override { return {.draws = true, .text = true, .fps = 4}; }

  static FrozenLakeConfig parse_kwargs(const Kwargs& kwargs);

 private:
  FrozenLake(const FrozenLakeConfig& config, std::vector<std::string> desc);

  std::vector<std::string> desc_;
};

}  // namespace rein::envs
