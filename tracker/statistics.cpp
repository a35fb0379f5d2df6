// Robust aggregates and stratified bootstrap intervals (see statistics.h). The resampling stream
// is splitmix64 with Lemire's unbiased bounded draw, simple enough that
// tests/tracker/statistics_fixtures.py reproduces every resample in numpy.
#include "tracker/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>

#include "tracker/error.h"

namespace rein::tracker {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kMaxBootstrapValues = std::size_t{1} << 24;  // 128 MiB of doubles

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, n) without modulo bias (Lemire 2019). n > 0.
  std::size_t below(std::uint64_t n) {
    unsigned __int128 m = static_cast<unsigned __int128>(next()) * n;
    if (static_cast<std::uint64_t>(m) < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (static_cast<std::uint64_t>(m) < threshold) {
        m = static_cast<unsigned __int128>(next()) * n;
      }
    }
    return static_cast<std::size_t>(m >> 64);
  }

 private:
  std::uint64_t state_;
};

// The finite values, sorted: resampling sorted input makes an interval depend on the values
// and the seed only, not on the order the runs came in.
std::vector<double> finite(const std::vector<double>& values) {
  std::vector<double> out;
  out.reserve(values.size());
  for (double v : values) {
    if (std::isfinite(v)) out.push_back(v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The finite scores of each non-empty stratum, strata in lexicographic order (again so that
// the order of envs does not change the resamples).
Strata clean(const Strata& scores) {
  Strata out;
  for (const auto& s : scores) {
    std::vector<double> f = finite(s);
    if (!f.empty()) out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end());
  return out;
}

double sorted_median(std::span<const double> s) {
  const std::size_t n = s.size();
  if (n == 0) return kNaN;
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
}

double sorted_iqm(std::span<const double> s) {
  if (s.empty()) return kNaN;
  const std::size_t cut = s.size() / 4;  // int(0.25 * n), as scipy.stats.trim_mean
  double sum = 0;
  for (std::size_t i = cut; i < s.size() - cut; ++i) sum += s[i];
  return sum / static_cast<double>(s.size() - 2 * cut);
}

double plain_mean(std::span<const double> s) {
  double sum = 0;
  for (double v : s) sum += v;
  return s.empty() ? kNaN : sum / static_cast<double>(s.size());
}

// The strata concatenated, and where each ends.
std::vector<double> pool(const Strata& strata, std::vector<std::size_t>& ends) {
  std::vector<double> pooled;
  ends.clear();
  for (const auto& s : strata) {
    pooled.insert(pooled.end(), s.begin(), s.end());
    ends.push_back(pooled.size());
  }
  return pooled;
}

// numpy.percentile(sorted, q) with its default linear interpolation; `sorted` non-empty.
double percentile(const std::vector<double>& sorted, double q) {
  const double h = (static_cast<double>(sorted.size()) - 1.0) * q / 100.0;
  const std::size_t lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

void check(const BootstrapOptions& o) {
  if (o.resamples == 0) {
    throw Error("bootstrap: resamples must be at least 1 (2000 or more for a 95% interval)");
  }
  if (!(o.confidence > 0.0 && o.confidence < 1.0)) {
    throw Error("bootstrap: confidence must be between 0 and 1 (exclusive), got " +
                std::to_string(o.confidence));
  }
}

// Draws options.resamples stratified resamples of `strata` (each stratum resampled to its own
// size, strata concatenated in order) and hands each to `statistic(pooled, ends, out)`, which
// writes `width` values to out; `pooled` is scratch the statistic may reorder, `ends[s]` the
// end of stratum s in it. Returns the percentile interval of each of the `width` values.
template <typename Statistic>
std::vector<Interval> bootstrap(const Strata& strata, std::size_t width,
                                const BootstrapOptions& options, Statistic&& statistic) {
  check(options);
  // Every resampled value is kept for its percentiles: refuse what would not fit in memory.
  if (width > kMaxBootstrapValues / options.resamples) {
    throw Error("bootstrap: " + std::to_string(options.resamples) + " resamples of " +
                std::to_string(width) + " values each is more than " +
                std::to_string(kMaxBootstrapValues) + " values; use fewer resamples or thresholds");
  }
  std::vector<std::size_t> ends;
  std::vector<double> pooled = pool(strata, ends), out(width);
  SplitMix64 rng(options.seed);
  std::vector<std::vector<double>> estimates(width, std::vector<double>(options.resamples));
  for (std::size_t b = 0; b < options.resamples; ++b) {
    std::size_t at = 0;
    for (const auto& s : strata) {
      for (std::size_t i = 0; i < s.size(); ++i) pooled[at++] = s[rng.below(s.size())];
    }
    statistic(std::span<double>(pooled), std::span<const std::size_t>(ends),
              std::span<double>(out));
    for (std::size_t k = 0; k < width; ++k) estimates[k][b] = out[k];
  }
  const double tail = (1.0 - options.confidence) / 2.0 * 100.0;
  std::vector<Interval> intervals(width);
  for (std::size_t k = 0; k < width; ++k) {
    std::sort(estimates[k].begin(), estimates[k].end());
    intervals[k] = {percentile(estimates[k], tail), percentile(estimates[k], 100.0 - tail)};
  }
  return intervals;
}

// Mean, median, IQM of `pooled` (sorted in place) into out[0..2].
void mean_median_iqm(std::span<double> pooled, std::span<const std::size_t>,
                     std::span<double> out) {
  std::sort(pooled.begin(), pooled.end());
  out[0] = plain_mean(pooled);
  out[1] = sorted_median(pooled);
  out[2] = sorted_iqm(pooled);
}

}  // namespace

double median(std::vector<double> values) { return sorted_median(finite(values)); }

double interquartile_mean(std::vector<double> values) { return sorted_iqm(finite(values)); }

Aggregates aggregate_scores(const Strata& scores, const BootstrapOptions& options) {
  check(options);
  const Strata strata = clean(scores);
  Aggregates a;
  a.strata = strata.size();
  std::vector<std::size_t> ends;
  std::vector<double> pooled = pool(strata, ends);
  a.runs = pooled.size();
  if (pooled.empty()) {
    a.mean = a.median = a.iqm = {kNaN, {kNaN, kNaN}};
    return a;
  }
  double point[3];
  mean_median_iqm(pooled, ends, point);
  const std::vector<Interval> ci = bootstrap(strata, 3, options, mean_median_iqm);
  a.mean = {point[0], ci[0]};
  a.median = {point[1], ci[1]};
  a.iqm = {point[2], ci[2]};
  return a;
}

std::vector<ProfilePoint> performance_profile(const Strata& scores, const std::vector<double>& taus,
                                              const BootstrapOptions& options) {
  check(options);
  const Strata strata = clean(scores);
  auto fractions = [&taus](std::span<double> pooled, std::span<const std::size_t> ends,
                           std::span<double> out) {
    std::fill(out.begin(), out.end(), 0.0);
    std::size_t begin = 0;
    for (std::size_t end : ends) {
      const double n = static_cast<double>(end - begin);
      for (std::size_t k = 0; k < taus.size(); ++k) {
        std::size_t above = 0;
        for (std::size_t i = begin; i < end; ++i) above += pooled[i] > taus[k];
        out[k] += static_cast<double>(above) / n;
      }
      begin = end;
    }
    for (double& f : out) f /= static_cast<double>(ends.size());
  };
  std::vector<ProfilePoint> profile(taus.size());
  for (std::size_t k = 0; k < taus.size(); ++k) profile[k] = {taus[k], kNaN, {kNaN, kNaN}};
  if (strata.empty() || taus.empty()) return profile;
  std::vector<std::size_t> ends;
  std::vector<double> pooled = pool(strata, ends), point(taus.size());
  fractions(pooled, ends, point);
  const std::vector<Interval> ci = bootstrap(strata, taus.size(), options, fractions);
  for (std::size_t k = 0; k < taus.size(); ++k) profile[k] = {taus[k], point[k], ci[k]};
  return profile;
}

std::vector<double> profile_thresholds(const std::vector<const Strata*>& groups,
                                       std::size_t count) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const Strata* g : groups) {
    for (const auto& s : *g) {
      for (double v : s) {
        if (!std::isfinite(v)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
  }
  if (count == 0 || lo > hi) return {};
  if (count == 1 || lo == hi) return {lo};
  std::vector<double> taus(count);
  for (std::size_t i = 0; i < count; ++i) {
    // As numpy.linspace: lo + i * step, with the last point exactly hi.
    taus[i] = i + 1 == count
                  ? hi
                  : lo + static_cast<double>(i) * ((hi - lo) / static_cast<double>(count - 1));
  }
  return taus;
}

Estimate probability_of_improvement(const Strata& x, const Strata& y,
                                    const BootstrapOptions& options) {
  check(options);
  // Tasks with runs on both sides, X's strata then Y's, so one bootstrap resamples both sides
  // independently within each task.
  std::vector<std::pair<std::vector<double>, std::vector<double>>> pairs;
  for (std::size_t s = 0; s < std::min(x.size(), y.size()); ++s) {
    std::vector<double> fx = finite(x[s]), fy = finite(y[s]);
    if (!fx.empty() && !fy.empty()) pairs.emplace_back(std::move(fx), std::move(fy));
  }
  std::sort(pairs.begin(), pairs.end());
  const std::size_t tasks = pairs.size();
  if (tasks == 0) return {kNaN, {kNaN, kNaN}};
  Strata both(2 * tasks);
  for (std::size_t t = 0; t < tasks; ++t) {
    both[t] = std::move(pairs[t].first);
    both[tasks + t] = std::move(pairs[t].second);
  }
  auto statistic = [tasks](std::span<double> pooled, std::span<const std::size_t> ends,
                           std::span<double> out) {
    double total = 0;
    for (std::size_t t = 0; t < tasks; ++t) {
      const std::size_t xb = t ? ends[t - 1] : 0, xe = ends[t];
      const std::size_t yb = ends[tasks + t - 1], ye = ends[tasks + t];
      double wins = 0;
      for (std::size_t i = xb; i < xe; ++i) {
        for (std::size_t j = yb; j < ye; ++j) {
          wins += pooled[i] > pooled[j] ? 1.0 : pooled[i] == pooled[j] ? 0.5 : 0.0;
        }
      }
      total += wins / static_cast<double>((xe - xb) * (ye - yb));
    }
    out[0] = total / static_cast<double>(tasks);
  };
  std::vector<std::size_t> ends;
  std::vector<double> pooled = pool(both, ends);
  double point = 0;
  statistic(pooled, ends, std::span<double>(&point, 1));
  return {point, bootstrap(both, 1, options, statistic)[0]};
}

}  // namespace rein::tracker
