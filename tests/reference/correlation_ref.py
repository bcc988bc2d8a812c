"""Expected values for tests/unit/test_correlation.c.

Run: /usr/bin/python3 tests/reference/correlation_ref.py
scipy 1.10: scipy.stats.pearsonr(x, y).statistic, scipy.stats.spearmanr(x, y).statistic,
scipy.stats.rankdata(v) (method='average'); numpy 1.24: numpy.percentile(v, q) (default
method 'linear'). Inputs drawn with RandomState(4242) and printed as literals.
"""
import numpy as np
from scipy.stats import pearsonr, spearmanr, rankdata


def lit(v):
    return '{' + ', '.join('%.17g' % float(t) for t in v) + '}'


rng = np.random.RandomState(4242)
x = rng.normal(size=12)
y = 0.3 * x + rng.normal(size=12)
print('static const double px[] = %s;' % lit(x))
print('static const double py[] = %s;' % lit(y))
print('/* pearson %.17g spearman %.17g */' % (pearsonr(x, y).statistic, spearmanr(x, y).statistic))
tx = rng.randint(0, 5, size=13).astype(float)
ty = rng.randint(0, 4, size=13).astype(float) + 0.5 * tx
print('static const double tx[] = %s;' % lit(tx))
print('static const double ty[] = %s;' % lit(ty))
print('/* pearson %.17g spearman %.17g */' % (pearsonr(tx, ty).statistic, spearmanr(tx, ty).statistic))
print('static const double rank_tx[] = %s;' % lit(rankdata(tx)))
big = np.array([1e15 + 1, 1e15 + 3, 1e15 + 2, 1e15 + 7])
print('/* pearson of {1e15+1, 1e15+3, 1e15+2, 1e15+7} with (1,2,3,4): %.17g */' % pearsonr(big, [1, 2, 3, 4]).statistic)
p = rng.normal(size=1000)
print('static const double pv[] = %s;' % lit(p[:23]))
qs = [0, 2.5, 25, 50, 97.5, 100, 33.3, 71.25]
print('static const double pq[] = %s;' % lit(qs))
print('static const double pw[] = %s; /* np.percentile(pv, q) */' % lit([np.percentile(p[:23], q) for q in qs]))
print('/* n=1: %.17g ; n=2 {3,1} q=30: %.17g */' % (np.percentile([5.5], 30), np.percentile([3.0, 1.0], 30)))
