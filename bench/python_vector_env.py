#!/usr/bin/env python3
"""rein's Python API against rein's C++ vector env: CartPole-v1, 64 envs, random NumPy actions.

Steps `rein.make_vec("CartPole-v1", 64)` from a Python loop and reports env steps/s (wall and
CPU time) for three action sources and both copy modes; with --rein-bench it also runs the same
loop in C++ (rein-bench's BM_CartPoleVector/0: a SyncVectorEnv of 64 stepped with random actions)
in the same session and prints the ratio Python / C++ by CPU time.

usage: PYTHONPATH=build/python /usr/bin/python3 bench/python_vector_env.py \
           [--seconds S] [--repeats R] [--rein-bench build/bin/rein-bench]
"""
import argparse
import json
import statistics
import subprocess
import time

import numpy as np

import rein

N = 64


def run(seconds, copy, actions_from):
    venv = rein.make_vec("CartPole-v1", N, vector_kwargs={"copy": copy})
    venv.reset(seed=0)
    rng = np.random.default_rng(0)
    block = rng.integers(0, 2, size=(1024, N))  # random actions, drawn 1024 steps at a time
    steps = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - wall0 < seconds:
        if actions_from == "block":
            block = rng.integers(0, 2, size=(1024, N))
            for t in range(1024):
                venv.step(block[t])
        elif actions_from == "per-step":
            for _ in range(1024):
                venv.step(rng.integers(0, 2, size=N))
        else:  # the batched action space's sample(), as a Gymnasium user would write it
            space = venv.action_space
            for _ in range(1024):
                venv.step(space.sample())
        steps += 1024 * N
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return steps / wall, steps / cpu


def cpp_figure(rein_bench, seconds):
    out = subprocess.run([rein_bench, "--benchmark_filter=BM_CartPoleVector/0$",
                          f"--benchmark_min_time={seconds}", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True).stdout
    b = json.loads(out)["benchmarks"][0]
    per_step_s = b["cpu_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3}[b["time_unit"]]
    return N / per_step_s  # env steps/s by CPU time


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--rein-bench", help="path of rein-bench, to measure the C++ loop beside")
    args = p.parse_args()
    rows = []
    for copy in (True, False):
        for source in ("block", "per-step", "space.sample"):
            runs = [run(args.seconds, copy, source) for _ in range(args.repeats)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            rows.append((f"python copy={copy} actions={source}", wall, cpu))
    cpp = None
    if args.rein_bench:
        cpp = statistics.median(cpp_figure(args.rein_bench, args.seconds)
                                for _ in range(args.repeats))
    print(f"{'loop':45} {'wall steps/s':>14} {'CPU steps/s':>14} {'vs C++ (CPU)':>13}")
    for name, wall, cpu in rows:
        ratio = f"{cpu / cpp:.0%}" if cpp else "-"
        print(f"{name:45} {wall:14,.0f} {cpu:14,.0f} {ratio:>13}")
    if cpp:
        print(f"{'C++ SyncVectorEnv (BM_CartPoleVector/0)':45} {'':>14} {cpp:14,.0f} {'100%':>13}")


if __name__ == "__main__":
    main()
