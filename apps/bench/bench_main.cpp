// rein-bench: every layer's benchmarks in one Google Benchmark binary (see docs/PERFORMANCE.md).
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
