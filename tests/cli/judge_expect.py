#!/usr/bin/python3
"""Compares cells of a shardbench CSV with expected literals (used by test_judge_*.sh).

usage: judge_expect.py TABLE.csv EXPECTED.csv [TOL]
TABLE.csv has key columns dataset,scorer (or method,dataset); EXPECTED.csv has columns
key1,key2,column,value: value '' expects an empty cell, anything else a number within TOL
(default 1e-12, absolute) or, if not a number, the same text. Prints one line per mismatch and
exits 1 if there is any; a missing row or column is a mismatch."""
import csv
import sys

table, expected = sys.argv[1], sys.argv[2]
tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-12
rows = list(csv.DictReader(open(table, newline="")))
keys = ("method", "dataset") if rows and "method" in rows[0] else ("dataset", "scorer")
index = {(r[keys[0]], r[keys[1]]): r for r in rows}
bad = checked = 0
for e in csv.DictReader(open(expected, newline="")):
    k = (e["key1"], e["key2"])
    r = index.get(k)
    if r is None or e["column"] not in r:
        print(f"missing: {k} {e['column']}")
        bad += 1
        continue
    got, want = r[e["column"]], e["value"]
    checked += 1
    try:
        ok = abs(float(got) - float(want)) <= tol if want != "" else got == ""
    except ValueError:
        ok = got == want
    if not ok:
        print(f"mismatch: {k} {e['column']}: got '{got}', want '{want}'")
        bad += 1
print(f"{checked} cells checked, {bad} mismatches")
sys.exit(1 if bad or not checked else 0)
