// Tick selection, axis mapping and zoom/pan state for the dashboard's charts.
#include "apps/dashboard/plot_math.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace rein::dashboard {

bool Range::valid() const { return std::isfinite(min) && std::isfinite(max) && min < max; }

double nice_step(double span, int target) {
  if (!(span > 0.0) || !std::isfinite(span) || target < 1) return 1.0;
  const double raw = span / target;
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    // The 1e-9 slack keeps 0.2/1 from rounding up to 0.5 through floating-point noise.
    if (m * decade >= raw * (1.0 - 1e-9)) return m * decade;
  }
  return 10.0 * decade;
}

std::vector<double> linear_ticks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  const double step = nice_step(hi - lo, target);
  const double first = std::ceil(lo / step - 1e-9);
  const double last = std::floor(hi / step + 1e-9);
  if (last - first > 1000) return ticks;  // cannot happen with a sane target; guards the loop
  for (double k = first; k <= last; k += 1.0) {
    double v = k * step;
    if (std::abs(v) < step * 1e-9) v = 0.0;  // print "0", not "-1.3e-17"
    ticks.push_back(v);
  }
  // An axis needs two labels to be read: [500, 499800] with target 2 has no multiple of the
  // step 500000 inside, so retry with finer steps.
  if (ticks.size() < 2 && target < 64) return linear_ticks(lo, hi, target * 2);
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!(lo > 0.0) || !(lo < hi) || !std::isfinite(hi)) return ticks;
  const double d0 = std::ceil(std::log10(lo) - 1e-9);
  const double d1 = std::floor(std::log10(hi) + 1e-9);
  const double decades = d1 - d0 + 1;
  if (decades >= 2) {
    const double every = std::max(1.0, std::ceil(decades / std::max(1, target)));
    for (double d = d0; d <= d1; d += every) ticks.push_back(std::pow(10.0, d));
    if (ticks.size() >= 2) return ticks;
    ticks.clear();
  }
  // Less than two decades: 1, 2, 5 in each decade touched.
  for (double d = std::floor(std::log10(lo)); d <= std::ceil(std::log10(hi)); d += 1.0) {
    for (double m : {1.0, 2.0, 5.0}) {
      const double v = m * std::pow(10.0, d);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push_back(v);
    }
  }
  if (ticks.size() >= 2) return ticks;
  return linear_ticks(lo, hi, target);
}

std::string format_tick(double value, double step) { return format_ticks({value}, step)[0]; }

std::vector<std::string> format_ticks(const std::vector<double>& ticks, double step) {
  double mag = 0.0;
  for (double v : ticks) {
    if (std::isfinite(v)) mag = std::max(mag, std::abs(v));
  }
  // One format for the axis: a k/M/G/T suffix, plain decimals, or scientific.
  double scale = 1.0;
  const char* suffix = "";
  bool scientific = false;
  if (mag >= 1e4 && step >= 1.0) {
    const char* suffixes[] = {"k", "M", "G", "T"};
    scale = 1e3;
    int s = 0;
    while (mag / scale >= 1e3 && s < 3) {
      scale *= 1e3;
      ++s;
    }
    suffix = suffixes[s];
  } else if (mag < 1e-4 || mag >= 1e15) {
    scientific = true;
  }
  // Enough decimals that the step itself prints exactly (0.5 -> 1, 2.5 -> 1, 0.25 -> 2).
  int decimals = 0;
  const double scaled_step = step / scale;
  if (std::isfinite(scaled_step) && scaled_step > 0.0) {
    for (double unit = scaled_step; decimals < 10; ++decimals, unit *= 10.0) {
      if (std::abs(unit - std::round(unit)) <= 1e-6 * std::max(1.0, unit)) break;
    }
  }
  std::vector<std::string> out;
  out.reserve(ticks.size());
  char buf[64];
  for (double v : ticks) {
    if (v == 0.0) {
      out.emplace_back("0");
    } else if (scientific) {
      std::snprintf(buf, sizeof buf, "%.3g", v);
      out.emplace_back(buf);
    } else {
      std::snprintf(buf, sizeof buf, "%.*f%s", decimals, v / scale, suffix);
      out.emplace_back(buf);
    }
  }
  return out;
}

std::string format_value(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return buf;
}

std::string format_clock(double epoch_seconds, bool with_date) {
  const std::time_t t = static_cast<std::time_t>(std::floor(epoch_seconds));
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, with_date ? "%m-%d %H:%M" : "%H:%M:%S", &tm);
  return buf;
}

AxisMap::AxisMap(Range data, double pixel_lo, double pixel_hi, Scale scale)
    : data_(data), scale_(scale), p0_(pixel_lo) {
  f0_ = forward(data.min);
  const double f1 = forward(data.max);
  k_ = f1 != f0_ ? (pixel_hi - pixel_lo) / (f1 - f0_) : 0.0;
}

double AxisMap::inverse(double f) const { return scale_ == Scale::Linear ? f : std::pow(10.0, f); }

double AxisMap::to_data(double pixel) const {
  if (k_ == 0.0) return data_.min;
  return inverse(f0_ + (pixel - p0_) / k_);
}

Range padded_range(Range data, double pad_fraction, Scale scale) {
  if (scale == Scale::Log10) {
    if (!(data.max > 0.0) || !std::isfinite(data.max)) return {0.1, 10.0};
    double lo = data.min > 0.0 && std::isfinite(data.min) ? data.min : data.max * 1e-3;
    double hi = data.max;
    if (lo >= hi) {
      lo = hi / 2;
      hi = hi * 2;
    }
    const double l0 = std::log10(lo), l1 = std::log10(hi);
    const double pad = (l1 - l0) * pad_fraction;
    return {std::pow(10.0, l0 - pad), std::pow(10.0, l1 + pad)};
  }
  if (!std::isfinite(data.min) || !std::isfinite(data.max) || data.min > data.max) return {0, 1};
  if (data.min == data.max) {
    const double half = data.min == 0.0 ? 0.5 : std::abs(data.min) * 0.1;
    return {data.min - half, data.max + half};
  }
  const double pad = data.span() * pad_fraction;
  return {data.min - pad, data.max + pad};
}

void PlotView::set_data_bounds(Range x, Range y) {
  data_x_ = x;
  data_y_ = y;
}

void PlotView::set_y_scale(Scale scale) {
  if (scale == y_scale_) return;
  y_scale_ = scale;
  y_auto_ = true;  // a linear range means nothing on a log axis and vice versa
}

Range PlotView::fit_x() const { return padded_range(data_x_, 0.0, Scale::Linear); }
Range PlotView::fit_y() const { return padded_range(data_y_, 0.05, y_scale_); }

void PlotView::freeze() {
  if (x_auto_) x_ = fit_x();
  if (y_auto_) y_ = fit_y();
  x_auto_ = y_auto_ = false;
}

void PlotView::zoom_to(Range x, Range y) {
  if (x.min > x.max) std::swap(x.min, x.max);
  if (y.min > y.max) std::swap(y.min, y.max);
  if (!x.valid() || !y.valid()) return;
  if (y_scale_ == Scale::Log10 && !(y.min > 0.0)) return;
  x_ = x;
  y_ = y;
  x_auto_ = y_auto_ = false;
}

void PlotView::pan_pixels(double dx, double dy, double width, double height) {
  if (width <= 0 || height <= 0) return;
  freeze();
  const double sx = x_.span() / width;
  x_.min -= dx * sx;
  x_.max -= dx * sx;
  // Screen y grows downwards: dragging down (dy > 0) shows larger values.
  const AxisMap ym(y_, 0.0, 1.0, y_scale_);
  const double f0 = ym.forward(y_.min), f1 = ym.forward(y_.max);
  const double sy = (f1 - f0) / height;
  y_ = {ym.inverse(f0 + dy * sy), ym.inverse(f1 + dy * sy)};
}

void PlotView::zoom_around(double x_value, double y_value, double factor) {
  if (!(factor > 0.0) || !std::isfinite(factor)) return;
  freeze();
  const Range nx{x_value - (x_value - x_.min) * factor, x_value + (x_.max - x_value) * factor};
  const AxisMap ym(y_, 0.0, 1.0, y_scale_);
  const double fy = ym.forward(y_value);
  const double f0 = ym.forward(y_.min), f1 = ym.forward(y_.max);
  const Range ny{ym.inverse(fy - (fy - f0) * factor), ym.inverse(fy + (f1 - fy) * factor)};
  if (nx.valid() && nx.span() > std::abs(nx.max) * 1e-12) x_ = nx;
  if (ny.valid()) y_ = ny;
}

void PlotView::reset() { x_auto_ = y_auto_ = true; }

}  // namespace rein::dashboard
