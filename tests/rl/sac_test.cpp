// SAC and the continuous off-policy parts: Box actions in the replay ring, action scaling, the
// actor/critic net_arch forms, bad settings, determinism, checkpoints and exact resume.
#include "rl/algorithms/sac.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <limits>

#include "autograd/ops.h"
#include "rl/algorithms/td3.h"
#include "rl/blocks/policy.h"
#include "rl/checkpoint.h"
#include "rl/internal/continuous.h"
#include "rl/internal/replay_buffer.h"
#include "rl/internal/sac_actor.h"
#include "rl/metric_names.h"
#include "rl/metric_sink.h"
#include "rl/presets.h"
#include "rl/trainer.h"
#include "tensor/ops.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

namespace fs = std::filesystem;
using test_support::error_of;
using test_support::temp_dir;

TEST(ReplayBuffer, StoresBoxActionsAsFloatRowsAndSavesThem) {
  internal::ReplayBuffer buf(
      internal::ReplayOptions{.capacity = 8, .n_envs = 1, .obs_dim = 1, .action_dim = 2});
  float o = 0, n1 = 1, n2 = 2;
  buf.start(0, &o);
  const float a1[2] = {0.25f, -0.5f}, a2[2] = {1.0f, -1.0f};
  buf.add(0, a1, 1.0f, false, false, &n1, nullptr);
  buf.add(0, a2, 2.0f, false, false, &n2, nullptr);
  internal::ReplayBatch batch;
  Generator gen(1);
  buf.sample(64, gen, 1.0, batch);
  ASSERT_EQ(batch.actions.dtype(), Dtype::Float32);
  ASSERT_EQ(batch.actions.shape(), (Shape{64, 2}));
  for (int64_t b = 0; b < 64; ++b) {
    const float* a = batch.actions.data<float>() + 2 * b;
    const float* expect = batch.obs.data<float>()[b] == 0.0f ? a1 : a2;
    EXPECT_EQ(a[0], expect[0]);
    EXPECT_EQ(a[1], expect[1]);
  }
  StateIO saved("replay state");
  saved.object("replay", buf);
  for (const auto& [name, t] : saved.tensors())
    if (name == "replay.actions") {
      EXPECT_EQ(t.shape(), (Shape{8, 2}));
    }
  // An action of the wrong width is refused.
  const std::span<const float> short_action(a1, 1);
  EXPECT_NE(
      error_of([&] { buf.add(0, short_action, 0, false, false, &n1, nullptr); }).find("expected 2"),
      std::string::npos);
}

TEST(ReplayBuffer, EveryArrayCountsTowardsTheMemoryCheckBeforeAnythingIsAllocated) {
  // Only the observation rows were counted: a Box of a million actions passed the check with
  // 400 KB of observations and asked for 400 GB of actions (std::bad_alloc, or the OOM killer
  // for sizes the kernel grants); prioritized replay sized its sum tree before any check.
  const internal::ReplayOptions wide{
      .capacity = 100'000, .n_envs = 1, .obs_dim = 1, .action_dim = 1'000'000};
  const std::string e = error_of([&] { internal::ReplayBuffer buf(wide); });
  EXPECT_NE(e.find("actions of 1000000 floats"), std::string::npos) << e;
  EXPECT_NE(e.find("more than this machine's"), std::string::npos) << e;
  const internal::ReplayOptions prioritized{.capacity = int64_t{1} << 52, .prioritized = true};
  EXPECT_NE(error_of([&] { internal::ReplayBuffer buf(prioritized); }).find("lower buffer_size"),
            std::string::npos);
  // Each array counts: observation row, action row, reward, flags, the sum tree's share.
  EXPECT_EQ(internal::replay_bytes_per_slot({.obs_dim = 3, .action_dim = 2}), 12 + 8 + 4 + 1);
  EXPECT_EQ(internal::replay_bytes_per_slot({.obs_dim = 3, .prioritized = true}),
            12 + 4 + 4 + 1 + 32);
  EXPECT_EQ(internal::replay_bytes_per_slot({.obs_dim = 100, .pixels = true}), 100 + 4 + 4 + 1);
  // 1000 slots of 25 bytes fit 25,000 bytes and not 24,999; the size offered fits a quarter.
  const internal::ReplayOptions small{.capacity = 1000, .obs_dim = 3, .action_dim = 2};
  internal::check_replay_fits_memory(small, 25'000);
  const std::string tight = error_of([&] { internal::check_replay_fits_memory(small, 24'999); });
  EXPECT_NE(tight.find("--set buffer_size=249)"), std::string::npos) << tight;
}

TEST(ActionScale, MapsMinusOneToOneOntoTheBoundsAndRefusesUnboundedBoxes) {
  const envs::Space box = envs::Space(envs::Box({-2.0, 0.0}, {2.0, 10.0}));
  internal::ActionScale scale("sac", box, "Test-v0");
  Tensor out = scale.to_env(from_vector(std::vector<float>{-1, -1, 0, 0.5f, 1, 3}, {3, 2}));
  const std::vector<float> expect{-2, 0, 0, 7.5f, 2, 10};  // the last row clipped
  for (size_t i = 0; i < expect.size(); ++i) EXPECT_FLOAT_EQ(out.data<float>()[i], expect[i]);
  const double inf = std::numeric_limits<double>::infinity();
  const envs::Space unbounded = envs::Space(envs::Box(-inf, inf, {1}));
  EXPECT_NE(error_of([&] {
              internal::ActionScale("td3", unbounded, "Free-v0");
            }).find("td3: Free-v0 has action space"),
            std::string::npos);
}

TEST(ActorCriticArch, ReadsAPlainListAndSb3sDictForm) {
  auto plain = internal::parse_actor_critic_arch("td3", "400,300");
  EXPECT_EQ(plain.pi, (std::vector<int64_t>{400, 300}));
  EXPECT_EQ(plain.qf, (std::vector<int64_t>{400, 300}));
  auto dict = internal::parse_actor_critic_arch("td3", "pi=[64, 64], qf=[400, 300]");
  EXPECT_EQ(dict.pi, (std::vector<int64_t>{64, 64}));
  EXPECT_EQ(dict.qf, (std::vector<int64_t>{400, 300}));
  EXPECT_NE(error_of([] {
              internal::parse_actor_critic_arch("td3", "pi=[64]");
            }).find("needs both pi=[...] and qf=[...]"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              internal::parse_actor_critic_arch("td3", "pi=[64], vq=[3]");
            }).find("net_arch key 'vq'"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              internal::parse_actor_critic_arch("td3", "pi=[64");
            }).find("is not a list of sizes"),
            std::string::npos);
  // A key given twice was taken as its last value without a word.
  EXPECT_NE(error_of([] {
              internal::parse_actor_critic_arch("td3", "pi=[8], qf=[8], pi=[16]");
            }).find("gives pi twice"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              internal::parse_actor_critic_arch("sac", "qf=[8], pi=[8], vf=[16]");
            }).find("gives qf twice"),
            std::string::npos);
  // Networks larger than the memory are refused before they are built, naming net_arch: an
  // MLP 3 -> 8 -> 2 has 4 x 8 + 9 x 2 = 50 parameters, a critic 4 -> 8 -> 1 has 5 x 8 + 9 = 49.
  const internal::ActorCriticArch small{{8}, {8}};
  const internal::MemoryUse nets = internal::actor_critics_memory(3, 1, small, 2);
  EXPECT_EQ(nets.bytes, 5 * 4 * (50 + 2 * 49));
  EXPECT_NE(error_of([&] {
              internal::check_memory("sac", {nets}, 5 * 4 * (50 + 2 * 49) - 1);
            }).find("an actor and 2 critic(s) of 148 parameters held five times"),
            std::string::npos);
  const std::string wide = error_of([] {
    Trainer("td3", "Pendulum-v1", {}, test_support::settings_of({{"net_arch", "65536,65536"}}));
  });
  EXPECT_NE(wide.find("lower net_arch's widths"), std::string::npos) << wide;
  // SB3's empty lists (no hidden layer) are kept.
  const auto linear = internal::parse_actor_critic_arch("sac", "pi=[], qf=[]");
  EXPECT_TRUE(linear.pi.empty() && linear.qf.empty());
}

Settings short_sac(int64_t steps) {
  return test_support::settings_of({{"total_timesteps", std::to_string(steps)},
                                    {"net_arch", "32,32"},
                                    {"learning_starts", "200"},
                                    {"batch_size", "32"},
                                    {"buffer_size", "2000"},
                                    {"learning_rate", "1e-3"},
                                    {"eval_episodes", "2"},
                                    {"seed", "5"},
                                    // Every train phase's point: the tests compare each update.
                                    {"log_interval", "0"}});
}

std::vector<MemorySink::Point> without_sps(const MemorySink& sink, int64_t after_step = -1) {
  std::vector<MemorySink::Point> out;
  for (const auto& p : sink.points())
    if (p.name != "train/sps" && p.step > after_step) out.push_back(p);
  return out;
}

TEST(Sac, SameSeedGivesTheSameMetricsBitForBit) {
  for (const char* ent : {"auto", "auto_0.1", "0.05"}) {
    std::vector<MemorySink::Point> runs[2];
    for (auto& points : runs) {
      Settings s = short_sac(600);
      s.set("ent_coef", ent, "test");
      s.set("train_freq", "4", "test");
      s.set("gradient_steps", "-1", "test");
      s.set("n_envs", "2", "test");
      Trainer t("sac", "Pendulum-v1", {}, s);
      MemorySink sink;
      t.train(sink, "", {});
      points = without_sps(sink);
      EXPECT_FALSE(sink.values("loss/actor").empty());
      EXPECT_FALSE(sink.values("loss/critic").empty());
      EXPECT_EQ(sink.values("loss/ent_coef").empty(), std::string(ent) == "0.05");
      const auto coef = sink.values("train/ent_coef");
      ASSERT_FALSE(coef.empty());
      if (std::string(ent) == "0.05") {
        EXPECT_DOUBLE_EQ(coef.back(), 0.05);
      }
      if (std::string(ent) == "auto_0.1") {
        EXPECT_NEAR(coef.front(), 0.1, 0.01);
      }
    }
    ASSERT_GT(runs[0].size(), 20u);
    EXPECT_EQ(runs[0], runs[1]) << ent;
  }
}

TEST(Sac, ResumedRunWithItsReplayBufferMatchesTheUninterruptedRun) {
  // "gsde": SAC with gSDE, its matrices redrawn every 3 steps and at every collect phase.
  for (const char* ent : {"auto", "0.2", "gsde"}) {
    const bool gsde = std::string(ent) == "gsde";
    const fs::path dir = temp_dir(std::string("sac-resume-") + ent);
    Settings s = short_sac(800);
    s.set("checkpoint_every", "400", "test");
    s.set("save_replay", "true", "test");
    s.set("ent_coef", gsde ? "auto" : ent, "test");
    if (gsde) {
      s.set("use_sde", "true", "test");
      s.set("sde_sample_freq", "3", "test");
      s.set("train_freq", "8", "test");
      s.set("gradient_steps", "8", "test");
      s.set("n_envs", "2", "test");
    }
    Trainer full("sac", gsde ? "MountainCarContinuous-v0" : "Pendulum-v1", {}, s);
    MemorySink full_sink;
    full.train(full_sink, dir.string(), {});
    const fs::path ckpt = dir / "step-000000400.safetensors";
    ASSERT_TRUE(fs::exists(ckpt));
    CheckpointInfo info = read_agent_checkpoint(ckpt.string());
    bool has = false, has_gsde = false;
    for (const auto& [name, t] : info.tensors) {
      has |= name == "critic_target.qf1.0.weight" || name == "log_ent_coef";
      has_gsde |= name == "actor.log_std" || name == "gsde.exploration_mat";
    }
    EXPECT_TRUE(has);
    EXPECT_EQ(has_gsde, gsde);
    if (gsde) {
      EXPECT_FALSE(full_sink.values("train/std").empty());
    }

    Trainer resumed = Trainer::resume(ckpt.string());
    EXPECT_EQ(resumed.agent().global_step(), 400);
    MemorySink resumed_sink;
    resumed.train(resumed_sink, "", {});
    const auto a = without_sps(full_sink, 400), b = without_sps(resumed_sink);
    ASSERT_GT(a.size(), 20u);
    EXPECT_EQ(a, b) << ent;
  }
}

TEST(SacGsde, ActionsFollowTheMatricesAndTheModeIgnoresThem) {
  Generator init(3), gen(4);
  internal::GsdeActor actor(2, 1, {8, 8}, nn::Activation::ReLU,
                            {.log_std_init = -1.0, .clip_mean = 2.0}, init);
  EXPECT_EQ(actor.log_std().shape(), (Shape{8, 1}));
  const Tensor obs = from_vector(std::vector<float>{0.3f, -0.2f, -0.5f, 0.04f}, {2, 2});
  Tensor a1, a2, a3;
  {
    no_grad guard;
    actor.reset_noise(2, gen);
    a1 = actor.sample(Var(obs), gen).first.value();
    a2 = actor.sample(Var(obs), gen).first.value();  // same matrices: same actions
    actor.reset_noise(2, gen);
    a3 = actor.sample(Var(obs), gen).first.value();
  }
  EXPECT_TRUE(equal(a1, a2));
  EXPECT_FALSE(equal(a1, a3));
  EXPECT_FALSE(equal(a1, actor.mode(obs)));
  // The mode is tanh of the mean, whatever the matrices: resampling leaves it alone.
  const Tensor mode = actor.mode(obs);
  {
    no_grad guard;
    actor.reset_noise(1, gen);
  }
  EXPECT_TRUE(equal(mode, actor.mode(obs)));

  // A mean beyond clip_mean is clipped (SB3's Hardtanh): the mode saturates at tanh(2).
  auto params = actor.named_parameters();
  for (auto& [name, p] : params)
    if (name == "net.4.bias") Tensor(p.value()).fill_(50.0);
  EXPECT_FLOAT_EQ(actor.mode(obs).data<float>()[0], std::tanh(2.0f));
}

TEST(SacGsde, TheActorLossReachesLogStdThroughTheDrawnMatrixAndTheFeatures) {
  Generator init(5), gen(6);
  internal::GsdeActor actor(3, 2, {4}, nn::Activation::Tanh, {.log_std_init = -0.5}, init);
  const Tensor obs = from_vector(std::vector<float>{0.1f, 0.7f, -0.3f, 1.0f, 0.2f, -0.9f}, {2, 3});
  auto grad_of = [&](bool matrix_with_grad, bool through_log_prob) {
    actor.zero_grad();
    {
      GradModeGuard mode(matrix_with_grad);
      actor.reset_noise(1, gen);
    }
    auto [actions, log_prob] = actor.sample(Var(obs), gen);
    (through_log_prob ? sum(log_prob) : sum(actions)).backward();
    return actor.log_std().grad();
  };
  // Actions reach log_std only through W = sigma * eps when W was drawn with gradients (SB3
  // draws it so in train()); a matrix drawn under no_grad is a constant.
  const Tensor g = grad_of(true, false);
  ASSERT_TRUE(g.defined());
  EXPECT_GT(abs(g).sum().item<float>(), 0.0f);
  const Tensor g0 = grad_of(false, false);
  EXPECT_TRUE(!g0.defined() || abs(g0).sum().item<float>() == 0.0f);
  // The hidden layer's weights get gradient through the features of the noise and the variance
  // (learn_features), also from the log-probability alone.
  grad_of(true, true);
  for (auto& [name, p] : actor.named_parameters()) {
    ASSERT_TRUE(p.grad().defined()) << name;
    EXPECT_GT(abs(p.grad()).sum().item<float>(), 0.0f) << name;
  }
}

TEST(Sac, GsdeRunsAreBitForBitAndActorParametersHoldLogStd) {
  std::vector<MemorySink::Point> runs[2];
  for (auto& points : runs) {
    Settings s = short_sac(600);
    s.set("use_sde", "true", "test");
    s.set("sde_sample_freq", "4", "test");
    s.set("use_sde_at_warmup", "true", "test");
    s.set("train_freq", "16", "test");
    s.set("gradient_steps", "4", "test");
    s.set("n_envs", "2", "test");
    Trainer t("sac", "MountainCarContinuous-v0", {}, s);
    MemorySink sink;
    t.train(sink, "", {});
    points = without_sps(sink);
    const auto std_points = sink.values("train/std");
    ASSERT_FALSE(std_points.empty());
    EXPECT_NE(std_points.back(), std::exp(-3.0)) << "log_std is learned";
  }
  ASSERT_GT(runs[0].size(), 20u);
  EXPECT_EQ(runs[0], runs[1]);
}

TEST(Sac, RefusesDiscreteActionsGsdeAndBadSettings) {
  EXPECT_NE(error_of([] {
              Trainer("sac", "CartPole-v1", {}, {});
            }).find("sac cannot handle the action space"),
            std::string::npos);
  auto error_with = [](const char* key, const char* value) {
    Settings s = short_sac(100);
    s.set(key, value, "test");
    return error_of([&] { Trainer("sac", "Pendulum-v1", {}, s); });
  };
  EXPECT_NE(error_with("sde_sample_freq", "4")
                .find("sac: sde_sample_freq applies only with "
                      "use_sde = true"),
            std::string::npos);
  EXPECT_NE(error_with("use_sde_at_warmup", "true").find("sac: use_sde_at_warmup applies only"),
            std::string::npos);
  EXPECT_NE(error_with("clip_mean", "-1").find("sac: clip_mean must be >= 0"), std::string::npos);
  // SAC's gSDE actions are always squashed (SB3's SAC has no such option).
  EXPECT_NE(error_with("squash_output", "true").find("squash_output"), std::string::npos);
  EXPECT_NE(error_with("ent_coef", "autox").find("sac: ent_coef 'autox'"), std::string::npos);
  EXPECT_NE(error_with("ent_coef", "-1").find("expected a number > 0"), std::string::npos);
  EXPECT_NE(error_with("target_entropy", "lots").find("sac: target_entropy must be auto"),
            std::string::npos);
  EXPECT_NE(error_with("tau", "0").find("sac: tau must be in (0, 1]"), std::string::npos);
  EXPECT_NE(error_with("target_update_interval", "0").find("must be >= 1"), std::string::npos);
}

TEST(Sac, PlaysItsCheckpointWithinTheBounds) {
  const fs::path dir = temp_dir("sac-play");
  Settings s = short_sac(300);
  Trainer t("sac", "MountainCarContinuous-v0", {}, s);
  MemorySink sink;
  t.train(sink, "", {});
  auto agent = load_agent(read_agent_checkpoint(t.save_checkpoint(dir.string())));
  Tensor obs = zeros({4, 2});
  for (bool deterministic : {true, false}) {
    Tensor a = agent->predict(obs, deterministic);
    ASSERT_EQ(a.shape(), (Shape{4, 1}));
    for (int64_t i = 0; i < 4; ++i) {
      EXPECT_GE(a.data<float>()[i], -1.0f);
      EXPECT_LE(a.data<float>()[i], 1.0f);
    }
  }
  EXPECT_TRUE(equal(agent->predict(obs, true), t.agent().predict(obs, true)));
}

TEST(Sac, TheViewersPolicyPlaysSacAndTd3Checkpoints) {
  // The dashboard's agent viewer and `rein eval` act through rl::Policy (load_policy).
  for (const char* algo : {"sac", "td3", "ddpg"}) {
    const fs::path dir = temp_dir(std::string("play-") + algo);
    Settings s = short_sac(250);
    Trainer t(algo, "Pendulum-v1", {}, s);
    NullSink sink;
    t.train(sink, "", {});
    Policy policy = load_policy(t.save_checkpoint(dir.string()));
    EXPECT_EQ(policy.algorithm(), algo);
    auto env = policy.make_env();
    Tensor obs = env->reset(3).obs;
    for (int k = 0; k < 5; ++k) {
      Tensor a = policy.act(obs);
      ASSERT_EQ(a.shape(), (Shape{1}));
      EXPECT_LE(std::abs(a.data<float>()[0]), 2.0f);
      obs = env->step(envs::Action::from_tensor(a)).obs;
    }
  }
}

}  // namespace
}  // namespace rein::rl

namespace rein::rl {
namespace {

TEST(OffPolicyPresets, EverySacTd3AndDdpgPresetUsesOnlyValidKeys) {
  // Every preset validates, the zoo's gSDE ones for SAC included.
  int checked = 0;
  for (Preset& p : list_presets()) {
    if (p.algorithm != "sac" && p.algorithm != "td3" && p.algorithm != "ddpg") continue;
    SCOPED_TRACE(p.algorithm + " " + p.env_id);
    SACConfig sac;
    TD3Config td3;
    DDPGConfig ddpg;
    RunConfig run;
    auto rf = run.fields();
    auto af = p.algorithm == "sac"   ? sac.fields()
              : p.algorithm == "td3" ? td3.fields()
                                     : ddpg.fields();
    p.settings.apply(rf);
    p.settings.apply(af);
    EXPECT_NO_THROW(p.settings.finish());
    const std::string msg = error_of([&] {
      if (p.algorithm == "sac") {
        sac.validate();
      } else if (p.algorithm == "td3") {
        td3.validate();
      } else {
        ddpg.validate();
      }
    });
    EXPECT_EQ(msg, "(no error)");
    ++checked;
  }
  EXPECT_EQ(checked, 15);
}

Settings short_td3(int64_t steps) {
  return test_support::settings_of({{"total_timesteps", std::to_string(steps)},
                                    {"net_arch", "pi=[16,16], qf=[32,32]"},
                                    {"learning_starts", "200"},
                                    {"batch_size", "32"},
                                    {"buffer_size", "2000"},
                                    {"eval_episodes", "2"},
                                    {"seed", "9"},
                                    // Every train phase's point: the tests compare each update.
                                    {"log_interval", "0"}});
}

TEST(Td3, ResumedRunWithItsBufferAndNoiseStateMatchesTheUninterruptedRun) {
  for (const char* algo : {"td3", "ddpg"}) {
    const fs::path dir = temp_dir(std::string("td3-resume-") + algo);
    Settings s = short_td3(1000);
    s.set("checkpoint_every", "500", "test");
    s.set("save_replay", "true", "test");
    s.set("noise_type", "ornstein-uhlenbeck", "test");
    s.set("noise_std", "0.5", "test");
    Trainer full(algo, "MountainCarContinuous-v0", {}, s);
    MemorySink full_sink;
    full.train(full_sink, dir.string(), {});
    const fs::path ckpt = dir / "step-000000500.safetensors";
    ASSERT_TRUE(fs::exists(ckpt));
    Trainer resumed = Trainer::resume(ckpt.string());
    MemorySink resumed_sink;
    resumed.train(resumed_sink, "", {});
    const auto a = without_sps(full_sink, 500), b = without_sps(resumed_sink);
    ASSERT_GT(a.size(), 20u);
    EXPECT_FALSE(full_sink.values("loss/actor").empty());
    EXPECT_EQ(a, b) << algo;
  }
}

TEST(OffPolicyThreads, TwoThreadsGiveTheSameRunAsOne) {
  // threads > 1: the critics' forward and backward passes and their Adam step run in two halves.
  for (const char* algo : {"sac", "td3", "ddpg"}) {
    std::vector<MemorySink::Point> runs[2];
    std::vector<std::pair<std::string, Tensor>> states[2];
    for (int k = 0; k < 2; ++k) {
      Settings s = std::string(algo) == "sac" ? short_sac(500) : short_td3(500);
      s.set("threads", k == 0 ? "1" : "2", "test");
      Trainer t(algo, "Pendulum-v1", {}, s);
      MemorySink sink;
      t.train(sink, "", {});
      runs[k] = without_sps(sink);
      states[k] = t.agent().state_tensors();
    }
    ASSERT_GT(runs[0].size(), 20u) << algo;
    EXPECT_EQ(runs[0], runs[1]) << algo;
    ASSERT_EQ(states[0].size(), states[1].size());
    for (size_t i = 0; i < states[0].size(); ++i)
      EXPECT_EQ(states[0][i].second.tolist(), states[1][i].second.tolist())
          << algo << " " << states[0][i].first;
  }
}

TEST(Td3, TrainsOncePerEpisodeWithAsManyStepsAsTheEpisodeHad) {
  // train_freq [1, "episode"] with gradient_steps -1 (the zoo's Pendulum preset): one phase per
  // 200-step episode, at the steps where episodes end.
  Settings s = short_td3(1000);
  s.set("train_freq_unit", "episode", "test");
  s.set("gradient_steps", "-1", "test");
  Trainer t("td3", "Pendulum-v1", {}, s);
  MemorySink sink;
  t.train(sink, "", {});
  std::vector<int64_t> steps;
  for (const auto& p : sink.points())
    if (p.name == "loss/critic") steps.push_back(p.step);
  EXPECT_EQ(steps, (std::vector<int64_t>{400, 600, 800, 1000}));
}

// Sets `stop` when an episode ends, as a Ctrl-C would, and fails the run if collecting goes on
// for ten more episodes.
class StopAtFirstEpisode final : public MetricSink {
 public:
  explicit StopAtFirstEpisode(std::atomic<bool>& stop) : stop_(stop) {}
  void log(int64_t, std::string_view name, double) override {
    if (name != metric::kEpisodeReturn) return;
    stop_ = true;
    if (++episodes_ > 10) throw Error("the collect phase went on after the stop flag was set");
  }

 private:
  std::atomic<bool>& stop_;
  int episodes_ = 0;
};

TEST(OffPolicyStop, AStopEndsACollectPhaseThatWouldNeverEnd) {
  // train_freq = 1e12 steps (or episodes of an env that never ends one) made a phase that
  // ignored Ctrl-C and SIGTERM: rein train ran on until kill -9. The phase now ends on the stop
  // flag, with no gradient step for it, and the run ends interrupted.
  for (const char* algo : {"sac", "td3", "dqn"}) {
    const bool discrete = std::string(algo) == "dqn";
    // A total below the phase's first episode: the run still ends interrupted, not finished.
    Settings s = test_support::settings_of({{"total_timesteps", "100"},
                                            {"train_freq", "1000000000000"},
                                            {"learning_starts", "0"},
                                            {"buffer_size", "1000"},
                                            {"net_arch", "8"},
                                            {"eval_episodes", "0"}});
    Trainer t(algo, discrete ? "CartPole-v1" : "Pendulum-v1", {}, s);
    std::atomic<bool> stop{false};
    StopAtFirstEpisode sink(stop);
    TrainHooks hooks;
    hooks.stop = &stop;
    const TrainResult r = t.train(sink, "", hooks);
    EXPECT_TRUE(r.interrupted) << algo;
    if (!discrete) {
      EXPECT_EQ(r.global_step, 200) << algo;  // Pendulum's first episode
    }
    EXPECT_LT(r.global_step, 1000) << algo;
  }
}

TEST(Td3, RefusesBadCombinationsWithTheFix) {
  auto error_with = [](const char* algo, const char* key, const char* value) {
    Settings s = short_td3(100);
    s.set(key, value, "test");
    return error_of([&] { Trainer(algo, "Pendulum-v1", {}, s); });
  };
  EXPECT_NE(error_with("td3", "policy_delay", "0").find("td3: policy_delay must be >= 1"),
            std::string::npos);
  EXPECT_NE(error_with("td3", "noise_type", "pink").find("none, normal or ornstein-uhlenbeck"),
            std::string::npos);
  // DDPG has no policy delay to set, as in SB3.
  EXPECT_NE(error_with("ddpg", "policy_delay", "2").find("policy_delay"), std::string::npos);
  EXPECT_NE(error_of([] {
              Trainer("td3", "Acrobot-v1", {}, {});
            }).find("td3 cannot handle the action space"),
            std::string::npos);
  Trainer ddpg("ddpg", "Pendulum-v1", {}, short_td3(100));
  bool has_delay = false;
  for (const auto& [key, value] : ddpg.agent().params()) has_delay |= key == "policy_delay";
  EXPECT_FALSE(has_delay);
}

}  // namespace
}  // namespace rein::rl
