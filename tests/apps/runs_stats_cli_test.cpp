// `rein runs compare` and `rein runs export --aggregate` across seeds: mean ± std, median and
// IQM with bootstrap intervals (the estimators are tested in tests/tracker/statistics_test.cpp),
// reproducible by seed, and bad options refused without output files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/apps/cli_test_support.h"
#include "tracker/run_writer.h"

namespace rein::cli::testing {
namespace {

using rein::tracker::RunSpec;
using rein::tracker::RunStatus;
using rein::tracker::RunWriter;

// Five PPO seeds on CartPole (finals 500 480 20 495 450: mean 389, median 480, IQM 475), four
// A2C seeds (100 200 300 400: all three 250) and two PPO seeds on Acrobot (-100, -80).
std::string make_db(const std::string& test) {
  const std::string db = (fresh_dir(test) / "runs.db").string();
  auto add = [&](const std::string& algo, const std::string& env, int seed, double final_return) {
    RunSpec s;
    s.name = algo + "-" + env + "-" + std::to_string(seed);
    s.algorithm = algo;
    s.env = env;
    s.seed = seed;
    s.params = {{"seed", std::int64_t{seed}}};
    RunWriter w(db, s);
    w.log("eval/mean_return", 512, final_return / 2);
    w.log("eval/mean_return", 1024, final_return);
    w.finish(RunStatus::Finished);
  };
  int seed = 1;
  for (double r : {500, 480, 20, 495, 450}) add("ppo", "CartPole-v1", seed++, r);
  seed = 1;
  for (double r : {100, 200, 300, 400}) add("a2c", "CartPole-v1", seed++, r);
  add("ppo", "Acrobot-v1", 1, -100);
  add("ppo", "Acrobot-v1", 2, -80);
  return db;
}

const std::string kCartPoleRuns =
    "ppo-CartPole-v1-1 ppo-CartPole-v1-2 ppo-CartPole-v1-3 ppo-CartPole-v1-4 ppo-CartPole-v1-5 "
    "a2c-CartPole-v1-1 a2c-CartPole-v1-2 a2c-CartPole-v1-3 a2c-CartPole-v1-4";

nlohmann::json group(const nlohmann::json& j, const std::string& label) {
  for (const auto& g : j["groups"]) {
    if (g["label"] == label) return g;
  }
  ADD_FAILURE() << "no group " << label << " in " << j.dump();
  return {};
}

TEST(RunsStatsCli, CompareAggregatesSeedsWithIntervals) {
  const std::string db = make_db("stats_compare");
  Output out = run_rein("runs compare " + kCartPoleRuns + " --db " + db, false);
  ASSERT_EQ(out.status, 0) << out.text;
  for (const char* column : {"MEAN ± STD", "MEAN [95% CI]", "MEDIAN [95% CI]", "IQM [95% CI]"}) {
    EXPECT_NE(out.text.find(column), std::string::npos) << column << "\n" << out.text;
  }
  EXPECT_NE(out.text.find("389 ± 185.3"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("475 ["), std::string::npos) << out.text;  // PPO's IQM
  EXPECT_NE(out.text.find("480 ["), std::string::npos) << out.text;  // PPO's median
  EXPECT_NE(out.text.find("10000 resamples, seed 0"), std::string::npos) << out.text;

  Output json =
      run_rein("runs compare " + kCartPoleRuns + " --json --bootstrap 2000 --db " + db, false);
  ASSERT_EQ(json.status, 0) << json.text;
  const nlohmann::json j = nlohmann::json::parse(json.text);
  EXPECT_EQ(j["bootstrap"]["resamples"], 2000);
  EXPECT_EQ(j["bootstrap"]["confidence"], 0.95);
  const nlohmann::json ppo = group(j, "algorithm=ppo");
  EXPECT_EQ(ppo["metric"], "eval/mean_return");
  EXPECT_EQ(ppo["runs"].size(), 5u);
  EXPECT_EQ(ppo["mean"], 389.0);
  EXPECT_EQ(ppo["median"], 480.0);
  EXPECT_EQ(ppo["iqm"], 475.0);
  for (const char* k : {"mean", "median", "iqm"}) {
    const double lo = ppo["ci"][k][0], hi = ppo["ci"][k][1], v = ppo[k];
    EXPECT_LE(lo, v) << k;
    EXPECT_GE(hi, v) << k;
    EXPECT_LT(lo, hi) << k;  // five different finals: a real interval
  }
  const nlohmann::json a2c = group(j, "algorithm=a2c");
  EXPECT_EQ(a2c["iqm"], 250.0);
  EXPECT_EQ(a2c["envs"],
            nlohmann::json::array({"CartPole-v1", "CartPole-v1", "CartPole-v1", "CartPole-v1"}));
}

TEST(RunsStatsCli, SameSeedSameIntervalsOtherSeedOtherIntervals) {
  const std::string db = make_db("stats_seed");
  auto ci = [&](const std::string& extra) {
    Output out = run_rein(
        "runs compare " + kCartPoleRuns + " --json --bootstrap 500 " + extra + " --db " + db,
        false);
    EXPECT_EQ(out.status, 0) << out.text;
    return group(nlohmann::json::parse(out.text), "algorithm=ppo")["ci"];
  };
  EXPECT_EQ(ci("--seed 3"), ci("--seed 3"));
  EXPECT_NE(ci("--seed 3"), ci("--seed 4"));
}

TEST(RunsStatsCli, GroupingAcrossEnvsResamplesWithinEachEnv) {
  const std::string db = make_db("stats_strata");
  Output out =
      run_rein("runs compare " + kCartPoleRuns +
                   " ppo-Acrobot-v1-1 ppo-Acrobot-v1-2 --group-by algorithm --json --db " + db,
               false);
  ASSERT_EQ(out.status, 0) << out.text;
  const nlohmann::json ppo = group(nlohmann::json::parse(out.text), "algorithm=ppo");
  EXPECT_EQ(ppo["runs"].size(), 7u);
  EXPECT_EQ(ppo["envs"][5], "Acrobot-v1");
  EXPECT_FALSE(ppo.contains("bootstrap"));  // the options live once, at the top
  // Pooled: -100 -80 20 450 480 495 500 (n=7, one off each end): (-80+20+450+480+495)/5 = 273.
  EXPECT_EQ(ppo["iqm"], 273.0);
}

TEST(RunsStatsCli, ComparePrintsPerformanceProfiles) {
  const std::string db = make_db("stats_profile");
  Output out = run_rein("runs compare " + kCartPoleRuns + " --profile 5 --db " + db, false);
  ASSERT_EQ(out.status, 0) << out.text;
  EXPECT_NE(out.text.find("performance profile"), std::string::npos) << out.text;
  // Thresholds 20 140 260 380 500 over both groups; PPO: 4 of 5 runs above 20, none above 500.
  EXPECT_NE(out.text.find("0.8 ["), std::string::npos) << out.text;
  Output json = run_rein("runs compare " + kCartPoleRuns + " --profile 5 --json --db " + db, false);
  ASSERT_EQ(json.status, 0) << json.text;
  const nlohmann::json a2c = group(nlohmann::json::parse(json.text), "algorithm=a2c");
  ASSERT_EQ(a2c["profile"].size(), 5u);
  EXPECT_EQ(a2c["profile"][2]["tau"], 260.0);
  EXPECT_EQ(a2c["profile"][2]["fraction"], 0.5);  // 300 and 400
}

TEST(RunsStatsCli, ProbabilityOfImprovementBetweenGroups) {
  const std::string db = make_db("stats_improvement");
  Output json =
      run_rein("runs compare " + kCartPoleRuns + " --improvement --json --db " + db, false);
  ASSERT_EQ(json.status, 0) << json.text;
  const nlohmann::json j = nlohmann::json::parse(json.text);
  ASSERT_EQ(j["improvement"].size(), 1u) << j.dump();
  const nlohmann::json& i = j["improvement"][0];
  // PPO's 500 480 495 450 beat every A2C run (100..400), its 20 none: 16 of 20 pairs.
  const bool ppo_first = i["x"] == "algorithm=ppo";
  EXPECT_DOUBLE_EQ(i["probability"].get<double>(), ppo_first ? 0.8 : 0.2) << i.dump();
  EXPECT_EQ(i["metric"], "eval/mean_return");
  EXPECT_LE(i["ci"][0].get<double>(), i["probability"].get<double>());
  Output text = run_rein("runs compare " + kCartPoleRuns + " --improvement --db " + db, false);
  ASSERT_EQ(text.status, 0) << text.text;
  EXPECT_NE(text.text.find("probability of improvement"), std::string::npos) << text.text;
  EXPECT_NE(text.text.find(ppo_first ? "0.8 [" : "0.2 ["), std::string::npos) << text.text;
  Output plain = run_rein("runs compare " + kCartPoleRuns + " --json --db " + db, false);
  EXPECT_FALSE(nlohmann::json::parse(plain.text).contains("improvement"));
}

TEST(RunsStatsCli, BadBootstrapOptionsAreRefused) {
  const std::string db = make_db("stats_bad");
  for (const char* bad :
       {"--bootstrap 0", "--bootstrap -3", "--bootstrap many", "--seed -1", "--profile 100000"}) {
    Output out = run_rein("runs compare " + kCartPoleRuns + " " + bad + " --db " + db);
    EXPECT_NE(out.status, 0) << bad << "\n" << out.text;
    EXPECT_NE(out.text.find(std::string(bad).substr(2, 4)), std::string::npos) << bad << "\n"
                                                                               << out.text;
  }
}

TEST(RunsStatsCli, ExportAggregateWritesOneRowPerGroup) {
  const std::string db = make_db("stats_export");
  const auto dir = fresh_dir("stats_export_out");
  const std::string csv = (dir / "groups.csv").string();
  Output out = run_rein("runs export " + kCartPoleRuns + " --aggregate --bootstrap 1000 -o " + csv +
                        " --db " + db);
  ASSERT_EQ(out.status, 0) << out.text;
  std::ifstream in(csv);
  std::stringstream text;
  text << in.rdbuf();
  std::string header, ppo, a2c, extra;
  std::getline(text, header);
  std::getline(text, ppo);
  std::getline(text, a2c);
  EXPECT_FALSE(std::getline(text, extra)) << extra;
  EXPECT_EQ(header,
            "group,metric,runs,envs,mean,std,mean_lo,mean_hi,median,median_lo,median_hi,iqm,"
            "iqm_lo,iqm_hi");
  EXPECT_EQ(ppo.rfind("algorithm=ppo,eval/mean_return,5,CartPole-v1;CartPole-v1;", 0), 0u) << ppo;
  EXPECT_NE(ppo.find(",389,"), std::string::npos) << ppo;
  EXPECT_NE(ppo.find(",480,"), std::string::npos) << ppo;
  EXPECT_NE(ppo.find(",475,"), std::string::npos) << ppo;

  Output json =
      run_rein("runs export " + kCartPoleRuns + " --aggregate --format json --db " + db, false);
  ASSERT_EQ(json.status, 0) << json.text;
  const nlohmann::json j = nlohmann::json::parse(json.text);
  EXPECT_EQ(j["groups"].size(), 2u);
  EXPECT_EQ(group(j, "algorithm=a2c")["median"], 250.0);
}

TEST(RunsStatsCli, ExportBootstrapOptionsNeedAggregateAndLeaveNoFile) {
  const std::string db = make_db("stats_export_bad");
  const auto dir = fresh_dir("stats_export_bad_out");
  const std::string file = (dir / "out.csv").string();
  Output out =
      run_rein("runs export " + kCartPoleRuns + " --bootstrap 100 -o " + file + " --db " + db);
  EXPECT_NE(out.status, 0) << out.text;
  EXPECT_NE(out.text.find("--aggregate"), std::string::npos) << out.text;
  Output zero = run_rein("runs export " + kCartPoleRuns + " --aggregate --bootstrap 0 -o " + file +
                         " --db " + db);
  EXPECT_NE(zero.status, 0) << zero.text;
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_FALSE(std::filesystem::exists(file + ".tmp"));
}

}  // namespace
}  // namespace rein::cli::testing
