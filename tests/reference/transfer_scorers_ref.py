#!/usr/bin/python3
"""Expected values for tests/unit/test_scorers*.c, computed by the public reference code.

usage: /usr/bin/python3 tests/reference/transfer_scorers_ref.py MIRROR_DIR
  MIRROR_DIR holds the fetched repositories (each as OWNER+NAME/repo, a bare git dir):
    thuml/LogME                          LogME.py (fit = _fit_fixed_point), LEEP.py, NCE.py
    thuml/Transfer-Learning-Library      tllib/ranking/transrate.py (transrate)
    VirtualSpaceman/transfer-estimation-medical  transfer_metrics/hscore.py (h_score,
                                         regularized_h_score), transfer_metrics/gbc.py
    dbolya/parc                          methods.py (PARC.get_parc_correlation)
Each reference file is read with `git show HEAD:path` and exec'd unchanged; only missing
third-party modules are stubbed (numba.njit = identity; pandas/torch-using `datasets` module).
Inputs are generated here with a fixed numpy seed and printed as C literals.
GBC: the medical port calls PCA(n_components=64) which sklearn rejects for D < 64; its module's
PCA name is replaced by sklearn PCA with n_components clamped to min(64, D, N-1) and
svd_solver='full' (the exact PCA the spec asks for).
PARC with D > 32: exact PCA (numpy eigh of the centred Gram, top 32, each component's
largest-|loading| made positive, as the spec) replaces dbolya's randomized PCA; the reduced
features then go through dbolya's own get_parc_correlation.
kNN (no reference repository): numpy directly, as the spec defines it.
"""
import subprocess
import sys
import types

import numpy as np
import scipy.stats
import sklearn.decomposition
import sklearn.preprocessing

MIRROR = sys.argv[1]


def src(repo, path):
    return subprocess.check_output(["git", "-C", f"{MIRROR}/{repo}/repo", "show", f"HEAD:{path}"]).decode()


def load(repo, path, extra=None):
    ns = {"__name__": path}
    if extra:
        ns.update(extra)
    exec(compile(src(repo, path), f"{repo}:{path}", "exec"), ns)
    return ns


numba = types.ModuleType("numba")
numba.njit = lambda f=None, **k: f if f is not None else (lambda g: g)
sys.modules["numba"] = numba
for stub in ("pandas", "datasets", "torch"):
    sys.modules.setdefault(stub, types.ModuleType(stub))
sys.modules["constants"] = types.ModuleType("constants")

logme = load("thuml+LogME", "LogME.py")
leep = load("thuml+LogME", "LEEP.py")
nce = load("thuml+LogME", "NCE.py")
transrate = load("thuml+Transfer-Learning-Library", "tllib/ranking/transrate.py")
hs = load("VirtualSpaceman+transfer-estimation-medical", "transfer_metrics/hscore.py")
gbc = load("VirtualSpaceman+transfer-estimation-medical", "transfer_metrics/gbc.py")
parc = load("dbolya+parc", "methods.py")


def clamped_pca(n_components=64, **kw):
    return sklearn.decomposition.PCA(n_components=n_components, svd_solver="full")


def gbc_ref(F, y):
    k = min(64, F.shape[1], F.shape[0] - 1)
    gbc["PCA"] = lambda n_components=64, random_state=None: sklearn.decomposition.PCA(n_components=k, svd_solver="full")
    return gbc["bhattacharyya_coefficient"](F, y, "spherical")


def exact_pca(F, k):
    Fc = F - F.mean(axis=0)
    w, V = np.linalg.eigh(Fc.T @ Fc)
    V = V[:, ::-1][:, :k]
    for j in range(k):
        a = np.argmax(np.abs(V[:, j]))
        if V[a, j] < 0:
            V[:, j] = -V[:, j]
    return Fc @ V


def parc_ref(F, y, C, tie_digits=None):
    """dbolya's get_parc_correlation with the spec's exact B: numpy's corrcoef of one-hot rows
    leaves 2.2e-16 on some same-class pairs (and 1.4999999999999998 on some others), which
    breaks the ties B must have and moves the reference by a few percent on small problems
    (dbolya's own value is printed in a comment). A is computed exactly as dbolya does."""
    Fr = exact_pca(F, min(32, F.shape[0])) if F.shape[1] > 32 else F
    m = parc["PARC"]()
    own = m.get_parc_correlation(Fr, np.eye(C)[y])
    A = 1 - np.corrcoef(sklearn.preprocessing.StandardScaler().fit_transform(Fr))
    if tie_digits is not None:
        # Duplicated rows: numpy leaves 1 - corr = 2.2e-16 on some identical pairs and 0 on
        # others; rounding restores the exact ties the mathematics has.
        A = np.round(A, tie_digits)
    B = np.where(y[:, None] == y[None, :], 0.0, 1.0 + 1.0 / (C - 1))
    val = scipy.stats.spearmanr(m.get_lowertri(A), m.get_lowertri(B))[0] * 100
    print(f"/* parc: dbolya get_parc_correlation (inexact one-hot B) = {own!r}; exact B = {val!r} */")
    return val


def knn_ref(F, y, k=5):
    nrm = np.linalg.norm(F, axis=1, keepdims=True)
    X = np.where(nrm > 0, F / np.where(nrm > 0, nrm, 1), 0)
    D2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    n = len(y)
    ok = 0
    for i in range(n):
        idx = [j for j in np.lexsort((np.arange(n), D2[i])) if j != i][:k]
        ok += int(np.argmax(np.bincount(y[idx], minlength=y.max() + 1)) == y[i])
    return 100.0 * ok / n


def problem(seed, n, d, c, cs):
    r = np.random.default_rng(seed)
    y = np.concatenate([np.arange(c), r.integers(0, c, n - c)])
    r.shuffle(y)
    mix = r.normal(size=(d, d)) / np.sqrt(d)
    cm = r.normal(size=(c, d))
    F = (r.normal(size=(n, d)) @ mix + 0.8 * cm[y]).astype(np.float32).astype(np.float64)
    logits = r.normal(size=(n, cs)) + 1.5 * np.eye(cs)[y % cs]
    P = np.exp(logits)
    P /= P.sum(axis=1, keepdims=True)
    return F, y, P


def lit(a):
    return ", ".join(repr(float(v)) for v in np.ravel(a))


def emit(tag, F, y, P, c):
    n, d = F.shape
    print(f"/* {tag}: N={n}, D={d}, C={c}, Cs={P.shape[1]} */")
    print(f"static const double {tag}_F[{n * d}] = {{{lit(F)}}};")
    print(f"static const int {tag}_y[{n}] = {{{', '.join(str(int(v)) for v in y)}}};")
    print(f"static const double {tag}_P[{P.size}] = {{{lit(P)}}};")
    vals = {
        "logme": logme["LogME"]().fit(F, y),
        "leep": leep["LEEP"](P, y),
        "nce": nce["NCE"](np.argmax(P, axis=1), y),
        "hscore": hs["h_score"](F, y),
        "hscore_reg": hs["regularized_h_score"](F, y),
        "gbc": gbc_ref(F, y),
        "transrate": transrate["transrate"](F, y),
        "parc": parc_ref(F, y, c),
        "knn": knn_ref(F, y),
    }
    print(f"static const sb_expect {tag}_expect[] = {{")
    for k, v in vals.items():
        print(f'    {{"{k}", {float(v)!r}}},')
    print("};")


def degenerate(seed):
    """N=30, D=6: column 4 constant, column 5 a copy of column 0, class 2 has one sample."""
    F, y, P = problem(seed, 30, 6, 3, 4)
    y = np.where(y == 2, 1, y)
    y[7] = 2
    F[:, 4] = 0.5
    F[:, 5] = F[:, 0]
    return F, y, P


print("/* Generated by tests/reference/transfer_scorers_ref.py MIRROR_DIR (see that file); do not edit. */")
print("/* expected values: the reference code named there, run with Debian /usr/bin/python3 */")
emit("small", *problem(20260601, 60, 8, 3, 5)[:3], 3)
emit("wide", *problem(20260602, 60, 40, 4, 5)[:3], 4)
emit("thin", *problem(20260603, 12, 16, 3, 5)[:3], 3)
emit("degen", *degenerate(20260604), 3)


def emit_parc(tag, F, y, c, tie_digits=None):
    """PARC only, on inputs whose pair distances pile into few histogram buckets."""
    n, d = F.shape
    print(f"/* {tag}: N={n}, D={d}, C={c} (PARC only) */")
    print(f"static const double {tag}_F[{n * d}] = {{{lit(F)}}};")
    print(f"static const int {tag}_y[{n}] = {{{', '.join(str(int(v)) for v in y)}}};")
    print(f"static const double {tag}_parc = {float(parc_ref(F, y, c, tie_digits))!r};")


r = np.random.default_rng(20260605)
# dense: rows ≈ ±s_i·w, so after scaling most correlations are within 1e-3 of ±1: thousands of
# distinct values per bucket near A = 0 and A = 2.
s = r.normal(size=(1200, 1))
dense = (s * np.array([[1.0, 2.0, -1.0, 0.5]]) + 0.01 * r.normal(size=(1200, 4))).astype(np.float32).astype(np.float64)
emit_parc("dense", dense, r.integers(0, 3, 1200), 3)
# ties: 6 distinct rows repeated 20 times: A takes few values, huge tie groups.
base = r.normal(size=(6, 5)).astype(np.float32).astype(np.float64)
idx = np.repeat(np.arange(6), 20)
yt = (idx + r.integers(0, 2, 120)) % 3
emit_parc("ties", base[idx], yt, 3, tie_digits=12)
