#!/usr/bin/env bash
# Training benchmark: the CartPole-v1 PPO zoo preset (100,000 steps, 8 envs, n_steps 32,
# batch 256, 20 epochs: about 7,800 minibatch updates) on one thread. Prints rein's own summary
# (steps/s, final evaluation) and the wall and CPU time of the whole command.
#   bench/train_cartpole.sh                 # seed 1, ./build/bin/rein
#   REIN=build-x/bin/rein SEEDS="1 2 3" bench/train_cartpole.sh
# Reference (quoted, not measured here: SB3 is not installable without PyPI): Stable-Baselines3
# 2.9 with the same hyperparameters takes 20.0-22.3 s of whole-process wall time on one thread of
# a 2-core Debian 12 VM (PyTorch 1.13 on OpenBLAS, final evaluation included).
set -euo pipefail
cd "$(dirname "$0")/.."
rein=${REIN:-build/bin/rein}
seeds=${SEEDS:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for seed in $seeds; do
  /usr/bin/time -f "%e %U %S" -o "$work/time.txt" \
    env OMP_NUM_THREADS=1 "$rein" train ppo CartPole-v1 --seed "$seed" --no-progress \
    --db "$work/bench.db" --name "bench-s$seed"
  read -r wall user sys < "$work/time.txt"
  # CPU time (user + sys) is what a machine busy with other work cannot inflate much.
  awk -v w="$wall" -v u="$user" -v s="$sys" -v seed="$seed" \
    'BEGIN { printf "seed %s: %.2f s wall, %.2f s CPU for the whole command (incl. final eval), %.0f steps/s (wall)\n", seed, w, u + s, 100096 / w }'
done
