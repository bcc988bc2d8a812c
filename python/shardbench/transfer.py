"""Transferability inputs (formats.md "Transferability"): pair files and the manifest."""
import csv
import math
import os

import numpy as np

from . import _check as c


def write_pair(path, features, labels, source_probs=None):
    """Writes one (model, dataset) pair file.

    features: N x D (N >= 2, D >= 1) floats; float32 is kept as float32, as the
        C reader keeps it. labels: N integers, classes 0..C-1 each with a sample.
    source_probs: optional N x Cs softmax outputs of the source head (rows sum to 1
        within 1e-3, entries >= 0)."""
    w = "write_pair"
    x = c.real(w, "features", features, (None, None), keep32=True)
    n, d = x.shape
    if n < 2 or d < 1:
        c.fail(w, f"features has shape ({n}x{d}): need at least 2 rows and 1 column")
    y = c.integer(w, "labels", labels, (n,), lo=0, hi=1000000)
    present = np.zeros(int(y.max()) + 1, bool)
    present[y] = True
    if not present.all():
        k = int(np.flatnonzero(~present)[0])
        c.fail(w, f"labels are not 0..C-1 contiguous: class {k} of 0..{len(present) - 1} has no sample")
    p = None
    if source_probs is not None:
        p = c.real(w, "source_probs", source_probs, (n, None))
        if p.shape[1] == 0:
            c.fail(w, "source_probs has no column")
        c.in_range(w, "source_probs", p, lo=0.0)
        s = p.sum(axis=1)
        bad = np.flatnonzero(np.abs(s - 1) > 1e-3)
        if bad.size:
            c.fail(w, f"source_probs row {bad[0]} sums to {s[bad[0]]:.6g}, not 1 (tolerance 1e-3)")

    def fill(f):
        f.create_dataset("features", data=x)
        f.create_dataset("labels", data=y)
        if p is not None:
            f.create_dataset("source_probs", data=p)

    return c.atomic_h5(path, fill)


def _num(where, row, i, key, value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return ""
    try:
        v = float(value)
    except (TypeError, ValueError):
        c.fail(where, f"row {i}: {key} = {value!r} is not a number")
    if not math.isfinite(v):
        c.fail(where, f"row {i}: {key} = {value!r} is not finite")
    return repr(v)


def write_manifest(path, rows):
    """Writes the zoo's manifest CSV: dataset,model,path[,accuracy][,imagenet_acc].

    rows: iterable of dicts (or a pandas DataFrame) with keys dataset, model, path
    and optionally accuracy, imagenet_acc. Absolute paths under the manifest's
    folder are written relative to it (the reader resolves them from there)."""
    w = "write_manifest"
    if hasattr(rows, "to_dict"):
        rows = rows.to_dict("records")
    rows = list(rows)
    if not rows:
        c.fail(w, "the manifest lists no pair")
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    extra = [k for k in ("accuracy", "imagenet_acc") if any(k in r for r in rows)]
    seen = {}
    out = []
    for i, r in enumerate(rows):
        for k in ("dataset", "model", "path"):
            if k not in r or not isinstance(r[k], (str, os.PathLike)) or not os.fspath(r[k]):
                c.fail(w, f"row {i}: {k} is missing or empty (dataset, model and path must not be empty)")
        ds, model, p = str(r["dataset"]), str(r["model"]), os.fspath(r["path"])
        if "/" in ds or "/" in model:
            c.fail(w, f"row {i}: dataset and model names may not contain '/' ({ds!r}, {model!r})")
        if (ds, model) in seen:
            c.fail(w, f"rows {seen[(ds, model)]} and {i}: the pair ({ds}, {model}) appears twice")
        seen[(ds, model)] = i
        if os.path.isabs(p) and os.path.abspath(p).startswith(folder + os.sep):
            p = os.path.relpath(p, folder)
        out.append([ds, model, p] + [_num(w, r, i, k, r.get(k)) for k in extra])
    os.makedirs(folder, exist_ok=True)
    tmp = os.fspath(path) + ".tmp"
    with open(tmp, "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["dataset", "model", "path"] + extra)
        wr.writerows(out)
    os.replace(tmp, path)
    return os.fspath(path)
