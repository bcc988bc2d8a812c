"""Recomputes scorer values of a zoo with numpy/sklearn from the definitions in
specs/transferability.md and compares them with the scores.csv shardbench wrote (1e-6 relative,
the spec's tolerance). Written from the spec's formulas, not from any reference's code.

usage: transfer_numpy_check.py MANIFEST.csv SCORES.csv
"""
import csv
import os
import sys

import h5py
import numpy as np
from sklearn.covariance import LedoitWolf

man_path, scores_path = sys.argv[1], sys.argv[2]
root = os.path.dirname(man_path)
got = {}
for r in csv.DictReader(open(scores_path)):
    got[(r["dataset"], r["model"], r["scorer"])] = r["value"]


def logme(F, y):
    F = F.astype(np.float64)
    N, D = F.shape
    if N > D:
        s2, V = np.linalg.eigh(F.T @ F)
        keep = np.sqrt(np.clip(s2, 0, None)) > 1e-10
        s2, V = s2[keep], V[:, keep]
        U = F @ V / np.sqrt(s2)
    else:
        U, s, _ = np.linalg.svd(F, full_matrices=False)
        keep = s > 1e-10
        U, s2 = U[:, keep], s[keep] ** 2
    ev = []
    for c in range(y.max() + 1):
        t = (y == c).astype(np.float64)
        x = U.T @ t
        x2 = x ** 2
        r = t @ t - x2.sum()
        a = b = 1.0
        for _ in range(11):
            lam = a / b
            g = (s2 / (s2 + lam)).sum()
            m2 = (s2 * x2 / (lam + s2) ** 2).sum()
            res2 = (x2 / (1 + s2 / lam) ** 2).sum() + r
            a = g / (m2 + 1e-5)
            b = (N - g) / (res2 + 1e-5)
            if abs(a / b - lam) / lam <= 1e-3:
                break
        e = (D / 2 * np.log(a) + N / 2 * np.log(b) - 0.5 * np.log(a + b * s2).sum() - b / 2 * res2 - a / 2 * m2
             - N / 2 * np.log(2 * np.pi)) / N
        ev.append(e)
    return np.mean(ev)


def leep(P, y):
    N = len(y)
    C = y.max() + 1
    J = np.zeros((C, P.shape[1]))
    for c in range(C):
        J[c] = P[y == c].sum(0) / N
    Q = J / J.sum(0, keepdims=True)
    return np.mean(np.log((P * Q.T[:, y].T).sum(1)))


def nce(P, y):
    z = P.argmax(1)
    N = len(y)
    C, Cs = y.max() + 1, P.shape[1]
    J = np.zeros((C, Cs))
    np.add.at(J, (y, z), 1.0 / N)
    pz = J.sum(0)
    out = 0.0
    for k in range(Cs):
        if pz[k] > 0:
            q = J[:, k] / pz[k] + 1e-20
            out += pz[k] * (q * np.log(q)).sum()
    return out


def class_mean_rows(F, y):
    G = np.zeros_like(F)
    for c in range(y.max() + 1):
        G[y == c] = F[y == c].mean(0)
    return G


def hscore(F, y):
    F = F.astype(np.float64)
    return np.trace(np.linalg.pinv(np.cov(F, rowvar=False), rcond=1e-15) @ np.cov(class_mean_rows(F, y), rowvar=False))


def hscore_reg(F, y):
    F = F.astype(np.float64)
    Fc = F - F.mean(0)
    lw = LedoitWolf(assume_centered=False).fit(Fc)
    a = lw.shrinkage_
    return np.trace(np.linalg.pinv(lw.covariance_, rcond=1e-15) @ ((1 - a) * np.cov(class_mean_rows(Fc, y), rowvar=False)))


def coding_rate(Z, eps=1e-4):
    n, d = Z.shape
    return 0.5 * np.linalg.slogdet(np.eye(d) + Z.T @ Z / (n * eps))[1]


def transrate(F, y):
    Z = F.astype(np.float64)
    Z = Z - Z.mean(0)
    C = y.max() + 1
    return coding_rate(Z) - np.mean([coding_rate(Z[y == c]) for c in range(C)])


def gbc(F, y):
    F = F.astype(np.float64)
    N, D = F.shape
    k = min(64, D, N - 1)
    Fc = F - F.mean(0)
    w, V = np.linalg.eigh(Fc.T @ Fc)
    Z = Fc @ V[:, ::-1][:, :k]
    C = y.max() + 1
    m = [Z[y == c].mean(0) for c in range(C)]
    s = [np.maximum(Z[y == c].var(0), 1e-4).mean() for c in range(C)]
    tot = 0.0
    for a in range(C):
        for b in range(C):
            if a != b:
                sb = (s[a] + s[b]) / 2
                db = ((m[a] - m[b]) ** 2).sum() / (8 * sb) + 0.5 * (np.log(sb) - 0.5 * np.log(s[a]) - 0.5 * np.log(s[b]))
                tot += np.exp(-db)
    return -tot


def knn(F, y, k=5):
    X = F.astype(np.float64)
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    d2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d2, np.inf)
    right = 0
    C = y.max() + 1
    for i in range(len(y)):
        nb = np.argsort(d2[i], kind="stable")[:k]
        votes = np.bincount(y[nb], minlength=C)
        right += votes.argmax() == y[i]
    return 100.0 * right / len(y)


scorers = {"logme": logme, "hscore": hscore, "hscore_reg": hscore_reg, "transrate": transrate, "gbc": gbc,
           "leep": leep, "nce": nce, "knn": knn}
bad = checked = 0
for row in csv.DictReader(open(man_path)):
    f = h5py.File(os.path.join(root, row["path"]), "r")
    F, y = f["features"][...], f["labels"][...].astype(int)
    P = f["source_probs"][...] if "source_probs" in f else None
    for name, fn in scorers.items():
        want = fn(P, y) if name in ("leep", "nce") else fn(F, y)
        g = got[(row["dataset"], row["model"], name)]
        checked += 1
        if g == "" or abs(float(g) - want) > 1e-6 * max(abs(want), 1e-12):
            bad += 1
            print(f"FAIL {row['dataset']}/{row['model']} {name}: numpy {want!r} shardbench {g!r}")
print(f"checked {checked} scorer values against numpy, {bad} differ")
sys.exit(1 if bad or checked == 0 else 0)
