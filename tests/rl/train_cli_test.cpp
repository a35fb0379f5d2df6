// `rein train` end to end: a short PPO run into a temporary database, then the run, its params,
// metrics and checkpoint are read back through the tracker; `rein eval` and `--resume` use it.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "tracker/store.h"

namespace {

namespace fs = std::filesystem;

struct Output {
  int status;
  std::string text;
};

Output run(const std::string& args) {
  std::string cmd = std::string(REIN_BINARY_DIR) + "/bin/rein " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int status = pclose(p);
  return {WEXITSTATUS(status), text};
}

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::path(REIN_BINARY_DIR) / "test-tmp" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(TrainCli, RecordsRunParamsMetricsAndCheckpointInTheTracker) {
  fs::path dir = fresh_dir("cli_train");
  std::string db = (dir / "runs.db").string();
  Output out = run("train ppo CartPole-v1 --steps 4096 --seed 5 --eval-episodes 5 --name cli-run"
                   " --tag smoke --no-progress --db " + db);
  ASSERT_EQ(out.status, 0) << out.text;
  EXPECT_NE(out.text.find("run cli-run finished: 4,096 steps"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("eval/mean_return"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("rein runs show cli-run"), std::string::npos) << out.text;

  rein::tracker::Store store(db);
  rein::tracker::RunInfo info = store.resolve_run("cli-run");
  EXPECT_EQ(info.algorithm, "ppo");
  EXPECT_EQ(info.env, "CartPole-v1");
  EXPECT_EQ(info.status, rein::tracker::RunStatus::Finished);
  EXPECT_EQ(info.tags, std::vector<std::string>{"smoke"});
  bool saw_batch = false;
  for (const auto& p : store.params(info.id))
    if (p.key == "batch_size") saw_batch = std::get<int64_t>(p.value) == 256;  // the zoo preset
  EXPECT_TRUE(saw_batch);
  auto keys = store.metric_keys(info.id);
  for (const char* k : {"train/episode_return", "loss/policy", "eval/mean_return", "train/sps"})
    EXPECT_NE(std::find(keys.begin(), keys.end(), k), keys.end()) << k;
  auto arts = store.artifacts(info.id);
  ASSERT_FALSE(arts.empty());
  EXPECT_EQ(arts.back().kind, "checkpoint");
  EXPECT_TRUE(fs::exists(arts.back().path));

  Output ev = run("eval cli-run --episodes 3 --db " + db);
  ASSERT_EQ(ev.status, 0) << ev.text;
  EXPECT_NE(ev.text.find("3 episodes (deterministic policy): mean return"), std::string::npos)
      << ev.text;

  Output resumed = run("train --resume cli-run --steps 6144 --eval-episodes 2 --no-progress --db " + db);
  ASSERT_EQ(resumed.status, 0) << resumed.text;
  EXPECT_NE(resumed.text.find("6,144 steps"), std::string::npos) << resumed.text;
}

TEST(TrainCli, UserErrorsExitNonZeroWithAMessage) {
  fs::path dir = fresh_dir("cli_errors");
  std::string db = (dir / "runs.db").string();
  Output bad_key = run("train ppo CartPole-v1 --set n_step=3 --db " + db);
  EXPECT_EQ(bad_key.status, 1);
  EXPECT_NE(bad_key.text.find("error: --set: unknown key 'n_step' (did you mean 'n_steps'?)"),
            std::string::npos) << bad_key.text;
  Output bad_algo = run("train ppp CartPole-v1 --db " + db);
  EXPECT_EQ(bad_algo.status, 1);
  EXPECT_NE(bad_algo.text.find("did you mean 'ppo'?"), std::string::npos) << bad_algo.text;
  EXPECT_FALSE(fs::exists(db)) << "no run is recorded for a command that failed validation";
}

TEST(PresetsCli, ListsAndShowsTheZooPreset) {
  Output list = run("presets list");
  ASSERT_EQ(list.status, 0) << list.text;
  EXPECT_NE(list.text.find("CartPole-v1"), std::string::npos);
  Output show = run("presets show ppo CartPole-v1");
  ASSERT_EQ(show.status, 0) << show.text;
  EXPECT_NE(show.text.find("batch_size           = 256"), std::string::npos) << show.text;
  Output file = run("presets show ppo");
  EXPECT_NE(file.text.find("rl-baselines3-zoo"), std::string::npos);
}

}  // namespace
