// Smoothing, level-of-detail pyramid, decimation and band statistics for the dashboard's charts.
#include "apps/dashboard/series.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rein::dashboard {

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

Block empty_block(double x0, std::uint32_t first) {
  Block b;
  b.x0 = x0;
  b.first = first;
  b.min = kInf;
  b.max = -kInf;
  return b;
}

void merge_point(Block& b, std::uint32_t i, float y) {
  if (!std::isfinite(y)) return;
  if (y < b.min) {
    b.min = y;
    b.imin = i;
  }
  if (y > b.max) {
    b.max = y;
    b.imax = i;
  }
  b.sum += y;
  ++b.count;
}

void merge_block(Block& into, const Block& b) {
  if (b.count == 0) return;
  if (b.min < into.min) {
    into.min = b.min;
    into.imin = b.imin;
  }
  if (b.max > into.max) {
    into.max = b.max;
    into.imax = b.imax;
  }
  into.sum += b.sum;
  into.count += b.count;
}

// Points of x inside the axis' data range: [first, last).
std::pair<std::size_t, std::size_t> visible_span(std::span<const double> x, const AxisMap& xmap) {
  const auto lo = std::lower_bound(x.begin(), x.end(), xmap.data().min);
  const auto hi = std::upper_bound(lo, x.end(), xmap.data().max);
  return {static_cast<std::size_t>(lo - x.begin()), static_cast<std::size_t>(hi - x.begin())};
}

}  // namespace

void SeriesData::append(double s, double w, double v) {
  step.push_back(s);
  wall.push_back(w);
  value.push_back(static_cast<float>(v));
}

void SeriesData::clear() {
  step.clear();
  wall.clear();
  value.clear();
}

float Ema::push(float y) {
  if (!std::isfinite(y)) return y;
  last_ = weight_ * last_ + (1.0 - weight_) * y;
  debias_ *= weight_;
  return static_cast<float>(last_ / (1.0 - debias_));
}

void ema_smooth(std::span<const float> in, double weight, std::vector<float>& out) {
  Ema ema(weight);
  out.resize(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = ema.push(in[i]);
}

void MinMaxLod::clear() {
  n_ = 0;
  levels_.clear();
}

std::size_t MinMaxLod::block_size(std::size_t k) {
  std::size_t b = kFanout;
  for (std::size_t i = 0; i < k; ++i) b *= kFanout;
  return b;
}

void MinMaxLod::extend(std::span<const double> x, std::span<const float> y) {
  const std::size_t old_n = n_;
  if (x.size() <= old_n) return;
  if (levels_.empty()) levels_.emplace_back();
  auto& l0 = levels_[0];
  for (std::size_t i = old_n; i < x.size(); ++i) {
    if (i / kFanout == l0.size()) l0.push_back(empty_block(x[i], static_cast<std::uint32_t>(i)));
    merge_point(l0.back(), static_cast<std::uint32_t>(i), y[i]);
  }
  n_ = x.size();
  // Upper levels: recompute only the blocks whose children changed.
  std::size_t dirty = old_n / kFanout;  // first changed block of the level below
  for (std::size_t k = 1; levels_[k - 1].size() > 1; ++k) {
    if (levels_.size() == k) levels_.emplace_back();
    const auto& below = levels_[k - 1];
    auto& level = levels_[k];
    dirty /= kFanout;
    const std::size_t want = (below.size() + kFanout - 1) / kFanout;
    level.resize(want);
    for (std::size_t j = dirty; j < want; ++j) {
      const std::size_t c0 = j * kFanout, c1 = std::min(below.size(), c0 + kFanout);
      level[j] = empty_block(below[c0].x0, below[c0].first);
      for (std::size_t c = c0; c < c1; ++c) merge_block(level[j], below[c]);
    }
  }
}

void PreparedSeries::prepare(const SeriesData& data, XAxis axis, double run_start,
                             double smoothing) {
  axis_ = axis;
  run_start_ = run_start;
  smoothing_ = std::clamp(smoothing, 0.0, 0.999);
  ema_ = Ema(smoothing_);
  x_.clear();
  raw_.clear();
  ys_.clear();
  lod_raw_.clear();
  lod_smooth_.clear();
  ymin_ = std::numeric_limits<double>::infinity();
  ymax_ = -ymin_;
  ymin_pos_ = ymin_;
  extend(data);
}

void PreparedSeries::extend(const SeriesData& data) {
  const std::size_t old = x_.size();
  const std::size_t n = data.size();
  if (n <= old) return;
  x_.reserve(n);
  raw_.reserve(n);
  for (std::size_t i = old; i < n; ++i) {
    const double xv = axis_ == XAxis::Step       ? data.step[i]
                      : axis_ == XAxis::WallTime ? data.wall[i]
                                                 : data.wall[i] - run_start_;
    const float v = data.value[i];
    x_.push_back(xv);
    raw_.push_back(v);
    if (std::isfinite(v)) {
      ymin_ = std::min<double>(ymin_, v);
      ymax_ = std::max<double>(ymax_, v);
      if (v > 0) ymin_pos_ = std::min<double>(ymin_pos_, v);
    }
    if (smoothing_ > 0.0) ys_.push_back(ema_.push(v));
  }
  lod_raw_.extend(x_, raw_);
  if (smoothing_ > 0.0) lod_smooth_.extend(x_, ys_);
}

Range PreparedSeries::x_range() const {
  if (x_.empty()) return {std::nan(""), std::nan("")};
  return {x_.front(), x_.back()};
}

void aggregate_columns(std::span<const double> x, std::span<const float> y, const MinMaxLod& lod,
                       const AxisMap& xmap, int width, std::vector<Column>& out) {
  out.clear();
  if (x.empty() || width <= 0) return;
  const auto [i0, i1] = visible_span(x, xmap);
  if (i0 >= i1) return;
  const double p0 = xmap.to_pixel(xmap.data().min);
  auto column_of = [&](double xv) {
    const double c = std::floor(xmap.to_pixel(xv) - p0);
    return static_cast<int>(std::clamp(c, 0.0, static_cast<double>(width - 1)));
  };
  auto add = [&](int col, const Block& b) {
    if (out.empty() || out.back().column != col) {
      out.push_back({col, empty_block(b.x0, b.first)});
    }
    merge_block(out.back().agg, b);
  };

  const double per_column = static_cast<double>(i1 - i0) / width;
  // Largest pyramid level whose blocks are at most a column wide (none: read the points). A
  // block lands in the column of its first point, so a column's extremes can come from up to one
  // block of its neighbour: at most one pixel off, and every extreme is still drawn. Coarser
  // blocks keep the memory read per frame near 1-4 blocks per column.
  std::size_t level = 0;  // 1 + the chosen level index; 0 = the points themselves
  while (level < lod.levels() &&
         static_cast<double>(MinMaxLod::block_size(level)) <= per_column) {
    ++level;
  }
  if (level == 0) {
    for (std::size_t i = i0; i < i1; ++i) {
      Block b = empty_block(x[i], static_cast<std::uint32_t>(i));
      merge_point(b, static_cast<std::uint32_t>(i), y[i]);
      add(column_of(x[i]), b);
    }
    return;
  }
  const auto& blocks = lod.level(level - 1);
  const std::size_t bs = MinMaxLod::block_size(level - 1);
  const std::size_t b1 = std::min(blocks.size(), (i1 - 1) / bs + 1);
  for (std::size_t j = i0 / bs; j < b1; ++j) add(column_of(blocks[j].x0), blocks[j]);
}

void decimate(std::span<const double> x, std::span<const float> y, const MinMaxLod& lod,
              const AxisMap& xmap, const AxisMap& ymap, int width, std::vector<Column>& scratch,
              std::vector<PixelPoint>& out) {
  out.clear();
  if (x.empty() || width <= 0) return;
  const auto [i0, i1] = visible_span(x, xmap);
  auto emit = [&](double xv, float yv) {
    if (std::isfinite(yv)) {
      out.push_back({static_cast<float>(xmap.to_pixel(xv)), static_cast<float>(ymap.to_pixel(yv))});
    }
  };
  // The nearest point outside each edge, so the line reaches the border.
  if (i0 > 0) emit(x[i0 - 1], y[i0 - 1]);
  if (i1 - i0 <= static_cast<std::size_t>(2 * width)) {
    for (std::size_t i = i0; i < i1; ++i) emit(x[i], y[i]);
  } else {
    aggregate_columns(x, y, lod, xmap, width, scratch);
    const float p0 = static_cast<float>(xmap.to_pixel(xmap.data().min));
    for (const Column& c : scratch) {
      if (c.agg.count == 0) continue;
      const float px = p0 + static_cast<float>(c.column) + 0.5f;
      const float lo = static_cast<float>(ymap.to_pixel(c.agg.min));
      const float hi = static_cast<float>(ymap.to_pixel(c.agg.max));
      if (c.agg.imin == c.agg.imax) {
        out.push_back({px, lo});
      } else if (c.agg.imin < c.agg.imax) {
        out.push_back({px, lo});
        out.push_back({px, hi});
      } else {
        out.push_back({px, hi});
        out.push_back({px, lo});
      }
    }
  }
  if (i1 < x.size()) emit(x[i1], y[i1]);
}

std::size_t nearest_index(std::span<const double> x, double value) {
  if (x.empty()) return 0;
  const auto it = std::lower_bound(x.begin(), x.end(), value);
  if (it == x.begin()) return 0;
  if (it == x.end()) return x.size() - 1;
  const std::size_t i = static_cast<std::size_t>(it - x.begin());
  return (value - x[i - 1] <= x[i] - value) ? i - 1 : i;
}

void column_values(std::span<const double> x, std::span<const float> y, const MinMaxLod& lod,
                   const AxisMap& xmap, int width, std::vector<Column>& scratch,
                   std::vector<float>& out) {
  out.assign(static_cast<std::size_t>(std::max(width, 0)), kNaN);
  if (x.empty() || width <= 0) return;
  const auto [i0, i1] = visible_span(x, xmap);
  aggregate_columns(x, y, lod, xmap, width, scratch);
  // Before the first visible point: the last point left of the view, if any.
  float carry = kNaN;
  for (std::size_t i = i0; i > 0; --i) {
    if (std::isfinite(y[i - 1])) {
      carry = y[i - 1];
      break;
    }
  }
  const int last_col = scratch.empty() ? -1 : scratch.back().column;
  const bool continues = i1 < x.size();  // the run has points right of the view
  std::size_t k = 0;
  for (int c = 0; c < width; ++c) {
    if (k < scratch.size() && scratch[k].column == c) {
      const Block& b = scratch[k++].agg;
      if (b.count > 0) carry = static_cast<float>(b.sum / b.count);
    } else if (c > last_col && !continues) {
      break;  // the run ended: no value past its last point
    }
    out[static_cast<std::size_t>(c)] = carry;
  }
}

void BandStats::reset(int width) {
  const std::size_t w = static_cast<std::size_t>(std::max(width, 0));
  sum_.assign(w, 0.0);
  sq_.assign(w, 0.0);
  min.assign(w, kInf);
  max.assign(w, -kInf);
  count.assign(w, 0);
  mean.assign(w, kNaN);
  std.assign(w, kNaN);
}

void BandStats::add(std::span<const float> values) {
  const std::size_t w = std::min(values.size(), sum_.size());
  for (std::size_t c = 0; c < w; ++c) {
    const float v = values[c];
    if (!std::isfinite(v)) continue;
    sum_[c] += v;
    sq_[c] += static_cast<double>(v) * v;
    min[c] = std::min(min[c], v);
    max[c] = std::max(max[c], v);
    ++count[c];
  }
}

void BandStats::finish() {
  for (std::size_t c = 0; c < sum_.size(); ++c) {
    if (count[c] == 0) {
      min[c] = max[c] = kNaN;
      continue;
    }
    const double m = sum_[c] / count[c];
    const double var = std::max(0.0, sq_[c] / count[c] - m * m);
    mean[c] = static_cast<float>(m);
    std[c] = static_cast<float>(std::sqrt(var));
  }
}

}  // namespace rein::dashboard
