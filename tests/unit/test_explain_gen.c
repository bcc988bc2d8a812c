/* test_explain_gen.c — the planted truth of `gen explain` and the estimators converging to it.
 *
 * 1. The spec's check values (J = K = 1, p = ½, β = 2, b = −1, γ = 1; η = 0 and 0.5) to 1e-10.
 * 2. Logit truth = β exactly.
 * 2. Convergence: 40,000 images of a 3-concept, 2-output model: every prob, logit and decision
 *    CaCE estimate lies within 4 standard errors of the truth, and at least 15 of the 18
 *    95% t intervals hold it.
 * 3. Coverage: 400 seeds × 150 images: the 95% t interval of the logit and prob CaCE covers the
 *    truth in 0.92–0.98 of the seeds (binomial sd ≈ 0.011). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "tasks/explain/explain_gen.h"
#include "tasks/explain/explain_stats.h"

static void check_values(void **state)
{
    (void)state;
    double prev = 0.5, beta = 2, bias = -1, t[3];
    sb_explain_model m = {1, 1, &prev, &beta, &bias, 1.0, 0.0};
    assert_int_equal(sb_explain_truth(&m, 0, 0, t, NULL), 0);
    assert_true(fabs(t[0] - 0.393469340287) < 1e-10);
    assert_true(fabs(t[2] - 0.682689492137) < 1e-10);
    assert_true(t[1] == 2);
    m.eta = 0.5;
    assert_int_equal(sb_explain_truth(&m, 0, 0, t, NULL), 0);
    assert_true(fabs(t[0] - 0.387233595934) < 1e-10);
    assert_true(fabs(t[2] - 0.655798061307) < 1e-10);
}

/* Pairs of concept j, class k in each space from n images of model m. */
typedef struct sample {
    size_t n;
    double *f[3][2]; /* space × (plus, minus) */
    unsigned char *d[2];
    signed char *dir;
} sample;

static double sig(double z) { return 1 / (1 + exp(-z)); }

static void draw(const sb_explain_model *m, uint64_t seed, size_t n, size_t j, size_t k, sample *s)
{
    size_t K = m->nk, c = 0;
    signed char con[16], bad[16];
    double z[8], ze[16 * 8];
    for (size_t i = 0; i < n; i++) {
        sb_explain_draw_image(m, seed, i, 0.05, con, z, ze, bad);
        if (bad[j])
            continue;
        double zp = con[j] ? z[k] : ze[j * K + k], zm = con[j] ? ze[j * K + k] : z[k];
        s->f[0][0][c] = sig(zp), s->f[0][1][c] = sig(zm);
        s->f[1][0][c] = zp, s->f[1][1][c] = zm;
        s->d[0][c] = sig(zp) > 0.5, s->d[1][c] = sig(zm) > 0.5;
        s->f[2][0][c] = s->d[0][c], s->f[2][1][c] = s->d[1][c];
        s->dir[c++] = con[j] ? -1 : 1;
    }
    s->n = c;
}

static void alloc_sample(sample *s, size_t n)
{
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 2; b++)
            assert_non_null(s->f[a][b] = malloc(n * sizeof(double)));
    assert_non_null(s->d[0] = malloc(n));
    assert_non_null(s->d[1] = malloc(n));
    assert_non_null(s->dir = malloc(n));
}

static void free_sample(sample *s)
{
    for (int a = 0; a < 3; a++)
        free(s->f[a][0]), free(s->f[a][1]);
    free(s->d[0]), free(s->d[1]), free(s->dir);
}

static sb_explain_est estimate(const sample *s, int space)
{
    sb_explain_opts o = {.level = 0.95, .accept_sign_p = 1};
    sb_explain_pairs p = {s->n, s->f[space][0], s->f[space][1], s->d[0], s->d[1], s->dir};
    sb_explain_est e;
    assert_int_equal(sb_explain_estimate(&p, 1, 0, &o, &e, NULL), 0);
    return e;
}

static void converges(void **state)
{
    (void)state;
    sb_explain_model m;
    sb_rng r;
    sb_rng_seed(&r, 11, 0);
    assert_int_equal(sb_explain_model_draw(&m, 3, 2, 1.0, 0.3, &r, NULL), 0);
    sample s;
    size_t n = 40000;
    int covered = 0;
    alloc_sample(&s, n);
    for (size_t j = 0; j < 3; j++)
        for (size_t k = 0; k < 2; k++) {
            double t[3];
            assert_int_equal(sb_explain_truth(&m, j, k, t, NULL), 0);
            assert_true(t[1] == m.beta[j * 2 + k]);
            draw(&m, 5, n, j, k, &s);
            for (int sp = 0; sp < 3; sp++) {
                sb_explain_est e = estimate(&s, sp);
                double se = e.cace_sd / sqrt((double)e.n_pairs);
                covered += e.ci_lo <= t[sp] && t[sp] <= e.ci_hi;
                if (!(fabs(e.cace - t[sp]) <= 4 * se + 1e-12))
                    fail_msg("j %zu k %zu space %d: cace %.6f ± %.6f, truth %.6f", j, k, sp, e.cace, se, t[sp]);
            }
        }
    /* 18 intervals at 95%: at least 15 hold the truth (P(fewer) < 0.6%) */
    if (covered < 15)
        fail_msg("only %d of 18 intervals hold the truth", covered);
    free_sample(&s);
    sb_explain_model_free(&m);
}

static void coverage(void **state)
{
    (void)state;
    sb_explain_model m;
    sb_rng r;
    sb_rng_seed(&r, 3, 0);
    assert_int_equal(sb_explain_model_draw(&m, 2, 1, 1.0, 0.5, &r, NULL), 0);
    m.beta[0] = 1.5; /* a non-zero effect whatever the draw */
    m.bias[0] = -(m.prev[0] * m.beta[0] + m.prev[1] * m.beta[1]);
    double t[3];
    assert_int_equal(sb_explain_truth(&m, 0, 0, t, NULL), 0);
    sample s;
    alloc_sample(&s, 150);
    int cover[2] = {0, 0}, seeds = 400;
    for (int seed = 0; seed < seeds; seed++) {
        draw(&m, 1000 + (uint64_t)seed, 150, 0, 0, &s);
        for (int sp = 0; sp < 2; sp++) {
            sb_explain_est e = estimate(&s, sp);
            cover[sp] += e.ci_lo <= t[sp] && t[sp] <= e.ci_hi;
        }
    }
    for (int sp = 0; sp < 2; sp++) {
        double c = (double)cover[sp] / seeds;
        if (!(c >= 0.92 && c <= 0.98))
            fail_msg("space %d: coverage %.3f", sp, c);
        print_message("space %s: 95%% t interval covered the truth in %.3f of %d seeds\n", sp ? "logit" : "prob", c,
                      seeds);
    }
    free_sample(&s);
    sb_explain_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_values),
        cmocka_unit_test(converges),
        cmocka_unit_test(coverage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
