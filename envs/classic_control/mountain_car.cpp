// MountainCar-v0 and MountainCarContinuous-v0 (Moore 1990), matching Gymnasium 1.4's
// mountain_car.py and continuous_mountain_car.py: update order, wall rule, goal and, for the
// continuous one, the float32 rounding of the stored state after every step.
#include <algorithm>
#include <cmath>
#include <limits>

#include "envs/internal/classic_control.h"

namespace rein::envs::internal {
namespace {

constexpr double kMinPosition = -1.2;
constexpr double kMaxPosition = 0.6;
constexpr double kMaxSpeed = 0.07;

// goal_velocity: Gymnasium takes any value, but the speed is clipped to kMaxSpeed, so a larger
// (or NaN) goal is never reached and no episode could terminate.
double read_goal_velocity(KwargsReader& kw) {
  return kw.get_double_in("goal_velocity", 0.0, -std::numeric_limits<double>::infinity(), kMaxSpeed,
                          "the speed is clipped to 0.07: a larger goal is never reached and no "
                          "episode would terminate");
}

// Shared by both: state, observation buffer, reset, set_state and drawing.
class MountainCarBase : public Env {
 public:
  MountainCarBase(std::string owner, double goal_position)
      : owner_(std::move(owner)), goal_position_(goal_position) {
    auto f = [](double v) { return static_cast<double>(static_cast<float>(v)); };
    observation_space_ = Box({f(kMinPosition), f(-kMaxSpeed)}, {f(kMaxPosition), f(kMaxSpeed)});
    obs_ = zeros(Shape{2}, Dtype::Float32);
    obs_data_ = obs_.data<float>();
  }

  ResetResult reset(std::optional<uint64_t> seed, const Kwargs& options) override {
    double low, high;
    // The start position is the float32 observation; the first step clips it to the track.
    reset_bounds(options, owner_ + ".reset", -0.6, -0.4, std::numeric_limits<float>::max(),
                 "the start position is a float32 observation", low, high);
    seed_rng(seed);  // after the options are checked: a refused reset changes nothing
    position_ = rng().uniform(low, high);
    velocity_ = 0.0;
    write_obs();
    info_.clear();
    return {obs_, info_};
  }

  void set_state(std::span<const double> s) override {
    // The observation is float32 (the first step clips both back to the track and speed limit).
    static constexpr double kMax = std::numeric_limits<float>::max();
    static constexpr StateValue kValues[] = {{"position", kMax}, {"velocity", kMax}};
    check_state(owner_, s, kValues, "the observation is float32");
    position_ = s[0];
    velocity_ = s[1];
    write_obs();
  }
  std::vector<double> state() const override { return {position_, velocity_}; }

  RenderInfo render_info() const override { return {.draws = true, .text = false, .fps = 30}; }
  void render(DrawList& out) const override {
    // Gymnasium's 600x400 frame in its pixel units (world y up): the hill as 100 black segments,
    // a 40 x 20 px car tilted by cos(3 x) standing 10 px clear of the track on two grey wheels,
    // and the goal's flag.
    const double scale = 600 / (kMaxPosition - kMinPosition);
    out.set_viewport({0, 600, 0, 400, 600, 400});
    out.set_background({255, 255, 255, 255});
    auto height = [](double x) { return std::sin(3 * x) * 0.45 + 0.55; };
    Point prev{};
    for (int i = 0; i < 100; ++i) {
      const double x = kMinPosition + (kMaxPosition - kMinPosition) * i / 99;  // np.linspace
      const Point p = {(x - kMinPosition) * scale, height(x) * scale};
      if (i > 0) out.line(prev, p, {0, 0, 0, 255});
      prev = p;
    }
    const double pos = position_, clearance = 10, car_w = 40, car_h = 20;
    const Point base = {(pos - kMinPosition) * scale, clearance + height(pos) * scale};
    const double tilt = std::cos(3 * pos);
    out.polygon(
        transform({{-car_w / 2, 0}, {-car_w / 2, car_h}, {car_w / 2, car_h}, {car_w / 2, 0}}, tilt,
                  base),
        {0, 0, 0, 255});
    for (const Point& w : transform({{car_w / 4, 0}, {-car_w / 4, 0}}, tilt, base)) {
      out.circle({std::trunc(w.x), std::trunc(w.y)}, std::trunc(car_h / 2.5), {128, 128, 128, 255});
    }
    const double flag_x = std::trunc((goal_position_ - kMinPosition) * scale);
    const double flag_y1 = std::trunc(height(goal_position_) * scale), flag_y2 = flag_y1 + 50;
    out.line({flag_x, flag_y1}, {flag_x, flag_y2}, {0, 0, 0, 255});
    out.polygon({{flag_x, flag_y2}, {flag_x, flag_y2 - 10}, {flag_x + 25, flag_y2 - 5}},
                {204, 204, 0, 255});
  }
  std::string render_text() const override {
    return str("position=", position_, " velocity=", velocity_);
  }

 protected:
  void write_obs() {
    obs_data_[0] = static_cast<float>(position_);
    obs_data_[1] = static_cast<float>(velocity_);
  }

  std::string owner_;
  double goal_position_;
  double position_ = 0.0, velocity_ = 0.0;
  Tensor obs_;
  float* obs_data_ = nullptr;
};

class MountainCar final : public MountainCarBase {
 public:
  explicit MountainCar(const Kwargs& kwargs) : MountainCarBase("MountainCar-v0", 0.5) {
    KwargsReader kw(owner_, kwargs);
    goal_velocity_ = read_goal_velocity(kw);
    kw.finish();
    action_space_ = Discrete(3);
  }

  StepResult step(const Action& action) override {
    if (!action.is_discrete() || action.index() < 0 || action.index() > 2) {
      check_action(action_space_, action, "MountainCar-v0.step");
    }
    double position = position_, velocity = velocity_;
    velocity +=
        static_cast<double>(action.index() - 1) * kForce + std::cos(3 * position) * (-kGravity);
    velocity = std::clamp(velocity, -kMaxSpeed, kMaxSpeed);
    position += velocity;
    position = std::clamp(position, kMinPosition, kMaxPosition);
    if (position == kMinPosition && velocity < 0) velocity = 0;  // inelastic left wall
    const bool terminated = position >= goal_position_ && velocity >= goal_velocity_;
    position_ = position;
    velocity_ = velocity;
    write_obs();
    return {obs_, -1.0, terminated, false, info_};
  }

 private:
  static constexpr double kForce = 0.001;
  static constexpr double kGravity = 0.0025;
  double goal_velocity_ = 0.0;
};

class MountainCarContinuous final : public MountainCarBase {
 public:
  explicit MountainCarContinuous(const Kwargs& kwargs)
      : MountainCarBase("MountainCarContinuous-v0", 0.45) {
    KwargsReader kw(owner_, kwargs);
    goal_velocity_ = read_goal_velocity(kw);
    kw.finish();
    action_space_ = Box(-1.0, 1.0, Shape{1});
  }

  StepResult step(const Action& action) override {
    if (action.kind() != Action::Kind::Continuous || action.values().size() != 1) {
      check_action(action_space_, action, "MountainCarContinuous-v0.step");
    }
    // The env clips the force but charges the raw action (Gymnasium does not enforce bounds).
    const double a = static_cast<double>(action.values()[0]);
    const double force = std::min(std::max(a, kMinAction), kMaxAction);
    double position = position_, velocity = velocity_;
    velocity += force * kPower - 0.0025 * std::cos(3 * position);
    if (velocity > kMaxSpeed) velocity = kMaxSpeed;
    if (velocity < -kMaxSpeed) velocity = -kMaxSpeed;
    position += velocity;
    if (position > kMaxPosition) position = kMaxPosition;
    if (position < kMinPosition) position = kMinPosition;
    if (position == kMinPosition && velocity < 0) velocity = 0;
    const bool terminated = position >= goal_position_ && velocity >= goal_velocity_;
    double reward = terminated ? 100.0 : 0.0;
    reward -= std::pow(a, 2) * 0.1;
    // Gymnasium stores the state as a float32 array after every step.
    position_ = static_cast<float>(position);
    velocity_ = static_cast<float>(velocity);
    write_obs();
    return {obs_, reward, terminated, false, info_};
  }

 private:
  static constexpr double kMinAction = -1.0;
  static constexpr double kMaxAction = 1.0;
  static constexpr double kPower = 0.0015;
  double goal_velocity_ = 0.0;
};

}  // namespace

std::unique_ptr<Env> make_mountain_car(const Kwargs& kwargs) {
  return std::make_unique<MountainCar>(kwargs);
}

std::unique_ptr<Env> make_mountain_car_continuous(const Kwargs& kwargs) {
  return std::make_unique<MountainCarContinuous>(kwargs);
}

}  // namespace rein::envs::internal
