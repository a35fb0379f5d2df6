// Env benchmarks: CartPole-v1 env steps per second with random actions (resets included),
// through make() (TimeLimit + OrderEnforcing), one env and vectors of 64 (sync and threaded).
// Gymnasium's figure is measured by bench/gymnasium_baseline.py where Gymnasium is installed.
#include <benchmark/benchmark.h>

#include "envs/registry.h"
#include "envs/vector_env.h"

namespace {

using namespace rein;
using namespace rein::envs;

void BM_CartPoleSingleEnv(benchmark::State& state) {
  auto env = make("CartPole-v1");
  Generator gen(0);
  env->reset(0);
  for (auto _ : state) {
    // Random actions as Gymnasium's action_space.sample() draws them.
    StepResult r = env->step(static_cast<int64_t>(gen.next_u64() >> 63));
    if (r.terminated || r.truncated) env->reset();
    benchmark::DoNotOptimize(r.obs);
  }
  state.counters["env_steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CartPoleSingleEnv);

void BM_CartPoleVector(benchmark::State& state) {
  const int64_t n = 64;
  VectorOptions options;
  options.mode = state.range(0) == 0 ? VectorMode::Sync : VectorMode::Threaded;
  options.num_threads = static_cast<int>(state.range(0));
  auto venv = make_vec("CartPole-v1", n, options);
  venv->reset(0);
  Generator gen(0);
  Tensor actions = zeros(Shape{n}, Dtype::Int64);
  int64_t* a = actions.data<int64_t>();
  for (auto _ : state) {
    for (int64_t i = 0; i < n; ++i) a[i] = static_cast<int64_t>(gen.next_u64() >> 63);
    benchmark::DoNotOptimize(venv->step(actions).obs);
  }
  state.counters["env_steps_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}
// Arg: 0 = SyncVectorEnv (one core: CPU time is the figure), k > 0 = ThreadedVectorEnv with k
// threads (wall time is the figure).
BENCHMARK(BM_CartPoleVector)->Arg(0);
BENCHMARK(BM_CartPoleVector)->Arg(2)->UseRealTime();

}  // namespace
