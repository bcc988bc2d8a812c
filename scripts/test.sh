#!/usr/bin/env bash
# The tests: install what is missing, build; run every test (unit and CLI) under
# AddressSanitizer + UndefinedBehaviorSanitizer, the fuzzers for a bounded time, the unit tests
# under valgrind; then the whole ctest suite (unit and end-to-end CLI tests) on the normal
# build, whose summary closes the output.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/setup.sh
source scripts/env.sh
jobs=$(nproc)

# ---- sanitizers and fuzzing (docs/reliability.md) ------------------------------------------
echo "== unit and CLI tests under ASan + UBSan =="
BUILD_DIR="$top/build-asan" bash scripts/build.sh -DSB_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
# LeakSanitizer cannot follow Open MPI's internal allocations; leaks are checked by valgrind below.
# The CLI tests run build-asan's own shardbench (CMake hands each tree's binary to its tests as
# SB_BIN). The Slurm test (scheduler integration) and the Release-build test (a compiler check)
# prove nothing about memory safety: normal build only.
(cd build-asan && ASAN_OPTIONS=detect_leaks=0 ctest --output-on-failure -j"$jobs" -E '^cli\.test_(slurm|build_types)$')

echo "== fuzzers (libFuzzer, ASan + UBSan) =="
CC=clang cmake -S "$top" -B "$top/build-fuzz" -DSB_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$top/build-fuzz" -j"$jobs" --target fuzzers >/dev/null
# About 150 s of fuzzing in all, however many harnesses there are (5 to 20 s each).
n_fuzz=$(find "$top/build-fuzz/tests/fuzz" -maxdepth 1 -name 'fuzz_*' -type f -perm -u+x | wc -l)
fuzz_s=$((150 / (n_fuzz > 0 ? n_fuzz : 1)))
fuzz_s=$((fuzz_s > 20 ? 20 : fuzz_s < 5 ? 5 : fuzz_s))
bash tests/fuzz/run.sh "$top/build-fuzz" "${SB_FUZZ_SECONDS:-$fuzz_s}"
# ---- end sanitizers and fuzzing ------------------------------------------------------------

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
