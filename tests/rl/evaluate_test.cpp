// evaluate(): a deterministic policy that loops forever on an env without a time limit
// (CliffWalking-v1 has none, as in Gymnasium) is cut at the cap with a warning, and envs that
// have a time limit, or episodes that end by themselves, are evaluated exactly as before.
#include "rl/evaluate.h"

#include <gtest/gtest.h>

#include <functional>

#include "tensor/ops.h"

namespace rein::rl {
namespace {

// An agent that acts by a fixed rule on each observation row (no learning).
class RuleAgent final : public Agent {
 public:
  explicit RuleAgent(std::function<int64_t(const Tensor&)> rule) : rule_(std::move(rule)) {}
  void iterate(MetricSink&) override {}
  int64_t global_step() const override { return 0; }
  Tensor predict(const Tensor& obs, bool) override {
    const int64_t b = obs.shape()[0];
    Tensor out = zeros({b}, Dtype::Int64);
    for (int64_t i = 0; i < b; ++i) out.data<int64_t>()[i] = rule_(obs.select(0, i));
    return out;
  }
  std::vector<Param> params() override { return {}; }
  void state(StateIO&) override {}

 private:
  std::function<int64_t(const Tensor&)> rule_;
};

// CliffWalking: state = row * 12 + col, start 36 (row 3, col 0), goal 47; actions 0 up,
// 1 right, 2 down, 3 left. Moving left from the start bumps the wall: the episode never ends.
int64_t left(const Tensor&) { return 3; }

// Up from the start, right along row 2, down into the goal: 13 steps, return -13.
int64_t safe_path(const Tensor& obs) {
  const int64_t s = obs.item<int64_t>();
  if (s == 36) return 0;
  if (s == 35) return 2;
  return 1;
}

TEST(Evaluate, LoopingPolicyOnEnvWithoutTimeLimitIsCutAtTheCapWithAWarning) {
  RuleAgent agent(left);
  EvalResult r = evaluate(agent, "CliffWalking-v1", {},
                          EvalOptions{.episodes = 3, .default_max_episode_steps = 500});
  ASSERT_EQ(r.returns.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r.lengths[i], 500);
    EXPECT_DOUBLE_EQ(r.returns[i], -500.0);
  }
  EXPECT_EQ(r.cut_episodes, 3);
  EXPECT_EQ(r.warning,
            "evaluate: 3 of 3 episodes on CliffWalking-v1 did not end within 500 steps and were "
            "cut (counted as truncated; their partial returns are in the mean): the env has no "
            "time limit and the policy may loop. Set one with --env-arg max_episode_steps=N");
}

TEST(Evaluate, DefaultCapIsOneHundredThousandSteps) {
  EXPECT_EQ(EvalOptions{}.default_max_episode_steps, 100'000);
  RuleAgent agent(left);
  EvalResult r = evaluate(agent, "CliffWalking-v1", {}, EvalOptions{.episodes = 1});
  ASSERT_EQ(r.lengths.size(), 1u);
  EXPECT_EQ(r.lengths[0], 100'000);
  EXPECT_EQ(r.cut_episodes, 1);
  EXPECT_NE(r.warning.find("--env-arg max_episode_steps=N"), std::string::npos) << r.warning;
}

TEST(Evaluate, EpisodesThatEndByThemselvesAreUnchangedByTheCap) {
  RuleAgent agent(safe_path);
  for (int64_t cap : {int64_t{0}, int64_t{20}, int64_t{100'000}}) {
    EvalResult r = evaluate(agent, "CliffWalking-v1", {},
                            EvalOptions{.episodes = 4, .default_max_episode_steps = cap});
    SCOPED_TRACE(cap);
    ASSERT_EQ(r.returns.size(), 4u);
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(r.lengths[i], 13);
      EXPECT_DOUBLE_EQ(r.returns[i], -13.0);
    }
    EXPECT_EQ(r.cut_episodes, 0);
    EXPECT_TRUE(r.warning.empty()) << r.warning;
  }
}

TEST(Evaluate, EnvTimeLimitIsKeptAndNeverReplacedByTheCap) {
  RuleAgent agent(left);
  // The user's limit (--env-arg max_episode_steps=50) wins over a smaller or larger cap, and
  // episodes truncated by it are not reported as cut.
  for (int64_t cap : {int64_t{10}, int64_t{100'000}}) {
    EvalResult r = evaluate(agent, "CliffWalking-v1", {{"max_episode_steps", "50"}},
                            EvalOptions{.episodes = 2, .default_max_episode_steps = cap});
    for (int64_t len : r.lengths) EXPECT_EQ(len, 50);
    EXPECT_EQ(r.cut_episodes, 0);
    EXPECT_TRUE(r.warning.empty()) << r.warning;
  }
  // A registered limit (MountainCar-v0: 200 steps; pushing left never reaches the flag).
  RuleAgent push_left([](const Tensor&) { return int64_t{0}; });
  EvalResult r = evaluate(push_left, "MountainCar-v0", {},
                          EvalOptions{.episodes = 2, .default_max_episode_steps = 10});
  for (int64_t len : r.lengths) EXPECT_EQ(len, 200);
  for (double ret : r.returns) EXPECT_DOUBLE_EQ(ret, -200.0);
  EXPECT_EQ(r.cut_episodes, 0);
  EXPECT_TRUE(r.warning.empty()) << r.warning;
}

TEST(Evaluate, NegativeCapIsRefused) {
  RuleAgent agent(safe_path);
  try {
    evaluate(agent, "CliffWalking-v1", {}, EvalOptions{.default_max_episode_steps = -1});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "evaluate: default_max_episode_steps must be >= 0 (0: no cap), got -1");
  }
}

}  // namespace
}  // namespace rein::rl
