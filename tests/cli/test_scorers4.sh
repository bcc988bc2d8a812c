# NCTI, ETran, PACTran and TMI through `transfer score` (specs/scorers4.md): the worked problem's
# components against the spec's table (1e-6 relative; nit, nfev and the NCTI branch exactly),
# the per-dataset combination at finish, identical bytes on 1 and 2 ranks, results.h5's
# /components, option errors (exit 2 naming the key) and bad pairs failing alone (exit 1).
source "$(dirname "$0")/lib.sh"
if ! $PY -c "import numpy, h5py" 2>/dev/null; then
    echo "SKIPPED: needs Debian's python3-numpy and python3-h5py (scripts/setup.sh installs them)"
    exit 77
fi
CHECK="$SB_SOURCE_DIR/tests/cli/scorers4_worked.py"
mkdir zoo
$PY "$CHECK" gen zoo
printf 'dataset,model,path\nd1,worked,worked.h5\nd1,worked_x025,worked_x025.h5\n' >zoo/manifest.csv
S4=ncti,etran,pactran,tmi

"$SB_BIN" transfer score --manifest zoo/manifest.csv --scorers $S4 --output one --quiet >/dev/null
$PY "$CHECK" check one/components.csv worked 100 && ok "worked problem: every component as the spec" || bad "worked problem differs from the spec"
$PY "$CHECK" check one/components.csv worked_x025 100 && ok "features x0.25: NCTI's eigen branch as the spec" || bad "eigen branch differs from the spec"
"$SB_BIN" transfer score --manifest zoo/manifest.csv --scorers pactran --pactran-maxiter 10 --output it10 --quiet >/dev/null
$PY "$CHECK" check it10/components.csv worked 10 && ok "pactran maxiter 10 as the spec" || bad "pactran maxiter 10 differs"

# Two models, every component larger for the x0.25 one: NCTI combines to 0 and 1 (b + a − c).
grep -q '^d1,worked,ncti,0,' one/scores.csv && grep -q '^d1,worked_x025,ncti,1,' one/scores.csv &&
    ok "ncti combined over the dataset's two models" || bad "ncti combination: $(grep ncti one/scores.csv)"
grep -q '^d1,worked,pactran,-3.6551' one/scores.csv && ok "pactran's value is -pac_gauss" || bad "pactran value: $(grep pactran one/scores.csv)"

mpirun -n 2 "$SB_BIN" transfer score --manifest zoo/manifest.csv --scorers $S4 --output two --quiet >/dev/null
cut -d, -f1-4 one/components.csv >c1 && cut -d, -f1-4 two/components.csv >c2 && cmp -s c1 c2 &&
    cut -d, -f1-4 one/scores.csv >s1 && cut -d, -f1-4 two/scores.csv >s2 && cmp -s s1 s2 &&
    ok "1 and 2 ranks: identical components and scores" || bad "rank count changed the numbers"
$PY -c "import h5py,sys; h=h5py.File('one/results.h5'); sys.exit(0 if 'components' in h else 1)" &&
    ok "results.h5 has /components" || bad "results.h5 lacks /components"

# Options: each bad value exits 2 naming its key, before any unit runs.
for bad_opt in "--etran-weights 1" "--etran-weights 0,0" "--etran-weights -1,2" "--pactran-maxiter 0" \
    "--pactran-lambda 0" "--pactran-s2 -1"; do
    key=$(echo "$bad_opt" | cut -d' ' -f1 | sed 's/^--//; s/-/_/g')
    set +e
    msg=$("$SB_BIN" transfer score --manifest zoo/manifest.csv --scorers $S4 $bad_opt --output o_bad --quiet 2>&1)
    rc=$?
    set -e
    [ $rc -eq 2 ] && echo "$msg" | grep -q "$key" && [ ! -e o_bad/journal ] &&
        ok "$bad_opt: exit 2 naming $key" || bad "$bad_opt: rc $rc, $msg"
    rm -rf o_bad
done
"$SB_BIN" transfer score --manifest zoo/manifest.csv --scorers etran --etran-weights 0.15,0.85 --output w --quiet >/dev/null &&
    ok "--etran-weights 0.15,0.85 accepted" || bad "official ETran weights refused"

# Bad pairs fail alone: a class missing, NaN features; the good pair completes.
$PY - <<'PY'
import h5py, numpy as np
with h5py.File("zoo/worked.h5") as h:
    F, y = h["features"][:300], h["labels"][:300]
y2 = np.where(y == 3, 4, y)
with h5py.File("zoo/missing_class.h5", "w") as h:
    h["features"] = F; h["labels"] = y2
F3 = F.copy(); F3[17, 5] = np.nan
with h5py.File("zoo/nan.h5", "w") as h:
    h["features"] = F3; h["labels"] = y
PY
printf 'dataset,model,path\nd1,ok,worked.h5\nd1,gap,missing_class.h5\nd1,nan,nan.h5\n' >zoo/bad.csv
set +e
"$SB_BIN" transfer score --manifest zoo/bad.csv --scorers $S4 --output badrun --quiet >badrun.log 2>&1
rc=$?
set -e
[ $rc -eq 1 ] && ok "bad pairs: exit 1" || bad "bad pairs: exit $rc"
grep -q 'missing_class.h5' badrun/failures.csv && grep -q 'nan.h5' badrun/failures.csv &&
    ok "failures.csv names both bad pair files" || bad "failures.csv: $(cat badrun/failures.csv)"
grep -q '^d1,ok,tmi,5' badrun/scores.csv && ok "the good pair completed" || bad "good pair missing: $(cat badrun/scores.csv)"
grep -q '^d1,ok,ncti,,.*1 of 3 models of dataset d1' badrun/scores.csv &&
    ok "ncti empty with a reason when one model is left" || bad "ncti with one model: $(grep ncti badrun/scores.csv)"
finish
