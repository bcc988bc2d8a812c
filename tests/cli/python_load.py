#!/usr/bin/python3
"""shardbench.load() on a real run, for tests/cli/test_python_load.sh.

usage: python_load.py RESULTS_DIR N_RANKS

Checks that load() returns every table of the run (each CSV and each group of results.h5, none
more), each with the CSV's columns in the CSV's order and its number of rows; that the values
read from the CSVs equal those read from results.h5 (numbers to 1e-12 relative: the CSVs round to 16 decimals; NaN where the
CSV field is empty; strings exactly, also when they look like numbers); and that the provenance
(root attributes of results.h5) is on the result and on every DataFrame's .attrs."""
import csv
import os
import sys

import h5py
import numpy as np

import shardbench as sb

d, n_ranks = sys.argv[1], int(sys.argv[2])
fails = 0


def ok(cond, what):
    global fails
    print(("ok: " if cond else "FAIL: ") + what)
    fails += 0 if cond else 1


r = sb.load(d)
h = sb.load(d, source="h5")
c = sb.load(d, source="csv")
csvs = sorted(n[:-4] for n in os.listdir(d) if n.endswith(".csv"))
with h5py.File(os.path.join(d, "results.h5"), "r") as f:
    groups = sorted(f.keys())
ok(sorted(r) == sorted(set(csvs) | set(groups)) and len(r) >= 5, f"load() returns every table: {sorted(r)}")
ok(sorted(h) == groups and sorted(c) == csvs, "source='h5' and source='csv' return the tables of each")
for name in csvs:
    with open(os.path.join(d, name + ".csv"), newline="") as f:
        rows = list(csv.reader(f))
    df = r[name]
    ok(list(df.columns) == rows[0] and len(df) == len(rows) - 1,
       f"{name}: {len(df)} rows, columns as in the CSV ({len(rows[0])})")
    if name not in h:
        continue
    dh = h[name]
    same = sorted(dh.columns) == sorted(df.columns) and len(dh) == len(df)
    for col in df.columns if same else []:
        a, b = df[col].to_numpy(), dh[col].to_numpy()
        if b.dtype.kind in "fi":
            a = a.astype(float)
            b = b.astype(float)
            same &= bool(np.all((np.isnan(a) & np.isnan(b)) | np.isclose(a, b, rtol=1e-12, atol=1e-16)))
        else:
            same &= list(a) == list(b) and all(isinstance(v, str) for v in a)
    ok(same, f"{name}: CSV and results.h5 hold the same values")
    ok(df.equals(dh[rows[0]]), f"{name}: load() gives results.h5's exact values in the CSV's column order")
p = r.provenance
keys = {"shardbench_version", "git_commit", "started_utc", "finished_utc", "n_ranks", "hosts", "seed", "suite"}
ok(keys <= set(p) and p["n_ranks"] == n_ranks and p["started_utc"].endswith("Z"),
   f"provenance: {sorted(keys)} present, n_ranks = {p.get('n_ranks')}")
ok(all(df.attrs["provenance"] == p and df.attrs["table"] == n for n, df in r.items()),
   "every DataFrame carries the provenance and its table name in .attrs")
try:
    sb.load(os.path.join(d, "no-such-folder"))
    ok(False, "load() of a missing folder raised nothing")
except FileNotFoundError as e:
    ok("is not a folder" in str(e), f"load() of a missing folder: {e}")
print(f"python_load: {fails} failed")
sys.exit(1 if fails else 0)
