# transfer evaluate on the published table of "Back to the Basics on Predicting Transfer
# Performance" (tmlr-transferability-benchmark/transf_scores.csv), used as both scores and truth
# (each (dataset, model) accuracy repeats once per scorer, with the same value: fine).
# The dataset=ALL rows equal that benchmark's grouped_weighted_kendall_tau: the literals are the
# ones of tests/unit/test_grouped_tau.c, computed by tests/reference/grouped_tau_ref.py with the
# benchmark's own analysis/utils.py (see that file's comment). The zmean combination is checked
# by judge_combination_check.py (numpy/scipy at test time).
source "$(dirname "$0")/lib.sh"
published_data tmlr-transferability-benchmark
T="$PUBLISHED/transf_scores.csv"
OPTS=(--scores "$T" --truth "$T" --scorer-col transf_metric --value-col transf_score --accuracy-col test_score
      --bootstrap 100 --combine zmean --quiet)
for n in 1 2; do
  mpirun -n $n "$SB_BIN" transfer evaluate "${OPTS[@]}" --output out$n >/dev/null && ok "-n $n exits 0" || bad "-n $n: $(cat out$n/failures.csv)"
done
same_files out1/leaderboard.csv out2/leaderboard.csv "leaderboard -n 2 equals -n 1"
same_files out1/combination.csv out2/combination.csv "combination -n 2 equals -n 1"
[ "$(wc -l < out1/failures.csv)" -eq 1 ] && ok "equal repeated accuracies are no problem" || bad "failures: $(cat out1/failures.csv)"
[ "$(grep -c ',110,' out1/leaderboard.csv)" -eq 14 ] && ok "14 ALL rows over 110 (dataset, model) rows" || bad "ALL rows"
[ "$(grep -vc '^ALL,\|^dataset,' out1/leaderboard.csv)" -eq 154 ] && ok "154 per-dataset rows (11 x 14)" || bad "row count"
cat > want.csv <<'CSV'
key1,key2,column,value
ALL,imagenet,weighted_tau,0.6455272136074196
ALL,imagenet,kendall_tau,0.6202020202020202
ALL,logme_score,weighted_tau,0.35261023731420826
ALL,logme_score,kendall_tau,0.35353535353535354
ALL,gbc_score,weighted_tau,0.45746723432673847
ALL,gbc_score,kendall_tau,0.44242424242424244
CSV
$PY "$(dirname "$0")/judge_expect.py" out1/leaderboard.csv want.csv 1e-12 && ok "ALL rows equal the benchmark's grouped tau (imagenet, logme, gbc)" || bad "ALL rows"
$PY "$(dirname "$0")/judge_combination_check.py" out1/combination.csv - "$T" "$T" dataset model transf_metric transf_score test_score \
  && ok "zmean combination equals numpy/scipy" || bad "zmean combination"
finish
