// The sweep view's geometry without a window: axes (log, linear, categorical), the colour map,
// trial polylines, hit testing, the scatter and the trial table's order, on a sweep written to a
// real tracker database.
#include "apps/dashboard/sweep_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

namespace rein::dashboard {
namespace {

namespace fs = std::filesystem;
using tracker::TrialStatus;

const char* kSpec = R"(name = "view"
algorithm = "ppo"
env = "CartPole-v1"
trials = 10
[params]
learning_rate = { type = "log_uniform", low = 1e-4, high = 1e-2 }
n_epochs = { type = "int", low = 2, high = 20 }
batch_size = { type = "choice", values = [32, 64, 128] }
)";

// The spec's params keep the file's order (learning_rate, n_epochs, batch_size): axes 0, 1, 2.
// Six trials: three complete (values 100, 300, 200), one pruned, one failed, one running.
SweepData make_sweep(const std::string& spec_text = kSpec) {
  const fs::path dir = fs::path(REIN_BINARY_DIR) / "dashboard_sweep_model_test";
  fs::create_directories(dir);
  const fs::path db =
      dir / (::testing::UnitTest::GetInstance()->current_test_info()->name() + std::string(".db"));
  fs::remove(db);
  tracker::SweepStore store(db.string());
  const std::int64_t id = store.create_sweep("view", spec_text);
  struct T {
    double lr;
    std::int64_t epochs, batch;
    TrialStatus status;
    std::optional<double> value;
  };
  const T trials[] = {{1e-3, 11, 64, TrialStatus::Complete, 100.0},
                      {1e-4, 2, 32, TrialStatus::Complete, 300.0},
                      {1e-2, 20, 128, TrialStatus::Complete, 200.0},
                      {3e-4, 5, 64, TrialStatus::Pruned, 40.0},
                      {5e-3, 8, 32, TrialStatus::Failed, std::nullopt},
                      {2e-3, 14, 128, TrialStatus::Running, std::nullopt}};
  std::int64_t n = 0;
  for (const T& t : trials) {
    store.start_trial(id, n,
                      {{"learning_rate", t.lr}, {"n_epochs", t.epochs}, {"batch_size", t.batch}});
    if (t.status != TrialStatus::Running) store.end_trial(id, n, t.status, t.value, 1000 * (n + 1));
    ++n;
  }
  tracker::SweepStore reader(db.string(), rein::tracker::OpenMode::ReadOnly);
  return load_sweep(reader, id);
}

const TrialLine& line_of(const SweepModel& m, std::int64_t number) {
  for (const TrialLine& l : m.lines())
    if (l.number == number) return l;
  throw std::runtime_error("no line for trial " + std::to_string(number));
}

TEST(SweepModel, ViridisRunsFromDarkPurpleToYellowAndClamps) {
  const Rgb lo = viridis(0.0), mid = viridis(0.5), hi = viridis(1.0);
  EXPECT_EQ((std::vector<int>{lo.r, lo.g, lo.b}), (std::vector<int>{68, 1, 84}));
  EXPECT_EQ((std::vector<int>{mid.r, mid.g, mid.b}), (std::vector<int>{33, 144, 140}));
  EXPECT_EQ((std::vector<int>{hi.r, hi.g, hi.b}), (std::vector<int>{253, 231, 37}));
  // Between two of its points, the average of them.
  const Rgb q = viridis(1.0 / 16.0);
  EXPECT_EQ(q.r, 70);  // (0x44 + 0x47) / 2 rounded
  EXPECT_EQ(q.g, 23);  // (0x01 + 0x2d) / 2
  EXPECT_EQ(viridis(-3).r, lo.r);
  EXPECT_EQ(viridis(7).g, hi.g);
  EXPECT_EQ(viridis(NAN).b, lo.b);
  // Lightness rises along the map (what makes it readable in grey): green grows throughout.
  for (int i = 1; i <= 32; ++i) EXPECT_GT(viridis(i / 32.0).g, viridis((i - 1) / 32.0).g) << i;
}

TEST(SweepModel, AxesFollowTheSearchSpace) {
  const SweepData d = make_sweep();
  const ParamAxis lr = param_axis(d.spec.space[0]);
  EXPECT_EQ(lr.kind, ParamAxis::Kind::Log);
  EXPECT_DOUBLE_EQ(lr.fraction(1e-4), 0.0);
  EXPECT_DOUBLE_EQ(lr.fraction(1e-3), 0.5);  // a decade is half of two decades
  EXPECT_DOUBLE_EQ(lr.fraction(1e-2), 1.0);
  EXPECT_TRUE(std::isnan(lr.fraction(0.0)));
  ASSERT_FALSE(lr.tick_labels.empty());
  bool decade = false;  // 1e-3 is labelled, half way up
  for (std::size_t i = 0; i < lr.tick_labels.size(); ++i)
    decade =
        decade || (lr.tick_labels[i] == "0.001" && std::abs(lr.tick_fractions[i] - 0.5) < 1e-9);
  EXPECT_TRUE(decade);

  const ParamAxis epochs = param_axis(d.spec.space[1]);
  EXPECT_EQ(epochs.kind, ParamAxis::Kind::Linear);
  EXPECT_DOUBLE_EQ(epochs.fraction(11), 0.5);
  for (double f : epochs.tick_fractions) {
    EXPECT_GE(f, 0.0);
    EXPECT_LE(f, 1.0);
  }

  const ParamAxis batch = param_axis(d.spec.space[2]);
  EXPECT_EQ(batch.kind, ParamAxis::Kind::Categorical);
  EXPECT_EQ(batch.categories, (std::vector<std::string>{"32", "64", "128"}));
  EXPECT_DOUBLE_EQ(batch.fraction(0), 1.0 / 6.0);  // evenly spaced, clear of the ends
  EXPECT_DOUBLE_EQ(batch.fraction(2), 5.0 / 6.0);
  EXPECT_EQ(batch.tick_labels, batch.categories);
  ASSERT_EQ(batch.tick_fractions.size(), 3u);  // each label where its trials cross the axis
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_DOUBLE_EQ(batch.tick_fractions[i], batch.fraction(static_cast<double>(i))) << i;

  session::SearchParam log_int;
  log_int.name = "n_steps";
  log_int.kind = session::SearchParam::Kind::Int;
  log_int.low = 16;
  log_int.high = 1024;
  log_int.log = true;
  EXPECT_EQ(param_axis(log_int).kind, ParamAxis::Kind::Log);
  EXPECT_DOUBLE_EQ(param_axis(log_int).fraction(128), 0.5);

  // The objective's axis spans what was seen, padded, with ticks inside.
  const ParamAxis obj = objective_axis("eval/mean_return", {100, NAN, 300, 200});
  EXPECT_LT(obj.range.min, 100);
  EXPECT_GT(obj.range.max, 300);
  EXPECT_NEAR(obj.fraction(200), 0.5, 1e-12);
  const ParamAxis none = objective_axis("eval/mean_return", {});
  EXPECT_TRUE(none.range.valid());
}

TEST(SweepModel, TrialsAreColouredByObjectiveWithTheBestOnTopAndTheRestGrey) {
  const SweepData d = make_sweep();
  SweepModel m;
  m.build(d);
  ASSERT_EQ(m.axes().size(), 4u);  // three params and the objective
  EXPECT_EQ(m.params(), 3u);
  EXPECT_EQ(m.axes().back().name, "eval/mean_return");
  ASSERT_EQ(m.lines().size(), 6u);
  // Drawing order: the three without an objective, then 100, 200, 300.
  std::vector<std::int64_t> order;
  for (const TrialLine& l : m.lines()) order.push_back(l.number);
  EXPECT_EQ(std::vector<std::int64_t>(order.begin() + 3, order.end()),
            (std::vector<std::int64_t>{0, 2, 1}));
  for (std::size_t i = 0; i < 3; ++i) {
    const TrialLine& grey = m.lines()[i];
    EXPECT_FALSE(grey.objective) << grey.number;
    EXPECT_EQ(grey.colour.r, kGreyTrial.r);
    EXPECT_TRUE(std::isnan(grey.fractions.back()));  // a pruned value is not the objective
    EXPECT_FALSE(std::isnan(grey.fractions[0]));     // but its params are drawn
  }
  const TrialLine& best = line_of(m, 1);
  EXPECT_DOUBLE_EQ(best.colour_t, 1.0);
  EXPECT_EQ(best.colour.g, viridis(1.0).g);
  EXPECT_DOUBLE_EQ(line_of(m, 0).colour_t, 0.0);
  EXPECT_DOUBLE_EQ(line_of(m, 2).colour_t, 0.5);
  const TrialLine& t0 = line_of(m, 0);
  EXPECT_NEAR(t0.fractions[0], 0.5, 1e-12);  // learning_rate 1e-3
  EXPECT_NEAR(t0.fractions[1], 0.5, 1e-12);  // n_epochs 11
  EXPECT_NEAR(t0.fractions[2], 0.5, 1e-12);  // batch_size 64, the middle choice
  // The effects are sweep show's: three complete trials, smaller learning rates did better.
  ASSERT_EQ(m.effects().size(), 3u);
  EXPECT_EQ(m.effects()[0].param, "learning_rate");
  EXPECT_EQ(m.effects()[0].trials, 3u);
  EXPECT_DOUBLE_EQ(m.effects()[0].spearman, -0.5);

  // Minimising, the smallest value is the best: yellow, and drawn last.
  std::string minimize = kSpec;
  minimize.insert(minimize.find("trials"), "direction = \"minimize\"\n");
  SweepModel mm;
  mm.build(make_sweep(minimize));
  EXPECT_DOUBLE_EQ(line_of(mm, 0).colour_t, 1.0);
  EXPECT_EQ(mm.lines().back().number, 0);
  EXPECT_DOUBLE_EQ(mm.colour_t(300.0), 0.0);
}

// One outlier must not wash out the colours of the rest: they are spread by rank.
TEST(SweepModel, ColoursFollowRanksSoAnOutlierDoesNotWashOutTheRest) {
  const std::string spec = R"(name = "ranks"
algorithm = "ppo"
env = "CartPole-v1"
trials = 10
[params]
learning_rate = { type = "log_uniform", low = 1e-4, high = 1e-2 }
)";
  const fs::path dir = fs::path(REIN_BINARY_DIR) / "dashboard_sweep_model_test";
  fs::create_directories(dir);
  const fs::path db = dir / "ranks.db";
  fs::remove(db);
  tracker::SweepStore store(db.string());
  const std::int64_t id = store.create_sweep("ranks", spec);
  const double values[] = {-5000.0, 100.0, 110.0, 110.0, 130.0};
  for (std::int64_t n = 0; n < 5; ++n) {
    store.start_trial(id, n, {{"learning_rate", 1e-3}});
    store.end_trial(id, n, TrialStatus::Complete, values[n], 1000);
  }
  SweepModel m;
  m.build(load_sweep(store, id));
  // Ranks 0, 1, 2.5 (a tie), 4 over the worst's 0 to the best's 4.
  EXPECT_DOUBLE_EQ(line_of(m, 0).colour_t, 0.0);
  EXPECT_DOUBLE_EQ(line_of(m, 1).colour_t, 0.25);
  EXPECT_DOUBLE_EQ(line_of(m, 2).colour_t, 0.625);
  EXPECT_DOUBLE_EQ(line_of(m, 3).colour_t, 0.625);
  EXPECT_DOUBLE_EQ(line_of(m, 4).colour_t, 1.0);
  // Between two values seen, linearly between their positions; outside, the ends.
  EXPECT_DOUBLE_EQ(m.colour_t(120.0), 0.8125);
  EXPECT_DOUBLE_EQ(m.colour_t(-2450.0), 0.125);
  EXPECT_DOUBLE_EQ(m.colour_t(1e9), 1.0);
  EXPECT_DOUBLE_EQ(m.colour_t(-1e9), 0.0);
}

TEST(SweepModel, LayoutSpacesTheAxesAndHitTestingFindsTheTopmostLine) {
  SweepModel m;
  m.build(make_sweep());
  m.layout({100, 50}, {400, 250});
  ASSERT_EQ(m.axis_x().size(), 4u);
  EXPECT_FLOAT_EQ(m.axis_x()[0], 100);
  EXPECT_FLOAT_EQ(m.axis_x()[1], 200);
  EXPECT_FLOAT_EQ(m.axis_x()[3], 400);
  EXPECT_FLOAT_EQ(m.axis_y(1.0), 50);
  EXPECT_FLOAT_EQ(m.axis_y(0.0), 250);
  const TrialLine& t0 = line_of(m, 0);
  EXPECT_FLOAT_EQ(t0.points[0].x, 100);
  EXPECT_FLOAT_EQ(t0.points[0].y, 150);                // fraction 0.5
  EXPECT_TRUE(std::isnan(line_of(m, 3).points[3].y));  // pruned: no objective point

  auto number_at = [&](PixelPoint p) -> std::int64_t {
    const auto i = m.hit(p, 4.0f);
    return i ? m.lines()[*i].number : -1;
  };
  // Trial 1 (lr 1e-4 at the bottom of the first axis, n_epochs 2 at the bottom of the second):
  // its first segment runs along the bottom edge.
  EXPECT_EQ(number_at({150, 249}), 1);
  // On trial 0's first segment, both ends at fraction 0.5.
  EXPECT_EQ(number_at({180, 152}), 0);
  EXPECT_EQ(number_at({120, 245}), -1);  // no line within 4 pixels
  // Where lines meet, the one drawn on top: trials 1 (complete) and 4 (failed, grey) share
  // batch_size 32, trials 0 (complete) and 3 (pruned) batch_size 64.
  EXPECT_EQ(line_of(m, 1).points[2].y, line_of(m, 4).points[2].y);
  EXPECT_EQ(number_at(line_of(m, 1).points[2]), 1);
  EXPECT_EQ(number_at(line_of(m, 3).points[2]), 0);
}

TEST(SweepModel, ScatterPlacesCompleteTrialsOnTheParamAndObjectiveAxes) {
  SweepModel m;
  m.build(make_sweep());
  const auto pts = m.scatter(0, {0, 0}, {100, 100});
  ASSERT_EQ(pts.size(), 3u);  // complete trials only
  for (const auto& p : pts) {
    const TrialLine& l = m.lines()[p.line];
    ASSERT_TRUE(l.objective);
    EXPECT_NEAR(p.at.x, 100 * l.fractions[0], 1e-4);
    EXPECT_NEAR(p.at.y, 100 - 100 * m.axes().back().fraction(*l.objective), 1e-4);
  }
  EXPECT_TRUE(m.scatter(3, {0, 0}, {100, 100}).empty());  // the objective is not a param
}

TEST(SweepModel, TheTrialTableOpensBestFirstAndSortsAnyColumn) {
  const SweepData d = make_sweep();
  auto numbers = [&](const std::vector<std::size_t>& order) {
    std::vector<std::int64_t> out;
    for (std::size_t i : order) out.push_back(d.trials[i].number);
    return out;
  };
  EXPECT_EQ(numbers(best_first(d)), (std::vector<std::int64_t>{1, 2, 0, 3, 4, 5}));
  const int objective = static_cast<int>(TrialColumn::Objective);
  // Ascending by the objective: the trials without one stay last.
  EXPECT_EQ(numbers(trial_order(d, objective, false)),
            (std::vector<std::int64_t>{0, 2, 1, 3, 4, 5}));
  EXPECT_EQ(numbers(trial_order(d, static_cast<int>(TrialColumn::Status), false)),
            (std::vector<std::int64_t>{0, 1, 2, 3, 5, 4}));
  EXPECT_EQ(numbers(trial_order(d, static_cast<int>(TrialColumn::Steps), true)),
            (std::vector<std::int64_t>{4, 3, 2, 1, 0, 5}));  // the running trial has none yet
  // Param columns in the spec's order: learning_rate, n_epochs, batch_size.
  const int lr = static_cast<int>(TrialColumn::Param), batch = lr + 2;
  EXPECT_EQ(numbers(trial_order(d, lr, false)), (std::vector<std::int64_t>{1, 3, 0, 5, 4, 2}));
  EXPECT_EQ(numbers(trial_order(d, batch, true)),  // batch_size by choice: 128, 64, 32
            (std::vector<std::int64_t>{2, 5, 0, 3, 1, 4}));
  EXPECT_EQ(numbers(trial_order(d, lr + 7, true)).size(), 6u);  // no such column: trial order
}

TEST(SweepModel, ATrialsRunsAreFoundByTheirExactTag) {
  std::vector<RunRow> rows(4);
  rows[0].id = 10;
  rows[0].tags = "sweep:1, trial:1.2";
  rows[1].id = 11;
  rows[1].tags = "sweep:1, trial:1.20";  // not trial 2
  rows[2].id = 12;
  rows[2].tags = "trial:1.2";
  rows[3].id = 13;
  rows[3].tags = "sweep:2, trial:2.2";  // another sweep
  EXPECT_EQ(trial_run_ids(rows, 1, {2}), (std::vector<std::int64_t>{10, 12}));
  EXPECT_EQ(trial_run_ids(rows, 1, {2, 20}), (std::vector<std::int64_t>{10, 11, 12}));
  EXPECT_TRUE(trial_run_ids(rows, 1, {}).empty());
}

TEST(SweepModel, ASpecThatNoLongerParsesIsAnErrorNamingTheSweep) {
  const fs::path dir = fs::path(REIN_BINARY_DIR) / "dashboard_sweep_model_test";
  fs::create_directories(dir);
  const fs::path db = dir / "bad_spec.db";
  fs::remove(db);
  tracker::SweepStore store(db.string());
  const std::int64_t id = store.create_sweep("bad", "algorithm = 3");
  try {
    load_sweep(store, id);
    FAIL() << "a spec that does not parse loaded";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("sweep " + std::to_string(id)), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace rein::dashboard
