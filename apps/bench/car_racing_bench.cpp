// CarRacing-v3's limit: the bare Box2D world step on the env's own world, beside the env's steps
// per second in envs_bench.cpp (BM_Box2DSingleEnv/3 and /4). Most of an env step is drawing the
// 96x96 frame, which the world step does not do.
#include <benchmark/benchmark.h>

#include "envs/box2d/car_racing.h"

namespace {

using namespace rein;
using namespace rein::envs;

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
