# explain verify: every row of the spec's worked example and of random files (softmax and sigmoid
# heads, stored prob and logit, signed hypotheses, invalid and missing edits, M = 0, 1, 2) in the
# prob, logit and decision spaces equals explain_check.py's numpy computation from the definitions
# (1e-9 relative; counts, accepted, empties, reasons exactly); 1 and 2 ranks give the same bytes;
# each bad file exits 2 before any unit with one line naming the file, dataset and first bad index;
# gen explain writes a set whose logit CaCE intervals hold the planted β.
source "$(dirname "$0")/lib.sh"
CHECK="$SB_SOURCE_DIR/tests/cli/explain_check.py"
$PY "$CHECK" make in
run() { "$SB_BIN" explain verify --quiet "$@"; }
for sp in prob logit decision; do
  run --input in/worked.h5 --output w_$sp --f-space $sp && ok "worked example runs ($sp)" || bad "worked example ($sp)"
  $PY "$CHECK" check in/worked.h5 w_$sp/explain.csv $sp && ok "worked example = numpy ($sp)" || bad "worked example differs ($sp)"
done
grep -q '^synthetic,net,c0,k0,1,prob,4,2,2,0.37499999999999994,0.27537852736430' w_prob/explain.csv && ok "worked example: cace 0.375" || bad "worked row: $(tail -1 w_prob/explain.csv)"
for f in r_softmax_prob r_softmax_logit r_sigmoid_prob r_sigmoid_logit r_binary; do
  for sp in prob logit decision; do
    [ $sp = logit ] && [ $f = r_softmax_prob ] && continue
    run --input in/$f.h5 --output o_${f}_$sp --f-space $sp >/dev/null && \
      $PY "$CHECK" check in/$f.h5 o_${f}_$sp/explain.csv $sp && ok "$f $sp = numpy" || bad "$f $sp"
  done
done
run --input in/r_softmax_logit.h5 --output o_all --targets all && \
  $PY "$CHECK" check in/r_softmax_logit.h5 o_all/explain.csv prob all && ok "--targets all = numpy" || bad "--targets all"
[ "$(wc -l < o_r_binary_prob/explain.csv)" -eq 2 ] && ok "softmax K = 2: one target (k = 1)" || bad "binary rows"
# ranks and bootstrap determinism
for n in 1 2; do
  mpirun -n $n "$SB_BIN" explain verify --quiet --input in/r_sigmoid_logit.h5 --output rk$n --bootstrap 300 --seed 4 \
    --targets all || bad "mpirun -n $n"
done
same_files rk1/explain.csv rk2/explain.csv "explain.csv -n 1 = -n 2 (bootstrap on)"
grep -q ',,,' rk1/explain.csv; cut -d, -f14,15 rk1/explain.csv | sed -n 2p | grep -q '^[-0-9.e]*,[-0-9.e]*$' && ok "bootstrap columns filled" || bad "bootstrap columns: $(sed -n 2p rk1/explain.csv)"
run --input in/r_sigmoid_logit.h5 --output rk3 --bootstrap 300 --seed 5 --targets all
cmp -s rk1/explain.csv rk3/explain.csv && bad "another seed gave the same bootstrap" || ok "another seed, other bootstrap"
# usage errors: exit 2
expect2() { # expect2 WHAT PATTERN ARGS...
  local what=$1 pat=$2; shift 2
  set +e; run "$@" --output "u_$what" 2>err_$what; local rc=$?; set -e
  if [ $rc -eq 2 ] && grep -q -- "$pat" err_$what && [ ! -e "u_$what/explain.csv" ] && [ "$(wc -l < err_$what)" -le 2 ]; then
    ok "$what: exit 2 ($(head -1 err_$what | cut -c1-140))"
  else bad "$what: rc $rc, $(cat err_$what)"; fi
}
expect2 accept_ci 'bootstrap > 0' --input in/worked.h5 --accept-ci bootstrap
expect2 f_space "f_space is 'odds'" --input in/worked.h5 --f-space odds
expect2 logit_softmax_prob 'export the logits' --input in/r_softmax_prob.h5 --f-space logit
expect2 bad_dir 'bad_dir.h5: /explain/edit_dir\[1, 1\] is 2' --input in/bad_dir.h5
expect2 bad_valid 'bad_valid.h5: /explain/edit_valid\[2, 1\] is 7' --input in/bad_valid.h5
expect2 bad_nan_orig 'bad_nan_orig.h5: /explain/out_orig\[2, 1\] holds NaN' --input in/bad_nan_orig.h5
expect2 bad_nan_edit 'bad_nan_edit.h5: /explain/out_edit\[3, 0, 1\] holds NaN' --input in/bad_nan_edit.h5
expect2 bad_range 'bad_range.h5: /explain/out_orig\[1, 0\] = 1.5 is not a probability' --input in/bad_range.h5
expect2 bad_hyp_range 'bad_hyp_range.h5: /explain/hypotheses\[1\] = (2, 1) is out of range' --input in/bad_hyp_range.h5
expect2 bad_hyp_repeat 'hypotheses\[2\] repeats hypotheses\[0\]' --input in/bad_hyp_repeat.h5
expect2 bad_sign 'hypothesis_sign\[1\] is 0' --input in/bad_sign.h5
expect2 bad_shape 'out_edit must be (4 x 2 x 2)' --input in/bad_shape.h5
expect2 bad_softsum 'bad_softsum.h5: /explain/out_orig\[3, :\] sums to 1.2' --input in/bad_softsum.h5
expect2 edge_logit 'edge.h5: /explain/out_edit\[1, 0, 1\] = 1 has no logit' --input in/edge.h5 --f-space logit
run --input in/edge.h5 --output o_edge && ok "NaN in an unused edit, probability 1 in prob space: accepted" || bad "edge.h5 refused"
# a suite section
cat > s.ini <<INI
[explain]
input = in/worked.h5
f_space = logit
INI
"$SB_BIN" run s.ini --output suite --quiet && same_files suite/explain.csv w_logit/explain.csv "suite [explain] = CLI" || bad "suite run"
# gen explain: the planted truth is written, and explain verify's logit CaCE holds β in its interval
"$SB_BIN" gen explain --output gen --seed 3 --images 3000 --concepts 3 --outputs 2 >/dev/null && ok "gen explain" || bad "gen explain"
run --input gen/explain.h5 --output o_gen --f-space logit && $PY - <<PYEOF && ok "gen: t intervals hold beta (>= 5 of 6)" || bad "gen: intervals vs truth"
import csv
truth = {(r['concept'], r['target_class']): float(r['cace_logit']) for r in csv.DictReader(open('gen/explain_truth.csv'))}
rows = list(csv.DictReader(open('o_gen/explain.csv')))
assert len(rows) == 6, len(rows)
hold = sum(float(r['cace_ci_lo']) <= truth[(r['concept'], r['target_class'])] <= float(r['cace_ci_hi']) for r in rows)
print('intervals holding beta:', hold)
assert hold >= 5
PYEOF
finish
