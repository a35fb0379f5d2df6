// The agent viewer's policy (no window): a checkpoint written by a short real training run plays
// like `rein eval` plays it (same deterministic actions on the same observations), in the env
// and env arguments it was trained on, for every registered algorithm that can train on the env.
#include "apps/dashboard/agent_policy.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "envs/registry.h"
#include "rl/checkpoint.h"
#include "rl/metric_sink.h"
#include "rl/trainer.h"

namespace rein::dashboard {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
  fs::path p = fs::path(REIN_BINARY_DIR) / "test-tmp" / "agent_policy" / name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

// Trains `algorithm` on `env_id` for a few hundred steps and returns its final checkpoint.
std::string train_checkpoint(const std::string& algorithm, const std::string& env_id,
                             const envs::Kwargs& kwargs, rl::Settings settings,
                             const std::string& dir_name) {
  settings.set("eval_episodes", "0", "test");
  settings.set("seed", "7", "test");
  rl::Trainer trainer(algorithm, env_id, kwargs, settings);
  rl::NullSink sink;
  rl::TrainResult r = trainer.train(sink, temp_dir(dir_name).string(), {});
  return r.last_checkpoint;
}

// Plays `episodes` episodes with the viewer's policy and, on every observation, asks the agent
// that `rein eval` rebuilds from the same file (read_agent_checkpoint + load_agent) for its
// deterministic action. Returns the number of steps compared.
int expect_same_actions_as_eval(const std::string& checkpoint, int episodes, int max_steps) {
  std::unique_ptr<Policy> viewer = load_policy(checkpoint);
  rl::CheckpointInfo info = rl::read_agent_checkpoint(checkpoint);
  std::unique_ptr<rl::Agent> eval_agent = rl::load_agent(info);
  std::unique_ptr<envs::Env> env = viewer->make_env();
  int compared = 0;
  for (int ep = 0; ep < episodes; ++ep) {
    Tensor obs = env->reset(1000 + ep).obs.clone();
    for (int t = 0; t < max_steps; ++t) {
      envs::Action a = viewer->act(obs);
      Tensor expected = eval_agent->predict(obs.unsqueeze(0), /*deterministic=*/true);
      if (a.is_discrete()) {
        EXPECT_EQ(static_cast<double>(a.index()), expected.tolist().at(0))
            << checkpoint << " step " << t;
      } else {
        std::vector<double> want = expected.tolist();
        auto got = a.values();
        EXPECT_EQ(got.size(), want.size());
        for (std::size_t i = 0; i < got.size() && i < want.size(); ++i)
          EXPECT_EQ(static_cast<double>(got[i]), want[i]) << checkpoint << " step " << t;
      }
      ++compared;
      auto r = env->step(a);
      obs = r.obs.clone();
      if (r.terminated || r.truncated) break;
    }
  }
  return compared;
}

// A PPO run of a few updates: `total_steps` over `n_envs` envs, 64-step rollouts.
rl::Settings short_ppo(const char* total_steps, const char* n_envs, const char* n_epochs) {
  rl::Settings s;
  s.set("total_timesteps", total_steps, "test");
  s.set("n_envs", n_envs, "test");
  s.set("n_steps", "64", "test");
  s.set("batch_size", "64", "test");
  s.set("n_epochs", n_epochs, "test");
  return s;
}

TEST(AgentPolicy, PpoCheckpointActsLikeEvalInTheEnvArgsItWasTrainedWith) {
  const rl::Settings s = short_ppo("512", "4", "2");
  std::string ck = train_checkpoint("ppo", "CartPole-v1", {{"max_episode_steps", "60"}}, s, "ppo");
  ASSERT_FALSE(ck.empty());

  std::unique_ptr<Policy> viewer = load_policy(ck);
  EXPECT_EQ(viewer->describe(), "ppo at step 512");
  // The viewer's env carries the run's env args: episodes end at 60 steps at the latest.
  std::unique_ptr<envs::Env> env = viewer->make_env();
  env->reset(1);
  int steps = 0;
  for (bool done = false; !done && steps < 1000; ++steps) {
    auto r = env->step(envs::Action(int64_t{1}));
    done = r.terminated || r.truncated;
  }
  EXPECT_LE(steps, 60);

  EXPECT_GT(expect_same_actions_as_eval(ck, 3, 60), 20);
}

TEST(AgentPolicy, ContinuousActionsMatchEvalExactly) {
  rl::Settings s;
  s.set("total_timesteps", "256", "test");
  s.set("n_envs", "2", "test");
  s.set("n_steps", "128", "test");
  std::string ck = train_checkpoint("ppo", "Pendulum-v1", {}, s, "ppo_pendulum");
  ASSERT_FALSE(ck.empty());
  EXPECT_EQ(expect_same_actions_as_eval(ck, 1, 50), 50);
}

TEST(AgentPolicy, EveryAlgorithmThatTrainsOnCartPolePlaysItsCheckpoint) {
  int played = 0;
  std::string skipped;
  for (const rl::AlgorithmInfo& algo : rl::list_algorithms()) {
    rl::Settings s;
    s.set("total_timesteps", "512", "test");
    std::string ck;
    try {
      ck = train_checkpoint(algo.name, "CartPole-v1", {}, s, "all_" + algo.name);
    } catch (const std::exception& e) {
      // Algorithms for other observation or action spaces (tabular methods need a Discrete
      // observation space) refuse CartPole when the trainer is built: not what this test checks.
      std::string msg = e.what();
      if (msg.find("CartPole") != std::string::npos) {
        skipped += " " + algo.name;
        continue;
      }
      ADD_FAILURE() << algo.name << ": " << msg;
      continue;
    }
    SCOPED_TRACE(algo.name);
    EXPECT_GT(expect_same_actions_as_eval(ck, 2, 40), 0);
    ++played;
  }
  std::printf("played %d algorithms on CartPole-v1; not for CartPole:%s\n", played,
              skipped.c_str());
  EXPECT_GE(played, 1);
}

TEST(AgentPolicy, RandomPolicyWithoutACheckpointSamplesTheRunsActionSpace) {
  RandomPolicy p("CartPole-v1", 5);
  std::unique_ptr<envs::Env> env = p.make_env();
  Tensor obs = env->reset(0).obs.clone();
  for (int i = 0; i < 20; ++i) {
    envs::Action a = p.act(obs);
    ASSERT_TRUE(a.is_discrete());
    EXPECT_TRUE(a.index() == 0 || a.index() == 1);
  }
}

TEST(AgentPolicy, AFileThatIsNoCheckpointIsAnErrorNamingIt) {
  fs::path dir = temp_dir("bad");
  fs::path bad = dir / "notes.txt";
  std::FILE* f = std::fopen(bad.c_str(), "w");
  std::fputs("not a checkpoint", f);
  std::fclose(f);
  try {
    load_policy(bad.string());
    FAIL() << "loaded a text file";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("notes.txt"), std::string::npos) << e.what();
  }
}

TEST(RunPlugins, ReadsTheRecordedPluginParamsInOrder) {
  const std::vector<std::pair<std::string, std::string>> params = {
      {"learning_rate", "0.001"}, {"plugin.10", "k.so"}, {"plugin.2", "b.so"},
      {"plugin.0", "./a.so"},     {"plugin.x", "no.so"}, {"plugins", "no.so"}};
  EXPECT_EQ(recorded_plugins(params), (std::vector<std::string>{"./a.so", "b.so", "k.so"}));
}

// Issue 15.5: a run trained with --plugin played in the agent view without the dashboard
// being told the plug-in again (it has no --plugin option): the recorded path is loaded.
TEST(RunPlugins, TheRecordedPluginMakesTheRunsEnvPlayable) {
  const std::string lib = REIN_TEST_PLUGIN_CORRIDOR;
  ASSERT_FALSE(envs::registry().contains("Corridor-v0"));
  load_run_plugins("Corridor-v0", recorded_plugins({{"plugin.0", lib}}));
  ASSERT_TRUE(envs::registry().contains("Corridor-v0"));
  load_run_plugins("Corridor-v0", {lib});  // a second run with it: nothing loaded twice
  RandomPolicy random("Corridor-v0", 3);
  std::unique_ptr<envs::Env> env = random.make_env();
  Tensor obs = env->reset(0).obs.clone();
  EXPECT_NO_THROW(env->step(random.act(obs)));
  // A checkpoint trained on the plug-in env plays like `rein eval`.
  const std::string ck =
      train_checkpoint("ppo", "Corridor-v0", {}, short_ppo("256", "2", "1"), "plugin_ppo");
  ASSERT_FALSE(ck.empty());
  EXPECT_GT(expect_same_actions_as_eval(ck, 1, 30), 0);
}

TEST(RunPlugins, AMissingRecordedPluginIsAnErrorSayingWhereToStart) {
  try {
    load_run_plugins("Nowhere-v0", {"./libnowhere_plugin.so"});
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("'./libnowhere_plugin.so'"), std::string::npos) << m;
    EXPECT_NE(m.find("Nowhere-v0"), std::string::npos) << m;
    EXPECT_NE(m.find("directory the run was trained in"), std::string::npos) << m;
  }
  try {
    load_run_plugins("Nowhere-v0", {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("recorded no --plugin"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(load_run_plugins("CartPole-v1", {"./libnowhere_plugin.so"}));  // built in
}

}  // namespace
}  // namespace rein::dashboard
