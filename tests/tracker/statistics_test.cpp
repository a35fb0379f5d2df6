// The estimators of tracker/statistics.h: values worked out by hand, and bootstrap intervals
// against numpy (statistics_fixtures.h, written by statistics_fixtures.py, which replays the
// same resampling stream).
#include "tracker/statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/tracker/statistics_fixtures.h"
#include "tracker/error.h"

namespace rein::tracker {
namespace {

constexpr double kNaN = fixtures::kNaN;

void expect_close(double actual, double expected, const std::string& what) {
  EXPECT_NEAR(actual, expected, 1e-12 * std::max(1.0, std::abs(expected))) << what;
}

void expect_estimate(const Estimate& e, const fixtures::Expected& x, const std::string& what) {
  expect_close(e.value, x.value, what + " value");
  expect_close(e.ci.lo, x.lo, what + " ci.lo");
  expect_close(e.ci.hi, x.hi, what + " ci.hi");
}

TEST(Statistics, MedianByHand) {
  EXPECT_EQ(median({3, 1, 2}), 2);
  EXPECT_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(median({7}), 7);
  EXPECT_EQ(median({5, kNaN, 1, INFINITY}), 3);  // only the finite 5 and 1
  EXPECT_TRUE(std::isnan(median({})));
  EXPECT_TRUE(std::isnan(median({kNaN})));
}

TEST(Statistics, InterquartileMeanTrimsFloorOfAQuarterFromEachEnd) {
  EXPECT_EQ(interquartile_mean({8, 1, 7, 2, 6, 3, 5, 4}), 4.5);          // mean of 3, 4, 5, 6
  EXPECT_EQ(interquartile_mean({1, 2, 3, 4, 100}), 3);                   // n=5: one off each end
  EXPECT_EQ(interquartile_mean({1, 2, 3, 4, 5, 6, 7, 1000, -1000}), 4);  // n=9: two off each end
  // n < 4 trims nothing (scipy.stats.trim_mean(x, 0.25), as rliable): the plain mean.
  EXPECT_DOUBLE_EQ(interquartile_mean({1, 2, 10}), 13.0 / 3.0);
  EXPECT_EQ(interquartile_mean({2, 4}), 3);
  EXPECT_EQ(interquartile_mean({-5}), -5);
  EXPECT_EQ(interquartile_mean({1, kNaN, 2, 3, 4, -INFINITY}), 2.5);  // n=4 finite: 2 and 3
  EXPECT_TRUE(std::isnan(interquartile_mean({})));
}

TEST(Statistics, RunsAllAliveGiveADegenerateInterval) {
  // One run per task: every resample is the data itself.
  const Aggregates a = aggregate_scores({{3}, {5}, {10}}, {.resamples = 200});
  EXPECT_EQ(a.runs, 3u);
  EXPECT_EQ(a.strata, 3u);
  EXPECT_EQ(a.mean.value, 6);
  EXPECT_EQ(a.mean.ci.lo, 6);
  EXPECT_EQ(a.mean.ci.hi, 6);
  EXPECT_EQ(a.median.value, 5);
  EXPECT_EQ(a.median.ci.lo, 5);
  EXPECT_EQ(a.iqm.ci.hi, 6);
}

TEST(Statistics, BootstrapResamplesWithinEachTask) {
  // Task A scores 0 on every run, task B 10: pooled resampling would mix the two and the mean
  // would wander; resampling within each task keeps four of each, so every resample's mean is 5.
  const Aggregates a = aggregate_scores({{0, 0, 0, 0}, {10, 10, 10, 10}}, {.resamples = 500});
  EXPECT_EQ(a.mean.value, 5);
  EXPECT_EQ(a.mean.ci.lo, 5);
  EXPECT_EQ(a.mean.ci.hi, 5);
  EXPECT_EQ(a.iqm.ci.lo, 5);
  EXPECT_EQ(a.iqm.ci.hi, 5);
}

TEST(Statistics, IntervalsContainTheEstimateAndNarrowWithConfidence) {
  const Strata s = {{500, 487, 12, 499, 500, 231, 476, 500, 9, 455}};
  const Aggregates wide = aggregate_scores(s, {.resamples = 4000, .seed = 1, .confidence = 0.99});
  const Aggregates narrow = aggregate_scores(s, {.resamples = 4000, .seed = 1, .confidence = 0.5});
  for (const auto* e : {&wide.mean, &wide.median, &wide.iqm}) {
    EXPECT_LE(e->ci.lo, e->value);
    EXPECT_GE(e->ci.hi, e->value);
  }
  EXPECT_LT(wide.mean.ci.lo, narrow.mean.ci.lo);
  EXPECT_GT(wide.mean.ci.hi, narrow.mean.ci.hi);
}

TEST(Statistics, SeededAndDeterministic) {
  const Strata s = {{1, 5, 2, 8, 3}, {10, 30, 20}};
  const Aggregates a = aggregate_scores(s, {.resamples = 300, .seed = 9});
  const Aggregates b = aggregate_scores(s, {.resamples = 300, .seed = 9});
  const Aggregates c = aggregate_scores(s, {.resamples = 300, .seed = 10});
  EXPECT_EQ(a.iqm.ci.lo, b.iqm.ci.lo);
  EXPECT_EQ(a.iqm.ci.hi, b.iqm.ci.hi);
  EXPECT_EQ(a.mean.value, c.mean.value);
  EXPECT_TRUE(a.mean.ci.lo != c.mean.ci.lo || a.mean.ci.hi != c.mean.ci.hi);
}

TEST(Statistics, OrderOfRunsAndEnvsDoesNotChangeTheInterval) {
  const BootstrapOptions o{.resamples = 300, .seed = 5};
  const Aggregates a = aggregate_scores({{1, 5, 2, 8, 3}, {10, 30, 20}}, o);
  const Aggregates b = aggregate_scores({{30, 10, 20}, {8, 3, 5, 1, 2}}, o);
  EXPECT_EQ(a.iqm.ci.lo, b.iqm.ci.lo);
  EXPECT_EQ(a.iqm.ci.hi, b.iqm.ci.hi);
  EXPECT_EQ(a.mean.ci.lo, b.mean.ci.lo);
  const Estimate p = probability_of_improvement({{3, 1}, {9, 7, 8}}, {{2, 2}, {8, 6}}, o);
  const Estimate q = probability_of_improvement({{7, 9, 8}, {1, 3}}, {{6, 8}, {2, 2}}, o);
  EXPECT_EQ(p.value, q.value);
  EXPECT_EQ(p.ci.lo, q.ci.lo);
  EXPECT_EQ(p.ci.hi, q.ci.hi);
}

TEST(Statistics, NoFiniteScoreIsNaNNotACrash) {
  const Aggregates a = aggregate_scores({{}, {kNaN, INFINITY}});
  EXPECT_EQ(a.runs, 0u);
  EXPECT_EQ(a.strata, 0u);
  EXPECT_TRUE(std::isnan(a.iqm.value));
  EXPECT_TRUE(std::isnan(a.iqm.ci.lo));
  const auto p = performance_profile({}, {1.0, 2.0});
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[1].tau, 2.0);
  EXPECT_TRUE(std::isnan(p[0].fraction));
  EXPECT_TRUE(std::isnan(probability_of_improvement({{1.0}}, {{}}).value));
}

TEST(Statistics, BadOptionsAreRejectedWithTheFix) {
  for (BootstrapOptions o :
       {BootstrapOptions{.resamples = 0}, BootstrapOptions{.confidence = 1.0},
        BootstrapOptions{.confidence = 0.0}, BootstrapOptions{.confidence = kNaN}}) {
    try {
      aggregate_scores({{1, 2, 3}}, o);
      ADD_FAILURE() << "no error for resamples=" << o.resamples << " confidence=" << o.confidence;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("bootstrap:"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(performance_profile({{1}}, {0.5}, {.resamples = 0}), Error);
  // 1000 thresholds x 10^6 resamples would keep 8 GB of values: refused before allocating.
  EXPECT_THROW(
      performance_profile({{1, 2}}, std::vector<double>(1000, 1.0), {.resamples = 1000000}), Error);
  EXPECT_THROW(probability_of_improvement({{1}}, {{2}}, {.confidence = 2}), Error);
}

TEST(Statistics, PerformanceProfileByHand) {
  const auto p = performance_profile({{1, 2, 3, 4}}, {0, 2, 4}, {.resamples = 100});
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].fraction, 1.0);  // every run above 0
  EXPECT_EQ(p[1].fraction, 0.5);  // 3 and 4: strictly above 2
  EXPECT_EQ(p[2].fraction, 0.0);
  EXPECT_EQ(p[0].ci.lo, 1.0);  // every resample is above 0 too
  // Tasks weigh the same: (1/2 + 3/4) / 2, not the pooled 4/6.
  EXPECT_EQ(performance_profile({{1, 2}, {1, 2, 3, 4}}, {1.5})[0].fraction, 0.625);
}

TEST(Statistics, ProfileThresholdsSpanEveryGroup) {
  const Strata a = {{2, 4}}, b = {{0, kNaN}, {10}};
  EXPECT_EQ(profile_thresholds({&a, &b}, 6), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(profile_thresholds({&a}, 1), std::vector<double>{2});
  const Strata flat = {{3, 3}};
  EXPECT_EQ(profile_thresholds({&flat}, 5), std::vector<double>{3});
  const Strata none = {{kNaN}};
  EXPECT_TRUE(profile_thresholds({&none}, 5).empty());
}

TEST(Statistics, ProbabilityOfImprovementByHand) {
  // x=1 loses to both 2s, x=3 beats both: 2 of 4 pairs.
  EXPECT_EQ(probability_of_improvement({{1, 3}}, {{2, 2}}).value, 0.5);
  EXPECT_EQ(probability_of_improvement({{2}}, {{2}}).value, 0.5);  // a tie counts half
  EXPECT_EQ(probability_of_improvement({{5}, {0}}, {{1}, {0, 1}}).value, (1.0 + 0.25) / 2);
  EXPECT_EQ(probability_of_improvement({{9, 8}}, {{1, 2, 3}}).ci.lo, 1.0);
}

TEST(Statistics, AggregatesMatchNumpy) {
  for (const auto& c : fixtures::kAggregateCases) {
    const Aggregates a = aggregate_scores(
        c.strata, {.resamples = c.resamples, .seed = c.seed, .confidence = c.confidence});
    expect_estimate(a.mean, c.mean, c.name + " mean");
    expect_estimate(a.median, c.median, c.name + " median");
    expect_estimate(a.iqm, c.iqm, c.name + " iqm");
  }
}

TEST(Statistics, PerformanceProfilesMatchNumpy) {
  for (const auto& c : fixtures::kProfileCases) {
    const auto p = performance_profile(
        c.strata, c.taus, {.resamples = c.resamples, .seed = c.seed, .confidence = c.confidence});
    ASSERT_EQ(p.size(), c.points.size());
    for (std::size_t k = 0; k < p.size(); ++k) {
      EXPECT_EQ(p[k].tau, c.taus[k]);
      expect_estimate({p[k].fraction, p[k].ci}, c.points[k], c.name + " tau " + std::to_string(k));
    }
  }
}

TEST(Statistics, ProbabilityOfImprovementMatchesNumpy) {
  for (const auto& c : fixtures::kImprovementCases) {
    expect_estimate(
        probability_of_improvement(
            c.x, c.y, {.resamples = c.resamples, .seed = c.seed, .confidence = c.confidence}),
        c.p, c.name);
  }
}

// The committed fixtures are what the script writes today (the first line names numpy's version).
TEST(Statistics, FixturesAreWhatTheNumpyScriptWrites) {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 has no numpy";
  }
  const std::string out = std::string(REIN_BINARY_DIR) + "/statistics_fixtures_check.h";
  const std::string cmd = std::string("/usr/bin/python3 ") + REIN_SOURCE_DIR +
                          "/tests/tracker/statistics_fixtures.py > " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto body = [](const std::string& path) {
    std::ifstream in(path);
    std::string first;
    std::getline(in, first);
    std::stringstream rest;
    rest << in.rdbuf();
    return rest.str();
  };
  const std::string committed =
      body(std::string(REIN_SOURCE_DIR) + "/tests/tracker/statistics_fixtures.h");
  ASSERT_FALSE(committed.empty());
  EXPECT_EQ(body(out), committed)
      << "regenerate: /usr/bin/python3 tests/tracker/statistics_fixtures.py"
         " > tests/tracker/statistics_fixtures.h";
}

}  // namespace
}  // namespace rein::tracker
