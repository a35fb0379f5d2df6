// Acrobot-v1 (Sutton 1996; Sutton & Barto's book dynamics), matching Gymnasium 1.4's acrobot.py:
// one RK4 step of 0.2 s with the torque as a fifth state component, wrap, clip, terminal test.
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "envs/internal/classic_control.h"

namespace rein::envs::internal {
namespace {

constexpr double kPi = std::numbers::pi;

// x**2 on a NumPy float64 scalar calls libm pow(x, 2.0), which is not always x * x in the last
// bit; the volatile exponent keeps the compiler from folding the call into a multiply.
double py_pow2(double x) {
  volatile double two = 2.0;
  return std::pow(x, two);
}
using State5 = std::array<double, 5>;  // theta1, theta2, dtheta1, dtheta2, torque

class Acrobot final : public Env {
 public:
  explicit Acrobot(const Kwargs& kwargs) {
    KwargsReader kw("Acrobot-v1", kwargs);
    const std::string variant = kw.get_string("book_or_nips", "book");
    kw.finish();
    if (variant != "book" && variant != "nips") {
      throw Error(
          str("Acrobot-v1: argument 'book_or_nips' must be 'book' or 'nips', got '", variant, "'"));
    }
    book_ = variant == "book";
    auto f = [](double v) { return static_cast<double>(static_cast<float>(v)); };
    const double v1 = f(kMaxVel1), v2 = f(kMaxVel2);
    observation_space_ = Box({-1, -1, -1, -1, -v1, -v2}, {1, 1, 1, 1, v1, v2});
    action_space_ = Discrete(3);
    obs_ = zeros(Shape{6}, Dtype::Float32);
    obs_data_ = obs_.data<float>();
  }

  ResetResult reset(std::optional<uint64_t> seed, const Kwargs& options) override {
    double low, high;
    reset_bounds(options, "Acrobot-v1.reset", -0.1, 0.1, kMaxResetBound,
                 "the first RK4 step can turn larger start speeds into angles that take "
                 "minutes, or forever, to wrap",
                 low, high);
    seed_rng(seed);  // after the options are checked: a refused reset changes nothing
    // Gymnasium keeps the reset state as float32 until the first step.
    for (double& v : s_) v = static_cast<float>(rng().uniform(low, high));
    write_obs();
    info_.clear();
    return {obs_, info_};
  }

  StepResult step(const Action& action) override {
    if (!action.is_discrete() || action.index() < 0 || action.index() > 2) {
      check_action(action_space_, action, "Acrobot-v1.step");
    }
    static constexpr double kTorque[3] = {-1.0, 0.0, 1.0};
    const State5 y0 = {s_[0], s_[1], s_[2], s_[3], kTorque[action.index()]};
    // rk4(_dsdt, y0, [0, dt]): a single step.
    constexpr double dt = kDt - 0.0, dt2 = dt / 2.0;
    const State5 k1 = dsdt(y0);
    const State5 k2 = dsdt(axpy(y0, dt2, k1));
    const State5 k3 = dsdt(axpy(y0, dt2, k2));
    const State5 k4 = dsdt(axpy(y0, dt, k3));
    std::array<double, 4> ns;
    for (size_t i = 0; i < 4; ++i) {
      ns[i] = y0[i] + dt / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    }
    ns[0] = wrap(ns[0], -kPi, kPi);
    ns[1] = wrap(ns[1], -kPi, kPi);
    ns[2] = std::min(std::max(ns[2], -kMaxVel1), kMaxVel1);
    ns[3] = std::min(std::max(ns[3], -kMaxVel2), kMaxVel2);
    s_ = ns;
    write_obs();
    const bool terminated = -std::cos(s_[0]) - std::cos(s_[1] + s_[0]) > 1.0;
    return {obs_, terminated ? 0.0 : -1.0, terminated, false, info_};
  }

  void set_state(std::span<const double> s) override {
    // As reset()'s bounds: beyond them the first step's wrap of the angles does not end.
    static constexpr StateValue kValues[] = {{"theta1", kMaxResetBound},
                                             {"theta2", kMaxResetBound},
                                             {"dtheta1", kMaxResetBound},
                                             {"dtheta2", kMaxResetBound}};
    check_state("Acrobot-v1", s, kValues, "the first step wraps the angles 2 pi at a time");
    for (size_t i = 0; i < 4; ++i) s_[i] = s[i];
    write_obs();
  }
  std::vector<double> state() const override { return {s_.begin(), s_.end()}; }

  RenderInfo render_info() const override { return {.draws = true, .text = false, .fps = 15}; }
  void render(DrawList& out) const override {
    // Gymnasium's 500x500 frame in its pixel units (world y up), the pivot at the centre:
    // 0.2-unit-wide cyan links and yellow joints, the goal height as a black line.
    const double bound = kL1 + kL2 + 0.2, scale = 500 / (bound * 2), offset = 250;
    out.set_viewport({0, 500, 0, 500, 500, 500});
    out.set_background({255, 255, 255, 255});
    out.line({-2.2 * scale + offset, 1 * scale + offset},
             {2.2 * scale + offset, 1 * scale + offset}, {0, 0, 0, 255});
    // theta1 = 0 hangs straight down.
    const Point p1 = {kL1 * std::sin(s_[0]) * scale, -kL1 * std::cos(s_[0]) * scale};
    const Point joints[2] = {{0, 0}, p1};
    const double angles[2] = {s_[0] - std::numbers::pi / 2, s_[0] + s_[1] - std::numbers::pi / 2};
    const double lengths[2] = {kL1 * scale, kL2 * scale};
    for (int i = 0; i < 2; ++i) {
      const Point at = {joints[i].x + offset, joints[i].y + offset};
      const double half = 0.1 * scale;
      out.polygon(transform({{0, -half}, {0, half}, {lengths[i], half}, {lengths[i], -half}},
                            angles[i], at),
                  {0, 204, 204, 255});
      out.circle(at, half, {204, 204, 0, 255});
    }
  }
  std::string render_text() const override {
    return str("theta1=", s_[0], " theta2=", s_[1], " dtheta1=", s_[2], " dtheta2=", s_[3]);
  }

 private:
  static State5 axpy(const State5& y, double a, const State5& k) {
    State5 out;
    for (size_t i = 0; i < 5; ++i) out[i] = y[i] + a * k[i];
    return out;
  }

  // Gymnasium's wrap: shift by the period while outside [m, M].
  static double wrap(double x, double m, double big_m) {
    const double diff = big_m - m;
    while (x > big_m) x = x - diff;
    while (x < m) x = x + diff;
    return x;
  }

  // _dsdt, each product evaluated left to right as written in acrobot.py.
  State5 dsdt(const State5& s) const {
    const double m1 = kM1, m2 = kM2, l1 = kL1, lc1 = kLc1, lc2 = kLc2, i1 = kI1, i2 = kI2, g = 9.8;
    const double a = s[4];
    const double theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3];
    const double d1 =
        m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * std::cos(theta2)) + i1 + i2;
    const double d2 = m2 * (lc2 * lc2 + l1 * lc2 * std::cos(theta2)) + i2;
    const double phi2 = m2 * lc2 * g * std::cos(theta1 + theta2 - kPi / 2.0);
    const double phi1 = -m2 * l1 * lc2 * py_pow2(dtheta2) * std::sin(theta2) -
                        2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * std::sin(theta2) +
                        (m1 * lc1 + m2 * l1) * g * std::cos(theta1 - kPi / 2) + phi2;
    double ddtheta2;
    if (book_) {
      ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * py_pow2(dtheta1) * std::sin(theta2) - phi2) /
                 (m2 * (lc2 * lc2) + i2 - py_pow2(d2) / d1);
    } else {
      ddtheta2 = (a + d2 / d1 * phi1 - phi2) / (m2 * (lc2 * lc2) + i2 - py_pow2(d2) / d1);
    }
    const double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    return {dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0};
  }

  void write_obs() {
    obs_data_[0] = static_cast<float>(std::cos(s_[0]));
    obs_data_[1] = static_cast<float>(std::sin(s_[0]));
    obs_data_[2] = static_cast<float>(std::cos(s_[1]));
    obs_data_[3] = static_cast<float>(std::sin(s_[1]));
    obs_data_[4] = static_cast<float>(s_[2]);
    obs_data_[5] = static_cast<float>(s_[3]);
  }

  static constexpr double kDt = 0.2;
  static constexpr double kL1 = 1.0, kL2 = 1.0, kM1 = 1.0, kM2 = 1.0;
  static constexpr double kLc1 = 0.5, kLc2 = 0.5, kI1 = 1.0, kI2 = 1.0;
  static constexpr double kMaxVel1 = 4 * kPi;
  static constexpr double kMaxVel2 = 9 * kPi;
  // Largest |low|, |high| reset() takes. The speeds are clipped only after the RK4 step, whose
  // angles can grow with a high power of the start speeds, and wrap() subtracts 2 pi at a time
  // (as Gymnasium): bounds of 200 gave first steps of 0.2 s, 1000 one that had not returned
  // after a minute, and an angle beyond about 1e16 never returns (x - 2 pi == x). Up to 100
  // every start tried stepped in well under a millisecond.
  static constexpr double kMaxResetBound = 100;
  bool book_ = true;
  std::array<double, 4> s_{};
  Tensor obs_;
  float* obs_data_ = nullptr;
};

}  // namespace

std::unique_ptr<Env> make_acrobot(const Kwargs& kwargs) {
  return std::make_unique<Acrobot>(kwargs);
}

}  // namespace rein::envs::internal
