# Sourced by the CLI tests: paths, MPI environment, and small assertion helpers.
set -euo pipefail
: "${SB_BIN:?run under ctest}" "${SB_SOURCE_DIR:?}" "${SB_TEST_TMP:?}"
source "$SB_SOURCE_DIR/scripts/env.sh"
rm -rf "$SB_TEST_TMP"
mkdir -p "$SB_TEST_TMP"
cd "$SB_TEST_TMP"
PY=/usr/bin/python3
fails=0
passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
same_files() { # same_files A B what
  if cmp -s "$1" "$2"; then ok "$3"; else bad "$3 ($1 and $2 differ)"; diff "$1" "$2" | head -5; fi
}
finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}
