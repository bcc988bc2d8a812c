#!/usr/bin/python3
"""Test helper: checks shardbench's forecasting outputs against tests/data/forecast/.

    forecast_check.py gt DATA_DIR GT.h5
        /gt of `forecast convert` equals gt_expected.csv, the rows that the Argoverse 2
        reference's convert_forecast_labels produced (tests/reference/forecast_ref.py), row by
        row (same order), exactly.
    forecast_check.py eval DATA_DIR TOP_K forecasting.csv forecasting_logs.csv
        every (profile, category) row's mAP_F, ADE, FDE equals the reference's rounded table
        for that top_k ("table" rows of expected.csv) and the ALL,ALL row its np.nanmean
        summaries ("mean" row), to 1e-9; the per-profile (category=ALL) and per-category
        (profile=ALL) rows equal np.nanmean of the reference's table over categories /
        profiles; n_gt, n_pred and pred_dropped equal what this script computes from the spec
        with numpy on gt_expected.csv and preds.csv (an independent implementation of the range
        filter and the profile rules of specs/forecasting.md).
Exit status 0 when everything agrees; each mismatch is printed.
"""
import csv
import sys

import h5py
import numpy as np

TOL = 1e-9
PROFILES = ["static", "linear", "non-linear"]
SPEED = {"ARTICULATED_BUS": 4.58, "BICYCLE": 0.97, "BICYCLIST": 3.61, "BOLLARD": 0.02,
         "BOX_TRUCK": 2.59, "BUS": 3.10, "CONSTRUCTION_BARREL": 0.03, "CONSTRUCTION_CONE": 0.02,
         "DOG": 0.72, "LARGE_VEHICLE": 1.56, "MESSAGE_BOARD_TRAILER": 0.41,
         "MOBILE_PEDESTRIAN_CROSSING_SIGN": 0.03, "MOTORCYCLE": 1.58, "MOTORCYCLIST": 4.08,
         "PEDESTRIAN": 0.80, "REGULAR_VEHICLE": 2.36, "SCHOOL_BUS": 4.44, "SIGN": 0.05,
         "STOP_SIGN": 0.09, "STROLLER": 0.91, "TRUCK": 2.76, "TRUCK_CAB": 2.36,
         "VEHICULAR_TRAILER": 1.72, "WHEELCHAIR": 1.50, "WHEELED_DEVICE": 0.37,
         "WHEELED_RIDER": 2.03}
CATS = list(SPEED)
SCALAR = np.linspace(0, 1, 7)
K = 5
errors = []


def bad(msg):
    errors.append(msg)
    print("mismatch:", msg)


def close(a, b):
    if np.isnan(a) or np.isnan(b):
        return np.isnan(a) and np.isnan(b)
    return abs(a - b) <= TOL * max(1.0, abs(b))


def num(s):
    return float("nan") if s in ("", "nan") else float(s)


def read(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def check_gt(data, h5):
    exp = read(data + "/gt_expected.csv")
    with h5py.File(h5, "r") as f:
        logs = [x.decode() if isinstance(x, bytes) else x for x in f["logs"][()]]
        cats = [x.decode() if isinstance(x, bytes) else x for x in f["categories"][()]]
        g = {k: f["gt/" + k][()] for k in f["gt"]}
    if len(exp) != len(g["log"]):
        bad("gt: %d rows, reference %d" % (len(g["log"]), len(exp)))
        return
    for i, r in enumerate(exp):
        got = [logs[g["log"][i]], int(g["timestamp_ns"][i]), cats[g["category"][i]]]
        want = [r["log"], int(r["timestamp_ns"]), r["category"]]
        fut = g["future_xy"][i].reshape(-1)
        wfut = np.array([num(r["f%d_%s" % (s, c)]) for s in range(1, 7) for c in "xy"])
        vals = np.concatenate([g["current_xy"][i], g["ego_xy"][i]])
        wvals = np.array([float(r[k]) for k in ("x", "y", "ego_x", "ego_y")])
        if got != want or not np.array_equal(vals, wvals) or not np.array_equal(fut, wfut, equal_nan=True):
            bad("gt row %d: %s %s %s, reference %s %s %s" % (i, got, vals, fut, want, wvals, wfut))


def profile(c, first, last, steps, cat, scalar):
    tau = 1 + scalar * SPEED[cat]
    if np.linalg.norm(last - c) < tau:
        return 0
    v = (first - c) / 0.5
    if np.linalg.norm(last - (c + steps * 0.5 * v)) < tau:
        return 1
    return 2


def counts(data):
    gt = read(data + "/gt_expected.csv")
    with open(data + "/preds.csv") as f:
        preds = list(csv.reader(f))[1:]
    n_gt = np.zeros((3, 26), dtype=int)
    n_pred = np.zeros((3, 26), dtype=int)
    ego, dropped = {}, {}
    for r in gt:
        key = (r["log"], int(r["timestamp_ns"]))
        c = np.array([float(r["x"]), float(r["y"])])
        e = np.array([float(r["ego_x"]), float(r["ego_y"])])
        L = int(r["len"])
        fut = np.array([[float(r["f%d_x" % s]), float(r["f%d_y" % s])] for s in range(1, L + 1)])
        if np.linalg.norm(c - e) < 50:
            ego.setdefault(key, e)
            n_gt[profile(c, fut[0], fut[-1], L, r["category"], SCALAR[L]), CATS.index(r["category"])] += 1
    for r in preds:
        key = (r[0], int(r[1]))
        dropped.setdefault(r[0], 0)
        if key not in ego:
            dropped[r[0]] += key not in {(g["log"], int(g["timestamp_ns"])) for g in gt}
            continue
        v = [float(x) for x in r[3:]]
        c = np.array(v[0:2])
        modes = np.array(v[3:3 + K * 12]).reshape(K, 6, 2)
        best = int(np.argmax(v[3 + K * 12:]))
        if np.linalg.norm(c - ego[key]) < 50:
            n_pred[profile(c, modes[best][0], modes[best][-1], 6, r[2], SCALAR[K]), CATS.index(r[2])] += 1
    return n_gt, n_pred, dropped


def check_eval(data, top_k, out_csv, logs_csv):
    exp = [r for r in read(data + "/expected.csv") if r["top_k"] == top_k]
    table = {(r["profile"], r["category"]): [num(r[k]) for k in "abc"] for r in exp if r["kind"] == "table"}
    mean = [num(exp[-1][k]) for k in "abc"] if exp[-1]["kind"] == "mean" else None
    got = {(r["profile"], r["category"]): r for r in read(out_csv)}
    n_gt, n_pred, dropped = counts(data)
    want = dict(table)
    for p in PROFILES:
        want[(p, "ALL")] = [np.nanmean([table[(p, c)][j] for c in CATS]) if any(
            not np.isnan(table[(p, c)][j]) for c in CATS) else float("nan") for j in range(3)]
    for c in CATS:
        want[("ALL", c)] = [np.nanmean([table[(p, c)][j] for p in PROFILES]) if any(
            not np.isnan(table[(p, c)][j]) for p in PROFILES) else float("nan") for j in range(3)]
    want[("ALL", "ALL")] = mean
    if len(got) != len(want) or set(got) != set(want):
        bad("rows: %s" % sorted(set(got) ^ set(want)))
    for key, w in want.items():
        r = got.get(key)
        if r is None:
            continue
        for j, col in enumerate(("mAP_F", "ADE", "FDE")):
            if not close(num(r[col]), w[j]):
                bad("%s %s: %s, reference %r" % (key, col, r[col], w[j]))
        pi = PROFILES.index(key[0]) if key[0] != "ALL" else slice(None)
        ci = CATS.index(key[1]) if key[1] != "ALL" else slice(None)
        if int(r["n_gt"]) != int(np.sum(n_gt[pi, ci])) or int(r["n_pred"]) != int(np.sum(n_pred[pi, ci])):
            bad("%s n_gt/n_pred: %s/%s, numpy %d/%d" % (key, r["n_gt"], r["n_pred"],
                np.sum(n_gt[pi, ci]), np.sum(n_pred[pi, ci])))
    for r in read(logs_csv):
        if int(r["pred_dropped"]) != dropped.get(r["log"], 0):
            bad("log %s pred_dropped %s, numpy %d" % (r["log"], r["pred_dropped"], dropped.get(r["log"], 0)))


def main():
    if sys.argv[1] == "gt":
        check_gt(sys.argv[2], sys.argv[3])
    else:
        check_eval(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
