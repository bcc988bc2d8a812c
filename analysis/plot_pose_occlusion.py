#!/usr/bin/env python3
"""MPJPE on occluded vs visible joints per occlusion pattern, matched vs mismatched training.

usage: plot_pose_occlusion.py RUN_DIR/pose_occlusion.csv [MORE.csv ...] OUT.png

Reads one or more pose_occlusion.csv tables (written by `shardbench pose eval` on inputs with
`occluded` masks, e.g. one per trained model) and draws, per test pattern, a pair of bars per
train pattern: mpjpe_occ (dark) and mpjpe_vis (light); bars of matched rows (test pattern =
train pattern) are outlined and hatched. An empty value (no such entry) draws no bar. Needs
matplotlib (Debian: /usr/bin/python3)."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NEED = {"pattern", "train_pattern", "matched", "mpjpe_occ", "mpjpe_vis"}


def read_rows(paths):
    rows = []
    for p in paths:
        with open(p, newline="") as f:
            r = list(csv.DictReader(f))
        if not r or not NEED <= set(r[0]):
            sys.exit(f"{p}: not a pose_occlusion table (needs rows and columns {', '.join(sorted(NEED))})")
        rows += r
    return rows


def num(s):
    return float(s) if s != "" else None


def main(paths, png_path):
    rows = read_rows(paths)
    patterns = sorted({r["pattern"] for r in rows})
    trains = sorted({r["train_pattern"] for r in rows})
    width = 0.8 / (2 * len(trains))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(patterns) * max(1, len(trains))), 4.0))
    cmap = plt.cm.tab10
    for k, tr in enumerate(trains):
        for x, pat in enumerate(patterns):
            for r in rows:
                if r["pattern"] != pat or r["train_pattern"] != tr:
                    continue
                matched = r["matched"] == "1"
                for s, (col, shade) in enumerate((("mpjpe_occ", 1.0), ("mpjpe_vis", 0.45))):
                    v = num(r[col])
                    if v is None:
                        continue
                    pos = x - 0.4 + width * (2 * k + s + 0.5)
                    ax.bar(pos, v, width, color=cmap(k % 10), alpha=shade, hatch="//" if matched else None,
                           edgecolor="black" if matched else "none", linewidth=1.2 if matched else 0)
    ax.set_xticks(range(len(patterns)))
    ax.set_xticklabels([p.replace("_", " ") for p in patterns])
    ax.set_xlabel("test occlusion pattern")
    ax.set_ylabel("MPJPE (mm)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=cmap(k % 10)) for k in range(len(trains))]
    labels = [f"trained with {t}" for t in trains]
    handles += [plt.Rectangle((0, 0), 1, 1, color="grey"), plt.Rectangle((0, 0), 1, 1, color="grey", alpha=0.45),
                plt.Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="black", hatch="//")]
    labels += ["occluded joints", "visible joints", "matched (test = train)"]
    ax.legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)
    print(f"wrote {png_path}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1:-1], sys.argv[-1])
