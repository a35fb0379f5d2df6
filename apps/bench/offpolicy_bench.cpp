// rein's SAC and TD3 through their real agents: one iterate() at the Pendulum-v1 zoo sizes
// (SAC 256x256, TD3 400x300, batch 256, one env, train_freq 1 step) is one env step and one
// gradient step. Compared with the hand-written Eigen twins in autograd_handwritten_bench.cpp
// (docs/PERFORMANCE.md). The argument is --threads (2: the critics' passes on two threads).
#include <benchmark/benchmark.h>

#include "apps/bench/offpolicy_flops.h"
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
BENCHMARK(BM_sac_pendulum_step_b256)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// The TD3 preset trains once per episode (gradient_steps -1); here once per env step, so one
// iterate() is one gradient step (the actor's every second one, policy_delay 2).
void BM_td3_pendulum_step_b256(benchmark::State& state) {
  rl::Settings s;
  s.set("total_timesteps", "100000000", "bench");
  s.set("learning_starts", "300", "bench");
  s.set("train_freq", "1", "bench");
  s.set("train_freq_unit", "step", "bench");
  s.set("gradient_steps", "1", "bench");
  s.set("threads", std::to_string(state.range(0)), "bench");
  rl::Trainer t("td3", "Pendulum-v1", {}, s);
  rl::NullSink sink;
  while (t.agent().global_step() <= 300) t.agent().iterate(sink);
  for (auto _ : state) t.agent().iterate(sink);
  state.counters["GFLOP/s"] =
      benchmark::Counter(kTd3UpdateFlop, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_td3_pendulum_step_b256)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace
