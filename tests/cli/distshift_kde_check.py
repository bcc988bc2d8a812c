"""Input and expected values for tests/cli/test_distshift_quantify.sh.

make E.h5 X.h5: two environments P and Q (d = 3, classes 0/1/2 with unequal counts; Q shifted, with a
different class balance and a quarter of its rows far from P, so that div > 0) and M evaluation points drawn, after the spec's pairing and
standardisation, from scipy.stats.gaussian_kde of the pooled data (resample with seed 11).
check E.h5 X.h5 shift.csv EPS_DIV EPS_COR: computes div and cor on those points with
scipy.stats.gaussian_kde, following specs/distshift.md steps 1-6 (written here from the spec,
not from shardbench or the OoD-Bench code), and compares with shift.csv to 1e-9 relative.
Run with Debian's /usr/bin/python3 (numpy, scipy)."""
import csv
import sys

import h5py
import numpy as np
from scipy.stats import gaussian_kde


def make(env_path, points_path, m):
    rng = np.random.default_rng(3)
    def env(n, shift, probs):
        y = rng.choice(3, size=n, p=probs)
        z = rng.normal(size=(n, 3)) + np.outer(y, [1.0, -0.5, 0.3]) + shift
        z[:, 2] += 0.5 * z[:, 0]
        return z, y
    zP, yP = env(300, 0.0, [0.5, 0.3, 0.2])
    zQ, yQ = env(260, np.array([0.8, 0.0, -0.4]), [0.3, 0.4, 0.3])
    zQ[::4, :2] += 12.0  # a quarter of Q in a region P never visits: a diversity shift
    with h5py.File(env_path, "w") as f:
        f["P/z"], f["P/y"] = zP.astype(np.float32), yP
        f["Q/z"], f["Q/y"] = zQ, yQ.astype(np.int32)
    P, _, Q, _ = paired(zP.astype(np.float32).astype(np.float64), yP, zQ, yQ)
    pts = gaussian_kde(np.concatenate([P, Q]).T).resample(m, seed=11).T
    with h5py.File(points_path, "w") as f:
        f["points"] = pts


def paired(zP, yP, zQ, yQ):
    """Steps 1-2: the first min(n_P(y), n_Q(y)) rows of each class, standardised together."""
    keepP, keepQ = [], []
    for c in sorted(set(yP) & set(yQ)):
        k = min((yP == c).sum(), (yQ == c).sum())
        keepP += list(np.flatnonzero(yP == c)[:k])
        keepQ += list(np.flatnonzero(yQ == c)[:k])
    keepP, keepQ = np.sort(keepP), np.sort(keepQ)
    P, Q = zP[keepP], zQ[keepQ]
    both = np.concatenate([P, Q])
    mu, sd = both.mean(0), both.std(0)
    return (P - mu) / sd, yP[keepP], (Q - mu) / sd, yQ[keepQ]


def shift(env_path, points_path, eps_div, eps_cor):
    with h5py.File(env_path, "r") as f:
        zP, yP = f["P/z"][()].astype(np.float64), f["P/y"][()]
        zQ, yQ = f["Q/z"][()].astype(np.float64), f["Q/y"][()]
    with h5py.File(points_path, "r") as f:
        x = f["points"][()]
    P, yp, Q, yq = paired(zP, yP, zQ, yQ)
    r = gaussian_kde(np.concatenate([P, Q]).T)(x.T)
    p = gaussian_kde(P.T)(x.T)
    q = gaussian_kde(Q.T)(x.T)
    m = len(x)
    div = np.sum(((p < eps_div) | (q < eps_div)) * np.abs(p - q) / r) / (2 * m)
    num = den = 0.0
    ok = (p > eps_cor) & (q > eps_cor)
    for c in sorted(set(yp)):
        py = gaussian_kde(P[yp == c].T)(x.T)
        qy = gaussian_kde(Q[yq == c].T)(x.T)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(py * np.sqrt(q / p) - qy * np.sqrt(p / q)) / r
        cy = np.sum(np.where(ok, t, 0.0)) / (2 * m)
        n = (yp == c).sum()
        num += n * cy
        den += n
    return div, num / den


def check(env_path, points_path, shift_csv, eps_div, eps_cor):
    div, cor = shift(env_path, points_path, eps_div, eps_cor)
    row = next(csv.DictReader(open(shift_csv)))
    bad = 0
    for k, want in (("div", div), ("cor", cor)):
        got = float(row[k])
        rel = abs(got - want) / abs(want)
        print(f"{k}: shardbench {got!r} scipy {want!r} relative difference {rel:.2e}")
        bad += not rel <= 1e-9
    return bad == 0 and want > 0


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(0 if check(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]), float(sys.argv[6])) else 1)
