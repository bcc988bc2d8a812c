#!/usr/bin/env bash
# The tests: install what is missing, build; run the unit tests under AddressSanitizer +
# UndefinedBehaviorSanitizer and under valgrind; then the whole ctest suite (unit and
# end-to-end CLI tests) on the normal build, whose summary closes the output.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/setup.sh
source scripts/env.sh
jobs=$(nproc)

echo "== unit tests under ASan + UBSan =="
BUILD_DIR="$top/build-asan" bash scripts/build.sh -DSB_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
# LeakSanitizer cannot follow Open MPI's internal allocations; leaks are checked by valgrind below.
(cd build-asan && ASAN_OPTIONS=detect_leaks=0 ctest --output-on-failure -j"$jobs" -R '^unit\.')

bash scripts/build.sh
echo "== unit tests under valgrind =="
vg_fail=0
vg_pass=0
for t in build/tests/test_*; do
  [ -x "$t" ] || continue
  echo "$t"
done | xargs -P "$jobs" -I{} sh -c 'OPENBLAS_NUM_THREADS=1 valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite {} >{}.valgrind.out 2>&1 && echo "valgrind ok: {}" || { echo "valgrind FAILED: {}"; cat {}.valgrind.out; }' > build/valgrind.log
cat build/valgrind.log
vg_pass=$(grep -c '^valgrind ok' build/valgrind.log || true)
vg_fail=$(grep -c '^valgrind FAILED' build/valgrind.log || true)
echo "valgrind: $vg_pass passed, $vg_fail failed"

echo "== all tests =="
(cd build && ctest --output-on-failure -j"$jobs")
[ "$vg_fail" -eq 0 ]
