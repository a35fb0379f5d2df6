// `rein sweep` end to end on examples/sweeps/quick.toml: trials, runs and pruning in the
// tracker, `sweep show --json`, a driver killed with kill -9 resumed without losing or repeating
// a finished trial, and a bad spec refused before anything runs.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/rl/rein_process.h"
#include "tracker/store.h"
#include "tracker/sweep_store.h"

namespace {

namespace fs = std::filesystem;
using rein::test_support::fresh_test_dir;
using rein::test_support::rein_process;
using rein::tracker::TrialStatus;

std::string quick_spec() {
  std::ifstream in(std::string(REIN_SOURCE_DIR) + "/examples/sweeps/quick.toml");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every trial's runs (by trial tag) in `db`.
std::map<int64_t, std::vector<rein::tracker::RunInfo>> runs_by_trial(const std::string& db,
                                                                     int64_t sweep, int64_t n) {
  rein::tracker::Store store(db);
  std::map<int64_t, std::vector<rein::tracker::RunInfo>> out;
  for (int64_t t = 0; t < n; ++t)
    out[t] = store.list_runs({.tag = rein::tracker::trial_tag(sweep, t)});
  return out;
}

TEST(SweepCli, TooManyJobsAreRefusedBeforeTheSweepIsRecorded) {
  // jobs = 1000000000 in a spec started training processes until memory ran out, after
  // recording the sweep.
  const fs::path dir = fresh_test_dir("sweep_jobs");
  const std::string db = (dir / "sweeps.db").string();
  const std::string spec = (dir / "jobs.toml").string();
  std::string text = quick_spec();
  const size_t at = text.find("jobs = 2");
  ASSERT_NE(at, std::string::npos);
  std::ofstream(spec) << text.replace(at, 8, "jobs = 1000000000");
  const auto out = rein_process({"sweep", spec, "--db", db});
  EXPECT_NE(out.status, 0);
  EXPECT_NE(out.text.find("the spec's jobs must be 1 to "), std::string::npos) << out.text;
  EXPECT_FALSE(fs::exists(db)) << "no sweep is recorded for a spec that is refused";
  const auto flag =
      rein_process({"sweep", (dir / "jobs.toml").string(), "--jobs", "0", "--db", db});
  EXPECT_NE(flag.text.find("sweep: --jobs must be 1 to "), std::string::npos) << flag.text;
}

TEST(SweepCli, TheQuickSpecRunsEveryTrialWithItsSeedsAndShowsThem) {
  const fs::path dir = fresh_test_dir("sweep_quick");
  const std::string db = (dir / "s.db").string();
  const auto out = rein_process(
      {"sweep", std::string(REIN_SOURCE_DIR) + "/examples/sweeps/quick.toml", "--db", db});
  ASSERT_EQ(out.status, 0) << out.text;
  EXPECT_NE(out.text.find("sweep 1 finished"), std::string::npos) << out.text;

  rein::tracker::SweepStore sweeps(db);
  const auto trials = sweeps.trials(1);
  ASSERT_EQ(trials.size(), 8u);
  const auto runs = runs_by_trial(db, 1, 8);
  for (const auto& t : trials) {
    ASSERT_NE(t.status, TrialStatus::Running) << t.number;
    EXPECT_NE(t.status, TrialStatus::Failed) << t.number << "\n" << out.text;
    if (t.status != TrialStatus::Complete) continue;
    ASSERT_EQ(runs.at(t.number).size(), 2u);  // one run per seed
    for (const auto& run : runs.at(t.number))
      EXPECT_EQ(run.status, rein::tracker::RunStatus::Finished);
    ASSERT_TRUE(t.value);
  }

  const auto show = rein_process({"sweep", "show", "1", "--db", db, "--json"}, {});
  ASSERT_EQ(show.status, 0) << show.text;
  const auto j = nlohmann::json::parse(show.text);
  ASSERT_EQ(j["trials"].size(), 8u);
  ASSERT_FALSE(j["best"].empty());
  double previous = 1e300;
  for (const auto& number : j["best"]) {  // best first
    const double v = j["trials"][number.get<size_t>()]["value"].get<double>();
    EXPECT_LE(v, previous);
    previous = v;
  }
  EXPECT_TRUE(j["effects"].contains("learning_rate"));
  EXPECT_TRUE(j["effects"].contains("n_epochs"));
  for (const char* param : {"learning_rate", "n_epochs"}) {
    const auto& rho = j["rank_correlation"][param];
    EXPECT_EQ(rho["trials"].get<size_t>(), j["best"].size()) << param;
    if (j["best"].size() >= 3) {
      EXPECT_GE(rho["spearman"].get<double>(), -1.0) << param;
      EXPECT_LE(rho["spearman"].get<double>(), 1.0) << param;
    }
    for (const auto& level : j["effects"][param]) {
      const double best = level["best"], mean = level["mean"];
      EXPECT_GE(best, mean) << level.dump();  // maximising: the best is at least the mean
    }
  }
  const auto text = rein_process({"sweep", "show", "quick", "--db", db});
  EXPECT_NE(text.text.find("best trials"), std::string::npos) << text.text;
  EXPECT_NE(text.text.find("each parameter's effect"), std::string::npos) << text.text;
  EXPECT_NE(text.text.find("rank correlation of each parameter"), std::string::npos) << text.text;
}

TEST(SweepCli, ADriverKilledWithKill9ResumesWithoutLosingOrRepeatingAFinishedTrial) {
  const fs::path dir = fresh_test_dir("sweep_kill9");
  const std::string db = (dir / "s.db").string();
  const std::string spec = (dir / "kill.toml").string();
  std::ofstream(spec) << quick_spec();
  // The driver dies the moment it starts its third trial: one of the first two has finished
  // (its slot freed) and the third has just begun, so it is certainly running. (Killing at the
  // first " complete:" line left, under load, no trial running: the driver had already judged
  // the others by the time the signal came, and there was nothing to start again.)
  const auto killed =
      rein_process({"sweep", spec, "--db", db}, {.trigger = "trial 3 started:", .signal = SIGKILL});
  ASSERT_EQ(killed.status, 128 + SIGKILL) << killed.text;

  std::map<int64_t, double> finished_before;
  std::map<int64_t, std::set<int64_t>> runs_before;
  {
    rein::tracker::SweepStore sweeps(db);
    EXPECT_EQ(sweeps.resolve_sweep("1").status, rein::tracker::SweepStatus::Running);
    for (const auto& t : sweeps.trials(1))
      if (t.status != TrialStatus::Running) finished_before[t.number] = t.value.value_or(-1);
    ASSERT_FALSE(finished_before.empty()) << killed.text;
    for (const auto& [number, runs] : runs_by_trial(db, 1, 8))
      for (const auto& run : runs) runs_before[number].insert(run.id);
  }
  // Children of a killed driver stop (parent-death signal) rather than train on unobserved.
  const auto resumed = rein_process({"sweep", "resume", "1", "--db", db});
  ASSERT_EQ(resumed.status, 0) << resumed.text;
  EXPECT_NE(resumed.text.find("started again"), std::string::npos) << resumed.text;

  rein::tracker::SweepStore sweeps(db);
  const auto trials = sweeps.trials(1);
  ASSERT_EQ(trials.size(), 8u);  // the budget, not one trial more
  std::set<int64_t> numbers;
  for (const auto& t : trials) {
    numbers.insert(t.number);
    EXPECT_NE(t.status, TrialStatus::Running);
    if (finished_before.count(t.number)) {
      EXPECT_EQ(t.value.value_or(-1), finished_before[t.number]) << "trial " << t.number;
    }
  }
  EXPECT_EQ(numbers.size(), 8u);
  for (const auto& [number, runs] : runs_by_trial(db, 1, 8)) {
    if (!finished_before.count(number)) continue;
    std::set<int64_t> ids;
    for (const auto& run : runs) ids.insert(run.id);
    EXPECT_EQ(ids, runs_before[number]) << "finished trial " << number << " ran again";
  }
  EXPECT_EQ(sweeps.resolve_sweep("1").status, rein::tracker::SweepStatus::Finished);
  // A finished sweep is not resumed twice.
  const auto again = rein_process({"sweep", "resume", "1", "--db", db});
  EXPECT_NE(again.status, 0);
  EXPECT_NE(again.text.find("already finished"), std::string::npos) << again.text;
}

// Two trials of one seed each, long enough that a resume starts while a worker trains.
void write_shared_spec(const std::string& path) {
  std::ofstream(path) << "name = \"shared\"\nalgorithm = \"ppo\"\nenv = \"CartPole-v1\"\n"
                         "strategy = \"random\"\nseeds = 1\ntrials = 2\njobs = 1\n"
                         "[settings]\ntotal_timesteps = 40000\neval_episodes = 5\n"
                         "[params]\n"
                         "learning_rate = { type = \"log_uniform\", low = 1e-4, high = 3e-3 }\n";
}

TEST(SweepCli, AResumeLeavesALiveWorkersTrialToItSoNoTrialRunsTwice) {
  const fs::path dir = fresh_test_dir("sweep_resume_live_worker");
  const std::string db = (dir / "s.db").string();
  const std::string spec = (dir / "shared.toml").string();
  write_shared_spec(spec);
  ASSERT_EQ(rein_process({"sweep", spec, "--create", "--db", db}).status, 0);
  rein::test_support::Output worker;
  std::thread working([&] {
    worker = rein_process({"sweep", "worker", "1", "--jobs", "1", "--db", db});
  });
  // The resume starts once the worker holds trial 0 (its seed trains for a few seconds).
  for (int i = 0; i < 3000 && rein::tracker::SweepStore(db).trials(1).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto resumed = rein_process({"sweep", "resume", "1", "--db", db, "--no-progress"});
  working.join();
  ASSERT_EQ(worker.status, 0) << worker.text;
  ASSERT_EQ(resumed.status, 0) << resumed.text;
  EXPECT_NE(resumed.text.find("trial 0 is running on a live worker"), std::string::npos)
      << resumed.text;
  EXPECT_EQ(resumed.text.find("trial 0 started again"), std::string::npos) << resumed.text;

  rein::tracker::SweepStore sweeps(db);
  const auto trials = sweeps.trials(1);
  ASSERT_EQ(trials.size(), 2u);  // the budget, shared by the worker and the resume
  for (const auto& t : trials) EXPECT_EQ(t.status, TrialStatus::Complete) << t.number;
  for (const auto& [number, runs] : runs_by_trial(db, 1, 2))
    EXPECT_EQ(runs.size(), 1u) << "trial " << number << " ran " << runs.size() << " times\n"
                               << worker.text << resumed.text;
  EXPECT_EQ(sweeps.resolve_sweep("1").status, rein::tracker::SweepStatus::Finished);
}

TEST(SweepCli, AResumeRunsAKilledWorkersTrialAgainWithoutWaitingForItsLease) {
  const fs::path dir = fresh_test_dir("sweep_resume_killed_worker");
  const std::string db = (dir / "s.db").string();
  const std::string spec = (dir / "shared.toml").string();
  write_shared_spec(spec);
  ASSERT_EQ(rein_process({"sweep", spec, "--create", "--db", db}).status, 0);
  // The worker dies as its first trial starts, holding a lease of ten minutes.
  const auto killed =
      rein_process({"sweep", "worker", "1", "--jobs", "1", "--lease", "600", "--db", db},
                   {.trigger = " started:", .signal = SIGKILL});
  ASSERT_EQ(killed.status, 128 + SIGKILL) << killed.text;
  const auto resumed = rein_process({"sweep", "resume", "1", "--db", db, "--no-progress"});
  ASSERT_EQ(resumed.status, 0) << resumed.text;
  // Taken over at once (its process is gone), before any new trial.
  const size_t again = resumed.text.find("trial 0 started again");
  ASSERT_NE(again, std::string::npos) << resumed.text;
  EXPECT_LT(again, resumed.text.find("trial 1 started")) << resumed.text;
  rein::tracker::SweepStore sweeps(db);
  const auto trials = sweeps.trials(1);
  ASSERT_EQ(trials.size(), 2u);
  for (const auto& t : trials) EXPECT_EQ(t.status, TrialStatus::Complete) << t.number;
  EXPECT_EQ(sweeps.resolve_sweep("1").status, rein::tracker::SweepStatus::Finished);
}

// Early stopping with one training process for two seeds per trial: each seed waits at every
// rung (rein train --pause-at) until its trial is judged there, so trials are still stopped early;
// with one process the whole sweep is the same every time, rung values and pruning included.
TEST(SweepCli, EarlyStoppingPrunesWithOneJobAndTheSweepRepeatsExactly) {
  const fs::path dir = fresh_test_dir("sweep_one_job");
  const std::string spec = (dir / "one.toml").string();
  std::ofstream(spec) << "name = \"one\"\nalgorithm = \"ppo\"\nenv = \"CartPole-v1\"\n"
                         "strategy = \"random\"\nseeds = 2\ntrials = 5\njobs = 1\n"
                         "[settings]\ntotal_timesteps = 16384\neval_episodes = 5\n"
                         "[params]\n"
                         "learning_rate = { type = \"log_uniform\", low = 1e-5, high = 3e-2 }\n"
                         "[early_stopping]\nmin_steps = 4096\nreduction_factor = 2\n";
  std::vector<std::vector<rein::tracker::TrialInfo>> sweeps;
  for (const char* name : {"a.db", "b.db"}) {
    const std::string db = (dir / name).string();
    const auto out = rein_process({"sweep", spec, "--db", db});
    ASSERT_EQ(out.status, 0) << out.text;
    sweeps.push_back(rein::tracker::SweepStore(db).trials(1));
    ASSERT_EQ(sweeps.back().size(), 5u);
    size_t pruned = 0;
    const auto runs = runs_by_trial(db, 1, 5);
    for (const auto& t : sweeps.back()) {
      if (t.status != TrialStatus::Pruned) continue;
      ++pruned;
      // Stopped while both seeds were training: neither reached the end.
      ASSERT_EQ(runs.at(t.number).size(), 2u) << out.text;
      for (const auto& run : runs.at(t.number))
        EXPECT_EQ(run.status, rein::tracker::RunStatus::Interrupted) << t.number;
      EXPECT_LT(t.steps, 2 * 16384) << t.number;
    }
    EXPECT_GE(pruned, 1u) << out.text;
  }
  for (size_t i = 0; i < 5; ++i) {
    const auto &a = sweeps[0][i], &b = sweeps[1][i];
    EXPECT_EQ(a.status, b.status) << i;
    EXPECT_EQ(a.value, b.value) << i;
    EXPECT_EQ(a.rungs, b.rungs) << i;
    ASSERT_EQ(a.params.size(), b.params.size()) << i;
    for (size_t k = 0; k < a.params.size(); ++k)
      EXPECT_TRUE(a.params[k].value == b.params[k].value);
  }
}

TEST(SweepCli, ABadSpecIsRefusedBeforeAnythingRuns) {
  const fs::path dir = fresh_test_dir("sweep_bad");
  const std::string db = (dir / "s.db").string();
  const std::string spec = (dir / "bad.toml").string();
  std::ofstream(spec) << "algorithm = \"ppo\"\nenv = \"CartPole-v1\"\ntrials = 2\n[params]\n"
                         "lr = { type = \"uniform\", low = 1, high = 0 }\n";
  const auto out = rein_process({"sweep", spec, "--db", db});
  EXPECT_NE(out.status, 0);
  EXPECT_NE(out.text.find("'params.lr' needs low < high"), std::string::npos) << out.text;
  EXPECT_FALSE(fs::exists(db));
  const auto missing = rein_process({"sweep", (dir / "nope.toml").string(), "--db", db});
  EXPECT_NE(missing.text.find("cannot read"), std::string::npos) << missing.text;
  const auto none = rein_process({"sweep", "show", "7", "--db", db});
  EXPECT_NE(none.status, 0);

  // A setting every trial fails with stops the sweep after its first trials, not the budget.
  std::ofstream(spec) << "algorithm = \"ppo\"\nenv = \"CartPole-v1\"\ntrials = 20\njobs = 2\n"
                         "[settings]\nn_step = 64\n[params]\n"
                         "learning_rate = { type = \"log_uniform\", low = 1e-4, high = 1e-2 }\n";
  const auto failing = rein_process({"sweep", spec, "--db", db});
  EXPECT_NE(failing.status, 0);
  EXPECT_NE(failing.text.find("did you mean 'n_steps'"), std::string::npos) << failing.text;
  EXPECT_NE(failing.text.find("its first trials all failed"), std::string::npos) << failing.text;
  EXPECT_LE(rein::tracker::SweepStore(db).trials(1).size(), 2u) << failing.text;
}

}  // namespace
