/* test_etran.c — the etran and tmi scorers' raw components (tasks/transfer/etran.c, tmi.c).
 *
 * Expected values: tests/reference/etran_ref.py, run as
 *     OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tests/reference/etran_ref.py <ETran> <TMI> > tests/unit/etran_ref_data.h
 * with the mirrors of mgholamikn/ETran@d4551ed (metrics.py::Energy_Score(X, 0.5, 'bot'),
 * LDA_Score; torch stubbed, scipy.special.logsumexp for torch.logsumexp) and
 * snudatalab/TMI@72e5747 (src/trf_measurement.py::TMI), on the literal problems of the header and
 * the closed form of closed_form() below: |x − ref| ≤ 1e-6·max(1, |ref|), classes kept/dropped
 * exactly, the undefined components NaN with their reason. The portable TMI kernel must give the
 * AVX2 kernel's values bit for bit, and both a plain O(D·n²) transcription of the spec's TMI on
 * problems that cross every blocking edge (partial panels, several panel blocks). ψ(n) is
 * checked against scipy.special.digamma to 1e-14 relative for n up to 1e6. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "etran_ref_data.h"
#include "tasks/transfer/scorer.h"
#include "tasks/transfer/xfer_ctx.h"

extern const sb_scorer sb_scorer_etran, sb_scorer_tmi;
extern int sb_tmi_portable_kernel;
double sb_tmi_digamma(size_t n);

#define ENERGY_REASON "N < 200: no sample in the lowest 0.5%"

/* Runs s on F (n×d) through a fresh context, as the task does (sb_scorer_run). */
static void run(const sb_scorer *s, const double *F, size_t n, size_t d, const int *y, int c, sb_scorer_parts *out)
{
    sb_xfer_input in = {n, d, NULL, F, y, c, NULL, 0};
    sb_xfer_ctx *ctx = NULL;
    sb_err err;
    assert_int_equal(sb_xfer_ctx_new(&in, &ctx, &err), 0);
    double v;
    int rc = sb_scorer_run(s, ctx, &sb_scorer_params_default, &v, out, &err);
    if (rc)
        print_error("%s: %s\n", s->name, err.msg);
    assert_int_equal(rc, 0);
    assert_true(sb_xfer_stat_count(ctx, SB_XFER_STAT_MEANS) <= 1);
    sb_xfer_ctx_free(ctx);
}

static double max_rel;

static void assert_close(const char *what, double got, double ref)
{
    double r = fabs(got - ref) / fmax(1.0, fabs(ref));
    if (!(r <= 1e-6)) {
        print_error("%s: got %.17g, expected %.17g\n", what, got, ref);
        fail();
    }
    max_rel = fmax(max_rel, r);
}

/* tests/reference/etran_ref.py::closed_form: D > N with N ≥ 200. */
static void closed_form(size_t n, size_t d, int c, double *X, int *y)
{
    for (size_t i = 0; i < n; i++) {
        y[i] = (int)((i * 7) % (size_t)c);
        for (size_t j = 0; j < d; j++) {
            double di = (double)i, dj = (double)j;
            double v = sin(0.37 * di * (dj + 1.0) + 0.011 * di * di) + 0.04 * cos(1.3 * y[i] * (dj + 2.0));
            X[i * d + j] = fmax(v, 0.0) * 3.0;
        }
    }
}

/* The problem's features: the header's literals, T2's one-row change, B199's first rows. */
static const double *problem_X(const ref_problem *p, double **owned, const int **y)
{
    *owned = NULL;
#define LIT(nm)                           \
    if (strcmp(p->name, #nm) == 0) {      \
        *y = nm##_y;                      \
        return nm##_X;                    \
    }
    LIT(P2) LIT(P80) LIT(W) LIT(B) LIT(T) LIT(K) LIT(Z) LIT(Z1) LIT(U)
#undef LIT
    if (strcmp(p->name, "B199") == 0) {
        *y = B_y;
        return B_X;
    }
    static int yg[300];
    double *X = malloc(p->n * p->d * sizeof *X);
    assert_non_null(X);
    *owned = X;
    if (strcmp(p->name, "T2") == 0) {
        memcpy(X, T_X, sizeof T_X);
        for (size_t a = 0; a < 4; a++)
            X[20 * 4 + a] = -9.0;
        *y = T_y;
        return X;
    }
    assert_string_equal(p->name, "G");
    assert_true(p->n <= 300);
    closed_form(p->n, p->d, p->c, X, yg);
    *y = yg;
    return X;
}

static void check_problem(const ref_problem *p)
{
    double *owned;
    const int *y;
    const double *X = problem_X(p, &owned, &y);
    sb_scorer_parts e, t, tp;
    run(&sb_scorer_etran, X, p->n, p->d, y, p->c, &e);
    if (isnan(p->energy)) {
        assert_true(isnan(e.v[0]));
        assert_string_equal(e.reason, ENERGY_REASON);
    } else {
        assert_close(p->name, e.v[0], p->energy);
        assert_string_equal(e.reason, "");
    }
    assert_close(p->name, e.v[1], p->lda);
    run(&sb_scorer_tmi, X, p->n, p->d, y, p->c, &t);
    if (isnan(p->tmi)) {
        assert_true(isnan(t.v[0]));
        assert_non_null(strstr(t.reason, "every class has 2 or 3 samples"));
    } else {
        assert_close(p->name, t.v[0], p->tmi);
        assert_string_equal(t.reason, "");
    }
    assert_true(t.v[1] == p->kept && t.v[2] == p->dropped);
    sb_tmi_portable_kernel = 1;
    run(&sb_scorer_tmi, X, p->n, p->d, y, p->c, &tp);
    sb_tmi_portable_kernel = 0;
    assert_memory_equal(t.v, tp.v, 3 * sizeof(double));
    print_message("%-5s energy %.17g lda %.17g tmi %.17g kept %g dropped %g\n", p->name, e.v[0], e.v[1],
                  t.v[0], t.v[1], t.v[2]);
    free(owned);
}

static void test_reference_problems(void **state)
{
    (void)state;
    max_rel = 0.0;
    for (size_t k = 0; k < sizeof ref_problems / sizeof ref_problems[0]; k++)
        check_problem(&ref_problems[k]);
    print_message("max relative error vs the references: %.3g\n", max_rel);
}

static void test_digamma(void **state)
{
    (void)state;
    double worst = 0.0;
    for (size_t k = 0; k < sizeof digamma_n / sizeof digamma_n[0]; k++) {
        double got = sb_tmi_digamma((size_t)digamma_n[k]), r = fabs(got - digamma_ref[k]) / fabs(digamma_ref[k]);
        if (!(r <= 1e-14))
            print_error("psi(%ld) = %.17g, scipy %.17g\n", digamma_n[k], got, digamma_ref[k]);
        assert_true(r <= 1e-14);
        worst = fmax(worst, r);
    }
    print_message("digamma: max relative error vs scipy %.3g\n", worst);
}

/* Energy is a function of the multiset of rows: reversed rows (the tied ones included) give the
 * same bits. */
static void test_energy_order_free(void **state)
{
    (void)state;
    enum { N = 600, D = 4 };
    double *R = malloc(sizeof T_X);
    int yr[N];
    assert_non_null(R);
    for (size_t i = 0; i < N; i++) {
        memcpy(R + i * D, T_X + (N - 1 - i) * D, D * sizeof *R);
        yr[i] = T_y[N - 1 - i];
    }
    sb_scorer_parts a, b;
    run(&sb_scorer_etran, T_X, N, D, T_y, 3, &a);
    run(&sb_scorer_etran, R, N, D, yr, 3, &b);
    assert_true(a.v[0] == b.v[0]);
    free(R);
}

/* A deterministic uniform in [−1, 1) (64-bit LCG, top 53 bits). */
static double lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return (double)(*s >> 11) * 0x1p-52 - 1.0;
}

/* The spec's TMI transcribed plainly: every ordered pair, full 3rd-smallest search. */
static double tmi_plain(const double *X, size_t n, size_t d, const int *y, int c)
{
    double *mu = calloc(d, sizeof *mu), *dist = malloc(n * sizeof *dist), sum = 0.0;
    assert_true(mu && dist);
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++)
            mu[a] += X[i * d + a] / (double)n;
    size_t kept = 0;
    for (int k = 0; k < c; k++) {
        size_t nc = 0;
        for (size_t i = 0; i < n; i++)
            nc += y[i] == k;
        if (nc == 2 || nc == 3)
            continue;
        kept++;
        if (nc < 2)
            continue;
        double s = 0.0;
        for (size_t i = 0; i < n; i++) {
            if (y[i] != k)
                continue;
            size_t m = 0;
            for (size_t j = 0; j < n; j++) {
                if (j == i || y[j] != k)
                    continue;
                double r = 0.0;
                for (size_t a = 0; a < d; a++)
                    r = fmax(r, fabs((X[i * d + a] - mu[a]) - (X[j * d + a] - mu[a])));
                dist[m++] = r;
            }
            for (size_t t = 0; t < 3; t++) /* selection sort of the 3 smallest */
                for (size_t u = t + 1; u < m; u++)
                    if (dist[u] < dist[t]) {
                        double w = dist[t];
                        dist[t] = dist[u];
                        dist[u] = w;
                    }
            s += log(2.0 * fmax(dist[2], 1.0));
        }
        sum += (double)nc / (double)n *
               (sb_tmi_digamma(nc) - sb_tmi_digamma(3) + (double)d / (double)nc * s);
    }
    free(mu);
    free(dist);
    return kept ? sum / (double)kept : NAN;
}

/* Classes of 4, 5, 9, 37 and 101 rows (partial panels; 101 rows span three panel blocks at
 * D = 700), 1 and 2 rows, duplicates, distances on both sides of the floor. */
static void test_tmi_blocking(void **state)
{
    (void)state;
    enum { D = 700, C = 7 };
    static const size_t sizes[C] = {4, 5, 9, 37, 101, 1, 2};
    size_t n = 0;
    for (int k = 0; k < C; k++)
        n += sizes[k];
    double *X = malloc(n * D * sizeof *X);
    int *y = malloc(n * sizeof *y);
    assert_true(X && y);
    uint64_t s = 42;
    /* labels by size, scattered: i ↦ 37·i mod n is a permutation (n = 159 = 3·53) */
    for (size_t i = 0, acc = 0, k = 0; i < n; i++) {
        if (i == acc + sizes[k])
            acc += sizes[k++];
        y[(i * 37) % n] = (int)k;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < D; a++)
            X[i * D + a] = (y[i] == 3 ? 0.3 : 1.5) * lcg(&s) + (double)y[i];
    for (size_t i = 1; i < n; i++) /* a few duplicates of the previous row of the same class */
        if (i % 11 == 0)
            for (size_t j = i; j-- > 0;)
                if (y[j] == y[i]) {
                    memcpy(X + i * D, X + j * D, D * sizeof *X);
                    break;
                }
    double ref = tmi_plain(X, n, D, y, C);
    sb_scorer_parts t, tp;
    run(&sb_scorer_tmi, X, n, D, y, C, &t);
    sb_tmi_portable_kernel = 1;
    run(&sb_scorer_tmi, X, n, D, y, C, &tp);
    sb_tmi_portable_kernel = 0;
    print_message("blocking: tmi %.17g, plain %.17g\n", t.v[0], ref);
    assert_true(fabs(t.v[0] - ref) <= 1e-12 * fabs(ref));
    assert_memory_equal(t.v, tp.v, 3 * sizeof(double));
    assert_true(t.v[1] == 6 && t.v[2] == 1);
    free(X);
    free(y);
}

static void test_one_class(void **state)
{
    (void)state;
    int y0[40] = {0};
    sb_scorer_parts e, t;
    run(&sb_scorer_etran, W_X, 40, 64, y0, 1, &e);
    run(&sb_scorer_tmi, W_X, 40, 64, y0, 1, &t);
    assert_true(isnan(e.v[0]) && isnan(e.v[1]) && isnan(t.v[0]));
    assert_non_null(strstr(e.reason, "one class"));
    assert_non_null(strstr(t.reason, "one class"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_problems),
        cmocka_unit_test(test_digamma),
        cmocka_unit_test(test_energy_order_free),
        cmocka_unit_test(test_tmi_blocking),
        cmocka_unit_test(test_one_class),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
