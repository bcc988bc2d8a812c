"""Split-computing inputs (splitcomp.md): the group /splitcomp and link traces /traces/<name>."""
import math

import numpy as np

from . import _check as c


def write_splitcomp(path, *, names, payload_bytes, t_enc, t_srv, correct=None, score=None, model=None,
                    encoder_bits=None, t_enc_est=None, bytes_est=None, switch_s=None, traces=None):
    """Writes /splitcomp for `shardbench splitcomp eval` (and, with traces, /traces too).

    names: M unique configuration names; per (config, sample) arrays M x N: exactly one of
    correct (0/1 integers) or score (floats; its mean is the metric), payload_bytes (integers
    >= 1), t_enc and t_srv (seconds >= 0). Optional per config (M): model (strings), encoder_bits,
    t_enc_est, bytes_est (>= 0); switch_s M x M >= 0 (diagonal ignored).
    traces: optional dict name -> (time_s, bps, duration_s), written as write_traces does."""
    w = "write_splitcomp"
    names = c.strings(w, "configs/name", names, unique=True)
    M = len(names)
    if M == 0:
        c.fail(w, "configs/name is empty")
    models = c.strings(w, "configs/model", model, n=M) if model is not None else None
    opt = {}
    for k, v in (("encoder_bits", encoder_bits), ("t_enc_est", t_enc_est), ("bytes_est", bytes_est)):
        if v is not None:
            opt[k] = c.real(w, f"configs/{k}", v, (M,))
            c.in_range(w, f"configs/{k}", opt[k], lo=0.0)
    if (correct is None) == (score is None):
        c.fail(w, "needs exactly one of correct and score")
    if correct is not None:
        val = c.integer(w, "correct", correct, (M, None), allowed=(0, 1), dtype=np.uint8)
        vname = "correct"
    else:
        val = c.real(w, "score", score, (M, None))
        vname = "score"
    N = val.shape[1]
    if N == 0:
        c.fail(w, f"{vname} holds no sample (shape {M}x0)")
    pay = c.integer(w, "payload_bytes", payload_bytes, (M, N), lo=1)
    times = {k: c.real(w, k, v, (M, N)) for k, v in (("t_enc", t_enc), ("t_srv", t_srv))}
    for k, v in times.items():
        c.in_range(w, k, v, lo=0.0)
    sw = None
    if switch_s is not None:
        sw = c.real(w, "switch_s", switch_s, (M, M))
        off = ~np.eye(M, dtype=bool)
        c.in_range(w, "switch_s", sw, lo=0.0, mask=off)
    tr = _check_traces("write_splitcomp", traces) if traces is not None else None

    def fill(f):
        g = f.create_group("splitcomp")
        cg = g.create_group("configs")
        c.put_strings(cg, "name", names)
        if models is not None:
            c.put_strings(cg, "model", models)
        for k, v in opt.items():
            cg.create_dataset(k, data=v)
        g.create_dataset(vname, data=val)
        g.create_dataset("payload_bytes", data=pay)
        for k, v in times.items():
            g.create_dataset(k, data=v)
        if sw is not None:
            g.create_dataset("switch_s", data=sw)
        if tr is not None:
            _fill_traces(f, tr)

    return c.atomic_h5(path, fill)


def _check_traces(w, traces):
    if not traces:
        c.fail(w, "traces holds no trace")
    out = {}
    for name, tr in traces.items():
        c.name_ok(w, "trace name", name)
        if isinstance(tr, dict):
            t, b, dur = tr.get("time_s"), tr.get("bps"), tr.get("duration_s")
        else:
            t, b, dur = tr
        at = f"traces['{name}']"
        t = c.real(w, f"{at} time_s", t, (None,))
        b = c.real(w, f"{at} bps", b, (t.shape[0],))
        if t.shape[0] == 0:
            c.fail(w, f"{at} time_s is empty")
        if t[0] != 0:
            c.fail(w, f"{at} time_s[0] = {t[0]:g}: the first time must be 0")
        bad = np.flatnonzero(~(t[1:] > t[:-1]))
        if bad.size:
            i = bad[0] + 1
            c.fail(w, f"{at} time_s[{i}] = {t[i]:g} is not after time_s[{i - 1}] = {t[i - 1]:g}")
        c.in_range(w, f"{at} bps", b, lo=0.0)
        dur = float(dur) if dur is not None else math.nan
        if not (math.isfinite(dur) and dur > t[-1]):
            c.fail(w, f"{at} duration_s = {dur:g} must be after the last time {t[-1]:g}")
        if not (b > 0).any():
            c.fail(w, f"{at} carries no bits (every bps is 0)")
        out[name] = (t, b, dur)
    return out


def _fill_traces(f, tr):
    g = f.require_group("traces")
    for name, (t, b, dur) in tr.items():
        if name in g:
            del g[name]
        h = g.create_group(name)
        h.create_dataset("time_s", data=t)
        h.create_dataset("bps", data=b)
        h.attrs["duration_s"] = dur


def write_traces(path, traces, append=False):
    """Writes /traces/<name>/{time_s, bps} with attribute duration_s: uplink capacity bps[i]
    (bit/s) over [time_s[i], time_s[i+1]), the last segment up to duration_s.

    traces: dict name -> (time_s, bps, duration_s) or dict with those keys. append=True adds
    them to an existing file (a same-named trace is replaced)."""
    tr = _check_traces("write_traces", traces)
    return c.atomic_h5(path, lambda f: _fill_traces(f, tr), mode="a" if append else "w")
