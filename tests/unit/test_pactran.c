/* test_pactran.c — the PACTran scorer (tasks/transfer/pactran.c) and its optimiser, the
 * L-BFGS-B replay (numerics/lbfgsb_replay.c, numerics/more_thuente.c).
 *
 * Expected values: tests/reference/pactran_ref.py (see there), run as
 *     OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tests/reference/pactran_ref.py <pactran_metrics> \
 *         > tests/unit/pactran_ref_data.h
 * PACTran: google-research/pactran_metrics@a5e4997 compute_metrics.py::calculate_pac_gauss with
 * the spec's pins (zero start, maxiter per case) on the literal problems of the header: nit and
 * nfev exactly, pac_opt, pac_gauss, sigma2_inv within 1e-6·max(1, |ref|), for λ ∈ {10, 1, 0.1} ×
 * maxiter ∈ {10, 100} on four problems (C = 5, 2, 80; D > N), a zero gradient at the start
 * (nit 0), a stop on ‖g‖∞ during the run, and both s2 factors the reference reports.
 * Optimiser: scipy.optimize.minimize(method='L-BFGS-B', tol=1e-6) on Rosenbrock (2, 4, 6
 * variables), a quadratic with a biased gradient (failed line searches: a restart of the memory,
 * then the abnormal stop) and a non-smooth Rosenbrock whose line searches revisit points (scipy's
 * cache: those are not counted again). numpy's summation order (numerics/numpy_sum.c): np.sum
 * and np.sum(np.square) of closed-form terms, bit for bit, lengths 1 to 50000. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "numerics/lbfgsb_replay.h"
#include "numerics/numpy_sum.h"
#include "tasks/transfer/scorer.h"
#include "tasks/transfer/xfer_ctx.h"

#include "pactran_ref_data.h"

extern const sb_scorer sb_scorer_pactran;

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static double max_rel; /* largest |x − ref|/max(1, |ref|) seen, printed at the end */

static void assert_close(double got, double ref, const char *what)
{
    double e = fabs(got - ref) / fmax(1.0, fabs(ref));
    if (!(e <= 1e-6)) {
        print_error("%s: got %.17g, expected %.17g\n", what, got, ref);
        fail();
    }
    max_rel = fmax(max_rel, e);
}

/* The reference's first s2 factor for its three λ (100·λ, written exactly). */
static double s2_first(double lam)
{
    return lam == 10.0 ? 1000.0 : lam == 1.0 ? 100.0 : 10.0;
}

/* Runs the scorer on one pair through a fresh context; returns the value. */
static double run(const double *X, size_t n, size_t d, const int *y, int c, double lam, long maxiter,
                  double s2, sb_scorer_parts *out)
{
    sb_xfer_input in = {n, d, NULL, X, y, c, NULL, 0};
    sb_xfer_ctx *ctx = NULL;
    sb_err err;
    assert_int_equal(sb_xfer_ctx_new(&in, &ctx, &err), 0);
    sb_scorer_params p = sb_scorer_params_default;
    p.pactran_maxiter = maxiter;
    p.pactran_lambda = lam;
    p.pactran_s2 = s2;
    double v = 0.0;
    int rc = sb_scorer_run(&sb_scorer_pactran, ctx, &p, &v, out, &err);
    if (rc)
        print_error("pactran: %s\n", err.msg);
    assert_int_equal(rc, 0);
    sb_xfer_ctx_free(ctx);
    return v;
}

static void check_case(const char *name, const double *X, size_t n, size_t d, const int *y, int c,
                       const pac_case *k)
{
    sb_scorer_parts out;
    double v = run(X, n, d, y, c, k->lam, k->maxiter, s2_first(k->lam), &out);
    if (out.v[3] != (double)k->nit || out.v[4] != (double)k->nfev) {
        print_error("%s λ=%g maxiter=%ld: nit %g nfev %g, expected %ld %ld\n", name, k->lam, k->maxiter,
                    out.v[3], out.v[4], k->nit, k->nfev);
        fail();
    }
    assert_close(out.v[0], k->pac_opt, "pac_opt");
    assert_close(out.v[1], k->pac_gauss, "pac_gauss");
    assert_close(out.v[2], k->sigma2_inv, "sigma2_inv");
    assert_true(v == -out.v[1] && out.reason[0] == '\0');
    /* the reference's second s2 factor, 10·λ: only pac_gauss changes */
    run(X, n, d, y, c, k->lam, k->maxiter, s2_first(k->lam) / 10.0, &out);
    assert_close(out.v[1], k->pac_gauss_s2b, "pac_gauss (second s2)");
    assert_true(out.v[3] == (double)k->nit && out.v[4] == (double)k->nfev);
}

static void check_problem(const char *name, const double *X, size_t n_x, const int *y, size_t n,
                          const pac_case *cases, size_t n_cases)
{
    int c = 0;
    for (size_t i = 0; i < n; i++)
        c = y[i] + 1 > c ? y[i] + 1 : c;
    for (size_t k = 0; k < n_cases; k++)
        check_case(name, X, n, n_x / n, y, c, &cases[k]);
}

static void test_reference_problems(void **state)
{
    (void)state;
    check_problem("A", A_X, LEN(A_X), A_y, LEN(A_y), A_cases, LEN(A_cases));
    check_problem("B", B_X, LEN(B_X), B_y, LEN(B_y), B_cases, LEN(B_cases));
    check_problem("K", K_X, LEN(K_X), K_y, LEN(K_y), K_cases, LEN(K_cases));
    check_problem("W", W_X, LEN(W_X), W_y, LEN(W_y), W_cases, LEN(W_cases));
}

static void test_gradient_stops(void **state)
{
    (void)state;
    check_problem("Z", Z_X, LEN(Z_X), Z_y, LEN(Z_y), &Z_case, 1);
    check_problem("G", G_X, LEN(G_X), G_y, LEN(G_y), &G_case, 1);
}

/* The context's centred features are shared with other scorers: read, never written. */
static void test_context_untouched(void **state)
{
    (void)state;
    size_t n = LEN(W_y), d = LEN(W_X) / n;
    sb_xfer_input in = {n, d, NULL, W_X, W_y, 3, NULL, 0};
    sb_xfer_ctx *ctx = NULL;
    sb_err err;
    const double *Fc;
    assert_int_equal(sb_xfer_ctx_new(&in, &ctx, &err), 0);
    assert_int_equal(sb_xfer_centered(ctx, &Fc, &err), 0);
    double *copy = malloc(n * d * sizeof *copy);
    assert_non_null(copy);
    memcpy(copy, Fc, n * d * sizeof *copy);
    sb_scorer_parts out;
    double v;
    sb_scorer_params p = sb_scorer_params_default;
    assert_int_equal(sb_scorer_run(&sb_scorer_pactran, ctx, &p, &v, &out, &err), 0);
    assert_memory_equal(copy, Fc, n * d * sizeof *copy);
    assert_int_equal(sb_xfer_stat_count(ctx, SB_XFER_STAT_CENTERED), 1);
    /* a second run on the same context: the same numbers */
    sb_scorer_parts again;
    double v2;
    assert_int_equal(sb_scorer_run(&sb_scorer_pactran, ctx, &p, &v2, &again, &err), 0);
    assert_memory_equal(out.v, again.v, 5 * sizeof(double));
    free(copy);
    sb_xfer_ctx_free(ctx);
}

static void test_bad_options_and_one_class(void **state)
{
    (void)state;
    size_t n = LEN(W_y), d = LEN(W_X) / n;
    sb_xfer_input in = {n, d, NULL, W_X, W_y, 3, NULL, 0};
    sb_xfer_ctx *ctx = NULL;
    sb_err err;
    assert_int_equal(sb_xfer_ctx_new(&in, &ctx, &err), 0);
    sb_scorer_parts out;
    double v;
    sb_scorer_params p = sb_scorer_params_default;
    p.pactran_maxiter = 0;
    assert_int_not_equal(sb_scorer_run(&sb_scorer_pactran, ctx, &p, &v, &out, &err), 0);
    p = sb_scorer_params_default;
    p.pactran_lambda = 0.0;
    assert_int_not_equal(sb_scorer_run(&sb_scorer_pactran, ctx, &p, &v, &out, &err), 0);
    sb_xfer_ctx_free(ctx);
    int y1[30] = {0};
    sb_xfer_input one = {n, d, NULL, W_X, y1, 1, NULL, 0};
    assert_int_equal(sb_xfer_ctx_new(&one, &ctx, &err), 0);
    p = sb_scorer_params_default;
    assert_int_equal(sb_scorer_run(&sb_scorer_pactran, ctx, &p, &v, &out, &err), 0);
    assert_true(isnan(v) && isnan(out.v[0]) && strstr(out.reason, "one class"));
    sb_xfer_ctx_free(ctx);
}

/* ---- the optimiser alone ---- */

typedef struct opt_fn {
    const opt_case *k;
    long calls;
    long fail_at; /* > 0: the objective fails at this call */
} opt_fn;

static double sgn(double v)
{
    return v > 0.0 ? 1.0 : v < 0.0 ? -1.0 : 0.0;
}

/* scipy.optimize.rosen and rosen_der, term by term as scipy writes them. */
static void rosen(const double *x, int n, double *f, double *g)
{
    double s = 0.0;
    for (int i = 0; i + 1 < n; i++) {
        double a = x[i + 1] - x[i] * x[i], b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    *f = s;
    for (int i = 1; i + 1 < n; i++)
        g[i] = 200.0 * (x[i] - x[i - 1] * x[i - 1]) - 400.0 * (x[i + 1] - x[i] * x[i]) * x[i] -
               2.0 * (1.0 - x[i]);
    g[0] = -400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]);
    g[n - 1] = 200.0 * (x[n - 1] - x[n - 2] * x[n - 2]);
}

static int opt_objective(const double *x, double *f, double *g, void *vctx, sb_err *err)
{
    opt_fn *o = vctx;
    const opt_case *k = o->k;
    if (++o->calls == o->fail_at)
        return sb_fail(err, SB_ENUMERIC, "objective failed on purpose");
    if (strcmp(k->fn, "rosen") == 0) {
        rosen(x, k->n, f, g);
    } else if (strcmp(k->fn, "biased") == 0) {
        double s = 0.0;
        for (int i = 0; i < k->n; i++) {
            s += (i + 1.0) * x[i] * x[i];
            g[i] = (i + 1.0) * x[i] + (i % 2 ? -k->b : k->b);
        }
        *f = 0.5 * s;
    } else {
        double r = x[1] - x[0] * x[0];
        *f = fabs(1.0 - x[0]) + 10.0 * fabs(r);
        g[0] = -sgn(1.0 - x[0]) - 20.0 * x[0] * sgn(r);
        g[1] = 10.0 * sgn(r);
    }
    return 0;
}

static void test_optimizer_reference(void **state)
{
    (void)state;
    for (size_t c = 0; c < LEN(opt_cases); c++) {
        const opt_case *k = &opt_cases[c];
        double x[6];
        for (int i = 0; i < k->n; i++)
            x[i] = i % 2 ? 1.0 : -1.2;
        opt_fn o = {k, 0, 0};
        sb_lbfgsb_opts opts = sb_lbfgsb_scipy_opts(1e-6, k->maxiter);
        sb_lbfgsb_result r;
        sb_err err;
        assert_int_equal(sb_lbfgsb_minimize(opt_objective, &o, (size_t)k->n, x, &opts, &r, &err), 0);
        if (r.nit != k->nit || r.nfev != k->nfev || (int)r.stop != k->stop) {
            print_error("%s n=%d b=%g maxiter=%ld: nit %ld nfev %ld stop %d, expected %ld %ld %d\n", k->fn,
                        k->n, k->b, k->maxiter, r.nit, r.nfev, (int)r.stop, k->nit, k->nfev, k->stop);
            fail();
        }
        assert_int_equal(o.calls, r.nfev); /* nfev counts calls, a repeated point is not one */
        assert_close(r.f, k->f, "f");
        for (int i = 0; i < k->n; i++)
            assert_close(x[i], k->x[i], "x");
        /* the biased gradient's line searches fail once with pairs stored (a restart along −g),
         * then with none (the abnormal stop) */
        assert_int_equal(r.restarts, k->stop == SB_LBFGSB_ABNORMAL ? 1 : 0);
    }
}

static void test_optimizer_errors(void **state)
{
    (void)state;
    const opt_case *k = &opt_cases[0];
    double x[2] = {-1.2, 1.0};
    opt_fn o = {k, 0, 5};
    sb_lbfgsb_opts opts = sb_lbfgsb_scipy_opts(1e-6, 100);
    sb_lbfgsb_result r;
    sb_err err;
    assert_int_equal(sb_lbfgsb_minimize(opt_objective, &o, 2, x, &opts, &r, &err), SB_ENUMERIC);
    assert_non_null(strstr(err.msg, "on purpose"));
    opts.maxiter = 0;
    assert_int_not_equal(sb_lbfgsb_minimize(opt_objective, &o, 2, x, &opts, &r, &err), 0);
}

/* The script's sum_data(n, e). */
static void sum_data(double *a, long n, int e)
{
    for (long i = 0; i < n; i++) {
        double v = (double)((i * 7919) % 10007 + 1) / 10007.0 * ldexp(1.0, (int)((i * 31) % e) - e / 2);
        a[i] = i % 3 == 0 ? -v : v;
    }
}

static void test_numpy_sum(void **state)
{
    (void)state;
    double *a = malloc(50000 * sizeof *a);
    assert_non_null(a);
    for (size_t c = 0; c < LEN(sum_cases); c++) {
        const sum_case *k = &sum_cases[c];
        sum_data(a, k->n, k->e);
        double s = sb_numpy_sum(a, (size_t)k->n), q = sb_numpy_sumsq(a, (size_t)k->n);
        if (s != k->sum || q != k->sumsq) { /* bit for bit: the order is the point */
            print_error("n=%ld e=%d: %.17g %.17g, numpy %.17g %.17g\n", k->n, k->e, s, q, k->sum, k->sumsq);
            fail();
        }
    }
    free(a);
}

static void test_report(void **state)
{
    (void)state;
    print_message("largest relative error against the references: %.3g\n", max_rel);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_problems), cmocka_unit_test(test_gradient_stops),
        cmocka_unit_test(test_context_untouched),  cmocka_unit_test(test_bad_options_and_one_class),
        cmocka_unit_test(test_optimizer_reference), cmocka_unit_test(test_optimizer_errors),
        cmocka_unit_test(test_numpy_sum),           cmocka_unit_test(test_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
