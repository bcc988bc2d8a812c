"""Test-time selection input (specs/tts.md): one file per evaluation set with the group /tts,
and the manifest `set,path[,bias_factor][,split][,arch]` naming several sets."""
import csv
import math
import os

import numpy as np

from . import _check as c


def _keypoints(w, name, kp, count, N, S):
    pts = c.integer(w, f"kp_{name}", kp, (N, None, 2))
    P = pts.shape[1]
    cnt = c.integer(w, f"kp_{name}_count", count, (N,), lo=0, hi=P)
    used = np.arange(P)[None, :] < cnt[:, None]  # entries past the count are ignored
    bad = used[..., None] & ((pts < 0) | (pts > S - 1))
    if bad.any():
        i, k, _ = np.argwhere(bad)[0]
        c.fail(w, f"kp_{name}[{i}, {k}] = ({pts[i, k, 0]}, {pts[i, k, 1]}) is outside [0, {S - 1}]")
    return pts, cnt


def write_tts(path, *, features, fc_weight, fc_bias, label, kp_pos, kp_pos_count, kp_neg, kp_neg_count,
              input_size=224, image_id=None, group=None, bias_factor=None, split=None, arch=None):
    """Writes /tts for `shardbench tts eval --input` (one evaluation set).

    features N x C x H x W: the last convolutional map, stored as float16 if given as float16,
    else float32 (the reader takes those two), one chunk per image. fc_weight 2 x C and fc_bias 2:
    the binary head after global average pooling. label N in {0, 1}. kp_pos N x P x 2 with
    kp_pos_count N (0..P), kp_neg N x Q x 2 with kp_neg_count N: (row, col) keypoints in the
    input_size x input_size pixel space; only the first count entries are used and checked.
    Optional image_id N strings, group N ints; attributes bias_factor (float), split (int),
    arch (str). NaN/Inf in features are refused here (shardbench would fail that set's unit)."""
    w = "write_tts"
    S = int(input_size)
    if S != input_size or S < 1:
        c.fail(w, f"input_size = {input_size} is not a positive integer")
    f16 = getattr(features, "dtype", None) == np.float16
    x = c.real(w, "features", features, (None, None, None, None))
    N, C, H, W = x.shape
    if min(x.shape) == 0:
        c.fail(w, f"features has an empty axis ({N}x{C}x{H}x{W})")
    x = x.astype(np.float16 if f16 else np.float32)
    if not f16 and not np.isfinite(x).all():
        c.fail(w, "features overflow float32")
    fw = c.real(w, "fc_weight", fc_weight, (2, C))
    fb = c.real(w, "fc_bias", fc_bias, (2,))
    y = c.integer(w, "label", label, (N,), allowed=(0, 1))
    pos = _keypoints(w, "pos", kp_pos, kp_pos_count, N, S)
    neg = _keypoints(w, "neg", kp_neg, kp_neg_count, N, S)
    ids = c.strings(w, "image_id", image_id, n=N) if image_id is not None else None
    grp = c.integer(w, "group", group, (N,), lo=-2147483647, hi=2147483647) if group is not None else None
    if bias_factor is not None and not math.isfinite(float(bias_factor)):
        c.fail(w, f"bias_factor = {bias_factor} is not finite")
    if split is not None and int(split) != split:
        c.fail(w, f"split = {split} is not an integer")

    def fill(f):
        g = f.create_group("tts")
        g.attrs["input_size"] = S
        if bias_factor is not None:
            g.attrs["bias_factor"] = float(bias_factor)
        if split is not None:
            g.attrs["split"] = int(split)
        if arch is not None:
            g.attrs["arch"] = str(arch)
        g.create_dataset("features", data=x, chunks=(1, C, H, W))
        g.create_dataset("fc/weight", data=fw)
        g.create_dataset("fc/bias", data=fb)
        g.create_dataset("label", data=y.astype(np.int8))
        for name, (pts, cnt) in (("pos", pos), ("neg", neg)):
            g.create_dataset(f"kp/{name}", data=pts.astype(np.int32))
            g.create_dataset(f"kp/{name}_count", data=cnt.astype(np.int32))
        if ids is not None:
            c.put_strings(g, "image_id", ids)
        if grp is not None:
            g.create_dataset("group", data=grp.astype(np.int32))

    return c.atomic_h5(path, fill)


def write_tts_manifest(path, rows):
    """Writes the CSV `set,path[,bias_factor][,split][,arch]` for `tts eval --manifest`.

    rows: dicts (or a DataFrame) with set and path, optionally bias_factor, split, arch (these
    override the files' attributes). Absolute paths under the manifest's folder become relative."""
    w = "write_tts_manifest"
    if hasattr(rows, "to_dict"):
        rows = rows.to_dict("records")
    rows = list(rows)
    if not rows:
        c.fail(w, "the manifest lists no set")
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    extra = [k for k in ("bias_factor", "split", "arch") if any(r.get(k) is not None for r in rows)]
    seen, out = {}, []
    for i, r in enumerate(rows):
        name, p = str(r.get("set") or ""), os.fspath(r.get("path") or "")
        if not name or not p or "/" in name:
            c.fail(w, f"row {i}: set and path must be non-empty, the set without '/'")
        if name in seen:
            c.fail(w, f"rows {seen[name]} and {i}: set '{name}' is named twice")
        seen[name] = i
        if os.path.isabs(p) and os.path.abspath(p).startswith(folder + os.sep):
            p = os.path.relpath(p, folder)
        vals = []
        for k in extra:
            v = r.get(k)
            if v is None or (isinstance(v, float) and math.isnan(v)):
                vals.append("")
            elif k == "bias_factor":
                vals.append(repr(float(v)))
            elif k == "split":
                if int(v) != v:
                    c.fail(w, f"row {i}: split = {v!r} is not an integer")
                vals.append(str(int(v)))
            else:
                vals.append(str(v))
        out.append([name, p] + vals)
    tmp = os.fspath(path) + ".tmp"
    with open(tmp, "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["set", "path"] + extra)
        wr.writerows(out)
    os.replace(tmp, path)
    return os.fspath(path)
