# transfer evaluate against scipy on small hand-made tables: d1 without ties, d2 with ties in
# the scores, in the accuracies and in both (rows m2/m3 of scorer a), a constant scorer c, and
# d3 with 3 models for the bootstrap hand case. Expected per-dataset values were computed
# outside the project with Debian's /usr/bin/python3 (scipy 1.10.1):
#   repr(scipy.stats.kendalltau(x, y)[0]), weightedtau(x, y)[0], pearsonr, spearmanr
# with x the scorer's values, y the accuracies, models m1.. in order. top1 by hand: the model
# the scorer ranks first (the lowest accuracy among tied top scores) against the best.
# The ALL rows are checked by judge_grouped_check.py (numpy, from the spec's definition).
source "$(dirname "$0")/lib.sh"
cat > truth.csv <<'CSV'
dataset,model,accuracy
d1,m1,0.61
d1,m2,0.72
d1,m3,0.55
d1,m4,0.8
d1,m5,0.67
d1,m6,0.7
d2,m1,0.5
d2,m2,0.6
d2,m3,0.6
d2,m4,0.7
d2,m5,0.8
d2,m6,0.8
d2,m7,0.55
d3,m1,0.1
d3,m2,0.2
d3,m3,0.3
CSV
{
  echo dataset,model,scorer,value
  paste -d, <(printf 'd1,m%s\n' 1 2 3 4 5 6) <(printf 'a,%s\n' 1.3 2.1 0.4 1.9 1.0 2.5)
  paste -d, <(printf 'd1,m%s\n' 1 2 3 4 5 6) <(printf 'b,%s\n' -3 -1.5 -2.2 -0.7 -2.9 -1.1)
  paste -d, <(printf 'd2,m%s\n' 1 2 3 4 5 6 7) <(printf 'a,%s\n' 1 2 2 3 3 5 1)
  paste -d, <(printf 'd2,m%s\n' 1 2 3 4 5 6 7) <(printf 'b,%s\n' 0.2 0.2 0.9 0.4 0.4 0.9 0.1)
  paste -d, <(printf 'd2,m%s\n' 1 2 3 4 5 6 7) <(printf 'c,%s\n' 1 1 1 1 1 1 1)
  printf 'd3,m1,a,1\nd3,m2,a,3\nd3,m3,a,2\n'
} > scores.csv
for n in 1 2 3; do
  mpirun -n $n "$SB_BIN" transfer evaluate --scores scores.csv --truth truth.csv --bootstrap 300 --seed 9 \
    --output out$n --quiet >/dev/null && ok "-n $n exits 0" || bad "-n $n failed: $(cat out$n/failures.csv)"
done
same_files out1/leaderboard.csv out2/leaderboard.csv "leaderboard -n 2 equals -n 1"
same_files out1/leaderboard.csv out3/leaderboard.csv "leaderboard -n 3 equals -n 1"
cat > want.csv <<'CSV'
key1,key2,column,value
d1,a,kendall_tau,0.4666666666666666
d1,a,weighted_tau,0.3278911564625851
d1,a,pearson,0.7520891465863258
d1,a,spearman,0.7142857142857143
d1,a,top1_regret,0.10000000000000009
d1,a,top1_relative,0.8749999999999999
d1,a,n_models,6
d1,b,kendall_tau,0.6
d1,b,weighted_tau,0.7292517006802721
d1,b,pearson,0.7256575954601745
d1,b,spearman,0.7714285714285715
d1,b,top1_regret,0
d1,b,top1_relative,1
d2,a,kendall_tau,0.9192547197409878
d2,a,weighted_tau,0.9042209404005251
d2,a,pearson,0.9019347926307195
d2,a,spearman,0.9626588645246761
d2,a,top1_regret,0
d2,a,n_models,7
d2,b,kendall_tau,0.5407380704358751
d2,b,weighted_tau,0.569030934451705
d2,b,pearson,0.5077405947026015
d2,b,spearman,0.6729265849104533
d2,b,top1_regret,0.20000000000000007
d2,b,top1_relative,0.7499999999999999
d2,c,kendall_tau,0
d2,c,weighted_tau,0
d2,c,pearson,
d2,c,spearman,
d2,c,top1_regret,0.30000000000000004
d2,c,top1_relative,0.625
d2,c,reason,"pearson, spearman: scorer values are all equal"
d3,a,kendall_tau,0.3333333333333333
d3,a,tau_ci_low,0.3333333333333333
d3,a,tau_ci_high,0.3333333333333333
ALL,a,n_models,16
ALL,c,n_models,7
CSV
$PY "$(dirname "$0")/judge_expect.py" out1/leaderboard.csv want.csv 1e-12 && ok "ties and no ties equal scipy; top1 and the constant-scorer rule by hand" || bad "values differ"
# 3 models: every resample is redrawn until it holds the 3 models, so each replicate is tau itself
ok_ci=$(awk -F, '$1=="d3"{print $9==$4 && $10==$4}' out1/leaderboard.csv)
[ "$ok_ci" = 1 ] && ok "3-model dataset: CI = [tau, tau] (redraw rule)" || bad "3-model CI: $(grep ^d3 out1/leaderboard.csv)"
$PY "$(dirname "$0")/judge_grouped_check.py" out1/leaderboard.csv scores.csv truth.csv 1e-12 && ok "ALL rows equal the numpy grouped tau" || bad "ALL rows"
finish
