"""The worked problem of specs/scorers4.md as pair files, and a check of components.csv
against the spec's table of expected values.

gen OUTDIR: writes OUTDIR/worked.h5 (the 2000×256 problem, float64) and worked_x025.h5 (its
features × 0.25: NCTI's eigen branch), after checking the spec's class counts and ΣF.
check COMPONENTS_CSV MODEL MAXITER: compares MODEL's rows with the spec's values (1e-6 relative,
counts exactly); MODEL is worked or worked_x025."""
import csv
import sys

import h5py
import numpy as np

SPEC = {  # specs/scorers4.md, "Worked example"
    ("worked", 100): {
        ("ncti", "a"): 430.446828817944, ("ncti", "b"): 0.296457453526, ("ncti", "c"): 5.247904293817,
        ("ncti", "var32"): 57.19043448308466, ("ncti", "eigen_branch"): 0,
        ("etran", "energy"): 6.799519123978, ("etran", "lda"): 0.536064567554,
        ("pactran", "pac_opt"): 0.652227156319, ("pactran", "pac_gauss"): 3.655122201531,
        ("pactran", "sigma2_inv"): 164650.4763403, ("pactran", "nit"): 66, ("pactran", "nfev"): 68,
        ("tmi", "tmi"): 52.419853080795,
    },
    ("worked", 10): {
        ("pactran", "pac_opt"): 0.681947348228, ("pactran", "pac_gauss"): 3.682110503345,
        ("pactran", "nit"): 10, ("pactran", "nfev"): 11,
    },
    ("worked_x025", 100): {
        ("ncti", "a"): 430.924065129368, ("ncti", "b"): 0.296738107476, ("ncti", "c"): 5.249211672680,
        ("ncti", "var32"): 3.574402155193, ("ncti", "eigen_branch"): 1,
    },
}
EXACT = {"nit", "nfev", "eigen_branch"}


def gen(out):
    rng = np.random.default_rng(0)
    pi = rng.dirichlet(5 * np.ones(10))
    y = rng.choice(10, 2000, p=pi)
    y[:10] = np.arange(10)
    M = rng.normal(0, 0.15, (10, 256))
    F = np.maximum(M[y] + rng.normal(0, 1.5, (2000, 256)) + 0.5, 0)
    assert list(np.bincount(y)) == [239, 285, 179, 370, 169, 149, 57, 113, 180, 259], "class counts differ"
    assert abs(F.sum() - 453391.8199405863) < 1e-6, "sum of F differs"
    for name, X in (("worked.h5", F), ("worked_x025.h5", F * 0.25)):
        with h5py.File(f"{out}/{name}", "w") as h:
            h["features"] = X
            h["labels"] = y.astype(np.int64)


def check(path, model, maxiter):
    got = {(r["scorer"], r["component"]): r["value"] for r in csv.DictReader(open(path)) if r["model"] == model}
    bad = 0
    for key, want in SPEC[(model, maxiter)].items():
        v = got.get(key)
        if v is None or v == "":
            print(f"{model} {key}: missing or empty, want {want}")
            bad += 1
            continue
        v = float(v)
        if key[1] in EXACT:
            ok = v == want
        else:
            ok = abs(v - want) <= 1e-6 * max(1.0, abs(want))
        if not ok:
            print(f"{model} {key}: got {v!r}, want {want!r}")
            bad += 1
    return bad


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
    else:
        sys.exit(1 if check(sys.argv[2], sys.argv[3], int(sys.argv[4])) else 0)
