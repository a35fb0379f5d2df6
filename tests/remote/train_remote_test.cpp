// `rein train` against served envs, end to end: PPO learns the Python example server's CartPole
// (examples/remote_env/cartpole.py, standard library only) to a stated return, read back from the
// tracker; and a server killed mid-training makes the run fail at once with a clear message, a
// Failed status and a checkpoint, rather than hang. The servers are separate processes, always
// killed at the end (ChildProcess).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "tests/remote/child_process.h"
#include "tracker/store.h"

namespace rein::envs::remote {
namespace {

namespace fs = std::filesystem;
using testing::ChildProcess;

const std::string kRein = std::string(REIN_BINARY_DIR) + "/bin/rein";

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::path(REIN_BINARY_DIR) / "test-tmp" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::vector<std::string> split_args(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find(' ', start), text.size());
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::vector<std::string> train_args(const std::string& url, const std::string& extra) {
  std::vector<std::string> args = {kRein, "train", "ppo", url};
  for (auto& a : split_args(extra)) args.push_back(a);
  return args;
}

// The CartPole-v1 zoo preset of rl/presets/ppo.toml (presets are looked up by the served env's
// id, and the Python server's PyCartPole-v0 has none), on a budget a fifth of the preset's.
constexpr const char* kCartPoleZoo =
    "--set n_envs=8 --set n_steps=32 --set batch_size=256 --set gae_lambda=0.8 --set gamma=0.98 "
    "--set n_epochs=20 --set learning_rate=0.001 --set anneal_lr=true --set clip_range=0.2 "
    "--set anneal_clip_range=true";

// The stated return of docs/REMOTE_ENVS.md: random play averages about 22 on CartPole.
constexpr double kStatedReturn = 200.0;

TEST(TrainRemote, PpoLearnsThePythonCartPoleToTheStatedReturn) {
  const auto python = testing::find_python3();
  if (!python) GTEST_SKIP() << "no python3 on PATH";
  const fs::path dir = fresh_dir("train_remote_python");
  const std::string db = (dir / "runs.db").string();
  ChildProcess server(
      {*python, std::string(REIN_SOURCE_DIR) + "/examples/remote_env/cartpole.py", "--port", "0"});
  // The first line is printed once the socket listens: no polling for the port.
  const std::string url = testing::url_in(server.wait_for("serving"));

  ChildProcess train(train_args(
      url, str("--steps 20000 --seed 1 --eval-episodes 10 --no-progress --name py-cartpole ",
               kCartPoleZoo, " --db ", db)));
  const int status = train.wait();
  ASSERT_EQ(status, 0) << train.output();
  EXPECT_NE(train.output().find("eval/mean_return"), std::string::npos) << train.output();

  tracker::Store store(db);
  const tracker::RunInfo run = store.resolve_run("py-cartpole");
  EXPECT_EQ(run.status, tracker::RunStatus::Finished);
  EXPECT_EQ(run.env, "PyCartPole-v0");  // the served id; the address is a param
  const auto latest = store.latest({run.id}, {"eval/mean_return"});
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_GE(latest[0].point.step, 20000);
  EXPECT_GE(latest[0].point.value, kStatedReturn) << train.output();
  EXPECT_NE(run.summary.find("eval_mean_return"), std::string::npos) << run.summary;
  server.kill_now();
}

// The handshake names the served env: it picks the preset, names the run and fills the env
// column; the address stays as the param env.address (before: defaults, "ppo-remote___127...").
TEST(TrainRemote, RunTakesThePresetNameAndEnvOfTheServedEnv) {
  const fs::path dir = fresh_dir("train_remote_identity");
  const std::string db = (dir / "runs.db").string();
  ChildProcess server({kRein, "envs", "serve", "CartPole-v1", "--port", "0", "--quiet"});
  const std::string url = testing::url_in(server.wait_for("serving"));
  ChildProcess train(
      train_args(url, str("--steps 512 --seed 4 --eval-episodes 1 --no-progress --db ", db)));
  ASSERT_EQ(train.wait(), 0) << train.output();
  server.kill_now();

  tracker::Store store(db);
  const std::vector<tracker::RunInfo> runs = store.list_runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].env, "CartPole-v1");
  EXPECT_EQ(runs[0].name.rfind("ppo-CartPole-v1-s4-", 0), 0u) << runs[0].name;
  std::map<std::string, tracker::ParamValue> params;
  for (const tracker::Param& p : store.params(runs[0].id)) params[p.key] = p.value;
  EXPECT_EQ(std::get<std::string>(params.at("env.address")), url);
  EXPECT_EQ(std::get<std::int64_t>(params.at("batch_size")), 256);  // the CartPole-v1 zoo preset
}

TEST(TrainRemote, ServerVanishingMidTrainingFailsTheRunWithAMessageAndACheckpoint) {
  const fs::path dir = fresh_dir("train_remote_vanish");
  const std::string db = (dir / "runs.db").string();
  ChildProcess server({kRein, "envs", "serve", "CartPole-v1", "--port", "0", "--quiet"});
  const std::string url = testing::url_in(server.wait_for("serving"));

  // Far more steps than the run will live: it can only end through the server's death.
  ChildProcess train(
      train_args(url, str("--steps 100000000 --seed 1 --no-progress --name doomed --db ", db)));
  // The run line comes after the trainer has connected its envs to the server.
  train.wait_for("run doomed:");
  server.kill_now();
  const int status = train.wait();

  EXPECT_EQ(status, 1) << train.output();
  EXPECT_NE(train.output().find("error: remote env 127.0.0.1:"), std::string::npos)
      << train.output();
  tracker::Store store(db);
  const tracker::RunInfo run = store.resolve_run("doomed");
  EXPECT_EQ(run.status, tracker::RunStatus::Failed);
  EXPECT_NE(run.error.find("remote env"), std::string::npos) << run.error;
  const auto artifacts = store.artifacts(run.id);
  ASSERT_FALSE(artifacts.empty()) << train.output();
  EXPECT_EQ(artifacts.back().kind, "checkpoint");
  EXPECT_TRUE(fs::exists(artifacts.back().path));
  EXPECT_NE(train.output().find(artifacts.back().path), std::string::npos) << train.output();
}

}  // namespace
}  // namespace rein::envs::remote
