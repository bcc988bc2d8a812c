"""Reading a run's results back: every table as a pandas DataFrame, with the provenance.

A results folder holds one CSV per table and results.h5 with every table as a group
(one dataset per column: float64 with NaN for empty, int64, or UTF-8 strings) and the
provenance as root attributes (formats.md "Results file of a run")."""
import csv
import os


class Results(dict):
    """table name -> DataFrame; .provenance: the root attributes of results.h5 (a dict,
    empty when the folder has no results.h5). Each DataFrame's .attrs holds 'table' and
    'provenance' too."""

    def __init__(self, folder, tables, provenance):
        super().__init__(tables)
        self.folder = folder
        self.provenance = provenance

    def __repr__(self):
        return f"Results({self.folder!r}, tables={sorted(self)})"


def _plain(v):
    import numpy as np

    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray):
        return [_plain(x) for x in v.tolist()] if v.ndim else _plain(v.item())
    if isinstance(v, np.generic):
        return v.item()
    return v


def _read_h5(path):
    import h5py
    import numpy as np
    import pandas as pd

    tables = {}
    with h5py.File(path, "r") as f:
        prov = {k: _plain(v) for k, v in f.attrs.items()}
        for name, g in f.items():
            if not isinstance(g, h5py.Group):
                continue
            cols = {}
            for col, ds in g.items():
                if h5py.check_string_dtype(ds.dtype) is not None:
                    cols[col] = ds.asstr()[()].astype(object) if ds.shape else np.array([], object)
                else:
                    cols[col] = ds[()]
            tables[name] = pd.DataFrame(cols)
    return tables, prov


def _read_csv(path, string_cols=()):
    """string_cols: columns that are strings in results.h5: kept as text even when they look
    like numbers (a config named 11), and an empty field stays ''. Elsewhere only an empty
    field is missing: a name such as "NA" or "null" stays a string."""
    import pandas as pd

    with open(path, newline="") as f:
        header = f.readline().rstrip("\r\n").split(",")
    strs = set(string_cols)
    return pd.read_csv(path, keep_default_na=False, dtype={c: str for c in header if c in strs},
                       na_values={c: [""] for c in header if c not in strs})


def load(results_dir, source="auto"):
    """Every table of a results folder as a DataFrame.

    source: 'auto' (default): every table of results.h5 with its full-precision values, in
    its CSV's column order, plus any CSV without a group there; 'csv': the CSV files only
    (numbers as printed there, rounded to 16 decimals); 'h5': results.h5 only (columns in
    HDF5's name order). The provenance comes from results.h5 in every case."""
    if source not in ("auto", "csv", "h5"):
        raise ValueError(f"load: source is {source!r}, not 'auto', 'csv' or 'h5'")
    folder = os.fspath(results_dir)
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"load: {folder} is not a folder")
    h5 = os.path.join(folder, "results.h5")
    tables, prov = ({}, {})
    if os.path.exists(h5):
        tables, prov = _read_h5(h5)
    elif source == "h5":
        raise FileNotFoundError(f"load: {h5} does not exist")
    kinds = {n: [c for c in df.columns if df[c].dtype == object] for n, df in tables.items()}
    if source != "h5":
        csvs = sorted(n for n in os.listdir(folder) if n.endswith(".csv") and not n.startswith("."))
        if source == "csv":
            tables = {}
        for n in csvs:
            name, p = n[:-4], os.path.join(folder, n)
            if source == "auto" and name in tables:
                # results.h5 holds the full doubles (the CSVs round to 16 decimals): its values,
                # in the CSV's column order
                with open(p, newline="") as f:
                    header = next(csv.reader(f), [])
                if sorted(header) == sorted(tables[name].columns):
                    tables[name] = tables[name][header]
                    continue
            tables[name] = _read_csv(p, kinds.get(name, ()))
    if not tables:
        raise FileNotFoundError(f"load: {folder} holds no results.h5 and no CSV table")
    for name, df in tables.items():
        df.attrs["table"] = name
        df.attrs["provenance"] = prov
    return Results(folder, tables, prov)
