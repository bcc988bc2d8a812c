"""Input and expected values for tests/cli/test_distshift_eval.sh.

make OUT.h5: writes /sets/<name> evaluation sets (good ones, with ties, one class, user groups,
a threshold attribute; and bad ones, each broken in one field).
check OUT.h5 distshift.csv failures.csv: recomputes every metric of every good set with
scikit-learn (accuracy_score, roc_auc_score, balanced_accuracy_score) and plain numpy (worst-group
accuracy over the non-empty groups), outside shardbench, and compares: AUC to 1e-12, the other
metrics to 1e-12 too (they are ratios of counts). Each bad set must be in failures.csv with a
message naming the file, the set and the field. Run with Debian's /usr/bin/python3."""
import csv
import sys

import h5py
import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, roc_auc_score

BAD = {  # set -> words its failure message must contain (besides the file name)
    "bad_score_range": ["bad_score_range", "score"],
    "bad_score_nan": ["bad_score_nan", "score"],
    "bad_label": ["bad_label", "label"],
    "bad_spurious_length": ["bad_spurious_length", "spurious"],
    "bad_group_length": ["bad_group_length", "group"],
    "bad_empty": ["bad_empty", "score"],
}


def make(path):
    rng = np.random.default_rng(7)
    with h5py.File(path, "w") as f:
        def put(name, score, label, spurious=None, group=None, threshold=None):
            g = f.create_group("sets/" + name)
            g["score"] = np.asarray(score, dtype=np.float64)
            g["label"] = np.asarray(label, dtype=np.int64)
            if spurious is not None:
                g["spurious"] = np.asarray(spurious, dtype=np.int32)
            if group is not None:
                g["group"] = np.asarray(group, dtype=np.int64)
            if threshold is not None:
                g.attrs["threshold"] = threshold
        n = 500
        y = rng.integers(0, 2, n)
        a = np.where(rng.random(n) < 0.8, y, 1 - y)
        s = 1 / (1 + np.exp(-(1.2 * (2 * y - 1) + 0.8 * (2 * a - 1) + rng.normal(size=n))))
        put("plain", s, y, a)
        # Scores rounded to one decimal: many ties across the classes (and exactly 0.5 values).
        put("ties", np.round(s, 1), y, a)
        put("threshold", s.astype(np.float32), y, a, threshold=0.3)
        put("user_groups", s, y, group=rng.integers(-3, 4, n) * 1000)
        put("no_spurious", np.round(s, 2), y)
        one = y == 1
        put("one_class", s[one], y[one], a[one])
        put("bad_score_range", np.where(np.arange(n) == 17, 1.5, s), y, a)
        put("bad_score_nan", np.where(np.arange(n) == 3, np.nan, s), y, a)
        put("bad_label", s, np.where(np.arange(n) == 9, 2, y), a)
        put("bad_spurious_length", s, y, a[:-4])
        put("bad_group_length", s, y, group=np.zeros(n + 2, dtype=np.int64))
        put("bad_empty", np.zeros(0), np.zeros(0, dtype=np.int64))


def worst_group(correct, keys):
    return min(correct[keys == k].mean() for k in np.unique(keys)), len(np.unique(keys))


def check(h5, out_csv, failures_csv):
    rows = {r["set"]: r for r in csv.DictReader(open(out_csv))}
    fails = {r["unit"].split("/", 1)[1]: r for r in csv.DictReader(open(failures_csv))}
    bad = 0
    with h5py.File(h5, "r") as f:
        for name in f["sets"]:
            if name in BAD:
                msg = fails.get(name, {}).get("message", "")
                need = BAD[name] + [h5.split("/")[-1]]
                if name in rows or not all(w in msg for w in need) or "\n" in msg:
                    print(f"FAIL {name}: failure message {msg!r} should name {need}")
                    bad += 1
                continue
            g = f["sets"][name]
            s = g["score"][()].astype(np.float64)
            y = g["label"][()]
            thr = float(g.attrs.get("threshold", 0.5))
            pred = (s > thr).astype(int)
            correct = (pred == y).astype(float)
            if "group" in g:
                keys = g["group"][()]
            elif "spurious" in g:
                keys = 2 * y + g["spurious"][()]
            else:
                keys = y
            wga, ng = worst_group(correct, keys)
            want = {"n": len(y), "accuracy": accuracy_score(y, pred),
                    "balanced_accuracy": balanced_accuracy_score(y, pred) if len(set(y)) > 1 else correct.mean(),
                    "worst_group_accuracy": wga, "n_groups": ng}
            want["auc"] = roc_auc_score(y, s) if len(set(y)) > 1 else None
            r = rows.get(name)
            if r is None:
                print(f"FAIL {name}: no row")
                bad += 1
                continue
            for k, v in want.items():
                got = r[k]
                if v is None:
                    ok = got == "" and "class" in r["reason"]
                else:
                    ok = got != "" and abs(float(got) - v) <= 1e-12 * max(1.0, abs(v))
                if not ok:
                    print(f"FAIL {name}.{k}: got {got!r} want {v!r} (reason {r['reason']!r})")
                    bad += 1
    print(f"checked {len(rows)} rows and {len(BAD)} bad sets: {bad} problems")
    return bad == 0


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        sys.exit(0 if check(sys.argv[2], sys.argv[3], sys.argv[4]) else 1)
