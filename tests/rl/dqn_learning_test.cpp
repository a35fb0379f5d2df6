// DQN learns CartPole-v1 with the rl-baselines3-zoo preset (50,000 steps, ~24,500 gradient
// steps of a 256x256 MLP): the real preset, one seed, 100 deterministic evaluation episodes.
// DQN's final policy on this preset varies by seed (SB3: 500 on 8 of 13 seeds), and any change
// in float rounding (e.g. the same Adam formula compiled as another loop) picks another sample per
// seed; seed 1 is one of the seeds that reached 500 through the CLI with the current code
// (docs/RESULTS.md lists them all), so a failure here means the computation changed.
#include <gtest/gtest.h>

#include "rl/metric_sink.h"
#include "rl/trainer.h"

namespace rein::rl {
namespace {

TEST(DqnLearning, ZooPresetSolvesCartPole) {
  Settings s = preset_settings("dqn", "CartPole-v1");
  s.set("seed", "1", "test");
  Trainer t("dqn", "CartPole-v1", {}, s);
  NullSink sink;
  TrainResult r = t.train(sink, "", {});
  ASSERT_TRUE(r.final_eval.has_value());
  // 475 is the env's reward threshold; docs/RESULTS.md has all five seeds.
  EXPECT_GE(r.final_eval->mean_return, 475.0);
}

}  // namespace
}  // namespace rein::rl
