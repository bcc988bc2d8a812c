"""Expected values of tests/unit/test_kde.c.

Run: /usr/bin/python3 tests/reference/kde_ref.py   (numpy 1.24, scipy 1.10)
Prints C literals: for each case the samples (n x d, row-major), the evaluation points (m x d)
and scipy.stats.gaussian_kde(samples.T)(points.T) (default bandwidth: Scott), all with 17
significant digits. The test pastes them verbatim.
"""
import numpy as np
from scipy.stats import gaussian_kde


def lit(a):
    return ", ".join("%.17g" % v for v in np.ravel(a))


def case(name, x, pts):
    kde = gaussian_kde(x.T)
    dens = kde(pts.T)
    n, d = x.shape
    print(f"/* {name}: n={n}, d={d}, m={len(pts)}; scipy factor {kde.factor!r} */")
    print(f"static const double {name}_x[] = {{{lit(x)}}};")
    print(f"static const double {name}_pts[] = {{{lit(pts)}}};")
    print(f"static const double {name}_want[] = {{{lit(dens)}}};")


rng = np.random.default_rng(20261125)
# d = 1: a two-mode sample; points inside, between modes and far in the tail.
x1 = np.concatenate([rng.normal(-1.0, 0.5, 30), rng.normal(2.0, 1.0, 20)])[:, None]
p1 = np.array([-3.0, -1.0, 0.0, 0.5, 2.0, 4.0, 6.5, 9.0])[:, None]
case("d1", np.round(x1, 6), p1)
# d = 2: strongly correlated covariance (a non-diagonal Cholesky factor matters).
c2 = np.array([[1.0, 0.8], [0.8, 1.0]])
x2 = rng.multivariate_normal([0.5, -0.5], c2, 80)
p2 = np.array([[0.0, 0.0], [0.5, -0.5], [1.0, 1.0], [-1.0, 1.0], [2.0, -2.0], [3.0, 3.5],
               [-4.0, 4.0], [5.0, -4.0]])
case("d2", np.round(x2, 6), p2)
# d = 5: 120 samples, random full covariance.
a = rng.normal(size=(5, 5))
c5 = a @ a.T / 5 + 0.2 * np.eye(5)
x5 = rng.multivariate_normal(np.zeros(5), c5, 120)
p5 = np.vstack([x5[:3] + 0.1, np.zeros((1, 5)), rng.normal(size=(3, 5)) * 2.0,
                np.full((1, 5), 3.0)])
case("d5", np.round(x5, 6), np.round(p5, 6))
