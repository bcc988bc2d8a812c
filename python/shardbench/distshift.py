"""Distribution-shift inputs (distshift.md): predictions per evaluation set for `distshift eval`,
environments P and Q (and optional query points) for `distshift quantify`."""
import numpy as np

from . import _check as c

INT32 = (-(2**31), 2**31 - 1)


def write_distshift_sets(path, sets):
    """Writes /sets/<name>/{score,label[,spurious][,group]} for `shardbench distshift eval`.

    sets: dict name -> dict with score (N probabilities of class 1, in [0, 1]), label (N, 0/1),
    optional spurious (N, 0/1: the attribute a), optional group (N ints), optional
    threshold (float in [0, 1], stored as the set's attribute)."""
    w = "write_distshift_sets"
    if not sets:
        c.fail(w, "sets holds no evaluation set")
    out = {}
    for name, s in sets.items():
        c.name_ok(w, "set name", name)
        at = f"sets['{name}']"
        for k in ("score", "label"):
            if s.get(k) is None:
                c.fail(w, f"{at} has no {k}")
        score = c.real(w, f"{at}['score']", s["score"], (None,), finite=False)
        n = score.shape[0]
        if n == 0:
            c.fail(w, f"{at}: no samples (score is empty)")
        bad = np.flatnonzero(~((score >= 0) & (score <= 1)))
        if bad.size:
            c.fail(w, f"{at}['score'][{bad[0]}] = {score[bad[0]]:g} is not a probability in [0,1]")
        o = {"score": score, "label": c.integer(w, f"{at}['label']", s["label"], (n,), allowed=(0, 1), dtype=np.int32)}
        if s.get("spurious") is not None:
            o["spurious"] = c.integer(w, f"{at}['spurious']", s["spurious"], (n,), allowed=(0, 1), dtype=np.int32)
        if s.get("group") is not None:
            o["group"] = c.integer(w, f"{at}['group']", s["group"], (n,), lo=INT32[0], hi=INT32[1], dtype=np.int32)
        if s.get("threshold") is not None:
            t = float(s["threshold"])
            if not 0 <= t <= 1:
                c.fail(w, f"{at}: threshold {t:g} is outside [0,1]")
            o["threshold"] = t
        out[name] = o

    def fill(f):
        g = f.create_group("sets")
        for name, o in out.items():
            sg = g.create_group(name)
            for k, v in o.items():
                if k == "threshold":
                    sg.attrs["threshold"] = v
                else:
                    sg.create_dataset(k, data=v)

    return c.atomic_h5(path, fill)


def _env(w, name, z, y):
    zz = c.real(w, f"{name}_z", z, (None, None))
    n, d = zz.shape
    if n < 2:
        c.fail(w, f"environment {name} has {n} samples; at least 2 are needed")
    if d < 1:
        c.fail(w, f"{name}_z has no feature column")
    yy = c.integer(w, f"{name}_y", y, (n,), lo=0, hi=1000000000)
    return zz, yy


def write_distshift_envs(path, z_p, y_p, z_q, y_q):
    """Writes /P/z, /P/y, /Q/z, /Q/y for `shardbench distshift quantify`: features n x d of the
    training environment P and the test environment Q (same d) with class labels 0, 1, ..."""
    w = "write_distshift_envs"
    P = _env(w, "P", z_p, y_p)
    Q = _env(w, "Q", z_q, y_q)
    if P[0].shape[1] != Q[0].shape[1]:
        c.fail(w, f"P_z has {P[0].shape[1]} feature columns but Q_z has {Q[0].shape[1]}")

    def fill(f):
        for name, (z, y) in (("P", P), ("Q", Q)):
            g = f.create_group(name)
            g.create_dataset("z", data=z)
            g.create_dataset("y", data=y)

    return c.atomic_h5(path, fill)


def write_distshift_points(path, points, d=None):
    """Writes /points (m x d) for `distshift quantify --points`; d, if given, must match."""
    w = "write_distshift_points"
    x = c.real(w, "points", points, (None, d))
    if x.shape[0] == 0:
        c.fail(w, "points holds no point")
    return c.atomic_h5(path, lambda f: f.create_dataset("points", data=x))
