# gen forecast writes the layout of formats.md with /pred grouped by frame in ground-truth frame
# order (the reference's visiting order, so /pred row order = the reference's tie order); the
# same seed gives the same file; forecast eval gives byte-identical files for 1, 2 and 3 ranks
# and for a suite run in 2 shards merged afterwards; logs grouped into units (--group-cost) give
# the same files, with fewer units, and so does interleaved /gt read in groups; a run stopped
# by SIGTERM and resumed (its finish reading journaled records) gives the same files.
source "$(dirname "$0")/lib.sh"
"$SB_BIN" gen forecast --output data --seed 9 --size demo --logs 7 >/dev/null
"$SB_BIN" gen forecast --output data --seed 9 --size demo --logs 7 --file again.h5 >/dev/null
h5diff data/forecast.h5 data/again.h5 >/dev/null && ok "same seed, same file" || bad "gen forecast is not reproducible"
$PY - data/forecast.h5 <<'PYEOF' && ok "layout, frame order and content of gen forecast" || bad "gen forecast layout"
import sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
g, p = f["gt"], f["pred"]
assert len(f["logs"]) == 7 and len(f["categories"]) == 26
gkey = np.stack([g["log"][()], g["timestamp_ns"][()]], 1)
pkey = np.stack([p["log"][()], p["timestamp_ns"][()]], 1)
frames = {tuple(k) for k in gkey}
order = np.lexsort((pkey[:, 1], pkey[:, 0]))
assert (order == np.arange(len(order))).all(), "pred rows not grouped by frame in GT frame order"
assert sum(tuple(k) in frames for k in pkey) == len(pkey), "a prediction without a GT frame"
fut = g["future_xy"][()]
L = (~np.isnan(fut[:, :, 0])).sum(1)
assert L.min() >= 1 and L.max() == 6 and (L < 6).any()
assert len(set(g["category"][()])) >= 6
assert p["modes_xy"].shape[1:] == (5, 6, 2) and p["mode_scores"].shape[1] == 5
s = p["detection_score"][()]
assert len(np.unique(s)) < len(s) / 2, "scores should tie often"
PYEOF
for n in 1 2 3; do
  mpirun -n $n "$SB_BIN" forecast eval --input data/forecast.h5 --output out$n --quiet >/dev/null || bad "-n $n exited $?"
done
for n in 2 3; do
  same_files out1/forecasting.csv out$n/forecasting.csv "forecasting.csv with -n $n equals -n 1"
  same_files out1/forecasting_logs.csv out$n/forecasting_logs.csv "forecasting_logs.csv with -n $n equals -n 1"
done
[ "$(wc -l < out1/forecasting.csv)" -eq 109 ] && ok "header, 78 cells, 3 profile, 26 category and the ALL rows" \
  || bad "forecasting.csv has $(wc -l < out1/forecasting.csv) lines"
grep -q '^ALL,ALL,0\.[0-9]*,[0-9.]*,[0-9.]*,[1-9][0-9]*,[1-9][0-9]*$' out1/forecasting.csv \
  && ok "the ALL,ALL row holds means and counts" || bad "ALL,ALL row: $(grep ^ALL,ALL out1/forecasting.csv)"
# /gt rows of all logs interleaved (order within each log kept: it only matters within a frame):
# the scattered-row reads must give the same files
$PY - data/forecast.h5 interleaved.h5 <<'PYEOF'
import sys
import h5py, numpy as np
with h5py.File(sys.argv[1], "r") as src, h5py.File(sys.argv[2], "w") as f:
    for k in ("logs", "categories", "pred"):
        src.copy(k, f)
    log = src["gt/log"][()]
    pos = np.zeros(len(log), dtype=np.int64)      # position of each row within its log
    for l in np.unique(log):
        m = log == l
        pos[m] = np.arange(m.sum())
    order = np.lexsort((log, pos))                  # round robin over the logs
    assert not (order == np.arange(len(order))).all()
    for k in src["gt"]:
        f["gt/" + k] = src["gt/" + k][()][order]
PYEOF
mpirun -n 2 "$SB_BIN" forecast eval --input interleaved.h5 --output inter --quiet >/dev/null
same_files out1/forecasting.csv inter/forecasting.csv "/gt rows interleaved across logs give the same forecasting.csv"
# groups of logs: the 7 demo logs (about 1,300 cost each) in units of 3, 3 and 1, and one unit
for n in 1 2; do
  mpirun -n $n "$SB_BIN" forecast eval --input data/forecast.h5 --group-cost 3000 --output g$n --quiet >g$n.txt \
    || bad "--group-cost 3000 -n $n exited $?"
  same_files out1/forecasting.csv g$n/forecasting.csv "--group-cost 3000 with -n $n gives the same forecasting.csv"
  same_files out1/forecasting_logs.csv g$n/forecasting_logs.csv "--group-cost 3000 with -n $n gives the same forecasting_logs.csv"
done
grep -q "^shardbench: 3 units" g1.txt && ok "7 logs in 3 units" || bad "grouped units: $(cat g1.txt)"
"$SB_BIN" forecast eval --input data/forecast.h5 --group-cost 1e9 --output gall --quiet >gall.txt
grep -q "^shardbench: 1 units" gall.txt && ok "every log in one unit" || bad "one unit: $(cat gall.txt)"
same_files out1/forecasting.csv gall/forecasting.csv "all logs in one unit give the same forecasting.csv"
mpirun -n 2 "$SB_BIN" forecast eval --input interleaved.h5 --group-cost 3000 --output ginter --quiet >/dev/null
same_files out1/forecasting.csv ginter/forecasting.csv "interleaved /gt read in groups gives the same forecasting.csv"
# stopped after some units, resumed with another rank count
SB_TEST_UNIT_DELAY_MS=700 mpirun -n 2 "$SB_BIN" forecast eval --input data/forecast.h5 --output term >term.log 2>&1 &
pid=$!
wait_for_units term 1 || bad "the run never started"
kill -TERM $pid
wait $pid && rc=0 || rc=$?
[ "$rc" -ne 0 ] && [ ! -e term/forecasting.csv ] && ok "stopped run exits non-zero ($rc), no tables" \
  || bad "stopped run: exit $rc, $(ls term)"
mpirun -n 1 "$SB_BIN" forecast eval --input data/forecast.h5 --output term --resume >resume.log 2>&1
grep -q "resuming: [1-6] of 7 units already done" resume.log && ok "resume skipped finished units" \
  || { bad "resume did not skip"; cat resume.log; }
same_files out1/forecasting.csv term/forecasting.csv "SIGTERM + resume gives the same forecasting.csv"
same_files out1/forecasting_logs.csv term/forecasting_logs.csv "SIGTERM + resume gives the same forecasting_logs.csv"
cat > suite.ini <<INI
[suite]
name = fc
[forecast]
input = data/forecast.h5
INI
"$SB_BIN" run suite.ini --shard 1/2 --output s1 --quiet >/dev/null
mpirun -n 2 "$SB_BIN" run suite.ini --shard 2/2 --output s2 --quiet >/dev/null
"$SB_BIN" merge s1 s2 --output merged >/dev/null
same_files out1/forecasting.csv merged/forecasting.csv "2 shards merged give the same forecasting.csv"
finish
