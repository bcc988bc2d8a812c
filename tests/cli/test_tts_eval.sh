# tts eval (specs/tts.md): on random small sets made by tts_check.py (float32 and float16 maps, a
# 4x4 map on an 8-pixel input, tied scores, images without keypoints, out-of-range coordinates past
# the counts) every image's p1 (1e-9), zeroed count and boundary tie, and every set's AUC and
# balanced accuracy (1e-12) equal a numpy implementation of the spec, for nearest and bilinear
# upsampling, several budgets, alphas and kept fractions (kp-select first); byte-identical CSVs for
# 1 and 2 ranks and for blocks of 5 and 1000 images; `random` selection is the same run to run.
# gen tts: the spec's figure, AUC gain >= 0.2 at bias factor 1 (anti) and |gain| <= 0.05 at 0;
# analysis/plot_tts.py draws it.
# Bad input: one line naming file, dataset and first bad index, exit 2 before any unit; NaN in
# the maps fails that unit alone (exit 1, failures.csv).
source "$(dirname "$0")/lib.sh"
CHECK="$SB_SOURCE_DIR/tests/cli/tts_check.py"
mkdir -p sets
$PY "$CHECK" make sets
GRID=(--budgets 1,3,all --alpha 0.4,1,0 --perc 0.1,0.5,1 --kp-select first --per-image true)
for up in nearest bilinear; do
  "$SB_BIN" tts eval --manifest sets/manifest.csv --output $up "${GRID[@]}" --upsample $up --block 5 --quiet \
    && ok "$up: exit 0" || bad "$up: exit $?"
  $PY "$CHECK" check sets $up $up 1,3,all 0.4,1,0 0.1,0.5,1 >check_$up.log \
    && ok "$up: p1, zeroed, ties, AUC, balanced accuracy equal numpy" || { bad "$up differs from numpy"; tail -5 check_$up.log; }
done
grep -q ',1,' <(cut -d, -f19 nearest/tts.csv | sort -u | tr '\n' ',') && ok "some boundary ties counted" || bad "no boundary tie in the tied set"
mpirun -n 2 "$SB_BIN" tts eval --manifest sets/manifest.csv --output n2 "${GRID[@]}" --block 5 --quiet
"$SB_BIN" tts eval --manifest sets/manifest.csv --output big "${GRID[@]}" --block 1000 --quiet
for t in tts tts_summary tts_images; do
  same_files nearest/$t.csv n2/$t.csv "$t.csv: 1 rank = 2 ranks"
  same_files nearest/$t.csv big/$t.csv "$t.csv: block 5 = block 1000"
done
"$SB_BIN" tts eval --manifest sets/manifest.csv --output r1 --block 7 --seed 3 --per-image true --quiet
mpirun -n 2 "$SB_BIN" tts eval --manifest sets/manifest.csv --output r2 --block 4 --seed 3 --per-image --quiet  # a bare flag
same_files r1/tts_images.csv r2/tts_images.csv "random selection: same for any rank count and block"

# The spec's figure: the shortcut hurts on the anti-correlated set and TTS removes it.
"$SB_BIN" gen tts --output gen --seed 11 --bias-factors 0,1 --splits 2 --images 1500 >/dev/null
"$SB_BIN" tts eval --manifest gen/tts/manifest.csv --output fig --budgets 20 --quiet
$PY - fig/tts_summary.csv <<'PY' && ok "gen tts: AUC gain >= 0.2 at bf 1 (anti), |gain| <= 0.05 at bf 0" || bad "figure claim fails: $(cat fig/tts_summary.csv)"
import csv, sys
g = {float(r["bias_factor"]): float(r["auc_gain"]) for r in csv.DictReader(open(sys.argv[1]))}
print(g)
sys.exit(0 if g[1.0] >= 0.2 and abs(g[0.0]) <= 0.05 else 1)
PY
# The analysis plot: a non-empty PNG from that run; a summary without rows refused.
$PY "$SB_SOURCE_DIR/analysis/plot_tts.py" fig plots >/dev/null && [ "$(head -c 8 plots/tts_auc.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
  [ "$(stat -c %s plots/tts_auc.png)" -gt 10000 ] && ok "plot_tts.py: tts_auc.png written" || bad "plot_tts.py failed"
mkdir -p empty && head -1 fig/tts_summary.csv > empty/tts_summary.csv
$PY "$SB_SOURCE_DIR/analysis/plot_tts.py" empty p2 2>/dev/null && bad "plot_tts.py: empty summary accepted" || ok "plot_tts.py: empty summary refused"

# Bad input: exit 2, one line naming file, dataset and index.
expect_bad() { # expect_bad NAME PATTERN PYTHON-EDIT
  cp sets/s0.h5 bad_$1.h5
  $PY -c "import h5py, numpy as np; f = h5py.File('bad_$1.h5', 'r+'); t = f['tts']; $3"
  set +e
  "$SB_BIN" tts eval --input bad_$1.h5 --output out_$1 --quiet 2>err_$1
  local rc=$?
  set -e
  if [ $rc -eq 2 ] && [ "$(wc -l <err_$1)" -eq 1 ] && grep -q "bad_$1.h5.*$2" err_$1 && [ ! -e out_$1/tts.csv ]; then
    ok "$1: exit 2 naming it"
  else bad "$1: rc $rc, $(cat err_$1)"; fi
}
expect_bad label '/tts/label\[5\] = 2' "t['label'][5] = 2"
expect_bad count '/tts/kp/pos_count\[3\] = 7 is outside \[0, 6\]' "t['kp/pos_count'][3] = 7"
expect_bad coord '/tts/kp/neg\[2, 0\] = (-1, ' "t['kp/neg_count'][2] = 2; t['kp/neg'][2, 0, 0] = -1"
expect_bad fcnan '/tts/fc/bias\[1\] holds NaN' "t['fc/bias'][1] = np.nan"
expect_bad k3 '/tts/fc/weight.*K must be 2' "del t['fc/weight']; t['fc/weight'] = np.zeros((3, 12))"
expect_bad size 'do not divide input_size 200' "t.attrs['input_size'] = 200"
expect_bad ftype '/tts/features is stored as integers' "del t['features']; t['features'] = np.zeros((37, 12, 7, 7), 'int32')"
printf 'set,path\na,sets/s0.h5\na,sets/s1.h5\n' >dup.csv
set +e; "$SB_BIN" tts eval --manifest dup.csv --output out_dup --quiet 2>err_dup; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "dup.csv lines 2 and 3: set 'a' is named twice" err_dup && ok "repeated set: exit 2" || bad "dup: rc $rc $(cat err_dup)"
# NaN in the maps: that unit fails alone.
cp sets/s0.h5 nan.h5
$PY -c "import h5py, numpy as np; f = h5py.File('nan.h5', 'r+'); f['tts/features'][30, 2, 3, 4] = np.nan"
set +e; "$SB_BIN" tts eval --input nan.h5 --output out_nan --block 10 --quiet 2>err_nan; rc=$?; set -e
[ $rc -eq 1 ] && grep -q 'nan.h5: /tts/features\[30, 2, 3, 4\] holds NaN' out_nan/failures.csv && \
  [ "$(awk -F, '$9=="none"{print $10}' out_nan/tts.csv | sort -u)" = 30 ] && ok "NaN in features: that block fails, the rest is evaluated" \
  || bad "NaN: rc $rc $(cat out_nan/failures.csv 2>/dev/null) $(cat err_nan)"
finish
