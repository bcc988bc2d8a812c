# distshift run on a small grid: finding 1 (anti-aligned accuracy strictly lower at rho_train 0.9
# than at 0, every one of 3 seeds); bias_gap = aligned - anti-aligned accuracy; one cell's model and
# metrics equal scikit-learn's refit on the same data (written by `gen distshift`); byte-identical
# CSVs for 1, 2 and 3 ranks and through a suite's [distshift] section; the analysis plot is a
# non-empty PNG; bad grid options (rho outside [0,1], an empty grid, an unknown test set) are
# one-line errors naming the option (exit 2). Checks: distshift_grid_check.py.
source "$(dirname "$0")/lib.sh"
CHECK="$SB_SOURCE_DIR/tests/cli/distshift_grid_check.py"
GRID="--rho-train 0,0.9 --diversity 0,1 --seeds 3 --n-train 1000 --n-test 1000 --samples 200 --seed 21"
for n in 1 2 3; do
  mpirun -n $n "$SB_BIN" distshift run $GRID --output g$n --quiet >/dev/null
done
[ "$(grep -c . g1/distshift.csv)" -eq 37 ] && ok "36 cells" || bad "rows: $(grep -c . g1/distshift.csv)"
for n in 2 3; do
  for t in distshift shift distshift_summary distshift_findings; do
    same_files g1/$t.csv g$n/$t.csv "$t.csv -n 1 = -n $n"
  done
done
$PY "$CHECK" finding1 g1/distshift.csv && ok "finding 1: anti-aligned accuracy lower at rho 0.9 than at 0 (3 seeds)" || bad "finding 1 not shown"
$PY "$CHECK" gap g1/distshift.csv && ok "bias_gap = aligned - anti_aligned accuracy" || bad "bias_gap wrong"
grep -q '^1,.*,yes,' g1/distshift_findings.csv && ok "findings table says finding 1 is shown" || bad "findings: $(cat g1/distshift_findings.csv)"
[ "$(grep -c ',200,' g1/shift.csv)" -eq 36 ] && ok "shift.csv: 36 cells of 200 points" || bad "shift.csv: $(head -3 g1/shift.csv)"
# The same cell through gen distshift and scikit-learn.
"$SB_BIN" gen distshift --output cell --seed 21 --rho-train 0.9 --test-set anti_aligned --diversity 1 --replicate 2 \
  --n-train 1000 --n-test 1000 >/dev/null
$PY "$CHECK" sklearn g1/distshift.csv cell/distshift.h5 0.9 anti_aligned 1 2 1e-4 && ok "cell equals sklearn refit" || bad "cell differs from sklearn"
# A suite with a [distshift] section gives the same tables.
cat > suite.ini <<INI
[suite]
name = ds
seed = 21
[distshift]
rho_train = 0,0.9
diversity = 0,1
seeds = 3
n_train = 1000
n_test = 1000
samples = 200
INI
mpirun -n 2 "$SB_BIN" run suite.ini --output gs --quiet >/dev/null
same_files g1/distshift.csv gs/distshift.csv "suite [distshift] = distshift run"
# The analysis plot.
$PY "$SB_SOURCE_DIR/analysis/plot_distshift.py" g1/distshift.csv acc.png >/dev/null
[ -s acc.png ] && [ "$(head -c 8 acc.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && [ "$(stat -c %s acc.png)" -gt 10000 ] \
  && ok "plot: a non-empty PNG" || bad "plot missing or empty"
# Bad grid options: one line naming the option, exit 2, nothing run.
check_usage() { # what expected-text options...
  local what=$1 want=$2; shift 2
  set +e
  "$SB_BIN" distshift run "$@" --output bad --quiet 2>err_bad >/dev/null
  local rc=$?
  set -e
  if [ $rc -eq 2 ] && grep -q -- "$want" err_bad && [ "$(wc -l <err_bad)" -eq 1 ]; then ok "$what"; else bad "$what: rc $rc, $(cat err_bad)"; fi
}
check_usage "rho outside [0,1]" "'rho_train' holds 1.5, outside \[0, 1\]" --rho-train 0,1.5
check_usage "empty grid (seeds 0)" "'seeds' must be an integer from 1 to 100000, not '0'" --seeds 0
check_usage "empty grid (no rho)" "'rho_train' is empty" --rho-train ,
check_usage "unknown test set" "test_sets.*sideways" --test-sets aligned,sideways
finish
