# A run stopped by SIGTERM (what Slurm sends at a time limit), or by kill -9 of one rank,
# resumes with --resume and ends with the same bytes as an uninterrupted run.
source "$(dirname "$0")/lib.sh"
"$SB_BIN" gen pose --output data --seed 12 --sequences 24 --frames 60 --hyps 2 >/dev/null
mpirun -n 2 "$SB_BIN" pose eval --input data/pose.h5 --output whole --quiet >/dev/null

# SIGTERM to mpirun, which forwards it to the ranks: they finish their unit and exit 3.
SB_TEST_UNIT_DELAY_MS=250 mpirun -n 2 "$SB_BIN" pose eval --input data/pose.h5 --output term >term.log 2>&1 &
pid=$!
wait_for_units term 4 || bad "the run never started"
kill -TERM $pid
wait $pid && rc=0 || rc=$?
[ "$rc" -ne 0 ] && ok "interrupted run exits non-zero ($rc)" || bad "interrupted run exited 0"
grep -q "resume with:" term.log && ok "says how to resume" || { bad "no resume hint"; cat term.log; }
[ ! -e term/pose.csv ] && ok "no results file after an interrupted run" || bad "pose.csv exists after interruption"
mpirun -n 3 "$SB_BIN" pose eval --input data/pose.h5 --output term --resume >resume.log 2>&1
grep -q "resuming: [1-9][0-9]* of 24 units already done" resume.log && ok "resume skipped finished units" || { bad "resume did not skip"; cat resume.log; }
same_files whole/pose.csv term/pose.csv "SIGTERM + resume gives the same pose.csv"

# kill -9 of one rank: mpirun aborts the job; the journal keeps what finished.
SB_TEST_UNIT_DELAY_MS=250 mpirun -n 2 "$SB_BIN" pose eval --input data/pose.h5 --output k9 >k9.log 2>&1 &
pid=$!
wait_for_units k9 4 || bad "the run never started"
victim=$(pgrep -f "shardbench pose eval --input data/pose.h5 --output k9" | grep -v "^$pid$" | tail -1)
kill -9 "$victim"
wait $pid || true
"$SB_BIN" pose eval --input data/pose.h5 --output k9 --resume >k9r.log 2>&1
grep -q "resuming: [1-9][0-9]* of 24" k9r.log && ok "resume after kill -9 skipped finished units" || { bad "no skip after kill -9"; cat k9r.log; }
same_files whole/pose.csv k9/pose.csv "kill -9 + resume gives the same pose.csv"

# A torn last journal record (a write cut short) is dropped, not trusted.
jf=$(ls k9/journal/*.sbj | head -1)
head -c -5 "$jf" > torn && cat torn > "$jf"
"$SB_BIN" pose eval --input data/pose.h5 --output k9 --resume >/dev/null 2>&1
same_files whole/pose.csv k9/pose.csv "a torn journal record is recomputed"
finish
