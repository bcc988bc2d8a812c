#!/usr/bin/python3
"""specs/tts.md in numpy, independently of shardbench, for tests/cli/test_tts_eval.sh.

    tts_check.py make DIR          random small sets (ties, no-keypoint images, float16 and float32,
                                   both map sizes) and DIR/manifest.csv
    tts_check.py check DIR OUT UPSAMPLE BUDGETS ALPHAS PERCS
                                   compares OUT/tts_images.csv (kp-select first) with p1, zeroed
                                   count and boundary_tie computed here (p1 to 1e-9 relative, the
                                   rest exactly) and OUT/tts.csv's AUC (Mann-Whitney, ties 1/2)
                                   and balanced accuracy to 1e-12.
"""
import csv
import sys

import h5py
import numpy as np


def make(d):
    rng = np.random.default_rng(5)
    rows = []
    for k, (n, c, h, s, dt) in enumerate([(37, 12, 7, 224, "float32"), (23, 10, 4, 8, "float16"),
                                          (30, 9, 7, 224, "float16")]):
        a = np.maximum(rng.normal(0.2, 1, (n, c, h, h)), 0)
        if k == 1:
            a = np.round(a * 2) / 2  # many equal values: ties in scores
        P, Q = 6, 4
        pos = rng.integers(0, s, (n, P, 2))
        neg = rng.integers(0, s, (n, Q, 2))
        pc = rng.integers(0, P + 1, n)
        nc = rng.integers(0, Q + 1, n)
        pc[0], nc[0] = 0, 0  # no keypoints at all
        pos[pc < P, -1] = s + 5  # past the count: ignored even when out of range
        pos[pc == P, -1] = 0
        with h5py.File("%s/s%d.h5" % (d, k), "w") as f:
            g = f.create_group("tts")
            g.create_dataset("features", data=a.astype(dt), chunks=(1, c, h, h))
            g.create_dataset("fc/weight", data=rng.normal(0, 1, (2, c)).astype("float32"))
            g.create_dataset("fc/bias", data=rng.normal(0, 1, 2).astype("float32"))
            g.create_dataset("label", data=rng.integers(0, 2, n))
            g.create_dataset("group", data=rng.integers(0, 3, n))
            g.create_dataset("kp/pos", data=pos.astype("int32"))
            g.create_dataset("kp/neg", data=neg.astype("int64"))
            g.create_dataset("kp/pos_count", data=pc)
            g.create_dataset("kp/neg_count", data=nc)
            g.attrs["input_size"] = s
        rows.append("s%d,s%d.h5,%g,%d" % (k, k, 0.5 * k, k))
    with open(d + "/manifest.csv", "w") as f:
        f.write("set,path,bias_factor,split\n" + "\n".join(rows) + "\n")


def upsampled(a, mode, S, r, q):
    C, H, W = a.shape
    if mode == "nearest":
        return a[:, r // (S // H), q // (S // W)]
    y, x = r * (H - 1) / (S - 1), q * (W - 1) / (S - 1)
    y0, x0 = int(np.floor(y)), int(np.floor(x))
    y1, x1 = min(y0 + 1, H - 1), min(x0 + 1, W - 1)
    ly, lx = y - y0, x - x0
    return ((1 - ly) * (1 - lx) * a[:, y0, x0] + (1 - ly) * lx * a[:, y0, x1] + ly * (1 - lx) * a[:, y1, x0]
            + ly * lx * a[:, y1, x1])


def image_cells(a, pos, neg, w, b, mode, S, budgets, alphas, percs):
    C = a.shape[0]
    g = a.reshape(C, -1).mean(axis=1)
    l = w @ g + b
    none = 1 / (1 + np.exp(l[0] - l[1]))
    out = {}
    for bud in budgets:
        bp = pos if bud == "all" else pos[:int(bud)]
        bn = neg if bud == "all" else neg[:int(bud)]
        sp = sum((upsampled(a, mode, S, r, q) for r, q in bp), np.zeros(C))
        sn = sum((upsampled(a, mode, S, r, q) for r, q in bn), np.zeros(C))
        for al in alphas:
            usable = (al > 0 and len(bp) > 0) or (al < 1 and len(bn) > 0)
            s = al * sp - (1 - al) * sn
            order = np.argsort(s, kind="stable")
            for pc in percs:
                if not usable:
                    out[(bud, al, pc)] = (none, 0, 0, 1)
                    continue
                z = int((1 - pc) * C)
                gz = g.copy()
                gz[order[:z]] = 0
                lz = w @ gz + b
                tie = int(0 < z < C and s[order[z - 1]] == s[order[z]])
                out[(bud, al, pc)] = (1 / (1 + np.exp(lz[0] - lz[1])), z, tie, 0, lz[1] > lz[0])
    return none, l[1] > l[0], out


def auc(p, y):
    p, y = np.asarray(p), np.asarray(y)
    P, N = p[y == 1], p[y == 0]
    if not len(P) or not len(N):
        return None
    return (np.sum(P[:, None] > N[None, :]) + 0.5 * np.sum(P[:, None] == N[None, :])) / (len(P) * len(N))


def bacc(pred, y):
    return np.mean([np.mean(np.asarray(pred)[np.asarray(y) == c] == c) for c in (0, 1) if np.any(np.asarray(y) == c)])


def check(d, out, mode, budgets, alphas, percs):
    budgets = budgets.split(",")
    alphas = [float(x) for x in alphas.split(",")]
    percs = [float(x) for x in percs.split(",")]
    imgs = {}
    with open(out + "/tts_images.csv") as f:
        for r in csv.DictReader(f):
            imgs[(r["set"], r["budget"], float(r["alpha"]), float(r["perc"]), int(r["image"]))] = r
    with open(out + "/tts.csv") as f:
        table = {(r["set"], r["budget"], float(r["alpha"]), float(r["perc"]), r["method"]): r for r in csv.DictReader(f)}
    bad = 0
    with open(d + "/manifest.csv") as f:
        sets = [r["set"] for r in csv.DictReader(f)]
    for name in sets:
        with h5py.File("%s/%s.h5" % (d, name)) as f:
            t = f["tts"]
            A = t["features"][()].astype(np.float64)
            w, b = t["fc/weight"][()].astype(np.float64), t["fc/bias"][()].astype(np.float64)
            y = t["label"][()]
            pos, neg, pc, nc = t["kp/pos"][()], t["kp/neg"][()], t["kp/pos_count"][()], t["kp/neg_count"][()]
            S = int(t.attrs["input_size"])
        per = [image_cells(A[i], pos[i, :pc[i]], neg[i, :nc[i]], w, b, mode, S, budgets, alphas, percs)
               for i in range(len(y))]
        for key in per[0][2]:
            bud, al, pcf = key
            p1s, preds = [], []
            for i in range(len(y)):
                want = per[i][2][key]
                got = imgs[(name, bud, al, pcf, i)]
                p1 = float(got["p1_tts"])
                if abs(p1 - want[0]) > 1e-9 * abs(want[0]) or int(got["n_zeroed"]) != want[1] or \
                        int(got["boundary_tie"]) != want[2] or abs(float(got["p1_none"]) - per[i][0]) > 1e-9 * per[i][0]:
                    bad += 1
                    print("image differs", name, key, i, got, want)
                p1s.append(want[0])
                preds.append(want[4] if len(want) > 4 else per[i][1])
            for method, p, pr in (("tts", p1s, preds), ("none", [q[0] for q in per], [q[1] for q in per])):
                row = table[(name, bud, al, pcf, method)]
                a_want, b_want = auc(p, y), bacc(pr, y)
                if (a_want is None) != (row["auc"] == "") or (a_want is not None and abs(float(row["auc"]) - a_want) > 1e-12) \
                        or abs(float(row["balanced_accuracy"]) - b_want) > 1e-12:
                    bad += 1
                    print("metrics differ", name, key, method, row["auc"], a_want, row["balanced_accuracy"], b_want)
            ties = sum(per[i][2][key][2] for i in range(len(y)))
            nokp = sum(per[i][2][key][3] for i in range(len(y)))
            row = table[(name, bud, al, pcf, "tts")]
            if int(row["n_boundary_tie"]) != ties or int(row["n_no_keypoints"]) != nokp:
                bad += 1
                print("counts differ", name, key, row["n_boundary_tie"], ties, row["n_no_keypoints"], nokp)
    print("%d differences" % bad)
    return bad == 0


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        sys.exit(0 if check(*sys.argv[2:8]) else 1)
