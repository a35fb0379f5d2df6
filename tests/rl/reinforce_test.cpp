// REINFORCE's pieces: the Monte-Carlo reward-to-go on hand examples (terminated and truncated
// episodes), and the settings it refuses.
#include "rl/algorithms/reinforce.h"

#include <gtest/gtest.h>

#include <vector>

#include "rl/trainer.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

using test_support::error_of;

TEST(RewardToGo, TerminatedEpisodeSumsDiscountedRewards) {
  const std::vector<float> r{1, 2, 4};
  std::vector<float> g(3);
  reward_to_go(r, 0.5, 0.0, g);
  // G2 = 4, G1 = 2 + 0.5 * 4 = 4, G0 = 1 + 0.5 * 4 = 3
  EXPECT_FLOAT_EQ(g[2], 4.0f);
  EXPECT_FLOAT_EQ(g[1], 4.0f);
  EXPECT_FLOAT_EQ(g[0], 3.0f);
}

TEST(RewardToGo, TruncatedEpisodeStartsFromTheBootstrapValue) {
  const std::vector<float> r{1, 1, 1};
  std::vector<float> g(3);
  reward_to_go(r, 0.5, 4.0, g);
  // G3 = V(final obs) = 4, G2 = 1 + 2 = 3, G1 = 1 + 1.5 = 2.5, G0 = 1 + 1.25 = 2.25
  EXPECT_FLOAT_EQ(g[2], 3.0f);
  EXPECT_FLOAT_EQ(g[1], 2.5f);
  EXPECT_FLOAT_EQ(g[0], 2.25f);
}

TEST(RewardToGo, UndiscountedReturnIsTheSumOfTheRest) {
  const std::vector<float> r{1, 1, 1, 1, 1};
  std::vector<float> g(5);
  reward_to_go(r, 1.0, 0.0, g);
  for (int t = 0; t < 5; ++t) EXPECT_FLOAT_EQ(g[t], 5.0f - t);
}

TEST(RewardToGo, RejectsAMismatchedOutput) {
  const std::vector<float> r{1, 2};
  std::vector<float> g(3);
  EXPECT_EQ(error_of([&] { reward_to_go(r, 0.9, 0.0, g); }),
            "reward_to_go: out has 3 elements, rewards 2");
}

TEST(ReinforceErrors, RewardNormalisationIsRefusedWithTheAlternative) {
  Settings s;
  s.set("normalize_reward", "true", "--set");
  std::string msg = error_of([&] { Trainer("reinforce", "CartPole-v1", {}, s); });
  EXPECT_NE(msg.find("reinforce: normalize_reward is not supported"), std::string::npos) << msg;
  EXPECT_NE(msg.find("normalize_returns"), std::string::npos) << msg;
}

TEST(ReinforceErrors, NegativeGradientClipIsRejected) {
  Settings s;
  s.set("max_grad_norm", "-1", "--set");
  EXPECT_EQ(error_of([&] { Trainer("reinforce", "CartPole-v1", {}, s); }),
            "reinforce: max_grad_norm must be >= 0, got -1");
}

}  // namespace
}  // namespace rein::rl
