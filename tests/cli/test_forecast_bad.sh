# Bad forecasting input: a one-line error naming file, dataset and row; whole-file problems stop
# before any unit runs (exit 2), a bad row fails its log alone (exit 1, failures.csv) while the
# other logs complete; predictions of frames without ground truth are dropped as the reference
# does and counted in forecasting_logs.csv.
source "$(dirname "$0")/lib.sh"
"$SB_BIN" gen forecast --output data --seed 4 >/dev/null
"$SB_BIN" gen forecast --output data --seed 4 --modes 1 --file k1.h5 >/dev/null
expect() { # expect STATUS PATTERN WHAT -- command...
  local want=$1 pat=$2 what=$3; shift 4
  set +e; "$@" >out.txt 2>err.txt; local got=$?; set -e
  if [ "$got" -eq "$want" ] && grep -q -- "$pat" err.txt out.txt "${OUTDIR:-/dev/null}/failures.csv" 2>/dev/null; then
    ok "$what (exit $got)"
  else
    bad "$what: exit $got (want $want), no '$pat' in: $(cat err.txt out.txt | head -3)"
  fi
}
# a variant of data/forecast.h5: variant NAME 'python statements on f (h5py.File)'
variant() {
  cp data/forecast.h5 "$1.h5"
  $PY - "$1.h5" "$2" <<'PYEOF'
import sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "r+")
exec(sys.argv[2])
f.close()
PYEOF
}
# rows of a log in a group
rows_of='lambda g, name: np.flatnonzero(f[g + "/log"][()] == [x.decode() for x in f["logs"][()]].index(name))'

expect 2 "fewer than top_k = 5" "mode count below top_k" -- "$SB_BIN" forecast eval --input data/k1.h5 --output o1 --quiet
expect 0 "0 failed" "one mode is fine with --top-k 1" -- "$SB_BIN" forecast eval --input data/k1.h5 --top-k 1 --output o1b --quiet
expect 2 "top_k must be 1 or 5" "top_k 3" -- "$SB_BIN" forecast eval --input data/forecast.h5 --top-k 3 --output o2 --quiet

variant short 'd = f["pred/detection_score"][()]; del f["pred/detection_score"]; f["pred/detection_score"] = d[:-1]'
expect 2 "/pred/detection_score has shape" "mismatched array lengths" -- "$SB_BIN" forecast eval --input short.h5 --output o3 --quiet

variant floatts 'd = f["pred/timestamp_ns"][()]; del f["pred/timestamp_ns"]; f["pred/timestamp_ns"] = d.astype(np.float64)'
expect 2 "/pred/timestamp_ns has type float, expected integers" "float timestamps refused before any unit" -- "$SB_BIN" forecast eval --input floatts.h5 --output o3t --quiet

variant badcatname 'c = [x.decode() for x in f["categories"][()]]; c[5] = "SPACESHIP"; del f["categories"]; f["categories"] = np.array(c, dtype=object).astype(h5py.string_dtype())'
expect 2 "/categories\[5\] is 'SPACESHIP'" "unknown category name" -- "$SB_BIN" forecast eval --input badcatname.h5 --output o4 --quiet

variant badlog 'a = f["gt/log"][()]; a[7] = 99; f["gt/log"][...] = a'
expect 2 "/gt/log\[7\] is 99" "log index out of range" -- "$SB_BIN" forecast eval --input badlog.h5 --output o5 --quiet

variant badcat "r = ($rows_of)('gt', 'log_0001')[3]; a = f['gt/category'][()]; a[r] = 40; f['gt/category'][...] = a; open('badcat.row', 'w').write(str(r))"
OUTDIR=o6 expect 1 "/gt/category row $(cat badcat.row 2>/dev/null || echo X) (log log_0001) is 40" "unknown category index fails its log" -- \
  "$SB_BIN" forecast eval --input badcat.h5 --output o6 --quiet
[ "$(wc -l < o6/forecasting_logs.csv)" -eq 4 ] && ! grep -q log_0001 o6/forecasting_logs.csv \
  && ok "the other 3 logs complete" || bad "forecasting_logs.csv: $(cat o6/forecasting_logs.csv)"

# in a group of logs (--group-cost), the bad log takes its group with it; the message names it
OUTDIR=o6g expect 1 "/gt/category row $(cat badcat.row 2>/dev/null || echo X) (log log_0001) is 40" "an unknown category index fails its group" -- \
  "$SB_BIN" forecast eval --input badcat.h5 --group-cost 1e9 --output o6g --quiet
grep -q "^forecast/log_0000\.\.log_0003,validate," o6g/failures.csv && [ "$(wc -l < o6g/forecasting_logs.csv)" -eq 1 ] \
  && ok "failures.csv names the group log_0000..log_0003; no log of it is in the tables" \
  || bad "grouped failure: $(cat o6g/failures.csv o6g/forecasting_logs.csv)"
expect 2 "group_cost must be 0 or a positive number" "a negative --group-cost" -- \
  "$SB_BIN" forecast eval --input data/forecast.h5 --group-cost -1 --output o6n --quiet

variant nanpred "r = ($rows_of)('pred', 'log_0002')[5]; a = f['pred/current_xy'][()]; a[r, 1] = np.nan; f['pred/current_xy'][...] = a; open('nanpred.row', 'w').write(str(r))"
OUTDIR=o7 expect 1 "/pred/current_xy row $(cat nanpred.row) (log log_0002) holds NaN" "NaN in a predicted current position" -- \
  mpirun -n 2 "$SB_BIN" forecast eval --input nanpred.h5 --output o7 --quiet

variant nangt "r = ($rows_of)('gt', 'log_0000')[0]; a = f['gt/current_xy'][()]; a[r, 0] = np.nan; f['gt/current_xy'][...] = a"
OUTDIR=o8 expect 1 "/gt/current_xy row 0 (log log_0000) holds NaN" "NaN in a ground-truth current position" -- \
  "$SB_BIN" forecast eval --input nangt.h5 --output o8 --quiet

variant halfnan "a = f['gt/future_xy'][()]; a[2, 1, 0] = np.nan; f['gt/future_xy'][...] = a"
OUTDIR=o9 expect 1 "/gt/future_xy row 2 (log log_0000) step 2 is partly NaN" "future with NaN in x only" -- \
  "$SB_BIN" forecast eval --input halfnan.h5 --output o9 --quiet

# /logs naming a log twice (issue 12: a use-after-free): refused naming the first repeat, also in
# a --pred file; two repeats, so the message must pick the earliest (index 2 repeats index 1)
variant duplog 'c = [x.decode() for x in f["logs"][()]]; c[3] = c[0]; c[2] = c[1]; del f["logs"]; f["logs"] = np.array(c, dtype=object).astype(h5py.string_dtype())'
expect 2 "duplog.h5: /logs\[2\] is 'log_0001', the name of /logs\[1\] already" "a log name twice in /logs" -- \
  "$SB_BIN" forecast eval --input duplog.h5 --output o12 --quiet
expect 2 "duplog.h5: /logs\[2\] is 'log_0001', the name of /logs\[1\] already" "a log name twice in the --pred file's /logs" -- \
  "$SB_BIN" forecast eval --input data/forecast.h5 --pred duplog.h5 --output o13 --quiet
# inputs that are not regular files are refused before any read (a FIFO would block forever)
mkfifo fifo.h5
expect 2 "fifo.h5: not a regular file (a FIFO)" "a FIFO as --input" -- \
  timeout 60 "$SB_BIN" forecast eval --input fifo.h5 --output o14 --quiet
expect 2 "data: not a regular file (a directory)" "a directory as --pred" -- \
  timeout 60 "$SB_BIN" forecast eval --input data/forecast.h5 --pred data --output o15 --quiet

# two predictions moved to a timestamp the ground truth lacks: dropped and counted, as the reference
variant orphan "r = ($rows_of)('pred', 'log_0003')[:2]; a = f['pred/timestamp_ns'][()]; a[r] = 7; f['pred/timestamp_ns'][...] = a"
expect 0 "0 failed" "predictions at unknown timestamps are not an error" -- "$SB_BIN" forecast eval --input orphan.h5 --output o10 --quiet
grep -q "^log_0003,[0-9]*,[0-9]*,[0-9]*,2$" o10/forecasting_logs.csv && ok "they are counted in pred_dropped" \
  || bad "pred_dropped: $(cat o10/forecasting_logs.csv)"

# --pred file with a log the ground truth lacks: its predictions are dropped and counted too
$PY - data/forecast.h5 ghost.h5 <<'PYEOF'
import sys
import h5py, numpy as np
with h5py.File(sys.argv[1], "r") as src, h5py.File(sys.argv[2], "w") as f:
    logs = [x.decode() for x in src["logs"][()]] + ["ghost"]
    f["logs"] = np.array(logs, dtype=object).astype(h5py.string_dtype())
    src.copy("categories", f)
    src.copy("pred", f)
    a = f["pred/log"][()]; a[:3] = len(logs) - 1; f["pred/log"][...] = a
PYEOF
expect 0 "0 failed" "a prediction log absent from the ground truth" -- "$SB_BIN" forecast eval --input data/forecast.h5 --pred ghost.h5 --output o11 --quiet
grep -q "^ghost,0,0,3,3$" o11/forecasting_logs.csv && ok "its 3 predictions are counted as dropped" \
  || bad "ghost log: $(grep ghost o11/forecasting_logs.csv)"

# forecast convert: a track twice in one frame, an unknown category name
printf 'log,timestamp_ns,track_id,category,x,y,ego_x,ego_y\nL,100,t1,BUS,1,2,0,0\nL,200,t1,BUS,1,2,0,0\nL,100,t1,BUS,3,4,0,0\n' > dup.csv
expect 2 "log L timestamp 100: track t1 appears twice" "track twice in a frame" -- "$SB_BIN" forecast convert --input dup.csv --output dup.h5
printf 'log,timestamp_ns,track_id,category,x,y,ego_x,ego_y\nL,100,t1,BUS,1,2,0,0\nL,200,t1,CAR,1,2,0,0\n' > cat.csv
expect 2 "line 3, column category: 'CAR'" "unknown category name in tracks" -- "$SB_BIN" forecast convert --input cat.csv --output cat.h5
printf 'log,timestamp_ns,track_id,category,x,y,ego_x,ego_y\nL,100,t1,BUS,1,nan,0,0\n' > nan.csv
expect 2 "line 2" "NaN coordinate in tracks" -- "$SB_BIN" forecast convert --input nan.csv --output nan.h5
mkfifo tracks_fifo.csv
expect 2 "tracks_fifo.csv: not a regular file (a FIFO)" "a FIFO as the tracks of forecast convert" -- \
  timeout 60 "$SB_BIN" forecast convert --input tracks_fifo.csv --output fifo_gt.h5
[ ! -e dup.h5 ] && [ ! -e cat.h5 ] && ok "no output file after an error" || bad "an output file was left behind"
finish
