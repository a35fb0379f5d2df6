// Spaces (membership, sampling, printing) and the registry (make, specs, errors with hints).
#include <gtest/gtest.h>

#include <cmath>

#include "envs/registry.h"
#include "envs/wrappers.h"

namespace rein::envs {
namespace {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Spaces, DiscreteContainsOnlyItsRange) {
  Space s = Discrete(3, 1);
  Tensor x = zeros(Shape{}, Dtype::Int64);
  x.data<int64_t>()[0] = 1;
  EXPECT_TRUE(s.contains(x));
  x.data<int64_t>()[0] = 4;
  EXPECT_FALSE(s.contains(x));
  EXPECT_FALSE(s.contains(zeros(Shape{}, Dtype::Float32)));
  EXPECT_EQ(s.to_string(), "Discrete(3, start=1)");
  EXPECT_EQ(s.flat_dim(), 1);
  EXPECT_EQ(s.one_hot_dim(), 3);
}

TEST(Spaces, TypedActionValuesAreCheckedBeforeTheyBecomeAnAction) {
  const Space d = Discrete(2);
  EXPECT_EQ(d.from_values(std::vector<double>{1}).data<int64_t>()[0], 1);
  EXPECT_EQ(error_of([&] { d.from_values(std::vector<double>{1.5}); }),
            "action: 1.5 is not an integer (Discrete(2) takes integers)");
  EXPECT_EQ(error_of([&] { d.from_values(std::vector<double>{1e30}); }),
            "action: 1e+30 is not an integer (Discrete(2) takes integers)");
  EXPECT_EQ(error_of([&] { d.from_values(std::vector<double>{2}); }),
            "action: element 0 = 2 is outside [0, 1] of Discrete(2)");
  const Space b = Box(-2.0, 2.0, Shape{1});
  EXPECT_EQ(error_of([&] { b.from_values(std::vector<double>{std::nan("")}); }),
            "action: nan is not a finite number");
  EXPECT_EQ(error_of([&] { b.from_values(std::vector<double>{INFINITY}); }),
            "action: inf is not a finite number");
  EXPECT_EQ(error_of([&] { b.from_values(std::vector<double>{1e30}); }),
            "action: element 0 = 1e+30 is outside [-2, 2] of " + b.to_string());
  EXPECT_EQ(error_of([&] { b.from_values(std::vector<double>{1e300}); }),
            "action: 1e+300 does not fit in a float32");
  EXPECT_EQ(error_of([&] {
              b.from_values(std::vector<double>{0.5, 0.5});
            }),
            "action: " + b.to_string() + " takes 1 value(s), got 2");
  EXPECT_FLOAT_EQ(b.from_values(std::vector<double>{0.5}).data<float>()[0], 0.5f);
}

TEST(Spaces, BoxChecksShapeDtypeAndBounds) {
  Space s = Box({-1.0, -INFINITY}, {1.0, INFINITY});
  Tensor x = tensor({0.5, 1e30});
  EXPECT_TRUE(s.contains(x));
  x.data<float>()[0] = 1.5f;
  EXPECT_EQ(s.why_not_contains(x), "element 0 = 1.5 is outside [-1, 1]");
  EXPECT_FALSE(s.contains(zeros(Shape{3})));
  EXPECT_EQ(s.to_string(), "Box([-1.0 -inf], [1.0 inf], (2,), float32)");
  EXPECT_EQ(Space(Box(-2.0, 2.0, Shape{1})).to_string(), "Box(-2.0, 2.0, (1,), float32)");
  EXPECT_EQ(error_of([] { Box({1.0}, {0.0}); }), "Box: low[0] = 1 is above high[0] = 0");
}

TEST(Spaces, SamplesLieInsideTheSpaceAndFollowTheSeed) {
  const std::vector<Space> spaces = {Discrete(5), Box(-1.0, 2.0, Shape{3}),
                                     Box({0.0, -INFINITY}, {INFINITY, INFINITY}),
                                     MultiDiscrete({2, 3, 4})};
  for (const Space& s : spaces) {
    Generator g(3), h(3);
    for (int i = 0; i < 200; ++i) {
      Tensor x = s.sample(g);
      ASSERT_TRUE(s.contains(x)) << s.to_string() << ": " << s.why_not_contains(x);
      EXPECT_EQ(x.tolist(), s.sample(h).tolist());
    }
  }
}

TEST(Spaces, MultiDiscreteRejectsEmptyOrNonPositiveSizes) {
  EXPECT_EQ(error_of([] { MultiDiscrete(std::vector<int64_t>{}); }),
            "MultiDiscrete: nvec is empty");
  EXPECT_EQ(error_of([] { MultiDiscrete({2, 0}); }), "MultiDiscrete: nvec[1] = 0 <= 0");
  EXPECT_EQ(Space(MultiDiscrete({3, 2})).to_string(), "MultiDiscrete([3 2])");
}

TEST(Registry, UnknownIdSuggestsCloseMatches) {
  EXPECT_EQ(error_of([] { make("CartPol-v1"); }),
            "make: unknown env id 'CartPol-v1' (did you mean 'CartPole-v1'? see: rein envs list)");
  EXPECT_EQ(error_of([] { make("Xyzzy"); }), "make: unknown env id 'Xyzzy' (see: rein envs list)");
}

TEST(Registry, SpecsCarryGymnasiumLimitsAndThresholds) {
  struct Expected {
    const char* id;
    std::optional<int64_t> steps;
    std::optional<double> threshold;
  };
  for (const Expected& e :
       {Expected{"CartPole-v1", 500, 475.0}, Expected{"MountainCar-v0", 200, -110.0},
        Expected{"MountainCarContinuous-v0", 999, 90.0}, Expected{"Pendulum-v1", 200, std::nullopt},
        Expected{"Acrobot-v1", 500, -100.0}}) {
    const EnvSpec spec = registry().spec(e.id);
    EXPECT_EQ(spec.max_episode_steps, e.steps) << e.id;
    EXPECT_EQ(spec.reward_threshold, e.threshold) << e.id;
  }
}

TEST(Registry, MakeAppliesTimeLimitAndOrderEnforcing) {
  auto env = make("Pendulum-v1");
  EXPECT_EQ(error_of([&] { env->step(std::vector<float>{0.0f}); }),
            "Pendulum-v1.step: cannot call step() before reset()");
  auto* limit = find_wrapper<TimeLimit>(*env);
  ASSERT_NE(limit, nullptr);
  EXPECT_EQ(limit->max_episode_steps(), 200);
  env->reset(0);
  int steps = 0;
  for (bool truncated = false; !truncated; ++steps) {
    truncated = env->step(std::vector<float>{0.0f}).truncated;
  }
  EXPECT_EQ(steps, 200);

  auto short_env = make("Pendulum-v1", {{"max_episode_steps", "7"}});
  EXPECT_EQ(find_wrapper<TimeLimit>(*short_env)->max_episode_steps(), 7);
  auto unlimited = make("Pendulum-v1", {{"max_episode_steps", "none"}});
  EXPECT_EQ(find_wrapper<TimeLimit>(*unlimited), nullptr);
}

class Counter final : public Env {
 public:
  explicit Counter(const Kwargs& kwargs) {
    KwargsReader kw("Counter-v0", kwargs);
    limit_ = kw.get_int("limit", 3);
    kw.finish();
    observation_space_ = Discrete(100);
    action_space_ = Discrete(2);
    obs_ = zeros(Shape{}, Dtype::Int64);
  }
  ResetResult reset(std::optional<uint64_t> seed, const Kwargs&) override {
    seed_rng(seed);
    obs_.data<int64_t>()[0] = 0;
    return {obs_, info_};
  }
  StepResult step(const Action& a) override {
    check_action(action_space_, a, "Counter-v0.step");
    int64_t& n = obs_.data<int64_t>()[0];
    n += a.index();
    return {obs_, 1.0, n >= limit_, false, info_};
  }

 private:
  int64_t limit_ = 3;
  Tensor obs_;
};

TEST(Registry, UserEnvsRegisterInOneLine) {
  register_env<Counter>("Counter-v0", {.max_episode_steps = 10, .description = "counts"});
  EXPECT_EQ(error_of([] { register_env<Counter>("Counter-v0"); }),
            "register_env: env id 'Counter-v0' is already registered");
  auto env = make("Counter-v0", {{"limit", "2"}});
  env->reset(0);
  EXPECT_FALSE(env->step(1).terminated);
  EXPECT_TRUE(env->step(1).terminated);
  EXPECT_EQ(error_of([] {
              make("Counter-v0", {{"limt", "2"}});
            }),
            "Counter-v0: unknown argument 'limt' (accepted: limit)");
}

}  // namespace
}  // namespace rein::envs
