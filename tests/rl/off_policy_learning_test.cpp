// SAC learns Pendulum-v1 with the rl-baselines3-zoo preset, cut short: 6,000 of its 20,000 steps
// (5,900 gradient steps of the 256x256 actor and twin critics), one seed, 10 deterministic
// evaluation episodes. A random policy scores about -1,200 and the full preset about -150
// (docs/RESULTS.md); -400 at 6,000 steps means the swing-up was learned.
#include <gtest/gtest.h>

#include "rl/metric_sink.h"
#include "rl/trainer.h"

namespace rein::rl {
namespace {

TEST(SacLearning, ZooPresetSwingsPendulumUpInAFewThousandSteps) {
  Settings s = preset_settings("sac", "Pendulum-v1");
  s.set("total_timesteps", "6000", "test");
  s.set("eval_episodes", "10", "test");
  s.set("seed", "1", "test");
  Trainer t("sac", "Pendulum-v1", {}, s);
  NullSink sink;
  TrainResult r = t.train(sink, "", {});
  ASSERT_TRUE(r.final_eval.has_value());
  EXPECT_GE(r.final_eval->mean_return, -400.0);
}

}  // namespace
}  // namespace rein::rl
