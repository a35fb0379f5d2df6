// rein's SAC through its real agent: one iterate() of the Pendulum-v1 zoo sizes (256x256,
// batch 256, one env, train_freq 1) is one env step and one gradient step. Compared with the
// hand-written Eigen twin in autograd_handwritten_bench.cpp (docs/PERFORMANCE.md).
#include <benchmark/benchmark.h>

#include "apps/bench/sac_flops.h"
#include "rl/metric_sink.h"
#include "rl/trainer.h"

namespace {

using namespace rein;

void BM_sac_pendulum_step_b256(benchmark::State& state) {
  rl::Settings s;
  s.set("total_timesteps", "100000000", "bench");
  s.set("learning_rate", "0.001", "bench");
  s.set("learning_starts", "300", "bench");
  s.set("threads", std::to_string(state.range(0)), "bench");
  rl::Trainer t("sac", "Pendulum-v1", {}, s);
  rl::NullSink sink;
  while (t.agent().global_step() <= 300) t.agent().iterate(sink);
  for (auto _ : state) t.agent().iterate(sink);
  state.counters["GFLOP/s"] =
      benchmark::Counter(kSacUpdateFlop, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_sac_pendulum_step_b256)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
