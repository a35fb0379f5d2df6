// `rein runs ...` end to end on a database written through the tracker: runs that do not share
// every param, every subcommand's --json, metric filters, the export columns and REIN_DB.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/apps/cli_test_support.h"
#include "tracker/run_writer.h"
#include "tracker/store.h"

namespace rein::cli::testing {
namespace {

using rein::tracker::RunSpec;
using rein::tracker::RunStatus;
using rein::tracker::RunWriter;

// PPO seeds 1 and 2 (with clip_range), an A2C run without it, and a resumed PPO run with
// resumed_at_step: the mix that used to end `rein runs compare` with "error: map::at".
std::string make_db(const std::string& test) {
  const std::string db = (fresh_dir(test) / "runs.db").string();
  auto add = [&](const std::string& name, const std::string& algo, int seed,
                 std::vector<rein::tracker::Param> params, double final_return) {
    RunSpec s;
    s.name = name;
    s.algorithm = algo;
    s.env = "CartPole-v1";
    s.seed = seed;
    s.params = std::move(params);
    s.params.push_back({"seed", std::int64_t{seed}});
    RunWriter w(db, s);
    w.log("train/episode_return", 512, final_return / 2);
    w.log("eval/mean_return", 1024, final_return);
    w.set_summary(R"({"global_step": 1024, "eval_mean_return": )" + std::to_string(final_return) +
                  "}");
    w.finish(RunStatus::Finished);
  };
  add("ppo-1", "ppo", 1, {{"clip_range", 0.2}}, 400);
  add("ppo-2", "ppo", 2, {{"clip_range", 0.2}}, 500);
  add("a2c-1", "a2c", 1, {{"ent_coef", 0.0}}, 100);
  add("ppo-resumed", "ppo", 3, {{"clip_range", 0.2}, {"resumed_at_step", std::int64_t{512}}}, 450);
  return db;
}

TEST(RunsCli, CompareRunsThatDoNotShareEveryParamShowsMissingValues) {
  const std::string db = make_db("compare_mixed");
  Output out = run_rein("runs compare ppo-1 ppo-2 a2c-1 ppo-resumed --db " + db);
  ASSERT_EQ(out.status, 0) << out.text;
  EXPECT_EQ(out.text.find("map::at"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("* clip_range"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("—"), std::string::npos) << out.text;
  // ppo-1 and ppo-2 are the seeds of one configuration: 450 ± 50.
  EXPECT_NE(out.text.find("450 ± 50"), std::string::npos) << out.text;
}

// "Which run is best?": the list shows each run's final evaluation and recent training mean,
// and sorts by either, best first.
TEST(RunsCli, ListShowsTheFinalEvalAndTrainReturnAndSortsByThem) {
  const std::string db = make_db("list_returns");
  Output out = run_rein("runs list --sort return --db " + db, false);
  ASSERT_EQ(out.status, 0) << out.text;
  EXPECT_NE(out.text.find("RETURN"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("TRAIN RETURN"), std::string::npos) << out.text;
  const auto at = [&](const std::string& name) { return out.text.find(name); };
  // eval: ppo-2 500 > ppo-resumed 450 > ppo-1 400 > a2c-1 100.
  ASSERT_NE(at("ppo-2"), std::string::npos) << out.text;
  EXPECT_LT(at("ppo-2"), at("ppo-resumed")) << out.text;
  EXPECT_LT(at("ppo-resumed"), at("ppo-1")) << out.text;
  EXPECT_LT(at("ppo-1"), at("a2c-1")) << out.text;
  EXPECT_NE(out.text.find("250"), std::string::npos) << out.text;  // ppo-2's training mean
  Output bad = run_rein("runs list --sort speed --db " + db, false);
  EXPECT_NE(bad.status, 0) << bad.text;
}

TEST(RunsCli, CompareJsonHasRunsFinalsAndGroupsForTheChosenMetrics) {
  const std::string db = make_db("compare_json");
  Output out =
      run_rein("runs compare ppo-1 ppo-2 a2c-1 --metric eval/mean_return --json --db " + db, false);
  ASSERT_EQ(out.status, 0) << out.text;
  nlohmann::json j = nlohmann::json::parse(out.text);
  ASSERT_EQ(j["runs"].size(), 3u);
  EXPECT_EQ(j["runs"][0]["final"]["eval/mean_return"]["value"], 400);
  EXPECT_FALSE(j["runs"][0]["final"].contains("train/episode_return"));
  EXPECT_FALSE(j["runs"][2]["params"].contains("clip_range"));
  ASSERT_EQ(j["groups"].size(), 1u);
  EXPECT_EQ(j["groups"][0]["mean"], 450);
  EXPECT_EQ(j["groups"][0]["std"], 50);
}

TEST(RunsCli, EverySubcommandSpeaksJson) {
  const std::string db = make_db("json_everywhere");
  Output show = run_rein("runs show ppo-1 --json --db " + db, false);
  ASSERT_EQ(show.status, 0) << show.text;
  nlohmann::json s = nlohmann::json::parse(show.text);
  EXPECT_EQ(s["name"], "ppo-1");
  ASSERT_TRUE(s["summary"].is_object()) << show.text;  // an object, not a string holding JSON
  EXPECT_EQ(s["summary"]["global_step"], 1024);
  EXPECT_EQ(s["final"]["eval/mean_return"]["value"], 400);
  EXPECT_EQ(s["params"]["clip_range"], 0.2);

  Output list = run_rein("runs list --json --db " + db, false);
  ASSERT_EQ(list.status, 0) << list.text;
  nlohmann::json l = nlohmann::json::parse(list.text);
  ASSERT_EQ(l.size(), 4u);
  EXPECT_TRUE(l[0]["summary"].is_object());

  Output tag = run_rein("runs tag ppo-1 best --json --db " + db, false);
  ASSERT_EQ(tag.status, 0) << tag.text;
  EXPECT_EQ(nlohmann::json::parse(tag.text)["tags"][0], "best");

  Output rename = run_rein("runs rename ppo-1 ppo-first --json --db " + db, false);
  ASSERT_EQ(rename.status, 0) << rename.text;
  EXPECT_EQ(nlohmann::json::parse(rename.text)["name"], "ppo-first");

  Output rm = run_rein("runs rm a2c-1 --yes --json --db " + db, false);
  ASSERT_EQ(rm.status, 0) << rm.text;
  EXPECT_EQ(nlohmann::json::parse(rm.text)["removed"][0]["name"], "a2c-1");

  Output gc = run_rein("runs gc --dry-run --json --db " + db, false);
  ASSERT_EQ(gc.status, 0) << gc.text;
  nlohmann::json g = nlohmann::json::parse(gc.text);
  EXPECT_EQ(g["dry_run"], true);
  EXPECT_TRUE(g["dropped"].is_array());
}

TEST(RunsCli, ExportHasRunColumnsShortestFloatsAndAMetricFilter) {
  const std::string db = make_db("export");
  Output out = run_rein("runs export ppo-1 --metric eval/mean_return --db " + db, false);
  ASSERT_EQ(out.status, 0) << out.text;
  EXPECT_EQ(out.text.rfind("run_id,run_name,algorithm,env,seed,key,step,wall_time,value\n", 0), 0u)
      << out.text;
  EXPECT_NE(out.text.find(",ppo-1,ppo,CartPole-v1,1,eval/mean_return,1024,"), std::string::npos)
      << out.text;
  EXPECT_EQ(out.text.find("train/episode_return"), std::string::npos) << out.text;
  EXPECT_EQ(out.text.substr(out.text.size() - 5), ",400\n") << out.text;  // not 400.00000000000000
}

// `runs export -o` renames its file over the name: `-o /dev/stdout` as root replaced the
// device link with a regular file. A name that is not a regular file is refused (a FIFO here).
TEST(RunsCli, ExportRefusesAnOutputThatIsNotARegularFile) {
  const std::string db = make_db("export_fifo");
  const std::string fifo = (std::filesystem::path(db).parent_path() / "pipe.csv").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Output out = run_rein("runs export ppo-1 -o " + fifo + " --db " + db);
  EXPECT_NE(out.status, 0) << out.text;
  EXPECT_NE(out.text.find("' is a pipe (FIFO); give the name of a file"), std::string::npos)
      << out.text;
  EXPECT_NE(out.text.find("use -o - for standard output"), std::string::npos) << out.text;
  EXPECT_TRUE(std::filesystem::is_fifo(fifo));
}

TEST(RunsCli, ReinDbIsTheDefaultDatabase) {
  const std::string db = make_db("rein_db_env");
  Output out = run_rein("runs show ppo-2 --json", false, "REIN_DB=" + db);
  ASSERT_EQ(out.status, 0) << out.text;
  EXPECT_EQ(nlohmann::json::parse(out.text)["name"], "ppo-2");
  // --db still wins over the variable.
  Output flag = run_rein("runs show ppo-2 --db " + db + ".missing", true, "REIN_DB=" + db);
  EXPECT_NE(flag.status, 0) << flag.text;
}

// A command that works on what a database holds fails on a missing one and leaves no file behind:
// a typo in --db must not create an empty database (nor, with PostgreSQL, rein's tables).
TEST(RunsCli, CommandsOnAMissingDatabaseCreateNone) {
  const std::filesystem::path dir = fresh_dir("missing_db");
  const std::string db = (dir / "missing.db").string();
  for (const std::string& command : std::vector<std::string>{
           "runs list", "runs show 1", "runs tag 1 x", "runs rename 1 y", "runs rm 1 --yes",
           "runs gc", "runs gc --dry-run", "runs export 1", "sweep show 5", "sweep resume 5",
           "sweep worker 5", "eval 1", "record 1 -o " + (dir / "x.mp4").string(), "dashboard"}) {
    Output out = run_rein(command + " --db " + db);
    EXPECT_NE(out.status, 0) << command << ": " << out.text;
    EXPECT_NE(out.text.find("missing.db"), std::string::npos) << command << ": " << out.text;
    EXPECT_FALSE(std::filesystem::exists(db)) << command << " created " << db;
    std::filesystem::remove(db);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

}  // namespace
}  // namespace rein::cli::testing
