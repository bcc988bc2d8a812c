#!/usr/bin/env python3
"""Test-time selection plot from a `shardbench tts eval` output folder.

usage: plot_tts.py RUN_DIR OUT_DIR

Writes OUT_DIR/tts_auc.png from tts_summary.csv: AUC against bias factor, one panel per
(architecture, upsampling, alpha, kept fraction), the model without selection (black) and TTS at
each keypoint budget (one colour per budget), means over splits; the band is ± the standard
deviation over splits of the AUC gain (auc_gain_sd), where there are two or more splits. Needs numpy and matplotlib (Debian: /usr/bin/python3)."""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

NEED = ["arch", "bias_factor", "upsample", "budget", "alpha", "perc", "n_sets", "auc_none", "auc_tts", "auc_gain_sd"]


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or any(c not in rows[0] for c in NEED):
        sys.exit(f"{path}: no rows, or not a tts summary (needs {', '.join(NEED)})")
    return rows


def budget_key(b):
    return (1, 0) if b == "all" else (0, int(b))


def panel(ax, rows, title):
    budgets = sorted({r["budget"] for r in rows}, key=budget_key)
    x = sorted({float(r["bias_factor"]) for r in rows})
    none = [np.mean([float(r["auc_none"]) for r in rows if float(r["bias_factor"]) == b]) for b in x]
    ax.plot(x, none, "k-o", ms=4, label="no selection")
    colors = plt.cm.viridis(np.linspace(0.1, 0.85, len(budgets)))
    for c, bud in zip(colors, budgets):
        rs = {float(r["bias_factor"]): r for r in rows if r["budget"] == bud}
        y = np.array([float(rs[b]["auc_tts"]) if b in rs else np.nan for b in x])
        sd = np.array([float(rs[b]["auc_gain_sd"] or "nan") if b in rs else np.nan for b in x])
        ax.plot(x, y, "-o", color=c, ms=3, label=f"TTS, budget {bud}")
        if np.isfinite(sd).any():
            ax.fill_between(x, y - sd, y + sd, color=c, alpha=0.15, lw=0)
    ax.set_title(title, fontsize=8)
    ax.set_xlabel("bias factor")
    ax.set_ylabel("AUC")
    ax.grid(alpha=0.3)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    rows = read(os.path.join(sys.argv[1], "tts_summary.csv"))
    os.makedirs(sys.argv[2], exist_ok=True)
    keys = list(dict.fromkeys((r["arch"], r["upsample"], r["alpha"], r["perc"]) for r in rows))
    fig, axes = plt.subplots(1, len(keys), figsize=(4.6 * len(keys), 3.8), squeeze=False)
    for ax, k in zip(axes[0], keys):
        sub = [r for r in rows if (r["arch"], r["upsample"], r["alpha"], r["perc"]) == k]
        panel(ax, sub, f"{k[0]}, {k[1]}, alpha {k[2]}, kept {k[3]}")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    out = os.path.join(sys.argv[2], "tts_auc.png")
    fig.savefig(out, dpi=130)
    print(out)


if __name__ == "__main__":
    main()
