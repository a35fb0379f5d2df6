// gSDE in PPO and A2C: the checkpoint holds the exploration state (a loaded agent samples the
// same actions, and a resumed run continues bit for bit), the rollout redraws the matrices as
// configured, and bad combinations are refused with the fix named.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>

#include "rl/checkpoint.h"
#include "rl/metric_sink.h"
#include "rl/presets.h"
#include "rl/trainer.h"
#include "tensor/ops.h"
#include "test_support.h"

namespace rein::rl {
namespace {

namespace fs = std::filesystem;
using test_support::error_of;
using test_support::temp_dir;

Settings sde_run(const std::string& algo, int64_t total, const std::string& freq) {
  Settings s;
  for (auto [k, v] : {std::pair<const char*, std::string>{"total_timesteps", std::to_string(total)},
                      {"n_envs", "2"},
                      {"n_steps", algo == "ppo" ? "64" : "8"},
                      {"use_sde", "true"},
                      {"sde_sample_freq", freq},
                      {"eval_episodes", "2"},
                      {"seed", "4"}})
    s.set(k, v, "test");
  if (algo == "ppo") s.set("batch_size", "32", "test");
  return s;
}

bool same_state(Agent& a, Agent& b) {
  auto ta = a.state_tensors(), tb = b.state_tensors();
  if (ta.size() != tb.size() || a.state_json() != b.state_json()) return false;
  for (size_t i = 0; i < ta.size(); ++i)
    if (ta[i].first != tb[i].first || !equal(ta[i].second, tb[i].second)) return false;
  return true;
}

class Gsde : public ::testing::TestWithParam<const char*> {};

TEST_P(Gsde, CheckpointHoldsTheExplorationStateAndResumeContinuesBitForBit) {
  const std::string algo = GetParam();
  const fs::path dir = temp_dir(std::string("gsde-resume-") + algo);
  Trainer first(algo, "Pendulum-v1", {}, sde_run(algo, 512, "4"));
  NullSink null;
  TrainResult r = first.train(null, dir.string(), {});
  Agent& saver = first.agent();
  const auto tensors = saver.state_tensors();
  bool has_matrices = false;
  for (const auto& [name, t] : tensors) has_matrices |= name == "gsde.exploration_matrices";
  EXPECT_TRUE(has_matrices);

  // A loaded agent holds the same bits, gSDE's matrices included, so it samples the same
  // (stochastic) actions as the agent that saved it.
  std::unique_ptr<Agent> loaded = load_agent(read_agent_checkpoint(r.last_checkpoint));
  EXPECT_TRUE(same_state(saver, *loaded));
  Tensor obs = from_vector<float>({0.5f, -0.8f, 1.2f, 1.0f, 0.0f, -3.0f}, Shape{2, 3});
  EXPECT_TRUE(equal(saver.predict(obs, false), loaded->predict(obs, false)));

  // The saver reloading its own state (envs restart as on every load) and an agent resumed
  // from the file continue with the same metric points, bit for bit.
  saver.load_state(tensors, saver.state_json());
  MemorySink a, b;
  for (int i = 0; i < 6; ++i) {
    saver.iterate(a);
    loaded->iterate(b);
  }
  ASSERT_GT(a.points().size(), 30u);
  EXPECT_EQ(a.points(), b.points());
  EXPECT_TRUE(same_state(saver, *loaded));
}

TEST_P(Gsde, SampleFrequencyChangesTheNoiseButNotTheSeededDeterminism) {
  const std::string algo = GetParam();
  auto returns = [&](const std::string& freq) {
    Trainer t(algo, "Pendulum-v1", {}, sde_run(algo, 512, freq));
    MemorySink sink;
    t.train(sink, "", {});
    return sink.values("train/episode_return");
  };
  const auto once = returns("-1"), again = returns("-1"), every2 = returns("2");
  ASSERT_FALSE(once.empty());
  EXPECT_EQ(once, again);
  EXPECT_NE(once, every2);
}

TEST_P(Gsde, SquashedActionsAreRescaledToTheBoundsAndTrain) {
  // Same seed, same weights: the squashed policy's deterministic action is tanh of the other's
  // mean, rescaled from (-1, 1) to Pendulum's [-2, 2] (the untrained means are well inside).
  const std::string algo = GetParam();
  Settings plain = sde_run(algo, 256, "-1"), squashed = sde_run(algo, 256, "-1");
  squashed.set("squash_output", "true", "test");
  Trainer a(algo, "Pendulum-v1", {}, plain), b(algo, "Pendulum-v1", {}, squashed);
  Tensor obs = from_vector<float>({0.5f, -0.8f, 1.2f, 1.0f, 0.0f, -3.0f}, Shape{2, 3});
  Tensor mean = a.agent().predict(obs, true), act = b.agent().predict(obs, true);
  for (int64_t i = 0; i < 2; ++i) {
    EXPECT_LT(std::abs(mean.at({i, 0})), 1.0);
    EXPECT_NEAR(act.at({i, 0}), 2.0 * std::tanh(mean.at({i, 0})), 1e-6);
  }
  MemorySink sink;
  b.train(sink, "", {});
  const auto entropy = sink.values("loss/entropy");  // -mean(-log_prob): no closed form
  ASSERT_FALSE(entropy.empty());
  for (double e : entropy) EXPECT_TRUE(std::isfinite(e));
}

INSTANTIATE_TEST_SUITE_P(Algorithms, Gsde, ::testing::Values("ppo", "a2c"));

TEST(GsdeErrors, DiscreteActionsDqnAndOptionsWithoutUseSdeNameTheFix) {
  Settings discrete;
  discrete.set("use_sde", "true", "--set");
  const std::string e1 = error_of([&] { Trainer("ppo", "CartPole-v1", {}, discrete); });
  EXPECT_NE(e1.find("use_sde = true needs a Box (continuous) action space"), std::string::npos)
      << e1;
  EXPECT_NE(e1.find("Discrete(2)"), std::string::npos) << e1;
  EXPECT_NE(e1.find("--set use_sde=false"), std::string::npos) << e1;

  const std::string e2 = error_of([&] { Trainer("dqn", "CartPole-v1", {}, discrete); });
  EXPECT_NE(e2.find("unknown key 'use_sde'"), std::string::npos) << e2;
  EXPECT_NE(e2.find("a2c, ppo"), std::string::npos) << e2;

  Settings freq;
  freq.set("sde_sample_freq", "4", "--set");
  const std::string e3 = error_of([&] { Trainer("a2c", "Pendulum-v1", {}, freq); });
  EXPECT_NE(e3.find("a2c: sde_sample_freq applies only with use_sde = true"), std::string::npos)
      << e3;
}

TEST(GsdePresets, PendulumAndMountainCarContinuousUseTheZoosGsde) {
  for (const char* algo : {"ppo", "a2c"})
    for (const char* env : {"Pendulum-v1", "MountainCarContinuous-v0"}) {
      Settings s = preset_settings(algo, env);
      EXPECT_EQ(s.get("use_sde").value_or(""), "true") << algo << " " << env;
    }
  EXPECT_EQ(preset_settings("ppo", "Pendulum-v1").get("sde_sample_freq").value_or(""), "4");
  EXPECT_EQ(preset_settings("a2c", "MountainCarContinuous-v0").get("sde_sample_freq").value_or(""),
            "16");
}

}  // namespace
}  // namespace rein::rl
