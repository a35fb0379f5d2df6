// Tabular Q-learning / SARSA / Expected SARSA: the update rules on hand-computed numbers, the
// schedules, the fixed points they reach on a two-cell lake, refusal of non-Discrete spaces,
// checkpoints and resume, determinism, and the success rule of the evaluation.
#include "rl/algorithms/tabular.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "envs/registry.h"
#include "rl/checkpoint.h"
#include "rl/evaluate.h"
#include "rl/metric_sink.h"
#include "rl/trainer.h"
#include "tensor/ops.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

namespace fs = std::filesystem;

using test_support::error_of;
using test_support::temp_dir;

// Q-table of 2 states x 2 actions: Q(0) = [1, 2], Q(1) = [3, 5].
const std::vector<double> kQ = {1.0, 2.0, 3.0, 5.0};

TEST(TabularUpdate, QLearningBootstrapsFromTheBestNextAction) {
  // delta = 1 + 0.5 * max(3, 5) - Q(0, 0) = 1 + 2.5 - 1
  EXPECT_DOUBLE_EQ(td_error(TabularMethod::QLearning, kQ, 2, 0, 0, 1.0, 1, 0, false, 0.5, 0.2),
                   2.5);
}

TEST(TabularUpdate, SarsaBootstrapsFromTheActionTaken) {
  // delta = 1 + 0.5 * Q(1, 0) - Q(0, 1) = 1 + 1.5 - 2
  EXPECT_DOUBLE_EQ(td_error(TabularMethod::Sarsa, kQ, 2, 0, 1, 1.0, 1, 0, false, 0.5, 0.2), 0.5);
  EXPECT_DOUBLE_EQ(td_error(TabularMethod::Sarsa, kQ, 2, 0, 1, 1.0, 1, 1, false, 0.5, 0.2), 1.5);
}

TEST(TabularUpdate, ExpectedSarsaBootstrapsFromTheEpsilonGreedyMean) {
  // E = 0.2 * (3 + 5) / 2 + 0.8 * 5 = 4.8; delta = 1 + 0.5 * 4.8 - 1 = 2.4
  EXPECT_DOUBLE_EQ(td_error(TabularMethod::ExpectedSarsa, kQ, 2, 0, 0, 1.0, 1, 0, false, 0.5, 0.2),
                   2.4);
  // With epsilon 0 it is Q-learning; with epsilon 1 the uniform mean.
  EXPECT_DOUBLE_EQ(expected_q({kQ.data() + 2, 2}, 0.0), 5.0);
  EXPECT_DOUBLE_EQ(expected_q({kQ.data() + 2, 2}, 1.0), 4.0);
  // Tied maxima share the greedy mass: 0.3 * 5 / 3 + 0.7 * 2.
  const std::vector<double> tied = {2.0, 2.0, 1.0};
  EXPECT_DOUBLE_EQ(expected_q(tied, 0.3), 1.9);
}

TEST(TabularUpdate, TerminalTransitionsDoNotBootstrap) {
  for (auto m : {TabularMethod::QLearning, TabularMethod::Sarsa, TabularMethod::ExpectedSarsa})
    EXPECT_DOUBLE_EQ(td_error(m, kQ, 2, 1, 1, -1.0, 0, 1, true, 0.9, 0.1), -6.0);
}

TEST(TabularSchedule, LinearExponentialAndConstantShapes) {
  Schedule lin{"linear", 1.0, 0.1, 0.5};
  EXPECT_DOUBLE_EQ(lin.value(0.0), 1.0);
  EXPECT_DOUBLE_EQ(lin.value(0.25), 0.55);
  EXPECT_DOUBLE_EQ(lin.value(0.5), 0.1);
  EXPECT_DOUBLE_EQ(lin.value(0.9), 0.1);
  Schedule exp_s{"exponential", 0.1, 0.001, 1.0};
  EXPECT_DOUBLE_EQ(exp_s.value(0.0), 0.1);
  EXPECT_NEAR(exp_s.value(0.5), 0.01, 1e-15);  // geometric midpoint
  EXPECT_NEAR(exp_s.value(1.0), 0.001, 1e-15);
  Schedule c{"constant", 0.3, 0.0, 1.0};
  EXPECT_DOUBLE_EQ(c.value(0.7), 0.3);
}

TEST(TabularSchedule, BadSchedulesAreRefusedByName) {
  Settings s;
  s.set("exploration_schedule", "cosine", "--set");
  EXPECT_NE(error_of([&] { Trainer("qlearning", "FrozenLake-v1", {}, s); })
                .find("exploration_schedule 'cosine' is unknown (expected constant, linear or "
                      "exponential)"),
            std::string::npos);
  Settings z;
  z.set("learning_rate_schedule", "exponential", "--set");
  z.set("final_learning_rate", "0", "--set");
  EXPECT_NE(error_of([&] { Trainer("sarsa", "FrozenLake-v1", {}, z); }).find("final_learning_rate"),
            std::string::npos);
}

TEST(TabularErrors, BoxObservationsAreRefusedNamingTheSpace) {
  std::string msg = error_of([] { Trainer("qlearning", "CartPole-v1", {}, {}); });
  EXPECT_NE(msg.find("qlearning cannot handle the observation space Box("), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("of CartPole-v1 (supports: Discrete; a Q-table needs finitely many states"),
            std::string::npos)
      << msg;
  // Box actions are refused by the registry's action-space check.
  msg = error_of([] { Trainer("expected_sarsa", "Pendulum-v1", {}, {}); });
  EXPECT_NE(msg.find("expected_sarsa cannot handle the action space Box("), std::string::npos)
      << msg;
  // Blackjack's observation is MultiDiscrete: no table index.
  msg = error_of([] { Trainer("sarsa", "Blackjack-v1", {}, {}); });
  EXPECT_NE(msg.find("observation space MultiDiscrete("), std::string::npos) << msg;
}

// A two-cell lake "SG" without slipping: action 2 (right) enters the goal (reward 1, terminal),
// the other three bump into the border and stay. With gamma 0.9 and uniformly random behaviour:
//   Q-learning:   Q(0, right) = 1, Q(0, other) = 0.9 * 1 = 0.9
//   (Expected) SARSA under the uniform policy: q = 0.9 * (1 + 3q) / 4, so q = 0.9 / 1.3.
Settings two_cells(const char* lr_schedule) {
  Settings s;
  s.set("total_timesteps", "20000", "test");
  s.set("eval_episodes", "10", "test");
  s.set("gamma", "0.9", "test");
  s.set("exploration_schedule", "constant", "test");
  s.set("exploration_initial_eps", "1", "test");
  s.set("learning_rate", "0.1", "test");
  s.set("learning_rate_schedule", lr_schedule, "test");
  s.set("final_learning_rate", "0.0005", "test");
  return s;
}

std::vector<double> trained_q(const char* algo, const char* lr_schedule) {
  Trainer t(algo, "FrozenLake-v1", {{"desc", "SG"}, {"is_slippery", "false"}},
            two_cells(lr_schedule));
  NullSink sink;
  TrainResult r = t.train(sink, "", {});
  EXPECT_EQ(r.final_eval->success_rate, 1.0);  // greedy: straight to the goal
  Tensor q = t.agent().state_tensors().at(0).second;
  return {q.data<double>(), q.data<double>() + q.numel()};
}

TEST(TabularLearning, EachMethodReachesItsFixedPointOnTwoCells) {
  const double sarsa_q = 0.9 / 1.3;
  std::vector<double> q = trained_q("qlearning", "constant");
  EXPECT_NEAR(q[2], 1.0, 1e-6);
  for (int a : {0, 1, 3}) EXPECT_NEAR(q[a], 0.9, 1e-6) << a;
  q = trained_q("expected_sarsa", "constant");
  EXPECT_NEAR(q[2], 1.0, 1e-6);
  for (int a : {0, 1, 3}) EXPECT_NEAR(q[a], sarsa_q, 1e-6) << a;
  q = trained_q("sarsa", "exponential");  // sampled targets: needs a decaying step size
  EXPECT_NEAR(q[2], 1.0, 1e-6);
  for (int a : {0, 1, 3}) EXPECT_NEAR(q[a], sarsa_q, 0.02) << a;
}

Settings short_lake(int64_t steps) {
  Settings s;
  s.set("total_timesteps", std::to_string(steps), "test");
  s.set("steps_per_iteration", "1000", "test");
  s.set("eval_episodes", "50", "test");
  s.set("seed", "7", "test");
  return s;
}

TEST(TabularTrainer, SameSeedGivesTheSameMetricsBitForBit) {
  for (const char* algo : {"qlearning", "sarsa", "expected_sarsa"}) {
    std::vector<MemorySink::Point> runs[2];
    for (auto& points : runs) {
      Settings s = short_lake(5000);
      s.set("n_envs", "2", "test");
      Trainer t(algo, "FrozenLake-v1", {}, s);
      MemorySink sink;
      t.train(sink, "", {});
      for (const auto& p : sink.points())
        if (p.name != "train/sps") points.push_back(p);
    }
    ASSERT_GT(runs[0].size(), 50u) << algo;
    EXPECT_EQ(runs[0], runs[1]) << algo;
  }
}

TEST(TabularTrainer, LogsTheMetricVocabularyWithSuccessRateForFrozenLake) {
  Trainer t("qlearning", "FrozenLake-v1", {}, short_lake(5000));
  MemorySink sink;
  TrainResult r = t.train(sink, "", {});
  for (const char* name : {"train/episode_return", "train/episode_length", "train/sps",
                           "train/epsilon", "train/learning_rate", "loss/q", "eval/mean_return",
                           "eval/std_return", "eval/success_rate"})
    EXPECT_FALSE(sink.values(name).empty()) << name;
  EXPECT_EQ(r.global_step, 5000);
  EXPECT_EQ(sink.values("train/epsilon").size(), 5u);  // one per 1000-step iteration
  // On FrozenLake the return is 1 exactly on success.
  EXPECT_DOUBLE_EQ(*r.final_eval->success_rate, r.final_eval->mean_return);

  Trainer taxi("qlearning", "Taxi-v4", {}, short_lake(2000));
  MemorySink taxi_sink;
  taxi.train(taxi_sink, "", {});
  EXPECT_TRUE(taxi_sink.values("eval/success_rate").empty());  // Taxi defines no success
}

TEST(TabularTrainer, CheckpointRoundTripsTheQTableAndCounters) {
  fs::path dir = temp_dir("tabular_ckpt");
  Trainer t("expected_sarsa", "Taxi-v4", {}, short_lake(6000));
  NullSink sink;
  TrainResult r = t.train(sink, dir.string(), {});
  CheckpointInfo info = read_agent_checkpoint(r.last_checkpoint);
  EXPECT_EQ(info.algorithm, "expected_sarsa");
  ASSERT_EQ(info.tensors.size(), 1u);
  EXPECT_EQ(info.tensors[0].first, "q_table");
  EXPECT_EQ(info.tensors[0].second.shape(), (Shape{500, 6}));
  EXPECT_EQ(info.tensors[0].second.dtype(), Dtype::Float64);
  auto agent = load_agent(info);
  EXPECT_EQ(agent->global_step(), 6000);
  EXPECT_EQ(agent->state_json(), t.agent().state_json());
  EXPECT_TRUE(equal(agent->state_tensors()[0].second, t.agent().state_tensors()[0].second));
  Tensor states = arange(500, Dtype::Int64);
  EXPECT_TRUE(equal(agent->predict(states, true), t.agent().predict(states, true)));

  Settings more;
  more.set("total_timesteps", "9000", "--steps");
  Trainer resumed = Trainer::resume(r.last_checkpoint, more);
  MemorySink log;
  TrainResult r2 = resumed.train(log, dir.string(), {});
  EXPECT_EQ(r2.global_step, 9000);
  for (const auto& p : log.points()) EXPECT_GT(p.step, 6000) << p.name;
}

TEST(TabularErrors, CheckpointOfAnotherEnvSizeIsRefused) {
  fs::path dir = temp_dir("tabular_ckpt_mismatch");
  Trainer t("qlearning", "FrozenLake-v1", {}, short_lake(1000));
  NullSink sink;
  CheckpointInfo info = read_agent_checkpoint(t.train(sink, dir.string(), {}).last_checkpoint);
  info.env_id = "FrozenLake8x8-v1";
  EXPECT_NE(error_of([&] {
              load_agent(info);
            }).find("qlearning checkpoint: tensor 'q_table' has shape [16, 4], expected [64, 4]"),
            std::string::npos);
}

TEST(EvalSuccess, FrozenLakeSucceedsOnlyOnTheGoalCell) {
  auto lake = envs::make("FrozenLake-v1");
  envs::Info none;
  auto obs = [](int64_t s) { return full({}, static_cast<double>(s), Dtype::Int64); };
  EXPECT_EQ(episode_succeeded(*lake, none, obs(15), true), std::optional<bool>(true));
  EXPECT_EQ(episode_succeeded(*lake, none, obs(5), true), std::optional<bool>(false));    // hole
  EXPECT_EQ(episode_succeeded(*lake, none, obs(14), false), std::optional<bool>(false));  // time
  auto cliff = envs::make("CliffWalking-v1");
  EXPECT_EQ(episode_succeeded(*cliff, none, obs(47), true), std::nullopt);
  envs::Info said;
  said.set("is_success", 1.0);
  EXPECT_EQ(episode_succeeded(*cliff, said, obs(3), false), std::optional<bool>(true));
}

}  // namespace
}  // namespace rein::rl
