"""Expected values of tests/unit/test_ds_shift.c from the OoD-Bench reference estimator.

Run: /usr/bin/python3 tests/reference/ds_shift_ref.py OOD_BENCH_REPO
     (numpy 1.24, scipy 1.10, scikit-learn 1.2; the path is the fetched m-Just/OoD-Bench
     repository, commit 0c34a79; a bare mirror is exported with git archive, a checkout is
     used as it is).

What it does, following that repository's ood_bench/scripts/quantify.py __main__ block, with
nothing in its math changed:
  * makes raw P and Q (d=2, labels 0/1/2, unequal class counts) with numpy;
  * pairs classes as distshift.md step 1 (first min(n_P(y), n_Q(y)) rows per class, file order);
    class 2 has 1 paired row, so its KDE fails and the reference skips it;
  * StandardScaler().fit(concat(P, Q)) and transforms P and Q (as quantify.py);
  * r = gaussian_kde(pooled.T); points = r.resample(M, seed=5) (the points are then written
    out and given to the C code explicitly); probs = r(points); p, q = gaussian_kde(P.T)(points),
    gaussian_kde(Q.T)(points);
  * div = quantify.compute_div(p, q, probs, eps_div, legacy_mode) and
    cor = quantify.compute_cor(yP, P, yQ, Q, p, q, probs, points, eps_cor, legacy_mode),
    for (eps_div, eps_cor, legacy_mode) in the CONFIGS below. legacy_mode=True is the spec's
    |.| formulas; legacy_mode=False the reference's default (Hellinger-type) ones.
quantify.py imports ood_bench.config and ood_bench.utils only for its __main__ block; they need
torch and DomainBed, so they are replaced by empty modules before the import.
"""
import contextlib
import io
import os
import subprocess
import sys
import tempfile
import types

import numpy as np
from scipy.stats import gaussian_kde
from sklearn.preprocessing import StandardScaler

repo = sys.argv[1]
if not os.path.isdir(os.path.join(repo, "ood_bench")):
    # A bare mirror (as the fetch tool leaves it): export the package at HEAD.
    tree = tempfile.mkdtemp(prefix="oodbench-")
    archive = subprocess.run(["git", "--git-dir", repo, "archive", "HEAD", "ood_bench"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
    repo = tree
sys.path.insert(0, repo)
import ood_bench  # noqa: E402

for name in ("config", "utils"):
    stub = types.ModuleType("ood_bench." + name)
    sys.modules["ood_bench." + name] = stub
    setattr(ood_bench, name, stub)
from ood_bench.scripts import quantify  # noqa: E402

CONFIGS = [(1e-12, 5e-4, True), (1e-3, 5e-4, True), (1e-12, 5e-4, False), (1e-3, 1e-2, False)]
M = 200


def lit(a, fmt="%.17g"):
    return ", ".join(fmt % v for v in np.ravel(a))


rng = np.random.default_rng(60)
# P: class 0 around (0, 0), class 1 around (2, 1); Q: class 1 moved and wider, plus a far
# cluster of class 0 (a pattern P never shows), so both div and cor are non-zero.
yP = np.array([0] * 35 + [1] * 30 + [2] * 2)
yQ = np.array([0] * 28 + [1] * 40 + [2] * 1)
rng.shuffle(yP)
rng.shuffle(yQ)
zP = np.zeros((len(yP), 2))
zQ = np.zeros((len(yQ), 2))
zP[yP == 0] = rng.normal([0.0, 0.0], 0.7, (35, 2))
zP[yP == 1] = rng.normal([2.0, 1.0], 0.7, (30, 2))
zP[yP == 2] = rng.normal([1.0, -1.0], 0.5, (2, 2))
q0 = rng.normal([0.0, 0.0], 0.7, (28, 2))
q0[:8] += [6.0, -4.0]
zQ[yQ == 0] = q0
zQ[yQ == 1] = rng.normal([1.0, 2.0], 1.0, (40, 2))
zQ[yQ == 2] = rng.normal([1.0, -1.0], 0.5, (1, 2))
zP = np.round(zP, 6)
zQ = np.round(zQ, 6)


def pair(z, y, counts):
    keep, seen = [], {}
    for i, c in enumerate(y):
        if seen.get(c, 0) < counts.get(c, 0):
            seen[c] = seen.get(c, 0) + 1
            keep.append(i)
    return z[keep], y[keep]


counts = {c: min(np.sum(yP == c), np.sum(yQ == c)) for c in np.union1d(yP, yQ)}
pz, py = pair(zP, yP, counts)
qz, qy = pair(zQ, yQ, counts)
scaler = StandardScaler().fit(np.append(pz, qz, 0))
z_all, pz_s, qz_s = map(scaler.transform, (np.append(pz, qz, 0), pz, qz))
r = gaussian_kde(z_all.T)
points = r.resample(M, seed=5)
probs = r(points)
p = gaussian_kde(pz_s.T)(points)
q = gaussian_kde(qz_s.T)(points)

print(f"/* P: {len(yP)} rows, Q: {len(yQ)} rows, paired counts {counts} */")
print(f"static const double zP[] = {{{lit(zP)}}};")
print(f"static const int yP[] = {{{lit(yP, '%d')}}};")
print(f"static const double zQ[] = {{{lit(zQ)}}};")
print(f"static const int yQ[] = {{{lit(yQ, '%d')}}};")
print(f"/* {M} points = gaussian_kde(pooled standardised).resample({M}, seed=5), as rows */")
print(f"static const double points[] = {{{lit(points.T)}}};")
print("/* eps_div, eps_cor, hellinger (= not legacy_mode), div, cor */")
rows = []
for eps_div, eps_cor, legacy in CONFIGS:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        div = quantify.compute_div(p, q, probs, eps_div, legacy_mode=legacy)
        cor = quantify.compute_cor(py, pz_s, qy, qz_s, p, q, probs, points, eps_cor,
                                   legacy_mode=legacy)
    log = " | ".join(out.getvalue().strip().splitlines())
    print(f"/* reference log: {log} */")
    rows.append(f"{{{eps_div!r}, {eps_cor!r}, {0 if legacy else 1}, {div:.17g}, {cor:.17g}}}")
print("static const double want[][5] = {" + ",\n    ".join(rows) + "};")
