"""Expected values for tests/unit/test_explain_stats.c and test_tdist.c, and the definitions
that tests/cli/explain_check.py applies to whole files (specs/explain.md).

Run: /usr/bin/python3 tests/reference/explain_ref.py > tests/unit/explain_ref_data.h
Written from the spec's definitions with numpy; sums run left to right in pair order (Python's
sum), as the spec asks of shardbench. Quantiles: the t quantile is mpmath's (scipy.stats.t.ppf
in scipy 1.10 is off by up to ~5e-9 relative: the header prints the worst difference seen), the
normal one scipy.stats.norm.ppf (checked against mpmath). The sign test: exact rational sums (fractions),
correctly rounded.
"""
import math
import sys
from fractions import Fraction

import numpy as np

REASONS = [(1, 'no valid pair'), (2, 'fewer than 2 pairs'), (4, 'no add pair'),
           (8, 'no remove pair'), (16, 'all differences zero')]
FIELDS = ['cace', 'cace_sd', 'cace_ci_lo', 'cace_ci_hi', 'cace_add', 'cace_remove', 'p_plus',
          'p_minus', 'pns', 'pns_ci_lo', 'pns_ci_hi', 'pns_rev', 'pns_lb', 'pns_ub', 'sign_test_p']
COUNTS = ['n_pairs', 'n_add', 'n_remove', 'sign_n_pos', 'sign_n_neg']


_TQ = {}


def t_ppf(q, nu):
    """The t quantile to full double precision: mpmath's root of the regularized incomplete
    beta, started at scipy.stats.t.ppf (which scipy 1.10 gets only to ~5e-9 relative)."""
    if (q, nu) not in _TQ:
        import mpmath as mp
        from scipy.stats import t
        mp.mp.dps = 40
        g = float(t.ppf(q, nu))
        a = abs(g)
        f = lambda x: mp.betainc(nu / mp.mpf(2), mp.mpf(1) / 2, 0, nu / (nu + x * x), regularized=True) / 2 - (
            1 - mp.mpf(max(q, 1 - q)))
        x = float(mp.findroot(f, mp.mpf(a)))
        _TQ[(q, nu)] = x if q > 0.5 else -x
    return _TQ[(q, nu)]


def scipy_t_ppf(q, nu):
    from scipy.stats import t
    return float(t.ppf(q, nu))


def norm_ppf(q):
    from scipy.stats import norm
    return float(norm.ppf(q))


def sign_p(npos, n):
    return float(Fraction(sum(math.comb(n, m) for m in range(npos, n + 1)), 2 ** n))


def psum(v):
    s = 0.0
    for x in v:
        s += float(x)
    return s


def estimate(fp, fm, dp, dm, dirs, sign, level, tc=0.0, tp=0.0, pmax=1.0):
    """One target's row as a dict: counts, fields (nan = empty), accepted (None = empty), reasons."""
    M = len(fp)
    r = {k: 0 for k in COUNTS}
    r.update({k: math.nan for k in FIELDS})
    r['accepted'] = None
    r['reasons'] = 0
    r['n_pairs'] = M
    if M == 0:
        r['reasons'] = 1
        return r
    d = [float(a) - float(b) for a, b in zip(fp, fm)]
    add = [x for x, s in zip(d, dirs) if s > 0]
    rem = [x for x, s in zip(d, dirs) if s < 0]
    r['n_add'], r['n_remove'] = len(add), len(rem)
    r['cace'] = psum(d) / M
    r['cace_add'] = psum(add) / len(add) if add else math.nan
    r['cace_remove'] = psum(rem) / len(rem) if rem else math.nan
    if not add:
        r['reasons'] |= 4
    if not rem:
        r['reasons'] |= 8
    dp = [int(x) for x in dp]
    dm = [int(x) for x in dm]
    r['p_plus'] = psum(dp) / M
    r['p_minus'] = psum(dm) / M
    r['pns'] = psum([a * (1 - b) for a, b in zip(dp, dm)]) / M
    r['pns_rev'] = psum([b * (1 - a) for a, b in zip(dp, dm)]) / M
    r['pns_lb'] = max(0.0, r['p_plus'] - r['p_minus'])
    r['pns_ub'] = min(r['p_plus'], 1 - r['p_minus'])
    if M >= 2:
        sd = math.sqrt(psum([(x - r['cace']) ** 2 for x in d]) / (M - 1))
        r['cace_sd'] = sd
        half = 0.0 if sd == 0 else t_ppf((1 + level) / 2, M - 1) * sd / math.sqrt(M)
        r['cace_ci_lo'], r['cace_ci_hi'] = r['cace'] - half, r['cace'] + half
    else:
        r['reasons'] |= 2
    z = norm_ppf((1 + level) / 2)
    p, n = r['pns'], float(M)
    c, h, den = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)), 1 + z * z / n
    r['pns_ci_lo'], r['pns_ci_hi'] = (c - h) / den, (c + h) / den
    r['sign_n_pos'] = sum(1 for x in d if sign * x > 0)
    r['sign_n_neg'] = sum(1 for x in d if sign * x < 0)
    ns = r['sign_n_pos'] + r['sign_n_neg']
    if ns == 0:
        r['reasons'] |= 16
    else:
        r['sign_test_p'] = sign_p(r['sign_n_pos'], ns)
    if M >= 2:
        pv = 1.0 if math.isnan(r['sign_test_p']) else r['sign_test_p']
        if sign > 0:
            eff = r['cace_ci_lo'] > tc and r['pns'] >= tp
        else:
            eff = r['cace_ci_hi'] < -tc and r['pns_rev'] >= tp
        r['accepted'] = int(eff and pv <= pmax)
    return r


def reason_text(bits):
    return '; '.join(t for b, t in REASONS if bits & b)


def lit(v, fmt='%.17g'):
    return '{' + ', '.join('NAN' if isinstance(t, float) and math.isnan(t) else fmt % t for t in v) + '}'


def mp_quantiles():
    """(q, nu, t quantile) and (q, z) from mpmath, with scipy's worst relative difference."""
    import mpmath as mp
    mp.mp.dps = 50
    tq, worst = [], 0.0
    for nu in [1, 2, 3, 4, 5, 7, 10, 19, 30, 99, 1000, 20000, 300000]:
        for q in [0.6, 0.9, 0.95, 0.975, 0.995, 0.9995]:
            f = lambda x: mp.betainc(nu / mp.mpf(2), mp.mpf(1) / 2, 0, nu / (nu + x * x), regularized=True) / 2 - (1 - mp.mpf(q))
            x = mp.findroot(f, mp.mpf(scipy_t_ppf(q, nu)))
            tq.append((q, nu, float(x)))
            worst = max(worst, abs(scipy_t_ppf(q, nu) / float(x) - 1))
    zq, zworst = [], 0.0
    for q in [0.55, 0.8, 0.95, 0.975, 0.995, 0.9999999, 1e-3, 0.3]:
        x = mp.sqrt(2) * mp.erfinv(2 * mp.mpf(q) - 1)
        zq.append((q, float(x)))
        zworst = max(zworst, abs(norm_ppf(q) / float(x) - 1))
    bi = []
    for a, b, x in [(0.5, 0.5, 0.3), (2.5, 7.0, 0.2), (30.0, 0.5, 0.97), (0.5, 500.0, 0.001),
                    (40.0, 61.0, 0.5), (2000.0, 2001.0, 0.5), (1e5, 0.5, 0.99998), (250.0, 30.0, 0.9)]:
        bi.append((a, b, x, float(mp.betainc(a, b, 0, x, regularized=True)),
                   float(mp.betainc(a, b, x, 1, regularized=True))))
    return tq, worst, zq, zworst, bi


def random_case(rng, m):
    kind = rng.randint(3)
    if kind == 0:     # continuous outputs in [0, 1]
        fp, fm = rng.uniform(size=m), rng.uniform(size=m)
    elif kind == 1:   # logits, with ties and exact zeros
        fp = np.round(rng.normal(size=m), 1)
        fm = np.where(rng.uniform(size=m) < 0.3, fp, np.round(rng.normal(size=m), 1))
    else:             # decisions
        fp, fm = rng.randint(2, size=m).astype(float), rng.randint(2, size=m).astype(float)
    dp = (fp > 0.5).astype(int) if kind != 1 else (fp > 0).astype(int)
    dm = (fm > 0.5).astype(int) if kind != 1 else (fm > 0).astype(int)
    dirs = np.where(rng.uniform(size=m) < rng.uniform(), 1, -1)
    return fp, fm, dp, dm, dirs


def main():
    out = sys.stdout
    tq, tw, zq, zw, bi = mp_quantiles()
    out.write('/* Generated by tests/reference/explain_ref.py (numpy %s); do not edit.\n' % np.__version__)
    out.write(' * scipy.stats.t.ppf vs mpmath: worst relative difference %.3g; norm.ppf: %.3g. */\n' % (tw, zw))
    out.write('static const double REF_TQ[][3] = {%s};\n' % ', '.join(lit(v) for v in tq))
    out.write('static const double REF_ZQ[][2] = {%s};\n' % ', '.join(lit(v) for v in zq))
    out.write('static const double REF_BETAINC[][5] = {%s};\n' % ', '.join(lit(v) for v in bi))
    binom = [(0, 0), (0, 5), (3, 3), (4, 4), (7, 10), (31, 62), (45, 62), (40, 63), (60, 100),
             (100, 100), (520, 1000), (1, 1500), (1400, 1500), (5200, 10000)]
    out.write('static const double REF_BINOM[][3] = {%s};\n' %
              ', '.join(lit((k, n, sign_p(k, n) if n else 1.0)) for k, n in binom))
    rng = np.random.RandomState(14)
    cases, fps, fms, dps, dms, drs = [], [], [], [], [], []
    for c in range(60):
        m = [0, 1, 2, 2, 3, 4, 5, 8, 13, 40][c % 10]
        fp, fm, dp, dm, dirs = random_case(rng, m)
        sign = 1 if rng.uniform() < 0.6 else -1
        level = [0.9, 0.95, 0.99][c % 3]
        tc = [0.0, 0.05, 0.0, -0.1][c % 4]
        tp = [0.0, 0.2, 0.0][c % 3]
        pmax = [1.0, 0.05, 0.5, 1.0, 0.2][c % 5]
        r = estimate(fp, fm, dp, dm, dirs, sign, level, tc, tp, pmax)
        cases.append((len(fps), m, sign, level, tc, tp, pmax, r))
        fps += list(fp)
        fms += list(fm)
        dps += list(dp)
        dms += list(dm)
        drs += list(dirs)
    out.write('static const double REF_FP[] = %s;\n' % lit(fps + [0]))
    out.write('static const double REF_FM[] = %s;\n' % lit(fms + [0]))
    out.write('static const unsigned char REF_DP[] = %s;\n' % lit(dps + [0], '%d'))
    out.write('static const unsigned char REF_DM[] = %s;\n' % lit(dms + [0], '%d'))
    out.write('static const signed char REF_DIR[] = %s;\n' % lit(drs + [0], '%d'))
    out.write('typedef struct ref_case {\n    size_t off, m;\n    int sign;\n    double level, tc, tp, pmax;\n'
              '    long long counts[5];\n    double v[15];\n    int accepted;\n    unsigned reasons;\n} ref_case;\n')
    out.write('static const ref_case REF_CASES[] = {\n')
    for off, m, sign, level, tc, tp, pmax, r in cases:
        acc = -1 if r['accepted'] is None else r['accepted']
        out.write('    {%d, %d, %d, %.17g, %.17g, %.17g, %.17g, %s, %s, %d, %du},\n' % (
            off, m, sign, level, tc, tp, pmax, lit([r[k] for k in COUNTS], '%d'),
            lit([r[k] for k in FIELDS]), acc, r['reasons']))
    out.write('};\n')


if __name__ == '__main__':
    main()
