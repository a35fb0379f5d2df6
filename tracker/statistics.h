// Aggregates over runs that hold up with few seeds, after Agarwal et al. (2021), "Deep
// Reinforcement Learning at the Edge of the Statistical Precipice": mean, median and the
// interquartile mean (IQM), each with a stratified-bootstrap confidence interval; performance
// profiles (the fraction of runs scoring above each threshold) with their intervals; and the
// probability that one group of runs beats another. `rein runs compare`, `rein runs export
// --aggregate` and the dashboard all call these, so their numbers agree. Pure functions: no
// store, no global state; every bootstrap is seeded and gives the same answer on every machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rein::tracker {

// Scores by stratum: strata[s] holds the runs' scores on task (env) s. Values that are not finite
// are ignored everywhere, and a stratum left empty counts as absent.
using Strata = std::vector<std::vector<double>>;

// Middle value of the finite values (the mean of the two middle ones for an even count, as
// numpy.median); NaN when there are none.
double median(std::vector<double> values);

// Interquartile mean of the finite values: sorted, floor(n/4) dropped from each end, the rest
// averaged. This is scipy.stats.trim_mean(values, 0.25), which rliable's IQM calls, so results
// match the paper's library; for n not divisible by 4 it trims less than a quarter (n = 3 and
// n = 2 keep every value) rather than weighting the boundary values fractionally. NaN when there
// are no finite values.
double interquartile_mean(std::vector<double> values);

struct Interval {
  double lo = 0.0;
  double hi = 0.0;
};

struct Estimate {
  double value = 0.0;  // over the observed scores
  Interval ci;         // bootstrap percentile interval
};

// Every function below throws Error for zero resamples, a confidence outside (0, 1), or more than
// 2^24 resampled values in all (resamples x statistics, e.g. x profile thresholds).
struct BootstrapOptions {
  std::size_t resamples = 10000;
  std::uint64_t seed = 0;
  double confidence = 0.95;  // in (0, 1)
};

// Mean, median and IQM of all finite scores pooled over the strata, with confidence intervals
// from one stratified bootstrap: each resample draws, within every stratum, as many runs as it has,
// with replacement (rliable's StratifiedBootstrap), pools them and computes all three. Intervals
// are the (1 - confidence)/2 and (1 + confidence)/2 percentiles of the resampled values, with
// numpy.percentile's linear interpolation. The resamples are drawn from each stratum's scores
// sorted, strata in lexicographic order, so an interval depends on the scores and the seed, not
// on the order of runs or envs. Everything is NaN when no score is finite.
struct Aggregates {
  std::size_t runs = 0;    // finite scores
  std::size_t strata = 0;  // non-empty strata
  Estimate mean, median, iqm;
};
Aggregates aggregate_scores(const Strata& scores, const BootstrapOptions& options = {});

// Performance profile: at each threshold tau, the fraction of runs scoring above tau (strictly),
// averaged over strata (so every task weighs the same however many runs it has; with equal
// counts this is the pooled fraction, rliable's run-score distribution), with stratified
// bootstrap intervals at each tau from one set of resamples. NaN when no score is finite.
struct ProfilePoint {
  double tau = 0.0;
  double fraction = 0.0;
  Interval ci;
};
std::vector<ProfilePoint> performance_profile(const Strata& scores, const std::vector<double>& taus,
                                              const BootstrapOptions& options = {});

// `count` thresholds evenly spaced from the smallest to the largest finite score of all `groups`
// (one common grid so profiles of several groups can be read against each other). Empty when
// no score is finite; one threshold when count is 1 or every score is equal.
std::vector<double> profile_thresholds(const std::vector<const Strata*>& groups, std::size_t count);

// Probability that a run of X scores higher than a run of Y on the same task: per stratum the
// Mann-Whitney statistic (1 for x > y, 1/2 for a tie, over every pair), averaged over the strata
// both have runs in; strata are matched by position. The interval resamples X and Y
// independently within each stratum (rliable's probability of improvement). NaN when no stratum
// has runs on both sides.
Estimate probability_of_improvement(const Strata& x, const Strata& y,
                                    const BootstrapOptions& options = {});

}  // namespace rein::tracker
