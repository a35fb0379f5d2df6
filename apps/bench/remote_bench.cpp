// Remote env benchmarks: CartPole-v1 stepped through a rein server on loopback TCP, one env per
// frame (RemoteEnv) and 64 envs per frame (RemoteVectorEnv), random actions, resets included.
// The in-process figures to compare with are BM_CartPoleSingleEnv and BM_CartPoleVector/0 in
// envs_bench.cpp (run them in the same session: docs/PERFORMANCE.md).
#include <benchmark/benchmark.h>

#include "envs/remote/remote_env.h"
#include "envs/remote/server.h"

namespace {

using namespace rein;
using namespace rein::envs;

std::string serve_cartpole(remote::Server*& out) {
  static remote::Server server(remote::ServerOptions{.env_id = "CartPole-v1"});
  static const bool started = [] {
    server.start();
    return true;
  }();
  (void)started;
  out = &server;
  return str("remote://127.0.0.1:", server.port());
}

void BM_RemoteCartPoleSingleEnv(benchmark::State& state) {
  remote::Server* server = nullptr;
  auto env = remote::make_env(serve_cartpole(server));
  Generator gen(0);
  env->reset(0);
  for (auto _ : state) {
    StepResult r = env->step(static_cast<int64_t>(gen.next_u64() >> 63));
    if (r.terminated || r.truncated) env->reset();
    benchmark::DoNotOptimize(r.obs);
  }
  state.counters["env_steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
// Real time: the work happens in the server thread as much as in this one.
BENCHMARK(BM_RemoteCartPoleSingleEnv)->UseRealTime();

void BM_RemoteCartPoleBatched(benchmark::State& state) {
  const int64_t n = state.range(0);
  remote::Server* server = nullptr;
  auto venv = remote::make_vec(serve_cartpole(server), n);
  venv->reset(0);
  Generator gen(0);
  Tensor actions = zeros(Shape{n}, Dtype::Int64);
  int64_t* a = actions.data<int64_t>();
  for (auto _ : state) {
    for (int64_t i = 0; i < n; ++i) a[i] = static_cast<int64_t>(gen.next_u64() >> 63);
    benchmark::DoNotOptimize(venv->step(actions).obs);
  }
  state.counters["env_steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RemoteCartPoleBatched)->Arg(64)->UseRealTime();

}  // namespace
