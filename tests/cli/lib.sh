# Sourced by the CLI tests: paths, MPI environment, and small assertion helpers.
set -euo pipefail
: "${SB_BIN:?run under ctest}" "${SB_SOURCE_DIR:?}" "${SB_TEST_TMP:?}"
source "$SB_SOURCE_DIR/scripts/env.sh"
rm -rf "$SB_TEST_TMP"
mkdir -p "$SB_TEST_TMP/tmp"
cd "$SB_TEST_TMP"
# Open MPI creates its session folder under TMPDIR; two tests starting MPI at the same moment
# race on creating the same one ("File exists"), so each test gets its own.
export TMPDIR="$SB_TEST_TMP/tmp"
PY=/usr/bin/python3
fails=0
passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
same_files() { # same_files A B what
  if cmp -s "$1" "$2"; then ok "$3"; else bad "$3 ($1 and $2 differ)"; diff "$1" "$2" | head -5 || true; fi
}
finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}
wait_for_units() { # wait_for_units DIR N: until DIR's journal holds at least N records (60 s at most)
  local dir=$1 want=$2 t=0
  while [ $t -lt 600 ]; do
    local have=0
    for f in "$dir"/journal/*.sbj; do
      [ -e "$f" ] || continue
      have=$((have + $(grep -a -o 'KRBS' "$f" | wc -l)))
    done
    [ "$have" -ge "$want" ] && return 0
    sleep 0.1; t=$((t + 1))
  done
  return 1
}
# published_data NAME: the folder of a published table set (not in the repository: its authors
# state no licence), from $SHARDBENCH_DATA, datasets/published/ or ../shared/data beside the
# clone; a test without it is skipped (exit 77, which ctest reports as skipped) saying so.
published_data() {
  local d
  for d in "${SHARDBENCH_DATA:-}" "$SB_SOURCE_DIR/datasets/published" "$SB_SOURCE_DIR/../shared/data"; do
    if [ -n "$d" ] && [ -d "$d/$1" ]; then PUBLISHED="$d/$1"; return 0; fi
  done
  echo "SKIPPED: the published tables '$1' are not here: set SHARDBENCH_DATA to a folder holding $1/"
  exit 77
}
