// What one chart draws in a frame, computed without a window: per group of runs either the
// decimated line of its single run (with the raw curve faint behind a smoothed one) or the mean
// line with a std or min-max band over its runs, all in pixels; and the hover read-out. This is
// the per-frame work the dashboard benchmark measures (apps/bench/dashboard_bench.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apps/dashboard/plot_math.h"
#include "apps/dashboard/series.h"
#include "tracker/statistics.h"

namespace rein::dashboard {

// Std: mean line, mean ± std band. MinMax: mean line, min-max band. IqmCi: interquartile-mean
// line with its stratified-bootstrap 95% confidence band (tracker/statistics.h), the robust
// aggregate of Agarwal et al. (2021) for few seeds.
enum class BandKind { Std, MinMax, IqmCi };

// "std", "minmax", "iqm": the names settings files and --band use.
const char* band_name(BandKind band);
// The kind named `name`; Std for an unknown name.
BandKind parse_band(const std::string& name);

// The IQM band's bootstrap: resamples at each sampled pixel column (seeded, so the band is the
// same every frame), and the columns between samples (interpolated).
inline constexpr std::size_t kChartBootstrapResamples = 500;
inline constexpr std::size_t kIqmIntervalStride = 16;

// A group's runs as prepared series (pointers borrowed for the call), with labels for hover.
struct ChartGroup {
  std::string label;
  int color = 0;  // palette index
  std::vector<const PreparedSeries*> series;
  std::vector<std::string> run_labels;  // one per series
  std::string full_label{};             // uncut label, for the legend's hover ("" = label)
  // The stratum (env) of each series: the IQM band's bootstrap resamples runs within each.
  // Empty: one stratum.
  std::vector<int> strata{};
};

// A series with at most one point per this many pixel columns is sparse (evaluations every
// 10k of 1M steps, a final-only evaluation): its points are drawn as markers, since a line
// alone hides how few there are and a single point would be a dot.
inline constexpr int kSparseColumnsPerPoint = 6;

struct ChartLine {
  std::string label;
  std::string full_label;
  int color = 0;
  std::size_t runs = 0;
  std::vector<PixelPoint> line;  // a NaN y splits the line (a gap where no run has data)
  // Sparse series: a marker at each point (single runs) or at each column where one of the
  // group's runs has a point, on the mean line. Empty for dense series.
  std::vector<PixelPoint> marks;
  std::vector<PixelPoint> raw;  // the unsmoothed curve, drawn faint (single runs only)
  // Groups of several runs: per pixel column x, the band's edges and the line's value with the
  // mean/std, or for IqmCi the IQM and its interval (data units).
  std::vector<float> band_x, band_lo, band_hi;
  std::vector<float> mean, std;
  std::vector<float> ci_lo, ci_hi;  // IqmCi only
  std::vector<int> column;          // pixel column of each band entry
};

struct HoverValue {
  std::string label;
  int color = 0;
  double x = 0.0;
  double y = 0.0;
  double std = -1.0;  // >= 0 for a group's mean
  bool is_group = false;
  bool is_iqm = false;  // a group's IQM (y) with its interval [lo, hi]
  double lo = 0.0, hi = 0.0;
};

// Where a legend box of w x h pixels goes inside the data area [lo, hi] (screen pixels, y down),
// `margin` from its edges: the corner whose box covers the fewest points of the lines, raw
// curves and bands, as matplotlib's loc="best" (a fixed corner hid a flat line at the maximum,
// e.g. CartPole's 500). Ties prefer top-left, top-right, bottom-left, bottom-right. Returns the
// box's top-left pixel.
PixelPoint legend_position(const std::vector<ChartLine>& lines, PixelPoint lo, PixelPoint hi,
                           float w, float h, float margin);

class ChartModel {
 public:
  // Union of the series' x extents and raw y extents (positive part only for Log10).
  static void extent(const std::vector<ChartGroup>& groups, Scale y_scale, Range& x, Range& y);

  // Fills `out` (one line per group, capacity reused across frames). `width` is the plot's width
  // in pixel columns; xm/ym map data to screen pixels.
  void build(const std::vector<ChartGroup>& groups, const AxisMap& xm, const AxisMap& ym, int width,
             BandKind band, bool show_raw, std::vector<ChartLine>& out);

  // The data y extent of the std bands of the last build() (mean + std reaches beyond every
  // run's values: 500, 500, 100 gives 555), to widen extent()'s so no band is clipped. Only
  // positive lower edges count on a log axis. Invalid (min > max) when there is no std band.
  const Range& band_extent() const { return band_extent_; }

  // Values at data x: each run's point nearest x (exact stored values), plus each group's mean
  // and std from the last build().
  static void hover(const std::vector<ChartGroup>& groups, const std::vector<ChartLine>& lines,
                    const AxisMap& xm, double x, std::vector<HoverValue>& out);

 private:
  // One pixel column of run_values_: [0] every run's value, [1 + k] those of stratum k.
  const tracker::Strata& column_strata(const ChartGroup& g, std::size_t column);
  // Fills line.ci_lo/ci_hi and the band's pixels of an IqmCi line.
  void iqm_intervals(const ChartGroup& g, const AxisMap& ym, ChartLine& line);

  std::vector<Column> scratch_;
  std::vector<float> values_;
  std::vector<std::vector<float>> run_values_;  // IqmCi: each run's column values
  tracker::Strata strata_;
  std::vector<unsigned char> marked_;
  Range band_extent_;  // columns holding a sparse run's own point
  BandStats stats_;
};

}  // namespace rein::dashboard
