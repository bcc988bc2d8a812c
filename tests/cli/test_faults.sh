# Output faults (docs/reliability.md, "Output faults"): every call of the output seam
# (store/out_io.h: open, write, fsync, close, rename, mkdir, unlink) of a small null-task
# run is made to fail in turn, with ENOSPC or EIO (SB_FAULT=any:N); of a small pose run, call 1
# and every call from its first table's on.
# Each faulted run must end without a signal, with one error line and an exit status that
# does not claim success (not 0 or 1); leave no temporary file; leave under a final name
# only files identical to an unfaulted run's; keep its journal whole (every byte part of
# a valid record); and --resume must then report exactly the journaled units as done and
# end with byte-identical CSVs and the same results.h5 values; a run whose every unit had
# run must exit 4. Then sticky faults (a full disk) per kind of call, and a real full disk: small tmpfs mounts (root only; skipped
# with a message otherwise).
source "$(dirname "$0")/lib.sh"
# One rank without mpirun; "isolated" skips starting an ORTE daemon, and one rank needs no
# transport but "self": a run starts in about 0.5 s instead of 1 s.
export OMPI_MCA_ess_singleton_isolated=1 OMPI_MCA_btl=self OMPI_MCA_pml=ob1
JC="$SB_SOURCE_DIR/tests/cli/journal_check.py"
POOL=3 # runs at once: a run mostly waits on MPI start-up, not on the CPU
t_start=$SECONDS

printf '[noop]\nunits = 40\nrecord_bytes = 16\n' >noop.ini
"$SB_BIN" gen pose --output data --seed 3 --sequences 6 --frames 20 --hyps 2 >/dev/null
NOOP=(run noop.ini)
POSE=(pose eval --input data/pose.h5)

# The unfaulted runs: reference outputs, and the list of the seam's calls.
SB_FAULT_LOG=$PWD/noop.calls "$SB_BIN" "${NOOP[@]}" --output ref_noop --quiet >/dev/null
SB_FAULT_LOG=$PWD/pose.calls "$SB_BIN" "${POSE[@]}" --output ref_pose --quiet >/dev/null
n_noop=$(wc -l <noop.calls)
n_pose=$(wc -l <pose.calls)
for op in open write fsync close rename mkdir; do
  grep -q " $op " pose.calls && ok "the pose run makes $op calls through the seam" || bad "no $op call in pose.calls"
done
grep -q "results.h5" pose.calls && ok "results.h5 is written through the seam" || bad "results.h5 not in pose.calls"
grep -q "journal/a0001-r00000.sbj" pose.calls && ok "the journal is written through the seam" || bad "journal not seen"

h5values() { h5dump -A 0 "$1" | tail -n +2; } # values and structure, not provenance
h5values ref_noop/results.h5 >ref_noop/values
h5values ref_pose/results.h5 >ref_pose/values

# same_outputs OUT REF: every final-named output in OUT is REF's (CSV and job.ini bytes,
# results.h5 values); prints what differs.
same_outputs() {
  local out=$1 ref=$2 f rc=0
  for f in "$out"/*.csv "$out"/job.ini "$out"/journal/plan.sbp; do
    [ -e "$f" ] || continue
    cmp -s "$f" "$ref/${f#"$out"/}" || { echo "$f differs from $ref"; rc=1; }
  done
  if [ -e "$out/results.h5" ]; then
    h5values "$out/results.h5" | cmp -s - "$ref/values" || { echo "$out/results.h5 values differ"; rc=1; }
  fi
  return $rc
}

# point NAME REF SPEC CMD...: one faulted run and its resume, in pts/NAME; writes ok/FAIL
# lines to pts/NAME/res (the pool runs points at once, so nothing is counted here).
point() {
  local name=$1 ref=$2 spec=$3
  shift 3
  local d=pts/$name
  local res=$d/res
  mkdir -p "$d/tmp"
  # isolated singletons all name their session folder jf.0/1: one TMPDIR per point
  export TMPDIR=$PWD/$d/tmp
    local rc=0 t0=$SECONDS
  SB_FAULT=$spec SB_FAULT_LOG=$d/log "$SB_BIN" "$@" --output "$d/out" --quiet >"$d/stdout" 2>"$d/stderr" || rc=$?
  local t1=$SECONDS
  {
    if [ "$rc" -ge 126 ]; then echo "FAIL: $name ($spec): exit $rc (a signal?): $(head -3 "$d/stderr")"; fi
    if ! grep -q " FAULT " "$d/log"; then
      # this run made fewer calls than the counting run (journal writes are timed)
      [ "$rc" -eq 0 ] && echo "unfired: $name" || echo "FAIL: $name ($spec): no fault fired yet exit $rc"
    else
      local fault errtext
      fault=$(grep " FAULT " "$d/log" | head -1 | awk '{print $4}')
      echo "fired: $fault"
      grep -q " FAULT .* ENOSPC " "$d/log" && errtext="No space left on device" || errtext="Input/output error"
      if [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; then echo "FAIL: $name ($spec): exit $rc claims success"; fi
      echo "exit: $rc"
      # one error line; after units ran, also the line saying how to finish with --resume
      if [ "$(grep -c "^shardbench: error: .*$errtext" "$d/stderr")" -eq 1 ] &&
        [ "$(grep -vc "^shardbench: error: \|^shardbench: the units that finished are kept in .* --resume$" "$d/stderr")" -eq 0 ]; then
        echo "ok: $name: one error line"
      else
        echo "FAIL: $name ($spec): not one error line naming '$errtext': $(head -c 600 "$d/stderr")"
      fi
      # run.complete says "trust this folder": only its own folder fsync may fail after it
      if [ -e "$d/out/run.complete" ] && ! grep -q "run.complete: written, but its folder could not be synced" "$d/stderr"; then
        echo "FAIL: $name ($spec): run.complete present after a failed run"
      fi
      local tmps
      tmps=$(find "$d/out" -name '.*.tmp.*' 2>/dev/null | head -3 || true)
      [ -z "$tmps" ] || echo "FAIL: $name ($spec): temporary files left: $tmps"
    fi
    local why
    if why=$(same_outputs "$d/out" "$ref"); then echo "ok: $name: final-named files whole"; else
      echo "FAIL: $name ($spec): $why"; fi
    # the journal as the fault left it, checked after the walk in one python run
    mkdir -p "$d/faulted"
    [ ! -d "$d/out/journal" ] || cp -r "$d/out/journal" "$d/faulted/"
    local rrc=0
    "$SB_BIN" "$@" --output "$d/out" --resume >"$d/rstdout" 2>"$d/rstderr" || rrc=$?
    if [ "$rrc" -ne 0 ]; then echo "FAIL: $name ($spec): --resume exit $rrc: $(head -c 300 "$d/rstderr")"; fi
    echo "seconds: $((t1 - t0)) $((SECONDS - t1))"
    if why=$(same_outputs "$d/out" "$ref") && [ -e "$d/out/results.h5" ]; then echo "ok: $name: resume gives the same outputs"
    else echo "FAIL: $name ($spec): after --resume: ${why:-no results.h5}"; fi
    echo "end"
  } >"$res" 2>&1
}

throttle() { while [ "$(jobs -rp | wc -l)" -ge "$POOL" ]; do wait -n || true; done; }

errno_for() { [ $(($1 % 2)) -eq 1 ] && echo ENOSPC || echo EIO; }

# 1. Every call of the null run, one at a time; of the pose run, its first call and every
# call from its first table on (the calls before are the same code as the null run's:
# folders, job.ini, plan, journal).
for n in $(seq 1 "$n_noop"); do throttle; point "noop-$n" ref_noop "any:$n:$(errno_for "$n")" "${NOOP[@]}" & done
first_table=$(awk '$3 == "open" && /failures.csv/ {print $2; exit}' pose.calls)
for n in 1 $(seq "$first_table" "$n_pose"); do
  throttle; point "pose-$n" ref_pose "any:$n:$(errno_for $((n + 1)))" "${POSE[@]}" &
done
# 2. A full disk: from the first and from the last call of each kind on, every one fails.
for op in open write fsync close rename mkdir; do
  last=$(awk -v op="$op" '$3 == op {k = $4} END {print k}' pose.calls)
  throttle; point "sticky-$op-1" ref_pose "$op:1:ENOSPC:sticky" "${POSE[@]}" &
  throttle; point "sticky-$op-$last" ref_pose "$op:$last:EIO:sticky" "${POSE[@]}" &
done
# (unlink: the seam's unlinks remove temporary files after a failure and old journal
# files, which a run reaches only in a folder the output-folder guard has already refused
# or moved aside: test_out_io.c faults them.)
wait

# The journals: each whole, and --resume took exactly their units as done.
"$PY" "$JC" pts/*/faulted >journals.txt
units_of() { case $1 in pts/noop-*) echo 40 ;; *) echo 6 ;; esac; }
while read -r out k rest; do
  d=${out%/faulted}
  rc=$(awk '/^exit:/ {print $2}' "$d/res")
  if [ "$k" = FAIL ]; then bad "$d: journal not intact: $rest"
  elif [ "$k" = "$(units_of "$d")" ] && [ -n "$rc" ] && [ "$rc" -ne 4 ]; then
    bad "$d: every unit had run, yet the faulted run exited $rc, not 4"
  elif [ "$k" -gt 0 ] && ! grep -q "resuming: $k of " "$d/rstderr"; then
    bad "$d: the journal holds $k units, --resume says: $(grep resuming "$d/rstderr" || echo nothing)"
  else passes=$((passes + 1)); fi
done <journals.txt
[ "$(wc -l <journals.txt)" -eq "$(ls -d pts/*/ | wc -l)" ] && ok "every point's journal read" || bad "journal_check.py missed points"

walked=0 fired=0 unfired=0
for r in pts/*/res; do
  walked=$((walked + 1))
  [ "$(tail -1 "$r")" = end ] || bad "$r: the checks of this point stopped early"
  grep -q "^fired:" "$r" && fired=$((fired + 1))
  grep -q "^unfired:" "$r" && unfired=$((unfired + 1))
  while IFS= read -r line; do
    case $line in
      ok:*) passes=$((passes + 1)) ;;
      FAIL:*) fails=$((fails + 1)); echo "$line" ;;
    esac
  done <"$r"
done
kinds=$(cat pts/*/res | awk '/^fired:/ {print $2}' | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}')
codes=$(cat pts/*/res | awk '/^exit:/ {print $2}' | sort | uniq -c | awk '{printf "exit %s: %s, ", $2, $1}')
echo "fault points: $walked walked (all $n_noop calls of the null run, $((n_pose - first_table + 2)) of the pose run's $n_pose, 12 sticky), $fired fired"
echo "  ($unfired did not fire: a run made fewer timed journal writes); faults by kind: ${kinds%, }"
echo "  exit statuses of faulted runs: ${codes%, }"
[ "$fired" -ge $((walked * 8 / 10)) ] && ok "at least 80% of the fault points fired" || bad "only $fired of $walked fired"
for op in open write fsync close rename mkdir; do
  grep -q "^fired: $op$" pts/*/res && ok "a fault in $op was walked" || bad "no fault in $op fired"
done

# 4. A real full disk: small tmpfs mounts (root only).
mounts=()
cleanup() { for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || true; done; }
trap cleanup EXIT
if mkdir -p full0 && mount -t tmpfs -o size=300k tmpfs full0 2>/dev/null; then
  mounts+=("$PWD/full0")
  # a generator whose file (about 5 MB) does not fit
  rc=0
  "$SB_BIN" gen pose --output full0/data --seed 3 --sequences 8 --frames 240 >gen.out 2>gen.err || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -lt 126 ] && [ "$(wc -l <gen.err)" -eq 1 ] && grep -q "No space left" gen.err; then
    ok "gen into a full disk: one error line, exit $rc"
  else bad "gen into a full disk: exit $rc: $(head -c 400 gen.err)"; fi
  [ -z "$(ls -A full0/data)" ] && ok "gen into a full disk leaves nothing" || bad "gen left: $(ls -A full0/data)"
  # the pose run with 4 KB, 8 KB, ... free, until it fits
  need_kb=$(du -sk ref_pose | awk '{print $1}')
  real_points=0
  for free in $(seq 4 4 $((need_kb + 8))); do
    m=full$free
    mkdir -p "$m" && mount -t tmpfs -o size=300k tmpfs "$m" && mounts+=("$PWD/$m") || { bad "mount $m"; continue; }
    head -c $(((300 - free) * 1024)) /dev/zero >"$m/filler" 2>/dev/null || true
    real_points=$((real_points + 1))
    (
      mkdir -p "$m.tmp" && export TMPDIR=$PWD/$m.tmp
      rc=0
      "$SB_BIN" "${POSE[@]}" --output "$m/out" --quiet >"$m.out" 2>"$m.err" || rc=$?
      {
        if [ "$rc" -ge 126 ] || [ "$rc" -eq 1 ]; then echo "FAIL: $free KB free: exit $rc: $(head -c 300 "$m.err")"
        elif [ "$rc" -ne 0 ] && ! { [ "$(grep -c "^shardbench: error: .*No space left" "$m.err")" -eq 1 ] &&
          [ "$(grep -vc "^shardbench: error: \|^shardbench: the units that finished are kept in .* --resume$" "$m.err")" -eq 0 ]; }; then
          echo "FAIL: $free KB free: not one error line: $(head -c 300 "$m.err")"
        else echo "ok: $free KB free: exit $rc, $(head -1 "$m.err" | cut -c1-110)"; fi
        tmps=$(find "$m/out" -name '.*.tmp.*' 2>/dev/null | head -3 || true)
        [ -z "$tmps" ] || echo "FAIL: $free KB free: temporary files left: $tmps"
        why=$(same_outputs "$m/out" ref_pose) || echo "FAIL: $free KB free: $why"
        rm -f "$m/filler"
        rrc=0
        "$SB_BIN" "${POSE[@]}" --output "$m/out" --quiet --resume >/dev/null 2>"$m.rerr" || rrc=$?
        if [ "$rrc" -eq 0 ] && why=$(same_outputs "$m/out" ref_pose) && [ -e "$m/out/results.h5" ]; then
          echo "ok: $free KB free: --resume with space again gives the same outputs"
        else echo "FAIL: $free KB free: --resume exit $rrc: ${why:-} $(head -c 300 "$m.rerr")"; fi
        echo "end"
      } >"$m.res"
    ) &
    throttle
  done
  wait
  for r in full*.res; do
    [ "$(tail -1 "$r")" = end ] || bad "$r: the checks stopped early"
    while IFS= read -r line; do
      case $line in
        ok:*) passes=$((passes + 1)) ;;
        FAIL:*) fails=$((fails + 1)); echo "$line" ;;
      esac
    done <"$r"
  done
  echo "real full disk: gen, and $real_points pose runs with 4 to $((need_kb + 8)) KB free"
  grep -h "^ok: .* free: exit" full*.res | sed 's/^ok: /  /' | head -40
else
  echo "SKIPPED: the real full-disk part (mount -t tmpfs is not permitted here: run as root)"
fi
echo "test_faults: $((SECONDS - t_start)) s"
finish
