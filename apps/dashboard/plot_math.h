// Plot maths behind the dashboard's chart widget: "nice" tick values, data<->pixel mapping
// (linear or log10 y), tick labels, and the zoom/pan state of one chart. No ImGui here, so all of
// it is tested without a window (tests/dashboard/plot_math_test.cpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace rein::dashboard {

// A closed interval of data values. Valid when both ends are finite and min < max.
struct Range {
  double min = 0.0;
  double max = 1.0;
  double span() const { return max - min; }
  bool valid() const;
  bool contains(double v) const { return v >= min && v <= max; }
};

enum class Scale { Linear, Log10 };

// Smallest of {1, 2, 5} x 10^k that is at least span / target: the step of about `target`
// ticks over `span`. span > 0 and target >= 1, else returns 1.
double nice_step(double span, int target);

// Multiples of nice_step(hi - lo, target) inside [lo, hi], ascending; a finer step when that
// gives fewer than two. Empty if lo >= hi.
std::vector<double> linear_ticks(double lo, double hi, int target);

// Ticks for a log10 axis over the positive data range [lo, hi]: powers of ten when the range
// spans enough decades (every k-th decade when there are more than `target`), else 1-2-5 per
// decade, else falls back to linear ticks.
std::vector<double> log_ticks(double lo, double hi, int target);

// A tick label with just enough decimals for `step` ("0.25", "1.5k" style suffixes above 10^4,
// scientific below 10^-4). Exact zero prints "0".
std::string format_tick(double value, double step);
// Labels of all ticks of one axis in one format, chosen from the largest tick and the step: the
// same suffix and decimals for every tick ("0", "5k", "10k", never "5000" beside "10k"; "0.50"
// beside "1.00"). format_tick(v, step) is format_ticks({v}, step)[0].
std::vector<std::string> format_ticks(const std::vector<double>& ticks, double step);
// Six significant digits for the hover read-out.
std::string format_value(double value);
// Seconds since the epoch as local "HH:MM:SS" (or "MM-DD HH:MM" when `with_date`).
std::string format_clock(double epoch_seconds, bool with_date);

// Maps one axis between data values and pixels. pixel_lo is where data.min lands (for a y axis
// the bottom edge, so pixel_lo > pixel_hi). On a Log10 axis non-positive values map to the
// pixel of kLogFloor.
class AxisMap {
 public:
  static constexpr double kLogFloor = 1e-300;

  AxisMap() = default;
  AxisMap(Range data, double pixel_lo, double pixel_hi, Scale scale = Scale::Linear);

  double to_pixel(double value) const { return p0_ + (forward(value) - f0_) * k_; }
  double to_data(double pixel) const;
  Scale scale() const { return scale_; }
  const Range& data() const { return data_; }

  // The axis transform alone: identity or log10 (clamped at kLogFloor). Inline: the chart's
  // decimation maps every pyramid block it reads through it.
  double forward(double value) const {
    return scale_ == Scale::Linear ? value : std::log10(std::max(value, kLogFloor));
  }
  double inverse(double f) const;

 private:
  Range data_;
  Scale scale_ = Scale::Linear;
  double p0_ = 0.0;
  double f0_ = 0.0;
  double k_ = 1.0;  // pixels per transformed data unit
};

// Data extent of what a chart shows, widened so that a degenerate or empty extent still has a
// span: equal ends get +-0.5 (or +-10% of the value), invalid input gives [0, 1]. With Log10,
// the range is clipped to positive values.
Range padded_range(Range data, double pad_fraction, Scale scale);

// Zoom and pan state of one chart. It follows the data (auto-fit) until the user zooms or pans,
// and reset() returns to auto-fit. Pan and zoom work in the axis' transformed space, so log-y
// zooms by ratios.
class PlotView {
 public:
  // The extent of the data, called whenever it changes; auto-fit views follow it.
  void set_data_bounds(Range x, Range y);
  void set_y_scale(Scale scale);
  Scale y_scale() const { return y_scale_; }

  Range x() const { return x_auto_ ? fit_x() : x_; }
  Range y() const { return y_auto_ ? fit_y() : y_; }
  bool is_auto() const { return x_auto_ && y_auto_; }

  // Box zoom to a rectangle in data units (corners in any order). Ignored when it has no area.
  void zoom_to(Range x, Range y);
  // Drags the view by a pixel offset in a plot of the given size (positive dx moves the view
  // left, i.e. the data follows the mouse).
  void pan_pixels(double dx, double dy, double width, double height);
  // Wheel zoom around the data point under the cursor by `factor` (< 1 zooms in).
  void zoom_around(double x_value, double y_value, double factor);
  void reset();

 private:
  Range fit_x() const;
  Range fit_y() const;
  void freeze();  // copy the auto ranges into x_/y_ before the user changes them

  Range data_x_{0, 1};
  Range data_y_{0, 1};
  Range x_{0, 1};
  Range y_{0, 1};
  bool x_auto_ = true;
  bool y_auto_ = true;
  Scale y_scale_ = Scale::Linear;
};

}  // namespace rein::dashboard
