// Chart geometry: lines per group, bands, the point budget and hover values.
#include "apps/dashboard/chart_model.h"

#include <gtest/gtest.h>

#include <cmath>

#include "apps/dashboard/settings.h"

namespace rein::dashboard {
namespace {

PreparedSeries constant(double value, std::size_t n, double smoothing = 0.0) {
  SeriesData d;
  for (std::size_t i = 0; i < n; ++i) d.append(static_cast<double>(i), 0.0, value);
  PreparedSeries s;
  s.prepare(d, XAxis::Step, 0.0, smoothing);
  return s;
}

TEST(ChartModel, GroupOfRunsGivesMeanLineAndStdBand) {
  const PreparedSeries a = constant(1.0, 1000), b = constant(3.0, 1000);
  const std::vector<ChartGroup> groups = {{"g", 0, {&a, &b}, {"a", "b"}}};
  const AxisMap xm({0, 999}, 0, 100), ym({0, 4}, 400, 0);
  ChartModel m;
  std::vector<ChartLine> out;
  m.build(groups, xm, ym, 100, BandKind::Std, true, out);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_FALSE(out[0].line.empty());
  EXPECT_LE(out[0].line.size(), 100u);
  EXPECT_FLOAT_EQ(out[0].line[10].y, 200.0f);   // mean 2 -> pixel 200
  EXPECT_FLOAT_EQ(out[0].band_lo[10], 300.0f);  // 2 - 1
  EXPECT_FLOAT_EQ(out[0].band_hi[10], 100.0f);  // 2 + 1
  m.build(groups, xm, ym, 100, BandKind::MinMax, true, out);
  EXPECT_FLOAT_EQ(out[0].band_lo[10], 300.0f);  // min 1
  EXPECT_FLOAT_EQ(out[0].band_hi[10], 100.0f);  // max 3
}

TEST(ChartModel, SmoothedSingleRunKeepsTheRawCurveFaintBehind) {
  const PreparedSeries a = constant(2.0, 50, 0.9);
  const std::vector<ChartGroup> groups = {{"a", 3, {&a}, {"a"}}};
  const AxisMap xm({0, 49}, 0, 200), ym({0, 4}, 100, 0);
  ChartModel m;
  std::vector<ChartLine> out;
  m.build(groups, xm, ym, 200, BandKind::Std, true, out);
  EXPECT_EQ(out[0].color, 3);
  EXPECT_EQ(out[0].line.size(), 50u);
  EXPECT_EQ(out[0].raw.size(), 50u);
  m.build(groups, xm, ym, 200, BandKind::Std, false, out);
  EXPECT_TRUE(out[0].raw.empty());
}

TEST(ChartModel, HoverGivesEveryRunsValueAndTheGroupMean) {
  const PreparedSeries a = constant(1.0, 100), b = constant(3.0, 100);
  const std::vector<ChartGroup> groups = {{"g", 0, {&a, &b}, {"a", "b"}}};
  const AxisMap xm({0, 99}, 0, 100), ym({0, 4}, 400, 0);
  ChartModel m;
  std::vector<ChartLine> out;
  m.build(groups, xm, ym, 100, BandKind::Std, true, out);
  std::vector<HoverValue> hv;
  ChartModel::hover(groups, out, xm, 40.2, hv);
  ASSERT_EQ(hv.size(), 3u);
  EXPECT_TRUE(hv[0].is_group);
  EXPECT_DOUBLE_EQ(hv[0].y, 2.0);
  EXPECT_DOUBLE_EQ(hv[0].std, 1.0);
  EXPECT_EQ(hv[1].label, "a");
  EXPECT_DOUBLE_EQ(hv[1].x, 40.0);  // the stored point nearest the cursor
  EXPECT_DOUBLE_EQ(hv[2].y, 3.0);
}

PreparedSeries points(std::vector<std::pair<double, double>> xy) {
  SeriesData d;
  for (const auto& [x, y] : xy) d.append(x, 0.0, y);
  PreparedSeries s;
  s.prepare(d, XAxis::Step, 0.0, 0.0);
  return s;
}

// Issue 15.7: a final-only eval/mean_return of two runs ending at different steps sat on the
// plot's left and right edges as two dots half cut off; sparse series get markers.
TEST(ChartModel, SparseSeriesGetAMarkerAtEveryPointAndDenseOnesNone) {
  const PreparedSeries a = points({{100000, 460.0}}), b = points({{100352, 158.5}});
  const std::vector<ChartGroup> groups = {{"ppo", 0, {&a}, {"a"}}, {"a2c", 1, {&b}, {"b"}}};
  Range x, y;
  ChartModel::extent(groups, Scale::Linear, x, y);
  const AxisMap xm(x, 100, 500), ym(padded_range(y, 0.05, Scale::Linear), 300, 20);
  ChartModel m;
  std::vector<ChartLine> out;
  m.build(groups, xm, ym, 400, BandKind::Std, true, out);
  ASSERT_EQ(out[0].marks.size(), 1u);
  ASSERT_EQ(out[1].marks.size(), 1u);
  EXPECT_FLOAT_EQ(out[0].marks[0].x, 100.0f);  // on the left edge: drawn whole (plot_widget)
  EXPECT_FLOAT_EQ(out[1].marks[0].x, 500.0f);
  const PreparedSeries dense = constant(1.0, 1000);
  m.build({{"d", 0, {&dense}, {"d"}}}, AxisMap({0, 999}, 0, 400), ym, 400, BandKind::Std, true,
          out);
  EXPECT_TRUE(out[0].marks.empty());
}

TEST(ChartModel, SparseGroupsGetMarkersOnTheMeanWhereARunHasAPoint) {
  // Evaluations at steps 0, 50 and 100 of three seeds.
  const PreparedSeries a = points({{0, 1}, {50, 2}, {100, 3}});
  const PreparedSeries b = points({{0, 3}, {50, 4}, {100, 5}});
  const std::vector<ChartGroup> groups = {{"g", 0, {&a, &b}, {"a", "b"}}};
  const AxisMap xm({0, 100}, 0, 200), ym({0, 10}, 100, 0);
  ChartModel m;
  std::vector<ChartLine> out;
  m.build(groups, xm, ym, 200, BandKind::Std, true, out);
  ASSERT_EQ(out[0].marks.size(), 3u);
  EXPECT_FLOAT_EQ(out[0].marks[0].y, 80.0f);  // mean 2
  EXPECT_FLOAT_EQ(out[0].marks[1].y, 70.0f);  // mean 3
  EXPECT_FLOAT_EQ(out[0].marks[2].y, 60.0f);  // mean 4, in the last column
}

// Issue 15.7 / the README screenshot's clipped band: mean + std of 500, 500, 100 is 555, above
// every run's value, so the chart's y extent must take the band in.
TEST(ChartModel, BandExtentReachesBeyondTheRunsValues) {
  const PreparedSeries a = constant(500.0, 100), b = constant(500.0, 100), c = constant(100.0, 100);
  const std::vector<ChartGroup> groups = {{"g", 0, {&a, &b, &c}, {"a", "b", "c"}}};
  Range x, y;
  ChartModel::extent(groups, Scale::Linear, x, y);
  EXPECT_DOUBLE_EQ(y.max, 500.0);
  ChartModel m;
  std::vector<ChartLine> out;
  m.build(groups, AxisMap(x, 0, 100), AxisMap(y, 400, 0), 100, BandKind::Std, true, out);
  const double mean = 1100.0 / 3, sd = std::sqrt((2 * 500.0 * 500 + 100.0 * 100) / 3 - mean * mean);
  EXPECT_NEAR(m.band_extent().max, mean + sd, 1e-3);
  EXPECT_GT(m.band_extent().max, 550.0);
  m.build(groups, AxisMap(x, 0, 100), AxisMap(y, 400, 0), 100, BandKind::MinMax, true, out);
  EXPECT_GT(m.band_extent().min, m.band_extent().max);  // no std band: nothing to widen
}

TEST(ChartModel, ExtentCoversAllSeries) {
  const PreparedSeries a = constant(-1.0, 10), b = constant(5.0, 20);
  Range x, y;
  ChartModel::extent({{"a", 0, {&a}, {}}, {"b", 1, {&b}, {}}}, Scale::Linear, x, y);
  EXPECT_DOUBLE_EQ(x.max, 19.0);
  EXPECT_DOUBLE_EQ(y.min, -1.0);
  EXPECT_DOUBLE_EQ(y.max, 5.0);
  ChartModel::extent({{"a", 0, {&a}, {}}, {"b", 1, {&b}, {}}}, Scale::Log10, x, y);
  EXPECT_DOUBLE_EQ(y.min, 5.0);  // only positive values count on a log axis
}

TEST(Settings, RoundTripThroughJsonAndSurviveGarbage) {
  Settings s;
  s.metrics = {"loss/value", "train/episode_return"};
  s.x_axis = XAxis::RelativeTime;
  s.smoothing = 0.25f;
  s.group_by = "lr";
  s.band = BandKind::MinMax;
  s.log_y = {"loss/value"};
  s.selected_runs = {"a", "b"};
  s.hidden_columns = {"Train return"};
  s.smooth_eval = true;
  const Settings r = settings_from_json(to_json(s));
  EXPECT_EQ(r.hidden_columns, s.hidden_columns);
  EXPECT_TRUE(r.smooth_eval);
  EXPECT_EQ(r.metrics, s.metrics);
  EXPECT_EQ(r.x_axis, XAxis::RelativeTime);
  EXPECT_FLOAT_EQ(r.smoothing, 0.25f);
  EXPECT_EQ(r.group_by, "lr");
  EXPECT_EQ(r.band, BandKind::MinMax);
  EXPECT_EQ(r.log_y, s.log_y);
  EXPECT_EQ(r.selected_runs, s.selected_runs);
  const Settings bad = settings_from_json("{not json");
  EXPECT_EQ(bad.group_by, kDefaultGroupBy);
  const Settings wrong_type = settings_from_json(R"({"smoothing": "high", "chart_columns": 9})");
  EXPECT_FLOAT_EQ(wrong_type.smoothing, Settings{}.smoothing);
  EXPECT_EQ(wrong_type.chart_columns, 2);
}

// Issue 15.7: EMA over 6 evaluation points read 247 where their mean was 158.5.
TEST(Settings, EvalMetricsAreNotSmoothedByDefault) {
  Settings s;
  EXPECT_GT(s.smoothing, 0.0f);
  EXPECT_EQ(smoothing_for("train/episode_return", s), s.smoothing);
  EXPECT_EQ(smoothing_for("eval/mean_return", s), 0.0f);
  s.smooth_eval = true;
  EXPECT_EQ(smoothing_for("eval/mean_return", s), s.smoothing);
  EXPECT_EQ(Settings{}.hidden_columns, (std::vector<std::string>{"Experiment", "Tags"}));
}

TEST(LegendPosition, AvoidsAFlatLineAtTheTopAndPrefersTopLeftWhenFree) {
  // A 400 x 300 data area; a line along the top edge (CartPole at 500) covers both top corners.
  ChartLine top;
  for (int x = 0; x <= 400; x += 4) top.line.push_back({static_cast<float>(x), 10.0f});
  const PixelPoint lo{0, 0}, hi{400, 300};
  PixelPoint p = legend_position({top}, lo, hi, 100, 40, 6);
  EXPECT_FLOAT_EQ(p.x, 6.0f);
  EXPECT_FLOAT_EQ(p.y, 300.0f - 6.0f - 40.0f);  // bottom-left

  // Add a curve through the bottom-left corner: bottom-right is the free one.
  ChartLine rising;
  for (int x = 0; x <= 100; ++x) rising.line.push_back({static_cast<float>(x), 290.0f - x});
  p = legend_position({top, rising}, lo, hi, 100, 40, 6);
  EXPECT_FLOAT_EQ(p.x, 400.0f - 6.0f - 100.0f);
  EXPECT_FLOAT_EQ(p.y, 300.0f - 6.0f - 40.0f);

  // Nothing drawn (or only NaN gaps): top-left.
  ChartLine gap;
  gap.line.push_back({10.0f, std::nanf("")});
  p = legend_position({gap}, lo, hi, 100, 40, 6);
  EXPECT_FLOAT_EQ(p.x, 6.0f);
  EXPECT_FLOAT_EQ(p.y, 6.0f);
}

}  // namespace
}  // namespace rein::dashboard
