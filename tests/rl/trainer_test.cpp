// The training workflow on short runs: determinism, checkpoints and resume, the errors users
// make (unknown names, unsupported spaces, non-finite values), continuous actions.
#include "rl/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "envs/registry.h"
#include "rl/checkpoint.h"
#include "rl/metric_sink.h"
#include "tensor/ops.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

namespace fs = std::filesystem;

using test_support::error_of;
using test_support::temp_dir;

Settings short_cartpole(int64_t steps = 2048) {
  return test_support::settings_of({{"total_timesteps", std::to_string(steps)},
                                    {"n_envs", "4"},
                                    {"n_steps", "64"},
                                    {"batch_size", "64"},
                                    {"n_epochs", "2"},
                                    {"eval_episodes", "4"},
                                    {"seed", "3"}});
}

TEST(Trainer, SameSeedGivesTheSameMetricsBitForBit) {
  std::vector<MemorySink::Point> runs[2];
  for (auto& points : runs) {
    Trainer t("ppo", "CartPole-v1", {}, short_cartpole());
    MemorySink sink;
    t.train(sink, "", {});
    for (const auto& p : sink.points())
      if (p.name != "train/sps") points.push_back(p);
  }
  ASSERT_GT(runs[0].size(), 20u);
  ASSERT_EQ(runs[0].size(), runs[1].size());
  for (size_t i = 0; i < runs[0].size(); ++i) {
    EXPECT_EQ(runs[0][i].name, runs[1][i].name);
    EXPECT_EQ(runs[0][i].step, runs[1][i].step);
    // Bit for bit (NaN never appears: explained_variance is skipped when undefined).
    EXPECT_EQ(runs[0][i].value, runs[1][i].value) << runs[0][i].name << " @" << runs[0][i].step;
  }
}

TEST(Trainer, LogsTheMetricVocabularyAndAFinalEvaluation) {
  Trainer t("ppo", "CartPole-v1", {}, short_cartpole());
  MemorySink sink;
  TrainResult r = t.train(sink, "", {});
  for (const char* name :
       {"train/episode_return", "train/episode_length", "train/sps", "loss/policy", "loss/value",
        "loss/entropy", "train/approx_kl", "train/clip_fraction", "train/explained_variance",
        "train/learning_rate", "train/grad_norm", "eval/mean_return", "eval/std_return"})
    EXPECT_FALSE(sink.values(name).empty()) << name;
  ASSERT_TRUE(r.final_eval.has_value());
  EXPECT_EQ(r.final_eval->returns.size(), 4u);
  EXPECT_EQ(r.global_step, 2048);
  EXPECT_EQ(sink.values("eval/mean_return").back(), r.final_eval->mean_return);
}

TEST(Trainer, CheckpointRestoresWeightsCountersAndNormaliser) {
  fs::path dir = temp_dir("ckpt_roundtrip");
  Settings s = short_cartpole(1024);
  s.set("normalize_obs", "true", "test");
  s.set("normalize_reward", "true", "test");
  Trainer t("ppo", "CartPole-v1", {}, s);
  NullSink sink;
  TrainResult r = t.train(sink, dir.string(), {});
  ASSERT_FALSE(r.last_checkpoint.empty());
  ASSERT_TRUE(fs::exists(r.last_checkpoint));

  CheckpointInfo info = read_agent_checkpoint(r.last_checkpoint);
  EXPECT_EQ(info.algorithm, "ppo");
  EXPECT_EQ(info.env_id, "CartPole-v1");
  EXPECT_EQ(info.global_step, 1024);
  auto agent = load_agent(info);
  EXPECT_EQ(agent->global_step(), 1024);
  EXPECT_EQ(agent->state_json(), t.agent().state_json());
  // Same deterministic actions on the same observations (weights and obs statistics restored).
  Tensor obs = tensor({{0.01, 0.2, -0.03, 0.1}, {0.5, -1.0, 0.1, 0.7}, {-0.2, 0.3, 0.05, -0.4}});
  EXPECT_TRUE(equal(agent->predict(obs, true), t.agent().predict(obs, true)));
  auto a = agent->state_tensors(), b = t.agent().state_tensors();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(equal(a[i].second, b[i].second)) << a[i].first;
}

TEST(Trainer, ResumeContinuesFromTheSavedStep) {
  fs::path dir = temp_dir("ckpt_resume");
  Trainer first("ppo", "CartPole-v1", {}, short_cartpole(1024));
  NullSink sink;
  TrainResult r1 = first.train(sink, dir.string(), {});
  Settings more;
  more.set("total_timesteps", "2048", "--steps");
  Trainer resumed = Trainer::resume(r1.last_checkpoint, more);
  EXPECT_EQ(resumed.agent().global_step(), 1024);
  EXPECT_EQ(resumed.run_config().total_timesteps, 2048);
  MemorySink log;
  TrainResult r2 = resumed.train(log, dir.string(), {});
  EXPECT_EQ(r2.global_step, 2048);
  // Metrics continue on the global-step axis after the saved step.
  for (const auto& p : log.points()) EXPECT_GT(p.step, 1024) << p.name;
}

// The wall-clock safety net: with a period shorter than one iteration, every iteration ends in
// a checkpoint (before, a run checkpointed only at checkpoint_every steps and at the end, so a
// kill -9 lost everything), and training itself is unchanged.
TEST(Trainer, TimedCheckpointsFireByWallClockWithoutChangingTraining) {
  fs::path dir = temp_dir("ckpt_timed");
  Trainer timed("ppo", "CartPole-v1", {}, short_cartpole(1024));
  TrainHooks hooks;
  hooks.checkpoint_every_seconds = 1e-9;
  std::vector<int64_t> steps;
  hooks.on_checkpoint = [&](const std::string&, int64_t step) { steps.push_back(step); };
  MemorySink a;
  timed.train(a, dir.string(), hooks);
  EXPECT_EQ(steps, (std::vector<int64_t>{256, 512, 768, 1024}));

  Trainer plain("ppo", "CartPole-v1", {}, short_cartpole(1024));
  MemorySink b;
  plain.train(b, "", {});
  auto without_sps = [](const MemorySink& s) {
    std::vector<std::pair<int64_t, double>> out;
    for (const auto& p : s.points())
      if (p.name != "train/sps") out.emplace_back(p.step, p.value);
    return out;
  };
  EXPECT_EQ(without_sps(a), without_sps(b));
}

TEST(Trainer, StopRequestEndsCleanlyWithACheckpoint) {
  fs::path dir = temp_dir("ckpt_stop");
  Trainer t("ppo", "CartPole-v1", {}, short_cartpole(100000));
  std::atomic<bool> stop{false};
  TrainHooks hooks;
  hooks.stop = &stop;
  hooks.on_progress = [&](const TrainProgress& p) {
    if (p.step >= 512) stop = true;
  };
  NullSink sink;
  TrainResult r = t.train(sink, dir.string(), hooks);
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.global_step, 512);
  EXPECT_FALSE(r.final_eval.has_value());
  EXPECT_EQ(read_agent_checkpoint(r.last_checkpoint).global_step, 512);
}

TEST(TrainerErrors, UnknownAlgorithmSuggestsAName) {
  // Other algorithms join the list over time: check the suggestion and that ppo is available.
  const std::string msg = error_of([] { Trainer("ppp", "CartPole-v1", {}, {}); });
  EXPECT_EQ(msg.rfind("train: unknown algorithm 'ppp' (did you mean 'ppo'? available: ", 0), 0u)
      << msg;
  EXPECT_NE(msg.find("  ppo             actions: Discrete, Box"), std::string::npos) << msg;
}

TEST(TrainerErrors, UnknownEnvIsTheRegistryError) {
  std::string msg = error_of([] { Trainer("ppo", "CartPol-v1", {}, {}); });
  EXPECT_NE(msg.find("unknown env id 'CartPol-v1'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("CartPole-v1"), std::string::npos) << msg;
}

TEST(TrainerErrors, UnknownKeyListsValidKeysOfBothConfigs) {
  Settings s;
  s.set("n_step", "8", "--set");
  std::string msg = error_of([&] { Trainer("ppo", "CartPole-v1", {}, s); });
  EXPECT_NE(msg.find("unknown key 'n_step' (did you mean 'n_steps'?)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("total_timesteps"), std::string::npos) << msg;
  EXPECT_NE(msg.find("clip_range"), std::string::npos) << msg;
}

// An env whose action space PPO cannot handle.
class MultiActionEnv : public envs::Env {
 public:
  explicit MultiActionEnv(const envs::Kwargs&) {
    observation_space_ = envs::Box(-1.0, 1.0, Shape{2});
    action_space_ = envs::MultiDiscrete({3, 2});
    obs_ = zeros({2});
  }
  envs::ResetResult reset(std::optional<uint64_t> seed, const envs::Kwargs&) override {
    seed_rng(seed);
    return {obs_, info_};
  }
  envs::StepResult step(const envs::Action&) override { return {obs_, 0.0, true, false, info_}; }

 private:
  Tensor obs_;
};

// Observations turn NaN after a few steps.
class NanEnv : public envs::Env {
 public:
  explicit NanEnv(const envs::Kwargs&) {
    observation_space_ = envs::Box(-1.0, 1.0, Shape{2});
    action_space_ = envs::Discrete(2);
    obs_ = zeros({2});
  }
  envs::ResetResult reset(std::optional<uint64_t> seed, const envs::Kwargs&) override {
    seed_rng(seed);
    obs_.zero_();
    return {obs_, info_};
  }
  envs::StepResult step(const envs::Action&) override {
    if (++steps_ > 100) obs_.fill_(std::numeric_limits<double>::quiet_NaN());
    return {obs_, 1.0, false, false, info_};
  }

 private:
  Tensor obs_;
  int steps_ = 0;
};

TEST(TrainerErrors, UnsupportedActionSpaceNamesTheSupportedOnes) {
  if (!envs::registry().contains("TestMultiAction-v0"))
    envs::register_env<MultiActionEnv>("TestMultiAction-v0");
  EXPECT_EQ(error_of([] { Trainer("ppo", "TestMultiAction-v0", {}, {}); }),
            "train: ppo cannot handle the action space MultiDiscrete([3 2]) of TestMultiAction-v0 "
            "(supports: Discrete, Box)");
}

TEST(TrainerErrors, NonFiniteObservationStopsWithMetricAndStepAndKeepsACheckpoint) {
  if (!envs::registry().contains("TestNan-v0")) envs::register_env<NanEnv>("TestNan-v0");
  fs::path dir = temp_dir("ckpt_nan");
  Settings s;
  s.set("n_envs", "1", "test");
  s.set("n_steps", "64", "test");
  s.set("total_timesteps", "1000", "test");
  Trainer t("ppo", "TestNan-v0", {}, s);
  NullSink sink;
  try {
    t.train(sink, dir.string(), {});
    FAIL() << "expected NonFiniteError";
  } catch (const NonFiniteError& e) {
    EXPECT_EQ(e.metric(), "observation");
    EXPECT_EQ(e.step(), 101);
    EXPECT_STREQ(e.what(), "ppo: observation is not finite at step 101");
  }
  // The weights are those of the last finished update; the step counter is where it stopped.
  EXPECT_EQ(read_agent_checkpoint((dir / "step-000000101.safetensors").string()).global_step, 101);
}

TEST(Trainer, ContinuousActionsStayInsideTheBounds) {
  Settings s;
  s.set("total_timesteps", "512", "test");
  s.set("n_envs", "2", "test");
  s.set("n_steps", "128", "test");
  s.set("eval_episodes", "2", "test");
  s.set("log_std_init", "1.0", "test");  // wide Gaussian: many samples fall outside [-2, 2]
  Trainer t("ppo", "Pendulum-v1", {}, s);
  MemorySink sink;
  TrainResult r = t.train(sink, "", {});
  ASSERT_TRUE(r.final_eval.has_value());
  EXPECT_FALSE(sink.values("train/std").empty());
  Tensor obs = tensor({{1.0, 0.0, 0.5}, {-1.0, 0.0, -8.0}});
  for (int i = 0; i < 20; ++i) {
    Tensor a = t.agent().predict(obs, false);
    EXPECT_EQ(a.shape(), (Shape{2, 1}));
    for (double x : a.tolist()) {
      EXPECT_GE(x, -2.0);
      EXPECT_LE(x, 2.0);
    }
  }
}

}  // namespace
}  // namespace rein::rl
