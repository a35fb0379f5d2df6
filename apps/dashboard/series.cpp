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

Block LodLevel::block(std::size_t j, std::size_t points_per_block) const {
  Block b;
  b.x0 = x0[j];
  b.sum = sum[j];
  b.min = min[j];
  b.max = max[j];
  b.imin = imin[j];
  b.imax = imax[j];
  b.count = count[j];
  b.first = static_cast<std::uint32_t>(j * points_per_block);
  return b;
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

void MinMaxLod::set_block(LodLevel& level, std::size_t j, const Block& b) {
  if (j == level.size()) {
    level.x0.push_back(b.x0);
    level.min.push_back(b.min);
    level.max.push_back(b.max);
    level.imin.push_back(b.imin);
    level.imax.push_back(b.imax);
    level.sum.push_back(b.sum);
    level.count.push_back(b.count);
    return;
  }
  level.x0[j] = b.x0;
  level.min[j] = b.min;
  level.max[j] = b.max;
  level.imin[j] = b.imin;
  level.imax[j] = b.imax;
  level.sum[j] = b.sum;
  level.count[j] = b.count;
}

void MinMaxLod::extend(std::span<const double> x, std::span<const float> y) {
  const std::size_t old_n = n_;
  if (x.size() <= old_n) return;
  if (levels_.empty()) levels_.emplace_back();
  // Level 0: the tail block is rebuilt from its points, then whole new blocks are added.
  {
    LodLevel& l0 = levels_[0];
    for (std::size_t j = old_n / kFanout; j * kFanout < x.size(); ++j) {
      const std::size_t p0 = j * kFanout, p1 = std::min(x.size(), p0 + kFanout);
      Block b = empty_block(x[p0], static_cast<std::uint32_t>(p0));
      for (std::size_t i = p0; i < p1; ++i) merge_point(b, static_cast<std::uint32_t>(i), y[i]);
      set_block(l0, j, b);
    }
  }
  n_ = x.size();
  // Upper levels: recompute only the blocks whose children changed.
  std::size_t dirty = old_n / kFanout;  // first changed block of the level below
  for (std::size_t k = 1; levels_[k - 1].size() > 1; ++k) {
    if (levels_.size() == k) levels_.emplace_back();
    const LodLevel& below = levels_[k - 1];
    LodLevel& level = levels_[k];
    const std::size_t below_bs = block_size(k - 1);
    dirty /= kFanout;
    const std::size_t want = (below.size() + kFanout - 1) / kFanout;
    for (std::size_t j = dirty; j < want; ++j) {
      const std::size_t c0 = j * kFanout, c1 = std::min(below.size(), c0 + kFanout);
      Block b = empty_block(below.x0[c0], static_cast<std::uint32_t>(c0 * below_bs));
      for (std::size_t c = c0; c < c1; ++c) merge_block(b, below.block(c, below_bs));
      set_block(level, j, b);
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

namespace {

// Pixel column of a data x: floor(to_pixel(x) - to_pixel(view min)), clamped to [0, width).
struct ColumnOf {
  const AxisMap& xmap;
  double p0;
  int width;
  int operator()(double xv) const {
    const double c = std::floor(xmap.to_pixel(xv) - p0);
    return static_cast<int>(std::clamp(c, 0.0, static_cast<double>(width - 1)));
  }
  // An x below which every x is in a column <= col: a thousandth of a pixel before the next
  // column's edge, far above the rounding of the mapping. The per-block loops compare against it
  // and call operator() only near the edge, so the result is exactly operator()'s.
  double safe_end(int col) const {
    const double px = col + 1 - 1e-3;
    return linear ? x_at_p0 + px * data_per_px : xmap.to_data(p0 + px);
  }
  ColumnOf(const AxisMap& m, double pixel0, int w)
      : xmap(m),
        p0(pixel0),
        width(w),
        linear(m.scale() == Scale::Linear),
        x_at_p0(m.to_data(pixel0)),
        data_per_px((m.to_data(pixel0 + w) - x_at_p0) / w) {}
  bool linear;
  double x_at_p0, data_per_px;
};

// 1 + the largest pyramid level whose blocks are at most a column wide, for `points` visible
// points over `width` columns; 0 = read the points themselves. A block lands in the column of
// its first point, so a column's extremes can come from up to one block of its neighbour: at
// most one pixel off, and every extreme is still drawn. Coarser blocks keep the memory read per
// frame near 1-4 blocks per column.
std::size_t pick_level(const MinMaxLod& lod, std::size_t points, int width) {
  const double per_column = static_cast<double>(points) / width;
  std::size_t level = 0;
  while (level < lod.levels() && static_cast<double>(MinMaxLod::block_size(level)) <= per_column) {
    ++level;
  }
  return level;
}

// Blocks [j0, j1) of a level that hold the visible points [i0, i1).
std::pair<std::size_t, std::size_t> block_span(const LodLevel& level, std::size_t bs,
                                               std::size_t i0, std::size_t i1) {
  return {i0 / bs, std::min(level.size(), (i1 - 1) / bs + 1)};
}

}  // namespace

void aggregate_columns(std::span<const double> x, std::span<const float> y, const MinMaxLod& lod,
                       const AxisMap& xmap, int width, std::vector<Column>& out) {
  out.clear();
  if (x.empty() || width <= 0) return;
  const auto [i0, i1] = visible_span(x, xmap);
  if (i0 >= i1) return;
  const ColumnOf column_of{xmap, xmap.to_pixel(xmap.data().min), width};
  auto add = [&](int col, const Block& b) {
    if (out.empty() || out.back().column != col) {
      out.push_back({col, empty_block(b.x0, b.first)});
    }
    merge_block(out.back().agg, b);
  };
  const std::size_t level = pick_level(lod, i1 - i0, width);
  if (level == 0) {
    for (std::size_t i = i0; i < i1; ++i) {
      Block b = empty_block(x[i], static_cast<std::uint32_t>(i));
      merge_point(b, static_cast<std::uint32_t>(i), y[i]);
      add(column_of(x[i]), b);
    }
    return;
  }
  const LodLevel& blocks = lod.level(level - 1);
  const std::size_t bs = MinMaxLod::block_size(level - 1);
  const auto [j0, j1] = block_span(blocks, bs, i0, i1);
  for (std::size_t j = j0; j < j1; ++j) add(column_of(blocks.x0[j]), blocks.block(j, bs));
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
  const double p0 = xmap.to_pixel(xmap.data().min);
  // One column's extremes, in the order they occurred (one point when they are the same point).
  auto emit_column = [&](int col, float mn, float mx, bool single, bool min_first) {
    const float px = static_cast<float>(p0) + static_cast<float>(col) + 0.5f;
    const float lo = static_cast<float>(ymap.to_pixel(mn));
    const float hi = static_cast<float>(ymap.to_pixel(mx));
    if (single) {
      out.push_back({px, lo});
    } else if (min_first) {
      out.push_back({px, lo});
      out.push_back({px, hi});
    } else {
      out.push_back({px, hi});
      out.push_back({px, lo});
    }
  };
  // The nearest point outside each edge, so the line reaches the border.
  if (i0 > 0) emit(x[i0 - 1], y[i0 - 1]);
  const std::size_t level =
      i1 - i0 <= static_cast<std::size_t>(2 * width) ? 0 : pick_level(lod, i1 - i0, width);
  if (i1 - i0 <= static_cast<std::size_t>(2 * width)) {
    for (std::size_t i = i0; i < i1; ++i) emit(x[i], y[i]);
  } else if (level == 0) {
    aggregate_columns(x, y, lod, xmap, width, scratch);
    for (const Column& c : scratch) {
      if (c.agg.count == 0) continue;
      emit_column(c.column, c.agg.min, c.agg.max, c.agg.imin == c.agg.imax,
                  c.agg.imin < c.agg.imax);
    }
  } else {
    // The hot loop of a frame: per column, the blocks' min and max and which block holds them,
    // reading only x0/min/max; the extremes' point indices are looked at once per column.
    const LodLevel& lv = lod.level(level - 1);
    const auto [j0, j1] = block_span(lv, MinMaxLod::block_size(level - 1), i0, i1);
    const ColumnOf column_of{xmap, p0, width};
    const double* xs = lv.x0.data();
    const float* mins = lv.min.data();
    const float* maxs = lv.max.data();
    constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    std::size_t j = j0;
    int col = column_of(xs[j]);
    while (j < j1) {
      float mn = kInf, mx = -kInf;
      std::size_t jmn = kNone, jmx = kNone;
      int next = col;
      const double safe = column_of.safe_end(col);
      do {
        if (mins[j] < mn) {
          mn = mins[j];
          jmn = j;
        }
        if (maxs[j] > mx) {
          mx = maxs[j];
          jmx = j;
        }
        ++j;
      } while (j < j1 && (xs[j] < safe || (next = column_of(xs[j])) == col));
      if (jmn != kNone) {  // blocks without finite points have min = +inf, max = -inf
        const bool same_block = jmn == jmx;
        emit_column(col, mn, mx, same_block && lv.imin[jmn] == lv.imax[jmx],
                    same_block ? lv.imin[jmn] < lv.imax[jmx] : jmn < jmx);
      }
      col = next;
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
  // Before the first visible point: the last point left of the view, if any.
  float carry = kNaN;
  for (std::size_t i = i0; i > 0; --i) {
    if (std::isfinite(y[i - 1])) {
      carry = y[i - 1];
      break;
    }
  }
  int filled = 0;  // columns [0, filled) are written
  // A column with points: the columns before it carry the last value, it gets its mean.
  auto put = [&](int col, double sum, std::uint32_t count) {
    for (; filled < col; ++filled) out[static_cast<std::size_t>(filled)] = carry;
    if (count > 0) carry = static_cast<float>(sum / count);
    out[static_cast<std::size_t>(col)] = carry;
    filled = col + 1;
  };
  const std::size_t level = i0 < i1 ? pick_level(lod, i1 - i0, width) : 0;
  if (level == 0) {
    aggregate_columns(x, y, lod, xmap, width, scratch);
    for (const Column& c : scratch) put(c.column, c.agg.sum, c.agg.count);
  } else {
    const LodLevel& lv = lod.level(level - 1);
    const auto [j0, j1] = block_span(lv, MinMaxLod::block_size(level - 1), i0, i1);
    const ColumnOf column_of{xmap, xmap.to_pixel(xmap.data().min), width};
    std::size_t j = j0;
    int col = column_of(lv.x0[j]);
    while (j < j1) {
      double sum = 0.0;
      std::uint32_t count = 0;
      int next = col;
      const double safe = column_of.safe_end(col);
      do {
        sum += lv.sum[j];
        count += lv.count[j];
        ++j;
      } while (j < j1 && (lv.x0[j] < safe || (next = column_of(lv.x0[j])) == col));
      put(col, sum, count);
      col = next;
    }
  }
  // Past the last column with points: the value holds only if the run goes on right of the view.
  if (i1 < x.size()) {
    for (; filled < width; ++filled) out[static_cast<std::size_t>(filled)] = carry;
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
