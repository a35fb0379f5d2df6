// Grid, random and TPE points; the successive-halving rule.
#include "session/samplers.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "tensor/generator.h"

namespace rein::session {
namespace {

using Kind = SearchParam::Kind;

// The axis a sampler works on. Choices are indices; Int params widen by half a step on each
// side so every integer gets an equal share; log scales work on log(value).
struct Axis {
  double low = 0, high = 0;
  bool discrete = false;  // Int on a linear scale: kernels give mass to [k - 0.5, k + 0.5]
};

Axis axis(const SearchParam& p) {
  switch (p.kind) {
    case Kind::Choice:
      return {0, static_cast<double>(p.choices.size() - 1), true};
    case Kind::Uniform:
      return {p.low, p.high, false};
    case Kind::LogUniform:
      return {std::log(p.low), std::log(p.high), false};
    case Kind::Int:
      if (p.log) return {std::log(p.low - 0.5), std::log(p.high + 0.5), false};
      return {p.low, p.high, true};
  }
  return {};
}

// A value on the axis as the param stores it (rounded to an integer, an index, ...).
double snap(const SearchParam& p, double x) { return to_internal(p, from_internal(p, x)); }

// One generator per (sweep seed, trial number, param): resuming or reordering params draws the
// same numbers for the same question. A param is keyed by its place among the params sorted by
// name, not by its place in the file, so moving a line of [params] changes no draw.
Generator generator(const SweepSpec& spec, int64_t number, size_t index, uint64_t salt) {
  size_t param = 0;
  for (const SearchParam& p : spec.space) param += p.name < spec.space[index].name;
  uint64_t seed = spec.sampler_seed * 0x9E3779B97F4A7C15ull;
  seed ^= static_cast<uint64_t>(number) * 0xBF58476D1CE4E5B9ull + salt;
  seed ^= static_cast<uint64_t>(param + 1) * 0x94D049BB133111EBull;
  return Generator(seed);
}

double uniform_on(const SearchParam& p, Generator& g) {
  if (p.kind == Kind::Choice)
    return static_cast<double>(g.randint(0, static_cast<int64_t>(p.choices.size())));
  const Axis a = axis(p);
  if (p.kind == Kind::Int && !p.log) return snap(p, g.uniform(a.low - 0.5, a.high + 0.5));
  return snap(p, g.uniform(a.low, a.high));
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// ---- Parzen estimators -------------------------------------------------------------------

// A weighted mixture of kernels over one param's axis.
class Parzen {
 public:
  Parzen(const SearchParam& p, const std::vector<double>& xs, const std::vector<double>& weights,
         double prior_weight)
      : p_(p), a_(axis(p)) {
    // Mixture weights: the observations', then the prior's, normalised.
    w_ = weights;
    w_.push_back(prior_weight);
    const double total = std::accumulate(w_.begin(), w_.end(), 0.0);
    for (double& w : w_) w /= total;
    if (p.kind == Kind::Choice) {
      // Each observation: prior_weight / n_kernels on every choice, +1 on its own; the prior:
      // uniform (Optuna's categorical kernels).
      const size_t n = p.choices.size(), kernels = xs.size() + 1;
      for (size_t k = 0; k < kernels; ++k) {
        std::vector<double> row(n, k + 1 == kernels ? 1.0 : prior_weight / kernels);
        if (k + 1 < kernels) row[static_cast<size_t>(xs[k])] += 1.0;
        const double sum = std::accumulate(row.begin(), row.end(), 0.0);
        for (double& v : row) v /= sum;
        cat_.push_back(std::move(row));
      }
      return;
    }
    // Truncated normals at the observations and the prior (the middle of the axis, sigma the
    // whole range). Each bandwidth is the larger gap to its sorted neighbours (the ends using
    // their one inner gap), clipped to [range / min(100, 1 + kernels), range]: Optuna's
    // univariate rule with its "magic clip".
    const double low = a_.discrete ? a_.low - 0.5 : a_.low;
    const double high = a_.discrete ? a_.high + 0.5 : a_.high;
    const double range = high - low;
    mu_ = xs;
    mu_.push_back(0.5 * (low + high));
    std::vector<size_t> order(mu_.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t i, size_t j) { return mu_[i] < mu_[j]; });
    std::vector<double> ends{low};
    for (size_t i : order) ends.push_back(mu_[i]);
    ends.push_back(high);
    std::vector<double> sorted_sigma(order.size());
    for (size_t i = 0; i < order.size(); ++i)
      sorted_sigma[i] = std::max(ends[i + 1] - ends[i], ends[i + 2] - ends[i + 1]);
    if (ends.size() >= 4) {
      sorted_sigma.front() = ends[2] - ends[1];
      sorted_sigma.back() = ends[ends.size() - 2] - ends[ends.size() - 3];
    }
    sigma_.assign(mu_.size(), 0.0);
    const double min_sigma = range / std::min(100.0, 1.0 + static_cast<double>(mu_.size()));
    for (size_t i = 0; i < order.size(); ++i)
      sigma_[order[i]] = std::clamp(sorted_sigma[i], min_sigma, range);
    sigma_.back() = range;  // the prior
    lo_ = low;
    hi_ = high;
  }

  double sample(Generator& g) const {
    double u = g.uniform(), acc = 0;
    size_t k = 0;
    for (; k + 1 < w_.size(); ++k) {
      acc += w_[k];
      if (u < acc) break;
    }
    if (p_.kind == Kind::Choice) {
      double v = g.uniform(), c = 0;
      const std::vector<double>& row = cat_[k];
      for (size_t i = 0; i < row.size(); ++i) {
        c += row[i];
        if (v < c) return static_cast<double>(i);
      }
      return static_cast<double>(row.size() - 1);
    }
    // Rejection from the normal: exact for the truncated normal, and with sigma <= range and mu
    // inside the bounds at least about a third of the draws land inside.
    for (int tries = 0; tries < 10000; ++tries) {
      const double x = mu_[k] + sigma_[k] * g.normal();
      if (x >= lo_ && x <= hi_) return snap(p_, x);
    }
    return snap(p_, mu_[k]);
  }

  double log_pdf(double x) const {
    double total = 0;
    for (size_t k = 0; k < w_.size(); ++k) total += w_[k] * kernel(k, x);
    return std::log(std::max(total, std::numeric_limits<double>::min()));
  }

 private:
  double kernel(size_t k, double x) const {
    if (p_.kind == Kind::Choice) return cat_[k][static_cast<size_t>(x)];
    const double mass =
        normal_cdf((hi_ - mu_[k]) / sigma_[k]) - normal_cdf((lo_ - mu_[k]) / sigma_[k]);
    if (a_.discrete)  // the probability of the integer's cell
      return (normal_cdf((x + 0.5 - mu_[k]) / sigma_[k]) -
              normal_cdf((x - 0.5 - mu_[k]) / sigma_[k])) /
             mass;
    const double z = (x - mu_[k]) / sigma_[k];
    return std::exp(-0.5 * z * z) / (sigma_[k] * std::sqrt(2 * M_PI)) / mass;
  }

  const SearchParam& p_;
  Axis a_;
  std::vector<double> w_, mu_, sigma_;
  std::vector<std::vector<double>> cat_;
  double lo_ = 0, hi_ = 0;
};

// Optuna's default_weights: equal below 25 observations, else a ramp from 1/n to 1 over the
// older ones and 1 for the newest 25.
std::vector<double> observation_weights(size_t n) {
  std::vector<double> w(n, 1.0);
  if (n < 25) return w;
  const size_t ramp = n - 25;
  for (size_t i = 0; i < ramp; ++i)
    w[i] = ramp == 1 ? 1.0 / static_cast<double>(n)
                     : 1.0 / static_cast<double>(n) + (1.0 - 1.0 / static_cast<double>(n)) *
                                                          static_cast<double>(i) /
                                                          static_cast<double>(ramp - 1);
  return w;
}

}  // namespace

int64_t grid_size(const SweepSpec& spec) {
  int64_t n = 1;
  for (const SearchParam& p : spec.space)
    n *= p.kind == Kind::Choice ? static_cast<int64_t>(p.choices.size()) : p.grid_points;
  return n;
}

std::optional<Point> grid_point(const SweepSpec& spec, int64_t number) {
  if (number < 0 || number >= grid_size(spec)) return std::nullopt;
  Point x;
  int64_t rest = number;
  for (size_t i = spec.space.size(); i-- > 0;) {  // the last param varies fastest
    const SearchParam& p = spec.space[i];
    const int64_t levels =
        p.kind == Kind::Choice ? static_cast<int64_t>(p.choices.size()) : p.grid_points;
    const int64_t level = rest % levels;
    rest /= levels;
    if (p.kind == Kind::Choice) {
      x[p.name] = static_cast<double>(level);
    } else {
      const Axis a = axis(p);
      const double lo = p.kind == Kind::Int && p.log ? std::log(p.low) : a.low;
      const double hi = p.kind == Kind::Int && p.log ? std::log(p.high) : a.high;
      x[p.name] =
          snap(p, lo + (hi - lo) * static_cast<double>(level) / static_cast<double>(levels - 1));
    }
  }
  return x;
}

Point random_point(const SweepSpec& spec, int64_t number) {
  Point x;
  for (size_t i = 0; i < spec.space.size(); ++i) {
    Generator g = generator(spec, number, i, 1);
    x[spec.space[i].name] = uniform_on(spec.space[i], g);
  }
  return x;
}

Point tpe_point(const SweepSpec& spec, const std::vector<Observation>& history, int64_t number,
                const TpeOptions& options) {
  if (static_cast<int64_t>(history.size()) < options.startup_trials)
    return random_point(spec, number);
  // Rank: complete trials by loss, then pruned ones (further rungs first, then by loss).
  std::vector<size_t> rank(history.size());
  std::iota(rank.begin(), rank.end(), 0);
  std::stable_sort(rank.begin(), rank.end(), [&](size_t i, size_t j) {
    const Observation &a = history[i], &b = history[j];
    if (a.state != b.state) return a.state == Observation::State::Complete;
    if (a.state == Observation::State::Pruned && a.rungs != b.rungs) return a.rungs > b.rungs;
    return a.loss < b.loss;
  });
  const size_t n = history.size();
  const size_t n_below =
      std::min<size_t>(static_cast<size_t>(std::ceil(0.1 * static_cast<double>(n))), 25);
  std::vector<bool> below(n, false);
  for (size_t i = 0; i < n_below; ++i) below[rank[i]] = true;

  Point x;
  for (size_t i = 0; i < spec.space.size(); ++i) {
    const SearchParam& p = spec.space[i];
    // Observations in trial order, so the weights favour recent trials.
    std::vector<double> xs_below, xs_above;
    for (size_t t = 0; t < n; ++t)
      (below[t] ? xs_below : xs_above).push_back(history[t].x.at(p.name));
    const Parzen l(p, xs_below, observation_weights(xs_below.size()), options.prior_weight);
    const Parzen g(p, xs_above, observation_weights(xs_above.size()), options.prior_weight);
    Generator gen = generator(spec, number, i, 2);
    double best = 0, best_score = -std::numeric_limits<double>::infinity();
    for (int64_t c = 0; c < options.ei_candidates; ++c) {
      const double candidate = l.sample(gen);
      const double score = l.log_pdf(candidate) - g.log_pdf(candidate);
      if (score > best_score) {
        best_score = score;
        best = candidate;
      }
    }
    x[p.name] = best;
  }
  return x;
}

bool promote_at_rung(double value, const std::vector<double>& rung_values, int64_t eta,
                     bool maximize) {
  if (std::isnan(value)) return false;
  std::vector<double> sorted;
  for (double v : rung_values)
    if (!std::isnan(v)) sorted.push_back(v);
  if (sorted.empty()) return true;
  std::sort(sorted.begin(), sorted.end());
  if (maximize) std::reverse(sorted.begin(), sorted.end());
  const size_t keep = std::max<size_t>(1, sorted.size() / static_cast<size_t>(eta));
  const double threshold = sorted[std::min(keep, sorted.size()) - 1];
  return maximize ? value >= threshold : value <= threshold;
}

}  // namespace rein::session
