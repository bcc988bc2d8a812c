#!/usr/bin/python3
"""Plots of a `shardbench transfer evaluate` run (docs/judging.md).

  scatter.png  one panel per (dataset, scorer): accuracy against scorer value, Kendall tau of
               the leaderboard in the panel title
  heatmap.png  Kendall tau, scorers x datasets (the ALL column is the aggregated tau)

Usage (Debian's python3-matplotlib; the scores and truth CSVs as given to shardbench):
  /usr/bin/python3 analysis/plot_leaderboard.py --leaderboard OUT/leaderboard.csv \
      --scores S.csv --truth T.csv [--dataset-col C --model-col C --scorer-col C \
      --value-col C --accuracy-col C] --output DIR
"""
import argparse
import csv
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def number(text):
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--leaderboard", required=True)
    ap.add_argument("--scores", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--output", required=True)
    for key, default in (("dataset", "dataset"), ("model", "model"), ("scorer", "scorer"),
                         ("value", "value"), ("accuracy", "accuracy")):
        ap.add_argument(f"--{key}-col", default=default)
    a = ap.parse_args()

    board = read_csv(a.leaderboard)
    tau = {(r["dataset"], r["scorer"]): number(r["kendall_tau"]) for r in board}
    datasets = sorted({d for d, _ in tau if d != "ALL"})
    scorers = sorted({s for _, s in tau})
    if not datasets or not scorers:
        sys.exit(f"{a.leaderboard}: no leaderboard rows to plot")

    truth = {}
    for r in read_csv(a.truth):
        v = number(r[a.accuracy_col])
        if v is not None:
            truth[(r[a.dataset_col], r[a.model_col])] = v
    points = {}
    for r in read_csv(a.scores):
        key = (r[a.dataset_col], r[a.scorer_col])
        v, acc = number(r[a.value_col]), truth.get((r[a.dataset_col], r[a.model_col]))
        if key in tau and v is not None and acc is not None:
            points.setdefault(key, []).append((v, acc))

    os.makedirs(a.output, exist_ok=True)
    nd, ns = len(datasets), len(scorers)
    fig, axes = plt.subplots(nd, ns, figsize=(2.2 * ns + 1, 2.0 * nd + 1), squeeze=False)
    for i, d in enumerate(datasets):
        for j, s in enumerate(scorers):
            ax = axes[i][j]
            pts = points.get((d, s), [])
            if pts:
                ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=12)
            t = tau.get((d, s))
            ax.set_title("τ = " + ("—" if t is None else f"{t:.3f}"), fontsize=8)
            ax.tick_params(labelsize=6)
            if i == nd - 1:
                ax.set_xlabel(s, fontsize=8)
            if j == 0:
                ax.set_ylabel(f"{d}\naccuracy", fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(a.output, "scatter.png"), dpi=80)
    plt.close(fig)

    cols = datasets + (["ALL"] if any(d == "ALL" for d, _ in tau) else [])
    grid = [[tau.get((d, s)) for d in cols] for s in scorers]
    fig, ax = plt.subplots(figsize=(1.0 * len(cols) + 3, 0.45 * ns + 1.5))
    im = ax.imshow([[math.nan if v is None else v for v in row] for row in grid], cmap="RdBu",
                   vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(ns), scorers, fontsize=8)
    for y, row in enumerate(grid):
        for x, v in enumerate(row):
            if v is not None:
                ax.text(x, y, f"{v:.2f}", ha="center", va="center", fontsize=7)
    fig.colorbar(im, ax=ax, label="Kendall τ")
    fig.tight_layout()
    fig.savefig(os.path.join(a.output, "heatmap.png"), dpi=80)
    plt.close(fig)
    print(f"wrote {a.output}/scatter.png and {a.output}/heatmap.png")


if __name__ == "__main__":
    main()
