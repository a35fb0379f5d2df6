// A2C's pieces on hand examples: n-step returns (GAE with lambda 1) with an episode end and a
// time-limit bootstrap inside the rollout, config validation, and the zoo preset's values.
#include "rl/algorithms/a2c.h"

#include <gtest/gtest.h>

#include "rl/algorithms/reinforce.h"
#include "rl/blocks/rollout_buffer.h"
#include "rl/presets.h"
#include "rl/trainer.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

using test_support::error_of;

// 4 steps of one env, gamma 0.9: the episode terminates after step 1, a new one runs steps 2-3,
// and the rollout ends with V(s_4) = 10.
TEST(A2CReturns, NStepReturnsMatchAHandExample) {
  RolloutBuffer buf(4, 1, 1, 1, true);
  const float rewards[] = {1, 2, 3, 4};
  const float values[] = {0.5f, 0.25f, 1.0f, 2.0f};
  const uint8_t dones[] = {0, 1, 0, 0};
  for (int t = 0; t < 4; ++t) {
    *buf.rewards(t) = rewards[t];
    *buf.values(t) = values[t];
    *buf.dones(t) = dones[t];
    *buf.truncation_values(t) = 0;
  }
  buf.last_values()[0] = 10.0f;
  buf.compute_returns_and_advantages(0.9, 1.0);
  // Terminated at t = 1: R1 = 2, R0 = 1 + 0.9 * 2 = 2.8 (no bootstrap across the episode end).
  // Bootstrapped from V(s_4): R3 = 4 + 0.9 * 10 = 13, R2 = 3 + 0.9 * 13 = 14.7.
  const float want[] = {2.8f, 2.0f, 14.7f, 13.0f};
  for (int t = 0; t < 4; ++t) {
    EXPECT_FLOAT_EQ(buf.returns()[t], want[t]) << t;
    EXPECT_FLOAT_EQ(buf.advantages()[t], want[t] - values[t]) << t;
  }
}

TEST(A2CReturns, TruncatedEpisodeBootstrapsFromItsFinalObservationValue) {
  RolloutBuffer buf(2, 1, 1, 1, true);
  *buf.rewards(0) = 1;
  *buf.rewards(1) = 1;
  *buf.values(0) = 0;
  *buf.values(1) = 0;
  *buf.dones(0) = 1;  // time limit at t = 0 with V(final observation) = 5
  *buf.dones(1) = 0;
  *buf.truncation_values(0) = 5;
  *buf.truncation_values(1) = 0;
  buf.last_values()[0] = 3;
  buf.compute_returns_and_advantages(0.5, 1.0);
  EXPECT_FLOAT_EQ(buf.returns()[0], 1 + 0.5f * 5);
  EXPECT_FLOAT_EQ(buf.returns()[1], 1 + 0.5f * 3);
}

TEST(A2CConfig, RejectsOutOfRangeValuesNamingTheKey) {
  A2CConfig c;
  c.rms_prop_eps = 0;
  EXPECT_EQ(error_of([&] { c.validate(); }), "a2c: rms_prop_eps must be > 0, got 0");
  Settings s;
  s.set("n_steps", "0", "--set");
  EXPECT_EQ(error_of([&] { Trainer("a2c", "CartPole-v1", {}, s); }),
            "a2c: n_steps must be >= 1, got 0");
}

TEST(A2CPresets, CartPoleIsTheZooEntryOverSb3Defaults) {
  auto p = find_preset("a2c", "CartPole-v1");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->settings.get("n_envs"), "8");
  EXPECT_EQ(p->settings.get("total_timesteps"), "500000");
  A2CConfig c;  // the keys the zoo leaves out: SB3 A2C's defaults
  EXPECT_EQ(c.n_steps, 5);
  EXPECT_DOUBLE_EQ(c.learning_rate, 7e-4);
  EXPECT_DOUBLE_EQ(c.gae_lambda, 1.0);
  EXPECT_TRUE(c.use_rms_prop);
  EXPECT_DOUBLE_EQ(c.rms_prop_eps, 1e-5);
  EXPECT_FALSE(c.normalize_advantage);
}

TEST(A2CPresets, EveryA2CAndReinforcePresetUsesOnlyValidKeys) {
  int checked = 0;
  for (Preset& p : list_presets()) {
    if (p.algorithm != "a2c" && p.algorithm != "reinforce") continue;
    A2CConfig a;
    ReinforceConfig r;
    RunConfig run;
    auto rf = run.fields();
    auto af = p.algorithm == "a2c" ? a.fields() : r.fields();
    p.settings.apply(rf);
    p.settings.apply(af);
    EXPECT_NO_THROW(p.settings.finish()) << p.algorithm << " " << p.env_id;
    EXPECT_NO_THROW(p.algorithm == "a2c" ? a.validate() : r.validate()) << p.env_id;
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

TEST(AlgorithmTable, ListsPolicyGradientAgentsWithTheirSpaces) {
  const std::string t = algorithm_table();
  EXPECT_NE(t.find("  a2c             actions: Discrete, Box | observations: Box, Discrete, "
                   "MultiDiscrete; images with policy=CnnPolicy\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("  reinforce       actions: Discrete, Box"), std::string::npos) << t;
  const std::string msg = error_of([] { find_algorithm("a2d"); });
  EXPECT_NE(msg.find("did you mean 'a2c'?"), std::string::npos) << msg;
  EXPECT_NE(msg.find("algorithms and the spaces they support:\n  a2c "), std::string::npos) << msg;
}

}  // namespace
}  // namespace rein::rl
