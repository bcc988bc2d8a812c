#!/usr/bin/python3
"""Independent numpy check of the dataset=ALL rows of a leaderboard (used by test_judge_*.sh).

The aggregated tau of specs/transferability.md, written from the spec's words: only pairs of
models of the same dataset are compared; within a dataset r_x is the position in descending
lexicographic order of (x, then y) and r_y of (y, then x), 0 = largest, equal rows ordered as
numpy's reversed stable lexsort; a pair weighs h(r_x,i)+h(r_x,j)+h(r_y,i)+h(r_y,j) with
h(r)=1/(1+r) (weighted) or 1 (plain); tau = (C-D)/sqrt((W-Tx)(W-Ty)); a scorer tied within
every dataset gives 0 when the accuracies are not all equal.

usage: judge_grouped_check.py LEADERBOARD.csv SCORES.csv TRUTH.csv [TOL]  (default columns)"""
import csv
import sys

import numpy as np


def ranks(a, b):
    order = np.lexsort((b, a))[::-1]
    r = np.empty(len(a))
    r[order] = np.arange(len(a))
    return r


def grouped(groups, weighted):
    C = D = Tx = Ty = W = 0.0
    for x, y in groups:
        x, y = np.asarray(x), np.asarray(y)
        h = (lambda r: 1.0 / (1.0 + r)) if weighted else (lambda r: np.ones_like(r))
        hx, hy = h(ranks(x, y)), h(ranks(y, x))
        for i in range(len(x)):
            for j in range(i + 1, len(x)):
                w = hx[i] + hx[j] + hy[i] + hy[j]
                W += w
                s = np.sign(x[i] - x[j]) * np.sign(y[i] - y[j])
                C += w * (s > 0)
                D += w * (s < 0)
                Tx += w * (x[i] == x[j])
                Ty += w * (y[i] == y[j])
    if Tx == W and Ty < W:
        return 0.0
    return (C - D) / np.sqrt((W - Tx) * (W - Ty))


def main():
    board, scores, truth = sys.argv[1:4]
    tol = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-12
    acc = {(r["dataset"], r["model"]): float(r["accuracy"]) for r in csv.DictReader(open(truth))}
    vals = {}
    for r in csv.DictReader(open(scores)):
        vals.setdefault(r["scorer"], {}).setdefault(r["dataset"], {})[r["model"]] = float(r["value"])
    bad = n = 0
    for r in csv.DictReader(open(board)):
        if r["dataset"] != "ALL":
            continue
        per = vals[r["scorer"]]
        groups = [([per[d][m] for m in sorted(per[d])], [acc[(d, m)] for m in sorted(per[d])]) for d in sorted(per)]
        for col, weighted in (("kendall_tau", False), ("weighted_tau", True)):
            want, got = grouped(groups, weighted), float(r[col])
            n += 1
            if abs(want - got) > tol:
                print(f"ALL {r['scorer']} {col}: got {got!r}, numpy {want!r}")
                bad += 1
    print(f"{n} aggregated values checked, {bad} mismatches")
    sys.exit(1 if bad or not n else 0)


if __name__ == "__main__":
    main()
