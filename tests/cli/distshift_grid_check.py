"""Checks for tests/cli/test_distshift_grid.sh on a small grid's distshift.csv.

finding1 CSV: finding 1 of specs/distshift.md on the grid: anti-aligned accuracy is strictly lower
  at rho_train 0.9 than at 0, for every seed (diversity 0) and in the mean over seeds.
gap CSV: every bias_gap equals aligned - anti-aligned accuracy of the same rho_train, diversity and
  seed, read from the CSV itself (exactly: both are the same doubles subtracted).
sklearn CSV CELL.h5 RHO TEST DIV SEED L2: refits the cell's model outside shardbench with
  scikit-learn 1.2 LogisticRegression(multi_class='multinomial', C=1/(n*l2), lbfgs, tol 1e-10) on
  the data `shardbench gen distshift` wrote for that cell, and compares the row: spurious weight
  share ||w_sp||/||w|| with w = coef[1]-coef[0] to 1e-4, accuracy and worst-group accuracy within
  2/n_test (a sample within solver tolerance of the threshold may flip), AUC to 1e-4. An optional
  9th argument SCOPE picks the row of that diversity_scope (grids with that column).
Run with Debian's /usr/bin/python3."""
import csv
import sys
from collections import defaultdict

import numpy as np


def rows_of(path):
    return list(csv.DictReader(open(path)))


def finding1(path):
    acc = defaultdict(dict)
    for r in rows_of(path):
        if r["test_set"] == "anti_aligned" and float(r["diversity"]) == 0:
            acc[float(r["rho_train"])][int(r["seed"])] = float(r["accuracy"])
    lo, hi = acc[0.0], acc[0.9]
    seeds = sorted(lo)
    ok = len(seeds) == 3 and all(hi[s] < lo[s] for s in seeds)
    print("anti-aligned accuracy rho 0:", [lo[s] for s in seeds], "rho 0.9:", [hi[s] for s in seeds])
    return ok and np.mean([hi[s] for s in seeds]) < np.mean([lo[s] for s in seeds])


def gap(path):
    rows = rows_of(path)
    acc = {(r["rho_train"], r["test_set"], r["diversity"], r["seed"]): float(r["accuracy"]) for r in rows}
    bad = 0
    for r in rows:
        k = (r["rho_train"], r["diversity"], r["seed"])
        want = acc[(k[0], "aligned", k[1], k[2])] - acc[(k[0], "anti_aligned", k[1], k[2])]
        if r["bias_gap"] == "" or float(r["bias_gap"]) != want:
            print("bias_gap", r, "want", want)
            bad += 1
    return bad == 0 and len(rows) > 0


def sklearn_cell(path, cell, rho, test, div, seed, l2, scope=None):
    import h5py
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    with h5py.File(cell, "r") as f:
        X, y = f["P/z"][()], f["P/y"][()]
        Xt, yt, at = f["Q/z"][()], f["Q/y"][()], f["Q/a"][()]
        d_inv = int(f.attrs["d_inv"])
    n = len(y)
    m = LogisticRegression(multi_class="multinomial", C=1.0 / (n * l2), tol=1e-10, max_iter=100000)
    m.fit(X, y)
    s = m.predict_proba(Xt)[:, 1]
    pred = (s > 0.5).astype(int)
    correct = pred == yt
    w = m.coef_[0] if m.coef_.shape[0] == 1 else m.coef_[1] - m.coef_[0]
    want = {"accuracy": correct.mean(), "auc": roc_auc_score(yt, s),
            "worst_group_accuracy": min(correct[(2 * yt + at) == g].mean() for g in np.unique(2 * yt + at)),
            "spurious_weight_share": np.linalg.norm(w[d_inv:]) / np.linalg.norm(w)}
    tol = {"accuracy": 2 / len(yt), "worst_group_accuracy": 2 / len(yt), "auc": 1e-4, "spurious_weight_share": 1e-4}
    row = [r for r in rows_of(path) if float(r["rho_train"]) == rho and r["test_set"] == test
           and float(r["diversity"]) == div and int(r["seed"]) == seed
           and (scope is None or r["diversity_scope"] == scope)]
    assert len(row) == 1, row
    bad = 0
    for k, v in want.items():
        got = float(row[0][k])
        print(f"{k}: shardbench {got:.6f} sklearn {v:.6f}")
        bad += not abs(got - v) <= tol[k]
    return bad == 0


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "finding1":
        ok = finding1(sys.argv[2])
    elif what == "gap":
        ok = gap(sys.argv[2])
    else:
        a = sys.argv[2:]
        ok = sklearn_cell(a[0], a[1], float(a[2]), a[3], float(a[4]), int(a[5]), float(a[6]),
                          a[7] if len(a) > 7 else None)
    sys.exit(0 if ok else 1)
