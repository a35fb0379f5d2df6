// A2C and REINFORCE learn CartPole-v1 with their presets (the A2C zoo preset, 500,000 steps;
// rein's REINFORCE preset, 500,000 steps), judged by a 100-episode deterministic evaluation
// against the bars (A2C >= 475, REINFORCE >= 400 on 3 of 5 seeds; two seeds here).
#include <gtest/gtest.h>

#include "rl/metric_sink.h"
#include "rl/trainer.h"

namespace rein::rl {
namespace {

struct Case {
  const char* algorithm;
  int seed;
  double bar;
};

class PolicyGradientLearning : public ::testing::TestWithParam<Case> {};

TEST_P(PolicyGradientLearning, CartPolePresetClearsTheBar) {
  const Case c = GetParam();
  Settings s = preset_settings(c.algorithm, "CartPole-v1");
  s.set("seed", std::to_string(c.seed), "test");
  Trainer t(c.algorithm, "CartPole-v1", {}, s);
  EXPECT_EQ(t.run_config().total_timesteps, 500000);
  NullSink sink;
  TrainResult r = t.train(sink, "", {});
  EXPECT_EQ(r.global_step, 500000);
  ASSERT_TRUE(r.final_eval.has_value());
  EXPECT_EQ(r.final_eval->returns.size(), 100u);
  EXPECT_GE(r.final_eval->mean_return, c.bar) << c.algorithm << " seed " << c.seed;
}

INSTANTIATE_TEST_SUITE_P(Presets, PolicyGradientLearning,
                         ::testing::Values(Case{"a2c", 1, 475.0}, Case{"a2c", 2, 475.0},
                                           Case{"reinforce", 1, 400.0},
                                           Case{"reinforce", 2, 400.0}),
                         [](const auto& info) {
                           return std::string(info.param.algorithm) + "_seed" +
                                  std::to_string(info.param.seed);
                         });

}  // namespace
}  // namespace rein::rl
