"""Expected values for tests/unit/test_weightedtau.c.

Run: /usr/bin/python3 tests/reference/weightedtau_ref.py
Calls scipy.stats.weightedtau(x, y).statistic (scipy 1.10 defaults: hyperbolic weigher,
additive=True, rank=True) and, for one direction, scipy.stats._stats._weightedrankedtau(x, y,
None, None, True) — the routine weightedtau averages over (x, y) and (y, x) — on vectors drawn
here (RandomState(777), printed as literals) and on formula vectors rebuilt in the test.
"""
import numpy as np
from scipy.stats import weightedtau
from scipy.stats._stats import _weightedrankedtau


def lit(v):
    return '{' + ', '.join('%.17g' % float(t) for t in v) + '}'


def show(name, x, y):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    print('static const double %s_x[] = %s;' % (name, lit(x)))
    print('static const double %s_y[] = %s;' % (name, lit(y)))
    print('/* %s: weightedtau %.17g, one direction %.17g */' % (
        name, weightedtau(x, y).statistic, _weightedrankedtau(x, y, None, None, True)))


rng = np.random.RandomState(777)
x = rng.normal(size=11)
show('nt', x, 0.5 * x + rng.normal(size=11))
show('ti', rng.randint(0, 4, size=15), rng.randint(0, 3, size=15))
# duplicated rows (joint ties), the case a bootstrap resample produces
show('du', [1, 1, 2, 2, 3, 3, 1, 0.5, 2], [0, 0, 1, 1, 0, 2, 0, 5, 1])
show('n2', [1, 2], [3, 1])
i = np.arange(257)
fx = ((i * 37) % 101).astype(float)
fy = ((i * 53) % 97 + (i % 7)).astype(float)
print('/* formula n=257: weightedtau %.17g, one direction %.17g */' % (
    weightedtau(fx, fy).statistic, _weightedrankedtau(fx, fy, None, None, True)))
fz = ((i * i) % 89) * 0.25 - i * 0.01
print('/* formula2 n=257 (y = ((i*i) mod 89)*0.25 - 0.01 i): weightedtau %.17g */' % weightedtau(fx, fz).statistic)
