// The classic-control envs replay episodes recorded from Gymnasium 1.4 (tests/envs/data/*.jsonl):
// every observation to 1e-6 (in practice bit for bit), every reward and flag exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "envs/registry.h"
#include "tests/envs/reference_data.h"

namespace rein::envs {
namespace {

using nlohmann::json;

Kwargs kwargs_of(const json& episode) {
  Kwargs kw;
  for (const auto& [k, v] : episode["kwargs"].items())
    kw[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return kw;
}

Action action_of(const json& a, std::vector<float>& storage) {
  if (a.is_array()) {
    storage.clear();
    for (const auto& x : a) storage.push_back(static_cast<float>(x.get<double>()));
    return Action(std::span<const float>(storage));
  }
  return Action(a.get<int64_t>());
}

void expect_obs(const Tensor& obs, const json& expected, const std::string& where) {
  ASSERT_EQ(obs.numel(), static_cast<int64_t>(expected.size())) << where;
  const float* p = obs.data<float>();
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(p[i], expected[i].get<double>(), 1e-6) << where << " element " << i;
  }
}

// Replays every recorded episode through make() (so TimeLimit truncation is checked too) and
// returns how many observations were bit-identical to Gymnasium's float32 values.
void replay_all(const std::string& id) {
  const auto episodes = testing::read_jsonl(id + ".jsonl");
  ASSERT_FALSE(episodes.empty());
  int64_t steps = 0, exact = 0;
  for (size_t e = 0; e < episodes.size(); ++e) {
    const json& ep = episodes[e];
    auto env = make(id, kwargs_of(ep));
    ResetResult reset = env->reset(0);
    const Tensor& obs = reset.obs;
    const auto init = ep["init_state"].get<std::vector<double>>();
    env->set_state(init);
    expect_obs(obs, ep["init_obs"], id + " episode " + std::to_string(e) + " init");
    std::vector<float> storage;
    const auto& actions = ep["actions"];
    for (size_t t = 0; t < actions.size(); ++t) {
      const std::string where = id + " episode " + std::to_string(e) + " step " + std::to_string(t);
      StepResult r = env->step(action_of(actions[t], storage));
      expect_obs(r.obs, ep["obs"][t], where);
      for (size_t i = 0; i < ep["obs"][t].size(); ++i) {
        exact += r.obs.data<float>()[i] == static_cast<float>(ep["obs"][t][i].get<double>());
      }
      steps += static_cast<int64_t>(ep["obs"][t].size());
      ASSERT_EQ(r.reward, ep["rewards"][t].get<double>()) << where;
      ASSERT_EQ(r.terminated, ep["terminated"][t].get<bool>()) << where;
      ASSERT_EQ(r.truncated, ep["truncated"][t].get<bool>()) << where;
      // The state follows Gymnasium's in double precision, not only the float32 observation.
      const auto expected_state = ep["states"][t].get<std::vector<double>>();
      const auto state = env->state();
      for (size_t i = 0; i < state.size(); ++i) {
        ASSERT_NEAR(state[i], expected_state[i], 1e-9 * (1 + std::abs(expected_state[i])))
            << where << " state " << i;
      }
    }
  }
  // With std::sin/std::cos and no FMA contraction the replay is bit-exact (SPEC.md).
  EXPECT_EQ(exact, steps) << id << ": not every observation is bit-identical";
}

// Single steps from the recorded double-precision states, which must reproduce the next state
// exactly: this isolates one step's arithmetic from accumulated drift.
void single_steps(const std::string& id) {
  for (const json& ep : testing::read_jsonl(id + ".jsonl")) {
    auto env = registry().make_unwrapped(id, kwargs_of(ep));
    env->reset(0);
    std::vector<float> storage;
    for (size_t t = 0; t < ep["actions"].size(); ++t) {
      const auto from = t == 0 ? ep["init_state"] : ep["states"][t - 1];
      env->set_state(from.get<std::vector<double>>());
      StepResult r = env->step(action_of(ep["actions"][t], storage));
      EXPECT_EQ(r.reward, ep["rewards"][t].get<double>()) << id << " step " << t;
      EXPECT_EQ(r.terminated, ep["terminated"][t].get<bool>()) << id << " step " << t;
      EXPECT_EQ(env->state(), ep["states"][t].get<std::vector<double>>()) << id << " step " << t;
    }
  }
}

TEST(CartPole, MatchesGymnasium) { replay_all("CartPole-v1"); }
TEST(CartPole, SingleStepsMatchGymnasiumExactly) { single_steps("CartPole-v1"); }
TEST(MountainCar, MatchesGymnasium) { replay_all("MountainCar-v0"); }
TEST(MountainCar, SingleStepsMatchGymnasiumExactly) { single_steps("MountainCar-v0"); }
TEST(MountainCarContinuous, MatchesGymnasium) { replay_all("MountainCarContinuous-v0"); }
TEST(MountainCarContinuous, SingleStepsMatchGymnasiumExactly) {
  single_steps("MountainCarContinuous-v0");
}
TEST(Pendulum, MatchesGymnasium) { replay_all("Pendulum-v1"); }
TEST(Pendulum, SingleStepsMatchGymnasiumExactly) { single_steps("Pendulum-v1"); }
TEST(Acrobot, MatchesGymnasium) { replay_all("Acrobot-v1"); }
TEST(Acrobot, SingleStepsMatchGymnasiumExactly) { single_steps("Acrobot-v1"); }

TEST(CartPole, RewardIsZeroAfterTermination) {
  auto env = registry().make_unwrapped("CartPole-v1");
  env->reset(1);
  const std::vector<double> falling = {0.0, 0.0, 0.2094, 2.0};
  env->set_state(falling);
  StepResult first = env->step(1);
  EXPECT_TRUE(first.terminated);
  EXPECT_EQ(first.reward, 1.0);
  StepResult after = env->step(1);
  EXPECT_EQ(after.reward, 0.0);
}

TEST(CartPole, RejectsActionsOutsideTheSpace) {
  auto env = make("CartPole-v1");
  env->reset(0);
  try {
    env->step(2);
    FAIL() << "expected rein::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "CartPole-v1.step: action 2 is outside Discrete(2) (valid: 0..1)");
  }
}

TEST(CartPole, ResetIsDeterministicUnderASeedAndHonoursBounds) {
  auto a = make("CartPole-v1");
  auto b = make("CartPole-v1");
  const std::vector<double> first = a->reset(42).obs.tolist();
  EXPECT_EQ(first, b->reset(42).obs.tolist());
  for (double v : first) EXPECT_LE(std::abs(v), 0.05);
  const auto wide = a->reset(7, {{"low", "-0.5"}, {"high", "0.5"}}).obs.tolist();
  bool outside_default = false;
  for (double v : wide) {
    EXPECT_LE(std::abs(v), 0.5);
    outside_default = outside_default || std::abs(v) > 0.05;
  }
  EXPECT_TRUE(outside_default);
}

TEST(Pendulum, RefusesAGravityThatMakesItsStepNonFinite) {
  // g = inf (or 1e308, whose 3 g overflows) gave theta_dot = inf * sin(theta), NaN at
  // sin(theta) = 0: NaN observations, reported by training as a bad observation.
  // 5.992310449541053e307 is the first g whose 3 g rounds to inf.
  for (const char* g : {"inf", "nan", "1e308", "-1e308", "5.992310449541053e307"}) {
    try {
      make("Pendulum-v1", {{"g", g}});
      FAIL() << "expected rein::Error for g = " << g;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()),
                str("Pendulum-v1: argument 'g' must be a finite number in [-5.99231e+307, "
                    "5.99231e+307], got ",
                    std::stod(g),
                    " (the step's 3 g / (2 l) sin(theta) must be finite, or theta_dot is NaN)"));
    }
  }
  // Any other g steps as before, however odd: the swing is clipped to [-8, 8].
  for (const char* g : {"1e300", "5.992310449541052e307", "-5.992310449541052e307"}) {
    auto strong = make("Pendulum-v1", {{"g", g}});
    strong->reset(0);
    const std::vector<float> no_torque{0.0f};
    for (int t = 0; t < 5; ++t) {
      const float* obs = strong->step(Action(std::span<const float>(no_torque))).obs.data<float>();
      for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::isfinite(obs[i])) << g;
    }
  }
}

// Runs whole episodes (random actions, to termination or the registered time limit) and expects
// every observation and reward finite, rewards within float32 as vector envs keep them.
void expect_finite_episodes(Env& env, const Kwargs& options, int episodes) {
  for (int ep = 0; ep < episodes; ++ep) {
    const Tensor& first = env.reset(static_cast<uint64_t>(ep), options).obs;
    for (double v : first.tolist()) ASSERT_TRUE(std::isfinite(static_cast<float>(v))) << ep;
    NpRandom gen(static_cast<uint64_t>(ep));
    for (int t = 0;; ++t) {
      const StepResult r = env.step(Action::from_tensor(env.action_space().sample(gen)));
      for (double v : r.obs.tolist()) ASSERT_TRUE(std::isfinite(v)) << ep << " step " << t;
      ASSERT_TRUE(std::isfinite(static_cast<float>(r.reward))) << ep << " step " << t;
      if (r.terminated || r.truncated) break;
    }
  }
}

void expect_refused(const std::string& id, const Kwargs& kwargs, const Kwargs& options,
                    const std::string& message) {
  try {
    make(id, kwargs)->reset(0, options);
    FAIL() << "expected rein::Error for " << id;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
  }
}

TEST(ClassicControl, ResetBoundsThatBreakTheEpisodeAreRefused) {
  // low = -inf, high = inf drew NaN start states (uniform over an infinite range); finite but
  // huge bounds overflowed the float32 observation (CartPole within two steps, MountainCar at
  // reset) or made Acrobot's first step wrap an angle of 1e16 by 2 pi at a time, forever.
  struct Case {
    const char* id;
    const char* bound;  // as the message prints it
    const char* beyond;
  };
  for (const Case& c : {Case{"CartPole-v1", "1e+09", "1.1e9"}, Case{"Acrobot-v1", "100", "101"},
                        Case{"MountainCar-v0", "3.40282e+38", "3.5e38"},
                        Case{"MountainCarContinuous-v0", "3.40282e+38", "3.5e38"}}) {
    SCOPED_TRACE(c.id);
    const std::string range = str("must be a finite number in [-", c.bound, ", ", c.bound, "]");
    for (const char* v : {"nan", "inf", "-inf", "1e308", "-1e308"}) {
      expect_refused(c.id, {}, {{"low", v}, {"high", "1"}},
                     str(c.id, ".reset: option 'low' ", range, ", got ", std::stod(v), " ("));
    }
    expect_refused(c.id, {}, {{"low", "0"}, {"high", c.beyond}},
                   str(c.id, ".reset: option 'high' ", range, ", got "));
    // At the bound every episode stays finite and ends (Acrobot's first step takes a millisecond).
    auto env = make(c.id);
    expect_finite_episodes(*env, {{"low", str("-", c.bound)}, {"high", c.bound}}, 20);
  }
}

TEST(Pendulum, ResetOptionsThatMakeTheStartNonFiniteAreRefused) {
  // x_init = inf drew a NaN angle; y_init = inf an inf theta_dot, and y_init = 1e20 a first
  // reward of -1e39, inf as the float32 reward of vector envs and training.
  for (const char* v : {"nan", "inf", "-inf", "1e308"}) {
    expect_refused("Pendulum-v1", {}, {{"x_init", v}},
                   str("Pendulum-v1.reset: option 'x_init' must be a finite number in [-1e+307, "
                       "1e+307], got ",
                       std::stod(v)));
  }
  for (const char* v : {"nan", "inf", "-inf", "1e20"}) {
    expect_refused("Pendulum-v1", {}, {{"y_init", v}},
                   str("Pendulum-v1.reset: option 'y_init' must be a finite number in [-1e+19, "
                       "1e+19], got ",
                       std::stod(v), " (the first reward"));
  }
  auto env = make("Pendulum-v1");
  expect_finite_episodes(*env, {{"x_init", "1e307"}, {"y_init", "1e19"}}, 3);
  expect_finite_episodes(*env, {{"x_init", "-2"}, {"y_init", "-0.5"}}, 3);  // as Gymnasium
}

TEST(MountainCar, AGoalVelocityThatCanNeverBeReachedIsRefused) {
  // goal_velocity = nan (or anything above the clipped top speed 0.07) is never reached: no
  // episode terminated, and without a time limit none ended.
  for (const char* id : {"MountainCar-v0", "MountainCarContinuous-v0"}) {
    for (const char* v : {"nan", "inf", "0.0701", "1e308"}) {
      try {
        make(id, {{"goal_velocity", v}});
        FAIL() << "expected rein::Error for " << id << " goal_velocity = " << v;
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(str(id,
                                                 ": argument 'goal_velocity' must be a "
                                                 "number <= 0.07, got ",
                                                 std::stod(v), " (")),
                  std::string::npos)
            << e.what();
      }
    }
    for (const char* v : {"0.07", "-inf", "-5"}) make(id, {{"goal_velocity", v}});
  }
  // A reachable goal still ends episodes: from the goal at full speed, the first step terminates.
  auto env = make("MountainCar-v0", {{"goal_velocity", "0.07"}});
  env->reset(0);
  env->unwrapped().set_state(std::vector<double>{0.55, 0.07});
  EXPECT_TRUE(env->step(2).terminated);
}

TEST(ClassicControl, SetStateRefusesStatesThatBreakTheEpisode) {
  // NaN and inf were taken as they came (a NaN observation and reward), and a huge Acrobot angle
  // or speed made the next step's wrap to [-pi, pi] run 2 pi at a time, without end.
  struct Case {
    const char* id;
    std::vector<double> at_limit;  // every value at its limit: accepted, episodes stay finite
    const char* first;             // the first value's name and range, as the message prints them
  };
  const double f32 = std::numeric_limits<float>::max();
  for (const Case& c :
       {Case{"CartPole-v1", {1e9, -1e9, 1e9, -1e9}, "x must be a finite number in [-1e+09, 1e+09]"},
        Case{"Acrobot-v1", {100, -100, 100, -100}, "theta1 must be a finite number in [-100, 100]"},
        Case{"MountainCar-v0",
             {f32, -f32},
             "position must be a finite number in [-3.40282e+38, 3.40282e+38]"},
        Case{"MountainCarContinuous-v0",
             {-f32, f32},
             "position must be a finite number in [-3.40282e+38, 3.40282e+38]"},
        Case{
            "Pendulum-v1", {1e307, -1e19}, "theta must be a finite number in [-1e+307, 1e+307]"}}) {
    SCOPED_TRACE(c.id);
    auto env = make(c.id);
    env->reset(0);
    const std::vector<double> before = env->unwrapped().state();
    const double inf = std::numeric_limits<double>::infinity();
    for (double v : {std::nan(""), inf, -inf, 1e308}) {
      std::vector<double> bad = c.at_limit;
      bad[0] = v;
      try {
        env->unwrapped().set_state(bad);
        ADD_FAILURE() << "expected rein::Error for " << v;
      } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()).find(str(c.id, ".set_state: ", c.first, ", got ", v, " (")),
                  0u)
            << e.what();
      }
      // The last value too (each is checked), and a refused state changes nothing.
      bad[0] = c.at_limit[0];
      bad.back() = v;
      EXPECT_THROW(env->unwrapped().set_state(bad), Error);
      EXPECT_EQ(env->unwrapped().state(), before);
    }
    // At the limits the next steps stay finite and return.
    env->unwrapped().set_state(c.at_limit);
    NpRandom gen(0);
    for (int t = 0; t < 3; ++t) {
      const StepResult r = env->step(Action::from_tensor(env->action_space().sample(gen)));
      for (double v : r.obs.tolist()) ASSERT_TRUE(std::isfinite(v)) << t;
      ASSERT_TRUE(std::isfinite(static_cast<float>(r.reward))) << t;
      if (r.terminated || r.truncated) break;
    }
  }
}

TEST(Pendulum, RejectsUnknownKwargs) {
  try {
    make("Pendulum-v1", {{"gg", "9.81"}});
    FAIL() << "expected rein::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "Pendulum-v1: unknown argument 'gg' (accepted: g)");
  }
  auto env = make("Pendulum-v1", {{"g", "9.81"}});
  EXPECT_EQ(env->spec()->kwargs.at("g"), "9.81");
}

}  // namespace
}  // namespace rein::envs
