"""Expected values for tests/unit/test_combine.c.

Run: /usr/bin/python3 tests/reference/combine_ref.py
  - zmean: numpy 1.24, per scorer (v - v.mean()) / v.std(ddof=1) (pandas' Series.std default,
    which the benchmark's analysis/utils.py `normalize` uses), then the mean over scorers;
  - split-R-hat: the formula of Gelman et al., BDA3 §11.4, written here in numpy: each chain
    cut into its first and last floor(n/2) draws; W = mean of the halves' variances (ddof 1),
    B/L = variance of the halves' means (ddof 1), R = sqrt(((L-1)/L W + B/L) / W).
Inputs drawn with RandomState(5150), printed as literals.
"""
import numpy as np


def lit(v):
    return '{' + ', '.join('%.17g' % float(t) for t in np.ravel(v)) + '}'


rng = np.random.RandomState(5150)
S = np.column_stack([rng.normal(size=7), rng.gamma(2.0, size=7) * 10, rng.randint(0, 3, size=7)])
print('static const double zs[7 * 3] = %s; /* row-major models x scorers */' % lit(S))
Z = (S - S.mean(axis=0)) / S.std(axis=0, ddof=1)
print('static const double zs_z0[7] = %s;' % lit(Z[:, 0]))
print('static const double zs_mean[7] = %s;' % lit(Z.mean(axis=1)))

chains = rng.normal(size=(3, 9)) + np.array([[0.0], [0.4], [-0.2]])
print('static const double rh[27] = %s; /* 3 chains x 9 draws */' % lit(chains))
L = 9 // 2
halves = np.concatenate([chains[:, :L], chains[:, -L:]], axis=0)
W = halves.var(axis=1, ddof=1).mean()
B_over_L = halves.mean(axis=1).var(ddof=1)
print('/* split R-hat %.17g */' % np.sqrt(((L - 1) / L * W + B_over_L) / W))
