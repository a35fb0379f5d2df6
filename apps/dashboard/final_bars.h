// The compare panel's bar chart of final values, computed without a window: per group of runs,
// the IQM (or mean, or median) of the runs' final values with its stratified-bootstrap 95%
// confidence interval as a whisker (tracker/statistics.h, the numbers `rein runs compare`
// prints), laid out in pixels with a y axis that includes zero.
#pragma once

#include <string>
#include <vector>

#include "apps/dashboard/plot_math.h"
#include "apps/dashboard/series.h"
#include "tracker/statistics.h"

namespace rein::dashboard {

enum class BarStatistic { Iqm, Mean, Median };
const char* statistic_name(BarStatistic statistic);  // "IQM", "mean", "median"

// One group's final values, with the env of each run (the bootstrap's strata).
struct BarGroup {
  std::string label;
  int color = 0;
  std::vector<double> finals;
  std::vector<std::string> envs;  // one per final
};

struct FinalBar {
  std::string label;
  int color = 0;
  std::size_t runs = 0;  // finite finals
  double value = 0.0;    // the statistic; NaN when the group has no finite final
  tracker::Interval ci;
  // Pixels (y down), set by layout_bars: the bar spans [x0, x1] between y_base (the zero line)
  // and y_value; the whisker spans y_lo..y_hi at the bar's centre.
  float x0 = 0, x1 = 0, y_base = 0, y_value = 0, y_lo = 0, y_hi = 0;
};

// The statistic and its interval for every group (the costly part: cache it).
std::vector<FinalBar> final_bars(const std::vector<BarGroup>& groups, BarStatistic statistic,
                                 const tracker::BootstrapOptions& options = {});

struct BarAxis {
  Range y;  // data range of the y axis: zero, every value and interval, padded
  std::vector<double> ticks;
  std::vector<std::string> labels;
  std::vector<float> tick_y;  // pixel row of each tick
};

// Places `bars` side by side in the pixel rectangle [lo, hi] (y down): equal slots, each bar
// 60% of its slot. Bars without a value keep their slot but get no height. Returns the y axis.
BarAxis layout_bars(std::vector<FinalBar>& bars, PixelPoint lo, PixelPoint hi);

}  // namespace rein::dashboard
