// Tabular methods learn with their presets (one seed each, 1000 greedy evaluation episodes):
// Q-learning on FrozenLake-v1 (success >= 0.70) and Taxi-v4 (the optimal policy), and on
// CliffWalking-v1 Q-learning walks the optimal cliff edge (-13) while SARSA keeps a safer path.
// The five-seed measurements through `rein train` are in docs/RESULTS.md.
#include <gtest/gtest.h>

#include "rl/metric_sink.h"
#include "rl/trainer.h"

namespace rein::rl {
namespace {

EvalResult train_preset(const char* algo, const char* env, int seed) {
  Settings s = preset_settings(algo, env);
  EXPECT_FALSE(s.items().empty()) << algo << " has no preset for " << env;
  s.set("seed", std::to_string(seed), "test");
  Trainer t(algo, env, {}, s);
  EXPECT_EQ(t.run_config().eval_episodes, 1000);
  NullSink sink;
  TrainResult r = t.train(sink, "", {});
  EXPECT_TRUE(r.final_eval.has_value());
  return *r.final_eval;
}

TEST(TabularLearning, QLearningFrozenLakeReachesSuccess070) {
  EvalResult ev = train_preset("qlearning", "FrozenLake-v1", 1);
  ASSERT_TRUE(ev.success_rate.has_value());
  EXPECT_GE(*ev.success_rate, 0.70);
}

// The issue asks for >= 8.0, but the optimal policy's expected return from Taxi's start states is
// 7.93 (shortest routes of all 300 starts; docs/RESULTS.md), so that bound fails by design and
// is reported there, not tested. This checks the policy is optimal: its 1000-episode mean is
// within three standard errors (3 * 2.6 / sqrt(1000) = 0.25) of 7.93.
TEST(TabularLearning, QLearningTaxiReachesTheOptimalReturn) {
  EXPECT_GE(train_preset("qlearning", "Taxi-v4", 1).mean_return, 7.93 - 0.25);
}

TEST(TabularLearning, CliffWalkingQLearningTakesTheEdgeAndSarsaTheSafePath) {
  EvalResult q = train_preset("qlearning", "CliffWalking-v1", 1);
  EXPECT_EQ(q.mean_return, -13.0);  // deterministic env, greedy policy: every episode the same
  EvalResult sarsa = train_preset("sarsa", "CliffWalking-v1", 1);
  EXPECT_LT(sarsa.mean_return, -13.0);  // a longer path away from the cliff ...
  EXPECT_GE(sarsa.mean_return, -17.0);  // ... that still goes straight to the goal
}

}  // namespace
}  // namespace rein::rl
