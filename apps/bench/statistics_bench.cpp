// The stratified bootstrap of tracker/statistics.h (10 seeds on each of 5 envs, 2,000
// resamples: mean, median and IQM with 95% intervals) beside a plain hand-written loop that
// computes only the IQM interval the same way (docs/PERFORMANCE.md, statistics).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "tracker/statistics.h"

namespace {

constexpr int kSeeds = 10;
constexpr int kEnvs = 5;
constexpr std::size_t kResamples = 2000;

rein::tracker::Strata scores() {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> noise(0.0, 50.0);
  rein::tracker::Strata s(kEnvs);
  for (int e = 0; e < kEnvs; ++e) {
    for (int i = 0; i < kSeeds; ++i)
      s[static_cast<std::size_t>(e)].push_back(100.0 * e + noise(rng));
  }
  return s;
}

void BM_StratifiedBootstrap_10Seeds5Envs(benchmark::State& state) {
  const rein::tracker::Strata s = scores();
  for (auto _ : state) {
    benchmark::DoNotOptimize(rein::tracker::aggregate_scores(s, {.resamples = kResamples}));
  }
  state.counters["resamples_per_s"] = benchmark::Counter(
      static_cast<double>(kResamples), benchmark::Counter::kIsIterationInvariantRate);
}

// The comparison: resample each env's seeds with std::mt19937_64, sort, IQM, then the 2.5 and
// 97.5 percentiles; no NaN handling, one statistic.
void BM_HandwrittenBootstrapIqm_10Seeds5Envs(benchmark::State& state) {
  const rein::tracker::Strata s = scores();
  std::vector<double> pooled(kSeeds * kEnvs), estimates(kResamples);
  for (auto _ : state) {
    std::mt19937_64 rng(0);
    std::uniform_int_distribution<std::size_t> pick(0, kSeeds - 1);
    for (std::size_t b = 0; b < kResamples; ++b) {
      std::size_t at = 0;
      for (const auto& env : s) {
        for (int i = 0; i < kSeeds; ++i) pooled[at++] = env[pick(rng)];
      }
      std::sort(pooled.begin(), pooled.end());
      const std::size_t cut = pooled.size() / 4;
      double sum = 0;
      for (std::size_t i = cut; i < pooled.size() - cut; ++i) sum += pooled[i];
      estimates[b] = sum / static_cast<double>(pooled.size() - 2 * cut);
    }
    std::sort(estimates.begin(), estimates.end());
    const auto at = [&](double q) {
      const double h = (kResamples - 1) * q;
      const std::size_t lo = static_cast<std::size_t>(h);
      return estimates[lo] + (h - static_cast<double>(lo)) * (estimates[lo + 1] - estimates[lo]);
    };
    benchmark::DoNotOptimize(at(0.025));
    benchmark::DoNotOptimize(at(0.975));
  }
  state.counters["resamples_per_s"] = benchmark::Counter(
      static_cast<double>(kResamples), benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK(BM_StratifiedBootstrap_10Seeds5Envs)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HandwrittenBootstrapIqm_10Seeds5Envs)->Unit(benchmark::kMillisecond);
