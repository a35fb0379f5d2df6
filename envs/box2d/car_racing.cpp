// CarRacing-v3 as Gymnasium 1.4's car_racing.py and car_dynamics.py define it: track generation
// with the same draws from the env's NpRandom in the same order (so a seed gives Gymnasium's
// track), the car's hull, wheels and friction model, tile contacts, rewards and termination. The
// physics is Debian's Box2D 2.4 (Gymnasium runs 2.3); nothing collides in this world (the tiles
// are sensors), so trajectories stay close. The observation is drawn by rein's rasteriser, not
// pygame: see docs/ENVS.md for how close the pixels are.
#include "envs/box2d/car_racing.h"

#include <box2d/box2d.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numbers>

#include "envs/box2d/contact_detector.h"  // vec()
#include "envs/internal/bitmap_font.h"

namespace rein::envs::internal {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr int kStateSize = 96;                     // observation: 96 x 96 x 3
constexpr int kSupersample = 3;                    // drawn at 288 x 288, averaged down to 96 x 96
constexpr double kWindowW = 1000, kWindowH = 800;  // Gymnasium's canvas
constexpr double kScale = 6.0;
constexpr double kTrackRad = 900 / kScale;
constexpr double kPlayfield = 2000 / kScale;
constexpr double kFps = 50;
constexpr double kZoom = 2.7;
constexpr double kTrackDetailStep = 21 / kScale;
constexpr double kTrackTurnRate = 0.31;
constexpr double kTrackWidth = 40 / kScale;
constexpr double kBorder = 8 / kScale;
constexpr int kBorderMinCount = 4;
constexpr double kGrassDim = kPlayfield / 20.0;
// The largest on-screen size of any drawn object: polygons with no vertex within this margin of
// the canvas are skipped, as Gymnasium does.
const double kMaxShapeDim =
    std::max({kGrassDim, kTrackWidth, kTrackDetailStep}) * std::sqrt(2.0) * kZoom * kScale;

// car_dynamics.py
constexpr double kSize = 0.02;
constexpr double kEnginePower = 100000000 * kSize * kSize;
constexpr double kWheelMomentOfInertia = 4000 * kSize * kSize;
constexpr double kFrictionLimit = 1000000 * kSize * kSize;
constexpr double kWheelR = 27, kWheelW = 14;
constexpr double kWheelPos[4][2] = {{-55, +80}, {+55, +80}, {-55, -82}, {+55, -82}};
const std::vector<std::vector<std::array<double, 2>>> kHullPolys = {
    {{-60, +130}, {+60, +130}, {+60, +110}, {-60, +110}},
    {{-15, +120}, {+15, +120}, {+20, +20}, {-20, 20}},
    {{+25, +20},
     {+50, -10},
     {+50, -40},
     {+20, -90},
     {-20, -90},
     {-50, -40},
     {-50, -10},
     {-25, +20}},
    {{-50, -120}, {+50, -120}, {+50, -90}, {-50, -90}}};

double sign(double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0); }  // np.sign (0 at 0)

// Python's negative indexing on a list of n elements.
size_t wrap(int64_t i, size_t n) {
  const auto m = static_cast<int64_t>(n);
  return static_cast<size_t>(((i % m) + m) % m);
}

Color rgb(const std::array<double, 3>& c) {  // [int(c) for c in color]
  return {static_cast<uint8_t>(static_cast<int>(c[0])),
          static_cast<uint8_t>(static_cast<int>(c[1])),
          static_cast<uint8_t>(static_cast<int>(c[2])), 255};
}

}  // namespace

std::vector<TrackPoint> car_racing_track_attempt(NpRandom& rng) {
  constexpr int kCheckpoints = 12;
  struct Checkpoint {
    double alpha, x, y;
  };
  std::array<Checkpoint, kCheckpoints> checkpoints{};
  double start_alpha = 0;
  for (int c = 0; c < kCheckpoints; ++c) {
    const double noise = rng.uniform(0, 2 * kPi * 1 / kCheckpoints);
    double alpha = 2 * kPi * c / kCheckpoints + noise;
    double rad = rng.uniform(kTrackRad / 3, kTrackRad);
    if (c == 0) {
      alpha = 0;
      rad = 1.5 * kTrackRad;
    }
    if (c == kCheckpoints - 1) {
      alpha = 2 * kPi * c / kCheckpoints;
      start_alpha = 2 * kPi * (-0.5) / kCheckpoints;
      rad = 1.5 * kTrackRad;
    }
    checkpoints[static_cast<size_t>(c)] = {alpha, rad * std::cos(alpha), rad * std::sin(alpha)};
  }

  // Walk from checkpoint to checkpoint, turning towards the next one at a bounded rate.
  double x = 1.5 * kTrackRad, y = 0, beta = 0;
  double dest_x = 0, dest_y = 0;
  int64_t dest_i = 0;
  int laps = 0, no_freeze = 2500;
  bool visited_other_side = false;
  std::vector<TrackPoint> track;
  while (true) {
    double alpha = std::atan2(y, x);
    if (visited_other_side && alpha > 0) {
      ++laps;
      visited_other_side = false;
    }
    if (alpha < 0) {
      visited_other_side = true;
      alpha += 2 * kPi;
    }
    while (true) {  // the first checkpoint at or beyond alpha
      bool failed = true;
      while (true) {
        const Checkpoint& d = checkpoints[static_cast<size_t>(dest_i % kCheckpoints)];
        dest_x = d.x;
        dest_y = d.y;
        if (alpha <= d.alpha) {
          failed = false;
          break;
        }
        ++dest_i;
        if (dest_i % kCheckpoints == 0) break;
      }
      if (!failed) break;
      alpha -= 2 * kPi;
    }
    const double r1x = std::cos(beta), r1y = std::sin(beta);
    const double p1x = -r1y, p1y = r1x;
    const double dest_dx = dest_x - x, dest_dy = dest_y - y;
    double proj = r1x * dest_dx + r1y * dest_dy;  // destination projected on the heading
    while (beta - alpha > 1.5 * kPi) beta -= 2 * kPi;
    while (beta - alpha < -1.5 * kPi) beta += 2 * kPi;
    const double prev_beta = beta;
    proj *= kScale;
    if (proj > 0.3) beta -= std::min(kTrackTurnRate, std::abs(0.001 * proj));
    if (proj < -0.3) beta += std::min(kTrackTurnRate, std::abs(0.001 * proj));
    x += p1x * kTrackDetailStep;
    y += p1y * kTrackDetailStep;
    track.push_back({alpha, prev_beta * 0.5 + beta * 0.5, x, y});
    if (laps > 4) break;
    if (--no_freeze == 0) break;
  }

  // The closed loop: between the last two passes through start_alpha (the first lap is skipped).
  int64_t i1 = -1, i2 = -1;
  for (auto i = static_cast<int64_t>(track.size());;) {
    --i;
    if (i <= 0) return {};
    const auto k = static_cast<size_t>(i);
    const bool pass = track[k].alpha > start_alpha && track[k - 1].alpha <= start_alpha;
    if (pass && i2 == -1) {
      i2 = i;
    } else if (pass && i1 == -1) {
      i1 = i;
      break;
    }
  }
  if (i2 - 1 <= i1) return {};
  std::vector<TrackPoint> loop(track.begin() + i1, track.begin() + (i2 - 1));
  const double b = loop.front().beta;
  const double dx = std::cos(b) * (loop.front().x - loop.back().x);
  const double dy = std::sin(b) * (loop.front().y - loop.back().y);
  if (std::sqrt(dx * dx + dy * dy) > kTrackDetailStep) return {};  // head and tail do not meet
  return loop;
}

std::vector<bool> car_racing_borders(const std::vector<TrackPoint>& track) {
  const size_t n = track.size();
  std::vector<bool> border(n, false);
  for (size_t i = 0; i < n; ++i) {
    bool good = true;
    double oneside = 0;
    for (int neg = 0; neg < kBorderMinCount; ++neg) {
      const auto ii = static_cast<int64_t>(i);
      const double beta1 = track[wrap(ii - neg, n)].beta;
      const double beta2 = track[wrap(ii - neg - 1, n)].beta;
      good = good && std::abs(beta1 - beta2) > kTrackTurnRate * 0.2;
      oneside += sign(beta1 - beta2);
    }
    border[i] = good && std::abs(oneside) == kBorderMinCount;
  }
  for (size_t i = 0; i < n; ++i) {
    for (int neg = 0; neg < kBorderMinCount; ++neg) {
      const size_t k = wrap(static_cast<int64_t>(i) - neg, n);
      border[k] = border[k] || border[i];
    }
  }
  return border;
}

struct CarRacing::World {
  // Gymnasium's FrictionDetector: tiles carry their index + 1 as user data.
  struct Listener final : b2ContactListener {
    CarRacing* env = nullptr;
    void BeginContact(b2Contact* c) override { update(c, true); }
    void EndContact(b2Contact* c) override { update(c, false); }
    void update(b2Contact* c, bool begin) {
      b2Body* a = c->GetFixtureA()->GetBody();
      b2Body* b = c->GetFixtureB()->GetBody();
      if (a->GetUserData().pointer != 0) {
        env->tile_contact(static_cast<int>(a->GetUserData().pointer - 1), b, begin);
      } else if (b->GetUserData().pointer != 0) {
        env->tile_contact(static_cast<int>(b->GetUserData().pointer - 1), a, begin);
      }
    }
  };
  World() : world(b2Vec2(0, 0)) {}
  Listener listener;  // declared first: outlives the world
  b2World world;
  b2Body* hull = nullptr;
  std::array<b2Body*, 4> wheels{};
  std::array<b2RevoluteJoint*, 4> joints{};
};

CarRacing::CarRacing(const CarRacingConfig& config) : config_(config) {
  if (config_.continuous) {
    action_space_ = Box({-1.0, 0.0, 0.0}, {1.0, 1.0, 1.0});  // steer, gas, brake
  } else {
    action_space_ = Discrete(5);  // nothing, left, right, gas, brake
  }
  observation_space_ = Box(0, 255, Shape{kStateSize, kStateSize, 3}, Dtype::UInt8);
  obs_ = zeros(Shape{kStateSize, kStateSize, 3}, Dtype::UInt8);
  // Gymnasium draws the first random colours in the constructor, from an unseeded generator.
  if (config_.domain_randomize) init_colors();
}

CarRacing::~CarRacing() = default;

void CarRacing::init_colors() {
  for (double& c : road_color_) c = rng().uniform(0, 210);
  for (double& c : bg_color_) c = rng().uniform(0, 210);
  grass_color_ = bg_color_;
  grass_color_[static_cast<size_t>(rng().integers(0, 3))] += 20;
}

void CarRacing::tile_contact(int tile, const void* other, bool begin) {
  const auto k = static_cast<size_t>(tile);
  tile_plain_[k] = true;  // a touched tile loses its shade for good
  const auto* wheel = std::find(world_->wheels.begin(), world_->wheels.end(), other);
  if (wheel == world_->wheels.end()) return;  // the hull: no tiles of its own
  Wheel& w = wheels_[static_cast<size_t>(wheel - world_->wheels.begin())];
  const auto n = static_cast<double>(track_.size());
  if (tile == 0 && tiles_visited_ / n > config_.lap_complete_percent) new_lap_ = true;
  if (begin) {
    ++w.tiles;
    if (!tile_visited_[k]) {
      tile_visited_[k] = true;
      total_reward_ += 1000.0 / n;
      ++tiles_visited_;
    }
  } else {
    --w.tiles;
  }
}

void CarRacing::build_world() {
  world_ = std::make_unique<World>();
  world_->listener.env = this;
  b2World& w = world_->world;
  w.SetContactListener(&world_->listener);
  const size_t n = track_.size();
  for (size_t i = 0; i < n; ++i) {
    const TrackPoint& p1 = track_[i];
    const TrackPoint& p2 = track_[wrap(static_cast<int64_t>(i) - 1, n)];
    b2Vec2 quad[4] = {
        vec(p1.x - kTrackWidth * std::cos(p1.beta), p1.y - kTrackWidth * std::sin(p1.beta)),
        vec(p1.x + kTrackWidth * std::cos(p1.beta), p1.y + kTrackWidth * std::sin(p1.beta)),
        vec(p2.x + kTrackWidth * std::cos(p2.beta), p2.y + kTrackWidth * std::sin(p2.beta)),
        vec(p2.x - kTrackWidth * std::cos(p2.beta), p2.y - kTrackWidth * std::sin(p2.beta))};
    b2PolygonShape shape;
    shape.Set(quad, 4);
    b2BodyDef def;
    def.userData.pointer = i + 1;
    b2Body* tile = w.CreateBody(&def);
    b2FixtureDef fd;
    fd.shape = &shape;
    fd.isSensor = true;
    tile->CreateFixture(&fd);
  }

  const TrackPoint& start = track_.front();
  b2BodyDef hull_def;
  hull_def.type = b2_dynamicBody;
  hull_def.position = vec(start.x, start.y);
  hull_def.angle = static_cast<float>(start.beta);
  b2Body* hull = w.CreateBody(&hull_def);
  for (const auto& poly : kHullPolys) {
    std::vector<b2Vec2> v;
    for (const auto& p : poly) v.push_back(vec(p[0] * kSize, p[1] * kSize));
    b2PolygonShape shape;
    shape.Set(v.data(), static_cast<int32>(v.size()));
    b2FixtureDef fd;
    fd.shape = &shape;
    fd.density = 1.0f;
    hull->CreateFixture(&fd);
  }
  world_->hull = hull;
  for (size_t k = 0; k < 4; ++k) {
    const double wx = kWheelPos[k][0], wy = kWheelPos[k][1];
    b2BodyDef def;
    def.type = b2_dynamicBody;
    def.position = vec(start.x + wx * kSize, start.y + wy * kSize);  // offsets not rotated
    def.angle = static_cast<float>(start.beta);
    b2Body* wheel = w.CreateBody(&def);
    b2PolygonShape box;
    const b2Vec2 corners[4] = {
        vec(-kWheelW * kSize, +kWheelR * kSize), vec(+kWheelW * kSize, +kWheelR * kSize),
        vec(+kWheelW * kSize, -kWheelR * kSize), vec(-kWheelW * kSize, -kWheelR * kSize)};
    box.Set(corners, 4);
    b2FixtureDef fd;
    fd.shape = &box;
    fd.density = 0.1f;
    fd.restitution = 0.0f;
    fd.filter.categoryBits = 0x0020;
    fd.filter.maskBits = 0x001;
    wheel->CreateFixture(&fd);
    b2RevoluteJointDef rjd;
    rjd.bodyA = hull;
    rjd.bodyB = wheel;
    rjd.localAnchorA = vec(wx * kSize, wy * kSize);
    rjd.localAnchorB = vec(0, 0);
    rjd.enableMotor = true;
    rjd.enableLimit = true;
    rjd.maxMotorTorque = static_cast<float>(180 * 900 * kSize * kSize);
    rjd.motorSpeed = 0;
    rjd.lowerAngle = -0.4f;
    rjd.upperAngle = +0.4f;
    world_->joints[k] = static_cast<b2RevoluteJoint*>(w.CreateJoint(&rjd));
    world_->wheels[k] = wheel;
  }
}

ResetResult CarRacing::reset(std::optional<uint64_t> seed, const Kwargs& options) {
  KwargsReader kw(name() + ".reset options", options);
  const bool randomize = kw.get_bool("randomize", true);
  kw.finish();  // without domain_randomize, "randomize" is read and ignored, as Gymnasium does
  seed_rng(seed);
  world_.reset();
  total_reward_ = prev_reward_ = t_ = 0;
  tiles_visited_ = 0;
  new_lap_ = false;
  wheels_ = {};
  if (config_.domain_randomize && randomize) init_colors();
  track_attempts_ = 0;
  do {
    ++track_attempts_;
    track_ = car_racing_track_attempt(rng());
  } while (track_.empty());
  border_ = car_racing_borders(track_);
  tile_visited_.assign(track_.size(), false);
  tile_plain_.assign(track_.size(), false);
  build_world();
  physics_step(false);  // Gymnasium's reset returns the frame of one step without an action
  info_.clear();
  return {obs_, info_};
}

StepResult CarRacing::step(const Action& action) {
  if (!world_) throw Error(str(name(), ".step: call reset() before step()"));
  double steer = 0, gas = 0, brake = 0;
  if (config_.continuous) {
    if (action.kind() != Action::Kind::Continuous || action.values().size() != 3) {
      check_action(action_space_, action, name() + ".step");
    }
    const auto a = action.values();
    for (const float v : a) {
      if (!std::isfinite(v)) {
        throw Error(str(name(), ".step: action ", action.to_string(),
                        " is not finite (steer in [-1, 1], gas and brake in [0, 1])"));
      }
    }
    steer = -static_cast<double>(a[0]);
    gas = std::clamp(static_cast<double>(a[1]), 0.0, 1.0);
    brake = a[2];
  } else {
    if (!action.is_discrete() || action.index() < 0 || action.index() > 4) {
      check_action(action_space_, action, name() + ".step");
    }
    const int64_t a = action.index();
    steer = -0.6 * (a == 1) + 0.6 * (a == 2);
    gas = 0.2 * (a == 3);
    brake = 0.8 * (a == 4);
  }
  wheels_[0].steer = wheels_[1].steer = steer;
  for (size_t k = 2; k < 4; ++k) {  // rear-wheel drive: gas rises by at most 0.1 a step
    wheels_[k].gas += std::min(gas - wheels_[k].gas, 0.1);
  }
  for (Wheel& w : wheels_) w.brake = brake;
  return physics_step(true);
}

void CarRacing::car_physics(double dt) {
  for (size_t k = 0; k < 4; ++k) {
    Wheel& w = wheels_[k];
    b2Body* body = world_->wheels[k];
    b2RevoluteJoint* joint = world_->joints[k];
    const double angle = joint->GetJointAngle();
    const double dir = sign(w.steer - angle), val = std::abs(w.steer - angle);
    joint->SetMotorSpeed(static_cast<float>(dir * std::min(50.0 * val, 3.0)));

    const double friction_limit = w.tiles > 0 ? kFrictionLimit : kFrictionLimit * 0.6;
    const b2Vec2 forw = body->GetWorldVector(b2Vec2(0, 1));
    const b2Vec2 side = body->GetWorldVector(b2Vec2(1, 0));
    const b2Vec2 v = body->GetLinearVelocity();
    const double vf = double(forw.x) * v.x + double(forw.y) * v.y;  // forward speed
    const double vs = double(side.x) * v.x + double(side.y) * v.y;  // side speed

    w.omega += dt * kEnginePower * w.gas / kWheelMomentOfInertia / (std::abs(w.omega) + 5.0);
    if (w.brake >= 0.9) {
      w.omega = 0;
    } else if (w.brake > 0) {
      const double brake_dir = -sign(w.omega);
      double brake_val = 15 * w.brake;  // radians per second
      if (std::abs(brake_val) > std::abs(w.omega)) brake_val = std::abs(w.omega);
      w.omega += brake_dir * brake_val;
    }
    w.phase += w.omega * dt;

    const double vr = w.omega * (kWheelR * kSize);  // rotating wheel speed
    double f_force = -vf + vr;
    double p_force = -vs;
    f_force *= 205000 * kSize * kSize;
    p_force *= 205000 * kSize * kSize;
    const double force = std::sqrt(f_force * f_force + p_force * p_force);
    if (std::abs(force) > friction_limit) {
      f_force /= force;
      p_force /= force;
      f_force *= friction_limit;
      p_force *= friction_limit;
    }
    w.omega -= dt * f_force * (kWheelR * kSize) / kWheelMomentOfInertia;
    body->ApplyForceToCenter(
        vec(p_force * side.x + f_force * forw.x, p_force * side.y + f_force * forw.y), true);
  }
}

StepResult CarRacing::physics_step(bool with_action) {
  car_physics(1.0 / kFps);
  world_->world.Step(static_cast<float>(1.0 / kFps), 6 * 30, 2 * 30);
  t_ += 1.0 / kFps;
  draw_state_pixels();
  info_.clear();
  double reward = 0;
  bool terminated = false;
  if (with_action) {
    total_reward_ -= 0.1;
    reward = total_reward_ - prev_reward_;
    prev_reward_ = total_reward_;
    if (tiles_visited_ == static_cast<int>(track_.size()) || new_lap_) {
      terminated = true;
      info_.set("lap_finished", 1.0);
    }
    const b2Vec2 p = world_->hull->GetPosition();
    if (std::abs(p.x) > kPlayfield || std::abs(p.y) > kPlayfield) {
      terminated = true;
      info_.clear();
      info_.set("lap_finished", 0.0);
      reward = -100;
    }
  }
  return {obs_, reward, terminated, false, info_};
}

void CarRacing::step_world_only() {
  world_->world.Step(static_cast<float>(1.0 / kFps), 6 * 30, 2 * 30);
}

CarBodyState CarRacing::hull_state() const {
  if (!world_) return {};
  const b2Body* b = world_->hull;
  return {b->GetPosition().x,       b->GetPosition().y, b->GetLinearVelocity().x,
          b->GetLinearVelocity().y, b->GetAngle(),      b->GetAngularVelocity()};
}

std::array<double, 4> CarRacing::wheel_omegas() const {
  return {wheels_[0].omega, wheels_[1].omega, wheels_[2].omega, wheels_[3].omega};
}

// Gymnasium's _render: the world rotated and zoomed around the car on a 1000 x 800 canvas
// (y down, then flipped: here y up, which is the same picture), then the indicator panel and
// the score drawn in screen coordinates.
void CarRacing::draw(DrawList& out, bool state_pixels) const {
  (void)state_pixels;  // skid marks (drawn only in the video frame) are not reproduced
  out.set_background({0, 0, 0, 255});
  if (!world_) return;
  const b2Body* hull = world_->hull;
  const double angle = -static_cast<double>(hull->GetAngle());
  const double zoom = 0.1 * kScale * std::max(1 - t_, 0.0) + kZoom * kScale * std::min(t_, 1.0);
  const double ca = std::cos(angle), sa = std::sin(angle);
  const double sx = -static_cast<double>(hull->GetPosition().x) * zoom;
  const double sy = -static_cast<double>(hull->GetPosition().y) * zoom;
  const Point trans{kWindowW / 2 + (sx * ca - sy * sa), kWindowH / 4 + (sx * sa + sy * ca)};
  auto to_screen = [&](double x, double y) {
    return Point{(x * ca - y * sa) * zoom + trans.x, (x * sa + y * ca) * zoom + trans.y};
  };
  // Shapes go into the slots of the previous frame's DrawList: no allocation per polygon.
  auto polygon = [&](std::initializer_list<Point> world_pts, Color c, bool clip) {
    REIN_ASSERT(world_pts.size() <= 4);
    std::array<Point, 4> screen{};
    bool visible = !clip;
    size_t k = 0;
    for (const Point& p : world_pts) {
      const Point q = screen[k++] = to_screen(p.x, p.y);
      visible = visible || (-kMaxShapeDim <= q.x && q.x <= kWindowW + kMaxShapeDim &&
                            -kMaxShapeDim <= q.y && q.y <= kWindowH + kMaxShapeDim);
    }
    if (visible) out.add_polygon(c).assign(screen.begin(), screen.begin() + k);
  };
  const double b = kPlayfield;
  polygon({{b, b}, {b, -b}, {-b, -b}, {-b, b}}, rgb(bg_color_), false);
  const Color grass = rgb(grass_color_);
  for (int gx = -20; gx < 20; gx += 2) {
    for (int gy = -20; gy < 20; gy += 2) {
      const double x0 = kGrassDim * gx, y0 = kGrassDim * gy;
      polygon(
          {{x0 + kGrassDim, y0}, {x0, y0}, {x0, y0 + kGrassDim}, {x0 + kGrassDim, y0 + kGrassDim}},
          grass, true);
    }
  }
  const size_t n = track_.size();
  for (size_t i = 0; i < n; ++i) {
    const TrackPoint& p1 = track_[i];
    const TrackPoint& p2 = track_[wrap(static_cast<int64_t>(i) - 1, n)];
    const double c1 = std::cos(p1.beta), s1 = std::sin(p1.beta);
    const double c2 = std::cos(p2.beta), s2 = std::sin(p2.beta);
    std::array<double, 3> color = road_color_;
    if (!tile_plain_[i]) {
      for (double& ch : color) ch += 0.01 * static_cast<double>(i % 3) * 255;
    }
    polygon({{p1.x - kTrackWidth * c1, p1.y - kTrackWidth * s1},
             {p1.x + kTrackWidth * c1, p1.y + kTrackWidth * s1},
             {p2.x + kTrackWidth * c2, p2.y + kTrackWidth * s2},
             {p2.x - kTrackWidth * c2, p2.y - kTrackWidth * s2}},
            rgb(color), true);
    if (border_[i]) {
      const double side = sign(p2.beta - p1.beta);
      const double w0 = side * kTrackWidth, w1 = side * (kTrackWidth + kBorder);
      polygon({{p1.x + w0 * c1, p1.y + w0 * s1},
               {p1.x + w1 * c1, p1.y + w1 * s1},
               {p2.x + w1 * c2, p2.y + w1 * s2},
               {p2.x + w0 * c2, p2.y + w0 * s2}},
              i % 2 == 0 ? Color{255, 255, 255, 255} : Color{255, 0, 0, 255}, true);
    }
  }

  // The car: wheels (with the grey band that shows their rotation), then the hull.
  auto body_polygon = [&](const b2Body* body, const b2PolygonShape& shape, Color c) {
    std::vector<Point>& pts = out.add_polygon(c);
    const b2Transform& tf = body->GetTransform();
    for (int i = 0; i < shape.m_count; ++i) {
      const b2Vec2 p = b2Mul(tf, shape.m_vertices[i]);
      pts.push_back(to_screen(p.x, p.y));
    }
  };
  for (size_t k = 0; k < 4; ++k) {
    const b2Body* wheel = world_->wheels[k];
    for (const b2Fixture* f = wheel->GetFixtureList(); f; f = f->GetNext()) {
      body_polygon(wheel, *static_cast<const b2PolygonShape*>(f->GetShape()), {0, 0, 0, 255});
    }
    const double a1 = wheels_[k].phase, a2 = a1 + 1.2;
    const double sn1 = std::sin(a1), sn2 = std::sin(a2);
    double cs1 = std::cos(a1), cs2 = std::cos(a2);
    if (sn1 > 0 && sn2 > 0) continue;
    if (sn1 > 0) cs1 = sign(cs1);
    if (sn2 > 0) cs2 = sign(cs2);
    b2PolygonShape band;
    const b2Vec2 corners[4] = {
        vec(-kWheelW * kSize, kWheelR * cs1 * kSize), vec(+kWheelW * kSize, kWheelR * cs1 * kSize),
        vec(+kWheelW * kSize, kWheelR * cs2 * kSize), vec(-kWheelW * kSize, kWheelR * cs2 * kSize)};
    band.m_count = 4;  // drawn as given (Set() would reorder or reject a flat band)
    std::copy(corners, corners + 4, band.m_vertices);
    body_polygon(wheel, band, {77, 77, 77, 255});
  }
  for (const b2Fixture* f = hull->GetFixtureList(); f; f = f->GetNext()) {
    body_polygon(hull, *static_cast<const b2PolygonShape*>(f->GetShape()), {204, 0, 0, 255});
  }

  // The panel, in flipped screen coordinates (y down from the top): here y_up = 800 - y.
  const double W = kWindowW, H = kWindowH, s = W / 40.0, h = H / 40.0;
  auto screen_rect = [&](double x0, double y0, double x1, double y1, Color c) {
    out.add_polygon(c).assign({{x0, H - y0}, {x1, H - y0}, {x1, H - y1}, {x0, H - y1}});
  };
  screen_rect(0, H - 5 * h, W, H, {0, 0, 0, 255});
  auto vertical = [&](double place, double value, double quantity, Color c) {
    if (std::abs(quantity) > 1e-4)
      screen_rect(place * s, H - (h + h * value), (place + 1) * s, H - h, c);
  };
  auto horizontal = [&](double place, double value, double quantity, Color c) {
    if (std::abs(quantity) > 1e-4)
      screen_rect(place * s, H - 4 * h, (place + value) * s, H - 2 * h, c);
  };
  const b2Vec2 v = hull->GetLinearVelocity();
  const double speed = std::sqrt(double(v.x) * v.x + double(v.y) * v.y);
  vertical(5, 0.02 * speed, speed, {255, 255, 255, 255});
  for (size_t k = 0; k < 4; ++k) {
    const Color c = k < 2 ? Color{0, 0, 255, 255} : Color{51, 0, 255, 255};
    vertical(7 + static_cast<double>(k), 0.01 * wheels_[k].omega, wheels_[k].omega, c);
  }
  const double steer_angle = world_->joints[0]->GetJointAngle();
  horizontal(20, -10.0 * steer_angle, steer_angle, {0, 255, 0, 255});
  const double spin = hull->GetAngularVelocity();
  horizontal(30, -0.8 * spin, spin, {255, 0, 0, 255});

  // The score, rounded to 4 digits, centred at (60, 750) in about the 42 px font's size.
  char score[32];
  std::snprintf(score, sizeof(score), "%04.0f", total_reward_);
  const double line = 34.0;  // the bitmap font's 8-pixel line in canvas units
  const double width =
      line / kLineAdvance * kGlyphAdvance * static_cast<double>(std::strlen(score));
  out.text({60 - width / 2, H - (750 - line / 2)}, score, {255, 255, 255, 255}, line);
}

void CarRacing::draw_state_pixels() {
  frame_.clear();
  frame_.set_viewport(
      {0, kWindowW, 0, kWindowH, kStateSize * kSupersample, kStateSize * kSupersample});
  draw(frame_, true);
  rasterize(frame_, supersampled_);
  // Area average of each kSupersample x kSupersample block (pygame's smoothscale shrinks by
  // averaging too).
  uint8_t* out = obs_.data<uint8_t>();
  constexpr int kArea = kSupersample * kSupersample;
  for (int r = 0; r < kStateSize; ++r) {
    for (int c = 0; c < kStateSize; ++c) {
      int sum[3] = {0, 0, 0};
      for (int dy = 0; dy < kSupersample; ++dy) {
        for (int dx = 0; dx < kSupersample; ++dx) {
          const uint8_t* p = supersampled_.at(c * kSupersample + dx, r * kSupersample + dy);
          for (int ch = 0; ch < 3; ++ch) sum[ch] += p[ch];
        }
      }
      for (int ch = 0; ch < 3; ++ch) *out++ = static_cast<uint8_t>((sum[ch] + kArea / 2) / kArea);
    }
  }
}

void CarRacing::render(DrawList& out) const {
  out.set_viewport({0, kWindowW, 0, kWindowH, 600, 400});
  draw(out, false);
}

std::string CarRacing::render_text() const {
  const CarBodyState s = hull_state();
  return str("x=", s.x, " y=", s.y, " angle=", s.angle, " speed=", std::hypot(s.vx, s.vy),
             " tiles=", tiles_visited_, "/", track_.size(), " score=", total_reward_);
}

std::unique_ptr<Env> make_car_racing(const Kwargs& kwargs) {
  KwargsReader kw("CarRacing-v3", kwargs);
  CarRacingConfig c;
  c.continuous = kw.get_bool("continuous", c.continuous);
  c.domain_randomize = kw.get_bool("domain_randomize", c.domain_randomize);
  c.lap_complete_percent = kw.get_double_in("lap_complete_percent", c.lap_complete_percent, 0.0,
                                            1.0, "the share of the track's tiles a lap must visit");
  kw.finish();
  return std::make_unique<CarRacing>(c);
}

}  // namespace rein::envs::internal
