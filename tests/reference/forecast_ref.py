#!/usr/bin/python3
"""Expected values for tests/unit/test_forecast_ref.c from the Argoverse 2 reference.

Usage (Debian's python: numpy 1.24):
    /usr/bin/python3 tests/reference/forecast_ref.py GITDIR tests/data/forecast

GITDIR is the fetched argoverse/av2-api repository (a clone or a bare git dir;
used at commit b7321d1f71f6ce0ecdd151f4f2b648338c191edd).
The script takes src/av2/evaluation/{__init__,typing}.py and
src/av2/evaluation/forecasting/{__init__,constants,utils,eval}.py from it with `git show`,
imports them unchanged as the package av2.evaluation.forecasting, and stubs only what is not
installed and not used without a dataset directory: click, tqdm, av2.utils.typing (type
aliases) and av2.evaluation.detection.utils (the map/ROI code; dataset_dir=None skips it).

It writes, into the output folder:
  tracks.csv        per-frame boxes (seeded generator below; rows shuffled within each log)
  preds.csv         predictions, K = 5 modes, rows grouped by frame in the order the
                    reference visits frames (so the row index is the reference's tie-break)
  gt_expected.csv   the rows of eval.convert_forecast_labels(labels)
  expected.csv      eval.evaluate(preds, labels, top_k, 50, None) for top_k 1 and 5: the
                    unrounded (ap, ade, fde) of every eval.accumulate call ("cell" rows), the
                    rounded table ("table" rows) and the runner's np.nanmean summaries ("mean")
The inputs are written first and read back, so the reference sees exactly the printed values
(repr, 17 significant digits) that the C test reads.
"""
import csv
import importlib
import os
import subprocess
import sys
import types

import numpy as np

REF_FILES = [
    "src/av2/evaluation/__init__.py",
    "src/av2/evaluation/typing.py",
    "src/av2/evaluation/forecasting/__init__.py",
    "src/av2/evaluation/forecasting/constants.py",
    "src/av2/evaluation/forecasting/utils.py",
    "src/av2/evaluation/forecasting/eval.py",
]


def load_reference(gitdir, tmp):
    for path in REF_FILES:
        text = subprocess.run(["git", "-C", gitdir, "show", "HEAD:" + path], check=True,
                              capture_output=True).stdout
        dst = os.path.join(tmp, path)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "wb") as f:
            f.write(text)
    src = os.path.join(tmp, "src")

    def stub(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    def passthrough(*a, **k):
        return lambda f: f

    stub("click", command=passthrough, option=passthrough)
    stub("tqdm", tqdm=lambda x, **k: x)
    av2 = stub("av2")
    av2.__path__ = [os.path.join(src, "av2")]
    stub("av2.utils").__path__ = []
    stub("av2.utils.typing", NDArrayFloat=np.ndarray, NDArrayInt=np.ndarray,
         NDArrayBool=np.ndarray)

    def no_roi(*a, **k):
        raise RuntimeError("ROI filtering is out of scope (dataset_dir=None)")

    ev = importlib.import_module("av2.evaluation")
    det = stub("av2.evaluation.detection")
    det.__path__ = []
    ev.detection = det
    stub("av2.evaluation.detection.utils", compute_objects_in_roi_mask=no_roi,
         load_mapped_avm_and_egoposes=no_roi)
    return importlib.import_module("av2.evaluation.forecasting.eval")


# ---------------------------------------------------------------- synthetic scenes
CATS = ["REGULAR_VEHICLE", "PEDESTRIAN", "BICYCLIST", "BUS", "BOLLARD", "STROLLER",
        "WHEELED_DEVICE"]
NO_PRED_CATS = {"STROLLER"}           # a category with GT but no prediction
FP_ONLY_CAT = "DOG"                   # a category with predictions but no GT
BASE_TS = 315967376859506000
K = 5


def rnd(x, d=3):
    return float(np.round(x, d))


def make_scenes(seed=20240607):
    rng = np.random.default_rng(seed)
    logs = {}
    for name in ["log_a", "log_b", "log_c"]:
        nframes = 9
        ego = [(0.0 + 1.5 * i, 0.0 + 0.2 * i) for i in range(nframes)]
        tracks = []
        # a bollard near the ego in every frame: every GT frame keeps an in-range agent
        tracks.append(dict(id=name + "-bollard", cat="BOLLARD", kind="static",
                           p0=np.array([ego[0][0] + 3.0, ego[0][1] + 2.0]), v=np.zeros(2),
                           frames=set(range(nframes))))
        for t in range(12):
            cat = CATS[rng.integers(len(CATS))]
            kind = ["static", "linear", "turn"][rng.integers(3)]
            speed = {"static": 0.0, "linear": 1.0, "turn": 1.0}[kind] * rng.uniform(0.5, 8.0)
            ang = rng.uniform(0, 2 * np.pi)
            far = rng.uniform() < 0.12
            r = rng.uniform(52, 60) if far else rng.uniform(2, 35)
            a = rng.uniform(0, 2 * np.pi)
            p0 = np.array([r * np.cos(a), r * np.sin(a)])
            first = int(rng.integers(0, 5))
            last = int(rng.integers(first + 1, nframes + 1))
            frames = set(range(first, last))
            if rng.uniform() < 0.25 and last - first > 3:   # a gap: the future stops there
                frames.discard(int(rng.integers(first + 1, last - 1)))
            tracks.append(dict(id="%s-t%02d" % (name, t), cat=cat, kind=kind, p0=p0,
                               v=speed * np.array([np.cos(ang), np.sin(ang)]),
                               turn=rng.uniform(-0.6, 0.6), frames=frames))
        logs[name] = (nframes, ego, tracks)
    return rng, logs


def position(tr, i):
    """Continuous motion of a track at frame i (0.5 s apart), defined beyond its boxes."""
    t = 0.5 * i
    if tr["kind"] == "static":
        return tr["p0"].copy()
    w, v = tr["turn"], tr["v"]
    if tr["kind"] == "linear" or abs(w) < 1e-9:
        return tr["p0"] + v * t
    # integral of a velocity rotating at rate w
    s, c1 = np.sin(w * t), 1 - np.cos(w * t)
    return tr["p0"] + np.array([v[0] * s - v[1] * c1, v[1] * s + v[0] * c1]) / w


def generate(outdir):
    rng, logs = make_scenes()
    track_rows = []   # log, ts, track, cat, x, y, ego_x, ego_y
    pred_rows = []    # log, ts, cat, x, y, score, modes(K*6*2), mode_scores(K)
    for name, (nframes, ego, tracks) in logs.items():
        rows = []
        for i in range(nframes):
            ts = BASE_TS + 100_000_000 * i
            for tr in tracks:
                if i in tr["frames"]:
                    p = position(tr, i)
                    rows.append([name, ts, tr["id"], tr["cat"], rnd(p[0]), rnd(p[1]),
                                 ego[i][0], ego[i][1]])
        order = rng.permutation(len(rows))            # boxes in any order within a log
        track_rows += [rows[j] for j in order]
        quiet = int(rng.integers(1, nframes - 1))     # a GT frame with no prediction at all
        for i in range(nframes):
            if i == quiet:
                continue
            ts = BASE_TS + 100_000_000 * i
            frame_preds = []
            for tr in tracks:
                if i not in tr["frames"] or tr["cat"] in NO_PRED_CATS or rng.uniform() < 0.15:
                    continue
                copies = 2 if rng.uniform() < 0.1 else 1      # duplicates: one must be FP
                for _ in range(copies):
                    cat = tr["cat"] if rng.uniform() > 0.05 else CATS[rng.integers(len(CATS))]
                    noise = [0.1, 0.4, 0.9, 1.8][rng.integers(4)]
                    cur = position(tr, i) + rng.normal(0, noise, 2)
                    modes = []
                    for k in range(K):
                        sc = [0.05, 0.3, 1.0, 2.5, 6.0][rng.integers(5)]
                        fut = np.array([position(tr, i + s) for s in range(1, 7)])
                        drift = np.cumsum(rng.normal(0, sc, (6, 2)), axis=0)
                        modes.append(fut + drift)
                    frame_preds.append((cat, cur, np.array(modes)))
            for _ in range(int(rng.integers(0, 3))):          # false positives
                cat = [FP_ONLY_CAT, "REGULAR_VEHICLE", "PEDESTRIAN"][rng.integers(3)]
                cur = np.array(ego[i]) + rng.uniform(-30, 30, 2)
                vel = rng.normal(0, 3, 2)
                modes = np.array([[cur + vel * 0.5 * s + rng.normal(0, 1, 2) for s in range(1, 7)]
                                  for _ in range(K)])
                frame_preds.append((cat, cur, modes))
            for cat, cur, modes in frame_preds:
                score = rnd(rng.uniform(0.05, 1.0), 1)   # rounded: ties are common
                ms = [rnd(x, 1) for x in rng.uniform(0, 1, K)]
                pred_rows.append([name, ts, cat, rnd(cur[0]), rnd(cur[1]), score]
                                 + [rnd(x) for x in modes.reshape(-1)] + ms)
    track_rows += tie_log_tracks()
    pred_rows += tie_log_preds()
    with open(os.path.join(outdir, "tracks.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["log", "timestamp_ns", "track_id", "category", "x", "y", "ego_x", "ego_y"])
        for r in track_rows:
            w.writerow([r[0], r[1], r[2], r[3]] + [repr(float(x)) for x in r[4:]])
    with open(os.path.join(outdir, "preds.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["log", "timestamp_ns", "category", "x", "y", "score"]
                   + ["m%d_s%d_%s" % (k, s, c) for k in range(K) for s in range(1, 7)
                      for c in "xy"] + ["ms%d" % k for k in range(K)])
        for r in pred_rows:
            w.writerow([r[0], r[1], r[2]] + [repr(float(x)) for x in r[3:]])


def tie_log_tracks():
    """log_tie: exact coordinates for equal distances, strict thresholds and ADE ties.
    Two static buses A (10, 0) and B (12, 0) over 8 frames, A listed first."""
    rows = []
    for i in range(8):
        ts = BASE_TS + 100_000_000 * i
        rows.append(["log_tie", ts, "A", "BUS", 10.0, 0.0, 0.0, 0.0])
        rows.append(["log_tie", ts, "B", "BUS", 12.0, 0.0, 0.0, 0.0])
    return rows


def tie_log_preds():
    ts = BASE_TS
    far = [[40.0 + s, 5.0] for s in range(6)]
    rows = []
    # P1 at (11, 0), matched first: distance 1 to A and to B -> A (first GT row); matches only
    # at th 2 and 4. Mode 0 errs by 1 m at step 1, mode 1 by 1 m at step 6: equal ADE (1/6),
    # mode 0 first.
    m0 = [[11.0, 0.0]] + [[10.0, 0.0]] * 5
    m1 = [[10.0, 0.0]] * 5 + [[11.0, 0.0]]
    modes = [m0, m1, far, far, far]
    rows.append(["log_tie", ts, "BUS", 11.0, 0.0, 0.8] + sum(sum(modes, []), [])
                + [0.2, 0.9, 0.1, 0.1, 0.1])
    # P2 at (12.5, 0): distance exactly 0.5 to B (no match at th 0.5: strict).
    # mode scores tie between modes 0 and 1: argmax takes mode 0 (1.5 m off at every step).
    b0 = [[12.0, 1.5]] * 6
    b1 = [[12.0, 0.0]] * 6
    modes = [b0, b1, far, far, far]
    rows.append(["log_tie", ts, "BUS", 12.5, 0.0, 0.7] + sum(sum(modes, []), [])
                + [0.6, 0.6, 0.1, 0.1, 0.1])
    # P3 one frame later, exactly on A, score ties with the random logs' rounded scores
    ts = BASE_TS + 100_000_000
    a = [[10.0, 0.0]] * 6
    rows.append(["log_tie", ts, "BUS", 10.0, 0.0, 0.5] + sum(sum([a, far, far, far, far], []), [])
                + [0.5, 0.4, 0.3, 0.2, 0.1])
    # P4a at (10.2, 0) and P4b at (10.4, 0) in frame 2 with equal scores: P4b (later row) is
    # matched first and takes A at 0.5 m; P4a is left with B (1.8 m).
    ts = BASE_TS + 200_000_000
    for x in (10.2, 10.4):
        rows.append(["log_tie", ts, "BUS", x, 0.0, 0.6] + sum(sum([a, far, far, far, far], []), [])
                    + [0.5, 0.4, 0.3, 0.2, 0.1])
    return rows


# ---------------------------------------------------------------- reference inputs
def read_inputs(outdir):
    with open(os.path.join(outdir, "tracks.csv")) as f:
        trows = list(csv.DictReader(f))
    with open(os.path.join(outdir, "preds.csv")) as f:
        prows = list(csv.reader(f))[1:]
    logs = sorted({r["log"] for r in trows})
    labels = {}
    for log in logs:
        rows = [r for r in trows if r["log"] == log]
        frames = []
        for ts in sorted({int(r["timestamp_ns"]) for r in rows}):
            fr = [r for r in rows if int(r["timestamp_ns"]) == ts]
            n = len(fr)
            frames.append({
                "timestamp_ns": ts,
                "translation_m": np.array([[float(r["x"]), float(r["y"]), 0.0] for r in fr]),
                "ego_translation_m": np.array([[float(r["ego_x"]), float(r["ego_y"]), 0.0]
                                               for r in fr]),
                "track_id": np.array([r["track_id"] for r in fr]),
                "name": np.array([r["category"] for r in fr]),
                "size": np.ones((n, 3)), "yaw": np.zeros(n), "velocity_m_per_s": np.zeros((n, 3)),
                "label": np.zeros(n, dtype=int),
            })
        labels[log] = frames

    def preds_dict():
        d = {log: {fr["timestamp_ns"]: [] for fr in labels[log]} for log in logs}
        for r in prows:
            vals = [float(x) for x in r[3:]]
            d.setdefault(r[0], {}).setdefault(int(r[1]), []).append({
                "name": r[2],
                "current_translation_m": np.array(vals[0:2]),
                "detection_score": vals[2],
                "prediction_m": np.array(vals[3:3 + K * 12]).reshape(K, 6, 2),
                "score": np.array(vals[3 + K * 12:]),
            })
        return d

    return labels, preds_dict


def main():
    gitdir, outdir = sys.argv[1], sys.argv[2]
    import tempfile
    tmp = tempfile.mkdtemp()
    ev = load_reference(gitdir, tmp)
    generate(outdir)
    labels, preds_dict = read_inputs(outdir)

    import copy
    gt = ev.convert_forecast_labels(copy.deepcopy(labels))
    with open(os.path.join(outdir, "gt_expected.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["log", "timestamp_ns", "category", "x", "y", "ego_x", "ego_y", "len"]
                   + ["f%d_%s" % (s, c) for s in range(1, 7) for c in "xy"])
        for log, frames in gt.items():
            for ts, agents in frames.items():
                for a in agents:
                    fut = a["future_translation_m"]
                    cells = [repr(float(x)) for x in fut.reshape(-1)] + ["nan"] * (12 - fut.size)
                    w.writerow([log, ts, a["name"]] + [repr(float(x)) for x in
                               list(a["current_translation_m"]) + list(a["ego_translation_m"])]
                               + [fut.shape[0]] + cells)

    out = open(os.path.join(outdir, "expected.csv"), "w", newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["kind", "top_k", "category", "profile", "threshold", "a", "b", "c"])
    for top_k in (1, 5):
        calls = []
        real = ev.accumulate

        def spy(*args):
            res = real(*args)
            calls.append(res)
            return res

        ev.accumulate = spy
        res = ev.evaluate(preds_dict(), copy.deepcopy(labels), top_k, 50, None)
        ev.accumulate = real
        for apf, ade, fde, cat, prof, th in calls:
            w.writerow(["cell", top_k, cat, prof, repr(float(th))]
                       + [repr(float(x)) for x in (apf, ade, fde)])
        for prof, per_cat in res.items():
            for cat, m in per_cat.items():
                w.writerow(["table", top_k, cat, prof, ""]
                           + [repr(float(m[k])) for k in ("mAP_F", "ADE", "FDE")])
        # the runner's summaries
        means = [np.nanmean([m[k] for t in res.values() for m in t.values()])
                 for k in ("mAP_F", "ADE", "FDE")]
        w.writerow(["mean", top_k, "ALL", "ALL", ""] + [repr(float(x)) for x in means])
    out.close()


if __name__ == "__main__":
    main()
