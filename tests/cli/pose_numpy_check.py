"""Recomputes pose.csv with numpy from the definitions in specs/pose.md (the MPJPE family as
VideoPose3D common/loss.py computes it, the consistency metrics as DiffHPE's regularizations.py)
and compares every cell with the CSV shardbench wrote, to 1e-9 relative.

usage: pose_numpy_check.py INPUT.h5 POSE.csv CLIP PCK_THRESHOLD
"""
import csv
import sys

import h5py
import numpy as np

path, csv_path, clip, pck_th = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
f = h5py.File(path, "r")
parents = np.asarray(f.attrs["parents"])
lr = np.asarray(f.attrs["lr_pairs"]).reshape(-1, 2)
parts = []
for s in f.attrs.get("parts", []):
    s = s.decode() if isinstance(s, bytes) else s
    name, rng = s.rsplit(":", 1)
    a, b = rng.split("-")
    parts.append((name, int(a), int(b)))
bones = [(j, parents[j]) for j in range(len(parents)) if parents[j] >= 0]
bone_of = {j: k for k, (j, p) in enumerate(bones)}


def err(p, g):
    return np.linalg.norm(p - g, axis=-1)


def p_mpjpe_frames(p, g):
    muX, muY = g.mean(1, keepdims=True), p.mean(1, keepdims=True)
    X0, Y0 = g - muX, p - muY
    nX = np.sqrt((X0 ** 2).sum((1, 2), keepdims=True))
    nY = np.sqrt((Y0 ** 2).sum((1, 2), keepdims=True))
    X0, Y0 = X0 / nX, Y0 / nY
    H = X0.transpose(0, 2, 1) @ Y0
    U, s, Vt = np.linalg.svd(H)
    V = Vt.transpose(0, 2, 1)
    R = V @ U.transpose(0, 2, 1)
    sd = np.sign(np.linalg.det(R))[:, None]
    V[:, :, -1] *= sd
    s[:, -1] *= sd.flatten()
    R = V @ U.transpose(0, 2, 1)
    a = s.sum(1, keepdims=True)[:, :, None] * nX / nY
    t = muX - a * (muY @ R)
    return err(a * (p @ R) + t, g).mean(1)


def bone_len(x):
    return np.stack([np.linalg.norm(x[:, j] - x[:, p], axis=-1) for j, p in bones], axis=1)


def metrics(g, p, h, w):
    F = len(g)
    e = err(p, g)
    m = {"mpjpe": e.mean(), "p_mpjpe": p_mpjpe_frames(p, g).mean()}
    sc = (g * p).sum((1, 2)) / (p * p).sum((1, 2))
    m["n_mpjpe"] = err(sc[:, None, None] * p, g).mean()
    m["mpjve"] = err(np.diff(p, axis=0), np.diff(g, axis=0)).mean() if F > 1 else np.nan
    m["pck"] = (e < pck_th).mean()
    m["auc"] = np.mean([(e < t).mean() for t in np.arange(0, 151, 5)])
    if h is not None:
        eh = err(h, g[:, None])  # F x M x J
        per = eh.mean(2)
        m["min_mpjpe"] = per.min(1).mean()
        m["weighted_mpjpe"] = (w * per).sum(1).mean()
        m["mpjpe_of_best_weight"] = per[np.arange(F), w.argmax(1)].mean()
        m["jbest_mpjpe"] = eh.min(1).mean()
    bl, gl = bone_len(p), bone_len(g)
    if clip:
        stds = [bl[i:i + clip].std(0, ddof=1).mean() for i in range(0, F, clip) if len(bl[i:i + clip]) >= 2]
        m["bone_std"] = np.mean(stds)
    else:
        m["bone_std"] = bl.std(0, ddof=1).mean()
    m["bone_err"] = np.abs(bl - gl).mean()
    d = np.stack([bl[:, bone_of[a]] - bl[:, bone_of[b]] for a, b in lr], 1)
    m["symmetry_err"] = np.abs(d).mean()
    m["sagittal_symmetry"] = (d ** 2).mean()
    for name, a, b in parts:
        m["part_mpjpe_" + name] = e[:, a:b + 1].mean()
        m["part_mpjpe_" + name + "_aligned"] = err(p[:, a:b + 1] - p[:, a:a + 1], g[:, a:b + 1] - g[:, a:a + 1]).mean()
    return m, F


pool_frames_minus_one = {"mpjve"}
no_pool = {"bone_std"}
rows = {r["sequence"] + "|" + r["action"]: r for r in csv.DictReader(open(csv_path))}
seqs = {}
for name in sorted(f["sequences"]):
    s = f["sequences"][name]
    h = s["hyp"][...] if "hyp" in s else None
    w = s["weights"][...] if "weights" in s else None
    act = s.attrs.get("action", "")
    act = act.decode() if isinstance(act, bytes) else act
    seqs[name] = (act,) + metrics(s["gt"][...], s["pred"][...], h, w)

bad = checked = 0


def check(key, col, want):
    global bad, checked
    got = rows[key][col]
    checked += 1
    if np.isnan(want):
        if got != "":
            bad += 1
            print(f"FAIL {key} {col}: want empty, got {got}")
        return
    g = float(got)
    if abs(g - want) > 1e-9 * max(abs(want), 1e-12) and abs(g - want) > 1e-12:
        bad += 1
        print(f"FAIL {key} {col}: numpy {want!r} shardbench {g!r}")


for name, (act, m, F) in seqs.items():
    for col, v in m.items():
        check(name + "|" + act, col, v)
for act in sorted({a for a, _, _ in seqs.values()} - {""}) + [None]:
    sel = [(m, F) for a, m, F in seqs.values() if act is None or a == act]
    key = "ALL|" + (act if act else "ALL")
    for col in sel[0][0]:
        if col in no_pool:
            check(key, col, np.nan)
            continue
        wts = [F - 1 if col in pool_frames_minus_one else F for m, F in sel]
        check(key, col, sum(wt * m[col] for wt, (m, F) in zip(wts, sel)) / sum(wts))
print(f"checked {checked} cells against numpy, {bad} differ")
sys.exit(1 if bad or checked == 0 else 0)
