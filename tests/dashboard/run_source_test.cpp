// RunSource against a real tracker database: rows, on-demand series and live appends.
#include "apps/dashboard/run_source.h"

#include <gtest/gtest.h>

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

TEST(RunSource, RowsCarryParamsStepsAndTheLastReturn) {
  const fs::path db = fresh_db("rows.db");
  {
    tracker::RunWriter w(db.string(), spec("a", 1));
    for (int i = 1; i <= 10; ++i) w.log("train/episode_return", i * 100, i * 2.0);
    w.finish(tracker::RunStatus::Finished);
  }
  RunSource src(db.string());
  src.refresh_rows();
  ASSERT_EQ(src.rows().size(), 1u);
  const RunRow& r = src.rows()[0];
  EXPECT_EQ(r.name, "a");
  EXPECT_EQ(r.status, tracker::RunStatus::Finished);
  EXPECT_EQ(r.steps, 1000);
  EXPECT_DOUBLE_EQ(r.final_return, 20.0);
  EXPECT_EQ(run_value(r, "lr"), "0.001");
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
