# distshift eval: every metric of every good set equals scikit-learn/numpy computed at test time by
# distshift_sets.py (outside shardbench; AUC to 1e-12, with tied scores and a one-class set whose
# AUC is empty with a reason); each bad set (score out of range or NaN, label not 0/1, spurious or
# group length differing from label, no samples) fails alone with a one-line message naming the
# file, set and field, while the others are written; byte-identical CSVs for 1, 2 and 3 ranks.
source "$(dirname "$0")/lib.sh"
CHECK="$SB_SOURCE_DIR/tests/cli/distshift_sets.py"
$PY "$CHECK" make sets.h5
for n in 1 2 3; do
  set +e
  mpirun -n $n "$SB_BIN" distshift eval --input sets.h5 --output out$n --quiet >log$n 2>err$n
  rc=$?
  set -e
  [ $rc -eq 1 ] && ok "exit 1 with failed sets (-n $n)" || bad "exit status $rc, expected 1 (-n $n)"
done
$PY "$CHECK" check sets.h5 out1/distshift.csv out1/failures.csv && ok "metrics equal sklearn; bad sets named" || bad "metrics or failures differ"
for n in 2 3; do
  same_files out1/distshift.csv out$n/distshift.csv "distshift.csv -n 1 = -n $n"
  same_files out1/failures.csv out$n/failures.csv "failures.csv -n 1 = -n $n"
done
[ "$(grep -c 'bad_' out1/failures.csv)" -eq 6 ] && ok "6 failures" || bad "expected 6 failures: $(cat out1/failures.csv)"
# A file without /sets is an input error before anything runs (exit 2), naming the file.
$PY -c "import h5py; h5py.File('nosets.h5','w').create_group('x')"
set +e
"$SB_BIN" distshift eval --input nosets.h5 --output out_nosets --quiet 2>err_nosets
rc=$?
set -e
[ $rc -eq 2 ] && grep -q "nosets.h5.*/sets" err_nosets && ok "no /sets: exit 2 naming the file" || bad "no /sets: rc $rc, $(cat err_nosets)"
finish
