#!/usr/bin/env bash
# Re-runs the rows of docs/RESULTS.md through the real CLI: one `rein train ALGO ENV --seed S` per
# seed, each with its preset's final evaluation. Prints one line per run (final evaluation, wall
# and CPU time) and, per row, the per-seed list and the mean ± population std the table shows.
#   bench/results.sh                                    # every row, ./build/bin/rein, 2 at a time
#   ROWS="ppo:CartPole-v1:1-5 dqn:Acrobot-v1:1-5" bench/results.sh
#   REIN=build-x/bin/rein JOBS=1 bench/results.sh
# A row is ALGO:ENV:FIRST-LAST. FrozenLake rows report eval/success_rate, the others
# eval/mean_return, as the table does.
set -euo pipefail
cd "$(dirname "$0")/.."
rein=${REIN:-build/bin/rein}
jobs=${JOBS:-2}
rows=${ROWS:-"ppo:CartPole-v1:1-5 ppo:Acrobot-v1:1-5 ppo:Pendulum-v1:1-5
ppo:MountainCarContinuous-v0:1-5 ppo:LunarLander-v3:1-5
a2c:CartPole-v1:1-5 a2c:Acrobot-v1:1-5 a2c:Pendulum-v1:1-5 a2c:MountainCarContinuous-v0:1-5
reinforce:CartPole-v1:1-5
dqn:CartPole-v1:1-10 dqn:Acrobot-v1:1-5 dqn:MountainCar-v0:1-5 dqn:LunarLander-v3:1-5
qlearning:FrozenLake-v1:1-5 qlearning:FrozenLake8x8-v1:1-5 qlearning:Taxi-v4:1-5
qlearning:CliffWalking-v1:1-5 sarsa:FrozenLake-v1:1-5 sarsa:Taxi-v4:1-5 sarsa:CliffWalking-v1:1-5
expected_sarsa:FrozenLake-v1:1-5 expected_sarsa:FrozenLake8x8-v1:1-5 expected_sarsa:Taxi-v4:1-5
expected_sarsa:CliffWalking-v1:1-5"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One run: writes "value wall cpu steps" to $work/ALGO_ENV_SEED.res.
run_one() {
  local algo=$1 env=$2 seed=$3 tag="$work/$1_$2_$3"
  /usr/bin/time -f "%e %U %S" -o "$tag.time" "$rein" train "$algo" "$env" --seed "$seed" \
    --no-progress --db "$work/s$seed-$algo-$env.db" > "$tag.out" 2>&1 || true
  local metric=mean_return
  [[ $env == FrozenLake* ]] && metric=success_rate
  local value steps wall user sys
  value=$(sed -n "s/^eval\/$metric \([-0-9.e+]*\).*/\1/p" "$tag.out" | tail -n 1)
  steps=$(sed -n 's/.* finished: \([0-9,]*\) steps.*/\1/p' "$tag.out" | tail -n 1)
  read -r wall user sys < <(tail -n 1 "$tag.time")
  echo "${value:-FAILED} $wall $(echo "$user + $sys" | bc) ${steps:-?}" > "$tag.res"
  printf "%s %s seed %s: %s %s | wall %.1f s | cpu %.1f s | %s steps\n" "$algo" "$env" "$seed" \
    "$metric" "${value:-FAILED (see output below)}" "$wall" "$(echo "$user + $sys" | bc)" "${steps:-?}"
  [[ -n $value ]] || sed 's/^/    /' "$tag.out" | tail -n 5
}

for row in $rows; do
  IFS=: read -r algo env range <<< "$row"
  for seed in $(seq "${range%-*}" "${range#*-}"); do
    while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do wait -n; done
    run_one "$algo" "$env" "$seed" &
  done
done
wait

echo
echo "row | steps | final eval per seed | mean ± std | wall (cpu) per run"
for row in $rows; do
  IFS=: read -r algo env range <<< "$row"
  cat $(for s in $(seq "${range%-*}" "${range#*-}"); do echo "$work/${algo}_${env}_$s.res"; done) |
    awk -v row="$algo $env seeds $range" '
      { v[NR] = $1; w[NR] = $2; c[NR] = $3; steps = $4; sum += $1 }
      END {
        n = NR; mean = sum / n; for (i = 1; i <= n; i++) ss += (v[i] - mean) ^ 2
        list = v[1]; for (i = 2; i <= n; i++) list = list ", " v[i]
        wmin = wmax = w[1]; cmin = cmax = c[1]
        for (i = 2; i <= n; i++) { if (w[i] < wmin) wmin = w[i]; if (w[i] > wmax) wmax = w[i];
                                   if (c[i] < cmin) cmin = c[i]; if (c[i] > cmax) cmax = c[i] }
        printf "%s | %s | %s | %.3f ± %.3f | %.1f-%.1f s (%.1f-%.1f s CPU)\n",
               row, steps, list, mean, sqrt(ss / n), wmin, wmax, cmin, cmax }'
done
