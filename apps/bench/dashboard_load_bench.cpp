// The dashboard's one-off costs against a real database made by the tracker's writer: opening a
// database of 1,000 runs (runs table ready), and the first draw after selecting 100 runs of
// 100,000 points or one run of 10,000,000 points (load from the database, prepare, build the
// chart geometry; everything but GL), from SQLite and, for the 100 runs, from a PostgreSQL server
// the benchmark starts itself (the tests' helper). docs/PERFORMANCE.md, dashboard section.
//
// The databases are written once per process into $TMPDIR (minutes for the 20M points on a busy
// machine) and removed at exit; set REIN_DASHBOARD_BENCH_DIR to keep them in that directory and
// reuse them in later runs. Timings are with the file in the OS page cache, as after training.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "apps/dashboard/chart_model.h"
#include "apps/dashboard/run_source.h"
#include "apps/dashboard/series.h"
#include "apps/dashboard/view_model.h"
#include "tests/tracker/postgres_server.h"
#include "tracker/run_writer.h"

namespace {

using namespace rein::dashboard;
namespace tracker = rein::tracker;

constexpr const char* kKey = "train/episode_return";
constexpr int kWidth = 800;
constexpr int kHeight = 400;

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/rein-dash-bench-XXXXXX";
    path_ = ::mkdtemp(pattern.data()) ? pattern : ".";
  }
  ~TempDir() {
    std::error_code ec;
    if (path_ != ".") std::filesystem::remove_all(path_, ec);
  }
  std::string file(const char* name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Where the databases live; `fresh` is false when a kept one can be reused.
std::string db_file(const char* name, bool& fresh) {
  const char* keep = std::getenv("REIN_DASHBOARD_BENCH_DIR");
  if (keep && *keep) {
    const std::string p = std::string(keep) + "/" + name;
    fresh = !std::filesystem::exists(p);
    return fresh ? p + ".partial" : p;
  }
  static TempDir dir;
  fresh = true;
  return dir.file(name);
}

// Makes a kept database visible under its final name once it is complete.
void done(const std::string& path) {
  const std::string suffix = ".partial";
  if (path.size() > suffix.size() && path.ends_with(suffix)) {
    const std::string final_path = path.substr(0, path.size() - suffix.size());
    // Every writer has closed, so SQLite has merged and removed the -wal; move it if not.
    if (std::filesystem::exists(path + "-wal")) {
      std::filesystem::rename(path + "-wal", final_path + "-wal");
    }
    std::error_code ec;
    std::filesystem::remove(path + "-shm", ec);
    std::filesystem::rename(path, final_path);
  }
}

// One finished run written through RunWriter, as `rein train` writes it: params, tags, a noisy
// learning curve of `points` points under kKey (step 8 apart), and `extra_keys` short metrics.
void write_run(const std::string& db, int index, std::int64_t points, int extra_keys) {
  tracker::RunSpec spec;
  spec.experiment = "exp" + std::to_string(index % 7);
  spec.algorithm = index % 2 ? "ppo" : "dqn";
  spec.env = index % 3 ? "CartPole-v1" : "Acrobot-v1";
  spec.seed = index % 10;
  spec.params = {{"lr", 3e-4 * (1 + index % 4)},
                 {"gamma", 0.99},
                 {"n_envs", std::int64_t{8}},
                 {"batch_size", std::int64_t{64 << (index % 3)}},
                 {"activation", std::string(index % 2 ? "tanh" : "relu")}};
  spec.tags = {"bench", index % 5 ? "sweep" : "baseline"};
  tracker::RunWriter w(db, spec);
  tracker::MetricKey k = w.key(kKey);
  std::mt19937 rng(static_cast<unsigned>(index + 1));
  std::normal_distribution<double> noise(0.0, 20.0);
  const double tau = static_cast<double>(points) / 5.0 * (1.0 + 0.01 * (index % 100));
  for (std::int64_t i = 0; i < points; ++i) {
    w.log(k, i * 8, 450.0 * (1.0 - std::exp(-static_cast<double>(i) / tau)) + noise(rng));
  }
  for (int e = 0; e < extra_keys; ++e) {
    tracker::MetricKey ek = w.key("loss/k" + std::to_string(e));
    for (std::int64_t i = 0; i < 200; ++i) w.log(ek, i * 1000, 1.0 / (1.0 + i));
  }
  w.finish(tracker::RunStatus::Finished);
}

// 100 runs of 100,000 points, then one run of 10,000,000 (the last id).
const std::string& big_db() {
  static const std::string path = [] {
    bool fresh = false;
    std::string p = db_file("big.db", fresh);
    if (fresh) {
      for (int r = 0; r < 100; ++r) write_run(p, r, 100000, 0);
      write_run(p, 100, 10000000, 0);
      done(p);
      p = p.ends_with(".partial") ? p.substr(0, p.size() - 8) : p;
    }
    return p;
  }();
  return path;
}

// The same 100 runs of 100,000 points in a PostgreSQL database (written once per process).
const std::string& postgres_big_db() {
  static std::unique_ptr<tracker::testing::PostgresServer> server;
  static const std::string url = [] {
    server = std::make_unique<tracker::testing::PostgresServer>();
    std::string u = server->create_database("dashboard");
    for (int r = 0; r < 100; ++r) write_run(u, r, 100000, 0);
    return u;
  }();
  return url;
}

// 1,000 runs with params, tags, one 1,000-point return curve and 5 other metrics each.
const std::string& many_runs_db() {
  static const std::string path = [] {
    bool fresh = false;
    std::string p = db_file("many.db", fresh);
    if (fresh) {
      for (int r = 0; r < 1000; ++r) write_run(p, r, 1000, 5);
      done(p);
      p = p.ends_with(".partial") ? p.substr(0, p.size() - 8) : p;
    }
    return p;
  }();
  return path;
}

// What the dashboard does between a selection and the first frame's geometry: the metric menu
// (keys of the selected runs), the series load (downsampled by the tracker), EMA and pyramids,
// and the chart's lines (ungrouped: one line per run, smoothed with the raw curve behind).
std::size_t first_draw(RunSource& source, const std::vector<std::int64_t>& ids) {
  benchmark::DoNotOptimize(source.metric_keys(ids));
  source.load(ids, kKey);
  std::vector<std::unique_ptr<PreparedSeries>> prepared;
  std::vector<ChartGroup> groups;
  for (std::int64_t id : ids) {
    const SeriesEntry* e = source.series(id, kKey);
    if (!e) continue;
    prepared.push_back(std::make_unique<PreparedSeries>());
    prepared.back()->prepare(e->data, XAxis::Step, 0.0, 0.6);
    groups.push_back({std::to_string(id),
                      static_cast<int>(groups.size()),
                      {prepared.back().get()},
                      {std::to_string(id)}});
  }
  Range x, y;
  ChartModel::extent(groups, Scale::Linear, x, y);
  const AxisMap xm(x, 60, 60 + kWidth);
  const AxisMap ym(y, 20 + kHeight, 20);
  ChartModel model;
  std::vector<ChartLine> lines;
  model.build(groups, xm, ym, kWidth, BandKind::Std, true, lines);
  std::size_t points = 0;
  for (const ChartLine& l : lines) points += l.line.size() + l.raw.size();
  return points;
}

void run_first_draw(benchmark::State& state, const std::vector<std::int64_t>& ids,
                    bool progressive = true, const std::string& db = big_db()) {
  std::size_t points = 0, loaded = 0;
  for (auto _ : state) {
    RunSource source(db);  // a fresh cache: nothing loaded yet
    source.set_progressive(progressive);
    source.refresh_rows();
    points = first_draw(source, ids);
    loaded = 0;
    for (std::int64_t id : ids) loaded += source.series(id, kKey)->data.size();
  }
  state.counters["points_loaded"] = static_cast<double>(loaded);
  state.counters["points_to_renderer"] = static_cast<double>(points);
}

void BM_DashboardFirstDraw_100Runs_100k(benchmark::State& state) {
  big_db();  // written before timing starts
  std::vector<std::int64_t> ids;
  for (std::int64_t id = 1; id <= 100; ++id) ids.push_back(id);
  run_first_draw(state, ids);
}

// The same selection without progressive loading: every series at full resolution (4,000
// points) before the first draw; what refine() spends over the following frames.
void BM_DashboardFirstDraw_100Runs_100k_FullResolution(benchmark::State& state) {
  big_db();
  std::vector<std::int64_t> ids;
  for (std::int64_t id = 1; id <= 100; ++id) ids.push_back(id);
  run_first_draw(state, ids, false);
}

// The first selection's draw from PostgreSQL: the same 100 runs, the same queries, over libpq.
void BM_DashboardFirstDraw_100Runs_100k_Postgres(benchmark::State& state) {
  const std::string& db = postgres_big_db();  // written before timing starts
  std::vector<std::int64_t> ids;
  for (std::int64_t id = 1; id <= 100; ++id) ids.push_back(id);
  run_first_draw(state, ids, true, db);
}

void BM_DashboardFirstDraw_1Run_10M(benchmark::State& state) {
  big_db();
  run_first_draw(state, {101});
}

// Opening the database until the runs table is ready to draw (rows with params and last
// values, filtered and sorted by start time).
void BM_DashboardOpen_1000Runs(benchmark::State& state) {
  const std::string& db = many_runs_db();
  std::size_t rows = 0;
  for (auto _ : state) {
    RunSource source(db);
    source.refresh_rows();
    RunTable table;
    table.set_rows(source.rows());
    rows = table.visible().size();
  }
  state.counters["rows"] = static_cast<double>(rows);
}

}  // namespace

BENCHMARK(BM_DashboardFirstDraw_100Runs_100k)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DashboardFirstDraw_100Runs_100k_FullResolution)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_DashboardFirstDraw_1Run_10M)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DashboardFirstDraw_100Runs_100k_Postgres)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_DashboardOpen_1000Runs)->Unit(benchmark::kMillisecond)->UseRealTime();
