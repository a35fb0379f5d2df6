// Pendulum-v1, matching Gymnasium 1.4's pendulum.py: cost from the state before the update,
// semi-implicit Euler, clipped speed, an angle that is never wrapped in the state.
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "envs/internal/classic_control.h"

namespace rein::envs::internal {
namespace {

constexpr double kPi = std::numbers::pi;
// The largest g whose 3 g is finite (one step below DBL_MAX / 3, whose 3 g rounds to inf).
constexpr double kMaxGravity = 5.992310449541052e307;

// NumPy's float64 floor modulo: fmod, then move a remainder of the wrong sign by one period.
double floor_mod(double a, double b) {
  double m = std::fmod(a, b);
  if (m != 0 && ((b < 0) != (m < 0))) m += b;
  return m;
}

double angle_normalize(double x) { return floor_mod(x + kPi, 2 * kPi) - kPi; }

class Pendulum final : public Env {
 public:
  explicit Pendulum(const Kwargs& kwargs) {
    KwargsReader kw("Pendulum-v1", kwargs);
    // The step computes 3 g / (2 l) sin(theta): with 3 g infinite (or NaN) theta_dot becomes
    // NaN once sin(theta) is 0, and the clip to [-8, 8] keeps it. Any other g steps as in
    // Gymnasium.
    g_ = kw.get_double_in("g", 10.0, -kMaxGravity, kMaxGravity,
                          "the step's 3 g / (2 l) sin(theta) must be finite, or theta_dot is NaN");
    kw.finish();
    observation_space_ = Box({-1.0, -1.0, -kMaxSpeed}, {1.0, 1.0, kMaxSpeed});
    action_space_ = Box(-kMaxTorque, kMaxTorque, Shape{1});
    obs_ = zeros(Shape{3}, Dtype::Float32);
    obs_data_ = obs_.data<float>();
  }

  ResetResult reset(std::optional<uint64_t> seed, const Kwargs& options) override {
    KwargsReader kw("Pendulum-v1.reset", options, "option");
    // The start state is uniform in [-x_init, x_init] x [-y_init, y_init]: the width 2 x_init
    // must be finite, and the first reward, -0.1 theta_dot^2 and more, must fit float32.
    const double x = kw.get_double_in(
        "x_init", kPi, -kMaxInitAngle, kMaxInitAngle,
        "the start angle is uniform in [-x_init, x_init], whose width must be finite");
    const double y = kw.get_double_in("y_init", 1.0, -kMaxInitSpeed, kMaxInitSpeed,
                                      "the first reward, -0.1 theta_dot^2, must fit float32");
    kw.finish();
    seed_rng(seed);  // after the options are checked: a refused reset changes nothing
    // uniform(low=-high, high=high) over the 2-vector, element by element.
    state_[0] = rng().uniform(-x, x);
    state_[1] = rng().uniform(-y, y);
    last_u_.reset();
    write_obs();
    info_.clear();
    return {obs_, info_};
  }

  StepResult step(const Action& action) override {
    if (action.kind() != Action::Kind::Continuous || action.values().size() != 1) {
      check_action(action_space_, action, "Pendulum-v1.step");
    }
    const double th = state_[0], thdot = state_[1];
    // np.clip on the float32 action keeps float32; the arithmetic below is float64.
    const double u = static_cast<double>(std::clamp(
        action.values()[0], static_cast<float>(-kMaxTorque), static_cast<float>(kMaxTorque)));
    last_u_ = u;
    const double an = angle_normalize(th);
    const double costs = an * an + 0.1 * (thdot * thdot) + 0.001 * (u * u);
    double newthdot = thdot + (3 * g_ / (2 * kL) * std::sin(th) + 3.0 / (kM * (kL * kL)) * u) * kDt;
    newthdot = std::clamp(newthdot, -kMaxSpeed, kMaxSpeed);
    const double newth = th + newthdot * kDt;
    state_ = {newth, newthdot};
    write_obs();
    return {obs_, -costs, false, false, info_};
  }

  void set_state(std::span<const double> s) override {
    // As reset()'s x_init and y_init: a finite angle, a speed whose square fits the reward.
    static constexpr StateValue kValues[] = {{"theta", kMaxInitAngle},
                                             {"theta_dot", kMaxInitSpeed}};
    check_state("Pendulum-v1", s, kValues, "the first reward, -0.1 theta_dot^2, must fit float32");
    state_ = {s[0], s[1]};
    write_obs();
  }
  std::vector<double> state() const override { return {state_[0], state_[1]}; }

  RenderInfo render_info() const override { return {.draws = true, .text = false, .fps = 30}; }
  void render(DrawList& out) const override {
    // Gymnasium's 500x500 frame in its pixel units (world y up), the pivot at the centre: a
    // 1 x 0.2 unit rod with round ends, the last torque as a curved arrow (Gymnasium blits an
    // image there) scaled by |u|, and a black axle.
    const double scale = 500 / 4.4, offset = 250;
    out.set_viewport({0, 500, 0, 500, 500, 500});
    out.set_background({255, 255, 255, 255});
    const double rod_len = 1 * scale, rod_w = 0.2 * scale, angle = state_[0] + std::numbers::pi / 2;
    const Color red = {204, 77, 77, 255};
    out.polygon(
        transform({{0, -rod_w / 2}, {0, rod_w / 2}, {rod_len, rod_w / 2}, {rod_len, -rod_w / 2}},
                  angle, {offset, offset}),
        red);
    out.circle({offset, offset}, std::floor(rod_w / 2), red);
    const Point end = transform({{rod_len, 0}}, angle, {offset, offset})[0];
    out.circle(end, std::floor(rod_w / 2), red);
    if (last_u_ && *last_u_ != 0.0)
      draw_torque_arrow(out, {offset, offset}, scale * std::abs(*last_u_) / 2);
    out.circle({offset, offset}, std::floor(0.05 * scale), {0, 0, 0, 255});
  }
  std::string render_text() const override {
    return str("theta=", state_[0], " theta_dot=", state_[1]);
  }

 private:
  // A black arc of three quarters of a turn in a `size` px square about `centre`, with its head
  // showing the torque's direction (counter-clockwise for u > 0, as the physics).
  void draw_torque_arrow(DrawList& out, Point centre, double size) const {
    const double r = size * 0.4, w = std::max(1.0, size * 0.08), dir = *last_u_ > 0 ? 1.0 : -1.0;
    const int n = 24;
    Point prev = {centre.x + r, centre.y};
    for (int k = 1; k <= n; ++k) {
      const double t = dir * 1.5 * std::numbers::pi * k / n;
      const Point p = {centre.x + r * std::cos(t), centre.y + r * std::sin(t)};
      out.line(prev, p, {0, 0, 0, 255}, w);
      prev = p;
    }
    const double t = dir * 1.5 * std::numbers::pi;  // the head: a triangle along the tangent
    const Point tangent = {-std::sin(t) * dir, std::cos(t) * dir},
                normal = {std::cos(t), std::sin(t)};
    const double h = std::max(2.0, size * 0.18);
    out.polygon({{prev.x + normal.x * h, prev.y + normal.y * h},
                 {prev.x - normal.x * h, prev.y - normal.y * h},
                 {prev.x + tangent.x * h * 1.5, prev.y + tangent.y * h * 1.5}},
                {0, 0, 0, 255});
  }

  void write_obs() {
    obs_data_[0] = static_cast<float>(std::cos(state_[0]));
    obs_data_[1] = static_cast<float>(std::sin(state_[0]));
    obs_data_[2] = static_cast<float>(state_[1]);
  }

  static constexpr double kMaxSpeed = 8.0;
  static constexpr double kMaxTorque = 2.0;
  // Largest |x_init| (the start angle's range must have a finite width) and |y_init| (the first
  // reward, -0.1 theta_dot^2, must fit float32) reset() takes, and |theta|, |theta_dot|
  // set_state().
  static constexpr double kMaxInitAngle = 1e307;
  static constexpr double kMaxInitSpeed = 1e19;
  static constexpr double kDt = 0.05;
  static constexpr double kM = 1.0;
  static constexpr double kL = 1.0;
  double g_ = 10.0;
  std::array<double, 2> state_{};
  std::optional<double> last_u_;
  Tensor obs_;
  float* obs_data_ = nullptr;
};

}  // namespace

std::unique_ptr<Env> make_pendulum(const Kwargs& kwargs) {
  return std::make_unique<Pendulum>(kwargs);
}

}  // namespace rein::envs::internal
