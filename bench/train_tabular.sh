#!/bin/sh
# Five seeds of each tabular target through the real CLI (docs/RESULTS.md rows):
#   bench/train_tabular.sh BUILD_DIR [DB]
# prints one line per run: algorithm env seed eval/mean_return [eval/success_rate] wall seconds.
set -eu
build=${1:?usage: bench/train_tabular.sh BUILD_DIR [DB]}
db=${2:-/tmp/rein-tabular.db}
rows="qlearning:FrozenLake-v1 qlearning:FrozenLake8x8-v1 qlearning:Taxi-v4 qlearning:CliffWalking-v1
sarsa:FrozenLake-v1 sarsa:Taxi-v4 sarsa:CliffWalking-v1
expected_sarsa:FrozenLake-v1 expected_sarsa:FrozenLake8x8-v1 expected_sarsa:Taxi-v4
expected_sarsa:CliffWalking-v1"
for row in $rows; do
  algo=${row%%:*}
  env=${row#*:}
  for seed in 1 2 3 4 5; do
    start=$(date +%s.%N)
    out=$(timeout 120 "$build/bin/rein" train "$algo" "$env" --seed "$seed" --no-progress --db "$db" 2>&1)
    end=$(date +%s.%N)
    ret=$(echo "$out" | sed -n 's/^eval\/mean_return \([^ ]*\).*/\1/p')
    succ=$(echo "$out" | sed -n 's/^eval\/success_rate \(.*\)/\1/p')
    echo "$algo $env seed=$seed return=$ret success=${succ:--} wall=$(echo "$end - $start" | bc)s"
  done
done
