// Per-frame chart geometry: decimated run lines and group bands in pixels, and hover values.
#include "apps/dashboard/chart_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rein::dashboard {

const char* band_name(BandKind band) {
  switch (band) {
    case BandKind::MinMax:
      return "minmax";
    case BandKind::IqmCi:
      return "iqm";
    case BandKind::Std:
      break;
  }
  return "std";
}

BandKind parse_band(const std::string& name) {
  return name == "minmax" ? BandKind::MinMax : name == "iqm" ? BandKind::IqmCi : BandKind::Std;
}

void ChartModel::extent(const std::vector<ChartGroup>& groups, Scale y_scale, Range& x, Range& y) {
  const double inf = std::numeric_limits<double>::infinity();
  x = {inf, -inf};
  y = {inf, -inf};
  for (const ChartGroup& g : groups) {
    for (const PreparedSeries* s : g.series) {
      if (s->size() == 0) continue;
      const Range sx = s->x_range();
      x.min = std::min(x.min, sx.min);
      x.max = std::max(x.max, sx.max);
      const Range sy = s->y_range();
      if (!(sy.min <= sy.max)) continue;
      y.min = std::min(y.min, y_scale == Scale::Log10 ? s->y_min_positive() : sy.min);
      y.max = std::max(y.max, sy.max);
    }
  }
}

namespace {

bool sparse(const PreparedSeries& s, int width) {
  return s.size() > 0 && static_cast<long long>(s.size()) * kSparseColumnsPerPoint <= width;
}

}  // namespace

void ChartModel::build(const std::vector<ChartGroup>& groups, const AxisMap& xm, const AxisMap& ym,
                       int width, BandKind band, bool show_raw, std::vector<ChartLine>& out) {
  out.resize(groups.size());
  const double inf = std::numeric_limits<double>::infinity();
  band_extent_ = {inf, -inf};
  const float p0 = static_cast<float>(xm.to_pixel(xm.data().min));
  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    const ChartGroup& g = groups[gi];
    ChartLine& line = out[gi];
    line.label = g.label;
    line.full_label = g.full_label.empty() ? g.label : g.full_label;
    line.color = g.color;
    line.runs = g.series.size();
    line.line.clear();
    line.marks.clear();
    line.raw.clear();
    line.band_x.clear();
    line.band_lo.clear();
    line.band_hi.clear();
    line.mean.clear();
    line.std.clear();
    line.ci_lo.clear();
    line.ci_hi.clear();
    line.column.clear();
    if (g.series.size() == 1) {
      const PreparedSeries& s = *g.series[0];
      decimate(s.x(), s.y(), s.lod(), xm, ym, width, scratch_, line.line);
      if (show_raw && s.smoothed()) {
        decimate(s.x(), s.raw_y(), s.raw_lod(), xm, ym, width, scratch_, line.raw);
      }
      // Sparse: decimate() kept every point (and the nearest ones outside the view).
      if (sparse(s, width)) line.marks = line.line;
      continue;
    }
    bool all_sparse = true;
    for (const PreparedSeries* s : g.series) all_sparse = all_sparse && sparse(*s, width);
    const bool iqm = band == BandKind::IqmCi;
    stats_.reset(width);
    if (iqm) run_values_.resize(g.series.size());
    for (std::size_t si = 0; si < g.series.size(); ++si) {
      const PreparedSeries* s = g.series[si];
      column_values(s->x(), s->y(), s->lod(), xm, width, scratch_, values_);
      stats_.add(values_);
      if (iqm) run_values_[si] = values_;
    }
    stats_.finish();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    bool gap = false;
    for (int c = 0; c < width; ++c) {
      const std::size_t i = static_cast<std::size_t>(c);
      if (stats_.count[i] == 0) {
        gap = true;
        continue;
      }
      const float px = p0 + static_cast<float>(c) + 0.5f;
      if (gap && !line.line.empty()) line.line.push_back({px, nan});
      gap = false;
      float m = stats_.mean[i];
      float lo = band == BandKind::Std ? m - stats_.std[i] : stats_.min[i];
      float hi = band == BandKind::Std ? m + stats_.std[i] : stats_.max[i];
      if (iqm) {
        // The interval is filled in by iqm_intervals() below, from a subset of the columns.
        m = static_cast<float>(tracker::interquartile_mean(column_strata(g, i).front()));
        lo = hi = m;
        line.ci_lo.push_back(nan);
        line.ci_hi.push_back(nan);
      }
      line.line.push_back({px, static_cast<float>(ym.to_pixel(m))});
      line.band_x.push_back(px);
      line.band_lo.push_back(static_cast<float>(ym.to_pixel(lo)));
      line.band_hi.push_back(static_cast<float>(ym.to_pixel(hi)));
      if (band == BandKind::Std) {
        if (ym.scale() == Scale::Linear || lo > 0.0f) {
          band_extent_.min = std::min(band_extent_.min, static_cast<double>(lo));
        }
        band_extent_.max = std::max(band_extent_.max, static_cast<double>(hi));
      }
      line.mean.push_back(m);
      line.std.push_back(stats_.std[i]);
      line.column.push_back(c);
    }
    if (iqm) iqm_intervals(g, ym, line);
    if (all_sparse) {
      // A marker on the mean line in each column where a run has a point of its own.
      marked_.assign(static_cast<std::size_t>(width), 0);
      for (const PreparedSeries* s : g.series) {
        for (double x : s->x()) {
          if (!xm.data().contains(x)) continue;
          // The column column_values() counts the point in (clamped at the view's edges).
          const double c = std::clamp(std::floor(xm.to_pixel(x) - p0), 0.0, width - 1.0);
          marked_[static_cast<std::size_t>(c)] = 1;
        }
      }
      for (std::size_t i = 0; i < line.column.size(); ++i) {
        if (!marked_[static_cast<std::size_t>(line.column[i])]) continue;
        line.marks.push_back({line.band_x[i], static_cast<float>(ym.to_pixel(line.mean[i]))});
      }
    }
  }
}

const tracker::Strata& ChartModel::column_strata(const ChartGroup& g, std::size_t column) {
  // strata_[0] pools every run's value (the IQM's input); strata_[1 + k] holds stratum k's.
  for (auto& s : strata_) s.clear();
  if (strata_.empty()) strata_.resize(1);
  for (std::size_t si = 0; si < run_values_.size(); ++si) {
    const float v = run_values_[si][column];
    if (std::isnan(v)) continue;
    const std::size_t k = 1 + (si < g.strata.size() ? static_cast<std::size_t>(g.strata[si]) : 0);
    if (strata_.size() <= k) strata_.resize(k + 1);
    strata_[0].push_back(v);
    strata_[k].push_back(v);
  }
  return strata_;
}

void ChartModel::iqm_intervals(const ChartGroup& g, const AxisMap& ym, ChartLine& line) {
  // A bootstrap at every pixel column costs seconds for 100 runs; the interval changes slowly
  // along the x axis, so it is resampled at every kIqmIntervalStride-th column and at both ends
  // of each stretch without gaps, and interpolated linearly in between.
  const std::size_t n = line.column.size();
  std::size_t last = 0;  // the previous sampled entry of this stretch
  for (std::size_t i = 0; i < n; ++i) {
    const bool starts = i == 0 || line.column[i] != line.column[i - 1] + 1;
    const bool ends = i + 1 == n || line.column[i + 1] != line.column[i] + 1;
    if (!(starts || ends || i - last >= kIqmIntervalStride)) continue;
    const tracker::Strata& s = column_strata(g, static_cast<std::size_t>(line.column[i]));
    const tracker::Strata by_stratum(s.begin() + 1, s.end());
    const tracker::Estimate e =
        tracker::aggregate_scores(by_stratum, {.resamples = kChartBootstrapResamples, .seed = 0})
            .iqm;
    line.ci_lo[i] = static_cast<float>(e.ci.lo);
    line.ci_hi[i] = static_cast<float>(e.ci.hi);
    for (std::size_t j = last + 1; !starts && j < i; ++j) {
      const float t = static_cast<float>(j - last) / static_cast<float>(i - last);
      line.ci_lo[j] = line.ci_lo[last] + t * (line.ci_lo[i] - line.ci_lo[last]);
      line.ci_hi[j] = line.ci_hi[last] + t * (line.ci_hi[i] - line.ci_hi[last]);
    }
    last = i;
  }
  for (std::size_t i = 0; i < n; ++i) {
    line.band_lo[i] = static_cast<float>(ym.to_pixel(line.ci_lo[i]));
    line.band_hi[i] = static_cast<float>(ym.to_pixel(line.ci_hi[i]));
  }
}

void ChartModel::hover(const std::vector<ChartGroup>& groups, const std::vector<ChartLine>& lines,
                       const AxisMap& xm, double x, std::vector<HoverValue>& out) {
  out.clear();
  const double p0 = xm.to_pixel(xm.data().min);
  const int col = static_cast<int>(std::floor(xm.to_pixel(x) - p0));
  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    const ChartGroup& g = groups[gi];
    if (g.series.size() > 1 && gi < lines.size()) {
      const ChartLine& l = lines[gi];
      const auto it = std::lower_bound(l.column.begin(), l.column.end(), col);
      if (it != l.column.end() && *it == col) {
        const std::size_t i = static_cast<std::size_t>(it - l.column.begin());
        if (l.ci_lo.empty()) {
          out.push_back({g.label, g.color, x, l.mean[i], l.std[i], true});
        } else {
          out.push_back({g.label, g.color, x, l.mean[i], -1.0, true, true, l.ci_lo[i], l.ci_hi[i]});
        }
      }
    }
    for (std::size_t si = 0; si < g.series.size(); ++si) {
      const PreparedSeries& s = *g.series[si];
      if (s.size() == 0) continue;
      const std::size_t i = nearest_index(s.x(), x);
      const std::string& label = si < g.run_labels.size() ? g.run_labels[si] : g.label;
      out.push_back({label, g.color, s.x()[i], s.y()[i], -1.0, false});
    }
  }
}

PixelPoint legend_position(const std::vector<ChartLine>& lines, PixelPoint lo, PixelPoint hi,
                           float w, float h, float margin) {
  // The four boxes share two x windows (left, right) and two y windows (top, bottom).
  const float lx = lo.x + margin, rx = hi.x - margin - w, ty = lo.y + margin,
              by = hi.y - margin - h;
  std::size_t covered[4] = {0, 0, 0, 0};  // top-left, top-right, bottom-left, bottom-right
  auto count = [&](float x, float y) {
    // Branch-free (& not &&): a point's side is unpredictable, a mispredict costs more.
    const bool left = (x >= lx) & (x <= lx + w), right = (x >= rx) & (x <= rx + w);
    const bool top = (y >= ty) & (y <= ty + h), bottom = (y >= by) & (y <= by + h);  // NaN: neither
    covered[0] += left & top;
    covered[1] += right & top;
    covered[2] += left & bottom;
    covered[3] += right & bottom;
  };
  for (const ChartLine& l : lines) {
    for (const PixelPoint& p : l.line) count(p.x, p.y);
    for (const PixelPoint& p : l.raw) count(p.x, p.y);
    for (std::size_t i = 0; i < l.band_x.size(); ++i) {
      count(l.band_x[i], l.band_lo[i]);
      count(l.band_x[i], l.band_hi[i]);
    }
  }
  const PixelPoint corners[4] = {{lx, ty}, {rx, ty}, {lx, by}, {rx, by}};
  return corners[std::min_element(covered, covered + 4) - covered];
}

}  // namespace rein::dashboard
