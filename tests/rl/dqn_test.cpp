// DQN's parts on exact small cases (sum tree, replay ring, n-step, truncation, target update,
// Double-DQN targets, Adam) and the agent on short runs (determinism, checkpoints, exact resume).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "autograd/optim.h"
#include "rl/checkpoint.h"
#include "rl/internal/dqn_q_network.h"
#include "rl/internal/replay_buffer.h"
#include "rl/internal/sum_tree.h"
#include "rl/metric_sink.h"
#include "rl/trainer.h"
#include "tensor/ops.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

namespace fs = std::filesystem;
using internal::ReplayBuffer;
using internal::ReplayOptions;

TEST(SumTree, FindsTheLeafHoldingAPrefixSum) {
  internal::SumTree tree(5);
  const double p[] = {1.0, 0.0, 2.0, 0.5, 3.0};
  for (int i = 0; i < 5; ++i) tree.set(i, p[i]);
  EXPECT_DOUBLE_EQ(tree.total(), 6.5);
  EXPECT_EQ(tree.find(0.0), 0);
  EXPECT_EQ(tree.find(0.99), 0);
  EXPECT_EQ(tree.find(1.0), 2);  // leaf 1 has priority 0: never found
  EXPECT_EQ(tree.find(2.99), 2);
  EXPECT_EQ(tree.find(3.2), 3);
  EXPECT_EQ(tree.find(3.5), 4);
  EXPECT_EQ(tree.find(6.5), 4);  // mass == total ends on the last non-zero leaf
  EXPECT_EQ(tree.find(100.0), 4);
  tree.set(4, 0.0);
  EXPECT_DOUBLE_EQ(tree.total(), 3.5);
  EXPECT_EQ(tree.find(3.5), 3);
  internal::SumTree copy(5);
  copy.set_leaves(tree.leaves());
  EXPECT_DOUBLE_EQ(copy.total(), 3.5);
  EXPECT_EQ(copy.find(1.5), 2);
}

TEST(SumTree, SamplesInProportionToPriority) {
  internal::SumTree tree(4);
  tree.set(0, 1.0);
  tree.set(1, 3.0);
  tree.set(3, 4.0);
  Generator gen(1);
  std::map<int64_t, int> count;
  for (int i = 0; i < 80000; ++i) ++count[tree.find(gen.uniform() * tree.total())];
  EXPECT_EQ(count.count(2), 0u);
  EXPECT_NEAR(count[0] / 80000.0, 1.0 / 8, 0.01);
  EXPECT_NEAR(count[1] / 80000.0, 3.0 / 8, 0.01);
  EXPECT_NEAR(count[3] / 80000.0, 4.0 / 8, 0.01);
}

// Observation of step t is {t}; rewards are t + 1.
float row(int64_t t) { return static_cast<float>(t); }

TEST(ReplayBuffer, NextObservationIsTheFollowingSlotAndTheFinalOneAtEpisodeEnds) {
  ReplayBuffer buf(ReplayOptions{.capacity = 8, .n_envs = 1, .obs_dim = 1});
  float o = row(0);
  buf.start(0, &o);
  // Episode 1: 0 -> 1 -> 2 (truncated, final obs 2, reset obs 10).
  float n1 = row(1), n2 = row(2), r10 = row(10);
  buf.add(0, 0, 1.0f, false, false, &n1, nullptr);
  buf.add(0, 1, 2.0f, false, true, &n2, &r10);
  EXPECT_EQ(buf.size(), 2);
  EXPECT_EQ(buf.flags(2), ReplayBuffer::kFinal);  // final obs, never sampled
  EXPECT_EQ(buf.pending_slot(0), 3);
  auto t0 = buf.n_step_target(0);
  EXPECT_EQ(t0.next_slot, 1);
  EXPECT_FLOAT_EQ(t0.ret, 1.0);
  EXPECT_FLOAT_EQ(t0.discount, 0.99);
  auto t1 = buf.n_step_target(1);  // truncated: bootstrap from the final observation
  EXPECT_EQ(t1.next_slot, 2);
  EXPECT_FLOAT_EQ(t1.discount, 0.99);
  // Terminated: no bootstrap.
  float n11 = row(11), r20 = row(20);
  buf.add(0, 0, 3.0f, true, false, &n11, &r20);
  EXPECT_DOUBLE_EQ(buf.n_step_target(3).discount, 0.0);

  Generator gen(0);
  internal::ReplayBatch batch;
  for (int k = 0; k < 20; ++k) {
    buf.sample(4, gen, 0.0, batch);
    for (int b = 0; b < 4; ++b) {
      const float s = batch.obs.data<float>()[b], next = batch.next_obs.data<float>()[b];
      // Only the three transitions exist: (0 -> 1), (1 -> final 2), (10 -> final 11).
      EXPECT_TRUE((s == 0 && next == 1) || (s == 1 && next == 2) || (s == 10 && next == 11))
          << s << " -> " << next;
    }
  }
}

TEST(ReplayBuffer, RingWrapOverwritesTheOldestTransitions) {
  ReplayBuffer buf(ReplayOptions{.capacity = 6, .n_envs = 1, .obs_dim = 1});
  float o = row(0);
  buf.start(0, &o);
  for (int64_t t = 1; t <= 14; ++t) {
    float n = row(t);
    buf.add(0, t % 2, static_cast<float>(t), false, false, &n, nullptr);
  }
  // 6 slots: 5 transitions (9->10 ... 13->14) and the pending observation 14.
  EXPECT_EQ(buf.size(), 5);
  Generator gen(3);
  internal::ReplayBatch batch;
  std::map<float, int> seen;
  for (int k = 0; k < 50; ++k) {
    buf.sample(8, gen, 0.0, batch);
    for (int b = 0; b < 8; ++b) {
      const float s = batch.obs.data<float>()[b];
      EXPECT_FLOAT_EQ(batch.next_obs.data<float>()[b], s + 1);
      EXPECT_FLOAT_EQ(batch.returns.data<float>()[b], s + 1);  // reward of step s -> s + 1
      EXPECT_EQ(batch.actions.data<int64_t>()[b], static_cast<int64_t>(s + 1) % 2);
      ++seen[s];
    }
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen.begin()->first, 9.0f);
  EXPECT_EQ(seen.rbegin()->first, 13.0f);
}

TEST(ReplayBuffer, NStepReturnsStopAtEpisodeEndsAndAtThePendingSlot) {
  const double g = 0.5;
  ReplayBuffer buf(
      ReplayOptions{.capacity = 16, .n_envs = 1, .obs_dim = 1, .n_step = 3, .gamma = g});
  float o = row(0);
  buf.start(0, &o);
  // 0 -r1-> 1 -r2-> 2 -r3-> 3 -r4-> 4 (terminated; reset 7) -r5-> 8 (pending)
  for (int64_t t = 1; t <= 3; ++t) {
    float n = row(t);
    buf.add(0, 0, static_cast<float>(t), false, false, &n, nullptr);
  }
  float n4 = row(4), r7 = row(7), n8 = row(8);
  buf.add(0, 0, 4.0f, true, false, &n4, &r7);
  buf.add(0, 0, 5.0f, false, false, &n8, nullptr);
  auto t0 = buf.n_step_target(0);  // 3 full steps, bootstrap from obs 3
  EXPECT_DOUBLE_EQ(t0.ret, 1 + g * 2 + g * g * 3);
  EXPECT_DOUBLE_EQ(t0.discount, g * g * g);
  EXPECT_EQ(t0.next_slot, 3);
  auto t2 = buf.n_step_target(2);  // 2 steps to the termination: no bootstrap
  EXPECT_DOUBLE_EQ(t2.ret, 3 + g * 4);
  EXPECT_DOUBLE_EQ(t2.discount, 0.0);
  auto t5 = buf.n_step_target(5);  // slot 5 holds obs 7; one step before the pending slot
  EXPECT_DOUBLE_EQ(t5.ret, 5.0);
  EXPECT_DOUBLE_EQ(t5.discount, g);
  EXPECT_EQ(t5.next_slot, 6);
}

TEST(ReplayBuffer, DiscreteObservationsAreStoredAsIndicesAndSampledOneHot) {
  ReplayBuffer buf(ReplayOptions{.capacity = 8, .n_envs = 2, .obs_dim = 5, .one_hot = 5});
  float a = 1, b = 3, na = 2, nb = 4;
  buf.start(0, &a);
  buf.start(1, &b);
  buf.add(0, 0, 0.0f, false, false, &na, nullptr);
  buf.add(1, 0, 0.0f, false, false, &nb, nullptr);
  Generator gen(0);
  internal::ReplayBatch batch;
  buf.sample(6, gen, 0.0, batch);
  for (int k = 0; k < 6; ++k) {
    const float* o = batch.obs.data<float>() + k * 5;
    const float* n = batch.next_obs.data<float>() + k * 5;
    const int s = o[1] == 1 ? 1 : 3;
    EXPECT_EQ(o[s], 1.0f);
    EXPECT_EQ(n[s + 1], 1.0f);
    float sum = 0;
    for (int j = 0; j < 5; ++j) sum += o[j] + n[j];
    EXPECT_EQ(sum, 2.0f);
  }
}

TEST(ReplayBuffer, PrioritizedSamplingFollowsTdErrorsWithImportanceWeights) {
  ReplayBuffer buf(
      ReplayOptions{.capacity = 8, .n_envs = 1, .obs_dim = 1, .prioritized = true, .alpha = 1.0});
  float o = row(0);
  buf.start(0, &o);
  for (int64_t t = 1; t <= 3; ++t) {
    float n = row(t);
    buf.add(0, 0, 0.0f, false, false, &n, nullptr);
  }
  const int64_t slots[] = {0, 1, 2};
  const float td[] = {1.0f, 0.0f, 3.0f};
  buf.update_priorities(slots, td, 1e-6);
  Generator gen(0);
  internal::ReplayBatch batch;
  int count[3] = {0, 0, 0};
  for (int k = 0; k < 2000; ++k) {
    buf.sample(4, gen, 1.0, batch);
    for (int b = 0; b < 4; ++b) {
      const int s = static_cast<int>(batch.obs.data<float>()[b]);
      ++count[s];
      // w = (N P)^-1 / max: slot 0 has P = 1/4, slot 2 has 3/4, so w0 = 1 and w2 = 1/3 when both
      // are in the batch.
      const float w = batch.weights.data<float>()[b];
      if (s == 2) {
        EXPECT_LE(w, 1.0f / 3 + 1e-4f);  // the batch's largest weight is >= w0 = 3 w2
      } else {
        EXPECT_FLOAT_EQ(w, 1.0f);  // slot 0 has the smallest P: the largest weight
      }
    }
  }
  EXPECT_LT(count[1], 10);
  EXPECT_NEAR(static_cast<double>(count[2]) / (count[0] + count[2]), 0.75, 0.03);
}

TEST(TargetNetwork, HardAndPolyakUpdates) {
  Generator g1(1), g2(2);
  internal::QNetwork online(3, 2, {4}, nn::Activation::ReLU, false, g1);
  internal::QNetwork target(3, 2, {4}, nn::Activation::ReLU, false, g2);
  const Tensor before = target.parameters()[0].value().clone();
  const Tensor src = online.parameters()[0].value();
  internal::polyak_update(online, target, 0.25);
  Tensor expect = before * 0.75 + src * 0.25;
  EXPECT_LT(max(abs(target.parameters()[0].value() - expect)).item(), 1e-6);
  internal::polyak_update(online, target, 1.0);
  for (size_t i = 0; i < online.parameters().size(); ++i)
    EXPECT_EQ(max(abs(target.parameters()[i].value() - online.parameters()[i].value())).item(),
              0.0);
}

TEST(TdTargets, DoubleQRatesTheOnlineArgmaxWithTheTargetNetwork) {
  Tensor target_q = tensor({{1.0, 5.0, 2.0}, {4.0, 0.0, 3.0}});
  Tensor online_q = tensor({{0.0, 0.0, 9.0}, {0.0, 0.0, 1.0}});  // argmax: 2 and 2
  Tensor returns = tensor({1.0, -1.0});
  Tensor disc = tensor({0.5, 0.0});  // second transition terminated
  Tensor dqn = internal::td_targets(target_q, Tensor(), returns, disc, false);
  EXPECT_FLOAT_EQ(dqn.data<float>()[0], 1.0f + 0.5f * 5.0f);
  EXPECT_FLOAT_EQ(dqn.data<float>()[1], -1.0f);
  Tensor ddqn = internal::td_targets(target_q, online_q, returns, disc, true);
  EXPECT_FLOAT_EQ(ddqn.data<float>()[0], 1.0f + 0.5f * 2.0f);  // target's Q at the online argmax
  EXPECT_FLOAT_EQ(ddqn.data<float>()[1], -1.0f);
}

using test_support::temp_dir;

Settings short_dqn(int64_t steps = 3000) {
  return test_support::settings_of({{"total_timesteps", std::to_string(steps)},
                                    {"n_envs", "2"},
                                    {"net_arch", "32,32"},
                                    {"learning_starts", "300"},
                                    {"train_freq", "8"},
                                    {"gradient_steps", "2"},
                                    {"batch_size", "32"},
                                    {"buffer_size", "2000"},
                                    {"target_update_interval", "100"},
                                    {"learning_rate", "1e-3"},
                                    {"eval_episodes", "3"},
                                    {"seed", "7"}});
}

std::vector<MemorySink::Point> without_sps(const MemorySink& sink, int64_t after_step = -1) {
  std::vector<MemorySink::Point> out;
  for (const auto& p : sink.points())
    if (p.name != "train/sps" && p.step > after_step) out.push_back(p);
  return out;
}

class DqnOptions : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(DqnOptions, SameSeedGivesTheSameMetricsBitForBit) {
  std::vector<MemorySink::Point> runs[2];
  for (auto& points : runs) {
    Settings s = short_dqn(2000);
    for (const std::string& kv : GetParam()) s.set_assignment(kv, "test");
    Trainer t("dqn", "CartPole-v1", {}, s);
    MemorySink sink;
    t.train(sink, "", {});
    points = without_sps(sink);
    EXPECT_FALSE(sink.values("loss/q").empty());
    EXPECT_FALSE(sink.values("train/episode_return").empty());
    EXPECT_FALSE(sink.values("train/epsilon").empty());
    EXPECT_FALSE(sink.values("train/grad_norm").empty());
    EXPECT_FALSE(sink.values("train/learning_rate").empty());
  }
  ASSERT_GT(runs[0].size(), 50u);
  ASSERT_EQ(runs[0], runs[1]);
}

INSTANTIATE_TEST_SUITE_P(Variants, DqnOptions,
                         ::testing::Values(std::vector<std::string>{},
                                           std::vector<std::string>{
                                               "double_q=true", "dueling=true", "n_step=3",
                                               "prioritized_replay=true", "tau=0.1"}));

TEST(Dqn, TwoThreadsGiveTheSameRunAsOne) {
  // threads > 1: a worker computes most of each phase's target values while training starts.
  std::vector<MemorySink::Point> runs[2];
  for (int k = 0; k < 2; ++k) {
    Settings s = short_dqn(2000);
    s.set("n_envs", "1", "test");
    s.set("gradient_steps", "12", "test");
    s.set("threads", k == 0 ? "1" : "2", "test");
    Trainer t("dqn", "CartPole-v1", {}, s);
    MemorySink sink;
    t.train(sink, "", {});
    runs[k] = without_sps(sink);
  }
  ASSERT_GT(runs[0].size(), 50u);
  ASSERT_EQ(runs[0], runs[1]);
}

TEST(Dqn, ResumedRunWithItsReplayBufferMatchesTheUninterruptedRun) {
  for (const char* extra : {"n_step=1", "prioritized_replay=true"}) {
    const fs::path dir = temp_dir(std::string("dqn-resume-") + extra);
    Settings s = short_dqn(3200);
    s.set("checkpoint_every", "1600", "test");
    s.set("save_replay", "true", "test");
    s.set_assignment(extra, "test");
    Trainer full("dqn", "CartPole-v1", {}, s);
    MemorySink full_sink;
    full.train(full_sink, dir.string(), {});
    const fs::path ckpt = dir / "step-000001600.safetensors";
    ASSERT_TRUE(fs::exists(ckpt));

    Trainer resumed = Trainer::resume(ckpt.string());
    EXPECT_EQ(resumed.agent().global_step(), 1600);
    MemorySink resumed_sink;
    resumed.train(resumed_sink, "", {});
    const auto a = without_sps(full_sink, 1600), b = without_sps(resumed_sink);
    ASSERT_GT(a.size(), 30u);
    EXPECT_EQ(a, b) << extra;
  }
}

TEST(Dqn, CheckpointRoundTripRestoresWeightsBufferAndCounters) {
  const fs::path dir = temp_dir("dqn-roundtrip");
  Settings s = short_dqn(1200);
  s.set("save_replay", "true", "test");
  Trainer t("dqn", "CartPole-v1", {}, s);
  MemorySink sink;
  t.train(sink, "", {});
  const std::string path = t.save_checkpoint(dir.string());
  CheckpointInfo info = read_agent_checkpoint(path);
  auto agent = load_agent(info);
  EXPECT_EQ(agent->global_step(), t.agent().global_step());
  auto saved = t.agent().state_tensors();
  auto loaded = agent->state_tensors();
  ASSERT_EQ(saved.size(), loaded.size());
  bool has_replay = false;
  for (size_t i = 0; i < saved.size(); ++i) {
    EXPECT_EQ(saved[i].first, loaded[i].first);
    has_replay |= saved[i].first == "replay.obs";
    EXPECT_TRUE(equal(saved[i].second, loaded[i].second)) << saved[i].first;
  }
  EXPECT_TRUE(has_replay);
  // Without save_replay the checkpoint holds no buffer, and the agent still loads.
  Settings s2 = short_dqn(600);
  Trainer t2("dqn", "CartPole-v1", {}, s2);
  t2.train(sink, "", {});
  CheckpointInfo info2 = read_agent_checkpoint(t2.save_checkpoint(dir.string()));
  for (const auto& [name, tensor] : info2.tensors)
    EXPECT_EQ(name.rfind("replay.", 0), std::string::npos);
  EXPECT_EQ(load_agent(info2)->global_step(), t2.agent().global_step());
}

TEST(Dqn, LearnsOnDiscreteObservationsThroughOneHot) {
  Settings s = short_dqn(1000);
  s.set("n_envs", "1", "test");
  Trainer t("dqn", "FrozenLake-v1", {}, s);
  MemorySink sink;
  auto result = t.train(sink, "", {});
  ASSERT_TRUE(result.final_eval.has_value());
  EXPECT_FALSE(sink.values("loss/q").empty());
}

TEST(Dqn, RefusesContinuousActionsAndBadSettings) {
  auto error_of = [](const std::function<void()>& f) -> std::string {
    try {
      f();
    } catch (const std::exception& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_NE(error_of([] {
              Trainer("dqn", "Pendulum-v1", {}, {});
            }).find("dqn cannot handle the action space"),
            std::string::npos);
  Settings s = short_dqn();
  s.set("exploration_fraction", "0", "test");
  EXPECT_NE(error_of([&] {
              Trainer("dqn", "CartPole-v1", {}, s);
            }).find("dqn: exploration_fraction must be in (0, 1], got 0"),
            std::string::npos);
  Settings s2 = short_dqn();
  s2.set("buffer_size", "6", "test");
  EXPECT_NE(error_of([&] { Trainer("dqn", "CartPole-v1", {}, s2); }).find("buffer_size 6"),
            std::string::npos);
}

}  // namespace
}  // namespace rein::rl
