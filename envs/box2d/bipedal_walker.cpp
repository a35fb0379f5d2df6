// BipedalWalker-v3 as Gymnasium 1.4's bipedal_walker.py defines it: the terrain state machine
// (grass, and in hardcore stumps, stairs and pits), hull and legs with motors and limits, lidar,
// observation, reward and termination, with Gymnasium's draws in Gymnasium's order (terrain, 110
// for the background clouds, then the initial force). Physics: Debian's Box2D 2.4.
#include "envs/box2d/bipedal_walker.h"

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
constexpr double kScale = 30.0;
constexpr double kMotorsTorque = 80.0;
constexpr double kSpeedHip = 4.0, kSpeedKnee = 6.0;
constexpr double kLidarRange = 160.0 / kScale;
constexpr double kInitialRandom = 5.0;
constexpr double kViewportW = 600.0, kViewportH = 400.0;
constexpr double kTerrainStep = 14.0 / kScale;
constexpr int kTerrainLength = 200;
constexpr double kTerrainHeight = kViewportH / kScale / 4;
constexpr int kTerrainGrass = 10;
constexpr int kTerrainStartpad = 20;
constexpr double kFriction = 2.5;
constexpr double kLegDown = -8.0 / kScale;
constexpr double kLegW = 8.0 / kScale, kLegH = 34.0 / kScale;
constexpr double kHullPoly[5][2] = {{-30, 9}, {6, 9}, {34, 1}, {34, -8}, {-30, -8}};

enum TerrainState : int64_t { kGrass = 0, kStump = 1, kStairs = 2, kPit = 3, kStates = 4 };

using Polygon = std::vector<std::array<double, 2>>;

double sign(double v) { return static_cast<double>((v > 0) - (v < 0)); }

}  // namespace

// Keeps the nearest terrain hit along a ray (Gymnasium's LidarCallback).
class LidarCallback final : public b2RayCastCallback {
 public:
  float ReportFixture(b2Fixture* fixture, const b2Vec2& /*point*/, const b2Vec2& /*normal*/,
                      float fraction) override {
    if ((fixture->GetFilterData().categoryBits & 1) == 0) return -1.0f;
    this->fraction = fraction;
    return fraction;
  }
  float fraction = 1.0f;
};

struct BipedalWalker::World {
  World() : world(b2Vec2(0.0f, -10.0f)) {}
  std::unique_ptr<ContactDetector> listener;  // declared first: outlives the world
  b2World world;
  std::vector<b2Body*> obstacles;
  b2Body* hull = nullptr;
  b2Body* legs[4] = {};             // upper(-1), lower(-1), upper(+1), lower(+1)
  b2RevoluteJoint* joints[4] = {};  // hip(-1), knee(-1), hip(+1), knee(+1)
};

std::array<double, 4> bipedal_walker_hull_observation(const WalkerBodyState& h) {
  return {static_cast<double>(h.angle), 2.0 * h.omega / kFps,
          0.3 * h.vx * (kViewportW / kScale) / kFps, 0.3 * h.vy * (kViewportH / kScale) / kFps};
}

double bipedal_walker_shaping(const WalkerBodyState& h) {
  double shaping = 130 * static_cast<double>(h.x) / kScale;  // 300 for the whole course
  shaping -= 5.0 * std::abs(static_cast<double>(h.angle));   // keep the head straight
  return shaping;
}

double bipedal_walker_reward(double shaping, const double* previous_shaping,
                             std::span<const float> action) {
  double reward = previous_shaping ? shaping - *previous_shaping : 0.0;
  for (float a : action)
    reward -= 0.00035 * kMotorsTorque * std::clamp(std::abs(double(a)), 0.0, 1.0);
  return reward;
}

BipedalWalker::BipedalWalker(bool hardcore) : hardcore_(hardcore) {
  const double pi = static_cast<float>(std::numbers::pi);  // float32 bounds, as Gymnasium
  std::vector<double> low = {-pi, -5, -5, -5, -pi, -5, -pi, -5, -0.0, -pi, -5, -pi, -5, -0.0};
  std::vector<double> high = {pi, 5, 5, 5, pi, 5, pi, 5, 5, pi, 5, pi, 5, 5};
  for (int i = 0; i < 10; ++i) {
    low.push_back(-1.0);
    high.push_back(1.0);
  }
  observation_space_ = Box(low, high);
  action_space_ = Box(-1.0, 1.0, Shape{4});
  obs_ = zeros(Shape{24}, Dtype::Float32);
  obs_data_ = obs_.data<float>();
}

BipedalWalker::~BipedalWalker() = default;

void BipedalWalker::generate_terrain() {
  b2World& w = world_->world;
  std::vector<Polygon> obstacles;
  int64_t state = kGrass;
  double velocity = 0.0, y = kTerrainHeight, original_y = 0.0;
  int64_t counter = kTerrainStartpad, stair_steps = 0, stair_width = 0, stair_height = 0;
  bool oneshot = false;
  const double s = kTerrainStep;
  terrain_x_.clear();
  terrain_y_.clear();
  for (int i = 0; i < kTerrainLength; ++i) {
    const double x = i * s;
    terrain_x_.push_back(x);
    if (state == kGrass && !oneshot) {
      velocity = 0.8 * velocity + 0.01 * sign(kTerrainHeight - y);
      if (i > kTerrainStartpad) velocity += rng().uniform(-1.0, 1.0) / kScale;
      y += velocity;
    } else if (state == kPit && oneshot) {
      counter = rng().integers(3, 5);
      const Polygon wall = {{x, y}, {x + s, y}, {x + s, y - 4 * s}, {x, y - 4 * s}};
      obstacles.push_back(wall);
      Polygon far = wall;
      for (auto& p : far) p[0] += s * static_cast<double>(counter);
      obstacles.push_back(far);
      counter += 2;
      original_y = y;
    } else if (state == kPit && !oneshot) {
      y = original_y;
      if (counter > 1) y -= 4 * s;
    } else if (state == kStump && oneshot) {
      counter = rng().integers(1, 3);
      const double c = static_cast<double>(counter);
      obstacles.push_back({{x, y}, {x + c * s, y}, {x + c * s, y + c * s}, {x, y + c * s}});
    } else if (state == kStairs && oneshot) {
      stair_height = rng().random() > 0.5 ? 1 : -1;
      stair_width = rng().integers(4, 5);
      stair_steps = rng().integers(3, 5);
      original_y = y;
      for (int64_t k = 0; k < stair_steps; ++k) {
        const double x0 = x + static_cast<double>(k * stair_width) * s;
        const double x1 = x + static_cast<double>((1 + k) * stair_width) * s;
        const double y0 = y + static_cast<double>(k * stair_height) * s;
        const double y1 = y + static_cast<double>(-1 + k * stair_height) * s;
        obstacles.push_back({{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}});
      }
      counter = stair_steps * stair_width;
    } else if (state == kStairs && !oneshot) {
      const int64_t k = stair_steps * stair_width - counter - stair_height;
      const double n = static_cast<double>(k) / static_cast<double>(stair_width);
      y = original_y + (n * static_cast<double>(stair_height)) * s;
    }
    oneshot = false;
    terrain_y_.push_back(y);
    counter -= 1;
    if (counter == 0) {
      counter = rng().integers(kTerrainGrass / 2, kTerrainGrass);
      state = state == kGrass && hardcore_ ? rng().integers(1, kStates) : kGrass;
      oneshot = true;
    }
  }
  // Obstacles first, then the 199 edges: Box2D's contact order follows creation order.
  for (const Polygon& poly : obstacles) {
    b2Vec2 v[4];
    for (size_t k = 0; k < 4; ++k) v[k] = vec(poly[k][0], poly[k][1]);
    b2PolygonShape shape;
    shape.Set(v, 4);
    b2FixtureDef fd;
    fd.shape = &shape;
    fd.friction = static_cast<float>(kFriction);
    b2BodyDef bd;
    b2Body* body = w.CreateBody(&bd);
    body->CreateFixture(&fd);
    world_->obstacles.push_back(body);
  }
  for (int i = 0; i + 1 < kTerrainLength; ++i) {
    b2EdgeShape edge;
    edge.SetTwoSided(vec(terrain_x_[i], terrain_y_[i]), vec(terrain_x_[i + 1], terrain_y_[i + 1]));
    b2FixtureDef fd;
    fd.shape = &edge;
    fd.friction = static_cast<float>(kFriction);
    fd.filter.categoryBits = 0x0001;
    b2BodyDef bd;
    w.CreateBody(&bd)->CreateFixture(&fd);
  }
}

// The background clouds only decorate the frames, but their 110 draws come before the initial
// force: 10 clouds, each a position and 5 vertices of two draws (Gymnasium's 3.14, not pi).
void BipedalWalker::generate_clouds() {
  clouds_.clear();
  for (int i = 0; i < kTerrainLength / 20; ++i) {
    const double x = rng().uniform(0.0, kTerrainLength) * kTerrainStep;
    const double y = kViewportH / kScale * 3 / 4;
    std::array<std::array<double, 2>, 5> poly{};
    for (int a = 0; a < 5; ++a) {
      const double px =
          x + 15 * kTerrainStep * std::sin(3.14 * 2 * a / 5) + rng().uniform(0.0, 5 * kTerrainStep);
      const double py =
          y + 5 * kTerrainStep * std::cos(3.14 * 2 * a / 5) + rng().uniform(0.0, 5 * kTerrainStep);
      poly[static_cast<size_t>(a)] = {px, py};
    }
    clouds_.push_back(poly);
  }
}

void BipedalWalker::build_walker() {
  b2World& w = world_->world;
  const double init_x = kTerrainStep * kTerrainStartpad / 2;
  const double init_y = kTerrainHeight + 2 * kLegH;
  // The hull and the legs collide with the ground only.
  b2Body* hull =
      dynamic_body(w, init_x, init_y, 0.0, scaled_polygon(kHullPoly, 5, kScale),
                   {.density = 5.0f, .friction = 0.1f, .category = 0x0020, .mask = 0x001});
  initial_force_ = rng().uniform(-kInitialRandom, kInitialRandom);
  hull->ApplyForceToCenter(vec(initial_force_, 0.0), true);
  world_->hull = hull;

  auto make_leg = [&](double y, double half_w, double angle) {
    return dynamic_body(w, init_x, y, angle, box(half_w, kLegH / 2),
                        {.density = 1.0f, .category = 0x0020, .mask = 0x001});
  };
  auto make_joint = [&](b2Body* a, b2Body* b, double anchor_a_y, double speed, double lower,
                        double upper) {
    return motor_joint(w, a, b, vec(0, anchor_a_y), vec(0, kLegH / 2),
                       {kMotorsTorque, speed, lower, upper});
  };
  for (int k = 0; k < 2; ++k) {
    const double i = k == 0 ? -1.0 : 1.0;
    b2Body* upper = make_leg(init_y - kLegH / 2 - kLegDown, kLegW / 2, i * 0.05);
    world_->legs[2 * k] = upper;
    world_->joints[2 * k] = make_joint(hull, upper, kLegDown, i, -0.8, 1.1);
    b2Body* lower = make_leg(init_y - kLegH * 3 / 2 - kLegDown, 0.8 * kLegW / 2, i * 0.05);
    world_->legs[2 * k + 1] = lower;
    world_->joints[2 * k + 1] = make_joint(upper, lower, -kLegH / 2, 1.0, -1.6, -0.1);
  }
  world_->listener = std::make_unique<ContactDetector>(
      hull, &game_over_, world_->legs[1], &lower_contact_[0], world_->legs[3], &lower_contact_[1]);
  w.SetContactListener(world_->listener.get());
}

ResetResult BipedalWalker::reset(std::optional<uint64_t> seed, const Kwargs& options) {
  if (!options.empty()) KwargsReader(name() + ".reset options", options).finish();
  seed_rng(seed);
  world_ = std::make_unique<World>();
  game_over_ = false;
  lower_contact_[0] = lower_contact_[1] = false;
  has_prev_shaping_ = false;
  generate_terrain();
  generate_clouds();
  steps_since_reset_ = 0;
  build_walker();
  const float zeros4[4] = {0, 0, 0, 0};
  physics_step(zeros4);  // Gymnasium's reset returns the observation of a step with action 0
  info_.clear();
  return {obs_, info_};
}

StepResult BipedalWalker::step(const Action& action) {
  if (!world_) throw Error(str(name(), ".step: call reset() before step()"));
  if (action.kind() != Action::Kind::Continuous || action.values().size() != 4) {
    check_action(action_space_, action, name() + ".step");
  }
  // A NaN becomes a NaN motor torque, the bodies' positions turn NaN and Box2D's lidar ray cast
  // aborts the process; other values are clipped (inf is a full torque).
  for (const float v : action.values()) {
    if (std::isnan(v)) {
      throw Error(str(name(), ".step: action ", action.to_string(),
                      " holds a NaN (each of the 4 motors takes a value in [-1, 1])"));
    }
  }
  return physics_step(action.values());
}

StepResult BipedalWalker::physics_step(std::span<const float> action) {
  for (int j = 0; j < 4; ++j) {
    // speed = SPEED * sign(a), torque = 80 * clip(|a|, 0, 1) in float32 (NumPy on a float32):
    // a = 0 releases the joint, |a| > 1 only saturates the torque.
    const float a = action[static_cast<size_t>(j)];
    const double speed = (j % 2 == 0 ? kSpeedHip : kSpeedKnee) * sign(a);
    world_->joints[j]->SetMotorSpeed(static_cast<float>(speed));
    world_->joints[j]->SetMaxMotorTorque(80.0f * std::clamp(std::abs(a), 0.0f, 1.0f));
  }
  world_->world.Step(static_cast<float>(1.0 / kFps), 6 * 30, 2 * 30);
  ++steps_since_reset_;

  const b2Body* hull = world_->hull;
  const b2Vec2 pos = hull->GetPosition();
  float lidar[10];
  for (int i = 0; i < 10; ++i) {
    LidarCallback cb;
    const b2Vec2 p2 = vec(pos.x + std::sin(1.5 * i / 10.0) * kLidarRange,
                          pos.y - std::cos(1.5 * i / 10.0) * kLidarRange);
    world_->world.RayCast(&cb, pos, p2);
    lidar[i] = cb.fraction;
  }
  const WalkerBodyState h = hull_state();
  const auto head = bipedal_walker_hull_observation(h);
  double o[24];
  for (int i = 0; i < 4; ++i) o[i] = head[static_cast<size_t>(i)];
  for (int k = 0; k < 2; ++k) {
    const b2RevoluteJoint* hip = world_->joints[2 * k];
    const b2RevoluteJoint* knee = world_->joints[2 * k + 1];
    double* leg = o + 4 + 5 * k;
    leg[0] = hip->GetJointAngle();
    leg[1] = hip->GetJointSpeed() / kSpeedHip;
    leg[2] = knee->GetJointAngle() + 1.0;
    leg[3] = knee->GetJointSpeed() / kSpeedKnee;
    leg[4] = lower_contact_[k] ? 1.0 : 0.0;
  }
  for (int i = 0; i < 10; ++i) o[14 + i] = lidar[i];

  const double shaping = bipedal_walker_shaping(h);
  double reward =
      bipedal_walker_reward(shaping, has_prev_shaping_ ? &prev_shaping_ : nullptr, action);
  prev_shaping_ = shaping;
  has_prev_shaping_ = true;
  bool terminated = false;
  if (game_over_ || pos.x < 0) {
    reward = -100;
    terminated = true;
  }
  // The end of the course terminates without a bonus.
  if (pos.x > (kTerrainLength - kTerrainGrass) * kTerrainStep) terminated = true;
  for (int i = 0; i < 24; ++i) obs_data_[i] = static_cast<float>(o[i]);
  return {obs_, reward, terminated, false, info_};
}

bool BipedalWalker::step_world_only() {
  world_->world.Step(static_cast<float>(1.0 / kFps), 6 * 30, 2 * 30);
  const double x = world_->hull->GetPosition().x;
  return game_over_ || x < 0 || x > (kTerrainLength - kTerrainGrass) * kTerrainStep;
}

WalkerBodyState BipedalWalker::hull_state() const {
  if (!world_) return {};
  const b2Body* b = world_->hull;
  return {b->GetPosition().x,       b->GetPosition().y, b->GetLinearVelocity().x,
          b->GetLinearVelocity().y, b->GetAngle(),      b->GetAngularVelocity()};
}

std::vector<std::vector<std::array<float, 2>>> BipedalWalker::obstacles() const {
  std::vector<std::vector<std::array<float, 2>>> out;
  if (!world_) return out;
  for (const b2Body* body : world_->obstacles) {
    const auto* shape = static_cast<const b2PolygonShape*>(body->GetFixtureList()->GetShape());
    std::vector<std::array<float, 2>> poly;
    for (int k = 0; k < shape->m_count; ++k)
      poly.push_back({shape->m_vertices[k].x, shape->m_vertices[k].y});
    out.push_back(std::move(poly));
  }
  return out;
}

std::string BipedalWalker::render_text() const {
  const WalkerBodyState h = hull_state();
  return str("hull x=", h.x, " y=", h.y, " angle=", h.angle, " legs=", lower_contact_[0],
             lower_contact_[1]);
}

void BipedalWalker::render(DrawList& out) const {
  const double view_w = kViewportW / kScale, view_h = kViewportH / kScale;
  const double scroll = world_ ? world_->hull->GetPosition().x - view_w / 5 : 0.0;
  const double left = std::max(0.0, scroll);  // Gymnasium's frame is the last 600 px of its surface
  out.set_viewport({left, left + view_w, 0.0, view_h, static_cast<int>(kViewportW),
                    static_cast<int>(kViewportH)});
  out.set_background({0, 0, 0, 255});
  out.polygon({{scroll, 0}, {scroll + view_w, 0}, {scroll + view_w, view_h}, {scroll, view_h}},
              {215, 215, 255, 255});
  if (!world_) return;
  for (const auto& cloud : clouds_) {  // at half the scroll: parallax
    double x1 = cloud[0][0], x2 = cloud[0][0];
    for (const auto& p : cloud) x1 = std::min(x1, p[0]), x2 = std::max(x2, p[0]);
    if (x2 < scroll / 2 || x1 > scroll / 2 + view_w) continue;
    std::vector<Point> pts;
    for (const auto& p : cloud) pts.push_back({p[0] + scroll / 2, p[1]});
    out.polygon(std::move(pts), {255, 255, 255, 255});
  }
  for (size_t i = 0; i + 1 < terrain_x_.size(); ++i) {
    const double x0 = terrain_x_[i], x1 = terrain_x_[i + 1];
    if (x1 < scroll || x0 > scroll + view_w) continue;
    out.polygon({{x0, terrain_y_[i]}, {x1, terrain_y_[i + 1]}, {x1, 0}, {x0, 0}},
                {102, 153, 76, 255});
  }
  const int64_t ray = steps_since_reset_ % 100;  // rays 0..9, then 9..0, then none for 80 frames
  if (ray < 20) {
    const int k = static_cast<int>(ray < 10 ? ray : 19 - ray);
    const b2Vec2 p = world_->hull->GetPosition();
    out.line({p.x, p.y},
             {p.x + std::sin(1.5 * k / 10.0) * kLidarRange,
              p.y - std::cos(1.5 * k / 10.0) * kLidarRange},
             {255, 0, 0, 255});
  }
  for (const b2Body* b : world_->obstacles)
    draw_body(out, *b, {255, 255, 255, 255}, {153, 153, 153, 255});
  for (size_t i = 0; i + 1 < terrain_x_.size(); ++i) {
    out.line({terrain_x_[i], terrain_y_[i]}, {terrain_x_[i + 1], terrain_y_[i + 1]},
             {76, static_cast<uint8_t>(i % 2 == 0 ? 255 : 204), 76, 255});
  }
  for (int k = 0; k < 4; ++k) {  // upper and lower leg of side -1, then of side +1
    const int side = k < 2 ? -1 : 1;
    const auto shade = [side](int v) { return static_cast<uint8_t>(v - side * 25); };
    draw_body(out, *world_->legs[k], {shade(153), shade(76), shade(127), 255},
              {shade(102), shade(76), shade(76), 255});
  }
  draw_body(out, *world_->hull, {127, 51, 229, 255}, {76, 76, 127, 255});
  const double flag_x = kTerrainStep * 3, flag_y1 = kTerrainHeight, flag_y2 = flag_y1 + 50 / kScale;
  out.line({flag_x, flag_y1}, {flag_x, flag_y2}, {0, 0, 0, 255});
  const std::vector<Point> flag = {{flag_x, flag_y2},
                                   {flag_x, flag_y2 - 10 / kScale},
                                   {flag_x + 25 / kScale, flag_y2 - 5 / kScale}};
  out.polygon(flag, {230, 51, 0, 255});
  out.polygon(flag, {0, 0, 0, 255}, false);
}

std::unique_ptr<Env> make_bipedal_walker(const Kwargs& kwargs) {
  KwargsReader kw("BipedalWalker-v3", kwargs);
  const bool hardcore = kw.get_bool("hardcore", false);
  kw.finish();
  return std::make_unique<BipedalWalker>(hardcore);
}

}  // namespace rein::envs::internal
