#!/usr/bin/python3
"""Test helper: writes the forecasting HDF5 layout (formats.md) of tests/data/forecast/preds.csv.

    forecast_h5.py preds.csv gt.h5 pred.h5 one.h5

pred.h5: /logs, /categories, /pred only. Its /logs are the log names in reverse order and its
/categories the 26 names in reverse order, so `forecast eval --pred` must match logs by name
and map categories by name. /pred rows keep the order of preds.csv (the tie order).
one.h5: gt.h5's /logs, /categories and /gt plus /pred in gt.h5's numbering (one-file layout),
with /pred/category stored as int8 and /pred/log as int64, to exercise integer conversion.
"""
import csv
import sys

import h5py
import numpy as np

CATS = ["ARTICULATED_BUS", "BICYCLE", "BICYCLIST", "BOLLARD", "BOX_TRUCK", "BUS",
        "CONSTRUCTION_BARREL", "CONSTRUCTION_CONE", "DOG", "LARGE_VEHICLE",
        "MESSAGE_BOARD_TRAILER", "MOBILE_PEDESTRIAN_CROSSING_SIGN", "MOTORCYCLE", "MOTORCYCLIST",
        "PEDESTRIAN", "REGULAR_VEHICLE", "SCHOOL_BUS", "SIGN", "STOP_SIGN", "STROLLER", "TRUCK",
        "TRUCK_CAB", "VEHICULAR_TRAILER", "WHEELCHAIR", "WHEELED_DEVICE", "WHEELED_RIDER"]
K = 5


def main():
    preds_csv, gt_h5, pred_h5, one_h5 = sys.argv[1:5]
    with open(preds_csv) as f:
        rows = list(csv.reader(f))[1:]
    logs = [r[0] for r in rows]
    ts = np.array([int(r[1]) for r in rows], dtype=np.int64)
    cat = [r[2] for r in rows]
    vals = np.array([[float(x) for x in r[3:]] for r in rows])
    cur, score = vals[:, 0:2], vals[:, 2]
    modes = vals[:, 3:3 + K * 12].reshape(-1, K, 6, 2)
    ms = vals[:, 3 + K * 12:]
    str_t = h5py.string_dtype()

    names = sorted(set(logs))[::-1]
    rcats = CATS[::-1]
    with h5py.File(pred_h5, "w") as f:
        f["logs"] = np.array(names, dtype=object).astype(str_t)
        f["categories"] = np.array(rcats, dtype=object).astype(str_t)
        g = f.create_group("pred")
        g["log"] = np.array([names.index(x) for x in logs], dtype=np.int32)
        g["timestamp_ns"] = ts
        g["category"] = np.array([rcats.index(c) for c in cat], dtype=np.int32)
        g["current_xy"] = cur
        g["detection_score"] = score
        g["modes_xy"] = modes
        g["mode_scores"] = ms

    with h5py.File(gt_h5, "r") as src, h5py.File(one_h5, "w") as f:
        glogs = [x.decode() if isinstance(x, bytes) else x for x in src["logs"][()]]
        f["logs"] = np.array(glogs, dtype=object).astype(str_t)
        f["categories"] = np.array(CATS, dtype=object).astype(str_t)
        src.copy("gt", f)
        g = f.create_group("pred")
        g["log"] = np.array([glogs.index(x) for x in logs], dtype=np.int64)
        g["timestamp_ns"] = ts
        g["category"] = np.array([CATS.index(c) for c in cat], dtype=np.int8)
        g["current_xy"] = cur
        g["detection_score"] = score
        g["modes_xy"] = modes
        g["mode_scores"] = ms


if __name__ == "__main__":
    main()
