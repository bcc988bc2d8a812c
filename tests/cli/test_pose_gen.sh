# gen pose as specs/pose.md states it: the H3WB whole-body layout (parts, parent tree, left/right
# pairs, checked against the spec's wording in numpy) and pose eval on it (every part's MPJPE and
# aligned MPJPE, bone and symmetry metrics, against numpy); the occlusion patterns, their noise
# and attributes; and bad options, one line each.
source "$(dirname "$0")/lib.sh"
"$SB_BIN" gen pose --output wb --seed 8 --sequences 4 --frames 30 --hyps 2 --skeleton h3wb >/dev/null
$PY - wb/pose.h5 <<'PY' && ok "h3wb layout: parts, parents, lr_pairs as specified" || bad "h3wb layout differs from the spec"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
par = list(f.attrs["parents"]); lr = [tuple(x) for x in f.attrs["lr_pairs"]]
parts = [p.decode() if isinstance(p, bytes) else p for p in f.attrs["parts"]]
ok = True
def need(c, what):
    global ok
    if not c: print("FAIL", what); ok = False
need(len(par) == 133, "133 keypoints")
need(parts == ["body:0-16", "feet:17-22", "face:23-90", "left_hand:91-111", "right_hand:112-132"], "parts")
# body: COCO's limbs (0-based) rooted at joint 0: every body bone is a COCO limb and the body is a tree
coco = {(15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7), (6, 8), (7, 9),
        (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6)}
need(par[0] == -1, "joint 0 is the root")
need(all((j, par[j]) in coco or (par[j], j) in coco for j in range(1, 17)), "body bones are COCO limbs")
need(all(par[j] == (15 if j < 20 else 16) for j in range(17, 23)), "foot keypoints hang from their ankle")
need(par[23] == 0 and all(par[j] == j - 1 for j in range(24, 91)), "face chained in order from the nose")
for wrist, body in ((91, 9), (112, 10)):
    need(par[wrist] == body, f"hand wrist {wrist} child of body wrist {body}")
    for fi in range(5):
        base = wrist + 1 + 4 * fi
        need(par[base] == wrist and all(par[base + k] == base + k - 1 for k in range(1, 4)), f"finger {fi} of {wrist}")
want_lr = [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16), (17, 20), (18, 21), (19, 22)] + \
    [(91 + k, 112 + k) for k in range(21)]
need(sorted(lr) == sorted(want_lr), "lr_pairs: mirrored body, feet and hand joints")
# mirrored pairs mirror each other at rest-like frames: left x > 0 > right x relative to the root
g = f["sequences"][sorted(f["sequences"])[0]]["gt"][...]
need(g.shape == (30, 133, 3), "gt shape")
sys.exit(0 if ok else 1)
PY
mpirun -n 2 "$SB_BIN" pose eval --input wb/pose.h5 --output owb --clip 7 --pck-threshold 100 --quiet >/dev/null
for p in body feet face left_hand right_hand; do
  for s in "" _aligned; do
    head -1 owb/pose.csv | tr ',' '\n' | grep -qx "part_mpjpe_$p$s" || bad "h3wb: no column part_mpjpe_$p$s"
  done
done
$PY "$SB_SOURCE_DIR/tests/cli/pose_numpy_check.py" wb/pose.h5 owb/pose.csv 7 100 && ok "h3wb: every pose.csv cell (parts, bones, symmetry) equals numpy" \
  || bad "h3wb: pose.csv differs from numpy"

# Occlusion patterns in turn, their masks, attributes and noise.
"$SB_BIN" gen pose --output occ --seed 9 --sequences 10 --frames 400 --hyps 0 --noise 20 --occ-factor 3 \
  --occlusion none,random,right_arm,legs,frames --train-occlusion random >/dev/null
"$SB_BIN" gen pose --output plain --seed 9 --sequences 10 --frames 400 --hyps 0 --noise 20 >/dev/null
"$SB_BIN" gen pose --output occ2 --seed 9 --sequences 10 --frames 400 --hyps 0 --noise 20 --occ-factor 2 \
  --occlusion none,random,right_arm,legs,frames --train-occlusion random >/dev/null
$PY - occ/pose.h5 plain/pose.h5 occ2/pose.h5 <<'PY' && ok "occlusion masks, attributes and noise as specified" || bad "occlusion generator"
import sys, h5py, numpy as np
f, p, h = (h5py.File(a, "r") for a in sys.argv[1:4])
order = ["none", "random", "right_arm", "legs", "frames"]
ok = True
def need(c, what):
    global ok
    if not c: print("FAIL", what); ok = False
names = sorted(f["sequences"], key=lambda n: (int(n[1:3]), ["Walking", "Sitting", "Greeting"].index(n[4:])))
for i, n in enumerate(names):
    s = f["sequences"][n]; pat = s.attrs["occlusion"]; pat = pat.decode() if isinstance(pat, bytes) else pat
    tr = s.attrs["train_occlusion"]; tr = tr.decode() if isinstance(tr, bytes) else tr
    need(pat == order[i % 5] and tr == "random", f"{n}: pattern {pat}, train {tr}")
    m = s["occluded"][...].astype(bool); F, J = m.shape
    need((F, J) == (400, 17), f"{n}: mask shape")
    need(np.array_equal(s["gt"][...], p["sequences"][n]["gt"][...]), f"{n}: gt as without occlusion")
    if pat == "none":
        need(not m.any(), "none: nothing occluded")
        need(np.array_equal(s["pred"][...], p["sequences"][n]["pred"][...]), "none: pred as without occlusion")
    elif pat == "random":
        need(abs(m.mean() - 0.2) < 0.02, f"random: rate {m.mean()}")
    elif pat == "right_arm":
        need(m[:, 14:17].all() and not np.delete(m, [14, 15, 16], 1).any(), "right_arm: joints 14-16 every frame")
    elif pat == "legs":
        need(m[:, 1:7].all() and not np.delete(m, range(1, 7), 1).any(), "legs: joints 1-6 every frame")
    elif pat == "frames":
        rows = m.any(1)
        need(np.array_equal(rows, m.all(1)), "frames: every joint of an occluded frame")
        runs = np.diff(np.flatnonzero(np.diff(np.r_[0, rows.astype(int), 0])).reshape(-1, 2), axis=1).ravel()
        starts = np.flatnonzero(np.diff(np.r_[0, rows.astype(int)]) == 1)
        need(len(runs) > 0 and all(r >= 10 or st + r == F for r, st in zip(runs, starts)), f"frames: blocks of 10, runs {runs}")
    # noise: sd x normal with the draws of the clean file, sd = 20 visible, 20 x occ_factor occluded;
    # so pred - clean is 0 on visible entries and (factor - 1) x the same draw on occluded ones
    clean, two, three = p["sequences"][n]["pred"][...], h["sequences"][n]["pred"][...], s["pred"][...]
    need(np.array_equal(three[~m], clean[~m]), f"{n}: visible entries as without occlusion")
    if m.any():
        need(np.allclose(three[m] - clean[m], 2 * (two[m] - clean[m]), rtol=1e-9, atol=1e-9), f"{n}: occluded noise x factor")
        sd = np.std(two[m] - clean[m])  # = 20 x (2 - 1) x normal draws
        need(abs(sd / 20 - 1) < 0.15, f"{n}: occluded extra noise sd {sd} for noise 20, factor 2")
sys.exit(0 if ok else 1)
PY

# Bad options: exit 2, one line.
gen_bad() { # what pattern args...
  local what=$1 pat=$2 out rc; shift 2
  out=$("$SB_BIN" gen pose --output gbad "$@" 2>&1) && rc=0 || rc=$?
  if [ "$rc" -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q -- "$pat" <<<"$out"; then ok "$what"; else bad "$what: rc=$rc: $out"; fi
}
gen_bad "unknown pattern" "--occlusion item 2 'elbows' is not a pattern" --occlusion none,elbows
gen_bad "empty pattern" "--occlusion item 2 '' is not a pattern" --occlusion none,,legs
gen_bad "H3.6M pattern on h3wb" "--occlusion item 1 'legs' names Human3.6M joints" --occlusion legs --skeleton h3wb
gen_bad "unknown train pattern" "--train-occlusion 'arms' is not a pattern" --occlusion none --train-occlusion arms
gen_bad "train pattern alone" "--train-occlusion needs --occlusion" --train-occlusion random
gen_bad "unknown skeleton" "--skeleton 'smpl' is not h36m or h3wb" --skeleton smpl
gen_bad "negative occ factor" "--occ-factor must be a finite value >= 0" --occlusion random --occ-factor -1
finish
