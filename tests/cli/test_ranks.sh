# The same files for 1, 2 and 3 ranks (3 oversubscribed on 2 cores), by the task command
# and by a suite; results.h5 carries the provenance attributes of formats.md.
source "$(dirname "$0")/lib.sh"
"$SB_BIN" gen pose --output data --seed 11 --sequences 9 --frames 120 --hyps 4 >/dev/null
for n in 1 2 3; do
  mpirun -n $n "$SB_BIN" pose eval --input data/pose.h5 --output out$n --quiet >/dev/null
done
for n in 2 3; do
  same_files out1/pose.csv out$n/pose.csv "pose.csv with -n $n equals -n 1"
  same_files out1/failures.csv out$n/failures.csv "failures.csv with -n $n equals -n 1"
done
cat > suite.ini <<INI
[suite]
name = ranks
seed = 5
[pose]
input = data/pose.h5
INI
mpirun -n 2 "$SB_BIN" run suite.ini --output suite_out --quiet >/dev/null
same_files out1/pose.csv suite_out/pose.csv "a suite run gives the same pose.csv"
rows=$(wc -l < out1/pose.csv)
[ "$rows" -eq 14 ] && ok "pose.csv has 9 sequences + 3 actions + ALL + header" || bad "pose.csv has $rows lines"
attrs=$(h5dump -A out2/results.h5)
for a in shardbench_version git_commit suite_hash_fnv1a64 started_utc finished_utc n_ranks hosts mpi_version hdf5_version openblas_version seed; do
  grep -q "ATTRIBUTE \"$a\"" <<<"$attrs" && ok "results.h5 has $a" || bad "results.h5 lacks $a"
done
grep -q 'group *\/pose$' <(h5dump -n out2/results.h5) && ok "results.h5 holds the pose table" || bad "no /pose in results.h5"
finish
