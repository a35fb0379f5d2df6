// Wrappers (statistics, normalisation, action/reward/observation transforms) and vector envs
// (batched buffers, same-step autoreset with final observations, seeding, threads = sync).
#include <gtest/gtest.h>

#include <cmath>

#include "envs/registry.h"
#include "envs/vector_env.h"
#include "envs/wrappers.h"

namespace rein::envs {
namespace {

TEST(RecordEpisodeStatistics, ReportsReturnAndLengthOnTheFinalStep) {
  RecordEpisodeStatistics env(make("CartPole-v1"));
  env.reset(3);
  double total = 0;
  int64_t length = 0;
  for (;;) {
    StepResult r = env.step(0);  // always push left: falls quickly
    total += r.reward;
    ++length;
    if (r.terminated || r.truncated) {
      EXPECT_EQ(r.info.number("episode_return"), total);
      EXPECT_EQ(r.info.number("episode_length"), static_cast<double>(length));
      break;
    }
    EXPECT_TRUE(r.info.empty());
  }
  ASSERT_EQ(env.return_queue().size(), 1u);
  EXPECT_EQ(env.return_queue().front(), total);
  EXPECT_EQ(env.episode_count(), 1);
}

TEST(RecordEpisodeStatistics, ARestoredEpisodeContinuesItsReturnAndTimeLimit) {
  // A resumed run restores the episode in progress: the statistics and the TimeLimit count on.
  RecordEpisodeStatistics env(make("Pendulum-v1"));  // TimeLimit 200 inside
  env.reset(1);
  env.set_episode(-12.5, 195);
  find_wrapper<TimeLimit>(env)->set_elapsed_steps(195);
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(env.step(std::vector<float>{0.0f}).truncated);
  const StepResult& r = env.step(std::vector<float>{0.0f});
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.info.number("episode_length"), 200.0);
  EXPECT_LT(r.info.number("episode_return"), -12.5);
  EXPECT_THROW(env.set_episode(std::nan(""), 3), Error);
  EXPECT_THROW(env.set_episode(1.0, -1), Error);
  EXPECT_THROW(find_wrapper<TimeLimit>(env)->set_elapsed_steps(-1), Error);
}

TEST(NormalizeObservation, TracksRunningMomentsAndCanBeFrozen) {
  NormalizeObservation env(make("Pendulum-v1"));
  env.reset(0);
  for (int i = 0; i < 50; ++i) env.step(std::vector<float>{1.0f});
  const RunningMeanStd saved = env.obs_rms();
  EXPECT_NEAR(saved.count, 51 + 1e-4, 1e-9);
  // Frozen: statistics no longer move, and the output is (obs - mean) / sqrt(var + eps).
  env.set_update_running_mean(false);
  StepResult r = env.step(std::vector<float>{1.0f});
  EXPECT_EQ(env.obs_rms().mean, saved.mean);
  EXPECT_EQ(r.obs.dtype(), Dtype::Float32);
  // Restoring statistics into a fresh wrapper gives the same normalisation.
  NormalizeObservation other(make("Pendulum-v1"));
  other.obs_rms() = saved;
  other.set_update_running_mean(false);
  auto a = env.reset(9).obs.tolist();
  env.obs_rms() = saved;
  auto b = other.reset(9).obs.tolist();
  EXPECT_EQ(a, b);
}

TEST(NormalizeReward, ScalesByTheDiscountedReturnDeviation) {
  NormalizeReward env(make("CartPole-v1"), 0.99);
  env.reset(0);
  double g = 0;
  RunningMeanStd rms(1);
  for (int i = 0; i < 5; ++i) {
    StepResult r = env.step(i % 2);
    g = g * 0.99 * (r.terminated ? 0.0 : 1.0) + 1.0;
    rms.update(&g);
    EXPECT_DOUBLE_EQ(r.reward, 1.0 / std::sqrt(rms.var[0] + 1e-8));
  }
}

TEST(ActionWrappers, ClipAndRescaleMapOntoTheBox) {
  RescaleAction env(make("Pendulum-v1"), -1.0, 1.0);
  EXPECT_EQ(env.action_space().to_string(), "Box(-1.0, 1.0, (1,), float32)");
  env.reset(0);
  const std::vector<double> upright = {0.0, 0.0};
  env.set_state(upright);
  // +1 maps to +2 torque: theta_dot' = 3 * 2 * 0.05 = 0.3.
  env.step(std::vector<float>{1.0f});
  EXPECT_NEAR(env.state()[1], 0.3, 1e-12);

  ClipAction clip(make("MountainCarContinuous-v0"));
  clip.reset(0);
  const std::vector<double> s = {-0.5, 0.0};
  clip.set_state(s);
  // The unclipped 5.0 would cost 2.5; clipped to 1.0 it costs 0.1.
  EXPECT_NEAR(clip.step(std::vector<float>{5.0f}).reward, -0.1, 1e-7);
}

TEST(RewardWrappers, ClipAndTransform) {
  ClipReward clip(make("MountainCar-v0"), -0.5, 0.5);
  clip.reset(0);
  EXPECT_EQ(clip.step(1).reward, -0.5);
  TransformReward scale(make("MountainCar-v0"), [](double r) { return 10 * r; });
  scale.reset(0);
  EXPECT_EQ(scale.step(1).reward, -10.0);
}

TEST(FlattenObservation, OneHotsDiscreteObservations) {
  OneHotObservation lake(make("FrozenLake-v1", {{"is_slippery", "false"}}));
  EXPECT_EQ(lake.observation_space().to_string(), "Box(0.0, 1.0, (16,), float32)");
  std::vector<double> expected(16, 0.0);
  expected[0] = 1.0;
  EXPECT_EQ(lake.reset(0).obs.tolist(), expected);
  expected[0] = 0.0;
  expected[4] = 1.0;  // action 1 moves down one row
  EXPECT_EQ(lake.step(1).obs.tolist(), expected);
  FlattenObservation flat(make("Pendulum-v1"));
  EXPECT_EQ(flat.observation_space().shape(), (Shape{3}));
  EXPECT_THROW(OneHotObservation(make("Pendulum-v1")), Error);
}

std::unique_ptr<VectorEnv> cartpoles(int n, bool threaded, int threads = 2) {
  VectorOptions o;
  o.mode = threaded ? VectorMode::Threaded : VectorMode::Sync;
  o.num_threads = threads;
  o.wrap = [](std::unique_ptr<Env> e) -> std::unique_ptr<Env> {
    return std::make_unique<RecordEpisodeStatistics>(std::move(e));
  };
  return make_vec("CartPole-v1", n, o);
}

TEST(SyncVectorEnv, SeedsEnvIWithSeedPlusI) {
  auto venv = cartpoles(3, false);
  const VectorStep& s = venv->reset(10);
  EXPECT_EQ(s.obs.shape(), (Shape{3, 4}));
  for (int i = 0; i < 3; ++i) {
    auto single = make("CartPole-v1");
    const auto expected = single->reset(10 + i).obs.tolist();
    for (int j = 0; j < 4; ++j) EXPECT_EQ(s.obs.at({i, j}), expected[j]);
  }
}

TEST(SyncVectorEnv, AutoresetsInTheSameStepAndKeepsTheFinalObservation) {
  auto venv = cartpoles(2, false);
  venv->reset(0);
  auto shadow = make("CartPole-v1");  // replays env 0 alone
  shadow->reset(0);
  Tensor actions = zeros(Shape{2}, Dtype::Int64);  // always push left
  int episodes = 0;
  for (int t = 0; t < 200 && episodes < 3; ++t) {
    const VectorStep& s = venv->step(actions);
    StepResult r = shadow->step(0);
    EXPECT_EQ(s.rewards.at({0}), r.reward);
    EXPECT_EQ(s.terminated.at({0}) != 0, r.terminated);
    if (r.terminated || r.truncated) {
      ++episodes;
      EXPECT_TRUE(s.done.at({0}) != 0);
      for (int j = 0; j < 4; ++j) EXPECT_EQ(s.final_obs.at({0, j}), r.obs.at({j}));
      EXPECT_TRUE(venv->final_info(0).contains("episode_return"));
      const auto next = shadow->reset().obs.tolist();  // same stream as the sub-env's
      for (int j = 0; j < 4; ++j) EXPECT_EQ(s.obs.at({0, j}), next[j]);
    } else {
      for (int j = 0; j < 4; ++j) EXPECT_EQ(s.obs.at({0, j}), r.obs.at({j}));
    }
  }
  EXPECT_EQ(episodes, 3);
}

// Gymnasium 1.x's default: the step that ends an episode reports its own observation; the next
// step ignores the action, resets that env and reports the reset observation with reward 0.
TEST(VectorEnv, NextStepAutoresetResetsOnTheStepAfterTheEnd) {
  for (const bool threaded : {false, true}) {
    VectorOptions options;
    options.mode = threaded ? VectorMode::Threaded : VectorMode::Sync;
    options.num_threads = 2;
    options.autoreset = AutoresetMode::NextStep;
    auto venv = make_vec("CartPole-v1", 2, options);
    EXPECT_EQ(venv->autoreset(), AutoresetMode::NextStep);
    venv->reset(0);
    auto shadow = make("CartPole-v1");  // replays env 0 alone
    shadow->reset(0);
    Tensor actions = zeros(Shape{2}, Dtype::Int64);  // always push left
    int episodes = 0;
    bool ended = false;
    for (int t = 0; t < 200 && episodes < 3; ++t) {
      const VectorStep& s = venv->step(actions);
      if (ended) {  // the reset step
        const auto next = shadow->reset().obs.tolist();
        for (int j = 0; j < 4; ++j) ASSERT_EQ(s.obs.at({0, j}), next[j]) << t;
        EXPECT_EQ(s.rewards.at({0}), 0.0);
        EXPECT_EQ(s.terminated.at({0}), 0.0);
        EXPECT_EQ(s.truncated.at({0}), 0.0);
        ended = false;
        continue;
      }
      StepResult r = shadow->step(0);
      EXPECT_EQ(s.rewards.at({0}), r.reward);
      EXPECT_EQ(s.terminated.at({0}) != 0, r.terminated);
      for (int j = 0; j < 4; ++j) ASSERT_EQ(s.obs.at({0, j}), r.obs.at({j})) << t;
      ended = r.terminated || r.truncated;
      episodes += ended;
    }
    EXPECT_EQ(episodes, 3) << (threaded ? "threaded" : "sync");
  }
}

TEST(ThreadedVectorEnv, GivesExactlyTheResultsOfSyncVectorEnv) {
  auto a = cartpoles(7, false);
  auto b = cartpoles(7, true, 3);
  EXPECT_EQ(dynamic_cast<ThreadedVectorEnv&>(*b).num_threads(), 3);
  EXPECT_EQ(a->reset(5).obs.tolist(), b->reset(5).obs.tolist());
  Generator g(1);
  for (int t = 0; t < 300; ++t) {
    Tensor actions = randint(0, 2, Shape{7}, g);
    const VectorStep& x = a->step(actions);
    const VectorStep& y = b->step(actions);
    ASSERT_EQ(x.obs.tolist(), y.obs.tolist()) << t;
    ASSERT_EQ(x.rewards.tolist(), y.rewards.tolist()) << t;
    ASSERT_EQ(x.done.tolist(), y.done.tolist()) << t;
  }
}

TEST(VectorEnv, RejectsMisshapedActionsAndStepBeforeReset) {
  auto venv = cartpoles(2, true);
  EXPECT_THROW(venv->step(zeros(Shape{2}, Dtype::Int64)), Error);
  venv->reset(0);
  try {
    venv->step(zeros(Shape{3}, Dtype::Int64));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "VectorEnv.step: actions must be contiguous int64 [2] for 2 envs with action "
                 "space Discrete(2); got int64 [3]");
  }
  // An env error inside a worker thread reaches the caller.
  Tensor bad = zeros(Shape{2}, Dtype::Int64);
  bad.data<int64_t>()[1] = 5;
  EXPECT_THROW(venv->step(bad), Error);
}

// An env that fails inside a vector step leaves the envs before it stepped and the rest not;
// the next step used to go on from that mix. Now the vector env must be reset first.
TEST(VectorEnv, AfterAnEnvFailedMidStepTheVectorMustBeReset) {
  for (const VectorMode mode : {VectorMode::Sync, VectorMode::Threaded}) {
    VectorOptions o;
    o.mode = mode;
    o.num_threads = 2;
    auto venv = make_vec("CartPole-v1", 3, o);
    venv->reset(0);
    Tensor bad = zeros(Shape{3}, Dtype::Int64);
    bad.data<int64_t>()[1] = 5;
    std::string refusal = "(no error)";
    try {
      venv->step(bad);
    } catch (const Error& e) {
      refusal = e.what();
    }
    EXPECT_EQ(refusal.rfind("CartPole-v1.step: action 5", 0), 0u) << refusal;
    const Tensor good = zeros(Shape{3}, Dtype::Int64);
    refusal = "(no error)";
    try {
      venv->step(good);
    } catch (const Error& e) {
      refusal = e.what();
    }
    EXPECT_EQ(refusal, "VectorEnv.step: call reset() before step()");
    venv->reset(0);
    EXPECT_EQ(venv->step(good).obs.shape(), (Shape{3, 4}));
  }
}

TEST(VectorEnv, ContinuousActionsAreRowsOfAFloatTensor) {
  auto venv = make_vec("Pendulum-v1", 4);
  venv->reset(0);
  Tensor actions = zeros(Shape{4, 1});
  const VectorStep& s = venv->step(actions);
  EXPECT_EQ(s.obs.shape(), (Shape{4, 3}));
  EXPECT_EQ(s.rewards.dtype(), Dtype::Float32);
}

}  // namespace
}  // namespace rein::envs
