#!/usr/bin/env bash
# SAC/TD3 benchmark: the rl-baselines3-zoo presets through the real CLI, one run per seed, with
# the preset's final evaluation (100 deterministic episodes). Prints each run's final
# evaluation, its wall time and its CPU time (user + sys: what a busy machine cannot inflate).
#   bench/train_offpolicy.sh                               # sac Pendulum-v1, seed 1, one thread
#   ALGOS="sac td3" SEEDS="1 2" THREADS=2 bench/train_offpolicy.sh   # critics on two threads
# With THREADS=2 the CPU time counts both threads; the run is the one-thread run bit for bit.
# Reference (issue figures, measured on one thread of a machine like the one of
# docs/PERFORMANCE.md): Stable-Baselines3's SAC Pendulum-v1 preset 288.7 s wall, TD3 165.4 s.
set -euo pipefail
cd "$(dirname "$0")/.."
rein=${REIN:-build/bin/rein}
algos=${ALGOS:-sac}
envs=${ENVS:-Pendulum-v1}
seeds=${SEEDS:-1}
threads=${THREADS:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for algo in $algos; do
  for env in $envs; do
    for seed in $seeds; do
      /usr/bin/time -f "%e %U %S" -o "$work/time.txt" \
        "$rein" train "$algo" "$env" --seed "$seed" --threads "$threads" --no-progress \
        --db "$work/bench.db" > "$work/out.txt" 2> /dev/null
      read -r wall user sys < "$work/time.txt"
      ret=$(sed -n 's/^eval\/mean_return \([-0-9.]*\) +- \([0-9.]*\).*/\1 +- \2/p' "$work/out.txt")
      printf "%s %s seed %s threads %s: eval %s | wall %.1f s | cpu %.1f s\n" \
        "$algo" "$env" "$seed" "$threads" "$ret" "$wall" "$(echo "$user + $sys" | bc)"
    done
  done
done
