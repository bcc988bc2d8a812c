# distshift run --diversity-scope (specs/distshift.md "Diversity scope") on a small grid run with
# both scopes: byte-identical CSVs for 1 and 2 ranks; the invariant rows equal the same grid run
# without the option (the default is unchanged) and the both rows at diversity 0 equal them (and
# their shift values); the finding 3 row of each scope, evidence numbers and verdict, recomputed
# from distshift.csv; one both cell equals scikit-learn's refit on the data `gen distshift
# --diversity-scope both` writes; the analysis plot reads the scoped CSV; the suite key gives the
# same tables; bad values of the option (unknown, repeated, empty, both with d_sp = 1) are
# one-line errors naming it (exit 2), in the grid and in gen. Checks: distshift_scope_check.py, distshift_grid_check.py.
source "$(dirname "$0")/lib.sh"
CHECK="$SB_SOURCE_DIR/tests/cli/distshift_scope_check.py"
GRID="--rho-train 0,0.5,0.9 --diversity 0,1 --seeds 3 --n-train 800 --n-test 800 --samples 100 --seed 5"
for n in 1 2; do
  mpirun -n $n "$SB_BIN" distshift run $GRID --diversity-scope invariant,both --output s$n --quiet >/dev/null
done
"$SB_BIN" distshift run $GRID --output plain --quiet >/dev/null
[ "$(grep -c . s1/distshift.csv)" -eq 109 ] && ok "108 cells (2 scopes)" || bad "rows: $(grep -c . s1/distshift.csv)"
for t in distshift shift distshift_summary distshift_findings; do
  same_files s1/$t.csv s2/$t.csv "$t.csv -n 1 = -n 2"
  [ "$(head -c 16 s1/$t.csv)" = "diversity_scope," ] && ok "$t.csv starts with diversity_scope" || bad "$t.csv header: $(head -1 s1/$t.csv)"
done
[ "$(head -1 plain/distshift.csv | cut -d, -f1)" = rho_train ] && ok "default grid: no diversity_scope column" || bad "plain header"
$PY "$CHECK" same s1/distshift.csv plain/distshift.csv && ok "invariant rows = grid without the option; both = invariant at diversity 0" \
  || bad "scoped rows differ"
# shift.csv: the both cells at diversity 0 have the invariant cells' values (same data, same points).
grep '^invariant,.*/div=0/' s1/shift.csv | cut -d, -f2- > inv0
grep '^both,.*/div=0/' s1/shift.csv | cut -d, -f2- | sed 's|/scope=both||' > both0
[ -s inv0 ] && same_files inv0 both0 "shift at diversity 0: both = invariant"
grep -q '^both,.*/div=1/scope=both/seed=2,' s1/shift.csv && ok "both cells' keys name the scope" || bad "shift keys: $(tail -1 s1/shift.csv)"
$PY "$CHECK" finding3 s1/distshift.csv s1/distshift_findings.csv && ok "finding 3 per scope: evidence and verdict recomputed" \
  || bad "finding 3 evidence"
[ "$(grep -c '^both,' s1/distshift_findings.csv)" -eq 3 ] && ok "findings 1-3 for scope both" || bad "$(cat s1/distshift_findings.csv)"
# One both cell through gen distshift and scikit-learn.
"$SB_BIN" gen distshift --output cell --seed 5 --rho-train 0.9 --test-set aligned --diversity 1 --replicate 1 \
  --n-train 800 --n-test 800 --diversity-scope both >/dev/null
$PY "$SB_SOURCE_DIR/tests/cli/distshift_grid_check.py" sklearn s1/distshift.csv cell/distshift.h5 0.9 aligned 1 1 1e-4 both \
  && ok "both cell equals sklearn refit" || bad "both cell differs from sklearn"
$PY - cell/distshift.h5 <<'PY' && ok "gen: diversity_scope attribute and style angles in [pi/4, 3pi/4]" || bad "gen attributes"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
t = f["style_angle"][()]
assert f.attrs["diversity_scope"] in ("both", b"both"), f.attrs["diversity_scope"]
assert t.shape == (4,) and (t[:2] == 0).all() and ((t[2:] >= np.pi / 4) & (t[2:] <= 3 * np.pi / 4)).all(), t
PY
# The analysis plot draws the scoped grid (one line per diversity and scope).
$PY "$SB_SOURCE_DIR/analysis/plot_distshift.py" s1/distshift.csv acc.png >/dev/null
[ "$(head -c 8 acc.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && [ "$(stat -c %s acc.png)" -gt 10000 ] \
  && ok "plot of a scoped grid: a non-empty PNG" || bad "plot missing or empty"
# The suite key.
cat > suite.ini <<INI
[suite]
name = ds
seed = 5
[distshift]
rho_train = 0,0.5,0.9
diversity = 0,1
diversity_scope = invariant,both
seeds = 3
n_train = 800
n_test = 800
samples = 100
INI
mpirun -n 2 "$SB_BIN" run suite.ini --output gs --quiet >/dev/null
same_files s1/distshift_findings.csv gs/distshift_findings.csv "suite key diversity_scope = --diversity-scope"
# Bad values: one line naming the option, exit 2, nothing run.
check_usage() { # what expected-text command...
  local what=$1 want=$2; shift 2
  set +e
  "$SB_BIN" "$@" --output bad --quiet 2>err_bad >/dev/null
  local rc=$?
  set -e
  if [ $rc -eq 2 ] && grep -q -- "$want" err_bad && [ "$(wc -l <err_bad)" -eq 1 ] && [ ! -e bad/distshift.csv ]; then ok "$what"
  else bad "$what: rc $rc, $(cat err_bad)"; fi
}
check_usage "unknown scope" "'diversity_scope'.*\"spurious\" is not one of invariant, both" distshift run --diversity-scope invariant,spurious
check_usage "repeated scope" "'diversity_scope' lists both twice" distshift run --diversity-scope both,both
check_usage "empty scope" "'diversity_scope' is empty" distshift run --diversity-scope ,
check_usage "both with d_sp 1" "'diversity_scope' both .*needs d_sp >= 2, not 1" distshift run --diversity-scope both --d-sp 1
check_usage "gen: unknown scope" "'diversity_scope'.*\"all\" is not one of" gen distshift --seed 1 --diversity-scope all
check_usage "gen: both with d_sp 1" "'diversity_scope' both needs d_sp >= 2, not 1" gen distshift --seed 1 --diversity-scope both --d-sp 1
finish
