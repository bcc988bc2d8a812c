"""Explanation-verification input (explain.md): the HDF5 group /explain."""
import numpy as np

from . import _check as c


def _check_rows(w, name, v, softmax, stored_logit, used=None):
    """v: rows x K outputs; used: which rows are read (all if None)."""
    rows = np.arange(v.shape[0]) if used is None else np.flatnonzero(used)
    for i in rows:
        r = v[i]
        bad = np.flatnonzero(~np.isfinite(r))
        if bad.size:
            c.fail(w, f"{name}[{i}, {bad[0]}] holds {'NaN' if np.isnan(r[bad[0]]) else 'Inf'}")
        if not stored_logit:
            bad = np.flatnonzero(~((r >= 0) & (r <= 1)))
            if bad.size:
                c.fail(w, f"{name}[{i}, {bad[0]}] = {r[bad[0]]:g} is not a probability in [0, 1]")
            if softmax and abs(r.sum() - 1) > 1e-3:
                c.fail(w, f"{name}[{i}, :] sums to {r.sum():.6g}, not 1 (softmax probabilities)")


def write_explain(path, *, head, stored, class_names, concept_names, out_orig, out_edit, edit_dir,
                  edit_valid=None, image_id=None, hypotheses=None, hypothesis_sign=None,
                  threshold=None, dataset=None, classifier=None):
    """Writes /explain for `shardbench explain verify`.

    head: 'softmax' or 'sigmoid'; stored: 'prob' or 'logit'. class_names K, concept_names J
    (unique, non-empty). out_orig N x K: outputs on the originals; out_edit N x J x K: outputs
    on the edit of image i for concept j (NaN allowed where edit_dir == 0 or edit_valid == 0).
    edit_dir N x J in {-1, 0, +1}; edit_valid N x J in {0, 1}; image_id N strings;
    hypotheses H x 2 (concept, class) pairs; hypothesis_sign H in {-1, +1}; threshold in (0, 1)
    (sigmoid only); dataset, classifier: strings kept as attributes."""
    w = "write_explain"
    if head not in ("softmax", "sigmoid"):
        c.fail(w, f"head is {head!r}, not softmax or sigmoid")
    if stored not in ("prob", "logit"):
        c.fail(w, f"stored is {stored!r}, not prob or logit")
    if threshold is not None:
        if head != "sigmoid":
            c.fail(w, "threshold applies to a sigmoid head only")
        threshold = float(threshold)
        if not 0 < threshold < 1:
            c.fail(w, f"threshold is {threshold:g}, not in (0, 1)")
    classes = c.strings(w, "class_names", class_names, unique=True, nonempty=True)
    concepts = c.strings(w, "concept_names", concept_names, unique=True, nonempty=True)
    K, J = len(classes), len(concepts)
    if K == 0 or J == 0:
        c.fail(w, f"{'class_names' if K == 0 else 'concept_names'} is empty")
    orig = c.real(w, "out_orig", out_orig, (None, K), finite=False)
    N = orig.shape[0]
    if N == 0:
        c.fail(w, "out_orig has no row (N >= 1)")
    edit = c.real(w, "out_edit", out_edit, (N, J, K), finite=False)
    d = c.integer(w, "edit_dir", edit_dir, (N, J), allowed=(-1, 0, 1))
    v = c.integer(w, "edit_valid", edit_valid, (N, J), allowed=(0, 1)) if edit_valid is not None else None
    softmax, logit = head == "softmax", stored == "logit"
    _check_rows(w, "out_orig", orig, softmax, logit)
    used = (d != 0) & (v == 1 if v is not None else True)
    for j in range(J):
        _check_rows(w, f"out_edit[:, {j}, :] row", edit[:, j, :], softmax, logit, used[:, j])
    ids = c.strings(w, "image_id", image_id, n=N) if image_id is not None else None
    hyp = sign = None
    if hypotheses is not None:
        hyp = c.integer(w, "hypotheses", hypotheses, (None, 2), lo=0)
        seen = {}
        for h, (a, b) in enumerate(hyp):
            if a >= J or b >= K:
                c.fail(w, f"hypotheses[{h}] = ({a}, {b}) is out of range ({J} concepts, {K} classes)")
            if (a, b) in seen:
                c.fail(w, f"hypotheses[{h}] repeats hypotheses[{seen[(a, b)]}] ({a}, {b})")
            seen[(a, b)] = h
        if hypothesis_sign is not None:
            sign = c.integer(w, "hypothesis_sign", hypothesis_sign, (hyp.shape[0],), allowed=(-1, 1))
    elif hypothesis_sign is not None:
        c.fail(w, "hypothesis_sign without hypotheses")

    def fill(f):
        g = f.create_group("explain")
        g.attrs["head"], g.attrs["stored"] = head, stored
        if threshold is not None:
            g.attrs["threshold"] = threshold
        for k, s in (("dataset", dataset), ("classifier", classifier)):
            if s is not None:
                g.attrs[k] = str(s)
        c.put_strings(g, "class_names", classes)
        c.put_strings(g, "concept_names", concepts)
        g.create_dataset("out_orig", data=orig)
        g.create_dataset("out_edit", data=edit)
        g.create_dataset("edit_dir", data=d.astype(np.int8))
        if v is not None:
            g.create_dataset("edit_valid", data=v.astype(np.int8))
        if ids is not None:
            c.put_strings(g, "image_id", ids)
        if hyp is not None:
            g.create_dataset("hypotheses", data=hyp)
        if sign is not None:
            g.create_dataset("hypothesis_sign", data=sign.astype(np.int8))

    return c.atomic_h5(path, fill)
