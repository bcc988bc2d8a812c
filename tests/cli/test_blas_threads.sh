# One BLAS thread per rank in every launch path: `transfer score` gives the same CSV values, byte
# for byte, with OPENBLAS_NUM_THREADS (and OMP_NUM_THREADS) 1 and 2, alone and under mpirun; the
# Slurm scripts `slurm submit` writes, and the templates in slurm/, export both as 1.
# Without the pin in src/cli/main.c, 77 of the demo zoo's 180 score rows of the eleven scorers then registered differed between 1 and 2.
source "$(dirname "$0")/lib.sh"
"$SB_BIN" gen transfer --output zoo --seed 21 >/dev/null
# The CSVs of DIR without their timing columns (named seconds), as DIR.<name>.csv.
values() {
  $PY - "$1" <<'PY'
import csv, glob, os, sys
d = sys.argv[1]
for path in sorted(glob.glob(d + "/*.csv")):
    rows = list(csv.reader(open(path, newline="")))
    keep = [i for i, name in enumerate(rows[0]) if name != "seconds"] if rows else []
    with open(d + "." + os.path.basename(path), "w", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows([r[i] for i in keep] for r in rows)
PY
}
run() { # run DIR THREADS [mpirun -n N]
  local dir=$1 t=$2; shift 2
  OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t "$@" "$SB_BIN" transfer score --manifest zoo/manifest.csv \
    --output "$dir" --quiet >/dev/null </dev/null && values "$dir"
}
run t1 1 && run t2 2 && run t2n2 2 mpirun --bind-to none -n 2 && ok "transfer score ran with 1 and 2 BLAS threads" || bad "a run failed"
head -1 t1/scores.csv | grep -q ',seconds,' && ! head -1 t1.scores.csv | grep -q seconds &&
  ok "the seconds column is left out" || bad "columns: $(head -1 t1/scores.csv) / $(head -1 t1.scores.csv)"
[ "$(wc -l < t1.scores.csv)" -eq 241 ] && ok "240 score rows (15 pairs x 16 scorers)" || bad "$(wc -l < t1.scores.csv) lines in scores.csv"
# --bind-to none: else Open MPI binds each rank to one core and OpenBLAS runs one thread anyway.
# (same_files returns non-zero after a difference, which set -e would make the end of the test.)
for f in scores components truth failures; do
  same_files t1.$f.csv t2.$f.csv "$f.csv: OPENBLAS_NUM_THREADS=2 gives the values of 1" || true
  same_files t1.$f.csv t2n2.$f.csv "$f.csv: mpirun -n 2 with 2 BLAS threads gives the values of 1" || true
done

# Slurm: the scripts `slurm submit` writes pin one thread per rank, whatever --cpus-per-task says.
printf '[suite]\nname = blas\n[transfer]\nmanifest = zoo/manifest.csv\n' > suite.ini
pinned() { # pinned FILE N what: N scripts in FILE, each exporting both as 1; nothing else sets either
  local pins all
  pins=$(grep -cxE 'export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1( +#.*)?' "$1" || true)
  all=$(grep -cE '(OPENBLAS|OMP)_NUM_THREADS' "$1" || true)
  if [ "$pins" -eq "$2" ] && [ "$all" -eq "$2" ]; then ok "$3 pins 1 BLAS thread"
  else bad "$3: $pins pins, $all mentions: $(grep -E 'NUM_THREADS' "$1")"; fi
}
"$SB_BIN" slurm submit suite.ini --dry-run --cpus-per-task 4 --ntasks 2 > one.sbatch
grep -qx '#SBATCH --cpus-per-task=4' one.sbatch && ok "--cpus-per-task 4 reserves 4 cores" || bad "no --cpus-per-task=4"
pinned one.sbatch 1 "slurm submit --cpus-per-task 4 --dry-run"
"$SB_BIN" slurm submit suite.ini --dry-run --cpus-per-task 4 --array 2 > arr.sbatch
[ "$(grep -c '^#!/bin/bash' arr.sbatch)" -eq 2 ] && ok "--array prints the array and merge scripts" || bad "arr.sbatch"
pinned arr.sbatch 2 "slurm submit --array 2 --dry-run (both scripts)"
for t in "$SB_SOURCE_DIR"/slurm/*.sbatch; do pinned "$t" 1 "slurm/$(basename "$t")"; done
"$SB_BIN" slurm submit --help | grep -A1 -- '--cpus-per-task' | grep -q 'cores reserved per rank' &&
  ! "$SB_BIN" slurm submit --help | grep -q OPENBLAS && ok "--cpus-per-task help: cores per rank, no BLAS threads" ||
  bad "--cpus-per-task help: $("$SB_BIN" slurm submit --help | grep -A1 -- '--cpus-per-task')"
finish
