#!/usr/bin/python3
"""Timing counterpart of bench_transfer in numpy/scipy/sklearn (Debian /usr/bin/python3).

usage: transfer_numpy.py N D C Cs [--all] [name=seconds ...]
Builds its own synthetic float32 unit of the same shape (timing only, values not compared),
times one X^T X and the seven Gram-bounded scorers (logme, leep, nce, hscore, hscore_reg, gbc,
transrate) written plainly in numpy the way the reference code does it (eigh of F^T F, np.cov +
pinv, slogdet per class, sklearn LedoitWolf and full-solver PCA), one after the other, on
the float64 features converted once (as a user calling the public scorers one by one would).
Given shardbench's timings as name=seconds (battery=total of the seven with shared statistics,
dsyrk=its floor) it prints numpy's total beside them. --all adds parc and knn (parc builds the
N x N correlation matrix: skipped above N = 12000, about 8 GB of memory).
Run it with OPENBLAS_NUM_THREADS set to the thread count being compared. Times are this
process's CPU seconds (time.process_time), as bench_transfer's at 1 thread: on a loaded
machine they measure the work, not the wait.
"""
import sys
import time

import numpy as np
import scipy.stats
import sklearn.covariance
import sklearn.decomposition
import sklearn.preprocessing

N, D, C, CS = (int(v) for v in sys.argv[1:5])
ALL = "--all" in sys.argv[5:]
c_times = {}
for a in sys.argv[5:]:
    if "=" in a:
        k, v = a.split("=", 1)
        c_times[k] = float(v)

r = np.random.default_rng(20240601)
y = np.concatenate([np.arange(C), r.integers(0, C, N - C)])
F32 = (0.5 * r.normal(size=(C, D))[y] + r.normal(size=(N, D)) + 0.3 * r.normal(size=(N, 1))).astype(np.float32)
logit = r.normal(size=(N, CS)) + 2.0 * np.eye(CS)[y % CS]
P = np.exp(logit)
P /= P.sum(1, keepdims=True)


def logme(F, y):
    n, d = F.shape
    w, V = np.linalg.eigh(F.T @ F)
    s = np.sqrt(np.abs(w))
    keep = s > 1e-10
    s, V = s[keep], V[:, keep]
    sigma = s**2
    ev = []
    for c in range(y.max() + 1):
        t = (y == c).astype(float)
        x = (V.T @ (F.T @ t)) / s
        x2 = x**2
        res_x2 = t @ t - x2.sum()
        a = b = 1.0
        for _ in range(11):
            lam = a / b
            g = (sigma / (sigma + lam)).sum()
            m2 = (sigma * x2 / (lam + sigma) ** 2).sum()
            res2 = (x2 / (1 + sigma / lam) ** 2).sum() + res_x2
            a, b = g / (m2 + 1e-5), (n - g) / (res2 + 1e-5)
            if abs(a / b - lam) / lam <= 1e-3:
                break
        e = d / 2 * np.log(a) + n / 2 * np.log(b) - 0.5 * np.log(a + b * sigma).sum() - b / 2 * res2 - a / 2 * m2
        ev.append((e - n / 2 * np.log(2 * np.pi)) / n)
    return np.mean(ev)


def leep(P, y):
    J = np.eye(y.max() + 1)[y].T @ P / len(y)
    Q = (J / J.sum(0, keepdims=True)).T
    return np.mean(np.log((P @ Q)[np.arange(len(y)), y]))


def nce(P, y):
    z = P.argmax(1)
    J = np.zeros((y.max() + 1, P.shape[1]))
    np.add.at(J, (y, z), 1.0 / len(y))
    pz = J.sum(0)
    m = pz > 0
    q = J[:, m] / pz[m] + 1e-20
    return (pz[m] * (q * np.log(q)).sum(0)).sum()


def class_mean_rows(F, y):
    M = np.stack([F[y == c].mean(0) for c in range(y.max() + 1)])
    return M[y]


def hscore(F, y):
    return np.trace(np.linalg.pinv(np.cov(F, rowvar=False), rcond=1e-15) @ np.cov(class_mean_rows(F, y), rowvar=False))


def hscore_reg(F, y):
    Fc = F - F.mean(0)
    lw = sklearn.covariance.LedoitWolf().fit(Fc)
    a = lw.shrinkage_
    return np.trace(np.linalg.pinv(lw.covariance_, rcond=1e-15) @ ((1 - a) * np.cov(class_mean_rows(Fc, y), rowvar=False)))


def gbc(F, y):
    Z = sklearn.decomposition.PCA(n_components=min(64, D, N - 1), svd_solver="full").fit_transform(F)
    cs = range(y.max() + 1)
    m = [Z[y == c].mean(0) for c in cs]
    s = [np.maximum(Z[y == c].var(0), 1e-4).mean() for c in cs]
    g = 0.0
    for a in cs:
        for b in cs:
            if a != b:
                sb = (s[a] + s[b]) / 2
                db = ((m[a] - m[b]) ** 2 / sb).sum() / 8 + 0.5 * (np.log(sb) - 0.5 * np.log(s[a]) - 0.5 * np.log(s[b]))
                g += np.exp(-db)
    return -g


def transrate(F, y, eps=1e-4):
    def rate(A):
        return 0.5 * np.linalg.slogdet(np.eye(A.shape[1]) + A.T @ A / (A.shape[0] * eps))[1]

    Z = F - F.mean(0)
    return rate(Z) - np.mean([rate(Z[y == c]) for c in range(y.max() + 1)])


def parc(F, y):
    if N > 12000:
        return None
    Fc = F - F.mean(0)
    w, V = np.linalg.eigh(Fc.T @ Fc)
    Z = Fc @ V[:, ::-1][:, : min(32, N)] if D > 32 else F
    A = 1 - np.corrcoef(sklearn.preprocessing.StandardScaler().fit_transform(Z))
    iu = np.triu_indices(N, 1)
    B = (y[:, None] != y[None, :]).astype(float)
    return 100 * scipy.stats.spearmanr(A[iu], B[iu])[0]


def knn(F, y, k=5, block=1000):
    X = F / np.maximum(np.linalg.norm(F, axis=1, keepdims=True), 1e-300)
    ok = 0
    for i0 in range(0, N, block):
        Dm = 2 - 2 * X[i0 : i0 + block] @ X.T
        Dm[np.arange(Dm.shape[0]), np.arange(i0, i0 + Dm.shape[0])] = np.inf
        nb = np.argpartition(Dm, k, axis=1)[:, :k]
        votes = np.apply_along_axis(lambda v: np.bincount(v, minlength=C).argmax(), 1, y[nb])
        ok += (votes == y[i0 : i0 + block]).sum()
    return 100 * ok / N


t0 = time.process_time()
F = F32.astype(np.float64)
G = F.T @ F
t_gram = time.process_time() - t0
del G
print(f"  {'one X^T X (floor, with the float64 copy)':42s} {t_gram:9.3f} s")
battery = [("logme", logme, True), ("leep", leep, False), ("nce", nce, False), ("hscore", hscore, True),
           ("hscore_reg", hscore_reg, True), ("gbc", gbc, True), ("transrate", transrate, True)]
if ALL:
    battery += [("parc", parc, True), ("knn", knn, True)]
total7 = total = 0.0
for name, fn, on_features in battery:
    t0 = time.process_time()
    v = fn(F if on_features else P, y)
    dt = time.process_time() - t0
    if v is None:
        print(f"  {name:42s}   skipped (N > 12000)")
        continue
    total += dt
    if name not in ("parc", "knn"):
        total7 += dt
    print(f"  {name:42s} {dt:9.3f} s   = {v:.10g}")
print(f"  {'numpy: the seven, one by one':42s} {total7:9.3f} s   ratio to its X^T X {total7 / t_gram:.2f}")
if "battery" in c_times:
    b = c_times["battery"]
    print(f"  {'shardbench battery (same seven + shared)':42s} {b:9.3f} s   ratio to its dsyrk "
          f"{b / c_times.get('dsyrk', float('nan')):.2f}")
    print(f"  numpy / shardbench = {total7 / b:.2f}")
