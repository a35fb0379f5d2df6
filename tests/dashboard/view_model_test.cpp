// Runs table filters and sorting, selection, grouping and compare rows.
#include "apps/dashboard/view_model.h"

#include <gtest/gtest.h>

#include <cmath>

namespace rein::dashboard {
namespace {

RunRow row(std::int64_t id, std::string name, std::string algo, std::int64_t seed, double ret,
           std::int64_t steps, std::string lr) {
  RunRow r;
  r.id = id;
  r.name = std::move(name);
  r.algorithm = std::move(algo);
  r.env = "CartPole-v1";
  r.experiment = "default";
  r.seed = seed;
  r.eval_return = ret;
  r.train_return = ret / 2;
  r.steps = steps;
  r.start_time = 1000.0 + static_cast<double>(id);
  r.params = {{"lr", std::move(lr)}, {"seed", std::to_string(seed)}};
  return r;
}

std::vector<RunRow> sample_rows() {
  return {row(1, "ppo-a", "ppo", 1, 450.0, 100000, "0.001"),
          row(2, "ppo-b", "ppo", 2, 480.0, 100000, "0.001"),
          row(3, "dqn-a", "dqn", 1, 120.0, 50000, "0.0001"),
          row(4, "ppo-c", "ppo", 1, NAN, 2000, "0.01")};
}

std::vector<std::int64_t> ids(RunTable& t) {
  std::vector<std::int64_t> out;
  for (std::size_t i : t.visible()) out.push_back(t.rows()[i].id);
  return out;
}

TEST(RunTable, SortsNewestFirstByDefault) {
  RunTable t;
  t.set_rows(sample_rows());
  EXPECT_EQ(ids(t), (std::vector<std::int64_t>{4, 3, 2, 1}));
}

TEST(RunTable, SortsByAColumnThenTheNext) {
  RunTable t;
  t.set_rows(sample_rows());
  t.set_sort({{RunColumn::Algorithm, false}, {RunColumn::EvalReturn, true}});
  EXPECT_EQ(ids(t), (std::vector<std::int64_t>{3, 2, 1, 4}));  // NaN return last
}

TEST(RunTable, TextFilterMatchesEveryTermAndExcludesNegatedOnes) {
  RunTable t;
  t.set_rows(sample_rows());
  t.set_filter("ppo -ppo-c");
  EXPECT_EQ(ids(t), (std::vector<std::int64_t>{2, 1}));
  t.set_filter("lr=0.0001");
  EXPECT_EQ(ids(t), (std::vector<std::int64_t>{3}));
  t.set_filter("PPO-A");  // case-insensitive
  EXPECT_EQ(ids(t), (std::vector<std::int64_t>{1}));
}

TEST(RunTable, NumericColumnFiltersCompareValues) {
  RunTable t;
  t.set_rows(sample_rows());
  t.set_column_filter(RunColumn::EvalReturn, ">=450");
  EXPECT_EQ(ids(t), (std::vector<std::int64_t>{2, 1}));
  t.set_column_filter(RunColumn::EvalReturn, "");
  t.set_column_filter(RunColumn::Steps, "1000..60000");
  EXPECT_EQ(ids(t), (std::vector<std::int64_t>{4, 3}));
  t.set_column_filter(RunColumn::Steps, "");
  t.set_column_filter(RunColumn::Algorithm, "dq");  // text columns: substring
  EXPECT_EQ(ids(t), (std::vector<std::int64_t>{3}));
}

TEST(RunTable, StaysInstantForThousandsOfRuns) {
  std::vector<RunRow> rows;
  for (int i = 0; i < 5000; ++i)
    rows.push_back(row(i, "run-" + std::to_string(i), i % 2 ? "ppo" : "dqn", i % 5, i, i, "0.1"));
  RunTable t;
  t.set_rows(rows);
  t.set_filter("ppo");
  EXPECT_EQ(t.visible().size(), 2500u);
  const auto* first = &t.visible();
  EXPECT_EQ(first, &t.visible());  // cached: nothing recomputed without a change
}

TEST(Selection, ClickCtrlAndShiftBehaveLikeAFileManager) {
  Selection s;
  const std::vector<std::int64_t> order = {10, 20, 30, 40};
  s.click(20, false, false, order);
  EXPECT_EQ(s.ids(), (std::set<std::int64_t>{20}));
  s.click(40, false, true, order);
  EXPECT_EQ(s.ids(), (std::set<std::int64_t>{20, 30, 40}));
  s.click(30, true, false, order);
  EXPECT_EQ(s.ids(), (std::set<std::int64_t>{20, 40}));
  s.click(10, false, false, order);
  EXPECT_EQ(s.ids(), (std::set<std::int64_t>{10}));
  EXPECT_EQ(s.ordered({40, 10}), (std::vector<std::int64_t>{10}));
}

TEST(GroupRuns, BySeedMergesTheSeedsOfOneConfiguration) {
  const auto rows = sample_rows();
  const std::vector<const RunRow*> runs = {&rows[0], &rows[1], &rows[2], &rows[3]};
  const auto g = group_runs(runs, "seed");
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[0].run_ids, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(g[1].run_ids, (std::vector<std::int64_t>{3}));
  EXPECT_EQ(g[2].run_ids, (std::vector<std::int64_t>{4}));
  // Labels name what differs between the groups, not the seed.
  EXPECT_EQ(g[0].label.rfind("ppo ", 0), 0u);
  EXPECT_NE(g[0].label.find("lr=0.001"), std::string::npos);
  EXPECT_NE(g[0].label.find("(2 runs)"), std::string::npos);
  EXPECT_EQ(g[0].label.find("seed"), std::string::npos);
}

TEST(GroupRuns, ByAParamOrNone) {
  const auto rows = sample_rows();
  const std::vector<const RunRow*> runs = {&rows[0], &rows[1], &rows[2], &rows[3]};
  const auto by_algo = group_runs(runs, "algorithm");
  ASSERT_EQ(by_algo.size(), 2u);
  EXPECT_EQ(by_algo[0].label, "ppo (3 runs)");
  EXPECT_EQ(by_algo[0].run_ids, (std::vector<std::int64_t>{1, 2, 4}));
  const auto none = group_runs(runs, "none");
  ASSERT_EQ(none.size(), 4u);
  EXPECT_EQ(none[2].label, "dqn-a");
}

// Issue 15.3: "Return" is what the run reached in evaluation, not its last training episode.
TEST(RunTable, ReturnIsTheFinalEvalAndTrainReturnItsOwnSortableColumn) {
  std::vector<RunRow> rows = sample_rows();
  rows[0].eval_return = 460.0;  // its last training episode was a bad 129
  rows[0].train_return = 129.0;
  rows[1].eval_return = 300.0;
  rows[1].train_return = 200.0;
  RunTable t;
  t.set_rows(rows);
  EXPECT_EQ(cell_text(t.rows()[0], RunColumn::EvalReturn), "460.00");
  EXPECT_EQ(cell_text(t.rows()[0], RunColumn::TrainReturn), "129.00");
  EXPECT_EQ(std::string(column_title(RunColumn::EvalReturn)), "Return");
  EXPECT_TRUE(is_numeric_column(RunColumn::TrainReturn));
  t.set_sort({{RunColumn::EvalReturn, true}});
  EXPECT_EQ(ids(t), (std::vector<std::int64_t>{1, 2, 3, 4}));  // NaN last
  t.set_sort({{RunColumn::TrainReturn, true}});
  EXPECT_EQ(ids(t), (std::vector<std::int64_t>{2, 1, 3, 4}));
  t.set_column_filter(RunColumn::TrainReturn, "<150");
  EXPECT_EQ(ids(t), (std::vector<std::int64_t>{1, 3}));
}

// Three seeds each of PPO and A2C on CartPole, with each algorithm's own params (the README's
// screenshot): the case whose labels listed every param, blanks included.
std::vector<RunRow> ppo_and_a2c() {
  std::vector<RunRow> rows;
  for (int i = 0; i < 6; ++i) {
    const bool ppo = i < 3;
    RunRow r = row(i + 1, (ppo ? "ppo-" : "a2c-") + std::to_string(i % 3 + 1), ppo ? "ppo" : "a2c",
                   i % 3 + 1, 400.0, 100000, "");
    r.params = {{"ent_coef", "0"},
                {"gamma", "0.98"},
                {"learning_rate", ppo ? "0.001" : "0.0007"},
                {"n_steps", ppo ? "32" : "5"},
                {"seed", std::to_string(i % 3 + 1)}};
    if (ppo) {
      r.params.insert(r.params.begin(), {"clip_range", "0.2"});
      r.params.push_back({"target_kl", ""});  // logged blank
    } else {
      r.params.push_back({"use_rms_prop", "true"});
    }
    rows.push_back(r);
  }
  return rows;
}

TEST(GroupRuns, DefaultPoolsTheSeedsOfEachAlgorithmAndEnv) {
  const auto rows = ppo_and_a2c();
  std::vector<const RunRow*> runs;
  for (const RunRow& r : rows) runs.push_back(&r);
  const auto g = group_runs(runs, kDefaultGroupBy);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].label, "ppo (3 runs)");  // env is the same for all: not repeated
  EXPECT_EQ(g[1].label, "a2c (3 runs)");
  EXPECT_EQ(g[1].run_ids, (std::vector<std::int64_t>{4, 5, 6}));
  // One group: nothing differs, so the label says what it is.
  const auto one = group_runs({runs[0], runs[1]}, kDefaultGroupBy);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].label, "ppo CartPole-v1 (2 runs)");
}

TEST(GroupRuns, LabelsSkipMissingAndBlankParamsAndAreCappedWithTheFullTextKept) {
  const auto rows = ppo_and_a2c();
  std::vector<const RunRow*> runs;
  for (const RunRow& r : rows) runs.push_back(&r);
  const auto g = group_runs(runs, "seed");
  ASSERT_EQ(g.size(), 2u);
  // Only keys with two values among the groups: not clip_range, target_kl or use_rms_prop
  // (one algorithm's), not ent_coef or gamma (equal).
  EXPECT_EQ(g[0].full_label, "ppo learning_rate=0.001 n_steps=32 (3 runs)");
  EXPECT_EQ(g[1].full_label, "a2c learning_rate=0.0007 n_steps=5 (3 runs)");
  EXPECT_EQ(g[0].label, "ppo learning_rate=0.001 n_steps=32 (3 runs)");  // short enough
  for (const RunGroup& x : g) {
    EXPECT_EQ(x.full_label.find("="), x.full_label.find("=0"));  // no "key=" with a blank value
  }
  // A long label is cut at kLabelChars, the count stays, the full text is kept for hover.
  std::vector<RunRow> lr = {rows[0], rows[1]};
  lr[0].params.push_back({"a_very_long_parameter_name", "a_very_long_value_1"});
  lr[1].params.push_back({"a_very_long_parameter_name", "a_very_long_value_2"});
  lr[1].params.push_back({"another_long_parameter", "x"});
  lr[0].params.push_back({"another_long_parameter", "y"});
  const auto cut = group_runs({&lr[0], &lr[1]}, "seed");
  ASSERT_EQ(cut.size(), 2u);
  EXPECT_EQ(cut[0].full_label,
            "a_very_long_parameter_name=a_very_long_value_1 another_long_parameter=y");
  EXPECT_EQ(cut[0].label, cap_label(cut[0].full_label));
  EXPECT_EQ(cut[0].label.size(), kLabelChars);
  EXPECT_EQ(cut[0].label.substr(kLabelChars - 3), "...");
}

TEST(GroupRuns, AParamOnlySomeGroupsHaveNamesThemWhenLabelsWouldCollide) {
  std::vector<RunRow> rows = {row(1, "a", "ppo", 1, 1, 1, "0.001"),
                              row(2, "b", "ppo", 1, 1, 1, "0.001")};
  rows[1].params.push_back({"n_envs", "8"});  // the other run used the default
  const auto g = group_runs({&rows[0], &rows[1]}, "seed");
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].label, "ppo CartPole-v1");  // nothing of its own: what it is
  EXPECT_EQ(g[1].label, "n_envs=8");
}

TEST(CapLabel, KeepsShortTextAndCutsLongTextWithDots) {
  EXPECT_EQ(cap_label("short", 10), "short");
  EXPECT_EQ(cap_label("0123456789", 10), "0123456789");
  EXPECT_EQ(cap_label("0123456789a", 10), "0123456...");
  EXPECT_EQ(cap_label("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4),
            "\xc3\xa9...");  // whole characters
}

TEST(CompareParams, FlagsTheParamsThatDiffer) {
  const auto rows = sample_rows();
  const auto cmp = compare_params({&rows[0], &rows[1]});
  bool saw_lr = false, saw_seed = false;
  for (const CompareRow& r : cmp) {
    if (r.key == "lr") {
      saw_lr = true;
      EXPECT_FALSE(r.differs);
    }
    if (r.key == "seed") {
      saw_seed = true;
      EXPECT_TRUE(r.differs);
      EXPECT_EQ(r.values, (std::vector<std::string>{"1", "2"}));
    }
  }
  EXPECT_TRUE(saw_lr);
  EXPECT_TRUE(saw_seed);
}

TEST(MeanStd, IgnoresNonFiniteValues) {
  const MeanStd m = mean_std({1.0, 3.0, NAN});
  EXPECT_EQ(m.count, 2u);
  EXPECT_DOUBLE_EQ(m.mean, 2.0);
  EXPECT_DOUBLE_EQ(m.std, 1.0);
  EXPECT_EQ(mean_std({}).count, 0u);
}

}  // namespace
}  // namespace rein::dashboard
