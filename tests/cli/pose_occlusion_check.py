"""Recomputes the occlusion columns of pose.csv and every cell of pose_occlusion.csv with numpy
from specs/pose.md "Occlusion robustness", and compares them with what shardbench wrote:
numbers to 1e-9 relative, counts, names, `matched` and emptiness exactly.

Definitions used here (written from the spec, not from the C code):
  occ_rate = occluded entries / (F*J); mpjpe_occ (mpjpe_vis) = mean of ||P - G|| over the
  occluded (visible) entries; empty when there is none. Pooled rows and groups: sums over the
  entries divided by their counts; mpjpe, p_mpjpe, pck of a group: frame-weighted means of the
  sequences' values (taken from pose.csv, which pose_numpy_check.py checks on its own).
  A sequence without `occlusion` is in group "unnamed" (likewise `train_occlusion`).

usage: pose_occlusion_check.py INPUT.h5 OUTDIR [ROOT_RELATIVE(0|1)]
"""
import csv
import sys

import h5py
import numpy as np

path, outdir = sys.argv[1], sys.argv[2]
rr = len(sys.argv) > 3 and sys.argv[3] == "1"
f = h5py.File(path, "r")
rows = {r["sequence"] + "|" + r["action"]: r for r in csv.DictReader(open(outdir + "/pose.csv"))}


def attr(s, k):
    v = s.attrs.get(k)
    return None if v is None else (v.decode() if isinstance(v, bytes) else str(v))


seqs = []
for name in sorted(f["sequences"]):
    s = f["sequences"][name]
    g, p = s["gt"][...], s["pred"][...]
    if rr or s.attrs.get("root_relative", 0):
        g, p = g - g[:, :1], p - p[:, :1]
    e = np.linalg.norm(p - g, axis=-1)  # F x J
    m = s["occluded"][...].astype(bool) if "occluded" in s else None
    seqs.append(dict(name=name, action=attr(s, "action") or "", F=len(g), e=e, m=m,
                     pattern=attr(s, "occlusion"), train=attr(s, "train_occlusion")))

bad = checked = 0


def check(where, got, want, exact=False):
    global bad, checked
    checked += 1
    if isinstance(want, str) or exact:
        ok = got == str(want)
    elif want is None or np.isnan(want):
        ok = got == ""
    else:
        ok = got != "" and abs(float(got) - want) <= 1e-9 * max(abs(want), 1e-12)
    if not ok:
        bad += 1
        print(f"FAIL {where}: numpy {want!r} shardbench {got!r}")


def occ_values(sel):
    """(mpjpe_occ, mpjpe_vis, occ_rate) over the masked sequences of sel, from the entries."""
    sel = [q for q in sel if q["m"] is not None]
    if not sel:
        return np.nan, np.nan, np.nan
    e = np.concatenate([q["e"].ravel() for q in sel])
    m = np.concatenate([q["m"].ravel() for q in sel])
    return (e[m].mean() if m.any() else np.nan, e[~m].mean() if (~m).any() else np.nan, m.mean())


any_mask = any(q["m"] is not None for q in seqs)
header = next(iter(rows.values())).keys()
check("pose.csv has occlusion columns", str("mpjpe_occ" in header), str(any_mask))
if any_mask:
    groups = [(q["name"] + "|" + q["action"], [q]) for q in seqs]
    for act in sorted({q["action"] for q in seqs} - {""}):
        groups.append(("ALL|" + act, [q for q in seqs if q["action"] == act]))
    groups.append(("ALL|ALL", seqs))
    for key, sel in groups:
        for col, v in zip(("mpjpe_occ", "mpjpe_vis", "occ_rate"), occ_values(sel)):
            check(key + " " + col, rows[key][col], v)
        # the reason is there exactly when a value is empty
        empty = any(rows[key][c] == "" for c in ("mpjpe_occ", "mpjpe_vis", "occ_rate"))
        check(key + " occ_reason set iff a value is empty", str(rows[key]["occ_reason"] != ""), str(empty))

named = [q for q in seqs if q["m"] is not None or q["pattern"] is not None or q["train"] is not None]
try:
    occ_rows = list(csv.DictReader(open(outdir + "/pose_occlusion.csv")))
except FileNotFoundError:
    occ_rows = None
check("pose_occlusion.csv exists", str(occ_rows is not None), str(bool(named)))
if named and occ_rows is not None:
    keys = sorted({(q["pattern"] or "unnamed", q["train"] or "unnamed") for q in named},
                  key=lambda k: (k[0].encode(), k[1].encode()))
    check("pose_occlusion.csv groups in order", str([(r["pattern"], r["train_pattern"]) for r in occ_rows]), str(keys))
    for r, (pat, tr) in zip(occ_rows, keys):
        sel = [q for q in named if (q["pattern"] or "unnamed", q["train"] or "unnamed") == (pat, tr)]
        where = f"group ({pat}, {tr})"
        check(where + " matched", r["matched"], int(pat == tr and pat != "unnamed"), exact=True)
        check(where + " sequences", r["sequences"], len(sel), exact=True)
        check(where + " frames", r["frames"], sum(q["F"] for q in sel), exact=True)
        o, v, rate = occ_values(sel)
        check(where + " occ_rate", r["occ_rate"], rate)
        check(where + " mpjpe_occ", r["mpjpe_occ"], o)
        check(where + " mpjpe_vis", r["mpjpe_vis"], v)
        fw = np.array([q["F"] for q in sel], float)
        check(where + " mpjpe", r["mpjpe"], (fw * [q["e"].mean() for q in sel]).sum() / fw.sum())
        for col in ("p_mpjpe", "pck"):
            vals = np.array([float(rows[q["name"] + "|" + q["action"]][col]) for q in sel])
            check(where + " " + col, r[col], (fw * vals).sum() / fw.sum())
print(f"checked {checked} occlusion cells against numpy, {bad} differ")
sys.exit(1 if bad or checked < 2 else 0)
