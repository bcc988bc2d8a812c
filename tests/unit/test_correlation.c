/* test_correlation.c — Pearson, Spearman, average ranks and percentiles.
 *
 * Expected values: tests/reference/correlation_ref.py, run with Debian's /usr/bin/python3
 * (numpy 1.24.2, scipy 1.10.1): scipy.stats.pearsonr(x, y).statistic,
 * scipy.stats.spearmanr(x, y).statistic, scipy.stats.rankdata(v) and numpy.percentile(v, q)
 * on vectors drawn with RandomState(4242), printed with 17 significant digits and pasted
 * below. Agreement to 1e-12 relative (percentiles: 1e-15 relative plus 1e-15 absolute, the
 * same interpolation). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "numerics/correlation.h"
#include "numerics/percentile.h"

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want) + 1e-15))
        fail_msg("got %.17g, want %.17g", got, want);
}

static const double px[] = {0.43010114523104764, -0.17095125770225938, -0.24394639306625945, 0.4730687718067827, 0.64489206739365312, 1.1556490036534721, -2.0595256529154695, 0.36845887425885732, 0.22778656631571534, 1.7718175789887662, -1.0164603043906757, 0.25844521229393053};
static const double py[] = {-1.2392626967097835, -0.081540416507411145, 1.3412638709147897, 1.5107234187805003, 0.70985163203636481, 1.584680469233307, -1.8562107360888969, -0.90027523242671614, -0.88166041547083895, 0.46211439659055209, 0.26667569613192882, 1.0537181857603346};
static const double tx[] = {1, 0, 1, 1, 2, 2, 4, 4, 3, 3, 1, 2, 1};
static const double ty[] = {2.5, 3, 2.5, 3.5, 3, 4, 5, 3, 3.5, 4.5, 0.5, 2, 3.5};
static const double rank_tx[] = {4, 1, 4, 4, 8, 8, 12.5, 12.5, 10.5, 10.5, 4, 8, 4};

static double pearson(const double *x, const double *y, size_t n)
{
    sb_err err = {0};
    double r;
    assert_int_equal(sb_pearson(x, y, n, &r, NULL, &err), 0);
    return r;
}

static double spearman(const double *x, const double *y, size_t n)
{
    sb_err err = {0};
    double r;
    assert_int_equal(sb_spearman(x, y, n, &r, NULL, &err), 0);
    return r;
}

static void test_scipy(void **state)
{
    (void)state;
    assert_close(pearson(px, py, 12), 0.47642718878908502, 1e-12);
    assert_close(spearman(px, py, 12), 0.43356643356643365, 1e-12);
    assert_close(pearson(tx, ty, 13), 0.50180843287276289, 1e-12);
    assert_close(spearman(tx, ty, 13), 0.47922069137220402, 1e-12);
    /* large offsets lose nothing: centring is exact here */
    const double big[] = {1e15 + 1, 1e15 + 3, 1e15 + 2, 1e15 + 7}, lin[] = {1, 2, 3, 4};
    assert_close(pearson(big, lin, 4), 0.83449717924548716, 1e-12);
}

static void test_rankdata(void **state)
{
    (void)state;
    double r[13];
    sb_err err = {0};
    assert_int_equal(sb_rankdata_average(tx, 13, r, &err), 0);
    for (int i = 0; i < 13; i++)
        assert_true(r[i] == rank_tx[i]);
}

/* By hand: n = 2 follows scipy's sign rule; a perfect monotone, non-linear relation has
 * Spearman 1 and Pearson < 1. */
static void test_hand(void **state)
{
    (void)state;
    const double a[] = {1, 3}, b[] = {10, 2};
    assert_true(pearson(a, b, 2) == -1.0);
    assert_true(spearman(a, b, 2) == -1.0);
    const double u[] = {1, 2, 3, 4, 5}, v[] = {1, 4, 9, 16, 250};
    assert_close(spearman(u, v, 5), 1.0, 1e-15);
    assert_true(pearson(u, v, 5) < 0.9);
}

static void test_degenerate(void **state)
{
    (void)state;
    sb_err err = {0};
    double r;
    const char *why;
    const double x[] = {1, 2, 3}, c[] = {4, 4, 4};
    assert_int_equal(sb_pearson(x, x, 1, &r, &why, &err), 0);
    assert_true(isnan(r));
    assert_string_equal(why, "fewer than 2 models");
    assert_int_equal(sb_pearson(x, c, 3, &r, &why, &err), 0);
    assert_true(isnan(r));
    assert_string_equal(why, "y is constant");
    assert_int_equal(sb_spearman(c, x, 3, &r, &why, &err), 0);
    assert_true(isnan(r));
    assert_string_equal(why, "x is constant");
    const double bad[] = {1, INFINITY, 2};
    assert_int_equal(sb_spearman(x, bad, 3, &r, &why, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "y[1]"));
    double rk[3];
    assert_int_equal(sb_rankdata_average(bad, 3, rk, &err), SB_EINPUT);
}

static const double pv[] = {-1.348025488795249, 1.5504261319631036, 0.2661576099570549, -0.34254726986999812, -0.73417522466333573, -0.92767212715861291, -1.7223670799299207, 0.51656551053642807, -0.11309914669461496, 0.21425389677888518, 0.17240227267949351, -0.20296471926710868, 0.73014820826077342, 0.90223936488750556, 0.55472309075025306, -1.1127674873553701, 0.71574454656992514, 0.11490548598648737, -0.51277173956704825, 1.3582596251246104, -0.43777845968890838, 0.34473878028792715, -0.12021628653955035};
static const double pq[] = {0, 2.5, 25, 50, 97.5, 100, 33.299999999999997, 71.25};
static const double pw[] = {-1.7223670799299207, -1.5164792048058513, -0.47527509962797831, 0.11490548598648737, 1.4447345532019322, 1.5504261319631036, -0.29704335837345636, 0.4607218232056654};

static void test_percentile(void **state)
{
    (void)state;
    sb_err err = {0};
    double p;
    for (int k = 0; k < 8; k++) {
        assert_int_equal(sb_percentile(pv, 23, pq[k], &p, &err), 0);
        assert_close(p, pw[k], 1e-15);
    }
    const double one[] = {5.5}, two[] = {3.0, 1.0};
    assert_int_equal(sb_percentile(one, 1, 30, &p, &err), 0);
    assert_true(p == 5.5);
    assert_int_equal(sb_percentile(two, 2, 30, &p, &err), 0);
    assert_close(p, 1.6000000000000001, 1e-15);
    /* by hand: median of 1..4 is 2.5 */
    const double four[] = {4, 1, 3, 2};
    assert_int_equal(sb_percentile(four, 4, 50, &p, &err), 0);
    assert_true(p == 2.5);
    assert_int_equal(sb_percentile(four, 0, 50, &p, &err), SB_EINPUT);
    assert_int_equal(sb_percentile(four, 4, 100.5, &p, &err), SB_EINPUT);
    assert_int_equal(sb_percentile(four, 4, NAN, &p, &err), SB_EINPUT);
    const double bad[] = {1, NAN};
    assert_int_equal(sb_percentile(bad, 2, 50, &p, &err), SB_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scipy),
        cmocka_unit_test(test_rankdata),
        cmocka_unit_test(test_hand),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_percentile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
