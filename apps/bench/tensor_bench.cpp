// Tensor-layer benchmarks: small elementwise ops (dispatch + allocation overhead), matmul at RL
// and large sizes, the allocation-free gemm, and a bare Eigen GEMM as the ceiling for matmul.
// Compare with bench/torch_baseline.py (docs/PERFORMANCE.md, tensor section).
#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include "tensor/generator.h"
#include "tensor/ops.h"

namespace {

void BM_TensorAdd(benchmark::State& state) {
  rein::Generator gen(0);
  const int64_t n = state.range(0);
  rein::Tensor a = rein::randn({n}, gen);
  rein::Tensor b = rein::randn({n}, gen);
  for (auto _ : state) {
    rein::Tensor c = a + b;
    benchmark::DoNotOptimize(c.data<float>());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_TensorAdd)->Arg(1000)->Arg(1000000);

void BM_TensorAddInPlace(benchmark::State& state) {
  rein::Generator gen(0);
  rein::Tensor a = rein::randn({1000}, gen);
  rein::Tensor b = rein::randn({1000}, gen);
  for (auto _ : state) {
    a.add_(b, 1e-9);
    benchmark::DoNotOptimize(a.data<float>());
  }
}
BENCHMARK(BM_TensorAddInPlace);

void BM_TensorAddBroadcastRow(benchmark::State& state) {
  rein::Generator gen(0);
  rein::Tensor a = rein::randn({64, 64}, gen);  // (B, H) + bias (H)
  rein::Tensor b = rein::randn({64}, gen);
  for (auto _ : state) {
    rein::Tensor c = a + b;
    benchmark::DoNotOptimize(c.data<float>());
  }
}
BENCHMARK(BM_TensorAddBroadcastRow);

void BM_TensorTanh(benchmark::State& state) {
  rein::Generator gen(0);
  rein::Tensor a = rein::randn({1000}, gen);
  for (auto _ : state) {
    rein::Tensor c = rein::tanh(a);
    benchmark::DoNotOptimize(c.data<float>());
  }
}
BENCHMARK(BM_TensorTanh);

void BM_TensorSumDim0(benchmark::State& state) {
  rein::Generator gen(0);
  rein::Tensor a = rein::randn({64, 64}, gen);
  for (auto _ : state) {
    rein::Tensor c = rein::sum(a, 0);
    benchmark::DoNotOptimize(c.data<float>());
  }
}
BENCHMARK(BM_TensorSumDim0);

void BM_TensorLogSoftmax(benchmark::State& state) {
  rein::Generator gen(0);
  rein::Tensor a = rein::randn({64, 6}, gen);
  for (auto _ : state) {
    rein::Tensor c = rein::log_softmax(a, 1);
    benchmark::DoNotOptimize(c.data<float>());
  }
}
BENCHMARK(BM_TensorLogSoftmax);

void BM_TensorMatmul(benchmark::State& state) {
  rein::Generator gen(0);
  const int64_t n = state.range(0);
  rein::Tensor a = rein::randn({n, n}, gen);
  rein::Tensor b = rein::randn({n, n}, gen);
  for (auto _ : state) {
    rein::Tensor c = rein::matmul(a, b);
    benchmark::DoNotOptimize(c.data<float>());
  }
  state.counters["GFLOPS"] =
      benchmark::Counter(2.0 * double(n) * double(n) * double(n) * double(state.iterations()),
                         benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}
BENCHMARK(BM_TensorMatmul)->Arg(64)->Arg(1024)->Unit(benchmark::kMicrosecond);

void BM_TensorMatmulTransposed(benchmark::State& state) {
  rein::Generator gen(0);
  const int64_t n = state.range(0);
  rein::Tensor a = rein::randn({n, n}, gen);
  rein::Tensor b = rein::randn({n, n}, gen);
  for (auto _ : state) {
    rein::Tensor c = rein::matmul(a, b.t());  // a linear layer's x @ W^T
    benchmark::DoNotOptimize(c.data<float>());
  }
}
BENCHMARK(BM_TensorMatmulTransposed)->Arg(64)->Unit(benchmark::kMicrosecond);

void BM_TensorGemm(benchmark::State& state) {
  rein::Generator gen(0);
  const int64_t n = state.range(0);
  rein::Tensor a = rein::randn({n, n}, gen);
  rein::Tensor b = rein::randn({n, n}, gen);
  rein::Tensor c = rein::zeros({n, n});
  for (auto _ : state) {
    rein::gemm(a, false, b, true, c);
    benchmark::DoNotOptimize(c.data<float>());
  }
}
BENCHMARK(BM_TensorGemm)->Arg(64)->Arg(1024)->Unit(benchmark::kMicrosecond);

// The ceiling: Eigen's own GEMM on preallocated row-major float matrices.
void BM_EigenGemm(benchmark::State& state) {
  using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Index n = state.range(0);
  Mat a = Mat::Random(n, n);
  Mat b = Mat::Random(n, n);
  Mat c(n, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOPS"] =
      benchmark::Counter(2.0 * double(n) * double(n) * double(n) * double(state.iterations()),
                         benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}
BENCHMARK(BM_EigenGemm)->Arg(64)->Arg(1024)->Unit(benchmark::kMicrosecond);

}  // namespace
