// Final-value bars with bootstrap intervals (final_bars.h).
#include "apps/dashboard/final_bars.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rein::dashboard {

const char* statistic_name(BarStatistic statistic) {
  switch (statistic) {
    case BarStatistic::Mean:
      return "mean";
    case BarStatistic::Median:
      return "median";
    case BarStatistic::Iqm:
      break;
  }
  return "IQM";
}

std::vector<FinalBar> final_bars(const std::vector<BarGroup>& groups, BarStatistic statistic,
                                 const tracker::BootstrapOptions& options) {
  std::vector<FinalBar> bars;
  for (const BarGroup& g : groups) {
    // Strata: the group's envs in order of first appearance.
    std::vector<std::string> envs;
    tracker::Strata strata;
    for (std::size_t i = 0; i < g.finals.size(); ++i) {
      const std::string& env = i < g.envs.size() ? g.envs[i] : std::string();
      const auto k =
          static_cast<std::size_t>(std::find(envs.begin(), envs.end(), env) - envs.begin());
      if (k == envs.size()) {
        envs.push_back(env);
        strata.emplace_back();
      }
      strata[k].push_back(g.finals[i]);
    }
    const tracker::Aggregates a = tracker::aggregate_scores(strata, options);
    const tracker::Estimate& e = statistic == BarStatistic::Mean     ? a.mean
                                 : statistic == BarStatistic::Median ? a.median
                                                                     : a.iqm;
    FinalBar bar;
    bar.label = g.label;
    bar.color = g.color;
    bar.runs = a.runs;
    bar.value = e.value;
    bar.ci = e.ci;
    bars.push_back(std::move(bar));
  }
  return bars;
}

BarAxis layout_bars(std::vector<FinalBar>& bars, PixelPoint lo, PixelPoint hi) {
  Range data{0.0, 0.0};  // the axis always shows zero, where the bars start
  for (const FinalBar& b : bars) {
    for (double v : {b.value, b.ci.lo, b.ci.hi}) {
      if (!std::isfinite(v)) continue;
      data.min = std::min(data.min, v);
      data.max = std::max(data.max, v);
    }
  }
  BarAxis axis;
  axis.y = padded_range(data, 0.08, Scale::Linear);
  // Bars grow from zero: no padding below zero when every value is positive (or above it when
  // every value is negative).
  if (data.min == 0.0 && data.max > 0.0) axis.y.min = 0.0;
  if (data.max == 0.0 && data.min < 0.0) axis.y.max = 0.0;
  const AxisMap ym(axis.y, hi.y, lo.y);
  axis.ticks = linear_ticks(axis.y.min, axis.y.max, 5);
  const double step = axis.ticks.size() > 1 ? axis.ticks[1] - axis.ticks[0] : axis.y.span();
  axis.labels = format_ticks(axis.ticks, step);
  for (double t : axis.ticks) axis.tick_y.push_back(static_cast<float>(ym.to_pixel(t)));
  const float slot = bars.empty() ? 0.0f : (hi.x - lo.x) / static_cast<float>(bars.size());
  const float base = static_cast<float>(ym.to_pixel(0.0));
  for (std::size_t i = 0; i < bars.size(); ++i) {
    FinalBar& b = bars[i];
    const float centre = lo.x + slot * (static_cast<float>(i) + 0.5f);
    b.x0 = centre - 0.3f * slot;
    b.x1 = centre + 0.3f * slot;
    b.y_base = base;
    const bool valued = std::isfinite(b.value);
    b.y_value = valued ? static_cast<float>(ym.to_pixel(b.value)) : base;
    b.y_lo = valued ? static_cast<float>(ym.to_pixel(b.ci.lo)) : base;
    b.y_hi = valued ? static_cast<float>(ym.to_pixel(b.ci.hi)) : base;
  }
  return axis;
}

}  // namespace rein::dashboard
