// Reader queries over metrics: downsampling that keeps extremes (through chunk summaries and
// raw points), zoom ranges, latest values, seed groups with mean and std, and watch cursors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "tests/tracker/temp_dir.h"
#include "tracker/run_writer.h"
#include "tracker/store.h"

namespace rein::tracker {
namespace {

using testing::TempDir;

RunSpec run_spec(std::int64_t seed, double lr = 1e-3) {
  RunSpec s;
  s.algorithm = "ppo";
  s.env = "CartPole-v1";
  s.seed = seed;
  s.params = {{"lr", lr}, {"seed", seed}};
  return s;
}

// A noisy wave with one spike up and one down, the points a plot must not lose.
double wave(std::int64_t i) {
  if (i == 123457) return 1000.0;
  if (i == 654321) return -1000.0;
  return std::sin(static_cast<double>(i) * 1e-4) + 0.01 * static_cast<double>((i * 7919) % 13);
}

class LongSeries : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    RunWriter w(dir_->file("rein.db"), run_spec(1));
    MetricKey k = w.key("train/episode_return");
    for (std::int64_t i = 0; i < kPoints; ++i) w.log(k, i * 4, wave(i));
    w.finish(RunStatus::Finished);
    run_id_ = w.run_id();
  }
  static void TearDownTestSuite() { delete dir_; }
  static constexpr std::int64_t kPoints = 800000;
  static TempDir* dir_;
  static std::int64_t run_id_;
};
TempDir* LongSeries::dir_ = nullptr;
std::int64_t LongSeries::run_id_ = 0;

void expect_sorted_real_points(const std::vector<MetricPoint>& pts) {
  for (std::size_t i = 0; i < pts.size(); ++i) {
    ASSERT_EQ(pts[i].step % 4, 0);
    EXPECT_EQ(pts[i].value, wave(pts[i].step / 4)) << "step " << pts[i].step;
    if (i > 0) {
      EXPECT_LE(pts[i - 1].step, pts[i].step);
    }
  }
}

TEST_F(LongSeries, DownsamplesToAtMostMaxPointsKeepingSpikes) {
  Store store(dir_->file("rein.db"));
  std::vector<Series> s = store.series({run_id_}, "train/episode_return", {.max_points = 2000});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_TRUE(s[0].downsampled);
  EXPECT_EQ(s[0].total_points, kPoints);
  EXPECT_LE(s[0].points.size(), 2000u);
  EXPECT_GE(s[0].points.size(), 1500u);
  expect_sorted_real_points(s[0].points);
  auto has = [&](double v) {
    return std::any_of(s[0].points.begin(), s[0].points.end(),
                       [v](const MetricPoint& p) { return p.value == v; });
  };
  EXPECT_TRUE(has(1000.0));
  EXPECT_TRUE(has(-1000.0));
  EXPECT_EQ(s[0].points.front().step, 0);
}

TEST_F(LongSeries, ZoomReturnsOnlyPointsInsideTheRangeWithItsExtremes) {
  Store store(dir_->file("rein.db"));
  SeriesOptions zoom{
      .max_points = 100, .min_step = 123457 * 4 - 1001, .max_step = 123457 * 4 + 5003};
  std::vector<MetricPoint> pts = store.series({run_id_}, "train/episode_return", zoom)[0].points;
  ASSERT_FALSE(pts.empty());
  EXPECT_LE(pts.size(), 100u);
  expect_sorted_real_points(pts);
  for (const MetricPoint& p : pts) {
    EXPECT_GE(p.step, *zoom.min_step);
    EXPECT_LE(p.step, *zoom.max_step);
  }
  EXPECT_TRUE(
      std::any_of(pts.begin(), pts.end(), [](const MetricPoint& p) { return p.value == 1000.0; }));

  SeriesOptions tiny{.max_points = 1000, .min_step = 40, .max_step = 80};
  std::vector<MetricPoint> few = store.series({run_id_}, "train/episode_return", tiny)[0].points;
  ASSERT_EQ(few.size(), 11u);
  EXPECT_EQ(few.front().step, 40);
  EXPECT_EQ(few.back().step, 80);
}

TEST_F(LongSeries, ChunkedDownsamplingMatchesBruteForceExtremesPerBucket) {
  // Over any range, the downsampled maximum equals the true maximum, whichever path served it.
  Store store(dir_->file("rein.db"));
  for (std::int64_t lo : {std::int64_t{0}, std::int64_t{1000001}, std::int64_t{2500000}}) {
    std::int64_t hi = lo + 400000;
    auto down = store
                    .series({run_id_}, "train/episode_return",
                            {.max_points = 100, .min_step = lo, .max_step = hi})[0]
                    .points;
    double true_max = -INFINITY, true_min = INFINITY;
    for (std::int64_t s = (lo + 3) / 4 * 4; s <= hi && s / 4 < kPoints; s += 4) {
      true_max = std::max(true_max, wave(s / 4));
      true_min = std::min(true_min, wave(s / 4));
    }
    double got_max = -INFINITY, got_min = INFINITY;
    for (const MetricPoint& p : down) {
      got_max = std::max(got_max, p.value);
      got_min = std::min(got_min, p.value);
    }
    EXPECT_EQ(got_max, true_max) << "range from " << lo;
    EXPECT_EQ(got_min, true_min) << "range from " << lo;
  }
}

TEST(Series, NonMonotonicStepsStillDownsampleInStepOrder) {
  TempDir dir;
  RunWriter w(dir.file("rein.db"), run_spec(1));
  for (int i = 0; i < 3000; ++i) w.log("eval/mean_return", (i * 37) % 3000, i == 1500 ? 99.0 : 0.0);
  w.finish(RunStatus::Finished);
  Store store(dir.file("rein.db"));
  auto pts = store.series({w.run_id()}, "eval/mean_return", {.max_points = 50})[0].points;
  EXPECT_LE(pts.size(), 50u);
  EXPECT_TRUE(
      std::is_sorted(pts.begin(), pts.end(),
                     [](const MetricPoint& a, const MetricPoint& b) { return a.step < b.step; }));
  EXPECT_TRUE(
      std::any_of(pts.begin(), pts.end(), [](const MetricPoint& p) { return p.value == 99.0; }));
}

TEST(Series, ManyRunsAtOnceSkipRunsWithoutTheKey) {
  TempDir dir;
  std::vector<std::int64_t> ids;
  for (int r = 0; r < 3; ++r) {
    RunWriter w(dir.file("rein.db"), run_spec(r));
    if (r != 1) {
      for (int i = 0; i < 10; ++i) w.log("train/episode_return", i, r);
    }
    w.finish(RunStatus::Finished);
    ids.push_back(w.run_id());
  }
  Store store(dir.file("rein.db"));
  auto s = store.series(ids, "train/episode_return");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].run_id, ids[0]);
  EXPECT_EQ(s[1].run_id, ids[2]);
  EXPECT_TRUE(store.series(ids, "no/such_metric").empty());
}

TEST(Series, LatestGivesLastValueAndCountPerKey) {
  TempDir dir;
  RunWriter w(dir.file("rein.db"), run_spec(1));
  for (int i = 0; i < 10; ++i) w.log("train/episode_return", i * 100, i * 2.0);
  w.log("eval/mean_return", 500, 42.0);
  w.finish(RunStatus::Finished);
  Store store(dir.file("rein.db"));
  auto all = store.latest({w.run_id()});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].key, "eval/mean_return");
  EXPECT_EQ(all[0].point.value, 42.0);
  EXPECT_EQ(all[1].point.step, 900);
  EXPECT_EQ(all[1].point.value, 18.0);
  EXPECT_EQ(all[1].count, 10);
  auto one = store.latest({w.run_id()}, {"train/episode_return"});
  ASSERT_EQ(one.size(), 1u);
}

TEST(Series, SeedsOfOneConfigGroupWithMeanAndStd) {
  TempDir dir;
  std::vector<std::int64_t> ids;
  // Config lr=1e-3: seeds 0, 1, 2 log constant values 0, 1, 2 (mean 1, std sqrt(2/3)).
  // Config lr=3e-4: one seed logging 5.
  for (int seed = 0; seed < 3; ++seed) {
    RunWriter w(dir.file("rein.db"), run_spec(seed));
    for (int i = 0; i <= 100 + seed * 10; ++i) w.log("eval/mean_return", i * 10, seed);
    w.finish(RunStatus::Finished);
    ids.push_back(w.run_id());
  }
  {
    RunWriter w(dir.file("rein.db"), run_spec(0, 3e-4));
    for (int i = 0; i <= 50; ++i) w.log("eval/mean_return", i * 10, 5.0);
    w.finish(RunStatus::Finished);
    ids.push_back(w.run_id());
  }
  Store store(dir.file("rein.db"));
  auto groups = store.group(ids, "eval/mean_return", {.max_points = 11});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].label, "lr=0.001");
  EXPECT_EQ(groups[0].run_ids, (std::vector<std::int64_t>{ids[0], ids[1], ids[2]}));
  ASSERT_EQ(groups[0].steps.size(), 11u);
  EXPECT_EQ(groups[0].steps.front(), 0);
  EXPECT_EQ(groups[0].steps.back(), 1000);  // the shortest seed's last step
  for (std::size_t i = 0; i < groups[0].steps.size(); ++i) {
    EXPECT_DOUBLE_EQ(groups[0].mean[i], 1.0);
    EXPECT_DOUBLE_EQ(groups[0].std[i], std::sqrt(2.0 / 3.0));
  }
  EXPECT_EQ(groups[0].finals, (std::vector<double>{0, 1, 2}));
  EXPECT_DOUBLE_EQ(groups[0].final_mean, 1.0);
  EXPECT_EQ(groups[1].label, "lr=0.0003");
  EXPECT_DOUBLE_EQ(groups[1].final_std, 0.0);

  auto by_algo = store.group(ids, "eval/mean_return", {.by = "algorithm"});
  ASSERT_EQ(by_algo.size(), 1u);
  EXPECT_EQ(by_algo[0].label, "algorithm=ppo");
  EXPECT_EQ(by_algo[0].run_ids.size(), 4u);
}

TEST(Series, WatchReturnsOnlyWhatArrivedSinceTheCursor) {
  TempDir dir;
  std::string path = dir.file("rein.db");
  Store store(path);
  WatchCursor cursor = store.watch_cursor();
  RunWriter w(path, run_spec(1));
  for (int i = 0; i < 5; ++i) w.log("train/episode_return", i, i);
  w.flush();
  WatchUpdate up = store.watch(cursor, {w.run_id()});
  ASSERT_EQ(up.points.size(), 5u);
  EXPECT_EQ(up.points[4].key, "train/episode_return");
  EXPECT_EQ(up.points[4].point.step, 4);
  EXPECT_EQ(up.new_runs, (std::vector<std::int64_t>{w.run_id()}));

  EXPECT_TRUE(store.watch(up.cursor).points.empty());
  EXPECT_TRUE(store.watch(up.cursor).new_runs.empty());

  for (int i = 5; i < 8; ++i) w.log("train/episode_return", i, i);
  w.flush();
  WatchUpdate paged = store.watch(up.cursor, {}, 2);  // at most two points per call
  ASSERT_EQ(paged.points.size(), 2u);
  EXPECT_EQ(paged.points[0].point.step, 5);
  WatchUpdate rest = store.watch(paged.cursor);
  ASSERT_EQ(rest.points.size(), 1u);
  EXPECT_EQ(rest.points[0].point.step, 7);
  EXPECT_TRUE(store.watch(up.cursor, {w.run_id() + 1}).points.empty());
  w.finish(RunStatus::Finished);
}

}  // namespace
}  // namespace rein::tracker
