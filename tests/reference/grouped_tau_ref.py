"""Expected values for tests/unit/test_grouped_tau.c.

Run: /usr/bin/python3 tests/reference/grouped_tau_ref.py TMLR_REPO TRANSF_SCORES_CSV
  TMLR_REPO: a checkout of VirtualSpaceman/tmlr-transferability-benchmark (commit a780870);
  TRANSF_SCORES_CSV: $SHARDBENCH_DATA/tmlr-transferability-benchmark/transf_scores.csv (scripts/fetch-published.sh).
The reference is that repository's analysis/utils.py `grouped_weighted_kendall_tau` (with its
helper `invert_permutation`): the two function definitions are taken from the file with `ast`
and exec'd, so that the module's plotting imports (arviz, matplotlib, pandas) are not needed.
Called with the default weigher (1/(1+r)) and with weighter=lambda r: 1 (the plain τ), as
analysis/correlations_compute.py does. Inputs: random groups drawn with RandomState(99), and the
published table: per scorer, x = transf_score, y = test_score, g = dataset, rows in the order
(dataset, model) sorted.
"""
import ast
import csv
import os
import sys

import numpy as np


def load_reference(repo):
    path = os.path.join(repo, 'analysis', 'utils.py')
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    wanted = {'invert_permutation', 'grouped_weighted_kendall_tau'}
    defs = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in wanted]
    assert {d.name for d in defs} == wanted
    ns = {'np': np}
    exec(compile(ast.Module(body=defs, type_ignores=[]), path, 'exec'), ns)
    return ns['grouped_weighted_kendall_tau']


def lit(v, fmt='%.17g'):
    return '{' + ', '.join(fmt % t for t in v) + '}'


def main():
    gwkt = load_reference(sys.argv[1])
    plain = lambda r: 1

    rng = np.random.RandomState(99)
    ids = np.array([7, 3, 12, 7, 3, 3, 12, 7, 7, 3, 12, 12, 7, 3, 5, 12, 7, 3, 12, 7, 3, 7])
    n = ids.size
    x = rng.randint(0, 4, size=n).astype(float)
    y = np.round(rng.normal(size=n), 1)
    x[5] = x[9]; y[5] = y[9]  # a duplicated row inside dataset 3
    print('static const int rg[] = %s;' % lit(ids, '%d'))
    print('static const double rx[] = %s;' % lit(x))
    print('static const double ry[] = %s;' % lit(y))
    print('/* random: weighted %.17g plain %.17g */' % (gwkt(x, y, ids), gwkt(x, y, ids, weighter=plain)))
    xc = rng.normal(size=n)
    print('static const double rxc[] = %s;' % lit(xc))
    print('/* random continuous x: weighted %.17g plain %.17g */' % (gwkt(xc, y, ids), gwkt(xc, y, ids, weighter=plain)))

    rows = {}
    with open(sys.argv[2]) as f:
        for r in csv.DictReader(f):
            rows[(r['dataset'], r['model'], r['transf_metric'])] = (float(r['test_score']), float(r['transf_score']))
    datasets = sorted({k[0] for k in rows})
    models = sorted({k[1] for k in rows})
    print('/* datasets: %s */' % ', '.join(datasets))
    print('/* models: %s */' % ', '.join(models))
    keys = [(d, m) for d in datasets for m in models]
    g = np.array([datasets.index(d) for d, m in keys])
    acc = np.array([rows[(d, m, 'imagenet')][0] for d, m in keys])
    print('static const double tm_acc[110] = %s;' % lit(acc))
    for s in ['imagenet', 'logme_score', 'gbc_score', 'nce_score']:
        assert all(rows[(d, m, s)][0] == rows[(d, m, 'imagenet')][0] for d, m in keys)
        x = np.array([rows[(d, m, s)][1] for d, m in keys])
        print('static const double tm_%s[110] = %s;' % (s, lit(x)))
        print('/* %s: weighted %.17g plain %.17g */' % (s, gwkt(x, acc, g), gwkt(x, acc, g, weighter=plain)))


main()
