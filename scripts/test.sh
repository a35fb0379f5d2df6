#!/usr/bin/env bash
# The README's test command: installs what is missing (Debian packages), builds with
# -Wall -Wextra -Werror, runs the whole CTest suite, then builds the core again with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs the tests labelled 'core'.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
jobs=$(nproc)

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DREIN_WERROR=ON
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 900

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREIN_WERROR=ON \
  -DREIN_SANITIZE=ON -DREIN_BUILD_BENCH=OFF -DREIN_BUILD_DASHBOARD=OFF
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -L core --output-on-failure -j"$jobs" --timeout 900
