"""Pose input (formats.md "Pose", pose.md): /sequences/<name>/{gt,pred,hyp,weights}."""
import re

import numpy as np

from . import _check as c

_PART = re.compile(r"^[A-Za-z0-9_-]{1,63}$")


def _check_parents(w, parents):
    p = c.integer(w, "parents", parents, (None,), lo=-1)
    J = p.shape[0]
    if J == 0:
        c.fail(w, "parents is empty (J joints expected)")
    for j in range(J):
        if p[j] >= J:
            c.fail(w, f"parents[{j}] = {p[j]}: not -1 (a root) or a joint 0..{J - 1}")
        if p[j] == j:
            c.fail(w, f"parents[{j}] = {j}: a joint cannot be its own parent")
    for j in range(J):  # walk up: more than J steps means a loop
        k, steps = j, 0
        while k != -1:
            k, steps = int(p[k]), steps + 1
            if steps > J:
                c.fail(w, f"parents[{j}]: the chain of parents from joint {j} loops and never reaches a root (-1)")
    return p


def _check_lr(w, lr_pairs, p):
    J = p.shape[0]
    lr = c.integer(w, "lr_pairs", lr_pairs, (None, 2), lo=0, hi=J - 1)
    for i, j in zip(*np.nonzero(p[lr] == -1)):
        c.fail(w, f"lr_pairs[{i}][{j}] = {lr[i, j]}: a root joint has no bone to compare")
    return lr


def _check_parts(w, parts, J):
    """parts: dict name -> (first, last) or a list of 'name:first-last' strings."""
    items = list(parts.items()) if isinstance(parts, dict) else []
    if not isinstance(parts, dict):
        for i, s in enumerate(c.strings(w, "parts", parts)):
            m = re.match(r"^(.*):(\d+)-(\d+)$", s)
            if not m:
                c.fail(w, f"parts[{i}] = '{s}': not 'name:first-last'")
            items.append((m.group(1), (int(m.group(2)), int(m.group(3)))))
    out, seen = [], {}
    for i, (name, (a, b)) in enumerate(items):
        if not _PART.match(name):
            c.fail(w, f"parts[{i}]: the name {name!r} must have 1..63 characters in [A-Za-z0-9_-]")
        if name in seen:
            c.fail(w, f"parts[{i}]: the name '{name}' repeats parts[{seen[name]}]")
        seen[name] = i
        if not (0 <= a <= b < J):
            c.fail(w, f"parts[{i}] '{name}': joints {a}..{b} are not a range in 0..{J - 1}")
        out.append(f"{name}:{a}-{b}")
    return out


def _check_sequence(w, name, s, J):
    c.name_ok(w, "sequence name", name)
    at = f"sequences['{name}']"
    if "gt" not in s:
        c.fail(w, f"{at} has no gt")
    gt = c.real(w, f"{at}['gt']", s["gt"], (None, J, 3))
    F = gt.shape[0]
    if F == 0:
        c.fail(w, f"{at}['gt'] is an empty sequence (0 frames)")
    out = {"gt": gt}
    if s.get("pred") is not None:
        out["pred"] = c.real(w, f"{at}['pred']", s["pred"], (F, J, 3))
    if s.get("hyp") is not None:
        out["hyp"] = c.real(w, f"{at}['hyp']", s["hyp"], (F, None, J, 3))
        if out["hyp"].shape[1] < 1:
            c.fail(w, f"{at}['hyp'] has no hypothesis (M >= 1)")
        if s.get("weights") is not None:
            wt = c.real(w, f"{at}['weights']", s["weights"], (F, out["hyp"].shape[1]))
            c.in_range(w, f"{at}['weights']", wt, lo=0.0)
            sums = wt.sum(axis=1)
            bad = np.flatnonzero(np.abs(sums - 1) > 1e-6)
            if bad.size:
                c.fail(w, f"{at}['weights'] row {bad[0]} sums to {sums[bad[0]]:.17g}, not 1 (within 1e-6)")
            out["weights"] = wt
    elif s.get("weights") is not None:
        c.fail(w, f"{at} has weights but no hyp")
    if "pred" not in out and "hyp" not in out:
        c.fail(w, f"{at} has neither pred nor hyp")
    if s.get("action") is not None:
        if not isinstance(s["action"], str):
            c.fail(w, f"{at}['action'] is not a string")
        out["action"] = s["action"]
    if s.get("root_relative") is not None:
        out["root_relative"] = 1.0 if s["root_relative"] else 0.0
    return out


def write_pose(path, sequences, parents, lr_pairs=None, parts=None):
    """Writes a pose evaluation file.

    sequences: dict name -> dict with 'gt' (F x J x 3) and 'pred' (F x J x 3) and/or
        'hyp' (F x M x J x 3) with optional 'weights' (F x M, rows summing to 1),
        optional 'action' (str), optional 'root_relative' (bool). Coordinates in the units of the metrics (mm).
    parents: J ints, -1 for a root; lr_pairs: P x 2 joint indices (left, right);
    parts: {'name': (first, last)} or ['name:first-last', ...]."""
    w = "write_pose"
    p = _check_parents(w, parents)
    J = p.shape[0]
    lr = _check_lr(w, lr_pairs, p) if lr_pairs is not None else None
    pa = _check_parts(w, parts, J) if parts is not None else None
    if not sequences:
        c.fail(w, "sequences holds no sequence")
    seqs = {n: _check_sequence(w, n, s, J) for n, s in sequences.items()}

    def fill(f):
        f.attrs["parents"] = p
        if lr is not None:
            f.attrs["lr_pairs"] = lr
        if pa is not None:
            f.attrs.create("parts", np.array(pa, dtype=object), dtype=c.vlen_str())
        g = f.create_group("sequences")
        for n, s in seqs.items():
            sg = g.create_group(n)
            for k in ("gt", "pred", "hyp", "weights"):
                if k in s:
                    sg.create_dataset(k, data=s[k])
            if "action" in s:
                sg.attrs["action"] = s["action"]
            if "root_relative" in s:
                sg.attrs["root_relative"] = s["root_relative"]

    return c.atomic_h5(path, fill)
