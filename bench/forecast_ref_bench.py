#!/usr/bin/python3
"""Times the Argoverse 2 reference forecasting evaluation on a shardbench forecasting file.

    /usr/bin/python3 bench/forecast_ref_bench.py AV2_API_GITDIR FILE.h5 [LOGS [TOP_K]]

AV2_API_GITDIR: a clone (or the bare git dir) of github.com/argoverse/av2-api; its
src/av2/evaluation/forecasting/eval.py is loaded unchanged by tests/reference/forecast_ref.py's
load_reference (map-free stubs only). FILE.h5: the layout of formats.md with /gt and /pred (as
`shardbench gen forecast` writes it). LOGS: evaluate only the first LOGS logs of /logs
(default: all). The reference's evaluate() starts by converting per-frame tracks; /gt already
holds that conversion, so convert_forecast_labels is replaced by the identity and the timing
covers the evaluation proper (range filter, profiles, the 312 accumulate calls, aggregation),
which is what `shardbench forecast eval` does. Ground-truth frames are visited in /logs order
and timestamp order, predictions of a frame in /pred row order: with /pred grouped that way
(gen forecast writes it so) the reference's tie order is the /pred row order.

Prints `ref_seconds S` (wall), `ref_cpu_seconds S` (its CPU time), `ref_gt_agents N`, `ref_pred_agents N`, `ref_agents_per_s X` (ground-truth
agents per second) and `ref_mean MAP ADE FDE` (np.nanmean over the (profile, category) table,
what shardbench writes in its ALL,ALL row).
"""
import os
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "reference"))
from forecast_ref import load_reference  # noqa: E402


def strings(ds):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in ds[()]]


def read(path, nlogs):
    with h5py.File(path, "r") as f:
        logs, cats = strings(f["logs"]), strings(f["categories"])
        keep = set(range(len(logs) if nlogs is None else min(nlogs, len(logs))))
        g = {k: f["gt/" + k][()] for k in f["gt"]}
        p = {k: f["pred/" + k][()] for k in f["pred"]}
    gt = {}
    order = np.lexsort((g["timestamp_ns"], g["log"]))  # visiting order; stable within a frame
    for i in order:
        if g["log"][i] not in keep:
            continue
        fut = g["future_xy"][i]
        L = int((~np.isnan(fut[:, 0])).sum())
        gt.setdefault(logs[g["log"][i]], {}).setdefault(int(g["timestamp_ns"][i]), []).append({
            "current_translation_m": g["current_xy"][i].astype(float),
            "ego_translation_m": g["ego_xy"][i].astype(float),
            "future_translation_m": fut[:L].astype(float),
            "name": cats[g["category"][i]],
        })
    preds = {}
    for i in range(len(p["log"])):
        if p["log"][i] not in keep:
            continue
        preds.setdefault(logs[p["log"][i]], {}).setdefault(int(p["timestamp_ns"][i]), []).append({
            "current_translation_m": p["current_xy"][i].astype(float),
            "detection_score": float(p["detection_score"][i]),
            "prediction_m": p["modes_xy"][i].astype(float),
            "score": p["mode_scores"][i].astype(float),
            "name": cats[p["category"][i]],
        })
    return gt, preds


def main():
    gitdir, path = sys.argv[1], sys.argv[2]
    nlogs = int(sys.argv[3]) if len(sys.argv) > 3 and int(sys.argv[3]) > 0 else None
    top_k = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    ev = load_reference(gitdir, tempfile.mkdtemp())
    gt, preds = read(path, nlogs)
    n_gt = sum(len(a) for fr in gt.values() for a in fr.values())
    n_pred = sum(len(a) for fr in preds.values() for a in fr.values())
    ev.convert_forecast_labels = lambda labels: labels
    t0, c0 = time.perf_counter(), time.process_time()
    res = ev.evaluate(preds, gt, top_k, 50, None)
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    means = [np.nanmean([m[k] for t in res.values() for m in t.values()]) for k in ("mAP_F", "ADE", "FDE")]
    print("ref_seconds %.3f" % dt)
    print("ref_cpu_seconds %.3f" % dc)
    print("ref_gt_agents %d" % n_gt)
    print("ref_pred_agents %d" % n_pred)
    print("ref_agents_per_s %.1f" % (n_gt / dt))
    print("ref_mean %r %r %r" % tuple(float(x) for x in means))


if __name__ == "__main__":
    main()
