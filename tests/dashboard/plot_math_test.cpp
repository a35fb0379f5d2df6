// Tick selection, axis mapping and zoom/pan state of the dashboard's plotting widget.
#include "apps/dashboard/plot_math.h"

#include <gtest/gtest.h>

#include <cmath>

namespace rein::dashboard {
namespace {

TEST(NiceStep, PicksOneTwoOrFiveTimesAPowerOfTen) {
  EXPECT_DOUBLE_EQ(nice_step(10.0, 5), 2.0);
  EXPECT_DOUBLE_EQ(nice_step(1.0, 5), 0.2);
  EXPECT_DOUBLE_EQ(nice_step(100.0, 4), 50.0);
  EXPECT_DOUBLE_EQ(nice_step(1e6, 10), 1e5);
  EXPECT_DOUBLE_EQ(nice_step(7.0, 10), 1.0);
  EXPECT_DOUBLE_EQ(nice_step(0.003, 3), 0.001);
}

TEST(NiceStep, FallsBackToOneOnDegenerateInput) {
  EXPECT_DOUBLE_EQ(nice_step(0.0, 5), 1.0);
  EXPECT_DOUBLE_EQ(nice_step(-3.0, 5), 1.0);
  EXPECT_DOUBLE_EQ(nice_step(NAN, 5), 1.0);
  EXPECT_DOUBLE_EQ(nice_step(10.0, 0), 1.0);
}

TEST(LinearTicks, AreMultiplesOfTheStepInsideTheRange) {
  const auto coarse = linear_ticks(-0.3, 1.05, 5);  // 1.35 / 5 = 0.27 -> step 0.5
  ASSERT_EQ(coarse.size(), 3u);
  EXPECT_DOUBLE_EQ(coarse[0], 0.0);
  EXPECT_DOUBLE_EQ(coarse[1], 0.5);
  EXPECT_DOUBLE_EQ(coarse[2], 1.0);
  const auto fine = linear_ticks(-0.3, 1.05, 7);  // 0.19 -> step 0.2
  ASSERT_EQ(fine.size(), 7u);
  EXPECT_NEAR(fine.front(), -0.2, 1e-12);
  EXPECT_NEAR(fine.back(), 1.0, 1e-12);
}

TEST(LinearTicks, IncludeExactZeroAndTheEnds) {
  const auto t = linear_ticks(0.0, 100.0, 5);
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[0], 0.0);
  EXPECT_DOUBLE_EQ(t[5], 100.0);
  EXPECT_FALSE(std::signbit(linear_ticks(-1.0, 1.0, 4)[2]));
}

TEST(LinearTicks, AlwaysGiveTwoLabelsOnANarrowChart) {
  // A narrow chart asks for 2 ticks over [first episode end, last step]: the step 500000 has
  // no multiple inside, and the x axis showed no label at all.
  const auto t = linear_ticks(512.0, 499800.0, 2);
  ASSERT_GE(t.size(), 2u);
  EXPECT_DOUBLE_EQ(t[0], 200000.0);
  EXPECT_DOUBLE_EQ(t[1], 400000.0);
}

TEST(LinearTicks, EmptyForAnEmptyRange) {
  EXPECT_TRUE(linear_ticks(1.0, 1.0, 5).empty());
  EXPECT_TRUE(linear_ticks(2.0, 1.0, 5).empty());
}

TEST(LogTicks, ArePowersOfTenOverManyDecades) {
  const auto t = log_ticks(0.5, 2e4, 10);
  ASSERT_EQ(t.size(), 5u);
  EXPECT_DOUBLE_EQ(t[0], 1.0);
  EXPECT_DOUBLE_EQ(t[4], 1e4);
}

TEST(LogTicks, SkipDecadesWhenThereAreMoreThanTheTarget) {
  const auto t = log_ticks(1.0, 1e12, 4);
  ASSERT_GE(t.size(), 2u);
  EXPECT_LE(t.size(), 5u);
  EXPECT_DOUBLE_EQ(t[0], 1.0);
}

TEST(LogTicks, UseOneTwoFiveWithinADecade) {
  const auto t = log_ticks(1.5, 60.0, 5);
  const std::vector<double> want = {2, 5, 10, 20, 50};
  ASSERT_EQ(t.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(t[i], want[i], 1e-9);
}

TEST(FormatTick, UsesDecimalsOfTheStepAndSuffixesForLargeValues) {
  EXPECT_EQ(format_tick(0.25, 0.05), "0.25");
  EXPECT_EQ(format_tick(3.0, 1.0), "3");
  EXPECT_EQ(format_tick(0.0, 0.1), "0");
  EXPECT_EQ(format_tick(250000.0, 50000.0), "250k");
  EXPECT_EQ(format_tick(1500000.0, 500000.0), "1.5M");
  EXPECT_EQ(format_tick(-2.5, 0.5), "-2.5");
}

// Issue 15.7: one axis read "5000" beside "10k".
TEST(FormatTicks, OneAxisSharesItsSuffixAndDecimals) {
  EXPECT_EQ(format_ticks({0, 5000, 10000, 15000}, 5000),
            (std::vector<std::string>{"0", "5k", "10k", "15k"}));
  EXPECT_EQ(format_ticks({0, 2500, 5000, 7500, 10000}, 2500),
            (std::vector<std::string>{"0", "2.5k", "5.0k", "7.5k", "10.0k"}));
  EXPECT_EQ(format_ticks({500000, 1000000, 1500000}, 500000),
            (std::vector<std::string>{"0.5M", "1.0M", "1.5M"}));
  EXPECT_EQ(format_ticks({0.5, 1.0, 1.5}, 0.5), (std::vector<std::string>{"0.5", "1.0", "1.5"}));
  EXPECT_EQ(format_ticks({-100, 0, 100, 200}, 100),
            (std::vector<std::string>{"-100", "0", "100", "200"}));
}

TEST(AxisMap, MapsLinearDataToPixelsAndBack) {
  const AxisMap x({0.0, 10.0}, 100.0, 300.0);
  EXPECT_DOUBLE_EQ(x.to_pixel(0.0), 100.0);
  EXPECT_DOUBLE_EQ(x.to_pixel(10.0), 300.0);
  EXPECT_DOUBLE_EQ(x.to_pixel(2.5), 150.0);
  EXPECT_DOUBLE_EQ(x.to_data(250.0), 7.5);
}

TEST(AxisMap, FlipsForAScreenYAxis) {
  const AxisMap y({-1.0, 1.0}, 200.0, 0.0);  // bottom edge at pixel 200
  EXPECT_DOUBLE_EQ(y.to_pixel(-1.0), 200.0);
  EXPECT_DOUBLE_EQ(y.to_pixel(1.0), 0.0);
  EXPECT_DOUBLE_EQ(y.to_pixel(0.0), 100.0);
  EXPECT_DOUBLE_EQ(y.to_data(50.0), 0.5);
}

TEST(AxisMap, LogScalePlacesDecadesEvenly) {
  const AxisMap y({1.0, 1000.0}, 300.0, 0.0, Scale::Log10);
  EXPECT_NEAR(y.to_pixel(10.0), 200.0, 1e-9);
  EXPECT_NEAR(y.to_pixel(100.0), 100.0, 1e-9);
  EXPECT_NEAR(y.to_data(150.0), std::sqrt(1000.0), 1e-9);
  EXPECT_TRUE(std::isfinite(y.to_pixel(0.0)));  // clamped, not -inf
  EXPECT_GT(y.to_pixel(-5.0), 300.0);           // below the bottom edge
}

TEST(PaddedRange, WidensDegenerateRanges) {
  const Range r = padded_range({3.0, 3.0}, 0.05, Scale::Linear);
  EXPECT_LT(r.min, 3.0);
  EXPECT_GT(r.max, 3.0);
  const Range z = padded_range({0.0, 0.0}, 0.05, Scale::Linear);
  EXPECT_DOUBLE_EQ(z.min, -0.5);
  EXPECT_DOUBLE_EQ(z.max, 0.5);
  const Range bad = padded_range({NAN, 1.0}, 0.05, Scale::Linear);
  EXPECT_TRUE(bad.valid());
}

TEST(PaddedRange, LogScaleStaysPositive) {
  const Range r = padded_range({-5.0, 100.0}, 0.05, Scale::Log10);
  EXPECT_GT(r.min, 0.0);
  EXPECT_GT(r.max, 100.0);
}

TEST(PlotView, FollowsTheDataUntilTheUserZooms) {
  PlotView v;
  v.set_data_bounds({0, 100}, {0, 10});
  EXPECT_TRUE(v.is_auto());
  EXPECT_DOUBLE_EQ(v.x().max, 100.0);
  v.set_data_bounds({0, 200}, {0, 10});
  EXPECT_DOUBLE_EQ(v.x().max, 200.0);  // live data extends an auto view
  v.zoom_to({150, 50}, {2, 8});        // corners in any order
  EXPECT_FALSE(v.is_auto());
  EXPECT_DOUBLE_EQ(v.x().min, 50.0);
  EXPECT_DOUBLE_EQ(v.x().max, 150.0);
  v.set_data_bounds({0, 400}, {0, 10});
  EXPECT_DOUBLE_EQ(v.x().max, 150.0);  // a zoomed view stays put
  v.reset();
  EXPECT_DOUBLE_EQ(v.x().max, 400.0);
}

TEST(PlotView, IgnoresABoxZoomWithoutArea) {
  PlotView v;
  v.set_data_bounds({0, 100}, {0, 10});
  v.zoom_to({5, 5}, {1, 2});
  EXPECT_TRUE(v.is_auto());
}

TEST(PlotView, PanMovesTheViewAgainstTheDrag) {
  PlotView v;
  v.set_data_bounds({0, 100}, {0, 10});
  v.zoom_to({0, 100}, {0, 10});
  v.pan_pixels(50.0, 0.0, 500.0, 100.0);  // drag right by a tenth of the width
  EXPECT_DOUBLE_EQ(v.x().min, -10.0);
  EXPECT_DOUBLE_EQ(v.x().max, 90.0);
  v.pan_pixels(0.0, 10.0, 500.0, 100.0);  // drag down by a tenth of the height
  EXPECT_NEAR(v.y().min, 1.0, 1e-12);
  EXPECT_NEAR(v.y().max, 11.0, 1e-12);
}

TEST(PlotView, WheelZoomKeepsThePointUnderTheCursor) {
  PlotView v;
  v.set_data_bounds({0, 100}, {0, 10});
  v.zoom_to({0, 100}, {0, 10});
  v.zoom_around(20.0, 5.0, 0.5);
  EXPECT_DOUBLE_EQ(v.x().min, 10.0);
  EXPECT_DOUBLE_EQ(v.x().max, 60.0);
  EXPECT_DOUBLE_EQ(v.y().min, 2.5);
  EXPECT_DOUBLE_EQ(v.y().max, 7.5);
}

TEST(PlotView, LogYZoomsByRatios) {
  PlotView v;
  v.set_y_scale(Scale::Log10);
  v.set_data_bounds({0, 1}, {1, 1e4});
  v.zoom_to({0, 1}, {1, 1e4});
  v.zoom_around(0.5, 100.0, 0.5);
  EXPECT_NEAR(v.y().min, 10.0, 1e-9);
  EXPECT_NEAR(v.y().max, 1000.0, 1e-9);
}

}  // namespace
}  // namespace rein::dashboard
