"""PyTorch twin of rein-bench's tensor workloads (apps/bench/tensor_bench.cpp): the same ops and
sizes on one thread, reported as the median time per call. docs/PERFORMANCE.md (tensor section)
puts these beside `rein-bench --benchmark_filter=Tensor|Eigen` from the same session.

Run with Debian's torch:  /usr/bin/python3 bench/torch_baseline.py [--repeats N]
"""
import argparse
import statistics
import sys
import time

try:
    import torch
except ImportError:
    print("torch_baseline: PyTorch is not installed (Debian: apt install python3-torch); "
          "nothing to compare against", file=sys.stderr)
    sys.exit(0)


def workloads():
    g = torch.Generator().manual_seed(0)

    def randn(*shape):
        return torch.randn(*shape, generator=g)

    a1k, b1k = randn(1000), randn(1000)
    a1m, b1m = randn(1000000), randn(1000000)
    x, bias = randn(64, 64), randn(64)
    logits = randn(64, 6)
    m64a, m64b = randn(64, 64), randn(64, 64)
    m1ka, m1kb = randn(1024, 1024), randn(1024, 1024)
    out64, out1k = torch.zeros(64, 64), torch.zeros(1024, 1024)
    return [
        # (name matching rein-bench, callable, inner calls per timing sample)
        ("BM_TensorAdd/1000", lambda: a1k + b1k, 1000),
        ("BM_TensorAdd/1000000", lambda: a1m + b1m, 10),
        ("BM_TensorAddInPlace", lambda: a1k.add_(b1k, alpha=1e-9), 1000),
        ("BM_TensorAddBroadcastRow", lambda: x + bias, 1000),
        ("BM_TensorTanh", lambda: torch.tanh(a1k), 1000),
        ("BM_TensorSumDim0", lambda: x.sum(0), 1000),
        ("BM_TensorLogSoftmax", lambda: torch.log_softmax(logits, 1), 1000),
        ("BM_TensorMatmul/64", lambda: m64a @ m64b, 200),
        ("BM_TensorMatmul/1024", lambda: m1ka @ m1kb, 1),
        ("BM_TensorMatmulTransposed/64", lambda: m64a @ m64b.t(), 200),
        ("BM_TensorGemm/64", lambda: torch.mm(m64a, m64b.t(), out=out64), 200),
        ("BM_TensorGemm/1024", lambda: torch.mm(m1ka, m1kb.t(), out=out1k), 1),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="timing samples per workload")
    args = parser.parse_args()
    torch.set_num_threads(1)  # compared with rein, which runs Eigen single-threaded
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread")
    print(f"{'workload':32s} {'median':>12s}")
    with torch.no_grad():
        for name, fn, inner in workloads():
            for _ in range(max(3, inner // 10)):
                fn()  # warm-up (allocator caches, lazy init)
            samples = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                for _ in range(inner):
                    fn()
                samples.append((time.perf_counter() - t0) / inner)
            med = statistics.median(samples)
            unit, scale = ("us", 1e6) if med >= 1e-5 else ("ns", 1e9)
            print(f"{name:32s} {med * scale:10.1f} {unit}")


if __name__ == "__main__":
    main()
