#!/usr/bin/python3
"""Independent check of the combination table of `transfer evaluate` (test_judge_*.sh).

zmean rows: z-score (ddof 1) each scorer over the models of a dataset (models in byte order),
average; Kendall tau and weighted tau with scipy.stats against the accuracies; the ALL row with
the grouped tau of judge_grouped_check.py; best_scorer_tau = the highest single-scorer tau.
bayes rows (when a weights CSV is given): the held-out prediction is Z @ w_mean of the fit that
left the dataset out (z-scores as above), and its scipy Kendall tau must be the row's.

usage: judge_combination_check.py COMBINATION.csv WEIGHTS.csv|- SCORES TRUTH DCOL MCOL SCOL VCOL ACOL"""
import csv
import os
import sys

import numpy as np
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from judge_grouped_check import grouped  # noqa: E402

comb, weights, scores, truth, dc, mc, sc, vc, ac = sys.argv[1:10]
acc = {(r[dc], r[mc]): float(r[ac]) for r in csv.DictReader(open(truth))}
vals = {}
for r in csv.DictReader(open(scores)):
    vals.setdefault(r[dc], {}).setdefault(r[mc], {})[r[sc]] = float(r[vc])
names = sorted({s for d in vals.values() for m in d.values() for s in m})
data = {}
for d in sorted(vals):
    models = sorted(vals[d])
    X = np.array([[vals[d][m][s] for s in names] for m in models])
    sd = X.std(axis=0, ddof=1)
    Z = np.where(sd > 0, (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1), 0.0)
    data[d] = (X, Z, np.array([acc[(d, m)] for m in models]))


def tau(x, y):
    return 0.0 if len(set(x)) == 1 else stats.kendalltau(x, y)[0]


rows = list(csv.DictReader(open(comb)))
w = {}
if weights != "-":
    for r in csv.DictReader(open(weights)):
        w.setdefault(r["held_out"], {})[r["scorer"]] = float(r["w_mean"])
bad = n = 0


def check(what, got, want, tol=1e-12):
    global bad, n
    n += 1
    if abs(float(got) - want) > tol:
        print(f"{what}: got {got}, want {want!r}")
        bad += 1


for r in rows:
    d = r["dataset"]
    if r["method"] == "zmean" and d != "ALL":
        X, Z, y = data[d]
        z = Z.mean(axis=1)
        check(f"zmean {d} kendall_tau", r["kendall_tau"], tau(z, y))
        check(f"zmean {d} weighted_tau", r["weighted_tau"], stats.weightedtau(z, y)[0])
        check(f"zmean {d} best_scorer_tau", r["best_scorer_tau"], max(tau(X[:, k], y) for k in range(len(names))))
    elif r["method"] == "zmean":
        g = [(data[e][1].mean(axis=1), data[e][2]) for e in sorted(data)]
        check("zmean ALL kendall_tau", r["kendall_tau"], grouped(g, False))
        check("zmean ALL weighted_tau", r["weighted_tau"], grouped(g, True))
        best = max(grouped([(data[e][0][:, k], data[e][2]) for e in sorted(data)], False) for k in range(len(names)))
        check("zmean ALL best_scorer_tau", r["best_scorer_tau"], best)
    elif r["method"] == "bayes" and d != "ALL" and w:
        X, Z, y = data[d]
        pred = Z @ np.array([w[d][s] for s in names])
        check(f"bayes {d} kendall_tau", r["kendall_tau"], tau(pred, y), 1e-9)
        check(f"bayes {d} rhat_max < 1.1", 0 if float(r["rhat_max"]) < 1.1 else 1, 0)
print(f"{n} combination values checked, {bad} mismatches")
sys.exit(1 if bad or not n else 0)
