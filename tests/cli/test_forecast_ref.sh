# forecast convert + forecast eval end to end against the Argoverse 2 reference.
# Inputs and expected values: tests/data/forecast/ (tracks.csv, preds.csv, gt_expected.csv,
# expected.csv), made by running argoverse/av2-api's own eval.py (convert_forecast_labels and
# evaluate, commit b7321d1f) outside the project:
#   /usr/bin/python3 tests/reference/forecast_ref.py AV2_API_GIT_DIR tests/data/forecast
# The data has ties in detection scores, ties in distances, agents with 1..5 future steps,
# frames with predictions but no ground truth and the reverse, DOG (predictions only) and
# STROLLER (ground truth only). forecast_h5.py turns preds.csv into the HDF5 layout (a separate
# --pred file with logs and categories in another order, and a one-file layout);
# forecast_check.py compares every row of forecasting.csv with the reference (1e-9) and the
# counts with numpy.
source "$(dirname "$0")/lib.sh"
D="$SB_SOURCE_DIR/tests/data/forecast"
"$SB_BIN" forecast convert --input "$D/tracks.csv" --output gt.h5 >/dev/null \
  && ok "forecast convert runs" || bad "forecast convert failed"
$PY "$SB_SOURCE_DIR/tests/cli/forecast_check.py" gt "$D" gt.h5 \
  && ok "/gt equals the reference's convert_forecast_labels" || bad "/gt differs from the reference"
$PY "$SB_SOURCE_DIR/tests/cli/forecast_h5.py" "$D/preds.csv" gt.h5 pred.h5 one.h5
for k in 1 5; do
  for n in 1 2 3; do
    mpirun -n $n "$SB_BIN" forecast eval --input gt.h5 --pred pred.h5 --top-k $k --output k$k-n$n --quiet >/dev/null \
      || bad "forecast eval top_k $k -n $n exited $?"
  done
  $PY "$SB_SOURCE_DIR/tests/cli/forecast_check.py" eval "$D" $k k$k-n1/forecasting.csv k$k-n1/forecasting_logs.csv \
    && ok "top_k $k: forecasting.csv equals the reference" || bad "top_k $k: forecasting.csv differs from the reference"
  for n in 2 3; do
    same_files k$k-n1/forecasting.csv k$k-n$n/forecasting.csv "top_k $k: forecasting.csv with -n $n equals -n 1"
    same_files k$k-n1/forecasting_logs.csv k$k-n$n/forecasting_logs.csv "top_k $k: forecasting_logs.csv with -n $n equals -n 1"
  done
done
"$SB_BIN" forecast eval --input one.h5 --output one5 --quiet >/dev/null
same_files k5-n1/forecasting.csv one5/forecasting.csv "one file (int8 categories, default top_k 5) gives the same table"
# the CSV and HDF5 forms of the tracks give the same ground truth
$PY - "$D/tracks.csv" tracks.h5 <<'PYEOF'
import csv, sys
import h5py, numpy as np
rows = list(csv.DictReader(open(sys.argv[1])))
s = h5py.string_dtype()
with h5py.File(sys.argv[2], "w") as f:
    for k in ("log", "track_id", "category"):
        f[k] = np.array([r[k] for r in rows], dtype=object).astype(s)
    f["timestamp_ns"] = np.array([int(r["timestamp_ns"]) for r in rows], dtype=np.int64)
    for k in ("x", "y", "ego_x", "ego_y"):
        f[k] = np.array([float(r[k]) for r in rows], dtype=np.float64)
PYEOF
"$SB_BIN" forecast convert --input tracks.h5 --output gt_from_h5.h5 >/dev/null
$PY "$SB_SOURCE_DIR/tests/cli/forecast_check.py" gt "$D" gt_from_h5.h5 \
  && ok "tracks from HDF5 convert to the reference's /gt" || bad "tracks from HDF5 give another /gt"
finish
