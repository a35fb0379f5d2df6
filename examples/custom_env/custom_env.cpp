// A custom env in your own program: derive from rein::envs::Env, register it with one line,
// check it, then use it like a built-in (make, wrappers, vector envs).
#include <cmath>
#include <iostream>

#include "envs/env_checker.h"
#include "envs/registry.h"
#include "envs/vector_env.h"
#include "envs/wrappers.h"

using namespace rein;
using namespace rein::envs;

// Steer a point on a line towards the origin: observation [x, v], action a force in [-1, 1].
class PointMass final : public Env {
 public:
  explicit PointMass(const Kwargs& kwargs) {
    KwargsReader kw("PointMass-v0", kwargs);  // rejects unknown --env-arg keys
    friction_ = kw.get_double("friction", 0.1);
    kw.finish();
    observation_space_ = Box({-10.0, -5.0}, {10.0, 5.0});
    action_space_ = Box(-1.0, 1.0, Shape{1});
    obs_ = zeros(Shape{2});  // sized once: step() writes into it and never allocates
  }

  ResetResult reset(std::optional<uint64_t> seed, const Kwargs&) override {
    seed_rng(seed);  // like Gymnasium's super().reset(seed=seed)
    x_ = rng().uniform(-5.0, 5.0);
    v_ = 0.0;
    write_obs();
    return {obs_, info_};
  }

  StepResult step(const Action& action) override {
    check_action(action_space_, action, "PointMass-v0.step");
    const double force = std::fmax(-1.0, std::fmin(1.0, action.values()[0]));
    v_ = std::fmax(-5.0, std::fmin(5.0, (1 - friction_) * v_ + 0.1 * force));
    x_ = std::fmax(-10.0, std::fmin(10.0, x_ + 0.1 * v_));
    write_obs();
    const bool at_origin = std::fabs(x_) < 0.05 && std::fabs(v_) < 0.05;
    return {obs_, -std::fabs(x_) * 0.1, at_origin, false, info_};
  }

  // Optional: lets `--state` style tools and the checker set the physical state.
  void set_state(std::span<const double> s) override {
    x_ = s[0];
    v_ = s[1];
    write_obs();
  }
  std::vector<double> state() const override { return {x_, v_}; }

 private:
  void write_obs() {
    obs_.data<float>()[0] = static_cast<float>(x_);
    obs_.data<float>()[1] = static_cast<float>(v_);
  }
  double friction_ = 0.1, x_ = 0.0, v_ = 0.0;
  Tensor obs_;
};

int main() {
  // The one line: id, class, and what make() should add (here a 200-step TimeLimit).
  register_env<PointMass>("PointMass-v0", {.max_episode_steps = 200, .reward_threshold = -5.0});

  auto env = make("PointMass-v0", {{"friction", "0.2"}});
  const CheckReport report = check_env(*env);
  std::cout << "check: " << report.to_string() << "\n";
  if (!report.ok()) return 1;

  // A proportional controller for one episode.
  ResetResult r = env->reset(0);
  double total = 0;
  for (int t = 0;; ++t) {
    const float x = r.obs.data<float>()[0], v = env->state()[1];
    const float a[1] = {-2.0f * x - 4.0f * v};
    StepResult s = env->step(std::span<const float>(a));
    total += s.reward;
    if (s.terminated || s.truncated) {
      std::cout << "episode: " << t + 1 << " steps, return " << total
                << (s.terminated ? " (reached the origin)" : " (time limit)") << "\n";
      break;
    }
  }

  // Vector envs work on custom envs too.
  auto venv = make_vec("PointMass-v0", 4);
  venv->reset(1);
  Tensor actions = zeros(Shape{4, 1});
  const VectorStep& step = venv->step(actions);
  std::cout << "vector obs shape: " << to_string(step.obs.shape()) << "\n";
  return 0;
}
