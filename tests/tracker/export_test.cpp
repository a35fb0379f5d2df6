// CSV and JSON export: every stored point, quoting, typed params.
#include "tracker/export.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/tracker/temp_dir.h"
#include "tracker/run_writer.h"

namespace rein::tracker {
namespace {

using testing::TempDir;

std::int64_t make_run(const std::string& path) {
  RunSpec s;
  s.name = "with,comma \"quoted\"";
  s.algorithm = "dqn";
  s.env = "CartPole-v1";
  s.seed = 4;
  s.params = {{"lr", 1e-4}, {"double_q", true}, {"buffer", std::int64_t{50000}}};
  s.tags = {"t1"};
  RunWriter w(path, s);
  for (int i = 0; i < 3; ++i) w.log("loss/q", i * 100, 0.5 * i);
  w.log("eval/mean_return", 200, std::nan(""));
  w.finish(RunStatus::Finished);
  return w.run_id();
}

TEST(Export, CsvHasOneQuotedRowPerPoint) {
  TempDir dir;
  std::int64_t id = make_run(dir.file("rein.db"));
  Store store(dir.file("rein.db"));
  std::ostringstream out;
  export_runs(store, {id}, ExportFormat::Csv, out);
  std::istringstream in(out.str());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "run_id,run_name,algorithm,env,seed,key,step,wall_time,value");
  std::string prefix = std::to_string(id) + ",\"with,comma \"\"quoted\"\"\",dqn,CartPole-v1,4,";
  EXPECT_EQ(lines[1].rfind(prefix + "eval/mean_return,200,", 0), 0u) << lines[1];
  EXPECT_EQ(lines[1].substr(lines[1].size() - 4), ",nan");
  EXPECT_EQ(lines[4].rfind(prefix + "loss/q,200,", 0), 0u) << lines[4];
  EXPECT_EQ(lines[4].substr(lines[4].size() - 2), ",1");
}

TEST(Export, JsonParsesWithFieldsParamsAndMetrics) {
  TempDir dir;
  std::int64_t id = make_run(dir.file("rein.db"));
  Store store(dir.file("rein.db"));
  std::ostringstream out;
  export_runs(store, {id}, ExportFormat::Json, out);
  nlohmann::json j = nlohmann::json::parse(out.str());
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["id"], id);
  EXPECT_EQ(j[0]["name"], "with,comma \"quoted\"");
  EXPECT_EQ(j[0]["status"], "finished");
  EXPECT_EQ(j[0]["seed"], 4);
  EXPECT_EQ(j[0]["params"]["lr"], 1e-4);
  EXPECT_EQ(j[0]["params"]["double_q"], true);
  EXPECT_EQ(j[0]["params"]["buffer"], 50000);
  EXPECT_EQ(j[0]["tags"][0], "t1");
  EXPECT_EQ(j[0]["metrics"]["loss/q"].size(), 3u);
  EXPECT_EQ(j[0]["metrics"]["loss/q"][2][0], 200);
  EXPECT_EQ(j[0]["metrics"]["loss/q"][2][2], 1.0);
  EXPECT_TRUE(j[0]["metrics"]["eval/mean_return"][0][2].is_null());
}

TEST(Export, UnknownFormatAndRunAreErrors) {
  TempDir dir;
  Store store(dir.file("rein.db"));
  EXPECT_THROW(parse_export_format("xml"), Error);
  std::ostringstream out;
  EXPECT_THROW(export_runs(store, {42}, ExportFormat::Csv, out), Error);
}

}  // namespace
}  // namespace rein::tracker
