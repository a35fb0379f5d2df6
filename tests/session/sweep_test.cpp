// Sweeps below the CLI: the spec parser and its errors, grid/random/TPE points, the successive
// halving rule, and the tracker's sweep tables (including a database from before they existed).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "session/samplers.h"
#include "session/sweep_spec.h"
#include "tests/tracker/temp_dir.h"
#include "tracker/store.h"
#include "tracker/sweep_store.h"

namespace rein::session {
namespace {

using tracker::testing::TempDir;

std::string error_of(const std::string& toml) {
  try {
    parse_sweep_spec(toml, "spec.toml");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

const char* kBase = "algorithm = \"ppo\"\nenv = \"CartPole-v1\"\ntrials = 4\n";

TEST(SweepSpec, TheQuickExampleParses) {
  std::ifstream in(std::string(REIN_SOURCE_DIR) + "/examples/sweeps/quick.toml");
  std::stringstream text;
  text << in.rdbuf();
  const SweepSpec s = parse_sweep_spec(text.str(), "quick.toml");
  EXPECT_EQ(s.algorithm, "ppo");
  EXPECT_EQ(s.strategy, Strategy::Tpe);
  EXPECT_EQ(s.seeds, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(s.max_trials, 8);
  ASSERT_EQ(s.space.size(), 2u);
  EXPECT_EQ(s.space[0].kind, SearchParam::Kind::LogUniform);
  EXPECT_EQ(s.space[1].kind, SearchParam::Kind::Int);
  EXPECT_TRUE(s.early_stopping.enabled);
  EXPECT_EQ(s.early_stopping.reduction_factor, 2);
}

// The worked example of docs/EXPERIMENTS.md.
TEST(SweepSpec, TheAcrobotExampleParses) {
  std::ifstream in(std::string(REIN_SOURCE_DIR) + "/examples/sweeps/acrobot.toml");
  std::stringstream text;
  text << in.rdbuf();
  const SweepSpec s = parse_sweep_spec(text.str(), "acrobot.toml");
  EXPECT_EQ(s.env, "Acrobot-v1");
  EXPECT_EQ(s.seeds.size(), 5u);
  EXPECT_EQ(s.jobs, 2);
  ASSERT_EQ(s.space.size(), 2u);
  EXPECT_EQ(s.space[0].name, "learning_rate");  // params in the order of the file
  EXPECT_EQ(s.space[0].kind, SearchParam::Kind::LogUniform);
  EXPECT_EQ(s.space[1].name, "batch_size");
  EXPECT_EQ(s.space[1].kind, SearchParam::Kind::Choice);
}

// toml++ sorts a table's keys; [params] and [settings] keep the order the file wrote them in
// (inline or not), and moving a param in the file changes none of its draws.
TEST(SweepSpec, ParamsAndSettingsKeepTheOrderOfTheFile) {
  const SweepSpec s = parse_sweep_spec(std::string(kBase) +
                                           "[settings]\nzeta = 1\nalpha = 2\n"
                                           "[params]\n"
                                           "zz = { type = \"uniform\", low = 0, high = 1 }\n"
                                           "aa = { type = \"int\", low = 1, high = 9 }\n"
                                           "mm = { type = \"choice\", values = [1, 2, 3] }\n",
                                       "t");
  ASSERT_EQ(s.space.size(), 3u);
  EXPECT_EQ(s.space[0].name, "zz");
  EXPECT_EQ(s.space[1].name, "aa");
  EXPECT_EQ(s.space[2].name, "mm");
  ASSERT_EQ(s.settings.size(), 2u);
  EXPECT_EQ(s.settings[0].first, "zeta");
  EXPECT_EQ(s.settings[1].first, "alpha");

  const SweepSpec inline_table = parse_sweep_spec(
      std::string(kBase) +
          "params = { mm = { type = \"choice\", values = [1, 2, 3] }, "
          "zz = { type = \"uniform\", low = 0, high = 1 }, aa = { type = \"int\", low = 1, "
          "high = 9 } }\n",
      "t");
  ASSERT_EQ(inline_table.space.size(), 3u);
  EXPECT_EQ(inline_table.space[0].name, "mm");
  EXPECT_EQ(inline_table.space[1].name, "zz");
  EXPECT_EQ(inline_table.space[2].name, "aa");
  for (int64_t trial = 0; trial < 20; ++trial)
    EXPECT_EQ(random_point(s, trial), random_point(inline_table, trial)) << trial;
}

TEST(SweepSpec, MistakesNameTheKeyAndWhatItTakes) {
  const std::string p = "[params]\nlr = { type = \"uniform\", low = 0.1, high = 0.2 }\n";
  EXPECT_NE(error_of("algorithm = \"ppo\"\nenv = \"CartPole-v1\"\n" + p).find("needs a budget"),
            std::string::npos);
  EXPECT_NE(error_of(std::string(kBase)).find("needs [params]"), std::string::npos);
  EXPECT_NE(
      error_of(std::string(kBase) + "[params]\nlr = { type = \"uniform\", low = 1, high = 1 }")
          .find("'params.lr' needs low < high"),
      std::string::npos);
  EXPECT_NE(error_of(std::string(kBase) + "[params]\nlr = { type = \"normal\", low = 0, high = 1 }")
                .find("expected choice, uniform, log_uniform or int"),
            std::string::npos);
  EXPECT_NE(
      error_of(std::string(kBase) + "[params]\nlr = { type = \"log_uniform\", low = 0, high = 1 }")
          .find("low must be above 0"),
      std::string::npos);
  EXPECT_NE(error_of(std::string(kBase) + "strategy = \"grid\"\n" + p).find("needs grid_points"),
            std::string::npos);
  EXPECT_NE(error_of(std::string(kBase) + "trails = 3\n" + p).find("'trails' is not a sweep key"),
            std::string::npos);
  EXPECT_NE(error_of(std::string(kBase) + "[settings]\nlr = 0.1\n" + p).find("also fixed"),
            std::string::npos);
  EXPECT_NE(error_of(std::string(kBase) + "[early_stopping]\nmetric = \"x\"\n" + p)
                .find("early_stopping.min_steps' is needed"),
            std::string::npos);
  EXPECT_NE(error_of("algorithm = \"ppo\"\nenv = ").find("spec.toml:2"), std::string::npos);
}

SweepSpec space(const std::string& params, const std::string& extra = "") {
  return parse_sweep_spec(std::string(kBase) + extra + "[params]\n" + params, "t");
}

TEST(SweepSpec, RangesThatWouldSampleInfNaNOrOverflowAreRefused) {
  // uniform over [-inf, inf] sampled NaN (a trial then failed, and the driver died on a JSON
  // type error); an int range beyond 2^63 was cast to int64 (undefined behaviour); a grid of
  // 10^21 points overflowed its int64 count (undefined behaviour).
  auto error = [](const std::string& params, const std::string& extra = "") {
    return error_of(std::string(kBase) + extra + "[params]\n" + params);
  };
  for (const char* range : {"low = -inf, high = inf", "low = 0, high = inf",
                            "low = -1e308, high = 1e308", "low = nan, high = 1"}) {
    const std::string e = error(str("a = { type = \"uniform\", ", range, " }"));
    EXPECT_NE(e.find("'params.a"), std::string::npos) << range << ": " << e;
  }
  EXPECT_NE(error("a = { type = \"uniform\", low = -1e308, high = 1e308 }").find("1e308 apart"),
            std::string::npos);
  for (const char* v : {"nan", "inf", "-inf"})
    EXPECT_NE(error(str("a = { type = \"choice\", values = [0.1, ", v, "] }"))
                  .find("'params.a.values' holds"),
              std::string::npos)
        << v;
  const std::string big = error("n = { type = \"int\", low = 1, high = 1e19 }");
  EXPECT_NE(big.find("must lie in [-9e15, 9e15]"), std::string::npos) << big;
  EXPECT_NE(error("n = { type = \"int\", low = -1e300, high = 0 }").find("[-9e15, 9e15]"),
            std::string::npos);
  const std::string grid = error(
      "a = { type = \"uniform\", low = 0, high = 1, grid_points = 10000000 }\n"
      "b = { type = \"uniform\", low = 0, high = 1, grid_points = 10000000 }\n"
      "c = { type = \"uniform\", low = 0, high = 1, grid_points = 10000000 }\n",
      "strategy = \"grid\"\n");
  EXPECT_NE(grid.find("'params.c' makes the grid larger than 2^63 points"), std::string::npos)
      << grid;
  // The largest ranges still allowed sample finite, in-range values.
  const SweepSpec ok = space(
      "a = { type = \"uniform\", low = -1e307, high = 1e307 }\n"
      "n = { type = \"int\", low = -9e15, high = 9e15 }\n");
  for (int64_t k = 0; k < 50; ++k) {
    const Point x = random_point(ok, k);
    const double a = std::get<double>(from_internal(ok.space[0], x.at("a")));
    EXPECT_TRUE(std::isfinite(a) && a >= -1e307 && a <= 1e307) << a;
    const int64_t n = std::get<int64_t>(from_internal(ok.space[1], x.at("n")));
    EXPECT_LE(std::abs(n), int64_t{9000000000000000}) << n;
  }
}

TEST(Samplers, GridVisitsEveryCombinationOnceInOrder) {
  const SweepSpec s = space(
      "a = { type = \"choice\", values = [\"x\", \"y\"] }\n"
      "b = { type = \"log_uniform\", low = 0.001, high = 0.1, grid_points = 3 }\n",
      "strategy = \"grid\"\n");
  ASSERT_EQ(grid_size(s), 6);
  std::vector<std::pair<std::string, double>> seen;
  for (int64_t i = 0; i < 6; ++i) {
    const Point x = *grid_point(s, i);
    seen.emplace_back(std::get<std::string>(from_internal(s.space[0], x.at("a"))),
                      std::get<double>(from_internal(s.space[1], x.at("b"))));
  }
  EXPECT_EQ(seen[0].first, "x");
  EXPECT_NEAR(seen[0].second, 0.001, 1e-12);
  EXPECT_NEAR(seen[1].second, 0.01, 1e-12);  // evenly spaced on the log axis
  EXPECT_NEAR(seen[2].second, 0.1, 1e-12);
  EXPECT_EQ(seen[3].first, "y");
  EXPECT_FALSE(grid_point(s, 6));
}

TEST(Samplers, RandomPointsAreInBoundsTypedAndRepeatable) {
  const SweepSpec s = space(
      "n = { type = \"int\", low = 2, high = 5 }\n"
      "lr = { type = \"log_uniform\", low = 1e-4, high = 1e-2 }\n");
  std::vector<int64_t> counts(6, 0);
  for (int64_t i = 0; i < 400; ++i) {
    const Point x = random_point(s, i);
    EXPECT_EQ(x, random_point(s, i));  // the trial number fixes the draw
    const auto& lr_space = s.space[0].name == "lr" ? s.space[0] : s.space[1];
    const auto& n_space = s.space[0].name == "n" ? s.space[0] : s.space[1];
    const int64_t n = std::get<int64_t>(from_internal(n_space, x.at("n")));
    const double lr = std::get<double>(from_internal(lr_space, x.at("lr")));
    ASSERT_GE(n, 2);
    ASSERT_LE(n, 5);
    ++counts[static_cast<size_t>(n)];
    EXPECT_GE(lr, 1e-4);
    EXPECT_LE(lr, 1e-2);
  }
  for (int64_t n = 2; n <= 5; ++n) EXPECT_GT(counts[static_cast<size_t>(n)], 60) << n;  // ~100 each
}

// With the good trials near lr = 1e-3 and the rest spread out, TPE proposes points near 1e-3
// far more often than random search does.
TEST(Samplers, TpeProposesNearTheGoodObservations) {
  const SweepSpec s = space("lr = { type = \"log_uniform\", low = 1e-5, high = 1e-1 }\n");
  std::vector<Observation> history;
  for (int64_t i = 0; i < 30; ++i) {
    Observation o;
    o.x = random_point(s, i);
    const double d = std::log10(std::exp(o.x.at("lr"))) + 3;
    o.loss = d * d;  // best at 1e-3
    history.push_back(o);
  }
  auto near = [&](const Point& x) { return std::abs(std::log10(std::exp(x.at("lr"))) + 3) < 0.5; };
  int tpe = 0, random = 0;
  for (int64_t i = 100; i < 140; ++i) {
    tpe += near(tpe_point(s, history, i, {}));
    random += near(random_point(s, i));
  }
  EXPECT_GE(tpe, 28) << "of 40";
  EXPECT_LE(random, 15) << "of 40";  // a quarter of the axis: about 10
  // Before startup_trials observations TPE is random search.
  std::vector<Observation> few(history.begin(), history.begin() + 5);
  EXPECT_EQ(tpe_point(s, few, 7, {}), random_point(s, 7));
}

TEST(Samplers, TpeHandlesChoicesAndIntegers) {
  const SweepSpec s = space(
      "c = { type = \"choice\", values = [1, 2, 3] }\n"
      "n = { type = \"int\", low = 1, high = 10 }\n");
  std::vector<Observation> history;
  for (int64_t i = 0; i < 20; ++i) {
    Observation o;
    o.x = random_point(s, i);
    o.loss = (o.x.at("c") == 2 ? 0 : 10) + std::abs(o.x.at("n") - 7);
    history.push_back(o);
  }
  int good_choice = 0;
  for (int64_t i = 50; i < 70; ++i) {
    const Point x = tpe_point(s, history, i, {});
    EXPECT_EQ(x.at("n"), std::round(x.at("n")));
    good_choice += x.at("c") == 2;
  }
  EXPECT_GE(good_choice, 14) << "of 20";
}

TEST(Samplers, SuccessiveHalvingKeepsTheBestFractionAtARung) {
  const std::vector<double> rung = {10, 20, 30, 40};
  EXPECT_TRUE(promote_at_rung(40, rung, 2, true));
  EXPECT_TRUE(promote_at_rung(30, rung, 2, true));  // the best 4 / 2 = 2
  EXPECT_FALSE(promote_at_rung(20, rung, 2, true));
  EXPECT_TRUE(promote_at_rung(40, rung, 3, true));  // the best max(1, 4 / 3) = 1
  EXPECT_FALSE(promote_at_rung(30, rung, 3, true));
  EXPECT_TRUE(promote_at_rung(10, rung, 2, false));  // minimising
  EXPECT_FALSE(promote_at_rung(30, rung, 2, false));
  EXPECT_TRUE(promote_at_rung(5, {5}, 3, true));  // the first trial at a rung goes on
  EXPECT_FALSE(promote_at_rung(NAN, rung, 2, true));
}

TEST(SweepStore, SweepsAndTrialsRoundTripWithTypedParams) {
  TempDir dir;
  tracker::SweepStore store(dir.file("s.db"));
  const int64_t id = store.create_sweep("quick", "spec text");
  store.start_trial(id, 0, {{"lr", 0.001}, {"n", int64_t{4}}, {"arch", std::string("64")}});
  store.add_rung(id, 0, 1000, 12.5);
  store.end_trial(id, 0, tracker::TrialStatus::Complete, 99.0, 2048);
  store.start_trial(id, 1, {{"lr", 0.01}, {"n", int64_t{2}}, {"arch", std::string("64,64")}});
  const auto trials = store.trials(id);
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].status, tracker::TrialStatus::Complete);
  EXPECT_EQ(trials[0].value, 99.0);
  EXPECT_EQ(trials[0].steps, 2048);
  ASSERT_EQ(trials[0].rungs.size(), 1u);
  EXPECT_EQ(trials[0].rungs[0], (std::pair<int64_t, double>{1000, 12.5}));
  std::map<std::string, tracker::ParamValue> params;
  for (const tracker::Param& p : trials[0].params) params[p.key] = p.value;
  EXPECT_EQ(params.at("n"), tracker::ParamValue(int64_t{4}));
  EXPECT_EQ(params.at("arch"), tracker::ParamValue(std::string("64")));
  EXPECT_EQ(params.at("lr"), tracker::ParamValue(0.001));
  EXPECT_EQ(trials[1].status, tracker::TrialStatus::Running);
  // Starting a trial again (a resumed sweep) clears what the killed attempt reported.
  store.add_rung(id, 1, 1000, 3.0);
  store.start_trial(id, 1, trials[1].params);
  EXPECT_TRUE(store.trials(id)[1].rungs.empty());
  EXPECT_EQ(store.resolve_sweep("quick").id, id);
  EXPECT_EQ(store.resolve_sweep(std::to_string(id)).name, "quick");
  try {
    store.resolve_sweep("nope");
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("(sweeps: 1 quick)"), std::string::npos) << e.what();
  }
}

// A file written before sweeps existed (schema 1): read-only it reads as having no sweeps and
// its runs read as before; opened writable it is migrated and takes sweeps.
TEST(SweepStore, DatabasesFromBeforeSweepsStillOpen) {
  TempDir dir;
  const std::string db = dir.file("old.db");
  {
    tracker::Store store(db);
    store.create_run({.name = "old-run", .algorithm = "ppo", .env = "CartPole-v1"});
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "DROP TABLE trials; DROP TABLE sweeps; PRAGMA user_version = 1;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);

  {
    tracker::Store old(db, {.mode = tracker::OpenMode::ReadOnly});
    EXPECT_EQ(old.schema_version(), 1);
    EXPECT_EQ(old.resolve_run("old-run").algorithm, "ppo");
    tracker::SweepStore sweeps(db, rein::tracker::OpenMode::ReadOnly);
    EXPECT_TRUE(sweeps.list_sweeps().empty());
  }
  tracker::SweepStore sweeps(db);
  EXPECT_EQ(sweeps.create_sweep("new", "spec"), 1);
  tracker::Store migrated(db);
  EXPECT_EQ(migrated.schema_version(), tracker::kSchemaVersion);
  EXPECT_EQ(migrated.resolve_run("old-run").name, "old-run");
}

}  // namespace
}  // namespace rein::session
