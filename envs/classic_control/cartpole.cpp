// CartPole-v1 (Barto, Sutton & Anderson 1983), matching Gymnasium 1.4's cartpole.py step for step:
// same constants, explicit Euler, termination on the float64 state, reward 0 after termination.
#include <array>
#include <cmath>
#include <numbers>

#include "envs/internal/classic_control.h"

namespace rein::envs::internal {
namespace {

class CartPole final : public Env {
 public:
  explicit CartPole(const Kwargs& kwargs) {
    KwargsReader kw("CartPole-v1", kwargs);
    sutton_barto_reward_ = kw.get_bool("sutton_barto_reward", false);
    kw.finish();
    const double inf = INFINITY;
    // Bounds are float32 arrays in Gymnasium: store the float32 values.
    const double x_high = static_cast<float>(kXThreshold * 2);
    const double theta_high = static_cast<float>(kThetaThreshold * 2);
    observation_space_ = Box({-x_high, -inf, -theta_high, -inf}, {x_high, inf, theta_high, inf});
    action_space_ = Discrete(2);
    obs_ = zeros(Shape{4}, Dtype::Float32);
    obs_data_ = obs_.data<float>();
  }

  ResetResult reset(std::optional<uint64_t> seed, const Kwargs& options) override {
    double low, high;
    reset_bounds(options, "CartPole-v1.reset", -0.05, 0.05, kMaxResetBound,
                 "larger start speeds overflow the float32 observation within two steps", low,
                 high);
    seed_rng(seed);  // after the options are checked: a refused reset changes nothing
    for (double& v : state_) v = rng().uniform(low, high);
    steps_beyond_terminated_ = -1;
    write_obs();
    info_.clear();
    return {obs_, info_};
  }

  StepResult step(const Action& action) override {
    if (!action.is_discrete() || action.index() < 0 || action.index() > 1) {
      check_action(action_space_, action, "CartPole-v1.step");
    }
    double x = state_[0], x_dot = state_[1], theta = state_[2], theta_dot = state_[3];
    const double force = action.index() == 1 ? kForceMag : -kForceMag;
    const double costheta = std::cos(theta);
    const double sintheta = std::sin(theta);
    const double temp = (force + kPoleMassLength * (theta_dot * theta_dot) * sintheta) / kTotalMass;
    const double thetaacc =
        (kGravity * sintheta - costheta * temp) /
        (kLength * (4.0 / 3.0 - kMassPole * (costheta * costheta) / kTotalMass));
    const double xacc = temp - kPoleMassLength * thetaacc * costheta / kTotalMass;
    x = x + kTau * x_dot;
    x_dot = x_dot + kTau * xacc;
    theta = theta + kTau * theta_dot;
    theta_dot = theta_dot + kTau * thetaacc;
    state_ = {x, x_dot, theta, theta_dot};
    write_obs();

    const bool terminated =
        x < -kXThreshold || x > kXThreshold || theta < -kThetaThreshold || theta > kThetaThreshold;
    double reward;
    if (!terminated) {
      reward = sutton_barto_reward_ ? 0.0 : 1.0;
    } else if (steps_beyond_terminated_ < 0) {
      steps_beyond_terminated_ = 0;  // the pole just fell
      reward = sutton_barto_reward_ ? -1.0 : 1.0;
    } else {
      ++steps_beyond_terminated_;  // stepping after termination: undefined, Gymnasium gives 0
      reward = sutton_barto_reward_ ? -1.0 : 0.0;
    }
    return {obs_, reward, terminated, false, info_};
  }

  void set_state(std::span<const double> s) override {
    // As reset()'s bounds: beyond them a step or two overflows the float32 observation.
    static constexpr StateValue kValues[] = {{"x", kMaxResetBound},
                                             {"x_dot", kMaxResetBound},
                                             {"theta", kMaxResetBound},
                                             {"theta_dot", kMaxResetBound}};
    check_state("CartPole-v1", s, kValues, "a step squares the speeds; the observation is float32");
    for (size_t i = 0; i < 4; ++i) state_[i] = s[i];
    steps_beyond_terminated_ = -1;
    write_obs();
  }
  std::vector<double> state() const override { return {state_.begin(), state_.end()}; }

  RenderInfo render_info() const override { return {.draws = true, .text = false, .fps = 50}; }
  void render(DrawList& out) const override {
    // Gymnasium's frame in its pixel units (world y up): 600x400, 125 px per metre, the cart's
    // centre 100 px above the bottom, a 10 x 125 px pole hinged a quarter of the cart's height up.
    out.set_viewport({0, 600, 0, 400, 600, 400});
    out.set_background({255, 255, 255, 255});
    const double scale = 600 / (kXThreshold * 2);
    const double cart_x = state_[0] * scale + 300, cart_y = 100;
    const double pole_w = 10, pole_len = scale * (2 * kLength), axle = 30.0 / 4;
    out.polygon({{cart_x - 25, cart_y - 15},
                 {cart_x - 25, cart_y + 15},
                 {cart_x + 25, cart_y + 15},
                 {cart_x + 25, cart_y - 15}},
                {0, 0, 0, 255});
    const std::vector<Point> pole = {{-pole_w / 2, -pole_w / 2},
                                     {-pole_w / 2, pole_len - pole_w / 2},
                                     {pole_w / 2, pole_len - pole_w / 2},
                                     {pole_w / 2, -pole_w / 2}};
    out.polygon(transform(pole, -state_[2], {cart_x, cart_y + axle}), {202, 152, 101, 255});
    out.circle({cart_x, cart_y + axle}, pole_w / 2, {129, 132, 203, 255});
    out.line({0, cart_y}, {600, cart_y}, {0, 0, 0, 255});
  }
  std::string render_text() const override {
    return str("x=", state_[0], " x_dot=", state_[1], " theta=", state_[2],
               " theta_dot=", state_[3]);
  }

 private:
  void write_obs() {
    for (int i = 0; i < 4; ++i) obs_data_[i] = static_cast<float>(state_[i]);
  }

  static constexpr double kGravity = 9.8;
  static constexpr double kMassCart = 1.0;
  static constexpr double kMassPole = 0.1;
  static constexpr double kTotalMass = kMassPole + kMassCart;
  static constexpr double kLength = 0.5;  // half the pole's length
  static constexpr double kPoleMassLength = kMassPole * kLength;
  static constexpr double kForceMag = 10.0;
  static constexpr double kTau = 0.02;
  static constexpr double kXThreshold = 2.4;
  // 12 * 2 * pi / 360, evaluated left to right as Gymnasium does.
  static constexpr double kThetaThreshold = 12 * 2 * std::numbers::pi / 360;
  // Largest |low|, |high| reset() takes. An Euler step turns a speed v into about 7e-4 v^2, and
  // a second step (when the first leaves the pole up) into about 3e-10 v^4: beyond about 1e12
  // the float32 observation overflows to inf, then NaN (one step is enough from 1e21).
  static constexpr double kMaxResetBound = 1e9;

  bool sutton_barto_reward_ = false;
  std::array<double, 4> state_{};
  int steps_beyond_terminated_ = -1;  // -1: Gymnasium's None
  Tensor obs_;
  float* obs_data_ = nullptr;
};

}  // namespace

std::unique_ptr<Env> make_cartpole(const Kwargs& kwargs) {
  return std::make_unique<CartPole>(kwargs);
}

}  // namespace rein::envs::internal
