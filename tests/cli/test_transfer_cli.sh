# transfer score end to end: the demo zoo gives the same scores (all but the measured seconds)
# for 1, 2 and 3 ranks; truth.csv carries the manifest's accuracies; bad pair files fail alone
# with a one-line reason; a bad manifest or scorer name stops before anything runs.
source "$(dirname "$0")/lib.sh"
"$SB_BIN" gen transfer --output zoo --seed 21 >/dev/null
for n in 1 2 3; do
  mpirun -n $n "$SB_BIN" transfer score --manifest zoo/manifest.csv --output out$n --quiet >/dev/null
  cut -d, -f1-4,6 out$n/scores.csv > scores$n.csv
done
same_files scores1.csv scores2.csv "scores with -n 2 equal -n 1 (seconds aside)"
same_files scores1.csv scores3.csv "scores with -n 3 equal -n 1 (seconds aside)"
# Every pair has a row for every scorer: the 15 of scorer_table.c and imagenet_acc.
[ "$(cut -d, -f1,2 out1/scores.csv | sort -u | wc -l)" -eq 16 ] && ok "15 pairs scored" || bad "pairs: $(cut -d, -f1,2 out1/scores.csv | sort -u)"
nsc=$(cut -d, -f3 out1/scores.csv | sed 1d | sort -u | wc -l)
[ "$nsc" -eq 16 ] && [ "$(($(wc -l < out1/scores.csv) - 1))" -eq $((15 * nsc)) ] && ok "each pair has all $nsc scorers" || bad "uneven scores.csv ($nsc scorers)"
for s in logme leep nce hscore hscore_reg gbc transrate parc knn sfda nleep ncti etran pactran tmi imagenet_acc; do
  grep -q "^dataset00,model000,$s,-\?[0-9]" out1/scores.csv && ok "scorer $s has a value" || bad "scorer $s missing"
done
[ "$(wc -l < out1/truth.csv)" -eq 16 ] && ok "truth.csv has the 15 accuracies" || bad "truth.csv: $(cat out1/truth.csv)"
grep -q "^dataset00,model000,imagenet_acc," out1/scores.csv && ok "imagenet_acc comes from the manifest" || bad "no imagenet_acc"

# One bad pair of each kind; the others still complete (exit 1, failures.csv names them).
cp -r zoo bad
$PY - <<'PY'
import h5py, numpy as np
def edit(name, fn):
    f = h5py.File("bad/pairs/" + name, "r+"); fn(f); f.close()
def labels_gap(f):
    y = f["labels"][...]; y[y == 1] = 2; del f["labels"]; f["labels"] = y
def labels_short(f):
    y = f["labels"][...]; del f["labels"]; f["labels"] = y[:-3]
def probs_sum(f):
    p = f["source_probs"][...]; p[7] *= 1.01; del f["source_probs"]; f["source_probs"] = p
def nan_feat(f):
    x = f["features"][...]; x[4, 2] = np.nan; del f["features"]; f["features"] = x
def no_labels(f):
    del f["labels"]
edit("dataset00__model000.h5", labels_gap)
edit("dataset00__model001.h5", labels_short)
edit("dataset00__model002.h5", probs_sum)
edit("dataset01__model000.h5", nan_feat)
edit("dataset01__model001.h5", no_labels)
PY
rm bad/pairs/dataset02__model004.h5
out=$(mpirun -n 2 "$SB_BIN" transfer score --manifest bad/manifest.csv --output badout --quiet 2>&1) && rc=0 || rc=$?
[ "$rc" -eq 1 ] && ok "bad pairs: exit 1" || bad "bad pairs: rc=$rc"
expect_failure() { grep -q -- "$2" badout/failures.csv && ok "$1" || bad "$1: $(cat badout/failures.csv)"; }
expect_failure "labels not contiguous" "dataset00__model000.h5: /labels are not 0..C-1 contiguous: class 1 of 0..2 has no sample"
expect_failure "N mismatch" "dataset00__model001.h5: /labels has 297 entries but /features has 300 rows"
expect_failure "probabilities not summing to 1" "dataset00__model002.h5: /source_probs row 7 sums to 1.01"
expect_failure "NaN in features" "dataset01__model000.h5: /features\\[4, 2\\] holds NaN"
expect_failure "missing dataset" "dataset01__model001.h5: dataset /labels is missing"
expect_failure "missing pair file" "dataset02__model004.h5: cannot open"
[ "$(($(wc -l < badout/failures.csv) - 1))" -eq 6 ] && ok "exactly the 6 bad pairs failed" || bad "failures: $(cat badout/failures.csv)"
[ "$(cut -d, -f1,2 badout/scores.csv | sort -u | wc -l)" -eq 10 ] && ok "the 9 good pairs are scored" || bad "scored pairs: $(cut -d, -f1,2 badout/scores.csv | sort -u)"

printf 'dataset,model,path\nd,m,x.h5\nd,m,y.h5\n' > dup.csv
out=$("$SB_BIN" transfer score --manifest dup.csv --output o2 2>&1) && rc=0 || rc=$?
[ "$rc" -eq 2 ] && grep -q "dup.csv lines 2 and 3: the pair (d, m) appears twice" <<<"$out" && ok "duplicate manifest row" || bad "dup: $rc $out"
out=$("$SB_BIN" transfer score --manifest zoo/manifest.csv --scorers logme,lemme --output o3 2>&1) && rc=0 || rc=$?
[ "$rc" -eq 2 ] && grep -q "unknown scorer 'lemme'" <<<"$out" && ok "unknown scorer" || bad "unknown scorer: $rc $out"
finish
