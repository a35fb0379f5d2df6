// The tracker on PostgreSQL, against a real server this binary starts (postgres_server.h): the
// store and writer round trip, sweeps, schema versions, bad URLs, and the reliability tests the
// SQLite store has (kill -9 of a writer, eight writer processes, the server stopped mid-run).
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <functional>
#include <memory>

#include "tests/tracker/child_process.h"
#include "tests/tracker/postgres_server.h"
#include "tests/tracker/temp_dir.h"
#include "tests/tracker/writer_cases.h"
#include "tracker/run_writer.h"
#include "tracker/store.h"
#include "tracker/sweep_store.h"
#include "tracker/sync.h"

namespace rein::tracker {
namespace {

using testing::expect_prefix;
using testing::run_spec;
using testing::spawn;
using testing::wait_exit;

using testing::PostgresServer;

// One server for the whole binary, started before the first test.
std::unique_ptr<PostgresServer> g_server;
std::string g_server_error;

class ServerEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    try {
      g_server = std::make_unique<PostgresServer>();
    } catch (const std::exception& e) {
      g_server_error = e.what();
    }
  }
  void TearDown() override { g_server.reset(); }
};

const auto* const g_environment = ::testing::AddGlobalTestEnvironment(new ServerEnvironment);

class Postgres : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(g_server) << "could not start a PostgreSQL server for the tests: "
                          << g_server_error;
    static int counter = 0;
    url_ = g_server->create_database("t" + std::to_string(++counter));
  }
  std::string url_;
};

void sql(const std::string& url, const std::string& statement) {
  PGconn* conn = PQconnectdb(url.c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  PGresult* res = PQexec(conn, statement.c_str());
  EXPECT_EQ(PQresultStatus(res), PGRES_COMMAND_OK) << PQresultErrorMessage(res);
  PQclear(res);
  PQfinish(conn);
}

std::string open_error(const std::string& url, OpenMode mode = OpenMode::ReadWrite) {
  try {
    Store store(url, {.mode = mode});
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST_F(Postgres, WriterAndStoreRoundTripEverything) {
  std::int64_t id = 0;
  {
    RunSpec spec = run_spec(7);
    spec.params = {{"lr", 0.000123456789012345},
                   {"steps", std::int64_t{50000}},
                   {"norm", true},
                   {"net", std::string("64,64 'quoted'")}};
    spec.tags = {"baseline"};
    spec.command = "rein train ppo CartPole-v1 --db postgres://rein:s3cret@db.example.org/x -q";
    RunWriter w(url_, spec);
    id = w.run_id();
    MetricKey k = w.key("train/episode_return");
    for (std::int64_t step = 0; step < 20000; ++step)
      w.log(k, step, step == 5 ? std::nan("") : static_cast<double>(step % 977));
    w.log("loss", 3, -std::numeric_limits<double>::infinity());
    w.log_param("gamma", 0.99);
    w.add_tag("second");
    w.add_artifact("checkpoint", "/nonexistent/ckpt.bin", 20000);
    w.set_summary("{\"eval\": 1}");
    w.finish(RunStatus::Finished);
  }
  Store store(url_);
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  EXPECT_EQ(store.integrity_check(), "ok");
  std::optional<RunInfo> r = store.run(id);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, RunStatus::Finished);
  EXPECT_EQ(r->name, "ppo-CartPole-v1-s7-" + std::to_string(id));
  EXPECT_EQ(r->seed, 7);
  EXPECT_EQ(r->summary, "{\"eval\": 1}");
  EXPECT_EQ(r->command, "rein train ppo CartPole-v1 --db postgres://rein:***@db.example.org/x -q");
  EXPECT_EQ(r->tags, (std::vector<std::string>{"baseline", "second"}));

  std::vector<Param> params = store.params(id);
  ASSERT_EQ(params.size(), 5u);
  EXPECT_EQ(params[0].key, "gamma");
  EXPECT_EQ(std::get<double>(params[0].value), 0.99);
  EXPECT_EQ(std::get<double>(params[1].value), 0.000123456789012345);  // exact round trip
  EXPECT_EQ(std::get<std::string>(params[2].value), "64,64 'quoted'");
  EXPECT_EQ(std::get<bool>(params[3].value), true);
  EXPECT_EQ(std::get<std::int64_t>(params[4].value), 50000);

  EXPECT_EQ(store.metric_keys(id), (std::vector<std::string>{"loss", "train/episode_return"}));
  auto full = store.series({id}, "train/episode_return", {.max_points = 0});
  ASSERT_EQ(full.size(), 1u);
  ASSERT_EQ(full[0].points.size(), 20000u);
  EXPECT_TRUE(std::isnan(full[0].points[5].value));  // NaN kept as NULL, read back as NaN
  EXPECT_EQ(full[0].points[1000].value, 1000 % 977);
  auto down = store.series({id}, "train/episode_return", {.max_points = 500});
  ASSERT_EQ(down.size(), 1u);
  EXPECT_LE(down[0].points.size(), 500u);
  EXPECT_GT(down[0].points.size(), 100u);
  EXPECT_EQ(down[0].total_points, 20000);
  auto loss = store.series({id}, "loss", {.max_points = 0});
  ASSERT_EQ(loss[0].points.size(), 1u);
  EXPECT_EQ(loss[0].points[0].value, -std::numeric_limits<double>::infinity());

  auto summary = store.summaries({id}, "train/episode_return", 10);
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0].last.step, 19999);
  EXPECT_EQ(summary[0].count, 20000);

  // Filters: params by value, name substring, tags, status.
  RunFilter f;
  f.params = {{"lr", 0.000123456789012345}};
  EXPECT_EQ(store.list_runs(f).size(), 1u);
  f.params = {{"lr", 0.5}};
  EXPECT_EQ(store.list_runs(f).size(), 0u);
  EXPECT_EQ(store.list_runs({.name_contains = std::string("s7-")}).size(), 1u);
  EXPECT_EQ(store.list_runs({.tag = std::string("second")}).size(), 1u);
  EXPECT_EQ(store.resolve_run(r->name).id, id);

  ASSERT_EQ(store.artifacts(id).size(), 1u);
  store.rename_run(id, "renamed");
  EXPECT_EQ(store.run(id)->name, "renamed");
  EXPECT_THROW(store.rename_run(id + 100, "x"), Error);

  WatchCursor cursor = store.watch_cursor();
  {
    RunWriter w(url_, run_spec(8));
    w.log("train/episode_return", 0, 1.5);
    w.finish(RunStatus::Finished);
  }
  WatchUpdate up = store.watch(cursor);
  ASSERT_EQ(up.points.size(), 1u);
  EXPECT_EQ(up.points[0].point.value, 1.5);
  EXPECT_EQ(up.new_runs.size(), 1u);

  store.remove_run(id);
  EXPECT_FALSE(store.run(id));
  GcResult gc = store.gc();
  EXPECT_EQ(gc.orphan_rows, 0);
  EXPECT_EQ(gc.artifacts.size(), 1u);  // detached by rm
}

TEST_F(Postgres, GroupsAndLatestValuesAcrossSeeds) {
  std::vector<std::int64_t> ids;
  for (int seed = 0; seed < 3; ++seed) {
    RunSpec spec = run_spec(seed);
    spec.params = {{"lr", seed < 2 ? 0.1 : 0.2}};
    RunWriter w(url_, spec);
    ids.push_back(w.run_id());
    for (std::int64_t s = 0; s <= 1000; ++s) w.log("r", s, static_cast<double>(seed * 10));
    w.finish(RunStatus::Finished);
  }
  Store store(url_);
  std::vector<GroupSeries> groups = store.group(ids, "r", {.by = "lr"});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].run_ids.size() + groups[1].run_ids.size(), 3u);
  const GroupSeries& pair = groups[0].run_ids.size() == 2 ? groups[0] : groups[1];
  EXPECT_EQ(pair.final_mean, 5.0);  // seeds 0 and 1: finals 0 and 10
  EXPECT_EQ(pair.final_std, 5.0);
  std::vector<LatestValue> latest = store.latest(ids, {"r"});
  ASSERT_EQ(latest.size(), 3u);
  for (const LatestValue& l : latest) EXPECT_EQ(l.point.step, 1000);
}

TEST_F(Postgres, ReopenedRunDropsPointsAfterTheResumeStep) {
  std::int64_t id = 0;
  {
    RunWriter w(url_, run_spec(1));
    id = w.run_id();
    for (std::int64_t s = 0; s < 3000; ++s) w.log("r", s, static_cast<double>(s));
    w.finish(RunStatus::Interrupted);
  }
  {
    RunWriter w(url_, ReopenSpec{.run_id = id, .truncate_after_step = 999});
    EXPECT_EQ(w.dropped_points(), 2000u);
    for (std::int64_t s = 1000; s < 1500; ++s) w.log("r", s, static_cast<double>(s));
    w.finish(RunStatus::Finished);
  }
  Store store(url_);
  EXPECT_EQ(expect_prefix(store, id, "r"), 1500);
}

TEST_F(Postgres, SweepsAndTrials) {
  SweepStore sweeps(url_);
  std::int64_t id = sweeps.create_sweep("quick", "[sweep]\n");
  sweeps.start_trial(id, 0, {{"lr", 0.001}, {"n", std::int64_t{4}}});
  sweeps.add_rung(id, 0, 1000, 12.5);
  sweeps.start_trial(id, 0, {{"lr", 0.002}});  // restarted: rungs cleared
  sweeps.add_rung(id, 0, 2000, 20.0);
  sweeps.end_trial(id, 0, TrialStatus::Complete, 30.0, 4000);
  std::vector<TrialInfo> trials = sweeps.trials(id);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].status, TrialStatus::Complete);
  EXPECT_EQ(trials[0].value, 30.0);
  ASSERT_EQ(trials[0].rungs.size(), 1u);
  EXPECT_EQ(trials[0].rungs[0].first, 2000);
  EXPECT_EQ(sweeps.resolve_sweep("quick").id, id);
  sweeps.set_status(id, SweepStatus::Finished);
  EXPECT_EQ(SweepStore(url_, OpenMode::ReadOnly).list_sweeps()[0].status, SweepStatus::Finished);
}

// Up to `budget` trials, one parameter each.
ProposeTrial budget_of(std::int64_t budget) {
  return [budget](const std::vector<TrialInfo>& trials,
                  std::int64_t number) -> std::optional<std::vector<Param>> {
    if (static_cast<std::int64_t>(trials.size()) >= budget) return std::nullopt;
    return std::vector<Param>{{"x", number * 10}};
  };
}

TEST_F(Postgres, WorkersClaimTrialsUnderLeasesAndTakeOverExpiredOnes) {
  SweepStore sweeps(url_);
  std::int64_t id = sweeps.create_sweep("leases", "[sweep]\n");
  auto a = sweeps.claim_trial(id, "a", 60, budget_of(2));
  auto b = sweeps.claim_trial(id, "b", 0.2, budget_of(2));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->number, 0);
  EXPECT_EQ(b->number, 1);
  EXPECT_FALSE(b->again);
  EXPECT_EQ(std::get<std::int64_t>(b->params[0].value), 10);
  EXPECT_EQ(sweeps.leased_trials(id), 2);
  EXPECT_FALSE(sweeps.claim_trial(id, "c", 60, budget_of(2)));  // budget spent, leases live
  ::usleep(300000);                                             // b's lease expires
  auto c = sweeps.claim_trial(id, "c", 60, budget_of(2));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->number, 1);
  EXPECT_TRUE(c->again);
  EXPECT_EQ(std::get<std::int64_t>(c->params[0].value), 10);
  EXPECT_FALSE(sweeps.renew_lease(id, 1, "b", 60));  // b lost it
  EXPECT_TRUE(sweeps.renew_lease(id, 1, "c", 60));
  sweeps.end_trial(id, 1, TrialStatus::Complete, 1.0, 100);
  EXPECT_FALSE(sweeps.renew_lease(id, 1, "c", 60));  // ended
  EXPECT_TRUE(sweeps.renew_lease(id, 0, "a", -1));   // given back
  auto d = sweeps.claim_trial(id, "d", 60, budget_of(2));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->number, 0);
}

TEST_F(Postgres, AResumeTakesOverOnlyTrialsNoLiveWorkerHolds) {
  SweepStore sweeps(url_);
  std::int64_t id = sweeps.create_sweep("resume", "[sweep]\n");
  ASSERT_TRUE(sweeps.claim_trial(id, "live", 60, budget_of(3)));      // 0: its worker is on it
  ASSERT_TRUE(sweeps.claim_trial(id, "killed", 60, budget_of(3)));    // 1: lease live, holder gone
  ASSERT_TRUE(sweeps.claim_trial(id, "stalled", 0.2, budget_of(3)));  // 2: lease expires
  sweeps.start_trial(id, 3, {{"x", std::int64_t{30}}});  // 3: an old driver's, no lease
  ::usleep(300000);
  const auto gone = [](const std::string& holder) { return holder == "killed"; };
  EXPECT_FALSE(sweeps.take_over_trial(id, 0, "resume", 60, gone));
  EXPECT_TRUE(sweeps.take_over_trial(id, 1, "resume", 60, gone));
  EXPECT_TRUE(sweeps.take_over_trial(id, 2, "resume", 60, gone));
  EXPECT_TRUE(sweeps.take_over_trial(id, 3, "resume", 60, gone));
  EXPECT_TRUE(sweeps.renew_lease(id, 0, "live", 60));
  EXPECT_FALSE(sweeps.renew_lease(id, 1, "killed", 60));
  EXPECT_FALSE(sweeps.renew_lease(id, 2, "stalled", 60));  // stops its copy
  EXPECT_TRUE(sweeps.renew_lease(id, 3, "resume", 60));
  EXPECT_EQ(sweeps.leased_trials(id), 4);
  sweeps.end_trial(id, 0, TrialStatus::Complete, 1.0, 100);
  EXPECT_FALSE(sweeps.take_over_trial(id, 0, "resume", 60, gone));  // ended: kept as it is
  EXPECT_FALSE(sweeps.take_over_trial(id, 9, "resume", 60, gone));  // no such trial
}

TEST_F(Postgres, EightWorkerProcessesClaimEachTrialOnce) {
  { SweepStore create(url_); }
  std::int64_t id = SweepStore(url_).create_sweep("race", "[sweep]\n");
  const std::string url = url_;
  std::vector<pid_t> children;
  for (int p = 0; p < 8; ++p) {
    children.push_back(spawn([&, p] {
      SweepStore sweeps(url);
      const std::string worker = std::to_string(p);  // (not "w" + ...: g++ 12 -Wrestrict)
      while (auto t = sweeps.claim_trial(id, worker, 60, budget_of(40)))
        sweeps.end_trial(id, t->number, TrialStatus::Complete, static_cast<double>(p), 1);
      return 0;
    }));
  }
  for (pid_t c : children) EXPECT_EQ(wait_exit(c), 0);
  std::vector<TrialInfo> trials = SweepStore(url_).trials(id);
  ASSERT_EQ(trials.size(), 40u);
  for (std::size_t i = 0; i < trials.size(); ++i) {
    EXPECT_EQ(trials[i].number, static_cast<std::int64_t>(i));
    EXPECT_EQ(trials[i].status, TrialStatus::Complete);
  }
}

TEST_F(Postgres, SchemaVersionNewerThanThisReinIsRefused) {
  { Store create(url_); }
  sql(url_, "UPDATE rein_schema SET version = 99");
  std::string error = open_error(url_);
  EXPECT_NE(error.find("schema version 99 is newer"), std::string::npos) << error;
  EXPECT_NE(open_error(url_, OpenMode::ReadOnly).find("upgrade rein"), std::string::npos);
}

TEST_F(Postgres, ForeignOrEmptyDatabasesAreRefused) {
  std::string error = open_error(url_, OpenMode::ReadOnly);
  EXPECT_NE(error.find("holds no rein tracker"), std::string::npos) << error;
  sql(url_, "CREATE TABLE runs(x int)");
  error = open_error(url_);
  EXPECT_NE(error.find("not a rein database"), std::string::npos) << error;
}

TEST_F(Postgres, ReadOnlyStoreRefusesWrites) {
  { RunWriter(url_, run_spec(1)).finish(RunStatus::Finished); }
  Store store(url_, {.mode = OpenMode::ReadOnly});
  EXPECT_EQ(store.list_runs().size(), 1u);
  EXPECT_THROW(store.add_tag(1, "x"), Error);
}

TEST_F(Postgres, BadUrlsGiveClearErrorsWithoutThePassword) {
  // A refused port (nothing listens on port 1), with a password that must not be shown.
  std::string error = open_error("postgresql://rein:s3cret@127.0.0.1:1/rein");
  EXPECT_NE(error.find("postgresql://rein:***@127.0.0.1:1/rein"), std::string::npos) << error;
  EXPECT_EQ(error.find("s3cret"), std::string::npos) << error;
  EXPECT_NE(error.find("is the server running"), std::string::npos) << error;
  // A database that does not exist on a running server.
  error = open_error(g_server->url("no_such_db") + "&password=hunter2");
  EXPECT_NE(error.find("no_such_db"), std::string::npos) << error;
  EXPECT_NE(error.find("does not exist"), std::string::npos) << error;
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
  // An unknown host (.invalid never resolves).
  error = open_error("postgres://rein@no-such-host.invalid/rein");
  EXPECT_NE(error.find("no-such-host.invalid"), std::string::npos) << error;
  EXPECT_FALSE(error.empty());
  // The same through the writer.
  EXPECT_THROW(RunWriter("postgresql://rein@127.0.0.1:1/rein", run_spec(1)), Error);
}

TEST_F(Postgres, KillNineKeepsAcknowledgedBatchesAndReadsAsCrashed) {
  testing::expect_kill_nine_keeps_acknowledged_batches(url_);
}

// Every writer interns the same names in a different order.
TEST_F(Postgres, EightProcessesLogConcurrentlyWithoutLoss) {
  testing::expect_concurrent_writers_lose_nothing(url_, 8, 4, 20000, 5000);
}

TEST_F(Postgres, SyncCopiesRunsFromAnSqliteFileOnce) {
  testing::TempDir dir;
  const std::string file = dir.file("offline.db");
  std::int64_t first = 0;
  {
    RunSpec spec = run_spec(3);
    spec.params = {{"lr", 0.0003}, {"env_id", std::string("CartPole-v1")}};
    spec.tags = {"offline"};
    RunWriter w(file, spec);
    first = w.run_id();
    for (std::int64_t s = 0; s < 5000; ++s) w.log("r", s, static_cast<double>(s) * 0.5);
    w.log("loss", 0, std::nan(""));
    w.add_artifact("checkpoint", "/tmp/x.bin", 5000);
    w.finish(RunStatus::Finished);
  }
  { RunWriter(file, run_spec(4)).finish(RunStatus::Failed, "boom"); }
  RunWriter live(file, run_spec(5));  // still running: not copied

  SyncResult r = sync_runs(file, url_);
  EXPECT_EQ(r.copied.size(), 2u);
  EXPECT_EQ(r.still_running.size(), 1u);
  SyncResult again = sync_runs(file, url_);
  EXPECT_EQ(again.copied.size(), 0u);
  EXPECT_EQ(again.already_there.size(), 2u);

  Store src(file, {.mode = OpenMode::ReadOnly});
  Store dst(url_);
  std::vector<RunInfo> runs = dst.list_runs();
  ASSERT_EQ(runs.size(), 2u);
  const RunInfo& copy = runs[1];  // oldest
  RunInfo original = *src.run(first);
  EXPECT_EQ(copy.name, original.name);
  EXPECT_EQ(copy.status, RunStatus::Finished);
  EXPECT_EQ(copy.start_time, original.start_time);
  EXPECT_EQ(copy.tags, original.tags);
  EXPECT_EQ(runs[0].error, "boom");
  ASSERT_EQ(dst.params(copy.id).size(), 2u);
  EXPECT_EQ(std::get<double>(dst.params(copy.id)[1].value), 0.0003);
  ASSERT_EQ(dst.artifacts(copy.id).size(), 1u);
  auto a = src.series({first}, "r", {.max_points = 300});
  auto b = dst.series({copy.id}, "r", {.max_points = 300});
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(a[0].points.size(), b[0].points.size());  // the chunk summaries came along
  for (std::size_t i = 0; i < a[0].points.size(); ++i) {
    EXPECT_EQ(a[0].points[i].step, b[0].points[i].step);
    EXPECT_EQ(a[0].points[i].value, b[0].points[i].value);
  }
  EXPECT_EQ(expect_prefix(dst, copy.id, "r"), 5000);
  EXPECT_EQ(dst.metric_keys(copy.id), (std::vector<std::string>{"loss", "r"}));
  live.finish(RunStatus::Finished);
  EXPECT_EQ(sync_runs(file, url_).copied.size(), 1u);
}

// The server goes away mid-run: flush() fails with a message naming the lost connection, what
// was acknowledged is intact, and once the server is back the writer delivers the rest.
TEST(PostgresServerDown, FlushFailsClearlyAndAcknowledgedDataSurvives) {
  std::unique_ptr<PostgresServer> server;
  try {
    server = std::make_unique<PostgresServer>();
  } catch (const std::exception& e) {
    FAIL() << "could not start a PostgreSQL server: " << e.what();
  }
  std::string url = server->create_database("down");
  RunWriter w(url, run_spec(1), {.flush_interval_ms = 100000});
  for (std::int64_t s = 0; s < 5000; ++s) w.log("r", s, 1.0);
  w.flush();
  server->stop();
  for (std::int64_t s = 5000; s < 6000; ++s) w.log("r", s, 1.0);
  try {
    w.flush();
    ADD_FAILURE() << "flush succeeded with the server stopped";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("lost the connection"), std::string::npos) << msg;
    EXPECT_NE(msg.find(url), std::string::npos) << msg;
  }
  EXPECT_THROW(w.check(), Error);
  server->start();
  {
    Store store(url);
    EXPECT_EQ(expect_prefix(store, w.run_id(), "r"), 5000);
  }
  w.flush();  // reconnects; the buffered points go through
  w.finish(RunStatus::Finished);
  Store store(url);
  EXPECT_EQ(expect_prefix(store, w.run_id(), "r"), 6000);
  EXPECT_EQ(store.run(w.run_id())->status, RunStatus::Finished);
}

}  // namespace
}  // namespace rein::tracker
