// RunWriter reopening a run (rein train --resume): same run, points past the resume step
// dropped, series and chunk summaries continuing as if written in one go, live runs refused.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <tuple>
#include <vector>

#include "tests/tracker/temp_dir.h"
#include "tracker/run_writer.h"
#include "tracker/store.h"

namespace rein::tracker {
namespace {

using testing::TempDir;

RunSpec spec() {
  RunSpec s;
  s.algorithm = "ppo";
  s.env = "CartPole-v1";
  s.seed = 3;
  s.params = {{"lr", 2.5e-4}, {"total_timesteps", std::int64_t{1000}}};
  return s;
}

void exec_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

using ChunkRow = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, double,
                            std::int64_t, double>;

// (seq, first_step, last_step, count, min_value, max_step, max_value) of one run's chunks.
std::vector<ChunkRow> chunk_rows(const std::string& path, std::int64_t run_id) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT seq, first_step, last_step, count, min_value, max_step, max_value "
                     "FROM metric_chunks WHERE run_id = ? ORDER BY key_id, seq",
                     -1, &st, nullptr);
  sqlite3_bind_int64(st, 1, run_id);
  std::vector<ChunkRow> out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    out.emplace_back(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                     sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
                     sqlite3_column_double(st, 4), sqlite3_column_int64(st, 5),
                     sqlite3_column_double(st, 6));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

double wave(std::int64_t step) { return static_cast<double>((step * 37) % 101) - 50.0; }

TEST(RunWriterReopen, ContinuesTheSameRunAfterDroppingPointsPastTheResumeStep) {
  TempDir dir;
  std::string path = dir.file("rein.db");
  std::int64_t id;
  {
    RunWriter w(path, spec());
    id = w.run_id();
    for (int i = 0; i < 100; ++i) w.log("train/sps", i * 10, i);
    w.add_tag("baseline");
    w.add_artifact("checkpoint", "ck-500", 500);
    w.set_summary("{\"old\": 1}");
    w.finish(RunStatus::Interrupted);
  }
  {
    RunWriter w(path, ReopenSpec{.run_id = id, .truncate_after_step = 500});
    EXPECT_EQ(w.run_id(), id);
    EXPECT_EQ(w.run_name(), "ppo-CartPole-v1-s3-" + std::to_string(id));
    EXPECT_EQ(w.dropped_points(), 49u);  // steps 510 ... 990

    Store store(path);
    RunInfo info = *store.run(id);
    EXPECT_EQ(info.status, RunStatus::Running);
    EXPECT_FALSE(info.end_time.has_value());
    EXPECT_EQ(info.tags, std::vector<std::string>{"baseline"});
    EXPECT_EQ(store.params(id).size(), 2u);
    EXPECT_EQ(store.latest({id})[0].point.step, 500);
    EXPECT_EQ(store.latest({id})[0].count, 51);

    w.log_param("total_timesteps", std::int64_t{2000});
    for (int i = 51; i <= 200; ++i) w.log("train/sps", i * 10, i);
    w.finish(RunStatus::Finished);
  }
  Store store(path);
  EXPECT_EQ(store.list_runs().size(), 1u);
  RunInfo info = *store.run(id);
  EXPECT_EQ(info.status, RunStatus::Finished);
  EXPECT_EQ(info.summary, "{\"old\": 1}");
  EXPECT_EQ(store.artifacts(id).size(), 1u);
  for (const Param& p : store.params(id)) {
    if (p.key == "total_timesteps") {
      EXPECT_EQ(std::get<std::int64_t>(p.value), 2000);
    }
  }
  std::vector<Series> s = store.series({id}, "train/sps", {.max_points = 0});
  ASSERT_EQ(s.size(), 1u);
  ASSERT_EQ(s[0].points.size(), 201u);
  for (std::size_t i = 0; i < s[0].points.size(); ++i) {
    EXPECT_EQ(s[0].points[i].step, static_cast<std::int64_t>(i) * 10);
    EXPECT_EQ(s[0].points[i].value, static_cast<double>(i));
  }
}

TEST(RunWriterReopen, ChunkSummariesMatchARunWrittenInOneGo) {
  TempDir dir;
  std::string path = dir.file("rein.db");
  std::int64_t straight, resumed;
  {
    RunWriter w(path, spec());
    straight = w.run_id();
    for (std::int64_t step = 0; step < 10000; ++step)
      w.log("train/episode_return", step, wave(step));
    w.finish(RunStatus::Finished);
  }
  {
    RunWriter w(path, spec());
    resumed = w.run_id();
    // Written up to 1500, but training resumes from a checkpoint at 600: 601 points stay
    // (two whole chunks and 89 points of the third).
    for (std::int64_t step = 0; step <= 1500; ++step)
      w.log("train/episode_return", step, wave(step));
    w.log("eval/mean_return", 1500, 1.0);  // only past the resume step: the series disappears
  }                                        // destroyed without finish(): failed
  {
    RunWriter w(path, ReopenSpec{.run_id = resumed, .truncate_after_step = 600});
    EXPECT_EQ(w.dropped_points(), 901u);
    for (std::int64_t step = 601; step < 10000; ++step)
      w.log("train/episode_return", step, wave(step));
    w.finish(RunStatus::Finished);
  }
  EXPECT_EQ(chunk_rows(path, resumed), chunk_rows(path, straight));
  ASSERT_EQ(chunk_rows(path, resumed).size(), 39u);

  Store store(path);
  EXPECT_EQ(store.metric_keys(resumed), std::vector<std::string>{"train/episode_return"});
  // Few points requested: the reader reduces chunk summaries plus the raw tail.
  for (std::size_t max_points : {20u, 0u}) {
    std::vector<Series> a =
        store.series({straight}, "train/episode_return", {.max_points = max_points});
    std::vector<Series> b =
        store.series({resumed}, "train/episode_return", {.max_points = max_points});
    ASSERT_EQ(a[0].points.size(), b[0].points.size());
    EXPECT_EQ(a[0].total_points, b[0].total_points);
    EXPECT_EQ(a[0].downsampled, b[0].downsampled);
    for (std::size_t i = 0; i < a[0].points.size(); ++i) {
      EXPECT_EQ(a[0].points[i].step, b[0].points[i].step) << i;
      EXPECT_EQ(a[0].points[i].value, b[0].points[i].value) << i;
    }
  }
}

TEST(RunWriterReopen, WithoutTruncationKeepsEveryPointAndASeriesThatWentBackInStep) {
  TempDir dir;
  std::string path = dir.file("rein.db");
  std::int64_t id;
  {
    RunWriter w(path, spec());
    id = w.run_id();
    for (std::int64_t step : {10, 5, 20}) w.log("loss/q", step, static_cast<double>(step));
    w.finish(RunStatus::Finished);
  }
  {
    RunWriter w(path, ReopenSpec{.run_id = id});
    EXPECT_EQ(w.dropped_points(), 0u);
    w.log("loss/q", 30, 30.0);
    w.finish(RunStatus::Finished);
  }
  Store store(path);
  std::vector<Series> s = store.series({id}, "loss/q", {.max_points = 0});
  ASSERT_EQ(s[0].points.size(), 4u);
  std::vector<std::int64_t> steps;
  for (const MetricPoint& p : s[0].points) steps.push_back(p.step);
  EXPECT_EQ(steps, (std::vector<std::int64_t>{5, 10, 20, 30}));
  EXPECT_EQ(store.latest({id})[0].point.step, 30);
  EXPECT_EQ(store.latest({id})[0].count, 4);
}

TEST(RunWriterReopen, RefusesARunThatAnotherWriterStillHolds) {
  TempDir dir;
  std::string path = dir.file("rein.db");
  RunWriter live(path, spec());
  try {
    RunWriter second(path, ReopenSpec{.run_id = live.run_id()});
    FAIL() << "reopened a live run";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is still running"), std::string::npos) << e.what();
  }
  EXPECT_THROW(RunWriter(path, ReopenSpec{.run_id = 999}), Error);
  live.finish(RunStatus::Finished);
}

TEST(RunWriterReopen, ReopensACrashedRun) {
  TempDir dir;
  std::string path = dir.file("rein.db");
  std::int64_t id;
  {
    Store store(path);
    id = store.create_run(spec());  // status running, nobody refreshes the heartbeat
  }
  exec_sql(path, "UPDATE runs SET heartbeat = 0 WHERE id = " + std::to_string(id));
  EXPECT_EQ(Store(path).run(id)->status, RunStatus::Crashed);
  RunWriter w(path, ReopenSpec{.run_id = id, .truncate_after_step = 0});
  EXPECT_EQ(Store(path).run(id)->status, RunStatus::Running);
  w.finish(RunStatus::Finished);
  EXPECT_EQ(Store(path).run(id)->status, RunStatus::Finished);
}

}  // namespace
}  // namespace rein::tracker
