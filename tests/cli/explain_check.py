"""Inputs and expected rows for tests/cli/test_explain.sh (specs/explain.md).

make DIR: writes worked.h5 (the spec's 4-image example), and random files r_<head>_<stored>.h5
(both heads, both stored kinds, signed hypotheses in one, invalid and missing edits, concepts
with M = 0, 1, 2 pairs, NaN in unused out_edit entries), plus bad_*.h5 with one defect each.
check FILE CSV SPACE [TARGETS]: recomputes every row from the definitions
(tests/reference/explain_ref.py) and compares: numbers to 1e-9 relative, counts, accepted,
empties and reasons exactly.
"""
import csv
import math
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'reference'))
import explain_ref as ref  # noqa: E402

STR = h5py.string_dtype()


def write(path, head, stored, orig, edit, dirs, valid=None, hyp=None, sign=None, classes=None, concepts=None,
          threshold=None):
    with h5py.File(path, 'w') as f:
        g = f.create_group('explain')
        g.attrs['head'] = head
        g.attrs['stored'] = stored
        g.attrs['dataset'] = 'synthetic'
        g.attrs['classifier'] = 'net'
        if threshold is not None:
            g.attrs['threshold'] = threshold
        N, J, K = edit.shape
        g['class_names'] = np.array(classes or ['k%d' % k for k in range(K)], dtype=object).astype(STR)
        g['concept_names'] = np.array(concepts or ['c%d' % j for j in range(J)], dtype=object).astype(STR)
        g['out_orig'] = orig
        g['out_edit'] = edit
        g['edit_dir'] = dirs.astype(np.int8)
        if valid is not None:
            g['edit_valid'] = valid.astype(np.int32)
        if hyp is not None:
            g['hypotheses'] = np.array(hyp, dtype=np.int64)
        if sign is not None:
            g['hypothesis_sign'] = np.array(sign, dtype=np.int64)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def transform(head, stored, thr, row, space):
    row = np.asarray(row, dtype=float)
    if head == 'softmax':
        d = np.zeros(len(row), dtype=int)
        d[int(np.argmax(row))] = 1
    else:
        p = sigmoid(row) if stored == 'logit' else row
        d = (p > thr).astype(int)
    if space == 'decision':
        return d.astype(float), d
    if space == 'logit':
        return (row if stored == 'logit' else np.log(row) - np.log1p(-row)), d
    if stored == 'prob':
        return row, d
    if head == 'sigmoid':
        return sigmoid(row), d
    e = np.exp(row - row.max())
    s = 0.0
    for x in e:
        s += x
    return e / s, d


def expected(path, space, targets='auto', level=0.95):
    with h5py.File(path, 'r') as f:
        g = f['explain']
        head, stored = g.attrs['head'], g.attrs['stored']
        thr = float(g.attrs.get('threshold', 0.5))
        classes = [s.decode() for s in g['class_names'][()]]
        concepts = [s.decode() for s in g['concept_names'][()]]
        orig, edit, dirs = g['out_orig'][()], g['out_edit'][()], g['edit_dir'][()]
        valid = g['edit_valid'][()] if 'edit_valid' in g else np.ones_like(dirs)
        hyp = [tuple(h) for h in g['hypotheses'][()]] if 'hypotheses' in g else []
        sign = list(g['hypothesis_sign'][()]) if 'hypothesis_sign' in g else [1] * len(hyp)
    N, J, K = edit.shape
    signs = {(int(j), int(k)): int(s) for (j, k), s in zip(hyp, sign)}
    rows = []
    for j in range(J):
        for k in range(K):
            if targets == 'all' or (not hyp and not (head == 'softmax' and K == 2 and k == 0)) or (j, k) in signs:
                pass
            else:
                continue
            s = signs.get((j, k), 1)
            fp, fm, dp, dm, dr = [], [], [], [], []
            for i in range(N):
                if dirs[i, j] == 0 or valid[i, j] != 1:
                    continue
                fo, do = transform(head, stored, thr, orig[i], space)
                fe, de = transform(head, stored, thr, edit[i, j], space)
                add = dirs[i, j] > 0
                fp.append((fe if add else fo)[k])
                fm.append((fo if add else fe)[k])
                dp.append((de if add else do)[k])
                dm.append((do if add else de)[k])
                dr.append(1 if add else -1)
            r = ref.estimate(fp, fm, dp, dm, dr, s, level)
            r.update(concept=concepts[j], target_class=classes[k], expected_sign=s)
            rows.append(r)
    return rows


def check(path, csv_path, space, targets='auto'):
    want = expected(path, space, targets)
    got = list(csv.DictReader(open(csv_path)))
    bad = 0
    if len(got) != len(want):
        print('rows: %d, expected %d' % (len(got), len(want)))
        return 1
    for g, w in zip(got, want):
        where = '%s/%s' % (w['concept'], w['target_class'])
        for key in ['concept', 'target_class']:
            if g[key] != w[key]:
                print(where, key, g[key]), exit(1)
        ints = ref.COUNTS + ['expected_sign']
        for key in ints:
            if int(g[key]) != int(w[key]):
                print(where, key, g[key], w[key])
                bad += 1
        for key in ref.FIELDS:
            a, b = g[key], w[key]
            if math.isnan(b):
                if a != '':
                    print(where, key, 'should be empty:', a)
                    bad += 1
            elif a == '' or not (abs(float(a) - b) <= 1e-9 * abs(b) or abs(b) < 1e-12 and abs(float(a)) < 1e-12):
                print(where, key, a, b)
                bad += 1
        acc = '' if w['accepted'] is None else str(w['accepted'])
        if g['accepted'] != acc:
            print(where, 'accepted', g['accepted'], acc)
            bad += 1
        if g['reason'] != ref.reason_text(w['reasons']):
            print(where, 'reason', repr(g['reason']), repr(ref.reason_text(w['reasons'])))
            bad += 1
        if g['f_space'] != space or g['dataset'] != 'synthetic' or g['classifier'] != 'net':
            print(where, 'header columns', g['f_space'], g['dataset'], g['classifier'])
            bad += 1
    return bad


def random_file(path, rng, head, stored, hyp=False):
    N, J, K = 30, 5, 3 if head == 'softmax' else 2
    z = rng.normal(size=(N, K)) * 2
    ze = z[:, None, :] + rng.normal(size=(N, J, K)) * 1.5
    if stored == 'prob':
        if head == 'softmax':
            conv = lambda a: np.exp(a) / np.exp(a).sum(-1, keepdims=True)
        else:
            conv = sigmoid
        orig, edit = conv(z), conv(ze)
    else:
        orig, edit = z, ze
    dirs = rng.choice([-1, 0, 1], size=(N, J), p=[0.4, 0.2, 0.4])
    valid = (rng.uniform(size=(N, J)) > 0.15).astype(int)
    dirs[:, 2] = 0                      # concept 2: M = 0
    dirs[:, 3] = 0
    dirs[0, 3], valid[0, 3] = 1, 1      # concept 3: M = 1
    dirs[:, 4] = 0
    dirs[1:3, 4], valid[1:3, 4] = -1, 1  # concept 4: M = 2, remove only
    edit[(dirs == 0) | (valid == 0)] = np.nan
    kw = {}
    if hyp:
        kw = dict(hyp=[[0, 1], [1, 0], [3, 1], [4, 2 % K]], sign=[1, -1, -1, 1])
    write(path, head, stored, orig, edit, dirs, valid, **kw)


def make(d):
    os.makedirs(d, exist_ok=True)
    o = np.array([[0.9], [0.3], [0.7], [0.1]])
    e = np.array([[0.2], [0.8], [0.6], [0.3]])[:, None, :]
    write(os.path.join(d, 'worked.h5'), 'sigmoid', 'prob', o, e, np.array([[-1], [1], [-1], [1]]))
    rng = np.random.RandomState(5)
    for head in ['softmax', 'sigmoid']:
        for stored in ['prob', 'logit']:
            random_file(os.path.join(d, 'r_%s_%s.h5' % (head, stored)), rng, head, stored, hyp=(head == 'softmax'))
    # a softmax head with K = 2 (targets auto: only class 1)
    z = rng.normal(size=(12, 2))
    write(os.path.join(d, 'r_binary.h5'), 'softmax', 'logit', z, z[:, None, :] + rng.normal(size=(12, 1, 2)),
          rng.choice([-1, 1], size=(12, 1)))
    # one defect each
    base = dict(head='sigmoid', stored='prob', orig=np.full((4, 2), 0.5), edit=np.full((4, 2, 2), 0.5),
                dirs=np.array([[1, 0], [1, -1], [0, 1], [-1, 1]]))
    bads = {
        'dir': dict(dirs=np.array([[1, 0], [1, 2], [0, 1], [-1, 1]])),
        'valid': dict(valid=np.array([[1, 1], [1, 1], [1, 7], [1, 1]])),
        'nan_orig': dict(orig=np.array([[0.5, 0.5], [0.5, 0.5], [0.5, np.nan], [0.5, 0.5]])),
        'nan_edit': dict(edit=np.where(np.arange(16).reshape(4, 2, 2) == 13, np.nan, 0.5)),
        'range': dict(orig=np.array([[0.5, 0.5], [1.5, 0.5], [0.5, 0.5], [0.5, 0.5]])),
        'hyp_range': dict(hyp=[[0, 0], [2, 1]]),
        'hyp_repeat': dict(hyp=[[0, 0], [1, 1], [0, 0]]),
        'sign': dict(hyp=[[0, 0], [1, 1]], sign=[1, 0]),
        'shape': dict(edit=np.full((4, 3, 2), 0.5), concepts=['c0', 'c1']),
        'softsum': dict(head='softmax', orig=np.array([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.7, 0.5]])),
    }
    for name, change in bads.items():
        a = dict(base)
        a.update(change)
        write(os.path.join(d, 'bad_%s.h5' % name), a.pop('head'), a.pop('stored'), a.pop('orig'), a.pop('edit'),
              a.pop('dirs'), **a)
    # NaN in an unused edit entry is fine; a probability of 1 is refused only for --f-space logit
    a = dict(base)
    ed = a['edit'].copy()
    ed[0, 1, :] = np.nan
    ed[1, 0, 1] = 1.0
    write(os.path.join(d, 'edge.h5'), 'sigmoid', 'prob', a['orig'], ed, a['dirs'])


if __name__ == '__main__':
    if sys.argv[1] == 'make':
        make(sys.argv[2])
    else:
        sys.exit(1 if check(sys.argv[2], sys.argv[3], sys.argv[4], *(sys.argv[5:6])) else 0)
