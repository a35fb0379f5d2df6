// Metric series as the dashboard holds them, and the per-frame work on them: EMA smoothing, a
// min/max level-of-detail pyramid, decimation to at most two points per pixel column, per-column
// aggregation for group bands, and nearest-x hover lookup. Plain C++ (no ImGui), so it is tested
// and benchmarked without a window.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "apps/dashboard/plot_math.h"

namespace rein::dashboard {

enum class XAxis { Step, WallTime, RelativeTime };

// One run's metric: parallel arrays in step order (as the tracker returns them). Copies own data.
struct SeriesData {
  std::vector<double> step;
  std::vector<double> wall;  // seconds since the epoch
  std::vector<float> value;

  std::size_t size() const { return value.size(); }
  void append(double s, double w, double v);
  void clear();
};

// TensorBoard's debiased exponential moving average: last = w*last + (1-w)*y, shown as
// last / (1 - w^count), so the first values are not pulled towards zero. weight in [0, 1).
// Non-finite inputs are passed through without touching the average.
class Ema {
 public:
  explicit Ema(double weight = 0.0) : weight_(weight) {}
  float push(float y);

 private:
  double weight_;
  double last_ = 0.0;
  double debias_ = 1.0;  // w^count
};
void ema_smooth(std::span<const float> in, double weight, std::vector<float>& out);

// Summary of consecutive points: min/max with their indices (to keep the drawing order), sum
// and count (for column means), and the x of the first point (to place the block).
struct Block {
  double x0 = 0.0;
  double sum = 0.0;
  float min = 0.0f;
  float max = 0.0f;
  std::uint32_t imin = 0;
  std::uint32_t imax = 0;
  std::uint32_t count = 0;
  std::uint32_t first = 0;  // index of the first point
};

// One level of the pyramid as parallel arrays rather than an array of Blocks, so a frame reads
// only the fields it needs: decimation reads x0, min and max (16 bytes a block instead of 40),
// and the extremes' indices once per pixel column; column means read x0, sum and count.
struct LodLevel {
  std::vector<double> x0;
  std::vector<float> min, max;  // +inf / -inf for a block without finite points
  std::vector<std::uint32_t> imin, imax;
  std::vector<double> sum;
  std::vector<std::uint32_t> count;  // finite points

  std::size_t size() const { return x0.size(); }
  // Block j assembled (first = j * points_per_block).
  Block block(std::size_t j, std::size_t points_per_block) const;
};

// A pyramid of blocks over points sorted by x: level 0 groups kFanout points, level k groups
// kFanout blocks of level k-1. Appending points updates only the tail blocks.
class MinMaxLod {
 public:
  static constexpr std::size_t kFanout = 4;

  void clear();
  // Adds points [size(), x.size()) of the arrays (which must extend what was added before).
  void extend(std::span<const double> x, std::span<const float> y);
  std::size_t size() const { return n_; }
  std::size_t levels() const { return levels_.size(); }
  const LodLevel& level(std::size_t k) const { return levels_[k]; }
  // Points per block at level k.
  static std::size_t block_size(std::size_t k);

 private:
  void set_block(LodLevel& level, std::size_t j, const Block& b);
  std::size_t n_ = 0;
  std::vector<LodLevel> levels_;
};

// The points of one pixel column after aggregation.
struct Column {
  int column = 0;
  Block agg;
};

// A series prepared for one x-axis choice and smoothing: x values, displayed y (smoothed or raw),
// the raw y (drawn faint behind a smoothed curve), and pyramids for both.
class PreparedSeries {
 public:
  // Full rebuild from `data`. `run_start` is subtracted for XAxis::RelativeTime.
  void prepare(const SeriesData& data, XAxis axis, double run_start, double smoothing);
  // Takes the points of `data` beyond size() (live updates), keeping the same axis and smoothing.
  void extend(const SeriesData& data);

  std::size_t size() const { return x_.size(); }
  bool smoothed() const { return smoothing_ > 0.0; }
  std::span<const double> x() const { return x_; }
  std::span<const float> y() const { return smoothed() ? std::span<const float>(ys_) : raw_; }
  std::span<const float> raw_y() const { return raw_; }
  const MinMaxLod& lod() const { return smoothed() ? lod_smooth_ : lod_raw_; }
  const MinMaxLod& raw_lod() const { return lod_raw_; }
  // Extent of x and of the raw values (the faint raw curve must fit too); invalid when empty.
  Range x_range() const;
  Range y_range() const { return {ymin_, ymax_}; }
  // Smallest positive raw value (for a log-y auto-fit); +inf when none.
  double y_min_positive() const { return ymin_pos_; }

 private:
  XAxis axis_ = XAxis::Step;
  double run_start_ = 0.0;
  double smoothing_ = 0.0;
  Ema ema_;
  std::vector<double> x_;
  std::vector<float> raw_;
  std::vector<float> ys_;
  MinMaxLod lod_raw_;
  MinMaxLod lod_smooth_;
  double ymin_ = 0.0, ymax_ = 0.0, ymin_pos_ = 0.0;
};

// Aggregates the points of (x, y) that fall into pixel columns [0, width) of `xmap` (columns are
// one pixel wide starting at xmap.to_pixel(range.min)). Dense stretches are read from `lod` at a
// level whose blocks are at most a column wide (a block counts in the column of its first point),
// so the cost is O(width) per series, not O(points). Output is in increasing column order; empty
// columns are absent.
void aggregate_columns(std::span<const double> x, std::span<const float> y, const MinMaxLod& lod,
                       const AxisMap& xmap, int width, std::vector<Column>& out);

struct PixelPoint {
  float x = 0.0f;
  float y = 0.0f;
};

// The polyline to draw for (x, y) in the plot: every point when there are at most two per
// column, otherwise per column the min and the max in the order they occurred, plus the nearest
// point outside each edge so the line runs to the border. At most 2 * width + 4 points.
void decimate(std::span<const double> x, std::span<const float> y, const MinMaxLod& lod,
              const AxisMap& xmap, const AxisMap& ymap, int width, std::vector<Column>& scratch,
              std::vector<PixelPoint>& out);

// Index of the point whose x is nearest `value` (x sorted); size() when x is empty.
std::size_t nearest_index(std::span<const double> x, double value);

// The value a series shows in each pixel column: the mean of its points there, else the last
// value before the column (NaN before its first point and after its last one).
void column_values(std::span<const double> x, std::span<const float> y, const MinMaxLod& lod,
                   const AxisMap& xmap, int width, std::vector<Column>& scratch,
                   std::vector<float>& out);

// Per-column statistics over several runs' column values (population std; NaN where no run has
// a value). The dashboard draws mean with a mean +- std or a min-max band.
struct BandStats {
  std::vector<float> mean, std, min, max;
  std::vector<std::uint16_t> count;
  void reset(int width);
  void add(std::span<const float> values);  // one run's column_values
  void finish();                            // turns the running sums into mean and std

 private:
  std::vector<double> sum_, sq_;
};

}  // namespace rein::dashboard
