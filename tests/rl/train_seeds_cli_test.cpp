// `rein train ... --seeds LIST --jobs N` end to end: one run per seed in one group, the summary
// table with mean and std, Ctrl-C stopping every seed cleanly, and the errors of bad lists.
#include <gtest/gtest.h>
#include <signal.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "tests/rl/rein_process.h"
#include "tracker/run_facts.h"
#include "tracker/store.h"

namespace {

namespace fs = std::filesystem;
using rein::test_support::contains;
using rein::test_support::fresh_test_dir;
using rein::test_support::rein_process;
using rein::tracker::RunStatus;

// A PPO run of a few hundred steps.
std::vector<std::string> short_ppo(const std::string& db, const std::string& steps) {
  return {"train",
          "ppo",
          "CartPole-v1",
          "--steps",
          steps,
          "--set",
          "n_envs=2",
          "--set",
          "n_steps=64",
          "--eval-episodes",
          "2",
          "--checkpoint-minutes",
          "0",
          "--db",
          db};
}

TEST(TrainSeedsCli, EverySeedIsARunOfOneGroupAndTheTableShowsMeanAndStd) {
  const fs::path dir = fresh_test_dir("seeds_group");
  const std::string db = (dir / "runs.db").string();
  std::vector<std::string> args = short_ppo(db, "512");
  args.insert(args.end(), {"--seeds", "1-3", "--jobs", "2", "--group", "g1", "--name", "try"});
  const auto out = rein_process(args);
  ASSERT_EQ(out.status, 0) << out.text;

  rein::tracker::Store store(db);
  const auto runs = store.list_runs({.tag = "group:g1"});
  ASSERT_EQ(runs.size(), 3u) << out.text;
  std::set<int64_t> seeds;
  std::vector<double> evals;
  for (const auto& run : runs) {
    EXPECT_EQ(run.status, RunStatus::Finished);
    EXPECT_EQ(run.name, "try-s" + std::to_string(*run.seed));
    seeds.insert(*run.seed);
    evals.push_back(store.summaries({run.id}, "eval/mean_return", 0).at(0).last.value);
    EXPECT_TRUE(contains(out.text, run.name)) << out.text;
  }
  EXPECT_EQ(seeds, (std::set<int64_t>{1, 2, 3}));
  const auto m = rein::tracker::mean_std(evals);
  char line[128];
  std::snprintf(line, sizeof line, "eval/mean_return over 3 of 3 seeds: %.2f +- %.2f", m.mean,
                m.std);
  EXPECT_TRUE(contains(out.text, line)) << line << "\n" << out.text;
  EXPECT_TRUE(contains(out.text, "rein runs list --tag group:g1")) << out.text;
}

TEST(TrainSeedsCli, CtrlCStopsEverySeedCleanlyAndStartsNoMore) {
  const fs::path dir = fresh_test_dir("seeds_interrupt");
  const std::string db = (dir / "runs.db").string();
  std::vector<std::string> args = short_ppo(db, "2000000");
  args.insert(args.end(), {"--seeds", "1-4", "--jobs", "2", "--group", "stop"});
  // The combined progress line (every 5 s in a pipe) shows both seeds are training.
  const auto out = rein_process(args, {.trigger = "2 running", .signal = SIGINT});
  EXPECT_EQ(out.status, 0) << out.text;
  rein::tracker::Store store(db);
  const auto runs = store.list_runs({.tag = "group:stop"});
  ASSERT_EQ(runs.size(), 2u) << out.text;  // seeds 3 and 4 never started
  for (const auto& run : runs) EXPECT_EQ(run.status, RunStatus::Interrupted) << run.name;
  EXPECT_TRUE(contains(out.text, "not started")) << out.text;
  EXPECT_TRUE(contains(out.text, "interrupted: resume a seed with rein train --resume"))
      << out.text;
}

TEST(TrainSeedsCli, AFailingSeedShowsItsErrorAndStartsNoMore) {
  const fs::path dir = fresh_test_dir("seeds_fail");
  const std::string db = (dir / "runs.db").string();
  std::vector<std::string> args = short_ppo(db, "512");
  args.insert(args.end(), {"--seeds", "1-3", "--jobs", "1", "--set", "n_step=3"});
  const auto out = rein_process(args);
  EXPECT_NE(out.status, 0) << out.text;
  EXPECT_TRUE(contains(out.text, "seed 1 failed (exit 1)")) << out.text;
  EXPECT_TRUE(contains(out.text, "did you mean 'n_steps'")) << out.text;
  EXPECT_TRUE(contains(out.text, "1 of 3 seeds failed")) << out.text;
}

TEST(TrainSeedsCli, BadSeedListsAreRefusedBeforeAnythingRuns) {
  const fs::path dir = fresh_test_dir("seeds_bad");
  const std::string db = (dir / "runs.db").string();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"3-1", "runs backwards"},
      {"1,x", "'x' is not a seed or a range"},
      {"1,1", "seed 1 is listed twice"},
      {"1-", "'1-' is not a seed or a range"}};
  for (const auto& [list, message] : cases) {
    std::vector<std::string> args = short_ppo(db, "512");
    args.insert(args.end(), {"--seeds=" + list});
    const auto out = rein_process(args);
    EXPECT_NE(out.status, 0) << list;
    EXPECT_TRUE(contains(out.text, message)) << list << ": " << out.text;
  }
  std::vector<std::string> both = short_ppo(db, "512");
  both.insert(both.end(), {"--seeds", "1-2", "--seed", "3"});
  EXPECT_TRUE(contains(rein_process(both).text, "either --seed N or --seeds LIST"));
  std::vector<std::string> jobs = short_ppo(db, "512");
  jobs.insert(jobs.end(), {"--seeds", "1-2", "--jobs", "0"});
  EXPECT_TRUE(contains(rein_process(jobs).text, "--jobs must be 1 to "));
  // --jobs 100000 started up to 100,000 training processes at once.
  std::vector<std::string> many = short_ppo(db, "512");
  many.insert(many.end(), {"--seeds", "1-2", "--jobs", "100000"});
  const auto too_many = rein_process(many);
  EXPECT_NE(too_many.status, 0);
  EXPECT_TRUE(contains(too_many.text, "per core on this machine")) << too_many.text;
  EXPECT_FALSE(fs::exists(db));  // no run was recorded
}

}  // namespace
