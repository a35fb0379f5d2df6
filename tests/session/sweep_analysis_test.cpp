// What `rein sweep show` and the dashboard report about a sweep: the ranking of trials, each
// parameter's effect per choice or range, and Spearman's rank correlation (values by hand).
#include "session/sweep_analysis.h"

#include <gtest/gtest.h>

#include <cmath>

namespace rein::session {
namespace {

using tracker::TrialInfo;
using tracker::TrialStatus;

TrialInfo trial(int64_t number, TrialStatus status, std::optional<double> value,
                std::vector<tracker::Param> params) {
  TrialInfo t;
  t.number = number;
  t.status = status;
  t.value = value;
  t.params = std::move(params);
  return t;
}

TEST(SweepAnalysis, SpearmanMatchesHandComputedValues) {
  // No ties: ranks of y are 2 4 3 1; sum d_x d_y = -2 over sqrt(5 * 5).
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {10, 30, 20, 0}), -0.4);
  // Ties share their mean rank (y ranks 1 2 3.5 5 3.5): 8 / sqrt(10 * 9.5), scipy's value.
  EXPECT_NEAR(spearman({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}), 0.8207826816681233, 1e-15);
  // Any monotone transform of x (a log axis) has the same ranks.
  EXPECT_DOUBLE_EQ(spearman({1e-4, 1e-3, 1e-2}, {3, 2, 1}), -1.0);
  EXPECT_DOUBLE_EQ(spearman({std::log(1e-4), std::log(1e-3), std::log(1e-2)}, {3, 2, 1}), -1.0);
  // Undefined: too few pairs, or a constant side.
  EXPECT_TRUE(std::isnan(spearman({1, 2}, {1, 2})));
  EXPECT_TRUE(std::isnan(spearman({1, 1, 1}, {1, 2, 3})));
  EXPECT_TRUE(std::isnan(spearman({1, 2, 3}, {4, 4, 4})));
  EXPECT_TRUE(std::isnan(spearman({1, 2, 3}, {4, 4})));
}

TEST(SweepAnalysis, RankedTrialsAreTheCompleteOnesBestFirstInEitherDirection) {
  const std::vector<TrialInfo> trials = {trial(0, TrialStatus::Complete, 10.0, {}),
                                         trial(1, TrialStatus::Pruned, 99.0, {}),
                                         trial(2, TrialStatus::Complete, 30.0, {}),
                                         trial(3, TrialStatus::Failed, std::nullopt, {}),
                                         trial(4, TrialStatus::Complete, NAN, {}),
                                         trial(5, TrialStatus::Complete, 20.0, {}),
                                         trial(6, TrialStatus::Running, std::nullopt, {})};
  std::vector<int64_t> up, down;
  for (const TrialInfo* t : ranked_trials(trials, true)) up.push_back(t->number);
  for (const TrialInfo* t : ranked_trials(trials, false)) down.push_back(t->number);
  EXPECT_EQ(up, (std::vector<int64_t>{2, 5, 0}));
  EXPECT_EQ(down, (std::vector<int64_t>{0, 5, 2}));
}

TEST(SweepAnalysis, ARangeIsSplitIntoThirdsWithMeanStdAndBest) {
  SearchParam lr;
  lr.name = "learning_rate";
  lr.kind = SearchParam::Kind::LogUniform;
  lr.low = 1e-4;
  lr.high = 1e-2;
  std::vector<TrialInfo> trials;
  const double rates[] = {1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3};
  const double values[] = {10, 20, 40, 60, 80, 70};
  for (int i = 0; i < 6; ++i)
    trials.push_back(
        trial(i, TrialStatus::Complete, values[i], {{"learning_rate", rates[5 - i] * 1.0}}));
  trials.push_back(trial(6, TrialStatus::Pruned, 1.0, {{"learning_rate", 1e-2}}));
  // Trial i has the (5-i)-th rate: the smallest rates went with the largest values.
  const auto ranked = ranked_trials(trials, true);
  const ParamEffect e = param_effect(lr, ranked, true);
  EXPECT_EQ(e.trials, 6u);
  ASSERT_EQ(e.levels.size(), 3u);
  EXPECT_EQ(e.levels[0].level, "0.0001 .. 0.0002");
  EXPECT_DOUBLE_EQ(e.levels[0].stats.mean, 75.0);  // trials 5 (70) and 4 (80)
  EXPECT_DOUBLE_EQ(e.levels[0].stats.std, 5.0);
  EXPECT_DOUBLE_EQ(e.levels[0].best, 80.0);
  EXPECT_EQ(e.levels[0].best_trial, 4);
  EXPECT_EQ(e.levels[2].level, "0.002 .. 0.005");
  EXPECT_DOUBLE_EQ(e.levels[2].stats.mean, 15.0);
  EXPECT_EQ(e.levels[2].stats.count, 2u);
  // Values by rate ascending: 70 80 60 40 20 10, ranks 5 6 4 3 2 1 against 1..6, no ties:
  // 1 - 6 * sum(d^2) / (n (n^2 - 1)) = 1 - 6 * 68 / 210 = -33/35.
  EXPECT_NEAR(e.spearman, -33.0 / 35.0, 1e-12);
  // Minimising, the best of a level is its smallest value.
  EXPECT_DOUBLE_EQ(param_effect(lr, ranked_trials(trials, false), false).levels[0].best, 70.0);
}

TEST(SweepAnalysis, ChoicesAreLevelsInTheSpecsOrderAndCorrelateOnlyWhenNumeric) {
  SearchParam batch;
  batch.name = "batch_size";
  batch.kind = SearchParam::Kind::Choice;
  batch.choices = {int64_t{128}, int64_t{32}, int64_t{64}};
  SearchParam act;
  act.name = "activation";
  act.kind = SearchParam::Kind::Choice;
  act.choices = {std::string("tanh"), std::string("relu")};
  std::vector<TrialInfo> trials;
  const int64_t sizes[] = {32, 64, 128, 32, 128};
  const char* acts[] = {"tanh", "relu", "tanh", "relu",
                        "gelu"};  // gelu: not in the spec (any more)
  const double values[] = {1, 2, 3, 2, 4};
  for (int i = 0; i < 5; ++i)
    trials.push_back(trial(i, TrialStatus::Complete, values[i],
                           {{"batch_size", sizes[i]}, {"activation", std::string(acts[i])}}));
  const auto ranked = ranked_trials(trials, true);
  const ParamEffect b = param_effect(batch, ranked, true);
  ASSERT_EQ(b.levels.size(), 3u);
  EXPECT_EQ(b.levels[0].level, "128");
  EXPECT_DOUBLE_EQ(b.levels[0].stats.mean, 3.5);
  EXPECT_EQ(b.levels[0].best_trial, 4);
  EXPECT_EQ(b.levels[1].level, "32");
  EXPECT_DOUBLE_EQ(b.levels[1].stats.mean, 1.5);
  EXPECT_EQ(b.levels[2].level, "64");
  // Sizes 32 32 64 128 128 (ranks 1.5 1.5 3 4.5 4.5) against 1 2 2 3 4 (1 2.5 2.5 4 5).
  EXPECT_NEAR(b.spearman, spearman({32, 32, 64, 128, 128}, {1, 2, 2, 3, 4}), 1e-15);
  EXPECT_GT(b.spearman, 0.8);

  const ParamEffect a = param_effect(act, ranked, true);
  EXPECT_EQ(a.trials, 4u);  // the gelu trial is left out
  ASSERT_EQ(a.levels.size(), 2u);
  EXPECT_EQ(a.levels[0].level, "tanh");
  EXPECT_DOUBLE_EQ(a.levels[0].stats.mean, 2.0);
  EXPECT_EQ(a.levels[1].level, "relu");
  EXPECT_TRUE(std::isnan(a.spearman));  // strings have no order
}

TEST(SweepAnalysis, EqualValuesNeverStraddleTwoBins) {
  SearchParam n;
  n.name = "n_epochs";
  n.kind = SearchParam::Kind::Int;
  n.low = 1;
  n.high = 20;
  std::vector<TrialInfo> trials;
  const int64_t epochs[] = {5, 5, 5, 5, 10, 20};
  for (int i = 0; i < 6; ++i)
    trials.push_back(trial(i, TrialStatus::Complete, double(i), {{"n_epochs", epochs[i]}}));
  const ParamEffect e = param_effect(n, ranked_trials(trials, true), true);
  ASSERT_EQ(e.levels.size(), 3u);
  EXPECT_EQ(e.levels[0].level, "5");
  EXPECT_EQ(e.levels[0].stats.count, 4u);
  EXPECT_EQ(e.levels[1].level, "10");
  EXPECT_EQ(e.levels[2].level, "20");
  // One trial: one level, no correlation.
  const std::vector<TrialInfo> one = {trials[0]};
  const ParamEffect single = param_effect(n, ranked_trials(one, true), true);
  ASSERT_EQ(single.levels.size(), 1u);
  EXPECT_TRUE(std::isnan(single.spearman));
}

}  // namespace
}  // namespace rein::session
