// LunarLander-v3 as Gymnasium 1.4's lunar_lander.py defines it: terrain, bodies, joints,
// engines, observation scaling, reward shaping and termination, with the same draws from the
// env's NpRandom in the same order, so a seed gives Gymnasium's terrain and initial force. The
// physics is Debian's Box2D 2.4 (Gymnasium runs 2.3): trajectories drift once bodies touch.
#include "envs/box2d/lunar_lander.h"

#include <box2d/box2d.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "envs/box2d/body_building.h"
#include "envs/box2d/body_drawing.h"
#include "envs/box2d/contact_detector.h"

namespace rein::envs::internal {
namespace {

constexpr double kFps = 50.0;
constexpr double kScale = 30.0;  // pixels per world unit
constexpr double kMainEnginePower = 13.0;
constexpr double kSideEnginePower = 0.6;
constexpr double kInitialRandom = 1000.0;
constexpr double kLegAway = 20.0, kLegDown = 18.0, kLegW = 2.0, kLegH = 8.0;
constexpr double kLegSpringTorque = 40.0;
constexpr double kSideEngineHeight = 14.0;  // the side impulse uses 17 along x, 14 along y
constexpr double kSideEngineAway = 12.0;
constexpr double kMainEngineYLocation = 4.0;
constexpr double kViewportW = 600.0, kViewportH = 400.0;
constexpr double kW = kViewportW / kScale;  // 20
constexpr double kH = kViewportH / kScale;  // 13.333...
constexpr int kChunks = 11;
constexpr double kLanderPoly[6][2] = {{-14, 17}, {-17, 0}, {-17, -10},
                                      {17, -10}, {17, 0},  {14, 17}};

double chunk_x(int i) { return kW / (kChunks - 1) * i; }

// The terrain's surface at each chunk: the heights with the five around the pad flattened to
// H/4, smoothed with 0.33 (not 1/3) and index -1 wrapping to the last height, as Gymnasium does.
std::array<double, kChunks> terrain_surface(const std::array<double, kChunks + 1>& heights) {
  std::array<double, kChunks + 1> height = heights;
  for (int i = kChunks / 2 - 2; i <= kChunks / 2 + 2; ++i) height[static_cast<size_t>(i)] = kH / 4;
  std::array<double, kChunks> smooth_y{};
  for (int i = 0; i < kChunks; ++i) {
    const double before = height[static_cast<size_t>(i == 0 ? kChunks : i - 1)];
    smooth_y[static_cast<size_t>(i)] =
        0.33 * (before + height[static_cast<size_t>(i)] + height[static_cast<size_t>(i + 1)]);
  }
  return smooth_y;
}

}  // namespace

struct LunarLander::World {
  explicit World(double gravity) : world(vec(0.0, gravity)) {}
  std::unique_ptr<ContactDetector> listener;  // declared first: outlives the world
  b2World world;
  b2Body* lander = nullptr;
  b2Body* legs[2] = {nullptr, nullptr};
};

std::array<double, 8> lunar_lander_observation(const LanderBodyState& s, bool leg0, bool leg1) {
  const double half_w = kViewportW / kScale / 2;
  const double half_h = kViewportH / kScale / 2;
  const double helipad_y = kH / 4;
  return {(s.x - half_w) / half_w,
          (s.y - (helipad_y + kLegDown / kScale)) / half_h,
          s.vx * half_w / kFps,
          s.vy * half_h / kFps,
          static_cast<double>(s.angle),
          20.0 * s.omega / kFps,
          leg0 ? 1.0 : 0.0,
          leg1 ? 1.0 : 0.0};
}

double lunar_lander_shaping(const std::array<double, 8>& o) {
  return -100 * std::sqrt(o[0] * o[0] + o[1] * o[1]) - 100 * std::sqrt(o[2] * o[2] + o[3] * o[3]) -
         100 * std::abs(o[4]) + 10 * o[6] + 10 * o[7];
}

double lunar_lander_reward(double shaping, const double* previous_shaping, double main_power,
                           double side_power) {
  double reward = previous_shaping ? shaping - *previous_shaping : 0.0;
  reward -= main_power * 0.30;  // fuel
  reward -= side_power * 0.03;
  return reward;
}

LunarLander::LunarLander(const LunarLanderConfig& config) : config_(config) {
  const double two_pi = static_cast<float>(2 * std::numbers::pi);  // float32 bounds, as Gymnasium
  observation_space_ = Box({-2.5, -2.5, -10.0, -10.0, -two_pi, -10.0, -0.0, -0.0},
                           {2.5, 2.5, 10.0, 10.0, two_pi, 10.0, 1.0, 1.0});
  if (config_.continuous) {
    action_space_ = Box(-1.0, 1.0, Shape{2});
  } else {
    action_space_ = Discrete(4);  // 0 nothing, 1 left engine, 2 main engine, 3 right engine
  }
  obs_ = zeros(Shape{8}, Dtype::Float32);
  obs_data_ = obs_.data<float>();
}

LunarLander::~LunarLander() = default;

void LunarLander::build_world() {
  world_ = std::make_unique<World>(config_.gravity);
  b2World& w = world_->world;
  // Terrain: 12 heights, flattened around the pad and smoothed.
  for (double& h : heights_) h = rng().uniform(0.0, kH / 2);
  const std::array<double, kChunks> smooth_y = terrain_surface(heights_);
  b2BodyDef moon_def;
  b2Body* moon = w.CreateBody(&moon_def);
  b2EdgeShape bottom;
  bottom.SetTwoSided(vec(0, 0), vec(kW, 0));
  moon->CreateFixture(&bottom, 0.0f);  // friction 0.2, Box2D's default
  for (int i = 0; i < kChunks - 1; ++i) {
    b2EdgeShape edge;
    edge.SetTwoSided(vec(chunk_x(i), smooth_y[static_cast<size_t>(i)]),
                     vec(chunk_x(i + 1), smooth_y[static_cast<size_t>(i + 1)]));
    b2FixtureDef fd;
    fd.shape = &edge;
    fd.density = 0.0f;
    fd.friction = 0.1f;
    moon->CreateFixture(&fd);
  }

  const double initial_x = kViewportW / kScale / 2, initial_y = kViewportH / kScale;
  // The lander and its legs collide with the ground only.
  b2Body* lander =
      dynamic_body(w, initial_x, initial_y, 0.0, scaled_polygon(kLanderPoly, 6, kScale),
                   {.density = 5.0f, .friction = 0.1f, .category = 0x0010, .mask = 0x001});
  const double fx = rng().uniform(-kInitialRandom, kInitialRandom);
  const double fy = rng().uniform(-kInitialRandom, kInitialRandom);
  initial_force_ = {fx, fy};
  lander->ApplyForceToCenter(vec(fx, fy), true);
  if (config_.enable_wind) {
    wind_idx_ = rng().integers(-9999, 9999);
    torque_idx_ = rng().integers(-9999, 9999);
  }
  world_->lander = lander;

  for (int k = 0; k < 2; ++k) {
    const double i = k == 0 ? -1.0 : 1.0;
    b2Body* leg = dynamic_body(w, initial_x - i * kLegAway / kScale, initial_y, i * 0.05,
                               box(kLegW / kScale, kLegH / kScale),
                               {.density = 1.0f, .category = 0x0020, .mask = 0x001});
    // The motor is weak enough not to jump back into the sky.
    motor_joint(w, lander, leg, vec(0, 0), vec(i * kLegAway / kScale, kLegDown / kScale),
                {kLegSpringTorque, 0.3 * i, k == 0 ? 0.9 - 0.5 : -0.9, k == 0 ? 0.9 : -0.9 + 0.5});
    world_->legs[k] = leg;
  }
  world_->listener = std::make_unique<ContactDetector>(
      lander, &game_over_, world_->legs[0], &leg_contact_[0], world_->legs[1], &leg_contact_[1]);
  w.SetContactListener(world_->listener.get());
}

ResetResult LunarLander::reset(std::optional<uint64_t> seed, const Kwargs& options) {
  if (!options.empty()) KwargsReader(name() + ".reset options", options).finish();
  seed_rng(seed);
  game_over_ = false;
  leg_contact_[0] = leg_contact_[1] = false;
  has_prev_shaping_ = false;
  build_world();
  // Gymnasium's reset returns the observation of one no-op step (which also draws dispersion).
  physics_step(LanderThrottle{});
  info_.clear();
  return {obs_, info_};
}

StepResult LunarLander::step(const Action& action) {
  if (!world_) throw Error(str(name(), ".step: call reset() before step()"));
  if (config_.continuous) {
    if (action.kind() != Action::Kind::Continuous || action.values().size() != 2) {
      check_action(action_space_, action, name() + ".step");
    }
    return physics_step(lunar_lander_throttle(action.values()[0], action.values()[1]));
  }
  if (!action.is_discrete() || action.index() < 0 || action.index() > 3) {
    check_action(action_space_, action, name() + ".step");
  }
  const int64_t a = action.index();
  LanderThrottle throttle;
  if (a == 2) throttle.main_power = 1.0;
  if (a == 1 || a == 3) {
    throttle.side_power = 1.0;
    throttle.side_direction = static_cast<int>(a - 2);
  }
  return physics_step(throttle);
}

LanderThrottle lunar_lander_throttle(float a0_in, float a1_in) {
  // np.clip on the float32 action, then float64.
  const double a0 = std::clamp(a0_in, -1.0f, 1.0f);
  const double a1 = std::clamp(a1_in, -1.0f, 1.0f);
  LanderThrottle t;
  if (a0 > 0.0) t.main_power = (std::clamp(a0, 0.0, 1.0) + 1.0) * 0.5;  // 0.5 to 1
  if (std::abs(a1) > 0.5) {
    t.side_power = std::clamp(std::abs(a1), 0.5, 1.0);
    t.side_direction = a1 > 0 ? 1 : -1;
  }
  return t;
}

StepResult LunarLander::physics_step(const LanderThrottle& throttle) {
  const double main_power = throttle.main_power, side_power = throttle.side_power;
  const int side_direction = throttle.side_direction;
  b2Body* lander = world_->lander;
  if (config_.enable_wind && !(leg_contact_[0] || leg_contact_[1])) {
    const double k = static_cast<double>(wind_idx_);
    const double wind =
        std::tanh(std::sin(0.02 * k) + std::sin(std::numbers::pi * 0.01 * k)) * config_.wind_power;
    ++wind_idx_;
    lander->ApplyForceToCenter(vec(wind, 0.0), true);
    const double t = static_cast<double>(torque_idx_);
    const double torque = std::tanh(std::sin(0.02 * t) + std::sin(std::numbers::pi * 0.01 * t)) *
                          config_.turbulence_power;
    ++torque_idx_;
    lander->ApplyTorque(static_cast<float>(torque), true);
  }
  const double angle = lander->GetAngle();
  const double tip[2] = {std::sin(angle), std::cos(angle)};
  const double side[2] = {-tip[1], tip[0]};
  double dispersion[2];
  for (double& d : dispersion) d = rng().uniform(-1.0, 1.0) / kScale;  // drawn every step
  const double px = lander->GetPosition().x, py = lander->GetPosition().y;
  if (main_power > 0.0) {
    const double along = kMainEngineYLocation / kScale + 2 * dispersion[0];
    const double ox = tip[0] * along + side[0] * dispersion[1];
    const double oy = -tip[1] * along - side[1] * dispersion[1];
    lander->ApplyLinearImpulse(
        vec(-ox * kMainEnginePower * main_power, -oy * kMainEnginePower * main_power),
        vec(px + ox, py + oy), true);
  }
  if (side_power > 0.0) {
    const double across = 3 * dispersion[1] + side_direction * kSideEngineAway / kScale;
    const double ox = tip[0] * dispersion[0] + side[0] * across;
    const double oy = -tip[1] * dispersion[0] - side[1] * across;
    // 17 along the tip's x, SIDE_ENGINE_HEIGHT (14) along y: Gymnasium's asymmetry, kept.
    lander->ApplyLinearImpulse(
        vec(-ox * kSideEnginePower * side_power, -oy * kSideEnginePower * side_power),
        vec(px + ox - tip[0] * 17 / kScale, py + oy + tip[1] * kSideEngineHeight / kScale), true);
  }
  world_->world.Step(static_cast<float>(1.0 / kFps), 6 * 30, 2 * 30);

  const std::array<double, 8> o =
      lunar_lander_observation(body_state(), leg_contact_[0], leg_contact_[1]);
  const double shaping = lunar_lander_shaping(o);
  double reward = lunar_lander_reward(shaping, has_prev_shaping_ ? &prev_shaping_ : nullptr,
                                      main_power, side_power);
  prev_shaping_ = shaping;
  has_prev_shaping_ = true;
  bool terminated = false;
  if (game_over_ || std::abs(o[0]) >= 1.0) {
    terminated = true;
    reward = -100;
  }
  if (!lander->IsAwake()) {  // at rest: Box2D put the lander to sleep (this check wins)
    terminated = true;
    reward = +100;
  }
  for (size_t i = 0; i < 8; ++i) obs_data_[i] = static_cast<float>(o[i]);
  return {obs_, reward, terminated, false, info_};
}

bool LunarLander::step_world_only() {
  world_->world.Step(static_cast<float>(1.0 / kFps), 6 * 30, 2 * 30);
  return game_over_ || !world_->lander->IsAwake();
}

LanderBodyState LunarLander::body_state() const {
  if (!world_) return {};
  const b2Body* b = world_->lander;
  return {b->GetPosition().x,       b->GetPosition().y, b->GetLinearVelocity().x,
          b->GetLinearVelocity().y, b->GetAngle(),      b->GetAngularVelocity()};
}

std::string LunarLander::render_text() const {
  const LanderBodyState s = body_state();
  return str("x=", s.x, " y=", s.y, " vx=", s.vx, " vy=", s.vy, " angle=", s.angle,
             " legs=", leg_contact_[0], leg_contact_[1]);
}

void LunarLander::render(DrawList& out) const {
  out.set_viewport({0.0, kW, 0.0, kH, static_cast<int>(kViewportW), static_cast<int>(kViewportH)});
  out.set_background({255, 255, 255, 255});
  if (!world_) return;
  const std::array<double, kChunks> y = terrain_surface(heights_);
  for (size_t i = 0; i + 1 < kChunks; ++i) {  // the sky above each stretch of terrain
    const double x0 = chunk_x(static_cast<int>(i)), x1 = chunk_x(static_cast<int>(i) + 1);
    out.polygon({{x0, y[i]}, {x1, y[i + 1]}, {x1, kH}, {x0, kH}}, {0, 0, 0, 255});
  }
  const Color fill{128, 102, 230, 255}, outline{77, 77, 128, 255};
  draw_body(out, *world_->lander, fill, outline);
  for (const b2Body* leg : world_->legs) draw_body(out, *leg, fill, outline);
  const double flag_y1 = kH / 4, flag_y2 = flag_y1 + 50 / kScale;  // 50 px poles, 25 x 10 px flags
  for (const double x : {chunk_x(kChunks / 2 - 1), chunk_x(kChunks / 2 + 1)}) {
    out.line({x, flag_y1}, {x, flag_y2}, {255, 255, 255, 255});
    out.polygon({{x, flag_y2}, {x, flag_y2 - 10 / kScale}, {x + 25 / kScale, flag_y2 - 5 / kScale}},
                {204, 204, 0, 255});
  }
}

namespace {

LunarLanderConfig parse_config(const char* id, const Kwargs& kwargs) {
  KwargsReader kw(id, kwargs);
  LunarLanderConfig c;
  c.continuous = kw.get_bool("continuous", c.continuous);
  c.gravity = kw.get_double_in("gravity", c.gravity, -12.0, 0.0, "Gymnasium's bound",
                               KwargsReader::Ends::Open);
  c.enable_wind = kw.get_bool("enable_wind", c.enable_wind);
  // Gymnasium warns outside [0, 20] and [0, 2] and steps on. Box2D computes in float32: a wind
  // force beyond 3.4e38 is inf there, a turbulence torque near 1e38 overflows the angular
  // velocity, and either gives NaN observations and rewards at the first windy step. Up to
  // 1e30 (ten million times below the first failure seen) every value steps as in Gymnasium.
  const char* const float32_nan =
      "; Box2D computes in float32, where a force or torque near 1e38 makes the lander's state NaN";
  c.wind_power = kw.get_double_in("wind_power", c.wind_power, -kMaxWindPower, kMaxWindPower,
                                  str("Gymnasium recommends 0 to 20", float32_nan));
  c.turbulence_power =
      kw.get_double_in("turbulence_power", c.turbulence_power, -kMaxWindPower, kMaxWindPower,
                       str("Gymnasium recommends 0 to 2", float32_nan));
  kw.finish();
  return c;
}

}  // namespace

std::unique_ptr<Env> make_lunar_lander(const Kwargs& kwargs) {
  return std::make_unique<LunarLander>(parse_config("LunarLander-v3", kwargs));
}

}  // namespace rein::envs::internal
