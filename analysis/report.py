#!/usr/bin/python3
"""One self-contained HTML page of a shardbench run (docs/report.md).

usage: /usr/bin/python3 analysis/report.py DIR [--output FILE] [--max-rows N]

Reads DIR's CSV tables, results.h5 provenance, inputs.tsv and job.ini, and those of the runs in
its subfolders (a `transfer evaluate` run under DIR/leaderboard, say); writes DIR/report.html:
every table (sortable and filterable), leaderboards with their confidence intervals, a plot per
task, failures and provenance. Plots are PNGs inline, scripts and styles inline (Debian's
libjs-jquery and libjs-jquery-datatables): the page needs no network. Debian's python3-jinja2,
python3-matplotlib and python3-h5py."""
import argparse
import base64
import csv
import datetime
import os
import re
import sys

import h5py
import jinja2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report_plots  # noqa: E402

JS_FILES = ["/usr/share/javascript/jquery/jquery.min.js",
            "/usr/share/javascript/jquery-datatables/jquery.dataTables.min.js"]
CSS_FILE = "/usr/share/javascript/jquery-datatables/css/jquery.dataTables.min.css"
# Tables shown in their own section before the full list.
LEADERBOARDS = ("leaderboard", "combination")
NOT_TABLES = {"failures"}


class Table:
    def __init__(self, name, path):
        self.name, self.path = name, path
        with open(path, newline="") as f:
            reader = csv.reader(f)
            self.header = next(reader, [])
            self.rows = list(reader)

    def dicts(self):
        return [dict(zip(self.header, r)) for r in self.rows]


def runs_of(top):
    """DIR and each subfolder holding a run (results.h5 or CSVs), earlier runs moved aside excluded."""
    runs = [top]
    for name in sorted(os.listdir(top)):
        d = os.path.join(top, name)
        if (os.path.isdir(d) and name not in ("journal",) and not name.startswith("previous-")
                and (os.path.exists(os.path.join(d, "results.h5")) or any(f.endswith(".csv") for f in os.listdir(d)))):
            runs.append(d)
    return runs


def h5_provenance(path):
    if not os.path.exists(path):
        return {}
    with h5py.File(path, "r") as f:
        out = {}
        for k, v in f.attrs.items():
            out[k] = v.decode() if isinstance(v, bytes) else str(v)
        return out


def tsv_rows(path):
    if not os.path.exists(path):
        return [], []
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return (rows[0], rows[1:]) if rows else ([], [])


def read_text(path):
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def slug(text):
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")


def load_run(top, run):
    rel = os.path.relpath(run, top)
    label = "" if rel == "." else rel + "/"
    tables = [Table(label + f[:-4], os.path.join(run, f)) for f in sorted(os.listdir(run)) if f.endswith(".csv")]
    header, inputs = tsv_rows(os.path.join(run, "inputs.tsv"))
    return {"label": label or "./", "id": slug(label or "top"), "tables": tables,
            "provenance": h5_provenance(os.path.join(run, "results.h5")),
            "inputs_header": header, "inputs": inputs, "job_ini": read_text(os.path.join(run, "job.ini")),
            "complete": os.path.exists(os.path.join(run, "run.complete"))}


def inline_css(path):
    """The DataTables style with its sort arrows as data: URIs, so the page loads no file."""
    css = read_text(path)
    folder = os.path.dirname(path)

    def data_uri(m):
        img = os.path.normpath(os.path.join(folder, m.group(1)))
        if not os.path.exists(img):
            return "none"
        with open(img, "rb") as f:
            return 'url("data:image/png;base64,' + base64.b64encode(f.read()).decode() + '")'
    return re.sub(r'url\("?([^")]+)"?\)', data_uri, css)


def inline_js(path):
    # "</script" inside an inline script would end it early; "<\/" means the same to JavaScript.
    return read_text(path).replace("</script", "<\\/script")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--output")
    ap.add_argument("--max-rows", type=int, default=500)
    a = ap.parse_args()
    if not os.path.isdir(a.dir):
        ap.exit(2, f"report: {a.dir}: not a folder\n")
    if a.max_rows < 1:
        ap.exit(2, "report: --max-rows must be at least 1\n")
    missing = [p for p in JS_FILES + [CSS_FILE] if not os.path.exists(p)]
    if missing:
        ap.exit(2, f"report: {missing[0]} is missing: apt-get install libjs-jquery libjs-jquery-datatables\n")
    top = os.path.abspath(a.dir)
    runs = [load_run(top, r) for r in runs_of(top)]
    if not any(r["tables"] for r in runs):
        ap.exit(2, f"report: {a.dir}: no CSV tables (is it a shardbench output folder?)\n")

    # Plots see one table per name: the first run (DIR, then subfolders) that has it.
    by_name, paths = {}, {}
    for r in runs:
        for t in r["tables"]:
            base = t.name.rsplit("/", 1)[-1]
            if base not in by_name:
                by_name[base], paths[base] = t, t.path
    run_dir = os.path.dirname(paths["splitcomp"]) if "splitcomp" in paths else top
    plots = report_plots.all_plots(by_name, paths, run_dir)

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(os.path.dirname(__file__), "templates")),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["b64"] = lambda b: base64.b64encode(b).decode()
    env.filters["slug"] = slug
    html = env.get_template("report.html.j2").render(
        title=os.path.basename(top), folder=top, runs=runs, plots=plots, max_rows=a.max_rows,
        leaderboards=[t for r in runs for t in r["tables"] if t.name.rsplit("/", 1)[-1] in LEADERBOARDS],
        failures=[(r["label"], t) for r in runs for t in r["tables"] if t.name.rsplit("/", 1)[-1] == "failures"],
        generated=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        css=inline_css(CSS_FILE), scripts=[inline_js(p) for p in JS_FILES])
    out = a.output or os.path.join(a.dir, "report.html")
    tmp = f"{out}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(html)
    os.replace(tmp, out)  # a reader never sees half a page
    print(f"report: {out}")


if __name__ == "__main__":
    main()
