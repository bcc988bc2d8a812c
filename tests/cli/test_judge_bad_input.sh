# transfer evaluate on bad input (issue item 6): every problem is one line naming file, line(s),
# dataset and model; the cell at fault is left out, its dataset's check/<dataset> unit fails with
# the message (exit 1, failures.csv) and everything else is evaluated. Input that cannot be used
# at all (missing file or column, empty name field, bad option) exits 2 before any unit runs.
# Expected tau values of the remaining models: scipy.stats.kendalltau / pearsonr (scipy 1.10.1,
# Debian's /usr/bin/python3) on the rows that are left, computed outside the project.
source "$(dirname "$0")/lib.sh"
cat > truth.csv <<'CSV'
dataset,model,accuracy
d1,m1,0.61
d1,m2,0.72
d1,m3,0.55
d1,m4,0.8
d1,m5,0.67
d2,m1,0.5
d2,m2,0.6
d2,m3,0.65
d2,m3,0.66
d2,m4,n/a
d2,m5,0.8
d2,m5,0.8
d2,m6,0.9
d2,m8,0.7
d3,m1,0.3
d3,m2,0.4
CSV
cat > scores.csv <<'CSV'
dataset,model,scorer,value
d1,m1,a,1.3
d1,m2,a,2.1
d1,m2,a,2.2
d1,m3,a,0.4
d1,m4,a,1.9
d1,m5,a,1.0
d1,m7,a,3.0
d1,m1,b,-3
d1,m2,b,-1.5
d1,m3,b,abc
d1,m4,b,-0.7
d1,m5,b,-2.9
d2,m1,a,1
d2,m2,a,2
d2,m3,a,2
d2,m4,a,3
d2,m5,a,3
d2,m6,a,5
d2,m1,b,0.2
d2,m5,b,0.4
d2,m6,b,0.9
d3,m1,a,1
d3,m2,a,2
CSV
out=$(mpirun -n 2 "$SB_BIN" transfer evaluate --scores scores.csv --truth truth.csv --output o1 --bootstrap 50 --combine zmean 2>&1) && rc=0 || rc=$?
[ "$rc" -eq 1 ] && ok "exit 1: some units failed" || bad "rc=$rc: $out"
F=o1/failures.csv
has() { # has what pattern
  if grep -q -- "$2" "$F"; then ok "$1"; else bad "$1: no '$2' in $(cat $F)"; fi
}
has "model in scores, not in truth" "scores.csv line 8: model m7 of dataset d1 has scores but no accuracy in .*truth.csv; left out"
has "model in truth, not in scores" "truth.csv: model m8 of dataset d2 has an accuracy but no scores in .*scores.csv; left out"
has "duplicate score rows that disagree" "scores.csv lines 3 and 4 disagree on the a value (dataset d1) of model m2 (2.1 vs 2.2)"
has "duplicate accuracies that disagree" "truth.csv lines 9 and 10 disagree on the accuracy (dataset d2) of model m3 (0.65 vs 0.66)"
has "non-numeric score" "scores.csv line 11: value 'abc' is not a finite number; the b value (dataset d1) of model m3 left out"
has "non-numeric accuracy" "truth.csv line 11: accuracy 'n/a' is not a finite number"
has "a model lacking one scorer" "dataset d2, model m2 has no b value"
has "fewer than 3 models" "judge/check/d3,validate,.*dataset d3 not evaluated: 2 model(s) have both scores and an accuracy, 3 are needed"
has "combination names the missing input" "judge/combine/d2,.*model m2 has no b value; the dataset is left out of the combination"
grep -q "m5" "$F" && bad "equal repeated accuracies (d2, m5) must not be reported" || ok "equal repeats are fine"
[ "$(wc -l < $F)" -eq 6 ] && ok "5 failed units: check/d1, check/d2, check/d3, combine/d1, combine/d2" || bad "failures: $(cat $F)"
cat > want.csv <<'CSV'
key1,key2,column,value
d1,a,n_models,4
d1,a,kendall_tau,0.6666666666666669
d1,b,n_models,4
d1,b,kendall_tau,1
d2,a,n_models,4
d2,a,kendall_tau,1
d2,b,n_models,3
d2,b,pearson,0.8660254037844386
ALL,a,n_models,8
CSV
$PY "$(dirname "$0")/judge_expect.py" o1/leaderboard.csv want.csv 1e-12 && ok "the rest is evaluated, equal to scipy" || bad "leaderboard of the rest"
grep -q '^d3,' o1/leaderboard.csv && bad "d3 must have no rows" || ok "d3 has no rows"
[ "$(wc -l < o1/combination.csv)" -eq 1 ] && ok "no dataset is complete: the combination table is empty" || bad "combination: $(cat o1/combination.csv)"

one_line_error() { # what pattern dir cmd...
  local what=$1 pat=$2 dir=$3; shift 3
  local out rc
  out=$("$@" 2>&1) && rc=0 || rc=$?
  if [ "$rc" -eq 2 ] && grep -q -- "$pat" <<<"$out" && [ "$(wc -l <<<"$out")" -eq 1 ]; then ok "$what"; else bad "$what: rc=$rc: $out"; fi
  if ls "$dir"/*.csv >/dev/null 2>&1; then bad "$what: results files left behind"; else ok "$what: no results files"; fi
}
one_line_error "missing file" "nope.csv" e1 "$SB_BIN" transfer evaluate --scores nope.csv --truth truth.csv --output e1
one_line_error "missing column" "no column 'task'" e2 "$SB_BIN" transfer evaluate --scores scores.csv --truth truth.csv --dataset-col task --output e2
printf 'dataset,model,scorer,value\nd1,,a,1\n' > empty_model.csv
one_line_error "empty model field" "empty_model.csv line 2: the model field (column model) is empty" e3 "$SB_BIN" transfer evaluate --scores empty_model.csv --truth truth.csv --output e3
printf 'dataset,model,scorer,value\nALL,m1,a,1\n' > all.csv
one_line_error "a dataset named ALL" "a dataset is named ALL" e4 "$SB_BIN" transfer evaluate --scores all.csv --truth truth.csv --output e4
one_line_error "unknown combination" "combine takes none, zmean, bayes" e5 "$SB_BIN" transfer evaluate --scores scores.csv --truth truth.csv --combine mean --output e5
one_line_error "unknown combined scorer" "combine_scorers: .*scores.csv has no scorer 'zz'" e6 "$SB_BIN" transfer evaluate --scores scores.csv --truth truth.csv --combine zmean --combine-scorers a,zz --output e6
finish
