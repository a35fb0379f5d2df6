// BipedalWalker-v3 (and hardcore), Gymnasium 1.4's bipedal_walker.py on Box2D 2.4: walk a
// two-legged robot across generated terrain. Box2D objects live behind a pointer, so this header
// (used by the registry and tests, not installed) carries no Box2D types.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "envs/box2d/lunar_lander.h"  // LanderBodyState: the same six body numbers
#include "envs/env.h"

namespace rein::envs::internal {

using WalkerBodyState = LanderBodyState;

// Observation entries 0-3 (hull angle, scaled angular velocity and velocity) in double.
std::array<double, 4> bipedal_walker_hull_observation(const WalkerBodyState& hull);
// Shaping (130 x / 30 - 5 |angle|) and the step reward before the terminal override: change of
// shaping (none on an episode's first step) minus 0.028 * clip(|a_j|, 0, 1) per motor.
double bipedal_walker_shaping(const WalkerBodyState& hull);
double bipedal_walker_reward(double shaping, const double* previous_shaping,
                             std::span<const float> action);

class BipedalWalker final : public Env {
 public:
  explicit BipedalWalker(bool hardcore);
  ~BipedalWalker() override;

  ResetResult reset(std::optional<uint64_t> seed = std::nullopt,
                    const Kwargs& options = {}) override;
  StepResult step(const Action& action) override;
  std::string render_text() const override;
  // Gymnasium's 600 x 400 frame following the hull: sky, parallax clouds, terrain, one lidar
  // ray at a time (as Gymnasium cycles them, one per step), obstacles, legs, hull, start flag.
  void render(DrawList& out) const override;
  RenderInfo render_info() const override { return {.draws = true, .text = true, .fps = 50}; }
  // One Box2D world step and nothing else (motors as last set, no lidar or observation);
  // returns whether the episode would end. rein-bench's limit.
  bool step_world_only();

  // What the last reset built: the 200 terrain points (double, before Box2D's float), the
  // obstacle polygons as Box2D stores them, and the force on the hull.
  const std::vector<double>& terrain_x() const { return terrain_x_; }
  const std::vector<double>& terrain_y() const { return terrain_y_; }
  std::vector<std::vector<std::array<float, 2>>> obstacles() const;
  double initial_force() const { return initial_force_; }
  WalkerBodyState hull_state() const;

 private:
  struct World;
  void generate_terrain();
  void generate_clouds();
  void build_walker();
  StepResult physics_step(std::span<const float> action);

  bool hardcore_ = false;
  std::unique_ptr<World> world_;
  std::vector<double> terrain_x_, terrain_y_;
  double initial_force_ = 0.0;
  std::vector<std::array<std::array<double, 2>, 5>> clouds_;  // decoration, drawn from the seed
  int64_t steps_since_reset_ = 0;                             // picks the lidar ray a frame shows
  bool game_over_ = false;
  bool lower_contact_[2] = {false, false};
  bool has_prev_shaping_ = false;
  double prev_shaping_ = 0.0;
  Tensor obs_;
  float* obs_data_ = nullptr;
};

std::unique_ptr<Env> make_bipedal_walker(const Kwargs& kwargs);

}  // namespace rein::envs::internal
