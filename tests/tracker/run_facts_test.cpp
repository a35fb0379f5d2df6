// Run facts every reader shares: durations and their text, seed-group keys, mean/std, the
// run-as-JSON shape, and grouping runs that do not share every param.
#include "tracker/run_facts.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "tests/tracker/temp_dir.h"
#include "tracker/run_writer.h"

namespace rein::tracker {
namespace {

using testing::TempDir;

TEST(RunFacts, DurationRunsToTheEndOrTheLastSignOfLife) {
  RunInfo r;
  r.start_time = 100;
  r.heartbeat = 130;
  r.status = RunStatus::Running;
  EXPECT_EQ(run_duration_seconds(r, 160), 60);  // live: to now
  r.status = RunStatus::Crashed;
  EXPECT_EQ(run_duration_seconds(r, 160), 30);  // crashed: to its last heartbeat
  r.status = RunStatus::Finished;
  r.end_time = 142;
  EXPECT_EQ(run_duration_seconds(r, 160), 42);
  r.end_time = 50;
  EXPECT_EQ(run_duration_seconds(r, 160), 0);  // a clock that went back is not negative
}

TEST(RunFacts, DurationTextReadsAtEveryScale) {
  EXPECT_EQ(format_duration(45), "45s");
  EXPECT_EQ(format_duration(725), "12m 05s");
  EXPECT_EQ(format_duration(3 * 3600 + 7 * 60), "3h 07m");
  EXPECT_EQ(format_duration(2 * 86400 + 4 * 3600), "2d 04h");
  EXPECT_EQ(format_duration(-45), "-45s");
  EXPECT_EQ(format_duration(std::nan("")), "?");
}

TEST(RunFacts, MeanStdIsPopulationStdOverFiniteValues) {
  MeanStd ms = mean_std({1.0, 3.0, std::nan(""), 5.0});
  EXPECT_EQ(ms.count, 3u);
  EXPECT_DOUBLE_EQ(ms.mean, 3.0);
  EXPECT_DOUBLE_EQ(ms.std, std::sqrt(8.0 / 3.0));
  // Large, close values keep their spread (a one-pass sum of squares returns 0 or NaN here).
  MeanStd big = mean_std({1e9 + 1, 1e9 + 3});
  EXPECT_DOUBLE_EQ(big.std, 1.0);
  EXPECT_TRUE(std::isnan(mean_std({}).mean));
}

TEST(RunFacts, SeedGroupKeyIgnoresSeedAndParamOrder) {
  const std::string a = seed_group_key("e", "ppo", "CartPole-v1", {{"lr", "0.001"}, {"seed", "1"}});
  const std::string b = seed_group_key("e", "ppo", "CartPole-v1", {{"seed", "2"}, {"lr", "0.001"}});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, seed_group_key("e", "ppo", "CartPole-v1", {{"lr", "0.002"}}));
  EXPECT_NE(a, seed_group_key("e", "a2c", "CartPole-v1", {{"lr", "0.001"}}));
}

TEST(RunFacts, RunJsonCarriesTheSummaryAsAnObject) {
  TempDir dir;
  RunSpec s;
  s.algorithm = "ppo";
  s.env = "CartPole-v1";
  s.seed = 3;
  s.params = {{"lr", 3e-4}, {"net_arch", std::string("64,64")}};
  std::int64_t id;
  {
    RunWriter w(dir.file("rein.db"), s);
    w.log("eval/mean_return", 100, 200.5);
    w.log("loss/q", 100, 1.0);
    w.set_summary(R"({"global_step": 100, "eval_mean_return": 200.5})");
    w.add_artifact("checkpoint", "/tmp/ck.rein", 100);
    w.finish(RunStatus::Finished);
    id = w.run_id();
  }
  Store store(dir.file("rein.db"));
  nlohmann::json j = nlohmann::json::parse(run_json(
      store, id, {.final_metrics = true, .artifacts = true, .metric_keys = {"eval/mean_return"}},
      now_seconds()));
  EXPECT_EQ(j["id"], id);
  EXPECT_EQ(j["seed"], 3);
  EXPECT_EQ(j["status"], "finished");
  ASSERT_TRUE(j["summary"].is_object()) << j.dump();
  EXPECT_EQ(j["summary"]["eval_mean_return"], 200.5);
  EXPECT_EQ(j["params"]["lr"], 3e-4);
  EXPECT_EQ(j["final"]["eval/mean_return"]["value"], 200.5);
  EXPECT_FALSE(j["final"].contains("loss/q"));
  EXPECT_EQ(j["artifacts"][0]["kind"], "checkpoint");
  EXPECT_GE(j["duration_seconds"].get<double>(), 0.0);
  EXPECT_THROW(run_json(store, id + 1, {}, 0), Error);
}

// Seeds of runs that do not share every param (PPO vs A2C, a resumed run) used to throw
// std::out_of_range ("map::at") while labelling the groups; a missing param reads as "—".
TEST(RunFacts, GroupingRunsWithDifferentParamKeysLabelsMissingOnes) {
  TempDir dir;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    RunSpec s;
    s.algorithm = i == 2 ? "a2c" : "ppo";
    s.env = "CartPole-v1";
    s.seed = i;
    if (i < 2) s.params = {{"clip_range", 0.2}};
    if (i == 2) s.params = {{"resumed_at_step", std::int64_t{512}}};
    RunWriter w(dir.file("rein.db"), s);
    w.log("eval/mean_return", 100, 10.0 * i);
    w.finish(RunStatus::Finished);
    ids.push_back(w.run_id());
  }
  Store store(dir.file("rein.db"));
  std::vector<GroupSeries> groups = store.group(ids, "eval/mean_return", {.max_points = 1});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].run_ids.size(), 2u);
  EXPECT_NE(groups[0].label.find("resumed_at_step=—"), std::string::npos) << groups[0].label;
  EXPECT_NE(groups[1].label.find("clip_range=—"), std::string::npos) << groups[1].label;
  EXPECT_DOUBLE_EQ(groups[0].final_mean, 5.0);
}

}  // namespace
}  // namespace rein::tracker
