#!/usr/bin/env python3
"""Split computing plots from a `shardbench splitcomp eval` output folder.

usage: plot_splitcomp.py RUN_DIR OUT_DIR

Writes OUT_DIR/pareto.png (accuracy against mean bytes per sample, log scale, one colour per
model, its Pareto front joined; from splitcomp_configs.csv) and OUT_DIR/policies.png (per
deadline, deadline-miss rate and timely accuracy of each policy: one dot per trace, a bar for
the mean over traces; from splitcomp.csv). Needs numpy and matplotlib (Debian: /usr/bin/python3)."""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def read(path, need):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or any(c not in rows[0] for c in need):
        sys.exit(f"{path}: no rows, or not a splitcomp table (needs {', '.join(need)})")
    return rows


def pareto_plot(run_dir, out):
    rows = read(os.path.join(run_dir, "splitcomp_configs.csv"), ["model", "config", "accuracy", "mean_bytes", "pareto"])
    models = list(dict.fromkeys(r["model"] for r in rows))
    colors = plt.cm.tab10(np.arange(len(models)) % 10)
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for c, m in zip(colors, models):
        rs = [r for r in rows if r["model"] == m]
        x = np.array([float(r["mean_bytes"]) for r in rs])
        y = np.array([float(r["accuracy"]) for r in rs])
        ax.scatter(x, y, color=c, s=22, label=m)
        for r, xi, yi in zip(rs, x, y):
            ax.annotate(r["config"], (xi, yi), fontsize=6, xytext=(2, 2), textcoords="offset points")
        front = sorted((xi, yi) for r, xi, yi in zip(rs, x, y) if r["pareto"] == "1")
        if front:
            ax.step(*zip(*front), where="post", color=c, lw=1.2)
    ax.set_xscale("log")
    ax.set_xlabel("mean payload per sample (bytes, log scale)")
    ax.set_ylabel("accuracy (mean of correct or score)")
    ax.set_title("accuracy against transmitted bytes; lines: Pareto fronts")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "pareto.png"), dpi=150)
    plt.close(fig)


def policy_plot(run_dir, out):
    rows = read(os.path.join(run_dir, "splitcomp.csv"), ["trace", "policy", "deadline_s", "miss_rate", "timely_accuracy"])
    deadlines = sorted({float(r["deadline_s"]) for r in rows})
    policies = list(dict.fromkeys(r["policy"] for r in rows))
    traces = [t for t in dict.fromkeys(r["trace"] for r in rows) if t != "ALL"]
    fig, axes = plt.subplots(len(deadlines), 2, figsize=(max(6.4, 0.45 * len(policies) + 3), 3.2 * len(deadlines)),
                             squeeze=False)
    xs = np.arange(len(policies))
    for i, dl in enumerate(deadlines):
        for j, col in enumerate(["miss_rate", "timely_accuracy"]):
            ax = axes[i][j]
            val = {(r["trace"], r["policy"]): float(r[col]) for r in rows
                   if float(r["deadline_s"]) == dl and r[col] != ""}
            ax.bar(xs, [val.get(("ALL", p), np.nan) for p in policies], color="lightgrey", label="mean over traces")
            for k, t in enumerate(traces):
                ax.plot(xs + (k - (len(traces) - 1) / 2) * 0.08, [val.get((t, p), np.nan) for p in policies], "o",
                        ms=3, label=t if len(traces) <= 10 else None)
            ax.set_xticks(xs, policies, rotation=70, fontsize=7)
            ax.set_title(f"{col.replace('_', ' ')}, deadline {dl:g} s", fontsize=9)
            ax.grid(alpha=0.3, axis="y")
    axes[0][1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "policies.png"), dpi=130)
    plt.close(fig)


def main(run_dir, out):
    os.makedirs(out, exist_ok=True)
    pareto_plot(run_dir, out)
    policy_plot(run_dir, out)
    print(f"wrote {out}/pareto.png and {out}/policies.png")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
