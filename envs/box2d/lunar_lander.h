// LunarLander-v3 (discrete and continuous), Gymnasium 1.4's lunar_lander.py on Box2D 2.4: land
// a rocket on a pad between two flags. The Box2D world lives behind a pointer, so this header
// (used by the registry and tests, not installed) carries no Box2D types.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "envs/env.h"

namespace rein::envs::internal {

// The largest |wind_power| and |turbulence_power| make() takes (lunar_lander.cpp says why).
inline constexpr double kMaxWindPower = 1e30;

// The make() kwargs of LunarLander-v3 (Gymnasium's constructor arguments).
struct LunarLanderConfig {
  bool continuous = false;        // Box(-1, 1, (2,)) actions: main throttle, lateral
  double gravity = -10.0;         // world gravity along y, in (-12, 0)
  bool enable_wind = false;       // wind force and turbulence torque while no leg touches
  double wind_power = 15.0;       // peak wind force (Gymnasium recommends 0 to 20)
  double turbulence_power = 1.5;  // peak turbulence torque (Gymnasium recommends 0 to 2)
};

// The lander's state as Box2D keeps it (float): position, velocity, angle, angular velocity.
struct LanderBodyState {
  float x = 0, y = 0, vx = 0, vy = 0, angle = 0, omega = 0;
};

// The observation in double, before the float32 cast (Gymnasium's `state` list): position and
// velocity scaled by the viewport, angle, scaled angular velocity, the two leg-contact flags.
std::array<double, 8> lunar_lander_observation(const LanderBodyState& s, bool leg0, bool leg1);
// -100 |position| - 100 |velocity| - 100 |angle| + 10 per leg in contact (on the double values).
double lunar_lander_shaping(const std::array<double, 8>& obs);
// One step's reward before the terminal override: the change of shaping (none on the first step
// of an episode) minus 0.30 per unit of main-engine power and 0.03 per unit of side power.
double lunar_lander_reward(double shaping, const double* previous_shaping, double main_power,
                           double side_power);

// What a continuous action fires (Gymnasium: clip to [-1, 1], then main iff a0 > 0 with power
// (a0 + 1) / 2, side iff |a1| > 0.5 with power |a1| and direction sign(a1)); zero power is off.
struct LanderThrottle {
  double main_power = 0.0;
  double side_power = 0.0;
  int side_direction = 0;  // -1 left engine, +1 right engine
};
LanderThrottle lunar_lander_throttle(float a0, float a1);

class LunarLander final : public Env {
 public:
  explicit LunarLander(const LunarLanderConfig& config);
  ~LunarLander() override;

  ResetResult reset(std::optional<uint64_t> seed = std::nullopt,
                    const Kwargs& options = {}) override;
  StepResult step(const Action& action) override;

  // One Box2D world step and nothing else (no engines, draws or observation); returns whether
  // the episode would end (the lander touched something or fell asleep). rein-bench's limit.
  bool step_world_only();

  // (No state()/set_state(): the legs, joints and contacts cannot be set consistently.)
  std::string render_text() const override;
  // Gymnasium's 600 x 400 frame: black sky above the terrain, white ground, the lander and its
  // legs, the two flags (no engine particles).
  void render(DrawList& out) const override;
  RenderInfo render_info() const override { return {.draws = true, .text = true, .fps = 50}; }

  // What the last reset drew: the 12 terrain heights (before the pad is flattened) and the
  // initial force on the lander.
  const std::array<double, 12>& terrain_heights() const { return heights_; }
  std::array<double, 2> initial_force() const { return initial_force_; }
  LanderBodyState body_state() const;  // the lander body as Box2D keeps it
  bool leg_contact(int i) const { return leg_contact_[i]; }

 private:
  struct World;  // Box2D objects
  void build_world();
  StepResult physics_step(const LanderThrottle& throttle);

  LunarLanderConfig config_;
  std::unique_ptr<World> world_;
  std::array<double, 12> heights_{};
  std::array<double, 2> initial_force_{};
  int64_t wind_idx_ = 0, torque_idx_ = 0;
  bool game_over_ = false;
  bool leg_contact_[2] = {false, false};
  bool has_prev_shaping_ = false;
  double prev_shaping_ = 0.0;
  Tensor obs_;
  float* obs_data_ = nullptr;
};

// Both ids: LunarLanderContinuous-v3 is this with the default kwarg continuous=true.
std::unique_ptr<Env> make_lunar_lander(const Kwargs& kwargs);

}  // namespace rein::envs::internal
