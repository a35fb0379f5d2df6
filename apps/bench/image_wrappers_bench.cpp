// Image observation wrappers: CPU time of ResizeObservation (OpenCV's INTER_AREA, as Gymnasium)
// on the frames users resize, through the wrapper's step on an env that returns a fixed frame.
#include <benchmark/benchmark.h>

#include <memory>

#include "envs/image_wrappers.h"
#include "envs/np_random.h"

namespace {

using namespace rein;
using namespace rein::envs;

// Always the same random uint8 frame: the step costs nothing but the wrapper's work.
class FrameEnv : public Env {
 public:
  explicit FrameEnv(Shape shape) : frame_(zeros(shape, Dtype::UInt8)) {
    NpRandom rng(0);
    auto* p = frame_.data<uint8_t>();
    for (int64_t i = 0; i < frame_.numel(); ++i) p[i] = static_cast<uint8_t>(rng.integers(0, 256));
    observation_space_ = Box(0, 255, shape, Dtype::UInt8);
    action_space_ = Discrete(2);
  }
  ResetResult reset(std::optional<uint64_t> seed, const Kwargs&) override {
    seed_rng(seed);
    return {frame_, info_};
  }
  StepResult step(const Action&) override { return {frame_, 0.0, false, false, info_}; }

 private:
  Tensor frame_;
};

// Args: input height, width, channels (0: an (H, W) image), output height, width.
void BM_ResizeObservation(benchmark::State& state) {
  Shape in{state.range(0), state.range(1)};
  if (state.range(2) > 0) in.push_back(state.range(2));
  ResizeObservation env(std::make_unique<FrameEnv>(in), state.range(3), state.range(4));
  env.reset(0);
  for (auto _ : state) benchmark::DoNotOptimize(env.step(int64_t{0}).obs);
  state.counters["resizes_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ResizeObservation)
    ->Args({96, 96, 3, 84, 84})    // CarRacing to 84x84: fractional factor 8/7
    ->Args({96, 96, 3, 64, 64})    // factor 1.5
    ->Args({96, 96, 3, 48, 48})    // factor 2
    ->Args({210, 160, 0, 84, 84})  // Atari grey frames
    ->Args({36, 36, 3, 84, 84});   // enlargement

}  // namespace
