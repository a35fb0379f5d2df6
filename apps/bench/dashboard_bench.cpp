// The dashboard's per-frame view-model work without GL: 100 selected runs of 100,000 points each
// turned into what one chart draws (decimated lines, or group bands), plus the naive full scan
// it replaces, measured side by side (docs/PERFORMANCE.md, dashboard section).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "apps/dashboard/chart_model.h"
#include "apps/dashboard/series.h"

namespace {

using namespace rein::dashboard;

constexpr int kRuns = 100;
constexpr std::size_t kPoints = 100000;
constexpr int kWidth = 800;  // pixel columns of one chart on a 1600-wide window
constexpr int kHeight = 400;

// Noisy learning curves, prepared once (as the dashboard does when data arrives).
const std::vector<std::unique_ptr<PreparedSeries>>& series(double smoothing) {
  static std::vector<std::unique_ptr<PreparedSeries>> raw, smooth;
  auto& out = smoothing > 0 ? smooth : raw;
  if (out.empty()) {
    std::mt19937 rng(1);
    std::normal_distribution<float> noise(0.0f, 20.0f);
    for (int r = 0; r < kRuns; ++r) {
      SeriesData d;
      d.step.reserve(kPoints);
      d.wall.reserve(kPoints);
      d.value.reserve(kPoints);
      for (std::size_t i = 0; i < kPoints; ++i) {
        const double p = 1.0 - std::exp(-static_cast<double>(i) / (20000.0 + 300.0 * r));
        d.append(static_cast<double>(i) * 10.0, 1e9 + static_cast<double>(i),
                 450.0 * p + noise(rng));
      }
      out.push_back(std::make_unique<PreparedSeries>());
      out.back()->prepare(d, XAxis::Step, 1e9, smoothing);
    }
  }
  return out;
}

std::vector<ChartGroup> groups_of(int per_group, double smoothing) {
  const auto& s = series(smoothing);
  std::vector<ChartGroup> groups;
  for (int r = 0; r < kRuns; ++r) {
    if (r % per_group == 0) groups.push_back({"g", r / per_group, {}, {}});
    groups.back().series.push_back(s[static_cast<std::size_t>(r)].get());
  }
  return groups;
}

void run_frame(benchmark::State& state, int per_group, double smoothing,
               BandKind band = BandKind::Std) {
  const std::vector<ChartGroup> groups = groups_of(per_group, smoothing);
  Range x, y;
  ChartModel::extent(groups, Scale::Linear, x, y);
  // Zoomed to the middle half, as after a box zoom (the full view is the same work).
  const double zoom = static_cast<double>(state.range(0)) / 100.0;
  const double mid = (x.min + x.max) / 2, half = (x.max - x.min) * zoom / 2;
  const AxisMap xm({mid - half, mid + half}, 60, 60 + kWidth);
  const AxisMap ym(y, 20 + kHeight, 20);
  ChartModel model;
  std::vector<ChartLine> lines;
  std::size_t points = 0;
  for (auto _ : state) {
    model.build(groups, xm, ym, kWidth, band, true, lines);
    // The legend's corner is chosen every frame from the same points (plot_widget.cpp).
    benchmark::DoNotOptimize(
        legend_position(lines, {60, 20}, {60 + kWidth, 20 + kHeight}, 300, 200, 6));
    points = 0;
    for (const ChartLine& l : lines) points += l.line.size() + l.raw.size() + l.band_x.size();
    benchmark::DoNotOptimize(points);
  }
  state.counters["points_to_renderer"] = static_cast<double>(points);
  state.counters["max_points_per_px_per_series"] =
      static_cast<double>(points) / kWidth /
      (per_group == 1 ? kRuns * (smoothing > 0 ? 2 : 1) : kRuns / per_group);
}

// 100 runs, each its own line, EMA on with the raw curve faint behind: 200 decimations.
void BM_DashboardFrame_100Runs_Lines(benchmark::State& state) { run_frame(state, 1, 0.6); }
// 100 runs in 10 groups of 10 seeds: mean line and std band per group.
void BM_DashboardFrame_100Runs_Groups(benchmark::State& state) { run_frame(state, 10, 0.6); }
// The same groups drawn as IQM lines with bootstrap 95% bands (rebuilt only when the view or
// the data change, not on hover).
void BM_DashboardFrame_100Runs_GroupsIqm(benchmark::State& state) {
  run_frame(state, 10, 0.6, BandKind::IqmCi);
}

// The comparison: the same min/max per pixel column found by scanning every point.
void BM_NaiveScan_100Runs(benchmark::State& state) {
  const auto& s = series(0.6);
  Range x, y;
  ChartModel::extent(groups_of(1, 0.6), Scale::Linear, x, y);
  const AxisMap xm(x, 60, 60 + kWidth);
  std::vector<float> lo(kWidth), hi(kWidth);
  for (auto _ : state) {
    for (const auto& ps : s) {
      std::fill(lo.begin(), lo.end(), INFINITY);
      std::fill(hi.begin(), hi.end(), -INFINITY);
      const auto xs = ps->x();
      const auto ys = ps->y();
      const double p0 = xm.to_pixel(x.min);
      for (std::size_t i = 0; i < xs.size(); ++i) {
        const int c = std::clamp(static_cast<int>(xm.to_pixel(xs[i]) - p0), 0, kWidth - 1);
        lo[static_cast<std::size_t>(c)] = std::min(lo[static_cast<std::size_t>(c)], ys[i]);
        hi[static_cast<std::size_t>(c)] = std::max(hi[static_cast<std::size_t>(c)], ys[i]);
      }
      benchmark::DoNotOptimize(lo.data());
      benchmark::DoNotOptimize(hi.data());
    }
  }
}

// One-off cost when data arrives or smoothing changes: EMA plus both pyramids for one run.
void BM_PrepareSeries_100k(benchmark::State& state) {
  SeriesData d;
  for (std::size_t i = 0; i < kPoints; ++i)
    d.append(static_cast<double>(i), 0.0, std::sin(0.001 * i));
  PreparedSeries s;
  for (auto _ : state) {
    s.prepare(d, XAxis::Step, 0.0, 0.6);
    benchmark::DoNotOptimize(s.size());
  }
}

}  // namespace

BENCHMARK(BM_DashboardFrame_100Runs_Lines)->Arg(100)->Arg(50)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DashboardFrame_100Runs_Groups)->Arg(100)->Arg(50)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DashboardFrame_100Runs_GroupsIqm)->Arg(100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NaiveScan_100Runs)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PrepareSeries_100k)->Unit(benchmark::kMillisecond);
