# scripts/fetch-published.sh without the network: --check accepts the published tables as pinned,
# --from copies and verifies them, and a file whose sha256 differs is reported (exit 1) and, when
# copied, not left behind. (The download itself needs github.com, which the test machines lack.)
source "$(dirname "$0")/lib.sh"
FETCH="$SB_SOURCE_DIR/scripts/fetch-published.sh"
published_data medical-transferability
src=$(dirname "$PUBLISHED")
[ -d "$src/tmlr-transferability-benchmark" ] || { echo "SKIPPED: $src lacks tmlr-transferability-benchmark/"; exit 77; }
bash "$FETCH" --check "$src" >check.log && ok "--check: the tables here are the pinned ones" || bad "--check: $(cat check.log)"
bash "$FETCH" --from "$src" copy >copy.log && [ "$(grep -c '^ok ' copy.log)" -eq 3 ] &&
    ok "--from: three files copied and verified" || bad "--from: $(cat copy.log)"
echo "tampered" >>copy/medical-transferability/task_performances.csv
set +e
bash "$FETCH" --check copy >tamper.log 2>&1
rc=$?
set -e
[ $rc -eq 1 ] && grep -q "task_performances.csv: missing or sha256 differs" tamper.log &&
    ok "--check: a changed file is named, exit 1" || bad "--check on a changed file: rc $rc, $(cat tamper.log)"
set +e
bash "$FETCH" --from copy again >again.log 2>&1
rc=$?
set -e
[ $rc -eq 1 ] && [ ! -e again/medical-transferability/task_performances.csv ] &&
    [ -e again/tmlr-transferability-benchmark/transf_scores.csv ] &&
    ok "--from a changed source: that file refused, the others copied" || bad "--from changed: rc $rc, $(cat again.log)"
finish
