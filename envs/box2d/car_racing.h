// CarRacing-v3, Gymnasium 1.4's car_racing.py and car_dynamics.py on Box2D 2.4: drive a
// rear-wheel-drive car around a generated track, seen from above as a 96x96 RGB image. Box2D
// objects live behind a pointer, so this header (used by the registry and tests, not installed)
// carries no Box2D types.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "envs/box2d/lunar_lander.h"  // LanderBodyState: the same six body numbers
#include "envs/env.h"

namespace rein::envs::internal {

// The make() kwargs of CarRacing-v3 (Gymnasium's constructor arguments).
struct CarRacingConfig {
  bool continuous = true;              // Box([-1, 0, 0], [1, 1, 1]) (steer, gas, brake)
  bool domain_randomize = false;       // random road, background and grass colours per reset
  double lap_complete_percent = 0.95;  // share of tiles visited before tile 0 ends the lap
};

// One point of the track: the polar angle around the centre, the road's heading (beta) and the
// position. Tile i joins point i - 1 and point i (tile 0 joins the last point and point 0).
struct TrackPoint {
  double alpha = 0, beta = 0, x = 0, y = 0;
};

// One attempt at Gymnasium's track generation: 12 checkpoints (24 draws from `rng`), the walk
// between them and the closed-loop cut. Returns the track, or an empty vector when the attempt
// fails (Gymnasium then retries with fresh draws).
std::vector<TrackPoint> car_racing_track_attempt(NpRandom& rng);

// Which tiles of a track get a red-white border (drawing only): the four heading steps ending
// at the tile all exceed 0.31 * 0.2 in size with one sign, spread to the three tiles before it.
std::vector<bool> car_racing_borders(const std::vector<TrackPoint>& track);

using CarBodyState = LanderBodyState;

class CarRacing final : public Env {
 public:
  explicit CarRacing(const CarRacingConfig& config);
  ~CarRacing() override;

  // options: "randomize" (true/false) with domain_randomize: new colours or keep them.
  ResetResult reset(std::optional<uint64_t> seed = std::nullopt,
                    const Kwargs& options = {}) override;
  StepResult step(const Action& action) override;
  std::string render_text() const override;
  // Gymnasium's 600 x 400 "rgb_array" frame: the state picture at video size.
  void render(DrawList& out) const override;
  RenderInfo render_info() const override { return {.draws = true, .text = true, .fps = 50}; }

  // One Box2D world step and nothing else (no car physics, drawing or reward). rein-bench's
  // limit.
  void step_world_only();

  const std::vector<TrackPoint>& track() const { return track_; }
  int track_attempts() const { return track_attempts_; }
  int tiles_visited() const { return tiles_visited_; }
  CarBodyState hull_state() const;
  std::array<double, 4> wheel_omegas() const;

 private:
  struct World;  // Box2D objects and the contact listener
  struct Wheel {
    double gas = 0, brake = 0, steer = 0, phase = 0, omega = 0;
    int tiles = 0;  // road tiles this wheel touches now
  };
  void init_colors();
  void build_world();
  void car_physics(double dt);
  StepResult physics_step(bool with_action);
  void tile_contact(int tile, const void* other, bool begin);
  void draw(DrawList& out, bool state_pixels) const;
  void draw_state_pixels();

  CarRacingConfig config_;
  std::unique_ptr<World> world_;
  std::vector<TrackPoint> track_;
  std::vector<bool> border_;
  std::vector<bool> tile_visited_, tile_plain_;  // plain: drawn in the road colour once touched
  std::array<Wheel, 4> wheels_{};
  std::array<double, 3> road_color_{102, 102, 102}, bg_color_{102, 204, 102},
      grass_color_{102, 230, 102};
  int track_attempts_ = 0;
  int tiles_visited_ = 0;
  bool new_lap_ = false;
  double total_reward_ = 0, prev_reward_ = 0, t_ = 0;
  Tensor obs_;
  DrawList frame_;
  RgbImage supersampled_;
};

// CarRacing-v3's make(): continuous, domain_randomize, lap_complete_percent.
std::unique_ptr<Env> make_car_racing(const Kwargs& kwargs);

}  // namespace rein::envs::internal
