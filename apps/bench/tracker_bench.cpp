// Tracker benchmarks: the cost of RunWriter::log() on the training thread, 1M points logged and
// committed through the public writer, and reading a long series downsampled for a plot.
// Compare with rein-bench-sqlite-baseline (docs/PERFORMANCE.md).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tracker/run_writer.h"
#include "tracker/store.h"

namespace {

using namespace rein::tracker;

// A fresh directory under $TMPDIR (or /tmp), removed at the end.
class BenchDir {
 public:
  BenchDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/rein-bench-XXXXXX";
    path_ = ::mkdtemp(pattern.data()) ? pattern : ".";
  }
  ~BenchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const char* name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

RunSpec bench_spec() {
  RunSpec s;
  s.algorithm = "ppo";
  s.env = "CartPole-v1";
  s.seed = 1;
  return s;
}

// The training thread's cost per log() call while the writer thread drains in the background.
void BM_TrackerLogCall(benchmark::State& state) {
  BenchDir dir;
  RunWriter w(dir.file("rein.db"), bench_spec());
  MetricKey k = w.key("train/episode_return");
  std::int64_t step = 0;
  for (auto _ : state) {
    w.log(k, step, static_cast<double>(step));
    ++step;
  }
  w.finish(RunStatus::Finished);  // after the timed loop: not measured
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TrackerLogCall);

// 1,000,000 points through log() until flush() says they are committed: end-to-end rows/s,
// the figure docs/PERFORMANCE.md puts beside the bare sqlite3 program.
void BM_TrackerWrite1M(benchmark::State& state) {
  constexpr std::int64_t kPoints = 1000000;
  for (auto _ : state) {
    state.PauseTiming();
    auto dir = std::make_unique<BenchDir>();
    auto w = std::make_unique<RunWriter>(dir->file("rein.db"), bench_spec());
    MetricKey k = w->key("train/episode_return");
    state.ResumeTiming();
    for (std::int64_t i = 0; i < kPoints; ++i) w->log(k, i, static_cast<double>(i % 977));
    w->flush();
    state.PauseTiming();
    w->finish(RunStatus::Finished);
    w.reset();
    dir.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kPoints);
}
BENCHMARK(BM_TrackerWrite1M)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// Reading one series of range(0) points downsampled to 2,000 (the dashboard's plot query).
void BM_TrackerSeriesDownsample(benchmark::State& state) {
  const std::int64_t points = state.range(0);
  BenchDir dir;
  std::int64_t run_id;
  {
    RunWriter w(dir.file("rein.db"), bench_spec());
    MetricKey k = w.key("train/episode_return");
    for (std::int64_t i = 0; i < points; ++i) w.log(k, i * 8, static_cast<double>((i * 31) % 1001));
    w.finish(RunStatus::Finished);
    run_id = w.run_id();
  }
  Store store(dir.file("rein.db"), {.mode = OpenMode::ReadOnly});
  std::size_t got = 0;
  for (auto _ : state) {
    auto s = store.series({run_id}, "train/episode_return", {.max_points = 2000});
    got = s[0].points.size();
    benchmark::DoNotOptimize(s);
  }
  state.counters["points_out"] = static_cast<double>(got);
}
BENCHMARK(BM_TrackerSeriesDownsample)
    ->Arg(1000000)
    ->Arg(10000000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A zoomed view: 50,000 steps in the middle of a 1M-point series (raw points, then min/max).
void BM_TrackerSeriesZoom(benchmark::State& state) {
  BenchDir dir;
  std::int64_t run_id;
  {
    RunWriter w(dir.file("rein.db"), bench_spec());
    MetricKey k = w.key("train/episode_return");
    for (std::int64_t i = 0; i < 1000000; ++i) w.log(k, i, static_cast<double>((i * 31) % 1001));
    w.finish(RunStatus::Finished);
    run_id = w.run_id();
  }
  Store store(dir.file("rein.db"), {.mode = OpenMode::ReadOnly});
  for (auto _ : state) {
    auto s = store.series({run_id}, "train/episode_return",
                          {.max_points = 2000, .min_step = 500000, .max_step = 550000});
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_TrackerSeriesZoom)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
