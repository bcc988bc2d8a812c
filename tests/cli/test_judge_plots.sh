# analysis/plot_leaderboard.py (Debian's python3-matplotlib) makes the scatter grid and the tau
# heatmap from a leaderboard and the medical data's own CSVs: both PNG files exist, start with the
# PNG signature and are not trivially small; a leaderboard without rows is refused.
source "$(dirname "$0")/lib.sh"
published_data medical-transferability
M="$PUBLISHED"
COLS=(--dataset-col task --scorer-col metric --accuracy-col test_acc_score)
"$SB_BIN" transfer evaluate --scores "$M/transf_metrics_values.csv" --truth "$M/task_performances.csv" "${COLS[@]}" \
  --bootstrap 0 --output out --quiet >/dev/null && ok "evaluate" || bad "evaluate failed"
$PY "$SB_SOURCE_DIR/analysis/plot_leaderboard.py" --leaderboard out/leaderboard.csv \
  --scores "$M/transf_metrics_values.csv" --truth "$M/task_performances.csv" "${COLS[@]}" --output plots >/dev/null \
  && ok "plot script ran" || bad "plot script failed"
for f in scatter heatmap; do
  p=plots/$f.png
  if [ -f "$p" ] && [ "$(head -c 8 "$p" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && [ "$(stat -c %s "$p")" -gt 10000 ]; then
    ok "$f.png is a non-empty PNG ($(stat -c %s "$p") bytes)"; else bad "$f.png missing or not a PNG"; fi
done
$PY - plots/scatter.png <<'PY' && ok "scatter grid is 3 x 7 panels wide enough to read" || bad "scatter size"
import sys, matplotlib.image as im
h, w = im.imread(sys.argv[1]).shape[:2]
sys.exit(0 if w > 1000 and h > 400 else 1)
PY
head -1 out/leaderboard.csv > empty.csv
$PY "$SB_SOURCE_DIR/analysis/plot_leaderboard.py" --leaderboard empty.csv --scores "$M/transf_metrics_values.csv" \
  --truth "$M/task_performances.csv" "${COLS[@]}" --output p2 2>/dev/null && bad "empty leaderboard accepted" || ok "empty leaderboard refused"
finish
