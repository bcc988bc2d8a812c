# Occlusion robustness (specs/pose.md): pose.csv's mpjpe_occ, mpjpe_vis, occ_rate and
# pose_occlusion.csv equal numpy's computation from the definitions (pose_occlusion_check.py),
# on masks of every kind (bool, int32, uint8, int64; none, all, some occluded; absent); the
# other metrics do not change; 1 and 2 ranks write the same bytes; bad masks stop the job.
source "$(dirname "$0")/lib.sh"
"$SB_BIN" gen pose --output data --seed 21 --sequences 7 --frames 40 --hyps 2 >/dev/null
cp data/pose.h5 masked.h5
$PY - masked.h5 <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r+")
rng = np.random.default_rng(5)
for i, n in enumerate(sorted(f["sequences"])):
    s = f["sequences"][n]; F, J, _ = s["gt"].shape
    if i == 0:   # bool mask, no names: group "unnamed"
        s["occluded"] = rng.random((F, J)) < 0.3
    elif i == 1: # nothing occluded: mpjpe_occ empty
        s["occluded"] = np.zeros((F, J), np.int32); s.attrs["occlusion"] = "none"; s.attrs["train_occlusion"] = "random"
    elif i == 2: # everything occluded: mpjpe_vis empty
        s["occluded"] = np.ones((F, J), np.uint8); s.attrs["occlusion"] = "random"; s.attrs["train_occlusion"] = "random"
    elif i == 3:
        s["occluded"] = (rng.random((F, J)) < 0.2).astype(np.int64)
        s.attrs["occlusion"] = "random"; s.attrs["train_occlusion"] = "random"
    elif i == 4: # a name but no mask
        s.attrs["occlusion"] = "legs"
    elif i == 5:
        m = np.zeros((F, J), np.int8); m[:, 1:7] = 1; s["occluded"] = m
        s.attrs["occlusion"] = "legs"; s.attrs["train_occlusion"] = "random"
    # i == 6: no occlusion input at all
PY
mpirun -n 2 "$SB_BIN" pose eval --input masked.h5 --output o2 --clip 9 --quiet >/dev/null
"$SB_BIN" pose eval --input masked.h5 --output o1 --clip 9 --quiet >/dev/null
same_files o1/pose.csv o2/pose.csv "pose.csv: 1 and 2 ranks"
same_files o1/pose_occlusion.csv o2/pose_occlusion.csv "pose_occlusion.csv: 1 and 2 ranks"
$PY "$SB_SOURCE_DIR/tests/cli/pose_occlusion_check.py" masked.h5 o2 && ok "occlusion columns and table equal numpy" \
  || bad "occlusion columns or table differ from numpy"
$PY "$SB_SOURCE_DIR/tests/cli/pose_numpy_check.py" masked.h5 o2/pose.csv 9 150 >/dev/null && ok "other metrics still equal numpy" \
  || bad "other metrics differ from numpy with masks"
mpirun -n 2 "$SB_BIN" pose eval --input masked.h5 --output orr --root-relative true --quiet >/dev/null
$PY "$SB_SOURCE_DIR/tests/cli/pose_occlusion_check.py" masked.h5 orr 1 && ok "root-relative occlusion values equal numpy" \
  || bad "root-relative occlusion values differ from numpy"
grep -q '^none,random,0,1,40,0,.*no occluded entry$' o2/pose_occlusion.csv && ok "no occluded entry: empty mpjpe_occ with its reason" \
  || bad "no occluded entry row: $(grep '^none' o2/pose_occlusion.csv)"

# Without masks nothing changes: the same file with them removed gives pose.csv minus the
# four occlusion columns, byte for byte, and no pose_occlusion.csv.
cp masked.h5 plain.h5
$PY - plain.h5 <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r+")
for n in f["sequences"]:
    s = f["sequences"][n]
    if "occluded" in s: del s["occluded"]
    for k in ("occlusion", "train_occlusion"):
        if k in s.attrs: del s.attrs[k]
PY
"$SB_BIN" pose eval --input plain.h5 --output op --clip 9 --quiet >/dev/null
cut -d, -f1-"$(head -1 op/pose.csv | tr "," "\n" | wc -l)" o1/pose.csv > o1_base.csv
same_files o1_base.csv op/pose.csv "masks add four columns and change no other cell"
[ ! -e op/pose_occlusion.csv ] && ok "no masks: no pose_occlusion.csv" || bad "pose_occlusion.csv written without masks"
[ "$(head -1 op/pose.csv | tr ',' '\n' | grep -c occ)" -eq 0 ] && ok "no masks: no occlusion columns" || bad "occlusion columns without masks"

# The analysis plot: a PNG from one or more tables; a table without rows is refused.
$PY "$SB_SOURCE_DIR/analysis/plot_pose_occlusion.py" o2/pose_occlusion.csv orr/pose_occlusion.csv occ.png >/dev/null
[ -s occ.png ] && [ "$(head -c 8 occ.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && [ "$(stat -c %s occ.png)" -gt 10000 ] \
  && ok "plot: a non-empty PNG" || bad "plot missing or empty"
head -1 o2/pose_occlusion.csv > empty.csv
$PY "$SB_SOURCE_DIR/analysis/plot_pose_occlusion.py" empty.csv e.png 2>/dev/null && bad "plot: empty table accepted" \
  || ok "plot: empty table refused"

# Bad masks: exit 2 before any unit, one line naming file, sequence and first bad index.
badmask() { cp masked.h5 "$1.h5"; $PY - "$1.h5" "$1" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r+"); what = sys.argv[2]
s = f["sequences"][sorted(f["sequences"])[3]]; m = s["occluded"][...]; del s["occluded"]
if what == "bvalue":   m[7, 3] = 2; m[9, 0] = -1
elif what == "bjoints": m = m[:, :16]
elif what == "brank3":  m = m[:, :, None]
elif what == "bfloat":  m = m.astype(np.float64)
s["occluded"] = m
PY
}
expect2() { # what pattern dir
  local out rc
  out=$("$SB_BIN" pose eval --input "$3.h5" --output "$3" 2>&1) && rc=0 || rc=$?
  if [ "$rc" -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q -- "$2" <<<"$out"; then ok "$1"; else bad "$1: rc=$rc: $out"; fi
  if ls "$3"/*.csv >/dev/null 2>&1; then bad "$1: results files left behind"; else ok "$1: no results files"; fi
}
seq3=$($PY -c 'import h5py,sys; print(sorted(h5py.File("masked.h5")["sequences"])[3])')
badmask bvalue; expect2 "mask value 2" "bvalue.h5: /sequences/$seq3/occluded\[7, 3\] = 2: not 0 (visible) or 1 (occluded)" bvalue
badmask bjoints; expect2 "mask with 16 joints" "/sequences/$seq3/occluded has shape (40x16) but gt has 40 frames x 17 joints.*axis 1" bjoints
badmask brank3; expect2 "mask of rank 3" "/sequences/$seq3/occluded has shape (40x17x1)" brank3
badmask bfloat; expect2 "float mask" "/sequences/$seq3/occluded has type float, expected integers or booleans" bfloat
finish
