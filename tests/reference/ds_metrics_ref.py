"""Expected values of tests/unit/test_ds_metrics.c.

Run: /usr/bin/python3 tests/reference/ds_metrics_ref.py   (numpy 1.24, scikit-learn 1.2)
For each set: sklearn.metrics.accuracy_score(y, s > 0.5), roc_auc_score(y, s),
balanced_accuracy_score(y, s > 0.5); worst-group accuracy as the minimum over the non-empty
groups (y, a) of the mean of (y == (s > 0.5)), computed with numpy. Scores are rounded to one
decimal so that many are tied, within and across classes. Prints C literals (17 digits).
"""
import warnings

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, roc_auc_score


def lit(a, fmt="%.17g"):
    return ", ".join(fmt % v for v in np.ravel(a)).replace("nan", "NAN")


def case(name, s, y, a):
    pred = (s > 0.5).astype(int)
    acc = accuracy_score(y, pred)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bal = balanced_accuracy_score(y, pred)
    try:
        auc = roc_auc_score(y, s)
    except ValueError as e:  # one class present
        auc = float("nan")
        print(f"/* {name}: roc_auc_score raises: {e} */")
    groups = {}
    for yi, ai, ok in zip(y, a, y == pred):
        groups.setdefault((yi, ai), []).append(ok)
    wga = min(np.mean(v) for v in groups.values())
    print(f"static const double {name}_s[] = {{{lit(s)}}};")
    print(f"static const int {name}_y[] = {{{lit(y, '%d')}}};")
    print(f"static const int {name}_a[] = {{{lit(a, '%d')}}};")
    print(f"/* accuracy, auc, balanced_accuracy, worst_group_accuracy; n_groups = {len(groups)} */")
    print(f"static const double {name}_want[] = {{{lit([acc, auc, bal, wga])}}};")


rng = np.random.default_rng(11)
n = 41
y = rng.integers(0, 2, n)
a = np.where(rng.random(n) < 0.8, y, 1 - y)
s = np.round(np.clip(0.5 + 0.25 * (2 * y - 1) + 0.25 * rng.normal(size=n), 0, 1), 1)
case("ties", s, y, a)
# Scores exactly at the threshold (predicted 0) and an empty (y, a) group.
y2 = np.array([0, 0, 0, 1, 1, 1, 1, 0, 1, 0])
a2 = np.array([0, 0, 0, 1, 1, 1, 1, 0, 1, 0])
s2 = np.array([0.5, 0.2, 0.7, 0.5, 0.9, 0.6, 0.5, 0.1, 1.0, 0.0])
case("thr", s2, y2, a2)
# One class only.
y3 = np.ones(7, dtype=int)
a3 = np.array([0, 1, 1, 0, 1, 1, 1])
s3 = np.array([0.9, 0.4, 0.8, 0.8, 0.2, 0.55, 0.51])
case("one", s3, y3, a3)
