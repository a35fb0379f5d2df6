// RunWriter: points, params, tags and artifacts reach the store; end states; flush semantics.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "tests/tracker/temp_dir.h"
#include "tracker/run_writer.h"
#include "tracker/store.h"

namespace rein::tracker {
namespace {

using testing::TempDir;

RunSpec ppo_spec() {
  RunSpec s;
  s.algorithm = "ppo";
  s.env = "CartPole-v1";
  s.seed = 1;
  s.params = {{"lr", 2.5e-4}};
  return s;
}

std::int64_t count_rows(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
  std::int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

TEST(RunWriter, LoggedPointsReadBackAfterFlush) {
  TempDir dir;
  std::string path = dir.file("rein.db");
  RunWriter w(path, ppo_spec());
  MetricKey ret = w.key("train/episode_return");
  for (int i = 0; i < 100; ++i) w.log(ret, i * 10, i * 0.5);
  w.log("loss/policy", 990, -0.25);
  w.flush();
  EXPECT_EQ(w.committed_points(), 101u);
  EXPECT_EQ(w.logged_points(), 101u);

  Store store(path);
  EXPECT_EQ(store.metric_keys(w.run_id()),
            (std::vector<std::string>{"loss/policy", "train/episode_return"}));
  std::vector<Series> s = store.series({w.run_id()}, "train/episode_return", {.max_points = 0});
  ASSERT_EQ(s.size(), 1u);
  ASSERT_EQ(s[0].points.size(), 100u);
  EXPECT_EQ(s[0].total_points, 100);
  EXPECT_FALSE(s[0].downsampled);
  EXPECT_EQ(s[0].points[7].step, 70);
  EXPECT_EQ(s[0].points[7].value, 3.5);
  EXPECT_GT(s[0].points[7].wall_time, 1.6e9);
  EXPECT_EQ(store.run(w.run_id())->status, RunStatus::Running);
  w.finish(RunStatus::Finished);
}

TEST(RunWriter, LogByNameAndByKeyShareOneSeries) {
  TempDir dir;
  RunWriter w(dir.file("rein.db"), ppo_spec());
  w.log("train/sps", 1, 10);
  w.log(w.key("train/sps"), 2, 20);
  w.finish(RunStatus::Finished);
  Store store(dir.file("rein.db"));
  EXPECT_EQ(store.series({w.run_id()}, "train/sps")[0].points.size(), 2u);
}

TEST(RunWriter, FinishStoresEndStateErrorAndSummary) {
  TempDir dir;
  std::string path = dir.file("rein.db");
  std::int64_t ok, failed, interrupted;
  {
    RunWriter w(path, ppo_spec());
    w.set_summary("{\"eval/mean_return\": 500}");
    w.finish(RunStatus::Finished);
    ok = w.run_id();
    EXPECT_THROW(w.finish(RunStatus::Finished), Error);
    EXPECT_THROW(w.flush(), Error);
  }
  {
    RunWriter w(path, ppo_spec());
    w.finish(RunStatus::Failed, "env returned NaN observation");
    failed = w.run_id();
  }
  {
    RunWriter w(path, ppo_spec());
    EXPECT_THROW(w.finish(RunStatus::Crashed), Error);
    w.finish(RunStatus::Interrupted);
    interrupted = w.run_id();
  }
  Store store(path);
  RunInfo a = *store.run(ok);
  EXPECT_EQ(a.status, RunStatus::Finished);
  EXPECT_EQ(a.summary, "{\"eval/mean_return\": 500}");
  ASSERT_TRUE(a.end_time);
  EXPECT_GE(*a.end_time, a.start_time);
  EXPECT_EQ(store.run(failed)->status, RunStatus::Failed);
  EXPECT_EQ(store.run(failed)->error, "env returned NaN observation");
  EXPECT_EQ(store.run(interrupted)->status, RunStatus::Interrupted);
}

TEST(RunWriter, DestroyedWithoutFinishLeavesFailedRunWithItsPoints) {
  TempDir dir;
  std::int64_t id;
  {
    RunWriter w(dir.file("rein.db"), ppo_spec());
    id = w.run_id();
    for (int i = 0; i < 1000; ++i) w.log("train/episode_return", i, i);
  }
  Store store(dir.file("rein.db"));
  RunInfo r = *store.run(id);
  EXPECT_EQ(r.status, RunStatus::Failed);
  EXPECT_NE(r.error.find("without finish()"), std::string::npos);
  EXPECT_EQ(store.series({id}, "train/episode_return", {.max_points = 0})[0].points.size(), 1000u);
}

TEST(RunWriter, ParamsTagsAndArtifactsLoggedMidRunAreStored) {
  TempDir dir;
  RunWriter w(dir.file("rein.db"), ppo_spec());
  w.log_param("lr", 1e-3);  // replaces the spec's value
  w.log_param("total_steps", std::int64_t{100000});
  w.add_tag("sweep-3");
  w.add_artifact("checkpoint", "ckpt/step-1000.bin", 1000);
  w.flush();
  Store store(dir.file("rein.db"));
  std::vector<Param> p = store.params(w.run_id());
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(std::get<double>(p[0].value), 1e-3);
  EXPECT_EQ(std::get<std::int64_t>(p[1].value), 100000);
  EXPECT_EQ(store.run(w.run_id())->tags, (std::vector<std::string>{"sweep-3"}));
  std::vector<Artifact> a = store.artifacts(w.run_id());
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].kind, "checkpoint");
  EXPECT_EQ(a[0].path, "ckpt/step-1000.bin");
  EXPECT_EQ(a[0].step, 1000);
  w.finish(RunStatus::Finished);
}

TEST(RunWriter, NanAndInfinityValuesSurvive) {
  TempDir dir;
  RunWriter w(dir.file("rein.db"), ppo_spec());
  w.log("loss/value", 1, std::nan(""));
  w.log("loss/value", 2, INFINITY);
  w.log("loss/value", 3, 1.5);
  w.finish(RunStatus::Finished);
  Store store(dir.file("rein.db"));
  auto pts = store.series({w.run_id()}, "loss/value")[0].points;
  ASSERT_EQ(pts.size(), 3u);
  EXPECT_TRUE(std::isnan(pts[0].value));
  EXPECT_EQ(pts[1].value, INFINITY);
  EXPECT_EQ(pts[2].value, 1.5);
}

TEST(RunWriter, KeyFromAnotherWriterIsRejected) {
  TempDir dir;
  RunWriter w(dir.file("rein.db"), ppo_spec());
  EXPECT_THROW(w.log(MetricKey{7}, 0, 1.0), Error);
  w.finish(RunStatus::Finished);
}

TEST(RunWriter, StoresOneChunkSummaryPer256PointsOfASeries) {
  TempDir dir;
  std::string path = dir.file("rein.db");
  RunWriter w(path, ppo_spec());
  MetricKey a = w.key("train/episode_return"), b = w.key("loss/policy");
  // More than one transaction slice (16,384 points), interleaved keys.
  for (int i = 0; i < 100000; ++i) {
    w.log(a, i, std::sin(i * 0.01));
    if (i % 2 == 0) w.log(b, i, -i);
  }
  w.finish(RunStatus::Finished);
  EXPECT_EQ(count_rows(path, "SELECT count(*) FROM metrics"), 150000);
  EXPECT_EQ(count_rows(path, "SELECT count(*) FROM metric_chunks"), 100000 / 256 + 50000 / 256);
  EXPECT_EQ(count_rows(path, "SELECT sum(count) FROM metric_series"), 150000);
}

TEST(RunWriter, BackgroundThreadFlushesWithoutBeingAsked) {
  TempDir dir;
  RunWriter w(dir.file("rein.db"), ppo_spec(), {.flush_interval_ms = 20});
  w.log("train/sps", 1, 1.0);
  // Wait for the periodic flush; the deadline only guards against a hang.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (w.committed_points() < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(w.committed_points(), 1u);
  Store store(dir.file("rein.db"));
  EXPECT_EQ(store.latest({w.run_id()}).size(), 1u);
  w.finish(RunStatus::Finished);
}

TEST(RunWriter, LogsFromSeveralThreadsAtOnce) {
  TempDir dir;
  RunWriter w(dir.file("rein.db"), ppo_spec());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&w, t] {
      std::string key = "thread/" + std::to_string(t);
      for (int i = 0; i < 5000; ++i) w.log(key, i, t);
    });
  }
  for (auto& th : threads) th.join();
  w.finish(RunStatus::Finished);
  Store store(dir.file("rein.db"));
  std::vector<LatestValue> latest = store.latest({w.run_id()});
  ASSERT_EQ(latest.size(), 4u);
  for (const LatestValue& l : latest) EXPECT_EQ(l.count, 5000);
}

}  // namespace
}  // namespace rein::tracker
