"""Expected values for tests/unit/test_scorer_eval.c.

Run: /usr/bin/python3 tests/reference/scorer_eval_ref.py
scipy 1.10 kendalltau, weightedtau, pearsonr, spearmanr on a 5-model example with a tie in the
scorer's top value; the top-1 numbers and degenerate-input rules are worked by hand in the test.
"""
from scipy.stats import kendalltau, weightedtau, pearsonr, spearmanr

x = [0.3, 0.9, 0.9, 0.1, 0.5]
y = [70., 80., 75., 60., 85.]
print('kendall %.17g weighted %.17g pearson %.17g spearman %.17g' % (
    kendalltau(x, y).statistic, weightedtau(x, y).statistic, pearsonr(x, y).statistic,
    spearmanr(x, y).statistic))
