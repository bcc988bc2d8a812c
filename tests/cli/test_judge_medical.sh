# transfer evaluate on the published medical data (medical-transferability/, found by published_data):
# the two CSVs read as they are through the column options; Kendall tau per task and scorer
# equals the paper's Figure 3, i.e. scipy.stats.kendalltau on the same files. The literals
# below were computed outside the project with Debian's /usr/bin/python3 (scipy 1.10.1):
#   x = value of (task, metric) per model, y = test_acc_score of (task, model), models in
#   byte order; repr(scipy.stats.kendalltau(x, y)[0]).
# Also: byte-identical files for 1, 2 and 3 ranks (bootstrap blocks and Gibbs chains as
# units), and the bootstrap CI's properties (deterministic for a seed, bracketing tau).
source "$(dirname "$0")/lib.sh"
published_data medical-transferability
M="$PUBLISHED"
OPTS=(--scores "$M/transf_metrics_values.csv" --truth "$M/task_performances.csv"
      --dataset-col task --scorer-col metric --accuracy-col test_acc_score
      --combine zmean,bayes --chains 3 --bayes-burn 200 --bayes-draws 400 --seed 5 --quiet)
for n in 1 2 3; do
  mpirun -n $n "$SB_BIN" transfer evaluate "${OPTS[@]}" --output out$n >/dev/null && ok "-n $n exits 0" || bad "-n $n failed"
done
for n in 2 3; do
  for f in leaderboard combination combination_weights failures; do
    same_files out1/$f.csv out$n/$f.csv "$f.csv with -n $n equals -n 1"
  done
done
head -1 out1/leaderboard.csv | grep -q '^dataset,scorer,n_models,kendall_tau,weighted_tau,pearson,spearman,top1_regret,tau_ci_low,tau_ci_high,' \
  && ok "leaderboard columns as formats.md" || bad "leaderboard header: $(head -1 out1/leaderboard.csv)"
[ "$(grep -c '^ALL,' out1/leaderboard.csv)" -eq 7 ] && ok "7 dataset=ALL rows" || bad "ALL rows: $(grep -c '^ALL,' out1/leaderboard.csv)"

cat > fig3.csv <<'CSV'
key1,key2,column,value
brain_tumor_kaggle,gbc_score,kendall_tau,0.13483997249264842
brain_tumor_kaggle,hscore_score,kendall_tau,0.26967994498529685
brain_tumor_kaggle,leep_score,kendall_tau,0.08989331499509895
brain_tumor_kaggle,logme_score,kendall_tau,0.5843065474681431
brain_tumor_kaggle,nce_score,kendall_tau,-0.1797866299901979
brain_tumor_kaggle,nleep_score,kendall_tau,0.4944132324730442
brain_tumor_kaggle,reg_hscore_score,kendall_tau,0.40451991747794525
breakhis,gbc_score,kendall_tau,0.022222222222222223
breakhis,hscore_score,kendall_tau,0.6
breakhis,leep_score,kendall_tau,0.19999999999999998
breakhis,logme_score,kendall_tau,0.37777777777777777
breakhis,nce_score,kendall_tau,-0.15555555555555553
breakhis,nleep_score,kendall_tau,-0.24444444444444444
breakhis,reg_hscore_score,kendall_tau,0.19999999999999998
skin_splits,gbc_score,kendall_tau,0.022222222222222223
skin_splits,hscore_score,kendall_tau,-0.24444444444444444
skin_splits,leep_score,kendall_tau,0.3333333333333333
skin_splits,logme_score,kendall_tau,-0.06666666666666667
skin_splits,nce_score,kendall_tau,0.022222222222222223
skin_splits,nleep_score,kendall_tau,-0.1111111111111111
skin_splits,reg_hscore_score,kendall_tau,-0.28888888888888886
CSV
$PY "$(dirname "$0")/judge_expect.py" out1/leaderboard.csv fig3.csv 1e-12 && ok "Figure 3: 21 Kendall tau equal scipy to 1e-12" || bad "Figure 3 values"

# the rows are sorted by dataset, then kendall_tau descending; ALL rows last
$PY - out1/leaderboard.csv <<'PY' && ok "rows sorted by dataset then tau descending" || bad "row order"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
key = [((r["dataset"] == "ALL"), r["dataset"], -float(r["kendall_tau"])) for r in rows]
sys.exit(0 if key == sorted(key) else 1)
PY

# bootstrap: lo <= tau <= hi on every row of this data; the same seed gives the same CI, another seed another
$PY - out1/leaderboard.csv <<'PY' && ok "every CI brackets its tau, 28 rows" || bad "a CI does not bracket tau"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
bad = [r for r in rows if not float(r["tau_ci_low"]) <= float(r["kendall_tau"]) <= float(r["tau_ci_high"])]
print(bad)
sys.exit(0 if len(rows) == 28 and not bad else 1)
PY
"$SB_BIN" transfer evaluate "${OPTS[@]}" --output again >/dev/null
same_files out1/leaderboard.csv again/leaderboard.csv "the same seed gives the same leaderboard"
"$SB_BIN" transfer evaluate --scores "$M/transf_metrics_values.csv" --truth "$M/task_performances.csv" \
  --dataset-col task --scorer-col metric --accuracy-col test_acc_score --seed 6 --quiet --output seed6 >/dev/null
if cut -d, -f1-8 out1/leaderboard.csv | cmp -s - <(cut -d, -f1-8 seed6/leaderboard.csv) &&
   ! cut -d, -f9-10 out1/leaderboard.csv | cmp -s - <(cut -d, -f9-10 seed6/leaderboard.csv); then
  ok "another seed: same tau, other CI"; else bad "seed 6 vs 5"; fi
# a suite run in two shards and merged gives the files of one run (finish needs only the records)
cat > suite.ini <<INI
[suite]
seed = 5
[judge]
scores = $M/transf_metrics_values.csv
truth = $M/task_performances.csv
dataset_col = task
scorer_col = metric
accuracy_col = test_acc_score
combine = zmean,bayes
chains = 3
bayes_burn = 200
bayes_draws = 400
INI
"$SB_BIN" run suite.ini --shard 1/2 --output sh1 --quiet >/dev/null
mpirun -n 2 "$SB_BIN" run suite.ini --shard 2/2 --output sh2 --quiet >/dev/null
"$SB_BIN" merge sh1 sh2 --output merged >/dev/null
for f in leaderboard combination combination_weights; do same_files out1/$f.csv merged/$f.csv "$f.csv of merged shards equals a plain run"; done
$PY "$(dirname "$0")/judge_combination_check.py" out1/combination.csv out1/combination_weights.csv \
  "$M/transf_metrics_values.csv" "$M/task_performances.csv" task model metric value test_acc_score \
  && ok "zmean rows equal numpy/scipy; bayes rows are Z @ w_mean of their fit, R-hat < 1.1" || bad "combination check"
finish
