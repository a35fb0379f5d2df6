// Smoothing, the min/max pyramid, decimation, hover lookup and band statistics.
#include "apps/dashboard/series.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace rein::dashboard {
namespace {

SeriesData ramp(std::size_t n, double wall0 = 1000.0) {
  SeriesData d;
  for (std::size_t i = 0; i < n; ++i) {
    d.append(static_cast<double>(i), wall0 + 0.5 * static_cast<double>(i), std::sin(0.01 * i));
  }
  return d;
}

TEST(Ema, MatchesTensorBoardsDebiasedAverage) {
  std::vector<float> out;
  ema_smooth(std::vector<float>{1.0f, 2.0f, 3.0f}, 0.5, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_FLOAT_EQ(out[0], 1.0f);             // debiasing: the first value is itself
  EXPECT_FLOAT_EQ(out[1], 1.25f / 0.75f);    // (0.25 + 1) / (1 - 0.25)
  EXPECT_FLOAT_EQ(out[2], 2.125f / 0.875f);  // (0.625 + 1.5) / (1 - 0.125)
}

TEST(Ema, ZeroWeightIsTheIdentityAndSkipsNaN) {
  std::vector<float> out;
  ema_smooth(std::vector<float>{4.0f, NAN, 6.0f}, 0.0, out);
  EXPECT_FLOAT_EQ(out[0], 4.0f);
  EXPECT_TRUE(std::isnan(out[1]));
  EXPECT_FLOAT_EQ(out[2], 6.0f);
}

TEST(MinMaxLod, TopBlockHoldsTheExtremesOfEveryPoint) {
  const SeriesData d = ramp(1000);
  PreparedSeries s;
  s.prepare(d, XAxis::Step, 0.0, 0.0);
  const MinMaxLod& lod = s.lod();
  ASSERT_GE(lod.levels(), 2u);
  const std::size_t k = lod.levels() - 1;
  ASSERT_EQ(lod.level(k).size(), 1u);
  const Block top = lod.level(k).block(0, MinMaxLod::block_size(k));
  EXPECT_EQ(top.count, 1000u);
  EXPECT_FLOAT_EQ(top.min, *std::min_element(d.value.begin(), d.value.end()));
  EXPECT_FLOAT_EQ(top.max, *std::max_element(d.value.begin(), d.value.end()));
  EXPECT_FLOAT_EQ(d.value[top.imin], top.min);
}

TEST(MinMaxLod, AppendingGivesTheSamePyramidAsBuildingAtOnce) {
  const SeriesData full = ramp(777);
  PreparedSeries whole;
  whole.prepare(full, XAxis::Step, 0.0, 0.0);
  SeriesData part;
  PreparedSeries live;
  live.prepare(part, XAxis::Step, 0.0, 0.0);
  for (std::size_t i = 0; i < full.size(); ++i) {
    part.append(full.step[i], full.wall[i], full.value[i]);
    if (i % 37 == 0 || i + 1 == full.size()) live.extend(part);
  }
  ASSERT_EQ(live.lod().levels(), whole.lod().levels());
  for (std::size_t k = 0; k < whole.lod().levels(); ++k) {
    const auto& a = whole.lod().level(k);
    const auto& b = live.lod().level(k);
    ASSERT_EQ(a.size(), b.size()) << "level " << k;
    for (std::size_t j = 0; j < a.size(); ++j) {
      EXPECT_EQ(a.x0[j], b.x0[j]);
      EXPECT_EQ(a.min[j], b.min[j]);
      EXPECT_EQ(a.max[j], b.max[j]);
      EXPECT_EQ(a.imin[j], b.imin[j]);
      EXPECT_EQ(a.imax[j], b.imax[j]);
      EXPECT_EQ(a.count[j], b.count[j]);
      EXPECT_DOUBLE_EQ(a.sum[j], b.sum[j]);
    }
  }
}

TEST(PreparedSeries, RelativeTimeStartsAtTheRunStart) {
  PreparedSeries s;
  s.prepare(ramp(10, 500.0), XAxis::RelativeTime, 490.0, 0.0);
  EXPECT_DOUBLE_EQ(s.x()[0], 10.0);
  EXPECT_DOUBLE_EQ(s.x()[4], 12.0);
  s.prepare(ramp(10, 500.0), XAxis::WallTime, 490.0, 0.0);
  EXPECT_DOUBLE_EQ(s.x()[0], 500.0);
}

TEST(Decimate, SendsAtMostTwoPointsPerPixelColumn) {
  const SeriesData d = ramp(100000);
  PreparedSeries s;
  s.prepare(d, XAxis::Step, 0.0, 0.0);
  const int width = 400;
  const AxisMap xm({0.0, 99999.0}, 10.0, 10.0 + width);
  const AxisMap ym({-1.0, 1.0}, 300.0, 0.0);
  std::vector<Column> scratch;
  std::vector<PixelPoint> out;
  decimate(s.x(), s.y(), s.lod(), xm, ym, width, scratch, out);
  EXPECT_LE(out.size(), static_cast<std::size_t>(2 * width + 4));
  EXPECT_GE(out.size(), static_cast<std::size_t>(width));
  for (const PixelPoint& p : out) {
    EXPECT_GE(p.x, 10.0f);
    EXPECT_LE(p.x, 10.0f + width);
  }
}

TEST(Decimate, KeepsASingleSpike) {
  SeriesData d;
  for (int i = 0; i < 50000; ++i) d.append(i, i, i == 31234 ? 100.0 : 0.0);
  PreparedSeries s;
  s.prepare(d, XAxis::Step, 0.0, 0.0);
  const AxisMap xm({0.0, 49999.0}, 0.0, 200.0);
  const AxisMap ym({0.0, 100.0}, 100.0, 0.0);
  std::vector<Column> scratch;
  std::vector<PixelPoint> out;
  decimate(s.x(), s.y(), s.lod(), xm, ym, 200, scratch, out);
  const auto top = std::min_element(
      out.begin(), out.end(), [](const PixelPoint& a, const PixelPoint& b) { return a.y < b.y; });
  ASSERT_NE(top, out.end());
  EXPECT_FLOAT_EQ(top->y, 0.0f);                        // the spike reaches the top edge
  EXPECT_NEAR(top->x, 31234.0 * 200.0 / 49999.0, 1.0);  // in its own column
}

TEST(Decimate, ColumnExtremesMatchABruteForceScan) {
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  SeriesData d;
  for (int i = 0; i < 30000; ++i) d.append(i, i, noise(rng));
  PreparedSeries s;
  s.prepare(d, XAxis::Step, 0.0, 0.0);
  const int width = 100;
  const AxisMap xm({0.0, 30000.0}, 0.0, width);
  std::vector<Column> cols;
  aggregate_columns(s.x(), s.y(), s.lod(), xm, width, cols);
  ASSERT_EQ(cols.size(), static_cast<std::size_t>(width));
  // Each column covers 300 points; blocks at most a column wide may shift a boundary by less
  // than one block, so compare with the exact scan over the column's own points.
  for (const Column& c : cols) {
    const std::size_t a = c.agg.first;
    const std::size_t b = a + c.agg.count;
    const float mx = *std::max_element(d.value.begin() + a, d.value.begin() + b);
    const float mn = *std::min_element(d.value.begin() + a, d.value.begin() + b);
    EXPECT_EQ(c.agg.max, mx);
    EXPECT_EQ(c.agg.min, mn);
    EXPECT_NEAR(static_cast<double>(a), c.column * 300.0, 300.0);
  }
}

// decimate() and column_values() read the pyramid's arrays directly; aggregate_columns() is the
// plain block-by-block reference they must agree with, at every zoom and with gaps (NaN).
SeriesData noisy_with_gaps(int n) {
  std::mt19937 rng(11);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  SeriesData d;
  for (int i = 0; i < n; ++i) {
    const bool gap = (i / 997) % 7 == 3;  // stretches of NaN, wider than the coarse blocks
    d.append(2.0 * i, i, gap ? NAN : noise(rng));
  }
  return d;
}

TEST(Decimate, DrawsTheColumnsOfTheReferenceAggregation) {
  const SeriesData d = noisy_with_gaps(60000);
  PreparedSeries s;
  s.prepare(d, XAxis::Step, 0.0, 0.0);
  const AxisMap ym({-5.0, 5.0}, 300.0, 0.0);
  for (const Range view : {Range{0.0, 119998.0}, Range{30000.0, 50000.0}, Range{-100.0, 7000.0}}) {
    for (const int width : {97, 400, 1000}) {
      const AxisMap xm(view, 5.0, 5.0 + width);
      std::vector<Column> cols, scratch;
      aggregate_columns(s.x(), s.y(), s.lod(), xm, width, cols);
      std::vector<PixelPoint> out;
      decimate(s.x(), s.y(), s.lod(), xm, ym, width, scratch, out);
      const auto lo = std::lower_bound(s.x().begin(), s.x().end(), view.min) - s.x().begin();
      const auto hi = std::upper_bound(s.x().begin(), s.x().end(), view.max) - s.x().begin();
      if (hi - lo <= 2 * width) continue;  // drawn point for point, not per column
      std::vector<PixelPoint> want;
      if (lo > 0 && std::isfinite(s.y()[lo - 1])) {
        want.push_back({static_cast<float>(xm.to_pixel(s.x()[lo - 1])),
                        static_cast<float>(ym.to_pixel(s.y()[lo - 1]))});
      }
      for (const Column& c : cols) {
        if (c.agg.count == 0) continue;
        const float px = static_cast<float>(xm.to_pixel(view.min)) + c.column + 0.5f;
        const float a = static_cast<float>(ym.to_pixel(c.agg.min));
        const float b = static_cast<float>(ym.to_pixel(c.agg.max));
        if (c.agg.imin == c.agg.imax) {
          want.push_back({px, a});
        } else if (c.agg.imin < c.agg.imax) {
          want.push_back({px, a});
          want.push_back({px, b});
        } else {
          want.push_back({px, b});
          want.push_back({px, a});
        }
      }
      if (static_cast<std::size_t>(hi) < s.size() && std::isfinite(s.y()[hi])) {
        want.push_back({static_cast<float>(xm.to_pixel(s.x()[hi])),
                        static_cast<float>(ym.to_pixel(s.y()[hi]))});
      }
      ASSERT_EQ(out.size(), want.size()) << "width " << width << " view " << view.min;
      for (std::size_t i = 0; i < out.size(); ++i) {
        EXPECT_EQ(out[i].x, want[i].x) << i;
        EXPECT_EQ(out[i].y, want[i].y) << i;
      }
    }
  }
}

TEST(ColumnValues, AreTheMeansOfTheReferenceAggregation) {
  const SeriesData d = noisy_with_gaps(60000);
  PreparedSeries s;
  s.prepare(d, XAxis::Step, 0.0, 0.0);
  const int width = 300;
  const AxisMap xm({20000.0, 90000.0}, 0.0, width);
  std::vector<Column> cols, scratch;
  aggregate_columns(s.x(), s.y(), s.lod(), xm, width, cols);
  std::vector<float> v;
  column_values(s.x(), s.y(), s.lod(), xm, width, scratch, v);
  ASSERT_EQ(v.size(), static_cast<std::size_t>(width));
  int with_points = 0, carried = 0;
  float last = NAN;
  std::size_t k = 0;
  for (int c = 0; c < width; ++c) {
    if (k < cols.size() && cols[k].column == c && cols[k].agg.count > 0) {
      last = static_cast<float>(cols[k].agg.sum / cols[k].agg.count);
      ++with_points;
      EXPECT_EQ(v[static_cast<std::size_t>(c)], last) << c;
    } else if (!std::isnan(last)) {
      ++carried;  // a gap holds the previous column's mean
      EXPECT_EQ(v[static_cast<std::size_t>(c)], last) << c;
    }
    if (k < cols.size() && cols[k].column == c) ++k;
  }
  EXPECT_GT(with_points, 200);
  EXPECT_GT(carried, 10);
}

TEST(Decimate, SparseDataIsDrawnPointForPoint) {
  const SeriesData d = ramp(50);
  PreparedSeries s;
  s.prepare(d, XAxis::Step, 0.0, 0.0);
  const AxisMap xm({10.0, 20.0}, 0.0, 500.0);
  const AxisMap ym({-1.0, 1.0}, 100.0, 0.0);
  std::vector<Column> scratch;
  std::vector<PixelPoint> out;
  decimate(s.x(), s.y(), s.lod(), xm, ym, 500, scratch, out);
  ASSERT_EQ(out.size(), 13u);  // 11 inside plus one beyond each edge
  EXPECT_FLOAT_EQ(out[0].x, -50.0f);
  EXPECT_FLOAT_EQ(out[1].x, 0.0f);
}

TEST(NearestIndex, FindsTheClosestX) {
  const std::vector<double> x = {0, 10, 20, 30};
  EXPECT_EQ(nearest_index(x, -5), 0u);
  EXPECT_EQ(nearest_index(x, 4), 0u);
  EXPECT_EQ(nearest_index(x, 6), 1u);
  EXPECT_EQ(nearest_index(x, 30), 3u);
  EXPECT_EQ(nearest_index(x, 99), 3u);
  EXPECT_EQ(nearest_index({}, 1.0), 0u);
}

TEST(ColumnValues, CarryTheLastValueAndStopAtTheRunsEnd) {
  SeriesData d;
  d.append(0, 0, 1.0);
  d.append(5, 0, 3.0);
  PreparedSeries s;
  s.prepare(d, XAxis::Step, 0.0, 0.0);
  const AxisMap xm({0.0, 10.0}, 0.0, 10.0);
  std::vector<Column> scratch;
  std::vector<float> v;
  column_values(s.x(), s.y(), s.lod(), xm, 10, scratch, v);
  ASSERT_EQ(v.size(), 10u);
  EXPECT_FLOAT_EQ(v[0], 1.0f);
  EXPECT_FLOAT_EQ(v[3], 1.0f);  // carried
  EXPECT_FLOAT_EQ(v[5], 3.0f);
  EXPECT_TRUE(std::isnan(v[6]));  // past the run's last point
}

TEST(BandStats, GiveMeanStdMinAndMaxPerColumn) {
  BandStats b;
  b.reset(3);
  b.add(std::vector<float>{1.0f, 2.0f, NAN});
  b.add(std::vector<float>{3.0f, 2.0f, NAN});
  b.finish();
  EXPECT_FLOAT_EQ(b.mean[0], 2.0f);
  EXPECT_FLOAT_EQ(b.std[0], 1.0f);  // population std over the two runs
  EXPECT_FLOAT_EQ(b.min[0], 1.0f);
  EXPECT_FLOAT_EQ(b.max[0], 3.0f);
  EXPECT_FLOAT_EQ(b.std[1], 0.0f);
  EXPECT_EQ(b.count[2], 0);
  EXPECT_TRUE(std::isnan(b.mean[2]));
}

}  // namespace
}  // namespace rein::dashboard
