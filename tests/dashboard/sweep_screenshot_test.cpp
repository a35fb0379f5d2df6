// The sweep view end to end under Xvfb: `rein sweep examples/sweeps/quick.toml` (a real sweep,
// about ten seconds on two cores), then `rein-dashboard --view sweep --screenshot` and checks on
// the PNG's pixels where the sidecar says the view drew: trial polylines in the colour map's
// colours (pruned ones grey), the colour bar running from purple to yellow, the scatter's points,
// the trial table best first, and the runs of a selected trial selected. Skips without xvfb-run.
#include <gtest/gtest.h>
#include <stb_image.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tracker/store.h"
#include "tracker/sweep_store.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool have_xvfb() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':'))
    if (!dir.empty() && fs::exists(fs::path(dir) / "xvfb-run")) return true;
  return false;
}

struct Image {
  int w = 0, h = 0;
  std::vector<unsigned char> rgb;
  const unsigned char* at(int x, int y) const {
    return &rgb[(static_cast<std::size_t>(y) * w + x) * 3];
  }
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

bool near(const unsigned char* p, const std::vector<int>& c, int tol) {
  return std::abs(p[0] - c[0]) <= tol && std::abs(p[1] - c[1]) <= tol &&
         std::abs(p[2] - c[2]) <= tol;
}

// Whether a pixel within `r` of (x, y) has colour `c`.
bool colour_near(const Image& img, float x, float y, const std::vector<int>& c, int r = 2,
                 int tol = 30) {
  for (int dy = -r; dy <= r; ++dy)
    for (int dx = -r; dx <= r; ++dx) {
      const int px = static_cast<int>(std::lround(x)) + dx,
                py = static_cast<int>(std::lround(y)) + dy;
      if (px >= 0 && py >= 0 && px < img.w && py < img.h && near(img.at(px, py), c, tol))
        return true;
    }
  return false;
}

int count_colour(const Image& img, const std::vector<int>& c, const json& area, int tol = 30) {
  int n = 0;
  for (int y = area[1].get<int>(); y < area[3].get<int>(); ++y)
    for (int x = area[0].get<int>(); x < area[2].get<int>(); ++x) n += near(img.at(x, y), c, tol);
  return n;
}

// The fraction of points along a polyline (9 per segment between finite points) that show `c`.
double drawn_fraction(const Image& img, const json& points, const std::vector<int>& c) {
  int seen = 0, total = 0;
  for (std::size_t k = 0; k + 1 < points.size(); ++k) {
    if (points[k].is_null() || points[k + 1].is_null()) continue;
    for (int i = 1; i <= 9; ++i) {
      const float t = i / 10.0f;
      const float x = points[k][0].get<float>() * (1 - t) + points[k + 1][0].get<float>() * t;
      const float y = points[k][1].get<float>() * (1 - t) + points[k + 1][1].get<float>() * t;
      seen += colour_near(img, x, y, c);
      ++total;
    }
  }
  return total ? static_cast<double>(seen) / total : 0.0;
}

int run(const std::string& cmd) { return std::system((cmd + " 2>&1").c_str()); }

int screenshot(const fs::path& db, const fs::path& png, const std::string& extra) {
  // Paths streamed quoted (std::quoted, as fs::path writes itself).
  std::ostringstream cmd;
  cmd << "xvfb-run -a -s \"-screen 0 1600x1000x24\" "
      << fs::path(REIN_BINARY_DIR) / "bin" / "rein-dashboard"
      << " --db " << db << " --screenshot " << png << " --size 1400x900 --frames 4 --view sweep "
      << extra;
  return run(cmd.str());
}

json read_json(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

const std::vector<int> kViridisTop = {253, 231, 37}, kViridisBottom = {68, 1, 84};

TEST(DashboardSweepView, AFinishedQuickSweepIsDrawnInTheColourMapAndSelectsATrialsRuns) {
  if (!have_xvfb()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb xauth)";
  const fs::path dir = fs::path(REIN_BINARY_DIR) / "dashboard_gui_test" / "sweep_view";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path db = dir / "sweeps.db";
  const fs::path rein = fs::path(REIN_BINARY_DIR) / "bin" / "rein";
  std::ostringstream sweep;
  sweep << rein << " sweep " << fs::path(REIN_SOURCE_DIR "/examples/sweeps/quick.toml")
        << " --quiet --db " << db << " > " << dir / "sweep.log";
  ASSERT_EQ(run(sweep.str()), 0);
  std::vector<rein::tracker::TrialInfo> trials;
  {
    rein::tracker::SweepStore sweeps(db.string(), rein::tracker::OpenMode::ReadOnly);
    trials = sweeps.trials(1);
  }
  ASSERT_EQ(trials.size(), 8u);
  std::size_t complete = 0;
  for (const auto& t : trials) complete += t.status == rein::tracker::TrialStatus::Complete;
  ASSERT_GE(complete, 2u) << "the quick sweep should complete most trials";

  const fs::path png = dir / "sweep.png";
  ASSERT_EQ(screenshot(db, png, ""), 0);
  const Image img = load_png(png);
  ASSERT_EQ(img.w, 1400);
  const json side = read_json(png.string() + ".json");
  ASSERT_TRUE(side.contains("sweep")) << side.dump();
  const json& sw = side["sweep"];
  EXPECT_EQ(sw["id"], 1);
  EXPECT_EQ(sw["name"], "quick");

  // Parallel coordinates: a log axis for the learning rate, a linear one for n_epochs, the
  // objective last; one polyline per trial.
  const json& par = sw["parallel"];
  ASSERT_EQ(par["axes"].size(), 3u);
  EXPECT_EQ(par["axes"][0]["name"], "learning_rate");
  EXPECT_EQ(par["axes"][0]["kind"], "log");
  EXPECT_EQ(par["axes"][1]["kind"], "linear");
  EXPECT_EQ(par["axes"][2]["name"], "eval/mean_return");
  ASSERT_EQ(par["lines"].size(), trials.size());
  std::size_t coloured = 0, grey = 0;
  for (const json& l : par["lines"]) {
    const std::vector<int> c = l["colour"];
    const double f = drawn_fraction(img, l["points"], c);
    if (l["greyed"].get<bool>()) {
      ++grey;
      EXPECT_NE(l["status"], "complete");
      EXPECT_TRUE(l["points"][2].is_null()) << "a pruned trial has no objective point";
      EXPECT_EQ(c[0], c[1]) << "grey, not a colour of the map";
      EXPECT_GE(f, 0.3) << "trial " << l["trial"] << " (grey) is not drawn";
    } else {
      ++coloured;
      EXPECT_EQ(l["status"], "complete");
      EXPECT_GE(f, 0.5) << "trial " << l["trial"] << " is not drawn in its colour " << l.dump();
    }
  }
  EXPECT_EQ(coloured, complete);
  EXPECT_EQ(grey, trials.size() - complete);
  // The best trial is drawn last, in the map's top colour; the worst complete one in its bottom.
  EXPECT_EQ(par["lines"].back()["colour"].get<std::vector<int>>(), kViridisTop);
  EXPECT_GT(count_colour(img, kViridisTop, par["area"]), 150);
  EXPECT_GT(count_colour(img, kViridisBottom, par["area"]), 100);

  // The colour bar: yellow at the top (maximising), purple at the bottom, greener going up.
  const json& bar = par["colour_bar"];
  const int bx = (bar[0].get<int>() + bar[2].get<int>()) / 2;
  const int top = bar[1].get<int>() + 3, bottom = bar[3].get<int>() - 3;
  EXPECT_TRUE(near(img.at(bx, top), kViridisTop, 30));
  EXPECT_TRUE(near(img.at(bx, bottom), kViridisBottom, 30));
  int previous_green = -1, rises = 0;
  for (int y = bottom; y >= top; y -= 8) {
    const int g = img.at(bx, y)[1];
    EXPECT_GE(g, previous_green - 3) << "row " << y;
    rises += g > previous_green;
    previous_green = g;
  }
  EXPECT_GT(rises, 10);

  // One scatter per param, a dot per complete trial in its colour.
  ASSERT_EQ(sw["scatter"].size(), 2u);
  for (const json& s : sw["scatter"]) {
    ASSERT_EQ(s["points"].size(), complete) << s["param"];
    for (const json& p : s["points"])
      EXPECT_TRUE(colour_near(img, p["at"][0], p["at"][1], p["colour"].get<std::vector<int>>(), 1))
          << s["param"] << " trial " << p["trial"];
  }

  // The table opens best first: complete trials by value, descending, then the rest.
  const std::vector<std::int64_t> order = sw["table"];
  ASSERT_EQ(order.size(), trials.size());
  double last = 1e300;
  for (std::size_t i = 0; i < complete; ++i) {
    const auto& t = trials[static_cast<std::size_t>(order[i])];
    ASSERT_EQ(t.status, rein::tracker::TrialStatus::Complete) << "row " << i;
    EXPECT_LE(*t.value, last);
    last = *t.value;
  }

  // Selecting the best trial selects its runs (one per seed) and outlines its line in white.
  const std::int64_t best = order[0];
  const fs::path picked = dir / "picked.png";
  ASSERT_EQ(screenshot(db, picked, "--sweep quick --trials " + std::to_string(best)), 0);
  const json side2 = read_json(picked.string() + ".json");
  EXPECT_EQ(side2["sweep"]["selected_trials"], json::array({best}));
  std::set<std::string> expected;
  {
    rein::tracker::Store store(db.string());
    for (const auto& r : store.list_runs({.tag = rein::tracker::trial_tag(1, best)}))
      expected.insert(r.name);
  }
  EXPECT_EQ(expected.size(), 2u);
  EXPECT_EQ(side2["selected"].get<std::set<std::string>>(), expected);
  const Image img2 = load_png(picked);
  for (const json& l : side2["sweep"]["parallel"]["lines"]) {
    if (l["trial"] != best) continue;
    EXPECT_TRUE(l["selected"].get<bool>());
    EXPECT_GE(drawn_fraction(img2, l["points"], {255, 255, 255}), 0.5) << "no white outline";
  }

  // Bad input: a sweep or a trial that does not exist.
  EXPECT_NE(screenshot(db, dir / "none.png", "--sweep 99"), 0);
  EXPECT_NE(screenshot(db, dir / "none.png", "--sweep 1 --trials 99"), 0);
  EXPECT_FALSE(fs::exists(dir / "none.png"));
}

// Colours by rank: with one trial far below the others, the rest still spread over the colour map
// (a linear scale would paint them all yellow), and the colour bar beside the objective's axis
// shows each trial's colour at its value. The trials are written directly, no training.
TEST(DashboardSweepView, AnOutlierDoesNotWashOutTheColoursOfTheRest) {
  if (!have_xvfb()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb xauth)";
  const fs::path dir = fs::path(REIN_BINARY_DIR) / "dashboard_gui_test" / "sweep_outlier";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path db = dir / "sweeps.db";
  const double values[] = {-300, 100, 110, 120, 130, 140};
  {
    rein::tracker::SweepStore sweeps(db.string());
    const std::int64_t id = sweeps.create_sweep("outlier", R"(name = "outlier"
algorithm = "ppo"
env = "CartPole-v1"
trials = 6
[params]
learning_rate = { type = "log_uniform", low = 1e-4, high = 1e-2 }
n_epochs = { type = "int", low = 2, high = 20 }
)");
    for (std::int64_t n = 0; n < 6; ++n) {
      sweeps.start_trial(id, n,
                         {{"learning_rate", 1e-4 * std::pow(2.0, n)}, {"n_epochs", 3 * n + 2}});
      sweeps.end_trial(id, n, rein::tracker::TrialStatus::Complete, values[n], 1000);
    }
  }
  const fs::path png = dir / "outlier.png";
  ASSERT_EQ(screenshot(db, png, ""), 0);
  const Image img = load_png(png);
  const json par = read_json(png.string() + ".json")["sweep"]["parallel"];
  EXPECT_EQ(par["colour_scale"], "rank");
  std::map<std::int64_t, std::vector<int>> colour;
  std::map<std::int64_t, json> points;
  for (const json& l : par["lines"]) {
    colour[l["trial"]] = l["colour"].get<std::vector<int>>();
    points[l["trial"]] = l["points"];
  }
  ASSERT_EQ(colour.size(), 6u);
  EXPECT_EQ(colour[5], kViridisTop);
  EXPECT_EQ(colour[0], kViridisBottom);
  auto distance = [](const std::vector<int>& a, const std::vector<int>& b) {
    return std::abs(a[0] - b[0]) + std::abs(a[1] - b[1]) + std::abs(a[2] - b[2]);
  };
  // The five close values get five clearly different colours, none of them the top one but the
  // best, and the second worst is far from yellow.
  for (std::int64_t a = 1; a < 6; ++a)
    for (std::int64_t b = a + 1; b < 6; ++b)
      EXPECT_GT(distance(colour[a], colour[b]), 40) << a << " vs " << b;
  EXPECT_GT(distance(colour[1], kViridisTop), 250);
  const json& bar = par["colour_bar"];
  const int bx = (bar[0].get<int>() + bar[2].get<int>()) / 2;
  for (std::int64_t n = 0; n < 6; ++n) {
    EXPECT_GE(drawn_fraction(img, points[n], colour[n]), 0.5) << "trial " << n;
    // The bar at the trial's value (its point on the objective's axis) has the trial's colour.
    const float y = points[n][2][1].get<float>();
    EXPECT_TRUE(colour_near(img, static_cast<float>(bx), y, colour[n], 1, 40)) << "trial " << n;
  }
}

}  // namespace
