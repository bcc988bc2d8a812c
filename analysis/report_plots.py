"""Plots of the HTML report (analysis/report.py), one function per task, each returning a list of
Plot records (PNG bytes inline in the page). The plots that analysis/ already draws for a task
(plot_distshift, plot_splitcomp, plot_leaderboard) are imported and called, not redrawn here.

Every function takes the run's tables ({name: Table}) and returns [] when its task is absent."""
import contextlib
import io
import math
import os
import sys
import tempfile
from collections import namedtuple

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot_distshift  # noqa: E402
import plot_leaderboard  # noqa: E402
import plot_splitcomp  # noqa: E402

# title: a heading; note: what the plot shows or why it is missing; png: bytes or None.
Plot = namedtuple("Plot", "task title note png")


def num(text):
    try:
        v = float(text)
    except (TypeError, ValueError):
        return math.nan
    return v


def fig_png(fig):
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    return buf.getvalue()


def file_png(path):
    with open(path, "rb") as f:
        return f.read()


@contextlib.contextmanager
def quiet_tmpdir():
    """A scratch folder for the analysis scripts that write PNG files, their 'wrote ...' lines
    kept off the report's stdout."""
    with tempfile.TemporaryDirectory(prefix="sb-report-") as d, contextlib.redirect_stdout(io.StringIO()):
        yield d


def pose_plots(tables):
    t = tables.get("pose")
    if not t:
        return []
    rows = [r for r in t.dicts() if r.get("sequence") == "ALL"] or t.dicts()
    actions = [r.get("action", "") for r in rows]
    metrics = [m for m in ("mpjpe", "p_mpjpe", "n_mpjpe") if m in t.header]
    fig, ax = plt.subplots(figsize=(max(6, 0.5 * len(actions) * len(metrics) + 2), 3.6))
    w = 0.8 / max(len(metrics), 1)
    for k, m in enumerate(metrics):
        ax.bar([i + k * w for i in range(len(actions))], [num(r[m]) for r in rows], width=w, label=m)
    ax.set_xticks([i + 0.4 - w / 2 for i in range(len(actions))], actions, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("error (mm)")
    ax.legend(fontsize=8)
    out = [Plot("pose", "Pose errors per action", "Rows with sequence = ALL (means over frames).", fig_png(fig))]
    parts = [c for c in t.header if c.startswith("part_mpjpe_")]
    if parts:
        all_row = next((r for r in rows if r.get("action") == "ALL"), rows[-1])
        fig, ax = plt.subplots(figsize=(max(5, 0.6 * len(parts) + 2), 3.4))
        ax.bar(range(len(parts)), [num(all_row[c]) for c in parts])
        ax.set_xticks(range(len(parts)), [c[len("part_mpjpe_"):] for c in parts], rotation=45, ha="right",
                      fontsize=8)
        ax.set_ylabel("MPJPE (mm)")
        note = ("Per body part (joint group) over all frames. The run's tables hold no per-joint "
                "column, so errors per single joint are not shown.")
        out.append(Plot("pose", "Pose errors per joint group", note, fig_png(fig)))
    else:
        out.append(Plot("pose", "Pose errors per joint", "The pose table holds no per-joint or per-part "
                        "columns (the input names no parts), so there is no per-joint plot.", None))
    return out


def forecast_plots(tables):
    t = tables.get("forecasting")
    if not t or "mAP_F" not in t.header:
        return []
    rows = [r for r in t.dicts() if r["category"] != "ALL"]
    profiles = list(dict.fromkeys(r["profile"] for r in rows))
    cats = list(dict.fromkeys(r["category"] for r in rows))
    fig, ax = plt.subplots(figsize=(7, max(3, 0.22 * len(cats) + 1.2)))
    h = 0.8 / max(len(profiles), 1)
    val = {(r["profile"], r["category"]): num(r["mAP_F"]) for r in rows}
    for k, p in enumerate(profiles):
        ax.barh([i + k * h for i in range(len(cats))], [val.get((p, c), math.nan) for c in cats], height=h, label=p)
    ax.set_yticks([i + 0.4 - h / 2 for i in range(len(cats))], cats, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("mAP_F")
    ax.legend(fontsize=8)
    return [Plot("forecast", "Forecasting mAP_F per category and profile",
                 "Categories without ground truth have an empty mAP_F and no bar.", fig_png(fig)),
            Plot("forecast", "Forecasting precision–recall curves",
                 "Not drawn: the forecasting tables hold AP per category and profile, not the points "
                 "of the precision–recall curves.", None)]


def leaderboard_plots(tables, paths):
    board = tables.get("leaderboard")
    out = []
    if board and {"tau_ci_low", "tau_ci_high", "kendall_tau"} <= set(board.header):
        rows = [r for r in board.dicts() if r["dataset"] == "ALL"]
        if rows:
            fig, ax = plt.subplots(figsize=(6.5, 0.3 * len(rows) + 1.4))
            y = range(len(rows))
            tau = [num(r["kendall_tau"]) for r in rows]
            lo = [t - num(r["tau_ci_low"]) for t, r in zip(tau, rows)]
            hi = [num(r["tau_ci_high"]) - t for t, r in zip(tau, rows)]
            ax.errorbar(tau, list(y), xerr=[lo, hi], fmt="o", capsize=3)
            ax.set_yticks(list(y), [r["scorer"] for r in rows], fontsize=8)
            ax.axvline(0, color="grey", lw=0.8)
            ax.set_xlabel("aggregated Kendall τ with its confidence interval")
            out.append(Plot("transfer", "Scorer leaderboard with confidence intervals",
                            "Rows with dataset = ALL of leaderboard.csv.", fig_png(fig)))
    need = ("leaderboard", "scores", "truth")
    if all(k in paths for k in need):
        with quiet_tmpdir() as d:
            saved = sys.argv
            sys.argv = ["plot_leaderboard.py", "--leaderboard", paths["leaderboard"], "--scores", paths["scores"],
                        "--truth", paths["truth"], "--output", d]
            try:
                plot_leaderboard.main()
            finally:
                sys.argv = saved
            out.append(Plot("transfer", "Scorer value against accuracy, per dataset",
                            "One panel per dataset and scorer; Kendall τ in the title.",
                            file_png(os.path.join(d, "scatter.png"))))
            out.append(Plot("transfer", "Kendall τ per scorer and dataset", "ALL: the aggregated τ.",
                            file_png(os.path.join(d, "heatmap.png"))))
    elif "scores" in paths:
        out.append(Plot("transfer", "Scorer value against accuracy, τ heatmap",
                        "Not drawn: they need the scores, the truth and a leaderboard (shardbench transfer "
                        "evaluate) in this folder or a subfolder.", None))
    return out


def distshift_plots(tables, paths):
    t = tables.get("distshift")
    if not t or "rho_train" not in t.header:
        return []
    with quiet_tmpdir() as d:
        png = os.path.join(d, "distshift.png")
        plot_distshift.main(paths["distshift"], png)
        plt.close("all")
        return [Plot("distshift", "Distribution shift: accuracy against training bias",
                     "Mean over seeds ± one standard error, one line per test-set diversity.", file_png(png))]


def explain_plots(tables):
    t = tables.get("explain")
    if not t or not {"cace", "cace_ci_lo", "cace_ci_hi"} <= set(t.header):
        return []
    rows = t.dicts()
    labels = [f'{r.get("concept", "")} → {r.get("target_class", "")}' for r in rows]
    c = [num(r["cace"]) for r in rows]
    lo = [v - num(r["cace_ci_lo"]) for v, r in zip(c, rows)]
    hi = [num(r["cace_ci_hi"]) - v for v, r in zip(c, rows)]
    fig, ax = plt.subplots(figsize=(6.5, 0.28 * len(rows) + 1.4))
    ax.errorbar(c, range(len(rows)), xerr=[lo, hi], fmt="o", capsize=3)
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel("CaCE with its bootstrap interval")
    return [Plot("explain", "Explanations: CaCE per concept and output", "Concept → output class.", fig_png(fig))]


def splitcomp_plots(tables, run_dir):
    if "splitcomp_configs" not in tables or "splitcomp" not in tables:
        return []
    with quiet_tmpdir() as d:
        plot_splitcomp.pareto_plot(run_dir, d)
        plot_splitcomp.policy_plot(run_dir, d)
        return [Plot("splitcomp", "Split computing: accuracy against bytes", "Lines: Pareto fronts per model.",
                     file_png(os.path.join(d, "pareto.png"))),
                Plot("splitcomp", "Split computing: policies per deadline",
                     "Miss rate and timely accuracy; bars are means over traces.",
                     file_png(os.path.join(d, "policies.png")))]


def all_plots(tables, paths, run_dir):
    """Every plot of the tasks present; tables and paths merged over the run and its sub-runs."""
    return (pose_plots(tables) + forecast_plots(tables) + leaderboard_plots(tables, paths)
            + distshift_plots(tables, paths) + explain_plots(tables) + splitcomp_plots(tables, run_dir))
