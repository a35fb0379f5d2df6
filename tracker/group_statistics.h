// Final values of grouped runs with robust aggregates: the seeds of each configuration (or the
// runs sharing a param) as mean ± std, mean, median and IQM with stratified-bootstrap intervals
// (strata: the runs' envs), and optionally performance profiles. What `rein runs compare` and
// `rein runs export --aggregate` print, in one JSON shape (docs/TRACKER.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tracker/statistics.h"
#include "tracker/store.h"

namespace rein::tracker {

struct GroupStatisticsOptions {
  std::string group_by{};  // as GroupOptions::by: empty groups the seeds of one configuration
  std::vector<std::string> metrics{};  // only these metrics (empty: every metric of the runs)
  std::size_t min_runs = 1;            // leave out groups with fewer runs
  BootstrapOptions bootstrap{};
  std::size_t profile_points = 0;  // thresholds of each metric's performance profile (0: none)
};

struct GroupStatistics {
  std::string label;
  std::string metric;
  std::vector<std::int64_t> run_ids;
  std::vector<std::string> envs;  // one per run: the strata the bootstrap resamples within
  std::vector<double> finals;     // the last value of `metric` of each run
  double std = 0.0;               // population std of the finals
  Aggregates aggregates;
  std::vector<ProfilePoint> profile;  // on thresholds shared by every group of this metric
};

// Groups in order of metric, then of their first run. Throws Error for bad bootstrap options.
std::vector<GroupStatistics> group_statistics(Store& store,
                                              const std::vector<std::int64_t>& run_ids,
                                              const GroupStatisticsOptions& options);

// Probability that a run of group x beats a run of group y on the same env
// (probability_of_improvement, envs matched by name), for every pair x < y of groups of one
// metric; indices into the groups given.
struct Improvement {
  std::size_t x = 0, y = 0;
  Estimate probability;
};
std::vector<Improvement> pairwise_improvement(const std::vector<GroupStatistics>& groups,
                                              const BootstrapOptions& options);

// {"bootstrap": {"resamples", "seed", "confidence", "strata": "env"}, "groups": [{"label",
// "metric", "runs", "envs", "finals", "mean", "std", "median", "iqm", "ci": {"mean": [lo, hi],
// "median": [..], "iqm": [..]}, "profile": [{"tau", "fraction", "ci"}]}], and with
// improvements "improvement": [{"metric", "x", "y", "probability", "ci"}] (x, y: labels)};
// NaN becomes null.
std::string group_statistics_json(const std::vector<GroupStatistics>& groups,
                                  const BootstrapOptions& options,
                                  const std::vector<Improvement>& improvements = {});

}  // namespace rein::tracker
