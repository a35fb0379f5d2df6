#!/usr/bin/env bash
# DQN benchmark and results: the rl-baselines3-zoo DQN presets through the real CLI, one run per
# seed, 100 deterministic evaluation episodes each. Prints each run's final evaluation, the wall
# time of the whole command and its CPU time (user + sys: what a busy machine cannot inflate).
#   bench/train_dqn.sh                                   # CartPole-v1, seed 1, ./build/bin/rein
#   REIN=build-x/bin/rein ENVS="CartPole-v1 Acrobot-v1" SEEDS="1 2 3 4 5" bench/train_dqn.sh
#   EXTRA="--threads 2" bench/train_dqn.sh               # flags added to every command
# Reference (quoted, not measured here: SB3 is not installable without PyPI): Stable-Baselines3
# DQN with the CartPole-v1 preset takes 26 s for 50,000 steps on one thread (issue 7).
set -euo pipefail
cd "$(dirname "$0")/.."
rein=${REIN:-build/bin/rein}
envs=${ENVS:-CartPole-v1}
seeds=${SEEDS:-1}
extra=${EXTRA:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for env in $envs; do
  for seed in $seeds; do
    out="$work/out.txt"
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %U %S" -o "$work/time.txt" \
      "$rein" train dqn "$env" --seed "$seed" --no-progress --db "$work/bench.db" $extra \
      > "$out" 2> /dev/null
    read -r wall user sys < "$work/time.txt"
    ret=$(sed -n 's/^eval\/mean_return \([-0-9.]*\) +- \([0-9.]*\).*/\1 +- \2/p' "$out")
    printf "dqn %s seed %s: eval %s | wall %.1f s | cpu %.1f s | rein train dqn %s --seed %s %s\n" \
      "$env" "$seed" "$ret" "$wall" "$(echo "$user + $sys" | bc)" "$env" "$seed" "$extra"
  done
done
