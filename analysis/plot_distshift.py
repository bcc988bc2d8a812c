#!/usr/bin/env python3
"""Accuracy against rho_train, one panel per test set, one line per diversity level.

usage: plot_distshift.py RUN_DIR/distshift.csv OUT.png

Reads the grid's distshift.csv (written by `shardbench distshift run` or a suite with a
[distshift] section), averages accuracy over the seeds of each (test_set, diversity, rho_train)
and draws mean +- one standard error. A grid with a diversity_scope column (distshift run
--diversity-scope invariant,both) gets one line per diversity and scope: solid for invariant,
dashed for both (held-out styles also rotate the spurious feature). Needs numpy and matplotlib (Debian: /usr/bin/python3)."""
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ORDER = ["aligned", "balanced", "anti_aligned", "absent"]


def main(csv_path, png_path):
    acc = defaultdict(list)
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "rho_train" not in rows[0]:
        sys.exit(f"{csv_path}: not a distshift grid table (no rho_train column or no rows)")
    for r in rows:
        if r["accuracy"] != "":
            key = (r["test_set"], float(r["diversity"]), float(r["rho_train"]), r.get("diversity_scope", "invariant"))
            acc[key].append(float(r["accuracy"]))
    tests = [t for t in ORDER if any(k[0] == t for k in acc)]
    divs = sorted({k[1] for k in acc})
    scopes = [s for s in ("invariant", "both") if any(k[3] == s for k in acc)]
    fig, axes = plt.subplots(1, len(tests), figsize=(4.2 * len(tests), 3.6), sharey=True, squeeze=False)
    colors = plt.cm.viridis(np.linspace(0, 0.85, max(len(divs), 1)))
    for ax, t in zip(axes[0], tests):
        for (c, dv), sc in [(cd, sc) for sc in scopes for cd in zip(colors, divs)]:
            rhos = sorted(k[2] for k in acc if k[0] == t and k[1] == dv and k[3] == sc)
            if not rhos:
                continue
            v = [np.asarray(acc[(t, dv, r, sc)]) for r in rhos]
            m = np.array([x.mean() for x in v])
            se = np.array([x.std(ddof=1) / np.sqrt(len(x)) if len(x) > 1 else 0.0 for x in v])
            label = f"diversity {dv:g}" + (f" ({sc})" if scopes != ["invariant"] else "")
            ax.plot(rhos, m, marker="o", color=c, ls="-" if sc == "invariant" else "--", label=label)
            ax.fill_between(rhos, m - se, m + se, color=c, alpha=0.2)
        ax.set_title(t.replace("_", "-") + " test set")
        ax.set_xlabel("rho_train (train bias)")
        ax.axhline(0.5, color="grey", lw=0.8, ls=":")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("accuracy (mean over seeds)")
    axes[0][-1].legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)
    print(f"wrote {png_path}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
