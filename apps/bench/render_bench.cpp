// Rendering benchmarks: RGB frames per second of the software rasteriser, for CartPole's and
// LunarLander's 600x400 frames through Env::render_rgb, and for a CarRacing-sized 96x96 frame of
// 400 track quads. Beside the rasteriser's scanline fill, the same 96x96 frame filled by testing
// every pixel of each polygon's bounding box (the obvious way to write it) as the comparison.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "envs/registry.h"
#include "envs/render.h"

namespace {

using namespace rein::envs;

void BM_RenderRgb(benchmark::State& state, const char* id) {
  auto env = make(id);
  env->reset(uint64_t{0});
  RgbImage img;
  for (auto _ : state) {
    env->render_rgb(img);
    benchmark::DoNotOptimize(img.pixels.data());
  }
  state.counters["frames_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_RenderRgb, CartPole, "CartPole-v1");
BENCHMARK_CAPTURE(BM_RenderRgb, LunarLander, "LunarLander-v3");

// A closed track of 400 quads around an ellipse, in a 96x96 frame: CarRacing's workload.
DrawList track_frame() {
  DrawList frame;
  frame.set_viewport({-50.0, 50.0, -50.0, 50.0, 96, 96});
  frame.set_background({102, 204, 102, 255});
  const int n = 400;
  for (int i = 0; i < n; ++i) {
    const double a0 = 2 * std::numbers::pi * i / n, a1 = 2 * std::numbers::pi * (i + 1) / n;
    auto at = [](double a, double r) {
      return Point{r * 1.1 * std::cos(a), r * 0.8 * std::sin(a)};
    };
    const uint8_t shade = i % 2 == 0 ? 102 : 110;
    frame.polygon({at(a0, 30), at(a1, 30), at(a1, 40), at(a0, 40)}, {shade, shade, shade, 255});
  }
  return frame;
}

void BM_RasterizeTrack96(benchmark::State& state) {
  const DrawList frame = track_frame();
  RgbImage img;
  for (auto _ : state) {
    rasterize(frame, img);
    benchmark::DoNotOptimize(img.pixels.data());
  }
  state.counters["frames_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RasterizeTrack96);

// The comparison: every pixel centre of each polygon's bounding box tested against every edge.
void BM_RasterizeTrack96BoundingBoxTest(benchmark::State& state) {
  const DrawList frame = track_frame();
  const Viewport& v = frame.viewport();
  const double sx = v.width_px / (v.x_max - v.x_min), sy = v.height_px / (v.y_max - v.y_min);
  std::vector<uint8_t> img(96 * 96 * 3);
  std::vector<Point> px;
  for (auto _ : state) {
    std::fill(img.begin(), img.end(), uint8_t{102});
    for (const DrawShape& s : frame.shapes()) {
      px.clear();
      for (const Point& p : s.points) px.push_back({(p.x - v.x_min) * sx, (v.y_max - p.y) * sy});
      double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
      for (const Point& p : px)
        x0 = std::min(x0, p.x), x1 = std::max(x1, p.x), y0 = std::min(y0, p.y),
        y1 = std::max(y1, p.y);
      for (int y = std::max(0, int(y0)); y < std::min(96, int(y1) + 1); ++y) {
        for (int x = std::max(0, int(x0)); x < std::min(96, int(x1) + 1); ++x) {
          const double cx = x + 0.5, cy = y + 0.5;
          bool inside = false;
          for (size_t k = 0, j = px.size() - 1; k < px.size(); j = k++) {
            if ((px[k].y <= cy) != (px[j].y <= cy) &&
                cx < px[k].x + (cy - px[k].y) * (px[j].x - px[k].x) / (px[j].y - px[k].y)) {
              inside = !inside;
            }
          }
          if (inside) {
            uint8_t* p = &img[(size_t(y) * 96 + size_t(x)) * 3];
            p[0] = s.color.r, p[1] = s.color.g, p[2] = s.color.b;
          }
        }
      }
    }
    benchmark::DoNotOptimize(img.data());
  }
  state.counters["frames_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RasterizeTrack96BoundingBoxTest);

}  // namespace
