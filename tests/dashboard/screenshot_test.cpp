// The dashboard end to end under Xvfb: a database written with the tracker's RunWriter
// (synthetic learning curves), `rein-dashboard --screenshot`, then checks on the PNG's pixels and
// the JSON sidecar of what was drawn. Skips when xvfb-run is not installed.
#include <gtest/gtest.h>
#include <stb_image.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tracker/run_writer.h"

namespace {

namespace fs = std::filesystem;

bool have_xvfb() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && fs::exists(fs::path(dir) / "xvfb-run")) return true;
  }
  return false;
}

// Three runs: two seeds of one PPO configuration and one DQN run, with noisy learning curves.
fs::path make_database(const fs::path& dir) {
  fs::create_directories(dir);
  const fs::path db = dir / "runs.db";
  fs::remove(db);
  struct Spec {
    const char* name;
    const char* algo;
    std::int64_t seed;
    double rate;
  };
  for (const Spec& s : {Spec{"ppo-s1", "ppo", 1, 1.0}, Spec{"ppo-s2", "ppo", 2, 1.2},
                        Spec{"dqn-s1", "dqn", 1, 0.5}}) {
    rein::tracker::RunSpec spec;
    spec.name = s.name;
    spec.algorithm = s.algo;
    spec.env = "CartPole-v1";
    spec.seed = s.seed;
    spec.params = {{"lr", 0.001}, {"seed", s.seed}};
    rein::tracker::RunWriter w(db.string(), spec);
    for (int i = 0; i <= 2000; ++i) {
      const std::int64_t step = i * 100;
      const double progress = 1.0 - std::exp(-s.rate * i / 600.0);
      w.log("train/episode_return", step, 20 + 450 * progress + 15 * std::sin(i * 0.37 + s.seed));
      w.log("loss/value", step, 5.0 * (1.0 - progress) + 0.1);
    }
    w.finish(rein::tracker::RunStatus::Finished);
  }
  return db;
}

struct Image {
  int w = 0, h = 0;
  std::vector<unsigned char> rgb;
};

Image load_png(const fs::path& path) {
  Image img;
  int comp = 0;
  unsigned char* data = stbi_load(path.string().c_str(), &img.w, &img.h, &comp, 3);
  if (!data) return img;
  img.rgb.assign(data, data + static_cast<std::size_t>(img.w) * img.h * 3);
  stbi_image_free(data);
  return img;
}

// Pixels within `tol` of `color` inside [x0, x1) x [y0, y1).
int count_color(const Image& img, const nlohmann::json& color, int x0, int y0, int x1, int y1,
                int tol = 24) {
  int n = 0;
  for (int y = std::max(0, y0); y < std::min(img.h, y1); ++y) {
    for (int x = std::max(0, x0); x < std::min(img.w, x1); ++x) {
      const unsigned char* p = &img.rgb[(static_cast<std::size_t>(y) * img.w + x) * 3];
      if (std::abs(p[0] - color[0].get<int>()) <= tol &&
          std::abs(p[1] - color[1].get<int>()) <= tol &&
          std::abs(p[2] - color[2].get<int>()) <= tol) {
        ++n;
      }
    }
  }
  return n;
}

int run_dashboard(const fs::path& db, const fs::path& png, const std::string& extra) {
  const fs::path bin = fs::path(REIN_BINARY_DIR) / "bin" / "rein-dashboard";
  const std::string cmd = "xvfb-run -a -s \"-screen 0 1600x1000x24\" \"" + bin.string() +
                          "\" --db \"" + db.string() + "\" --screenshot \"" + png.string() +
                          "\" --size 1400x900 --frames 4 " + extra + " 2>&1";
  return std::system(cmd.c_str());
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

class DashboardScreenshot : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_xvfb()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb xauth)";
    // One directory per test: ctest runs the cases as parallel processes.
    dir_ = fs::path(REIN_BINARY_DIR) / "dashboard_gui_test" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    db_ = make_database(dir_);
  }
  fs::path dir_, db_;
};

TEST_F(DashboardScreenshot, PlotShowsEachSelectedRunInItsColourAndTheTableListsThem) {
  const fs::path png = dir_ / "runs.png";
  ASSERT_EQ(run_dashboard(db_, png,
                          "--runs ppo-s1,ppo-s2,dqn-s1 --metric train/episode_return "
                          "--metric loss/value --group-by none"),
            0);
  const Image img = load_png(png);
  ASSERT_EQ(img.w, 1400);
  ASSERT_EQ(img.h, 900);
  const nlohmann::json side = read_json(png.string() + ".json");

  for (const char* name : {"ppo-s1", "ppo-s2", "dqn-s1"}) {
    bool listed = false;
    for (const auto& r : side["runs_listed"]) listed = listed || r == name;
    EXPECT_TRUE(listed) << name << " is not in the runs table";
  }
  ASSERT_EQ(side["charts"].size(), 2u);
  for (const auto& chart : side["charts"]) {
    const auto& a = chart["area"];
    const int x0 = a[0].get<int>(), y0 = a[1].get<int>(), x1 = a[2].get<int>(),
              y1 = a[3].get<int>();
    ASSERT_GT(x1 - x0, 100);
    ASSERT_EQ(chart["lines"].size(), 3u) << chart["metric"];
    for (const auto& line : chart["lines"]) {
      EXPECT_EQ(line["runs"], 1);
      // At most two points per pixel column reach the renderer (plus one beyond each edge).
      EXPECT_LE(line["points"].get<int>(), 2 * chart["width_px"].get<int>() + 4);
      EXPECT_GT(count_color(img, line["color"], x0, y0, x1, y1), 100)
          << chart["metric"] << " " << line["label"] << " is not drawn in its colour";
    }
  }
  // The table's colour swatches (left of the charts) match the lines.
  const int table_right = side["charts"][0]["area"][0].get<int>() - 60;
  for (const auto& line : side["charts"][0]["lines"]) {
    EXPECT_GT(count_color(img, line["color"], 0, 0, table_right, img.h, 8), 60)
        << line["label"] << " has no swatch in the table";
  }
}

TEST_F(DashboardScreenshot, GroupingBySeedDrawsOneMeanLineWithABandPerConfiguration) {
  const fs::path png = dir_ / "grouped.png";
  ASSERT_EQ(run_dashboard(db_, png,
                          "--runs ppo-s1,ppo-s2,dqn-s1 --metric train/episode_return "
                          "--group-by seed"),
            0);
  const nlohmann::json side = read_json(png.string() + ".json");
  ASSERT_EQ(side["charts"].size(), 1u);
  const auto& lines = side["charts"][0]["lines"];
  ASSERT_EQ(lines.size(), 2u);
  // Groups follow the table's order (newest first): find the PPO pair by its size.
  const int ppo = lines[0]["runs"] == 2 ? 0 : 1;
  EXPECT_EQ(lines[ppo]["runs"], 2);      // ppo, seeds 1 and 2
  EXPECT_EQ(lines[1 - ppo]["runs"], 1);  // dqn
  const Image img = load_png(png);
  const auto& a = side["charts"][0]["area"];
  EXPECT_GT(count_color(img, lines[ppo]["color"], a[0], a[1], a[2], a[3]), 100);
}

// Issue 15.7: PPO and A2C runs that evaluated only at their end (steps 100,000 and 100,352):
// their eval/mean_return was two dots half cut off at the plot's left and right edges. Both
// markers are drawn whole, the default grouping pools each algorithm's seeds under a short
// label, and the runs table shows the Return and Train return columns.
TEST_F(DashboardScreenshot, FinalOnlyEvaluationsAreWholeMarkersAtThePlotEdges) {
  const fs::path db = dir_ / "sparse.db";
  fs::remove(db);
  for (int i = 0; i < 4; ++i) {
    const bool ppo = i < 2;
    rein::tracker::RunSpec spec;
    spec.name = (ppo ? "ppo-s" : "a2c-s") + std::to_string(i % 2 + 1);
    spec.algorithm = ppo ? "ppo" : "a2c";
    spec.env = "CartPole-v1";
    spec.seed = i % 2 + 1;
    spec.params = {{"seed", spec.seed.value()}};
    if (ppo) spec.params.push_back({"clip_range", 0.2});
    rein::tracker::RunWriter w(db.string(), spec);
    const std::int64_t end = ppo ? 100000 : 100352;
    for (int k = 1; k <= 100; ++k) w.log("train/episode_return", end * k / 100, 20.0 + k);
    w.log("eval/mean_return", end, ppo ? 460.0 + i : 158.5 + i);
    w.finish(rein::tracker::RunStatus::Finished);
  }
  const fs::path png = dir_ / "sparse.png";
  ASSERT_EQ(run_dashboard(db, png, "--runs ppo-s1,ppo-s2,a2c-s1,a2c-s2 --metric eval/mean_return"),
            0);
  const nlohmann::json side = read_json(png.string() + ".json");
  EXPECT_EQ(side["group_by"], "algorithm+env");
  const std::vector<std::string> columns = side["columns"];
  EXPECT_NE(std::find(columns.begin(), columns.end(), "Return"), columns.end());
  EXPECT_NE(std::find(columns.begin(), columns.end(), "Train return"), columns.end());
  ASSERT_EQ(side["charts"].size(), 1u);
  const auto& chart = side["charts"][0];
  const auto& lines = chart["lines"];
  ASSERT_EQ(lines.size(), 2u);
  const Image img = load_png(png);
  const auto& a = chart["area"];
  const int x0 = a[0].get<int>(), y0 = a[1].get<int>(), x1 = a[2].get<int>(), y1 = a[3].get<int>();
  for (const auto& line : lines) {
    const std::string label = line["label"];
    EXPECT_TRUE(label == "ppo (2 runs)" || label == "a2c (2 runs)") << label;
    ASSERT_EQ(line["marks"], 1) << label;
    // Inside the data area, clear of its edges, and a whole disc (radius 4: ~50 pixels, ~40 of
    // them solid; cut in half by the edge it would have ~20).
    const int mx = static_cast<int>(line["first_mark"][0].get<float>());
    const int my = static_cast<int>(line["first_mark"][1].get<float>());
    EXPECT_GE(mx, x0 + 4) << label;
    EXPECT_LE(mx, x1 - 4) << label;
    EXPECT_GE(my, y0 + 4) << label;
    EXPECT_LE(my, y1 - 4) << label;
    EXPECT_GE(count_color(img, line["color"], mx - 5, my - 5, mx + 6, my + 6), 30)
        << label << " marker is not drawn whole";
  }
}

// The robust aggregate: each group's interquartile mean with its bootstrap interval as the band.
TEST_F(DashboardScreenshot, IqmBandDrawsTheInterquartileMeanWithItsInterval) {
  const fs::path png = dir_ / "iqm.png";
  ASSERT_EQ(run_dashboard(db_, png,
                          "--runs ppo-s1,ppo-s2,dqn-s1 --metric train/episode_return "
                          "--group-by algorithm --band iqm"),
            0);
  const nlohmann::json side = read_json(png.string() + ".json");
  EXPECT_EQ(side["band"], "iqm");
  ASSERT_EQ(side["charts"].size(), 1u);
  const auto& lines = side["charts"][0]["lines"];
  ASSERT_EQ(lines.size(), 2u);
  const int ppo = lines[0]["runs"] == 2 ? 0 : 1;
  EXPECT_TRUE(lines[ppo]["interval"].get<bool>());
  EXPECT_GT(lines[ppo]["band_columns"].get<int>(), 500);  // every column of the plot
  EXPECT_FALSE(lines[1 - ppo]["interval"].get<bool>());   // a single run has no band
  const Image img = load_png(png);
  const auto& a = side["charts"][0]["area"];
  EXPECT_GT(count_color(img, lines[ppo]["color"], a[0], a[1], a[2], a[3]), 100);
}

// The compare tab's bar chart: one bar per group at its IQM final value, with a whisker.
TEST_F(DashboardScreenshot, CompareViewDrawsFinalValueBarsWithIntervals) {
  const fs::path png = dir_ / "bars.png";
  ASSERT_EQ(run_dashboard(db_, png,
                          "--runs ppo-s1,ppo-s2,dqn-s1 --metric train/episode_return "
                          "--group-by algorithm --view compare"),
            0);
  const nlohmann::json side = read_json(png.string() + ".json");
  ASSERT_TRUE(side["bars"].contains("train/episode_return")) << side.dump();
  const auto& bars = side["bars"]["train/episode_return"];
  ASSERT_EQ(bars.size(), 2u);
  const Image img = load_png(png);
  for (const auto& b : bars) {
    EXPECT_EQ(b["statistic"], "IQM");
    const double v = b["value"], lo = b["ci"][0], hi = b["ci"][1];
    EXPECT_LE(lo, v) << b.dump();
    EXPECT_GE(hi, v) << b.dump();
    EXPECT_GT(v, 300.0) << b.dump();  // PPO's curves end near 460, DQN's (slower) near 380
    const auto& r = b["rect"];
    const int x0 = r[0].get<int>() + 2, y0 = r[1].get<int>() + 3, x1 = r[2].get<int>() - 2,
              y1 = r[3].get<int>() - 2;
    ASSERT_GT(x1 - x0, 10) << b.dump();
    ASSERT_GT(y1 - y0, 30) << b.dump();
    // Filled in the group's colour at 55% over the dark background: a darker shade of it,
    // the same everywhere inside; its top edge in the full colour.
    EXPECT_GT(count_color(img, b["color"], x0, r[1].get<int>() - 2, x1, r[1].get<int>() + 3, 40),
              (x1 - x0) / 2)
        << b.dump();
  }
}

// An env that fails while the agent view plays it (a remote server gone, a plug-in's step
// failing) used to close the whole dashboard with "error: ...". Now the replay stops with the
// message in the agent view and the dashboard goes on.
TEST_F(DashboardScreenshot, AnEnvFailingWhileItPlaysStopsTheReplayNotTheDashboard) {
  rein::tracker::RunSpec spec;
  spec.name = "broken-s1";
  spec.algorithm = "ppo";
  spec.env = "BrokenMidEpisode-v0";  // its third step fails
  spec.seed = 1;
  spec.params = {{"plugin.0", std::string(REIN_TEST_PLUGIN_BROKEN)}};
  {
    rein::tracker::RunWriter w(db_.string(), spec);
    w.log("train/episode_return", 0, 1.0);
    w.finish(rein::tracker::RunStatus::Finished);
  }
  const fs::path png = dir_ / "agent.png";
  ASSERT_EQ(run_dashboard(db_, png, "--runs broken-s1 --view agent --agent-steps 5"), 0);
  const Image img = load_png(png);
  ASSERT_EQ(img.w, 1400);
  const nlohmann::json side = read_json(png.string() + ".json");
  ASSERT_TRUE(side.contains("agent")) << side.dump();
  EXPECT_EQ(side["agent"]["env"], "BrokenMidEpisode-v0");
  EXPECT_FALSE(side["agent"]["playable"].get<bool>());
  EXPECT_EQ(side["agent"]["status"],
            "stopped at step 2 of episode 1: BrokenMidEpisode-v0.step: simulator exploded at "
            "step 3");
  // The message is drawn in the agent view's error colour.
  EXPECT_GT(count_color(img, nlohmann::json{255, 102, 76}, 0, 0, img.w, img.h, 40), 50);
}

TEST_F(DashboardScreenshot, UnknownRunIsAnError) {
  const fs::path png = dir_ / "none.png";
  EXPECT_NE(run_dashboard(db_, png, "--runs no-such-run"), 0);
}

}  // namespace
