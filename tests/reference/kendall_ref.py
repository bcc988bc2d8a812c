"""Expected values for tests/unit/test_kendall.c.

Run: /usr/bin/python3 tests/reference/kendall_ref.py $SHARDBENCH_DATA/medical-transferability   (scripts/fetch-published.sh)
Calls scipy.stats.kendalltau (scipy 1.10, defaults: variant='b') on
  1. small random vectors made here (printed as literals), without and with ties;
  2. formula inputs x_i = (i*37) % 101, y_i = (i*53) % 97 + (i % 7) for n = 300 (many ties);
  3. the medical-transferability data (DART 2023, "The Performance of Transferability Metrics
     does not Translate to Medical Tasks"): for each task and metric, x = the metric's value and
     y = 100 * test_acc_score of the 10 models in alphabetical order, joined on model name, as
     that repository's results/plot.py does for its Figure 3.
"""
import csv
import os
import sys

import numpy as np
from scipy.stats import kendalltau


def lit(v):
    return '{' + ', '.join('%.17g' % float(t) for t in v) + '}'


def main():
    data_dir = sys.argv[1]
    rng = np.random.RandomState(20231)
    x = rng.normal(size=9)
    y = x + rng.normal(size=9)
    print('/* no ties */')
    print('static const double nt_x[] =', lit(x), ';')
    print('static const double nt_y[] =', lit(y), ';')
    print('tau = %.17g' % kendalltau(x, y).statistic)
    xt = rng.randint(0, 4, size=14).astype(float)
    yt = rng.randint(0, 5, size=14).astype(float)
    print('/* ties */')
    print('static const double t_x[] =', lit(xt), ';')
    print('static const double t_y[] =', lit(yt), ';')
    print('tau = %.17g' % kendalltau(xt, yt).statistic)
    i = np.arange(300)
    fx = ((i * 37) % 101).astype(float)
    fy = ((i * 53) % 97 + (i % 7)).astype(float)
    print('formula n=300 tau = %.17g' % kendalltau(fx, fy).statistic)

    perf = {}
    with open(os.path.join(data_dir, 'task_performances.csv')) as f:
        for row in csv.DictReader(f):
            perf[(row['task'], row['model'])] = float(row['test_acc_score']) * 100
    vals = {}
    with open(os.path.join(data_dir, 'transf_metrics_values.csv')) as f:
        for row in csv.DictReader(f):
            vals[(row['task'], row['model'], row['metric'])] = float(row['value'])
    metrics = ['hscore_score', 'nce_score', 'leep_score', 'nleep_score', 'logme_score',
               'reg_hscore_score', 'gbc_score']
    tasks = ['brain_tumor_kaggle', 'breakhis', 'skin_splits']
    models = sorted({m for (_, m) in perf})
    print('/* models:', ', '.join(models), '*/')
    for t in tasks:
        print('/* %s */' % t)
        print('{', lit([perf[(t, m)] for m in models]), ',')
        for me in metrics:
            print('  /* %s */' % me, lit([vals[(t, m, me)] for m in models]), ',')
        print('}')
    for t in tasks:
        taus = [kendalltau([vals[(t, m, me)] for m in models],
                           [perf[(t, m)] for m in models]).statistic for me in metrics]
        print('/* %s */ %s,' % (t, lit(taus)))


main()
