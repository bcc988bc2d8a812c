"""Motion-forecasting input (formats.md "Forecasting", forecasting.md): /logs, /categories, /gt, /pred."""
import numpy as np

from . import _check as c

T = 6  # future steps
MAX_MODES = 6
CATEGORIES = (
    "ARTICULATED_BUS", "BICYCLE", "BICYCLIST", "BOLLARD", "BOX_TRUCK", "BUS",
    "CONSTRUCTION_BARREL", "CONSTRUCTION_CONE", "DOG", "LARGE_VEHICLE",
    "MESSAGE_BOARD_TRAILER", "MOBILE_PEDESTRIAN_CROSSING_SIGN", "MOTORCYCLE", "MOTORCYCLIST",
    "PEDESTRIAN", "REGULAR_VEHICLE", "SCHOOL_BUS", "SIGN", "STOP_SIGN", "STROLLER", "TRUCK",
    "TRUCK_CAB", "VEHICULAR_TRAILER", "WHEELCHAIR", "WHEELED_DEVICE", "WHEELED_RIDER")


def _index_of(w, name, x, names, what):
    """Strings mapped through names; integers checked as indices into names."""
    arr = np.asarray(x)
    if arr.dtype.kind in "USO":
        pos = {s: i for i, s in enumerate(names)}
        out = np.empty(arr.shape[0] if arr.ndim == 1 else -1, np.int64)
        if arr.ndim != 1:
            c.fail(w, f"{name} has shape {arr.shape}; expected (N)")
        for i, s in enumerate(arr):
            s = s.decode() if isinstance(s, bytes) else str(s)
            if s not in pos:
                c.fail(w, f"{name}[{i}] is '{s}', not one of {what}")
            out[i] = pos[s]
        return out
    return c.integer(w, name, arr, (None,), lo=0, hi=len(names) - 1)


def _rows(w, g, part, logs, fields):
    n = None
    out = {}
    for k, rank, trail, kind in fields:
        key = f"{part}['{k}']"
        if k not in g:
            c.fail(w, f"{key} is missing")
        if k == "log":
            v = _index_of(w, key, g[k], logs, "logs")
        elif k == "category":
            v = _index_of(w, key, g[k], CATEGORIES, "the 26 categories of forecasting.md")
        elif kind == "int":
            v = c.integer(w, key, g[k], (None,))
        else:
            v = c.real(w, key, g[k], (None,) + trail, finite=(k != "future_xy"))
        if n is None:
            n = v.shape[0]
        elif v.shape[0] != n:
            c.fail(w, f"{key} has {v.shape[0]} rows but {part}['log'] has {n}: every array needs one row per agent")
        out[k] = v
    return out, n


def _check_futures(w, fut):
    nan = np.isnan(fut)
    for i in range(fut.shape[0]):
        ended = False
        for s in range(T):
            nx, ny = nan[i, s]
            if nx and ny:
                ended = True
            elif nx or ny or not np.isfinite(fut[i, s]).all() or ended:
                why = "finite after a NaN step" if ended else "partly NaN or Inf"
                c.fail(w, f"gt['future_xy'] row {i} step {s + 1} is {why} (NaN must cover x and y of every step from L+1 on)")


GT_FIELDS = [("log", 1, (), "idx"), ("timestamp_ns", 1, (), "int"), ("category", 1, (), "idx"),
             ("current_xy", 2, (2,), "real"), ("future_xy", 3, (T, 2), "real"), ("ego_xy", 2, (2,), "real")]
PRED_FIELDS = [("log", 1, (), "idx"), ("timestamp_ns", 1, (), "int"), ("category", 1, (), "idx"),
               ("current_xy", 2, (2,), "real"), ("detection_score", 1, (), "real"),
               ("modes_xy", 4, (None, T, 2), "real"), ("mode_scores", 2, (None,), "real")]


def write_forecast(path, logs, gt=None, pred=None):
    """Writes /logs, /categories and the /gt and/or /pred groups (rows in any order).

    logs: the log names (unique). gt, pred: dicts of arrays, one row per agent and frame:
      gt:   log (index into logs or name), timestamp_ns (int), category (index into
            CATEGORIES or name), current_xy M x 2, future_xy M x 6 x 2 (NaN from step L+1 on),
            ego_xy M x 2;
      pred: log, timestamp_ns, category, current_xy P x 2, detection_score P,
            modes_xy P x K x 6 x 2 (1 <= K <= 6), mode_scores P x K.
    The row order of pred is the input order that breaks detection-score ties."""
    w = "write_forecast"
    logs = c.strings(w, "logs", logs, unique=True, nonempty=True)
    if gt is None and pred is None:
        c.fail(w, "neither gt nor pred given")
    groups = {}
    if gt is not None:
        g, m = _rows(w, gt, "gt", logs, GT_FIELDS)
        if m == 0:
            c.fail(w, "gt has no rows")
        _check_futures(w, g["future_xy"])
        groups["gt"] = g
    if pred is not None:
        p, _ = _rows(w, pred, "pred", logs, PRED_FIELDS)
        K = p["modes_xy"].shape[1]
        if p["mode_scores"].shape[1] != K:
            c.fail(w, f"pred['mode_scores'] has {p['mode_scores'].shape[1]} modes, pred['modes_xy'] {K}")
        if not 1 <= K <= MAX_MODES:
            c.fail(w, f"pred['modes_xy'] has {K} modes; the reference defines 1..{MAX_MODES}")
        groups["pred"] = p

    def fill(f):
        c.put_strings(f, "logs", logs)
        c.put_strings(f, "categories", list(CATEGORIES))
        for part, g in groups.items():
            h = f.create_group(part)
            for k, v in g.items():
                h.create_dataset(k, data=v.astype(np.int32) if k in ("log", "category") else v)

    return c.atomic_h5(path, fill)
