#!/usr/bin/env bash
# Runs every libFuzzer harness of a SB_FUZZ build for a bounded time over a copy of its seed
# corpus (tests/fuzz/corpus/NAME/; the copy grows, the repository's corpus does not).
#   tests/fuzz/run.sh BUILD_DIR SECONDS [NAME...]
# SECONDS is per harness. Prints one line per harness with the inputs it ran; exits 1 when any
# harness crashed (sanitizer report, timeout, out of memory), after printing its report and the
# path of the input that did it. Extra libFuzzer flags: SB_FUZZ_FLAGS="-jobs=2 ...".
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR SECONDS [NAME...]}
seconds=${2:?usage: run.sh BUILD_DIR SECONDS [NAME...]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
work=${SB_FUZZ_WORK:-$build/fuzz-work}
mkdir -p "$work"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for h in "$build"/tests/fuzz/fuzz_*; do
    [ -x "$h" ] && names+=("${h##*/fuzz_}")
  done
fi
[ ${#names[@]} -gt 0 ] || { echo "fuzz: no harness in $build/tests/fuzz (configure with CC=clang -DSB_FUZZ=ON)" >&2; exit 1; }
# UBSan findings abort (the build has -fno-sanitize-recover); leaks are findings too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
for name in "${names[@]}"; do
  bin=$build/tests/fuzz/fuzz_$name
  corpus=$work/$name/corpus
  rm -rf "${work:?}/$name"
  mkdir -p "$corpus"
  # Harnesses of path-taking readers write each input to a file: in memory when possible.
  tmp=$(mktemp -d /dev/shm/sbfuzz.XXXXXX 2>/dev/null) || { tmp=$work/$name/tmp; mkdir -p "$tmp"; }
  [ -d "$here/corpus/$name" ] && cp "$here/corpus/$name"/* "$corpus"/ 2>/dev/null || true
  log=$work/$name/log
  rc=0
  # shellcheck disable=SC2086
  TMPDIR="$tmp" "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/$name/" ${SB_FUZZ_FLAGS:-} "$corpus" >"$log" 2>&1 || rc=$?
  rm -rf "$tmp"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  size=$(find "$corpus" -type f | wc -l)
  if [ "$rc" -eq 0 ]; then
    printf 'fuzz %-10s ok      %10s inputs in %ss, corpus %s files\n' "$name" "${runs:-?}" "$seconds" "$size"
  else
    failed=1
    printf 'fuzz %-10s FAILED  (exit %s) after %s inputs; log %s\n' "$name" "$rc" "${runs:-?}" "$log"
    grep -E -A40 'ERROR: |runtime error|==[0-9]+==|Test unit written' "$log" | head -80 || tail -40 "$log"
  fi
done
exit "$failed"
