// RunSource against a real tracker database: rows, on-demand series and live appends.
#include "apps/dashboard/run_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>

#include "tracker/run_writer.h"

namespace rein::dashboard {
namespace {

namespace fs = std::filesystem;

fs::path fresh_db(const char* name) {
  const fs::path dir = fs::path(REIN_BINARY_DIR) / "dashboard_run_source_test";
  fs::create_directories(dir);
  const fs::path db = dir / name;
  fs::remove(db);
  fs::remove(db.string() + "-wal");
  fs::remove(db.string() + "-shm");
  return db;
}

tracker::RunSpec spec(const char* name, std::int64_t seed) {
  tracker::RunSpec s;
  s.name = name;
  s.algorithm = "ppo";
  s.env = "CartPole-v1";
  s.seed = seed;
  s.params = {{"lr", 0.001}, {"seed", seed}};
  return s;
}

// Issue 15.3: the row's returns are the final evaluation (460 here) and the mean of the last
// 100 training episodes, not the last training episode (129).
TEST(RunSource, RowsCarryParamsStepsTheFinalEvalAndTheLastHundredEpisodes) {
  const fs::path db = fresh_db("rows.db");
  {
    tracker::RunWriter w(db.string(), spec("a", 1));
    for (int i = 1; i <= 150; ++i) w.log("train/episode_return", i * 10, i == 150 ? 129.0 : 300.0);
    w.log("eval/mean_return", 1500, 460.0);
    w.finish(tracker::RunStatus::Finished);
    tracker::RunWriter b(db.string(), spec("no-eval", 2));
    b.log("train/episode_return", 10, 7.0);
    b.finish(tracker::RunStatus::Finished);
  }
  RunSource src(db.string());
  src.refresh_rows();
  ASSERT_EQ(src.rows().size(), 2u);
  const RunRow& r = src.rows()[1];  // newest first
  EXPECT_EQ(r.name, "a");
  EXPECT_EQ(r.status, tracker::RunStatus::Finished);
  EXPECT_EQ(r.steps, 1500);
  EXPECT_DOUBLE_EQ(r.eval_return, 460.0);
  EXPECT_DOUBLE_EQ(r.train_return, (99 * 300.0 + 129.0) / 100.0);
  EXPECT_EQ(cell_text(r, RunColumn::EvalReturn), "460.00");
  EXPECT_EQ(run_value(r, "lr"), "0.001");
  EXPECT_TRUE(std::isnan(src.rows()[0].eval_return));  // never evaluated: blank, not 0
  EXPECT_DOUBLE_EQ(src.rows()[0].train_return, 7.0);
}

TEST(RunSource, ReturnsFollowNewPointsOfALiveRun) {
  const fs::path db = fresh_db("live_returns.db");
  tracker::RunWriter w(db.string(), spec("live", 1));
  w.log("train/episode_return", 10, 10.0);
  w.flush();
  RunSource src(db.string());
  src.refresh_rows();
  ASSERT_EQ(src.rows().size(), 1u);
  EXPECT_DOUBLE_EQ(src.rows()[0].train_return, 10.0);
  w.log("train/episode_return", 20, 30.0);
  w.log("eval/mean_return", 20, 55.0);
  w.flush();
  src.refresh_rows();
  EXPECT_DOUBLE_EQ(src.rows()[0].train_return, 20.0);
  EXPECT_DOUBLE_EQ(src.rows()[0].eval_return, 55.0);
  w.finish(tracker::RunStatus::Finished);
}

TEST(RunSource, LongSeriesLoadCoarseFromSummariesThenRefineToFullResolution) {
  const fs::path db = fresh_db("progressive.db");
  const int n = 60000;  // above kQuickLoadPoints, 234 chunks: fewer than max_points / 2
  const int spike = 41234;
  {
    tracker::RunWriter w(db.string(), spec("long", 1));
    for (int i = 0; i < n; ++i)
      w.log("train/episode_return", i, i == spike ? 1000.0 : std::sin(i * 0.01));
    w.log("train/short", 0, 1.0);
    w.finish(tracker::RunStatus::Finished);
  }
  RunSource src(db.string(), 4000);
  src.refresh_rows();
  const std::int64_t id = src.rows()[0].id;
  src.load({id}, "train/episode_return");
  src.load({id}, "train/short");
  const SeriesEntry* coarse = src.series(id, "train/episode_return");
  ASSERT_NE(coarse, nullptr);
  EXPECT_TRUE(coarse->coarse);
  EXPECT_FALSE(src.series(id, "train/short")->coarse);
  EXPECT_LE(coarse->data.size(), static_cast<std::size_t>(2 * (n / 256)));
  EXPECT_GE(coarse->data.size(), static_cast<std::size_t>(n / 256));
  // Summaries keep the extremes: the spike is there before refining.
  EXPECT_EQ(*std::max_element(coarse->data.value.begin(), coarse->data.value.end()), 1000.0f);
  const std::uint64_t generation = coarse->generation;
  EXPECT_TRUE(src.refining());
  EXPECT_TRUE(src.refine(10.0));
  EXPECT_FALSE(src.refining());
  const SeriesEntry* fine = src.series(id, "train/episode_return");
  ASSERT_NE(fine, nullptr);
  EXPECT_FALSE(fine->coarse);
  EXPECT_NE(fine->generation, generation);
  EXPECT_GT(fine->data.size(), 3000u);
  EXPECT_LE(fine->data.size(), 4000u);
  EXPECT_EQ(*std::max_element(fine->data.value.begin(), fine->data.value.end()), 1000.0f);
  EXPECT_EQ(fine->total_points, n);
  EXPECT_FALSE(src.refine(10.0));  // nothing left

  RunSource direct(db.string(), 4000);
  direct.set_progressive(false);
  direct.load({id}, "train/episode_return");
  EXPECT_FALSE(direct.series(id, "train/episode_return")->coarse);
  EXPECT_EQ(direct.series(id, "train/episode_return")->data.size(), fine->data.size());
}

TEST(RunSource, LoadsSeriesOnDemandAndAppendsLivePoints) {
  const fs::path db = fresh_db("live.db");
  tracker::RunWriter w(db.string(), spec("live", 3));
  for (int i = 0; i < 100; ++i) w.log("train/episode_return", i, i);
  w.flush();
  RunSource src(db.string());
  src.refresh_rows();
  const std::int64_t id = w.run_id();
  EXPECT_EQ(src.series(id, "train/episode_return"), nullptr);
  src.load({id}, "train/episode_return");
  const SeriesEntry* e = src.series(id, "train/episode_return");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->data.size(), 100u);
  const std::uint64_t generation = e->generation;

  for (int i = 100; i < 150; ++i) w.log("train/episode_return", i, i);
  w.flush();
  EXPECT_TRUE(src.poll(static_cast<double>(std::time(nullptr))));
  e = src.series(id, "train/episode_return");
  EXPECT_EQ(e->data.size(), 150u);  // appended, not reloaded
  EXPECT_EQ(e->generation, generation);
  EXPECT_DOUBLE_EQ(e->data.step.back(), 149.0);
  EXPECT_FALSE(src.poll(static_cast<double>(std::time(nullptr)), 1e9));  // nothing new
  w.finish(tracker::RunStatus::Finished);
}

TEST(RunSource, MissingDatabaseIsAnError) {
  EXPECT_THROW(RunSource((fs::path(REIN_BINARY_DIR) / "no-such-dir" / "x.db").string()),
               std::runtime_error);
}

}  // namespace
}  // namespace rein::dashboard
