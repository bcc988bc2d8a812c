/* test_weightedtau.c — weighted τ against scipy.stats.weightedtau.
 *
 * Expected values: tests/reference/weightedtau_ref.py, run with Debian's /usr/bin/python3
 * (numpy 1.24.2, scipy 1.10.1). It calls scipy.stats.weightedtau(x, y).statistic with the
 * defaults (hyperbolic weigher, additive, rank=True) and, for one direction,
 * scipy.stats._stats._weightedrankedtau(x, y, None, None, True), on vectors drawn with
 * RandomState(777) (printed with 17 significant digits, pasted below) and on formula vectors
 * rebuilt here. Agreement to 1e-12 relative. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "numerics/weightedtau.h"

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want) + 1e-15))
        fail_msg("got %.17g, want %.17g", got, want);
}

static double wtau(const double *x, const double *y, size_t n)
{
    sb_err err = {0};
    double t;
    const char *why = "unset";
    assert_int_equal(sb_weighted_tau(x, y, n, &t, &why, &err), 0);
    if (isfinite(t))
        assert_null(why);
    return t;
}

static double wtau1(const double *x, const double *y, size_t n)
{
    sb_err err = {0};
    double t;
    assert_int_equal(sb_weighted_tau_ranked(x, y, n, &t, NULL, &err), 0);
    return t;
}

static const double nt_x[] = {-0.4682087939185533, -0.82282485402303662, -0.065380102155768768, -0.71336192419780786, 0.90635088732816593, 0.76623673092917177, 0.82605407148759535, -1.3236827854807918, -1.7524445239614725, 1.002449068399349, 0.54480945490640564};
static const double nt_y[] = {1.6610565064372547, -1.1807698816448005, -1.4357859690139523, -0.98914846733920925, -0.10569822412175817, -0.85011301932184768, -0.026476485391183413, 0.2529458670794803, -0.61118133171179378, -0.88214561726685303, 0.95791653144854427};
static const double ti_x[] = {0, 2, 2, 1, 2, 0, 3, 1, 0, 1, 0, 1, 1, 0, 3};
static const double ti_y[] = {2, 0, 2, 2, 0, 0, 1, 0, 1, 0, 1, 0, 0, 2, 1};
static const double du_x[] = {1, 1, 2, 2, 3, 3, 1, 0.5, 2};
static const double du_y[] = {0, 0, 1, 1, 0, 2, 0, 5, 1};

static void test_scipy_small(void **state)
{
    (void)state;
    assert_close(wtau(nt_x, nt_y, 11), -0.11143099473187498, 1e-12);
    assert_close(wtau1(nt_x, nt_y, 11), -0.12388813895425903, 1e-12);
    assert_close(wtau(ti_x, ti_y, 15), 0.022189551597647121, 1e-12);
    assert_close(wtau1(ti_x, ti_y, 15), 0.067562212188601381, 1e-12);
    /* duplicated rows: the rank order among full ties decides the weights */
    assert_close(wtau(du_x, du_y, 9), 0.046152464224597525, 1e-12);
    assert_close(wtau1(du_x, du_y, 9), 0.26959010722316618, 1e-12);
    /* the average of two directions is symmetric */
    assert_close(wtau(ti_y, ti_x, 15), 0.022189551597647121, 1e-12);
    const double n2x[] = {1, 2}, n2y[] = {3, 1};
    assert_close(wtau(n2x, n2y, 2), -1.0, 1e-15);
}

static void test_scipy_formula(void **state)
{
    (void)state;
    enum { N = 257 };
    double x[N], y[N], z[N];
    for (int i = 0; i < N; i++) {
        x[i] = (double)((i * 37) % 101);
        y[i] = (double)((i * 53) % 97 + (i % 7));
        z[i] = (double)((i * i) % 89) * 0.25 - i * 0.01;
    }
    assert_close(wtau(x, y, N), 0.076150029030320726, 1e-12);
    assert_close(wtau1(x, y, N), 0.16102090227556257, 1e-12);
    assert_close(wtau(x, z, N), 0.042534955257308583, 1e-12);
}

/* By hand: identical orderings give 1, reversed −1, for any weights. */
static void test_hand(void **state)
{
    (void)state;
    const double a[] = {3, 1, 4, 1.5, 9, 2.6}, b[] = {30, 10, 40, 15, 90, 26};
    double nb[6];
    for (int i = 0; i < 6; i++)
        nb[i] = -b[i];
    assert_close(wtau(a, b, 6), 1.0, 1e-15);
    assert_close(wtau(a, nb, 6), -1.0, 1e-15);
}

static void test_degenerate(void **state)
{
    (void)state;
    sb_err err = {0};
    double t = 0;
    const char *why = NULL;
    const double x[] = {1, 2, 3}, c3[] = {2, 2, 2};
    assert_int_equal(sb_weighted_tau(x, x, 1, &t, &why, &err), 0);
    assert_true(isnan(t));
    assert_string_equal(why, "fewer than 2 models");
    assert_int_equal(sb_weighted_tau(x, x, 0, &t, &why, &err), 0);
    assert_true(isnan(t));
    assert_int_equal(sb_weighted_tau(c3, x, 3, &t, &why, &err), 0);
    assert_true(isnan(t));
    assert_string_equal(why, "x is constant");
    assert_int_equal(sb_weighted_tau(x, c3, 3, &t, &why, &err), 0);
    assert_true(isnan(t));
    assert_string_equal(why, "y is constant");
    const double bad[] = {1, 2, NAN};
    assert_int_equal(sb_weighted_tau(bad, x, 3, &t, &why, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "x[2]"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scipy_small),
        cmocka_unit_test(test_scipy_formula),
        cmocka_unit_test(test_hand),
        cmocka_unit_test(test_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
