#!/usr/bin/env python3
"""Writes tests/tracker/statistics_fixtures.h: expected mean/median/IQM, performance profiles and
probabilities of improvement with stratified-bootstrap intervals, computed with numpy.

The estimators follow rliable (Agarwal et al. 2021): IQM is scipy.stats.trim_mean(x, 0.25)
(floor(n/4) trimmed from each end, written out here since scipy may be missing), intervals are
numpy.percentile of the bootstrap values (linear interpolation). The resampling stream is the one
tracker/statistics.cpp documents (splitmix64, Lemire's bounded draw), reproduced draw for draw,
so the C++ intervals must match these to rounding.

Run: /usr/bin/python3 tests/tracker/statistics_fixtures.py > tests/tracker/statistics_fixtures.h
"""
import math

import numpy as np

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        m = self.next() * n
        if (m & MASK) < n:
            threshold = ((1 << 64) - n) % n
            while (m & MASK) < threshold:
                m = self.next() * n
        return m >> 64


def clean(strata):
    # Each stratum sorted and the strata in lexicographic order, as tracker/statistics.cpp
    # resamples them (so that the order of runs and envs does not change an interval).
    out = [sorted(v for v in s if math.isfinite(v)) for s in strata]
    return sorted(s for s in out if s)


def iqm(x):
    x = np.sort(np.asarray(x, dtype=np.float64))
    cut = int(0.25 * len(x))
    return float(np.mean(x[cut:len(x) - cut]))


def resamples(strata, reps, seed):
    rng = SplitMix64(seed)
    for _ in range(reps):
        yield [[s[rng.below(len(s))] for _ in range(len(s))] for s in strata]


def interval(values, confidence):
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(np.asarray(values), [tail, 100 - tail])
    return float(lo), float(hi)


def aggregates(strata, reps, seed, confidence):
    strata = clean(strata)
    pooled = np.concatenate([np.asarray(s) for s in strata])
    point = [float(np.mean(pooled)), float(np.median(pooled)), iqm(pooled)]
    boot = [[], [], []]
    for r in resamples(strata, reps, seed):
        p = np.concatenate([np.asarray(s) for s in r])
        boot[0].append(np.mean(p))
        boot[1].append(np.median(p))
        boot[2].append(iqm(p))
    return [(point[k],) + interval(boot[k], confidence) for k in range(3)]


def fractions(strata, taus):
    return [float(np.mean([np.mean(np.asarray(s) > t) for s in strata])) for t in taus]


def profile(strata, taus, reps, seed, confidence):
    strata = clean(strata)
    point = fractions(strata, taus)
    boot = np.array([fractions(r, taus) for r in resamples(strata, reps, seed)])
    return [(point[k],) + interval(boot[:, k], confidence) for k in range(len(taus))]


def improvement(x, y):
    total = 0.0
    for sx, sy in zip(x, y):
        a, b = np.asarray(sx)[:, None], np.asarray(sy)[None, :]
        total += float(np.mean((a > b) + 0.5 * (a == b)))
    return total / len(x)


def probability_of_improvement(x, y, reps, seed, confidence):
    pairs = [(clean([a]), clean([b])) for a, b in zip(x, y)]
    pairs = sorted((a[0], b[0]) for a, b in pairs if a and b)
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    boot = []
    for r in resamples(xs + ys, reps, seed):
        boot.append(improvement(r[:len(xs)], r[len(xs):]))
    return (improvement(xs, ys),) + interval(boot, confidence)


def cpp(v):
    if math.isnan(v):
        return "kNaN"
    if math.isinf(v):
        return "kInf" if v > 0 else "-kInf"
    return repr(float(v))


def strata_text(strata):
    return "{" + ", ".join("{" + ", ".join(cpp(v) for v in s) + "}" for s in strata) + "}"


AGGREGATE_CASES = [
    ("two_tasks", [[12.5, 3.0, 7.25, 9.0, 1.5], [40.0, 35.5, 52.0]], 2000, 7, 0.95),
    ("ten_seeds_one_task", [[float(v) for v in [500, 487, 12, 499, 500, 231, 476, 500, 9, 455]]],
     1000, 0, 0.95),
    ("non_finite_ignored_90pct", [[1.0, float("nan"), 4.0, 2.0, float("inf")], [], [8.0, 6.0]],
     1500, 42, 0.90),
    ("five_tasks_unequal", [[float(v) for v in np.linspace(0, 1, 3)],
                            [float(v) for v in np.linspace(2, 3, 4)],
                            [0.25, 0.75], [9.0], [float(v) for v in np.linspace(-1, 1, 7)]],
     3000, 123456789, 0.95),
]

PROFILE_CASES = [
    ("two_tasks", [[12.5, 3.0, 7.25, 9.0, 1.5], [40.0, 35.5, 52.0]],
     [float(t) for t in np.linspace(1.5, 52.0, 6)], 1000, 3, 0.95),
    ("unequal_tasks", [[1.0, 2.0], [1.0, 2.0, 3.0, 4.0]], [0.5, 1.5, 2.5, 3.5, 4.5], 800, 9, 0.9),
]

IMPROVEMENT_CASES = [
    ("two_tasks", [[5.0, 7.0, 6.5, 9.0], [1.0, 2.0, 2.0]], [[4.0, 6.0, 5.5], [2.0, 1.5, 0.5, 2.5]],
     1000, 11, 0.95),
    ("tasks_without_both_sides_skipped", [[1.0, 3.0], [], [2.0, 2.0, 8.0]],
     [[2.0, 2.0], [4.0], [1.0, 2.0]], 500, 5, 0.95),
]


def main():
    print("// Generated by tests/tracker/statistics_fixtures.py with numpy " + np.__version__ +
          "; do not edit.")
    print("#pragma once\n\n#include <cstdint>\n#include <limits>\n#include <string>\n#include <vector>\n")
    print("namespace rein::tracker::fixtures {\n")
    print("inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();")
    print("inline constexpr double kInf = std::numeric_limits<double>::infinity();\n")
    print("struct Expected {\n  double value, lo, hi;\n};\n")
    print("struct AggregateCase {\n  std::string name;\n  std::vector<std::vector<double>> strata;\n"
          "  std::size_t resamples;\n  std::uint64_t seed;\n  double confidence;\n"
          "  Expected mean, median, iqm;\n};\n")
    print("inline const std::vector<AggregateCase> kAggregateCases = {")
    for name, strata, reps, seed, conf in AGGREGATE_CASES:
        m, md, q = aggregates(strata, reps, seed, conf)
        e = lambda t: "{" + ", ".join(cpp(v) for v in t) + "}"
        print(f'    {{"{name}", {strata_text(strata)}, {reps}, {seed}u, {conf}, {e(m)}, {e(md)}, {e(q)}}},')
    print("};\n")
    print("struct ProfileCase {\n  std::string name;\n  std::vector<std::vector<double>> strata;\n"
          "  std::vector<double> taus;\n  std::size_t resamples;\n  std::uint64_t seed;\n"
          "  double confidence;\n  std::vector<Expected> points;\n};\n")
    print("inline const std::vector<ProfileCase> kProfileCases = {")
    for name, strata, taus, reps, seed, conf in PROFILE_CASES:
        pts = profile(strata, taus, reps, seed, conf)
        pts_text = "{" + ", ".join("{" + ", ".join(cpp(v) for v in p) + "}" for p in pts) + "}"
        taus_text = "{" + ", ".join(cpp(t) for t in taus) + "}"
        print(f'    {{"{name}", {strata_text(strata)}, {taus_text}, {reps}, {seed}u, {conf}, {pts_text}}},')
    print("};\n")
    print("struct ImprovementCase {\n  std::string name;\n  std::vector<std::vector<double>> x, y;\n"
          "  std::size_t resamples;\n  std::uint64_t seed;\n  double confidence;\n  Expected p;\n};\n")
    print("inline const std::vector<ImprovementCase> kImprovementCases = {")
    for name, x, y, reps, seed, conf in IMPROVEMENT_CASES:
        p = probability_of_improvement(x, y, reps, seed, conf)
        print(f'    {{"{name}", {strata_text(x)}, {strata_text(y)}, {reps}, {seed}u, {conf}, '
              '{' + ", ".join(cpp(v) for v in p) + '}},')
    print("};\n")
    print("}  // namespace rein::tracker::fixtures")


if __name__ == "__main__":
    main()
