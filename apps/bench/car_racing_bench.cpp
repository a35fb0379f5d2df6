// CarRacing-v3 benchmarks: env steps per second with random actions (resets included, at the
// 1000-step limit or the episode's end), through make(), beside the bare Box2D world step on the
// same world as the limit. Most of an env step is drawing the 96x96 frame, which the world step
// does not do.
#include <benchmark/benchmark.h>

#include "envs/box2d/car_racing.h"
#include "envs/registry.h"

namespace {

using namespace rein;
using namespace rein::envs;

// Random actions as Gymnasium's seeded action_space.sample(). Arg: 1 continuous, 0 discrete.
void BM_CarRacingSingleEnv(benchmark::State& state) {
  auto env = make("CarRacing-v3", {{"continuous", state.range(0) ? "true" : "false"}});
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
BENCHMARK(BM_CarRacingSingleEnv)->Arg(1)->Arg(0);

// The limit: Box2D's world step alone on the env's world (car at rest on its track), with a
// reset (a new track and world) every 1000 steps as the time limit makes.
void BM_CarRacingBox2DWorldStep(benchmark::State& state) {
  envs::internal::CarRacing env(envs::internal::CarRacingConfig{});
  env.reset(0);
  int steps = 0;
  for (auto _ : state) {
    env.step_world_only();
    if (++steps == 1000) {
      env.reset();
      steps = 0;
    }
  }
  state.counters["world_steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CarRacingBox2DWorldStep);

}  // namespace
