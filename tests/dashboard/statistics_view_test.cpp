// The dashboard's robust aggregates: the IQM line with its bootstrap band (chart_model.h) and
// the compare panel's final-value bars with intervals (final_bars.h).
#include <gtest/gtest.h>

#include <cmath>

#include "apps/dashboard/chart_model.h"
#include "apps/dashboard/final_bars.h"
#include "apps/dashboard/settings.h"

namespace rein::dashboard {
namespace {

PreparedSeries constant(double value, std::size_t n) {
  SeriesData d;
  for (std::size_t i = 0; i < n; ++i) d.append(static_cast<double>(i), 0.0, value);
  PreparedSeries s;
  s.prepare(d, XAxis::Step, 0.0, 0.0);
  return s;
}

TEST(IqmBand, LineIsTheInterquartileMeanNotTheMean) {
  // Runs at 1, 2, 3 and a lucky 100: IQM 2.5 (the middle two), mean 26.5.
  const PreparedSeries a = constant(1, 200), b = constant(2, 200), c = constant(3, 200),
                       d = constant(100, 200);
  const std::vector<ChartGroup> groups = {{"g", 0, {&a, &b, &c, &d}, {"a", "b", "c", "d"}}};
  const AxisMap xm({0, 199}, 0, 100), ym({0, 4}, 400, 0);
  ChartModel m;
  std::vector<ChartLine> out;
  m.build(groups, xm, ym, 100, BandKind::IqmCi, false, out);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].ci_lo.size(), out[0].band_x.size());
  EXPECT_FLOAT_EQ(out[0].mean[10], 2.5f);
  EXPECT_FLOAT_EQ(out[0].line[10].y, 150.0f);  // 2.5 -> pixel 150
  EXPECT_GE(out[0].ci_lo[10], 1.0f);
  EXPECT_LT(out[0].ci_lo[10], 2.5f);
  EXPECT_GT(out[0].ci_hi[10], 2.5f);
  EXPECT_LE(out[0].ci_hi[10], 100.0f);
  EXPECT_FLOAT_EQ(out[0].band_lo[10], static_cast<float>(ym.to_pixel(out[0].ci_lo[10])));
  // The same data every build: the band does not flicker between frames.
  const float lo = out[0].ci_lo[10];
  m.build(groups, xm, ym, 100, BandKind::IqmCi, false, out);
  EXPECT_EQ(out[0].ci_lo[10], lo);
  // Back to mean ± std: no interval left over.
  m.build(groups, xm, ym, 100, BandKind::Std, false, out);
  EXPECT_TRUE(out[0].ci_lo.empty());
  EXPECT_FLOAT_EQ(out[0].mean[10], 26.5f);
}

TEST(IqmBand, ResamplesRunsWithinEachEnv) {
  // Two envs, each with two runs that agree: every stratified resample has IQM 2.
  const PreparedSeries a = constant(1, 100), b = constant(1, 100), c = constant(3, 100),
                       d = constant(3, 100);
  std::vector<ChartGroup> groups = {
      {"g", 0, {&a, &b, &c, &d}, {"a", "b", "c", "d"}, "", {0, 0, 1, 1}}};
  const AxisMap xm({0, 99}, 0, 50), ym({0, 4}, 400, 0);
  ChartModel m;
  std::vector<ChartLine> out;
  m.build(groups, xm, ym, 50, BandKind::IqmCi, false, out);
  ASSERT_EQ(out[0].ci_lo.size(), 50u);
  for (std::size_t i = 0; i < 50; ++i) {  // sampled and interpolated columns alike
    EXPECT_FLOAT_EQ(out[0].mean[i], 2.0f) << i;
    EXPECT_FLOAT_EQ(out[0].ci_lo[i], 2.0f) << i;
    EXPECT_FLOAT_EQ(out[0].ci_hi[i], 2.0f) << i;
  }
  // One stratum: resamples mix the envs and the interval opens up.
  groups[0].strata.clear();
  m.build(groups, xm, ym, 50, BandKind::IqmCi, false, out);
  EXPECT_LT(out[0].ci_lo[5], 2.0f);
  EXPECT_GT(out[0].ci_hi[5], 2.0f);
}

TEST(IqmBand, IntervalsBetweenSampledColumnsFollowTheData) {
  // Rising runs: the interval is resampled every few columns and interpolated between, so every
  // column has one and it rises with the data.
  auto ramp = [](double offset) {
    SeriesData d;
    for (int i = 0; i <= 400; ++i) d.append(i, 0.0, i / 100.0 + offset);
    PreparedSeries s;
    s.prepare(d, XAxis::Step, 0.0, 0.0);
    return s;
  };
  const PreparedSeries a = ramp(0), b = ramp(1), c = ramp(2);
  const std::vector<ChartGroup> groups = {{"g", 0, {&a, &b, &c}, {"a", "b", "c"}}};
  const AxisMap xm({0, 400}, 0, 200), ym({0, 8}, 400, 0);
  ChartModel m;
  std::vector<ChartLine> out;
  m.build(groups, xm, ym, 200, BandKind::IqmCi, false, out);
  const ChartLine& l = out[0];
  ASSERT_EQ(l.column.size(), 200u);
  for (std::size_t i = 0; i < l.column.size(); ++i) {
    ASSERT_FALSE(std::isnan(l.ci_lo[i])) << i;
    // The IQM of x, x+1, x+2 (three runs: all kept) is x+1; its bootstrap interval lies
    // between the lowest and highest run.
    const double x = l.column[i] * 2.0 / 100.0;
    EXPECT_NEAR(l.mean[i], x + 1.0, 0.03) << i;
    EXPECT_GE(l.ci_lo[i], x - 0.03) << i;
    EXPECT_LE(l.ci_hi[i], x + 2.03) << i;
    EXPECT_LT(l.ci_lo[i], l.mean[i]) << i;
    EXPECT_GT(l.ci_hi[i], l.mean[i]) << i;
  }
}

TEST(IqmBand, HoverReadsTheIqmAndItsInterval) {
  const PreparedSeries a = constant(1, 100), b = constant(3, 100);
  const std::vector<ChartGroup> groups = {{"g", 0, {&a, &b}, {"a", "b"}}};
  const AxisMap xm({0, 99}, 0, 100), ym({0, 4}, 400, 0);
  ChartModel m;
  std::vector<ChartLine> out;
  m.build(groups, xm, ym, 100, BandKind::IqmCi, false, out);
  std::vector<HoverValue> hv;
  ChartModel::hover(groups, out, xm, 40.2, hv);
  ASSERT_EQ(hv.size(), 3u);
  EXPECT_TRUE(hv[0].is_iqm);
  EXPECT_DOUBLE_EQ(hv[0].y, 2.0);   // n=2 trims nothing: the mean
  EXPECT_DOUBLE_EQ(hv[0].lo, 1.0);  // resamples of two runs: {1,1}, {1,3}, {3,3}
  EXPECT_DOUBLE_EQ(hv[0].hi, 3.0);
}

TEST(IqmBand, BandNamesRoundTripThroughSettings) {
  for (BandKind b : {BandKind::Std, BandKind::MinMax, BandKind::IqmCi}) {
    EXPECT_EQ(parse_band(band_name(b)), b);
    Settings s;
    s.band = b;
    EXPECT_EQ(settings_from_json(to_json(s)).band, b);
  }
  EXPECT_EQ(parse_band("ribbon"), BandKind::Std);
}

TEST(FinalBars, StatisticAndIntervalPerGroup) {
  const std::vector<BarGroup> groups = {
      {"lucky", 0, {1, 2, 3, 100}, {"E", "E", "E", "E"}},
      {"none", 1, {NAN}, {"E"}},
      {"two envs", 2, {0, 0, 10, 10}, {"A", "A", "B", "B"}},
  };
  const std::vector<FinalBar> iqm = final_bars(groups, BarStatistic::Iqm, {.resamples = 500});
  ASSERT_EQ(iqm.size(), 3u);
  EXPECT_EQ(iqm[0].label, "lucky");
  EXPECT_EQ(iqm[0].runs, 4u);
  EXPECT_EQ(iqm[0].value, 2.5);
  EXPECT_LE(iqm[0].ci.lo, 2.5);
  EXPECT_GE(iqm[0].ci.hi, 2.5);
  EXPECT_EQ(iqm[1].runs, 0u);
  EXPECT_TRUE(std::isnan(iqm[1].value));
  EXPECT_EQ(iqm[2].color, 2);
  const std::vector<FinalBar> mean = final_bars(groups, BarStatistic::Mean, {.resamples = 500});
  EXPECT_EQ(mean[0].value, 26.5);
  EXPECT_EQ(mean[2].value, 5);
  EXPECT_EQ(mean[2].ci.lo, 5);  // resampled within each env: always two 0s and two 10s
  EXPECT_EQ(mean[2].ci.hi, 5);
  EXPECT_EQ(final_bars(groups, BarStatistic::Median, {.resamples = 500})[0].value, 2.5);
  EXPECT_STREQ(statistic_name(BarStatistic::Iqm), "IQM");
}

TEST(FinalBars, LayoutStartsBarsAtZeroWithWhiskersAtTheIntervals) {
  std::vector<FinalBar> bars(3);
  bars[0].value = 50;
  bars[0].ci = {40, 60};
  bars[1].value = 100;
  bars[1].ci = {80, 120};
  bars[2].value = NAN;  // a group without finals keeps its slot
  const BarAxis axis = layout_bars(bars, {0, 0}, {300, 100});
  EXPECT_EQ(axis.y.min, 0.0);           // all positive: no padding below zero
  EXPECT_DOUBLE_EQ(axis.y.max, 129.6);  // 120 + 8% of 120
  const auto px = [&](double v) { return static_cast<float>(100.0 - v / 129.6 * 100.0); };
  EXPECT_FLOAT_EQ(bars[0].x0, 20.0f);  // slot 0..100, bar 60% of it
  EXPECT_FLOAT_EQ(bars[0].x1, 80.0f);
  EXPECT_FLOAT_EQ(bars[1].x0, 120.0f);
  EXPECT_FLOAT_EQ(bars[0].y_base, 100.0f);
  EXPECT_FLOAT_EQ(bars[0].y_value, px(50));
  EXPECT_FLOAT_EQ(bars[1].y_lo, px(80));
  EXPECT_FLOAT_EQ(bars[1].y_hi, px(120));
  EXPECT_FLOAT_EQ(bars[2].y_value, bars[2].y_base);  // no height
  ASSERT_EQ(axis.ticks.size(), axis.labels.size());
  ASSERT_EQ(axis.ticks.size(), axis.tick_y.size());
  EXPECT_EQ(axis.ticks.front(), 0.0);
  EXPECT_EQ(axis.labels.front(), "0");

  // Negative returns (Acrobot): bars hang from zero at the top.
  std::vector<FinalBar> neg(1);
  neg[0].value = -100;
  neg[0].ci = {-120, -80};
  const BarAxis n = layout_bars(neg, {0, 0}, {100, 100});
  EXPECT_EQ(n.y.max, 0.0);
  EXPECT_NEAR(neg[0].y_base, 0.0f, 1e-4);  // the top edge
  EXPECT_GT(neg[0].y_value, neg[0].y_base);
}

}  // namespace
}  // namespace rein::dashboard
