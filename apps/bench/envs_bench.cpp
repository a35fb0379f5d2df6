// Env benchmarks: env steps per second with random actions (resets included), through make()
// (TimeLimit + OrderEnforcing), one env and vectors of 64: CartPole-v1 (sync and threaded),
// LunarLander-v3, LunarLanderContinuous-v3 and BipedalWalker-v3 beside the bare Box2D world
// step as the limit.
// Gymnasium's figure is measured by bench/gymnasium_baseline.py where Gymnasium is installed.
#include <benchmark/benchmark.h>

#include <cstring>
#include <utility>

#include "envs/box2d/bipedal_walker.h"
#include "envs/box2d/lunar_lander.h"
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
  state.counters["env_steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}
// Arg: 0 = SyncVectorEnv (one core: CPU time is the figure), k > 0 = ThreadedVectorEnv with k
// threads (wall time is the figure).
BENCHMARK(BM_CartPoleVector)->Arg(0);
BENCHMARK(BM_CartPoleVector)->Arg(2)->UseRealTime();

// Arg: 0 = LunarLander-v3, 1 = LunarLanderContinuous-v3, 2 = BipedalWalker-v3,
// 3 = CarRacing-v3 (continuous), 4 = CarRacing-v3 (discrete).
struct Box2DEnv {
  const char* id;
  Kwargs kwargs;
};
const Box2DEnv& box2d_env(int64_t which) {
  static const Box2DEnv envs[] = {{"LunarLander-v3", {}},
                                  {"LunarLanderContinuous-v3", {}},
                                  {"BipedalWalker-v3", {}},
                                  {"CarRacing-v3", {{"continuous", "true"}}},
                                  {"CarRacing-v3", {{"continuous", "false"}}}};
  return envs[which];
}

// Random actions as Gymnasium's seeded action_space.sample().
void BM_Box2DSingleEnv(benchmark::State& state) {
  const Box2DEnv& which = box2d_env(state.range(0));
  auto env = make(which.id, which.kwargs);
  NpRandom gen(0);
  Tensor action = zeros(env->action_space().shape(), env->action_space().dtype());
  env->reset(0);
  for (auto _ : state) {
    env->action_space().sample_into(gen, action);
    StepResult r = env->step(Action::from_tensor(action));
    if (r.terminated || r.truncated) env->reset();
    benchmark::DoNotOptimize(r.obs);
  }
  state.counters["env_steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Box2DSingleEnv)->DenseRange(0, 4);

void BM_Box2DVector(benchmark::State& state) {
  const int64_t n = 64;
  auto venv = make_vec(box2d_env(state.range(0)).id, n, {});
  venv->reset(0);
  const Space& space = venv->single_action_space();
  NpRandom gen(0);
  Tensor one = zeros(space.shape(), space.dtype());
  const bool discrete = space.is_discrete();
  const int64_t width = discrete ? 1 : space.flat_dim();
  Tensor actions =
      discrete ? zeros(Shape{n}, Dtype::Int64) : zeros(Shape{n, width}, Dtype::Float32);
  for (auto _ : state) {
    for (int64_t i = 0; i < n; ++i) {
      space.sample_into(gen, one);
      if (discrete) {
        actions.data<int64_t>()[i] = one.data<int64_t>()[0];
      } else {
        std::memcpy(actions.data<float>() + width * i, one.data<float>(),
                    static_cast<size_t>(width) * sizeof(float));
      }
    }
    benchmark::DoNotOptimize(venv->step(actions).obs);
  }
  state.counters["env_steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Box2DVector)->Arg(0)->Arg(1)->Arg(2);

// The limit: Box2D's world step alone on the env's world, resets included (a new world each,
// as the env builds): LunarLander with engines off falls to a crash or rest; BipedalWalker with
// its motors released (reset's action 0) collapses until the hull touches the ground.
template <typename E, typename... Args>
void run_world_steps(benchmark::State& state, Args&&... args) {
  E env(std::forward<Args>(args)...);
  env.reset(0);
  for (auto _ : state) {
    if (env.step_world_only()) env.reset();
  }
  state.counters["world_steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
void BM_LunarLanderBox2DWorldStep(benchmark::State& state) {
  run_world_steps<envs::internal::LunarLander>(state, envs::internal::LunarLanderConfig{});
}
BENCHMARK(BM_LunarLanderBox2DWorldStep);
void BM_BipedalWalkerBox2DWorldStep(benchmark::State& state) {
  run_world_steps<envs::internal::BipedalWalker>(state, false);
}
BENCHMARK(BM_BipedalWalkerBox2DWorldStep);

}  // namespace
