// `rein sweep worker` end to end on PostgreSQL (a server the test starts): two workers share
// examples/sweeps/quick.toml; one is killed with kill -9 as its first trial starts, and the other
// runs that trial again once the lease expires, so every trial ends exactly once.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "tests/rl/rein_process.h"
#include "tests/tracker/postgres_server.h"
#include "tracker/sweep_store.h"

namespace {

using rein::test_support::Output;
using rein::test_support::rein_process;
using rein::tracker::TrialStatus;

TEST(SweepWorkerCli, AKilledWorkersTrialIsRunAgainByAnotherAndNoneTwice) {
  std::unique_ptr<rein::tracker::testing::PostgresServer> server;
  try {
    server = std::make_unique<rein::tracker::testing::PostgresServer>();
  } catch (const std::exception& e) {
    FAIL() << "could not start a PostgreSQL server: " << e.what();
  }
  const std::string db = server->create_database("sweeps");
  // With a database URL, checkpoints go to the current directory: a fresh one.
  const std::filesystem::path home = std::filesystem::current_path();
  std::filesystem::current_path(rein::test_support::fresh_test_dir("sweep_workers"));
  struct Back {
    std::filesystem::path to;
    ~Back() { std::filesystem::current_path(to); }
  } back{home};
  const auto created =
      rein_process({"sweep", std::string(REIN_SOURCE_DIR) + "/examples/sweeps/quick.toml",
                    "--create", "--db", db});
  ASSERT_EQ(created.status, 0) << created.text;
  EXPECT_NE(created.text.find("rein sweep worker 1"), std::string::npos) << created.text;

  const std::vector<std::string> worker = {"sweep",   "worker", "1",    "--jobs", "1",
                                           "--lease", "5",      "--db", db};
  Output killed, survivor;
  std::thread a(
      [&] { killed = rein_process(worker, {.trigger = " started:", .signal = SIGKILL}); });
  std::thread b([&] { survivor = rein_process(worker); });
  a.join();
  b.join();
  ASSERT_EQ(killed.status, 128 + SIGKILL) << killed.text;
  ASSERT_EQ(survivor.status, 0) << survivor.text;
  EXPECT_NE(survivor.text.find("started again"), std::string::npos) << survivor.text;
  EXPECT_NE(survivor.text.find("sweep 1 finished"), std::string::npos) << survivor.text;

  rein::tracker::SweepStore sweeps(db);
  const auto trials = sweeps.trials(1);
  ASSERT_EQ(trials.size(), 8u);  // the budget, shared by both workers
  std::set<int64_t> numbers;
  for (const auto& t : trials) {
    numbers.insert(t.number);
    EXPECT_NE(t.status, TrialStatus::Running) << t.number;
    EXPECT_NE(t.status, TrialStatus::Failed) << t.number << "\n" << survivor.text;
  }
  EXPECT_EQ(numbers.size(), 8u);
  EXPECT_EQ(sweeps.list_sweeps()[0].status, rein::tracker::SweepStatus::Finished);
}

}  // namespace
