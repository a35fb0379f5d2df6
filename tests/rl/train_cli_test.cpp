// `rein train` end to end: a short PPO run into a temporary database, then the run, its params,
// metrics and checkpoint are read back through the tracker; `rein eval` and `--resume` use it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/rl/rein_process.h"
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
  Output out =
      run("train ppo CartPole-v1 --steps 4096 --seed 5 --eval-episodes 5 --name cli-run"
          " --tag smoke --no-progress --db " +
          db);
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

  Output resumed =
      run("train --resume cli-run --steps 6144 --eval-episodes 2 --no-progress --db " + db);
  ASSERT_EQ(resumed.status, 0) << resumed.text;
  EXPECT_NE(resumed.text.find("6,144 steps"), std::string::npos) << resumed.text;
}

// Steps of one metric of a run, in order.
std::vector<int64_t> steps_of(rein::tracker::Store& store, int64_t run, const std::string& key) {
  std::vector<int64_t> out;
  for (const auto& s : store.series({run}, key, {.max_points = 0}))
    for (const auto& p : s.points) out.push_back(p.step);
  return out;
}

int64_t int_param(rein::tracker::Store& store, int64_t run, const std::string& key) {
  for (const auto& p : store.params(run))
    if (p.key == key) return std::get<int64_t>(p.value);
  return -1;
}

// One curve: every iteration of the zoo preset (8 envs x 32 steps) logged once, up to `last`.
void expect_continuous(const std::vector<int64_t>& steps, int64_t last) {
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.front(), 256);
  EXPECT_EQ(steps.back(), last);
  for (size_t i = 1; i < steps.size(); ++i) ASSERT_EQ(steps[i] - steps[i - 1], 256) << i;
}

TEST(TrainCli, ResumeAfterACrashContinuesTheSameRunFromItsLastCheckpoint) {
  fs::path dir = fresh_dir("cli_resume_crash");
  std::string db = (dir / "runs.db").string();
  Output first =
      run("train ppo CartPole-v1 --steps 4096 --checkpoint-every 2048 --seed 2"
          " --eval-episodes 2 --name crash-run --no-progress --db " +
          db);
  ASSERT_EQ(first.status, 0) << first.text;
  int64_t id;
  {
    rein::tracker::Store store(db);
    id = store.resolve_run("crash-run").id;
    // As if the process had died after the checkpoint at 2,048 but after logging up to 4,096.
    for (const auto& art : store.artifacts(id))
      if (art.step && *art.step > 2048) fs::remove(art.path);
  }
  Output resumed =
      run("train --resume crash-run --steps 6144 --eval-episodes 2 --no-progress"
          " --db " +
          db);
  ASSERT_EQ(resumed.status, 0) << resumed.text;
  EXPECT_NE(resumed.text.find("logged after step 2,048"), std::string::npos) << resumed.text;
  EXPECT_NE(resumed.text.find("run crash-run finished: 6,144 steps"), std::string::npos)
      << resumed.text;

  rein::tracker::Store store(db);
  ASSERT_EQ(store.list_runs().size(), 1u) << "the resumed run logs into the same run";
  rein::tracker::RunInfo info = store.resolve_run("crash-run");
  EXPECT_EQ(info.id, id);
  EXPECT_EQ(info.status, rein::tracker::RunStatus::Finished);
  expect_continuous(steps_of(store, id, "train/sps"), 6144);
  // The evaluation at 4,096 came after the checkpoint training resumed from: gone.
  EXPECT_EQ(steps_of(store, id, "eval/mean_return"), std::vector<int64_t>{6144});
  EXPECT_EQ(int_param(store, id, "resumed_at_step"), 2048);
  EXPECT_EQ(int_param(store, id, "total_timesteps"), 6144);
}

// Starts `rein ARGS...`, sends it SIGINT once a line containing `trigger` appears, and returns
// its output and exit status.
Output run_and_interrupt(const std::vector<std::string>& args, const char* trigger) {
  auto r = rein::test_support::rein_process(args, {.trigger = trigger, .signal = SIGINT});
  return {r.status, r.text};
}

TEST(TrainCli, InterruptedRunResumesIntoTheSameRunAndFinishes) {
  fs::path dir = fresh_dir("cli_resume_interrupt");
  std::string db = (dir / "runs.db").string();
  // The first evaluation (printed from inside the training loop, after Ctrl-C is handled)
  // triggers the interrupt; 100,000 steps leave plenty of room to stop well before the end.
  Output first = run_and_interrupt(
      {"train", "ppo", "CartPole-v1", "--steps", "100000", "--eval-every", "1024",
       "--eval-episodes", "1", "--seed", "4", "--name", "int-run", "--no-progress", "--db", db},
      "eval at step");
  ASSERT_EQ(first.status, 0) << first.text;
  EXPECT_NE(first.text.find("run int-run interrupted"), std::string::npos) << first.text;
  EXPECT_NE(first.text.find("continue with: rein train --resume int-run"), std::string::npos);
  int64_t id, stopped;
  {
    rein::tracker::Store store(db);
    rein::tracker::RunInfo info = store.resolve_run("int-run");
    id = info.id;
    EXPECT_EQ(info.status, rein::tracker::RunStatus::Interrupted);
    std::vector<int64_t> steps = steps_of(store, id, "train/sps");
    ASSERT_FALSE(steps.empty());
    stopped = steps.back();
    ASSERT_LT(stopped, 100000);
  }
  const int64_t target = stopped + 1024;
  Output resumed = run("train --resume int-run --steps " + std::to_string(target) +
                       " --eval-episodes 2 --no-progress --db " + db);
  ASSERT_EQ(resumed.status, 0) << resumed.text;
  EXPECT_EQ(resumed.text.find("dropped"), std::string::npos)
      << "Ctrl-C checkpoints the last step, so nothing is dropped: " << resumed.text;

  rein::tracker::Store store(db);
  ASSERT_EQ(store.list_runs().size(), 1u);
  rein::tracker::RunInfo info = store.run(id).value();
  EXPECT_EQ(info.status, rein::tracker::RunStatus::Finished);
  EXPECT_FALSE(info.end_time == std::nullopt);
  expect_continuous(steps_of(store, id, "train/sps"), target);
  std::vector<int64_t> evals = steps_of(store, id, "eval/mean_return");
  ASSERT_FALSE(evals.empty());
  EXPECT_EQ(evals.back(), target);
  EXPECT_TRUE(std::is_sorted(evals.begin(), evals.end()));
}

TEST(TrainCli, UserErrorsExitNonZeroWithAMessage) {
  fs::path dir = fresh_dir("cli_errors");
  std::string db = (dir / "runs.db").string();
  Output bad_key = run("train ppo CartPole-v1 --set n_step=3 --db " + db);
  EXPECT_EQ(bad_key.status, 1);
  EXPECT_NE(bad_key.text.find("error: --set: unknown key 'n_step' (did you mean 'n_steps'?)"),
            std::string::npos)
      << bad_key.text;
  Output bad_algo = run("train ppp CartPole-v1 --db " + db);
  EXPECT_EQ(bad_algo.status, 1);
  EXPECT_NE(bad_algo.text.find("did you mean 'ppo'?"), std::string::npos) << bad_algo.text;
  Output negative = run("train sac Pendulum-v1 --log-interval -1 --db " + db);
  EXPECT_EQ(negative.status, 1);
  EXPECT_NE(negative.text.find("error: train: log_interval must be >= 0 (env steps; 0 logs every "
                               "iteration), got -1"),
            std::string::npos)
      << negative.text;
  Output text = run("train sac Pendulum-v1 --log-interval often --db " + db);
  EXPECT_NE(text.status, 0);
  EXPECT_NE(text.text.find("--log-interval = often"), std::string::npos) << text.text;
  const std::string config = (dir / "bad.toml").string();
  std::FILE* f = std::fopen(config.c_str(), "w");
  std::fputs("log_interval = \"often\"\n", f);
  std::fclose(f);
  Output in_config = run("train sac Pendulum-v1 --config " + config + " --db " + db);
  EXPECT_EQ(in_config.status, 1);
  EXPECT_NE(in_config.text.find("bad value 'often' for key 'log_interval' (expected an integer)"),
            std::string::npos)
      << in_config.text;
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
