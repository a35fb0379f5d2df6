#!/usr/bin/env bash
# usage: build_outside_project.sh BUILD_DIR SOURCE_DIR SCRATCH_DIR [PYTHON]
# Installs rein into a scratch prefix, then builds and runs, against that prefix only: a consumer
# linking every exported library, and the examples that build on an installed rein; with PYTHON,
# imports the installed Python package (from a folder outside the build tree) and steps an env.
set -euo pipefail
build_dir=$1 source_dir=$2 scratch=$3 python=${4:-}
rm -rf "$scratch"
cmake --install "$build_dir" --prefix "$scratch/prefix" >/dev/null
targets=$(cat "$scratch"/prefix/lib*/cmake/rein/reinTargets*.cmake)
# rein's warnings and CPU tuning are rein's business, never forced onto a user's targets.
for flag in -march=native -Wall -Wextra -Werror; do
  if grep -q -- "$flag" <<<"$targets"; then
    echo "the exported package carries $flag" >&2
    exit 1
  fi
done
test -f "$scratch/prefix/share/doc/rein/LICENSE" || { echo "LICENSE not installed" >&2; exit 1; }
build_and_run() {  # NAME SOURCE PROGRAM
  cmake -S "$2" -B "$scratch/$1" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
  cmake --build "$scratch/$1"
  (cd "$scratch/$1" && "./$3")
}
build_and_run consumer "$source_dir/tests/install/consumer" consumer
build_and_run custom_env "$source_dir/examples/custom_env" custom_env
build_and_run train_custom_env "$source_dir/examples/train_custom_env" train_custom_env
build_and_run train_tracked "$source_dir/examples/train_tracked" train_tracked
if [[ -n "$python" ]]; then
  site=$(echo "$scratch"/prefix/lib/python3*/dist-packages)
  test -f "$site/rein/__init__.py" || { echo "the Python package is not installed" >&2; exit 1; }
  (cd "$scratch" && PYTHONPATH="$site" "$python" -c '
import rein, numpy as np
assert rein.__file__.startswith("'"$site"'"), rein.__file__
v = rein.make_vec("CartPole-v1", 4)
v.reset(seed=0)
assert v.step(np.ones(4, np.int64))[0].shape == (4, 4)
print("installed rein imports from", rein.__file__)')
fi
