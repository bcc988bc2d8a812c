# Slurm as a way to run shardbench, proved against a real single-node Slurm (slurmctld + slurmd)
# that tests/slurm/start_slurm.sh starts for this test and stop_slurm.sh stops, by PID, on any exit.
#
# First, with no Slurm needed: what `shardbench slurm submit --dry-run` writes (expected values
# worked out by hand from the options: the TERM lead is --signal, else 120 s but at most half of
# --time). Then, on the cluster, every job's CSVs must equal those of a local `mpirun -n 2` run of
# the same suite, byte for byte:
#   A  `slurm submit --ntasks 2`            one 2-rank job (srun --mpi=pmix); results.h5 says 2 ranks
#   B  `slurm submit --array 3`             3 array tasks (shards 1/3..3/3) + the dependent merge job
#   C  `slurm submit --ntasks 2 --time 1 --signal 50`   the real time-limit TERM: the ranks stop,
#                                           the job requeues itself and resumes from the journal
#   D  the same as a 2-task array: each task requeues itself alone; the merge waits for both
#   E  TERM sent to the batch shell the moment the job runs (before srun has a step): not lost
#   T1 slurm/mpi.sbatch with LAUNCHER=mpirun (mpirun inside the allocation), 2 ranks
#   T2 slurm/array.sbatch as a 3-task array, merged by the documented dependent job
# C, D and E make their first run slow (SB_TEST_UNIT_DELAY_MS via --env-file, first run only), so
# the TERM surely comes mid-run; Slurm checks time limits every 30 s, so with --time=1 and
# --signal=B:TERM@50 the TERM arrives within the first 30 s of the job (docs/cluster.md).
# If Slurm cannot be installed or run here (not root, no package archive) the test prints
# "SKIPPED: ..." and exits 77, which ctest reports as skipped (SKIP_RETURN_CODE 77).
source "$(dirname "$0")/lib.sh"
SLURM_TESTS=$SB_SOURCE_DIR/tests/slurm
# The cluster's folder lives outside $SB_TEST_TMP, which lib.sh empties: a crashed earlier run's
# PID files are found there and its daemons stopped or reused.
SLURM_DIR=${SB_SLURM_DIR:-$SB_BUILD_DIR/slurm-cluster}
SB=$SB_BIN

# Every task in one suite: pose (twice), transfer score, transfer evaluate (on scores made
# beforehand: tasks of one suite run side by side), forecast and a small distshift grid.
"$SB" gen pose --output data --seed 13 --sequences 20 --frames 50 >/dev/null
"$SB" gen transfer --output zoo --seed 13 --datasets 3 --models 4 >/dev/null
"$SB" gen forecast --output fc --seed 13 >/dev/null
"$SB" transfer score --manifest zoo/manifest.csv --output pre --quiet >/dev/null
cat > suite.ini <<INI
[suite]
name = demo
seed = 1
[pose]
input = data/pose.h5
[pose.rr]
input = data/pose.h5
root_relative = true
[transfer]
manifest = zoo/manifest.csv
[judge]
scores = pre/scores.csv
truth = pre/truth.csv
bootstrap = 200
combine = zmean
[forecast]
input = fc/forecast.h5
[distshift]
rho_train = 0,0.9
diversity = 0,1
seeds = 2
n_train = 400
n_test = 400
samples = 200
INI
# The first run of a job is slow (2 s a unit: far longer than the 1-minute limit), a requeued one fast.
cat > slow.sh <<'SH'
if [ "${SLURM_RESTART_COUNT:-0}" -eq 0 ]; then export SB_TEST_UNIT_DELAY_MS=2000; else unset SB_TEST_UNIT_DELAY_MS; fi
SH

# ---- `slurm submit --dry-run`: no Slurm needed -------------------------------------------------
dry() { "$SB" slurm submit suite.ini --dry-run "$@"; }
has() { # has FILE LINE what
  if grep -qxF -- "$2" "$1"; then ok "$3"; else bad "$3: no line '$2' in $1"; fi
}
dry --ntasks 2 --time 1 --output X > x.sbatch && ok "dry run exits 0" || bad "dry run failed"
has x.sbatch "#SBATCH --ntasks=2" "--ntasks 2 becomes #SBATCH --ntasks=2"
has x.sbatch "#SBATCH --time=1" "--time passes through"
has x.sbatch "#SBATCH --signal=B:TERM@30" "TERM lead is half of a 60 s limit"
has x.sbatch "#SBATCH --requeue" "the job may be requeued"
has x.sbatch "#SBATCH --open-mode=append" "a requeued job appends to its log"
has x.sbatch "#SBATCH --output=$PWD/X/slurm-%j.out" "the log goes to the output folder"
has x.sbatch "SUITE='$PWD/suite.ini'" "the suite path is absolute"
has x.sbatch "SB='$SB'" "the script runs this shardbench binary"
grep -q -- '--resume' x.sbatch && grep -q 'srun --mpi=pmix' x.sbatch && ok "runs srun --mpi=pmix ... --resume" ||
  bad "no srun --mpi=pmix / --resume"
bash -n x.sbatch && ok "the script is valid bash" || bad "bash -n x.sbatch"
[ ! -e X ] && [ ! -e X.sbatch ] && ok "a dry run writes nothing" || bad "a dry run wrote X or X.sbatch"
for t in "2:00:00 120" "3 90" "0:30 15" "1-0 120" "UNLIMITED 120"; do
  set -- $t
  dry --time "$1" > t.sbatch
  grep -qxF "#SBATCH --signal=B:TERM@$2" t.sbatch && ok "--time $1 gives a $2 s TERM lead" ||
    bad "--time $1 does not give --signal=B:TERM@$2"
done
dry > t.sbatch
has t.sbatch "#SBATCH --signal=B:TERM@120" "no --time: 120 s lead"
dry --time 10 --signal 45 > t.sbatch
has t.sbatch "#SBATCH --signal=B:TERM@45" "--signal 45 is kept"
dry --array 3 --output Y > y.sbatch
has y.sbatch "#SBATCH --array=0-2" "--array 3 becomes 0-2"
has y.sbatch "#SBATCH --output=$PWD/Y/slurm-%A_%a.out" "one log per array task"
has y.sbatch "N=3" "the merge job merges 3 shards"
grep -q -- "--dependency=afterok:<array job id> --kill-on-invalid-dep=yes $PWD/Y.merge.sbatch" y.sbatch &&
  ok "the merge job waits for the array (afterok)" || bad "no afterok dependency in the merge script"
dry --launcher mpirun > t.sbatch
has t.sbatch "LAUNCHER=mpirun  # srun --mpi=pmix, or mpirun (Open MPI reads the allocation from SLURM_*)" "--launcher mpirun"
printf '[suite]\nname = bad\n[nosuchtask]\ninput = x\n' > bad.ini
for args in "--time abc|--time" "--time 5 --signal 300|--signal" "--launcher foo|--launcher" "--ntasks 0|--ntasks" \
            "--output has space|--output" "--partition a;b|--partition"; do
  opts=${args%|*} want=${args#*|}
  IFS=' ' read -r -a argv <<<"$opts"
  [ "$opts" = "--output has space" ] && argv=(--output "has space")
  "$SB" slurm submit suite.ini "${argv[@]}" --dry-run >err.out 2>&1 && rc=0 || rc=$?
  [ "$rc" -eq 2 ] && grep -q -- "$want" err.out && ok "'$opts' is refused naming $want" ||
    { bad "'$opts': exit $rc"; cat err.out; }
done
"$SB" slurm submit nosuch.ini --dry-run >err.out 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 2 ] && grep -q "nosuch.ini" err.out && ok "a missing suite is refused" || bad "missing suite: exit $rc"
"$SB" slurm submit bad.ini --output Z >err.out 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 2 ] && grep -q "nosuchtask" err.out && [ ! -e Z ] && [ ! -e Z.sbatch ] &&
  ok "a suite naming an unknown task is refused before anything is written" || { bad "bad suite: exit $rc"; cat err.out; }
# The templates run the same body as the generated script (from the shard choice to the end).
body() { awk '/^# Array task i runs shard/{p=1} p' "$1"; }
for t in mpi array; do
  bash -n "$SB_SOURCE_DIR/slurm/$t.sbatch" && ok "slurm/$t.sbatch is valid bash" || bad "bash -n slurm/$t.sbatch"
  if cmp -s <(body "$SB_SOURCE_DIR/slurm/$t.sbatch") <(body x.sbatch) && [ -n "$(body x.sbatch)" ]; then
    ok "slurm/$t.sbatch has the body that slurm submit writes"
  else
    bad "slurm/$t.sbatch and the generated script differ"; diff <(body "$SB_SOURCE_DIR/slurm/$t.sbatch") <(body x.sbatch) | head
  fi
done

# ---- a private Slurm cluster -------------------------------------------------------------------
stop_cluster() { bash "$SLURM_TESTS/stop_slurm.sh" "$SLURM_DIR" >/dev/null 2>&1 || true; }
trap stop_cluster EXIT
trap 'exit 130' INT TERM
# 12 declared cores: the jobs below run side by side even on a 2-core machine.
SB_SLURM_CPUS=12 bash "$SLURM_TESTS/start_slurm.sh" "$SLURM_DIR" 2>start.err && rc=0 || rc=$?
if [ "$rc" -eq 77 ]; then
  trap - EXIT
  cat start.err
  echo "$passes passed, $fails failed (without Slurm)"
  [ "$fails" -eq 0 ] || exit 1
  echo "SKIPPED: the Slurm part of this test: $(grep -m1 SKIPPED start.err | sed 's/^SKIPPED: //')"
  exit 77
fi
[ "$rc" -eq 0 ] || { cat start.err; bad "the test cluster did not start"; finish; exit 1; }
source "$SLURM_DIR/env.sh"
ok "a single-node Slurm is up ($(sinfo -h -o '%P %c CPUs %T' | head -1))"

mpirun -n 2 "$SB" run suite.ini --output local --quiet >/dev/null

# Submit everything, the slow ones first; each job's environment is this one (sbatch --export=ALL).
C=$("$SB" slurm submit suite.ini --ntasks 2 --time 1 --signal 50 --env-file slow.sh --output C --parsable)
mapfile -t ids < <("$SB" slurm submit suite.ini --array 2 --time 1 --signal 50 --env-file slow.sh --output D --parsable)
D=${ids[0]} DM=${ids[1]}
E=$("$SB" slurm submit suite.ini --ntasks 2 --env-file slow.sh --output E --parsable)
A=$("$SB" slurm submit suite.ini --ntasks 2 --output A --parsable)
mapfile -t ids < <("$SB" slurm submit suite.ini --array 3 --output B --parsable)
B=${ids[0]} BM=${ids[1]}
mkdir -p T1 T2
T1=$(sbatch --parsable --ntasks=2 --output=T1/slurm-%j.out \
  --export=ALL,SB="$SB",SUITE="$PWD/suite.ini",OUT="$PWD/T1",LAUNCHER=mpirun "$SB_SOURCE_DIR/slurm/mpi.sbatch")
T2=$(sbatch --parsable --array=0-2 --output=T2/slurm-%A_%a.out \
  --export=ALL,SB="$SB",SUITE="$PWD/suite.ini",OUT="$PWD/T2" "$SB_SOURCE_DIR/slurm/array.sbatch")
T2M=$(sbatch --parsable --dependency=afterok:"$T2" --kill-on-invalid-dep=yes --ntasks=1 --output=T2/slurm-%j.out \
  --wrap "$SB merge $PWD/T2/shard-1 $PWD/T2/shard-2 $PWD/T2/shard-3 --output $PWD/T2")
echo "jobs: A=$A B=$B+$BM C=$C D=$D+$DM E=$E T1=$T1 T2=$T2+$T2M"

# E: TERM to the batch shell (what --signal=B:TERM delivers) as soon as the job runs.
batch_shell() { # the PID of job $1's batch script on this node, or nothing
  local p
  for p in $(scontrol listpids "$1" 2>/dev/null | awk '$3 == "batch" {print $1}'); do
    if [[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" == *slurm_script* ]]; then echo "$p"; return; fi
  done
}
shell=
for _ in $(seq 300); do
  shell=$(batch_shell "$E")
  [ -n "$shell" ] && break
  sleep 0.1
done
[ -n "$shell" ] && kill -TERM "$shell" && ok "TERM sent to the batch shell of job $E at its start" ||
  bad "found no batch shell of job $E"

# Poll the queue (every 0.5 s; sbatch --wait would poll with growing sleeps) until all are done.
all="$A $B $BM $C $D $DM $E $T1 $T2 $T2M"
t0=$(date +%s)
while :; do
  left=$(squeue -h -o %F | sort -u | grep -xF -f <(tr ' ' '\n' <<<"$all") || true)
  [ -z "$left" ] && break
  if [ $(($(date +%s) - t0)) -gt 240 ]; then bad "jobs still queued after 240 s: $left"; squeue; break; fi
  sleep 0.5
done
echo "all jobs ended after $(($(date +%s) - t0)) s"

state_is() { # state_is JOB what: every task of JOB COMPLETED with exit code 0:0
  local s
  s=$(scontrol show job "$1" 2>&1)
  if [ "$(grep -o 'JobState=[A-Z_]*' <<<"$s" | sort -u)" = JobState=COMPLETED ] &&
     [ "$(grep -o 'ExitCode=[0-9:]*' <<<"$s" | sort -u)" = ExitCode=0:0 ]; then
    ok "$2: job $1 completed"
  else
    bad "$2: job $1: $(grep -o 'JobState=[A-Z_]*\|ExitCode=[0-9:]*' <<<"$s" | tr '\n' ' ')"
  fi
}
restarted() { # restarted JOB what: every task of JOB was requeued at least once
  local r
  r=$(scontrol show job "$1" | grep -o 'Restarts=[0-9]*' | sort -u)
  if [ -n "$r" ] && ! grep -q 'Restarts=0' <<<"$r"; then ok "$2: requeued ($(tr '\n' ' ' <<<"$r"))"; else
    bad "$2: not requeued ($r)"; fi
}
no_seconds() { # a CSV without its measured `seconds` column (the only one that may differ)
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "seconds") skip = i }
           { out = ""; for (i = 1; i <= NF; i++) if (i != skip) out = out (out == "" && i == 1 ? "" : ",") $i; print out }' "$1"
}
same_csvs() { # same_csvs DIR what
  local f n=0
  for f in local/*.csv; do
    n=$((n + 1))
    cmp -s <(no_seconds "$f") <(no_seconds "$1/${f#local/}") || { bad "$2: $1/${f#local/} differs from the local mpirun run"; diff "$f" "$1/${f#local/}" | head -3 || true; return; }
  done
  [ "$n" -ge 12 ] && ok "$2: all $n CSVs equal the local mpirun -n 2 run byte for byte" || bad "$2: only $n CSVs"
}
ranks_are() { # ranks_are DIR N: results.h5 says the run had N ranks
  local n
  n=$($PY -c "import h5py,sys; print(int(h5py.File(sys.argv[1],'r').attrs['n_ranks']))" "$1/results.h5" 2>&1)
  [ "$n" = "$2" ] && ok "$1 ran on $2 MPI ranks" || bad "$1: n_ranks is '$n', not $2"
}
logs() { cat "$1"/slurm-*.out 2>/dev/null; }
logs_have() { grep -qh -- "$2" "$1"/slurm-*.out 2>/dev/null; } # logs_have DIR PATTERN

state_is "$A" "A (2 ranks)"; same_csvs A "A"; ranks_are A 2
state_is "$B" "B (array of 3)"; state_is "$BM" "B merge"; same_csvs B "B"
for i in 1 2 3; do
  [ -e "B/shard-$i/shard.done" ] && logs_have B "--shard $i/3 --output $PWD/B/shard-$i" &&
    ok "B: array task $((i - 1)) ran shard $i/3" || bad "B: shard $i/3 missing"
done
state_is "$C" "C (time limit)"; restarted "$C" "C"; same_csvs C "C"
logs_have C "TERM received" && ok "C: the batch shell got the time limit's TERM" || bad "C: no TERM in the log"
logs_have C "the run exited with status 3" && ok "C: the ranks stopped cleanly (exit 3)" || bad "C: no exit 3"
logs_have C "resuming: [1-9][0-9]* of [0-9]* units already done" && ok "C: the requeued job resumed from the journal" ||
  bad "C: did not resume"
state_is "$D" "D (array, time limit)"; restarted "$D" "D"; state_is "$DM" "D merge"; same_csvs D "D"
logs_have D "scontrol requeue failed" && bad "D: a requeue failed" || ok "D: each task requeued only itself"
state_is "$E" "E (TERM at start)"; restarted "$E" "E"; same_csvs E "E"
state_is "$T1" "T1 (slurm/mpi.sbatch, mpirun)"; same_csvs T1 "T1"; ranks_are T1 2
state_is "$T2" "T2 (slurm/array.sbatch)"; state_is "$T2M" "T2 merge"; same_csvs T2 "T2"
if [ "$fails" -ne 0 ]; then
  for d in A B C D E T1 T2; do echo "==== $d"; logs "$d" | tail -25; done
fi
finish
