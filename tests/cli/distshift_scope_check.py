"""Checks for tests/cli/test_distshift_scope.sh on a grid run with diversity_scope = invariant,both.

finding3 GRID.csv FINDINGS.csv: recomputes finding 3 of docs/distshift.md per scope from the grid's
  distshift.csv alone -- rho levels from the smallest rho_train > 0 above the smallest one to the
  largest < 1, per seed the sum over those levels of bias_gap at the largest minus at the smallest
  diversity, mean and standard error (ddof 1) over seeds divided by the number of levels, shown
  = the mean is negative and exceeds twice its SE -- and compares every number of the findings row's
  evidence (printed to 4 decimals: within 5e-5) and its shown column, for each scope.
same GRID.csv PLAIN.csv: the invariant rows of the scoped grid, without the diversity_scope column,
  are the rows of the same grid run without the option (PLAIN), byte for byte; and the both rows at
  diversity 0 equal the invariant rows (no held-out sample, so identical data and model).
Run with Debian's /usr/bin/python3."""
import csv
import re
import sys
from collections import defaultdict

import numpy as np

EVIDENCE = re.compile(
    r"bias gap averaged over rho_train (\S+)\.\.(\S+): (\S+) at diversity (\S+) vs (\S+) at diversity (\S+) "
    r"\(difference (\S+) \+- (\S+) SE over (\d+) seeds\)")


def rows_of(path):
    return list(csv.DictReader(open(path)))


def finding3(grid, findings):
    rows = rows_of(grid)
    gap = defaultdict(dict)  # scope -> (rho, div, seed) -> bias_gap
    for r in rows:
        gap[r["diversity_scope"]][(float(r["rho_train"]), float(r["diversity"]), int(r["seed"]))] = float(r["bias_gap"])
    found = {r["diversity_scope"]: r for r in rows_of(findings) if r["finding"] == "3"}
    bad = 0
    if sorted(found) != sorted(gap) or len(gap) != 2:
        print("finding 3 rows for", sorted(found), "grid scopes", sorted(gap))
        return False
    for scope, g in gap.items():
        rhos = sorted({k[0] for k in g})
        divs = sorted({k[1] for k in g})
        seeds = sorted({k[2] for k in g})
        lo = next(i for i in range(1, len(rhos)) if rhos[i] > 0)
        hi = max(i for i in range(len(rhos)) if rhos[i] < 1)
        levels = rhos[lo:hi + 1]
        f0, f1 = divs[0], divs[-1]
        d = np.array([sum(g[(r, f1, k)] - g[(r, f0, k)] for r in levels) for k in seeds])
        mean = d.mean() / len(levels)
        se = d.std(ddof=1) / np.sqrt(len(d)) / len(levels)
        g1 = np.mean([np.mean([g[(r, f1, k)] for k in seeds]) for r in levels])
        g0 = np.mean([np.mean([g[(r, f0, k)] for k in seeds]) for r in levels])
        shown = "yes" if mean < 0 and -mean > 2 * se else "no"
        m = EVIDENCE.search(found[scope]["evidence"])
        if not m:
            print(scope, "evidence not understood:", found[scope]["evidence"])
            bad += 1
            continue
        got = [float(x) for x in m.groups()]
        want = [levels[0], levels[-1], g1, f1, g0, f0, mean, se, len(seeds)]
        print(f"{scope}: evidence {got} shown {found[scope]['shown']}; recomputed {np.round(want, 4).tolist()} {shown}")
        for x, w in zip(got, want):
            bad += not abs(x - w) <= 5e-5 + 1e-12
        bad += found[scope]["shown"] != shown
    return bad == 0


def same(grid, plain):
    lines = open(grid).read().splitlines()
    head = lines[0].split(",", 1)
    inv = [ln.split(",", 1)[1] for ln in lines[1:] if ln.startswith("invariant,")]
    both = [ln.split(",", 1)[1] for ln in lines[1:] if ln.startswith("both,")]
    ref = open(plain).read().splitlines()
    ok = head[0] == "diversity_scope" and [head[1]] + inv == ref
    print("invariant rows = plain grid:", ok)
    col = head[1].split(",").index("diversity")
    zero_inv = [ln for ln in inv if float(ln.split(",")[col]) == 0]
    zero_both = [ln for ln in both if float(ln.split(",")[col]) == 0]
    ok0 = len(zero_inv) > 0 and zero_inv == zero_both
    print("both rows at diversity 0 = invariant rows:", ok0, len(zero_both))
    return ok and ok0


if __name__ == "__main__":
    what = sys.argv[1]
    ok = finding3(*sys.argv[2:4]) if what == "finding3" else same(*sys.argv[2:4])
    sys.exit(0 if ok else 1)
