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
  r.final_return = ret;
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
  t.set_sort({{RunColumn::Algorithm, false}, {RunColumn::FinalReturn, true}});
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
  t.set_column_filter(RunColumn::FinalReturn, ">=450");
  EXPECT_EQ(ids(t), (std::vector<std::int64_t>{2, 1}));
  t.set_column_filter(RunColumn::FinalReturn, "");
  t.set_column_filter(RunColumn::Steps, "1000..60000");
  EXPECT_EQ(ids(t), (std::vector<std::int64_t>{4, 3}));
  t.set_column_filter(RunColumn::Steps, "");
  t.set_column_filter(RunColumn::Algorithm, "dq");  // text columns: substring
  EXPECT_EQ(ids(t), (std::vector<std::int64_t>{3}));
}

TEST(RunTable, StaysInstantForThousandsOfRuns) {
  std::vector<RunRow> rows;
  for (int i = 0; i < 5000; ++i) rows.push_back(row(i, "run-" + std::to_string(i), i % 2 ? "ppo" : "dqn", i % 5, i, i, "0.1"));
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
  EXPECT_NE(g[0].label.find("algorithm=ppo"), std::string::npos);
  EXPECT_NE(g[0].label.find("lr=0.001"), std::string::npos);
  EXPECT_NE(g[0].label.find("(2 runs)"), std::string::npos);
  EXPECT_EQ(g[0].label.find("seed"), std::string::npos);
}

TEST(GroupRuns, ByAParamOrNone) {
  const auto rows = sample_rows();
  const std::vector<const RunRow*> runs = {&rows[0], &rows[1], &rows[2], &rows[3]};
  const auto by_algo = group_runs(runs, "algorithm");
  ASSERT_EQ(by_algo.size(), 2u);
  EXPECT_EQ(by_algo[0].label, "algorithm=ppo (3 runs)");
  EXPECT_EQ(by_algo[0].run_ids, (std::vector<std::int64_t>{1, 2, 4}));
  const auto none = group_runs(runs, "none");
  ASSERT_EQ(none.size(), 4u);
  EXPECT_EQ(none[2].label, "dqn-a");
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
