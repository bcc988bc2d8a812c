# distshift quantify: div and cor on given points (--points) equal an independent scipy
# gaussian_kde computation of the spec's OoD-Bench steps (distshift_kde_check.py, at test time) to
# 1e-9 relative, for two epsilon settings; the points are sharded over ranks in blocks of 256 and
# the CSVs are byte-identical for 1, 2 and 3 ranks (also with points drawn by shardbench); P and Q
# of different feature dimensions are an error naming the file and datasets (exit 2).
source "$(dirname "$0")/lib.sh"
CHECK="$SB_SOURCE_DIR/tests/cli/distshift_kde_check.py"
$PY "$CHECK" make env.h5 points.h5 1000
for n in 1 2 3; do
  mpirun -n $n "$SB_BIN" distshift quantify --input env.h5 --points points.h5 --block 256 --output q$n --quiet >/dev/null
done
$PY "$CHECK" check env.h5 points.h5 q1/shift.csv 1e-12 5e-4 && ok "div, cor = scipy (eps 1e-12, 5e-4)" || bad "div/cor differ from scipy"
mpirun -n 2 "$SB_BIN" distshift quantify --input env.h5 --points points.h5 --block 256 --eps-div 0.01 --eps-cor 0.02 --output qe --quiet >/dev/null
$PY "$CHECK" check env.h5 points.h5 qe/shift.csv 0.01 0.02 && ok "div, cor = scipy (eps 0.01, 0.02)" || bad "div/cor differ from scipy (eps 0.01, 0.02)"
[ "$(ls q1/journal/*.sbj | wc -l)" -ge 1 ] && [ "$(grep -c . q1/shift_classes.csv)" -eq 4 ] && ok "3 classes in shift_classes.csv" || bad "shift_classes.csv: $(cat q1/shift_classes.csv)"
for n in 2 3; do
  same_files q1/shift.csv q$n/shift.csv "shift.csv -n 1 = -n $n (given points)"
  same_files q1/shift_classes.csv q$n/shift_classes.csv "shift_classes.csv -n 1 = -n $n"
done
for n in 1 3; do
  mpirun -n $n "$SB_BIN" distshift quantify --input env.h5 --samples 1500 --block 512 --seed 4 --output s$n --quiet >/dev/null
done
same_files s1/shift.csv s3/shift.csv "shift.csv -n 1 = -n 3 (drawn points)"
grep -q '^P,Q,[0-9.e-]*,[0-9.e-]*,1500,' s1/shift.csv && ok "1500 drawn points" || bad "drawn points: $(cat s1/shift.csv)"
# P and Q with different feature dimensions.
$PY -c "
import h5py, numpy as np
with h5py.File('mismatch.h5','w') as f:
    f['P/z'] = np.zeros((10, 3)); f['P/y'] = np.zeros(10, dtype=int)
    f['Q/z'] = np.zeros((10, 2)); f['Q/y'] = np.zeros(10, dtype=int)"
set +e
"$SB_BIN" distshift quantify --input mismatch.h5 --output qm --quiet 2>err_m
rc=$?
set -e
[ $rc -eq 2 ] && grep -q "mismatch.h5: /P/z has 3 feature columns but /Q/z has 2" err_m && [ "$(wc -l <err_m)" -eq 1 ] \
  && ok "dimension mismatch: one-line error, exit 2" || bad "dimension mismatch: rc $rc, $(cat err_m)"
finish
