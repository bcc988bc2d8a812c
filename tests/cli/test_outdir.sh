# An honest output folder (issue 12): one run at a time (a lock), no mixing of two runs'
# outputs (a used folder is refused unless --resume or --force, which moves the old outputs
# aside), a completion record written last, inputs pinned for --resume, and everything
# that can be refused before units run is refused then (exit 2: nothing ran). A failure
# after units ran exits 4, and --resume then finishes the run.
source "$(dirname "$0")/lib.sh"
cat > s.ini <<INI
[suite]
name = outdir
[noop]
units = 30
INI
expect_rc() { # expect_rc WANT WHAT CMD...: runs CMD, checks its exit status
  local want=$1 what=$2 rc=0
  shift 2
  "$@" >last.log 2>&1 || rc=$?
  if [ "$rc" -eq "$want" ]; then ok "$what (exit $rc)"; else bad "$what: exit $rc, want $want"; cat last.log; fi
}
expect_rc 0 "a first run" "$SB_BIN" run s.ini --output out --quiet
[ -f out/run.complete ] && ok "the completion record is written" || bad "no run.complete"
grep -q "^file	noop.csv	" out/run.complete && ok "it lists the tables" || bad "run.complete lists no noop.csv"
expect_rc 2 "a new run in a used folder is refused" "$SB_BIN" run s.ini --output out --quiet
grep -q "holds the outputs of an earlier run" last.log && ok "it says why" || bad "no reason given"
[ -f out/run.complete ] && ok "the refused run left the old outputs whole" || bad "the refused run removed run.complete"
expect_rc 0 "--force moves the old outputs aside" "$SB_BIN" run s.ini --output out --quiet --force
old=$(ls -d out/previous-* 2>/dev/null | head -1)
[ -n "$old" ] && [ -f "$old/noop.csv" ] && [ -f "$old/run.complete" ] && ok "the old outputs are in $old" \
  || bad "no previous-* folder with the old outputs"
expect_rc 0 "--resume of a finished run" "$SB_BIN" run s.ini --output out --quiet --resume
same_files "$old/noop.csv" out/noop.csv "the resumed finished run gives the same noop.csv"

# The lock: a second run while the first holds the folder.
cat > slow.ini <<INI
[suite]
name = slow
[noop]
units = 60
short_ms = 50
INI
"$SB_BIN" run slow.ini --output busy --quiet >busy.log 2>&1 &
pid=$!
wait_for_units busy 2 || bad "the slow run never started"
expect_rc 2 "a second run on a locked folder is refused" "$SB_BIN" run slow.ini --output busy --quiet --resume
grep -q "in use by another shardbench run (pid $pid" last.log && ok "it names the holder" || bad "holder not named"
wait $pid && ok "the first run is unharmed" || { bad "the first run failed"; cat busy.log; }

# show warns about a folder whose run did not finish.
"$SB_BIN" run slow.ini --output cut --quiet >/dev/null 2>&1 &
pid=$!
wait_for_units cut 3 || bad "the run to cut never started"
kill -TERM $pid; wait $pid || true
cp out/noop.csv cut/noop.csv
"$SB_BIN" show cut/noop.csv >show.log 2>&1
grep -q "no run.complete" show.log && ok "show warns about an unfinished run" || { bad "no warning"; cat show.log; }
"$SB_BIN" show out/noop.csv >show.log 2>&1
grep -q "warning" show.log && bad "show warns about a complete run" || ok "show is quiet about a complete run"

# Inputs pinned: a changed input refuses --resume.
"$SB_BIN" gen pose --output data --seed 3 --sequences 6 --frames 40 >/dev/null
SB_TEST_UNIT_DELAY_MS=200 "$SB_BIN" pose eval --input data/pose.h5 --output pinned --quiet >/dev/null 2>&1 &
pid=$!
wait_for_units pinned 2 || bad "the pose run never started"
kill -TERM $pid; wait $pid || true
grep -q "pose.h5" pinned/inputs.tsv && ok "inputs.tsv records the input" || bad "inputs.tsv lacks pose.h5"
cp -p data/pose.h5 data/keep.h5
"$SB_BIN" gen pose --output data --seed 4 --sequences 6 --frames 40 >/dev/null
expect_rc 2 "--resume after the input changed is refused" "$SB_BIN" pose eval --input data/pose.h5 --output pinned --resume --quiet
grep -q "changed since this run was planned" last.log && ok "it names the change" || bad "no reason"
cp -p data/keep.h5 data/pose.h5
expect_rc 0 "--resume with the input restored" "$SB_BIN" pose eval --input data/pose.h5 --output pinned --resume --quiet

# Refused before any unit: two tasks writing one table, a label unfit for file names.
cat > clash.ini <<INI
[distshift]
[distshift_quantify]
INI
expect_rc 2 "two tasks writing shift.csv are refused" "$SB_BIN" run clash.ini --output clash --quiet
grep -q "would both write shift.csv" last.log && ok "it names the table" || bad "no table named"
[ ! -e clash/journal/plan.sbp ] && ok "nothing was planned" || bad "a plan was written"
printf '[noop.a/b]\nunits = 2\n' > label.ini
expect_rc 2 "a label with / is refused" "$SB_BIN" run label.ini --output label --quiet

# A failure after the units ran: exit 4, the journal kept, --resume finishes.
SB_TEST_UNIT_DELAY_MS=100 "$SB_BIN" run s.ini --output late --quiet >late.log 2>&1 &
pid=$!
wait_for_units late 2 || bad "the late run never started"
mkdir -p late/noop.csv/block   # a folder where the table must go: the rename fails
wait $pid && rc=0 || rc=$?
[ "$rc" -eq 4 ] && ok "a failure writing outputs exits 4" || { bad "exit $rc, want 4"; cat late.log; }
grep -q "finish with: .* --resume" late.log && ok "it says how to finish" || { bad "no hint"; cat late.log; }
[ ! -f late/run.complete ] && ok "no completion record" || bad "run.complete after a failure"
rm -rf late/noop.csv
expect_rc 0 "--resume finishes it" "$SB_BIN" run s.ini --output late --quiet --resume
same_files out/noop.csv late/noop.csv "with the same noop.csv"

# SIGTERM: to the ranks, the run exits 3 and mpirun passes 3 on; to mpirun itself, Open MPI
# 4.1's mpirun exits 1 while the ranks exit 3 (README, "Exit status").
mpirun -n 2 "$SB_BIN" run slow.ini --output term --quiet >/dev/null 2>&1 &
pid=$!
wait_for_units term 3 || bad "the run to stop never started"
pkill -TERM -P $pid -x shardbench || true
wait $pid && rc=0 || rc=$?
[ "$rc" -eq 3 ] && ok "SIGTERM to the ranks: mpirun exits 3" || bad "SIGTERM to the ranks: exit $rc"
finish
