#!/usr/bin/env bash
# The tests: install what is missing, build, run ctest; then build the unit tests with
# AddressSanitizer + UndefinedBehaviorSanitizer and run them again.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/setup.sh
bash scripts/build.sh
source scripts/env.sh
jobs=$(nproc)
(cd build && ctest --output-on-failure -j"$jobs")
echo "== sanitizers (ASan + UBSan): unit tests =="
BUILD_DIR="$top/build-asan" bash scripts/build.sh -DSB_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
# LeakSanitizer cannot follow Open MPI's internal allocations; leaks are checked by valgrind instead.
(cd build-asan && ASAN_OPTIONS=detect_leaks=0 ctest --output-on-failure -j"$jobs" -R '^unit\.')
