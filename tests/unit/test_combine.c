/* test_combine.c — zmean, the Gamma sampler, and the hierarchical Bayesian combination.
 *
 * Expected values for zmean and split-R̂: tests/reference/combine_ref.py, run with Debian's
 * /usr/bin/python3 (numpy 1.24.2): z-scores (v − mean)/std(ddof=1) and their mean over scorers;
 * split-R̂ by the BDA3 §11.4 formula written there in numpy. Inputs drawn with
 * RandomState(5150), printed with 17 significant digits and pasted below (1e-12 relative).
 * The Gamma sampler is checked against the moments of Gamma(a, 1) (mean a, variance a), and
 * the Gibbs sampler on synthetic data generated here from known weights (tolerances argued at
 * each test). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "numerics/combine.h"
#include "numerics/gamma_sampler.h"
#include "numerics/kendall.h"

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want) + 1e-15))
        fail_msg("got %.17g, want %.17g", got, want);
}

static const double zs[7 * 3] = {-0.46894019422122457, 16.403898712018425, 0, -2.0957834435418952, 42.241839716448055, 0, -0.045090067640431004, 18.949549974227303, 2, 0.64375224919375862, 22.957750805704315, 2, 1.1490972290047581, 4.8523406330708418, 0, 1.3107543036364164, 7.054132020282248, 1, 0.00029590293785592743, 6.5365171753985276, 0}; /* row-major models x scorers */
static const double zs_z0[7] = {-0.46630129652383329, -1.8723541304799571, -0.099974871466936718, 0.49537977756766238, 0.93214081234188584, 1.0718582608482579, -0.060748552287078907};
static const double zs_mean[7] = {-0.42087754376073372, -0.23309905250588156, 0.46678509312909716, 0.76707272243342828, -0.24821980646847755, 0.2047317589617271, -0.53639317178916002};
static const double rh[27] = {1.1655770815519533, -1.5949407790143266, 1.3940501530795273, -2.1498425831281369, 0.29786492788270796, -0.048245610515100387, -0.27038195780948399, -1.7756617983028176, 1.0477574602350959, -1.0829554172494329, 0.43219523361446632, 1.485995898172694, -0.43801212903605236, 0.044074631154258692, 1.0872009316750086, -0.25530603386011319, -0.70585011091034089, 0.84590696245333485, 0.16477353747503282, -0.36794002292038136, -0.045071519888754408, 0.36542646997674527, 0.48806279863338636, 0.61958049328272979, 0.80838596290319487, 0.62864272292516321, -0.5926373069036448}; /* 3 chains x 9 draws */
/* split R-hat 0.89941172594052909 */

static void test_zmean(void **state)
{
    (void)state;
    sb_err err = {0};
    double z[7], col[7], out[7];
    for (int i = 0; i < 7; i++)
        col[i] = zs[i * 3];
    assert_int_equal(sb_zscore(col, 7, z, &err), 0);
    for (int i = 0; i < 7; i++)
        assert_close(z[i], zs_z0[i], 1e-12);
    assert_int_equal(sb_combine_zmean(zs, 7, 3, out, &err), 0);
    for (int i = 0; i < 7; i++)
        assert_close(out[i], zs_mean[i], 1e-12);
    /* by group: two copies of the table as two datasets, rows interleaved */
    double two[14 * 3], zz[14 * 3];
    int g[14];
    for (int i = 0; i < 14; i++) {
        g[i] = i % 2 ? 9 : 4;
        for (int j = 0; j < 3; j++)
            two[i * 3 + j] = zs[(i / 2) * 3 + j] * (i % 2 ? 100.0 : 1.0) + (i % 2 ? 5.0 : 0.0);
    }
    assert_int_equal(sb_zscore_by_group(two, 14, 3, g, zz, &err), 0);
    for (int i = 0; i < 14; i++)
        assert_close(zz[i * 3], zs_z0[i / 2], 1e-12);
    /* a constant scorer (or one model) contributes z = 0 */
    const double c[] = {3, 3, 3};
    assert_int_equal(sb_zscore(c, 3, z, &err), 0);
    assert_true(z[0] == 0.0 && z[1] == 0.0 && z[2] == 0.0);
    assert_int_equal(sb_zscore(c, 1, z, &err), 0);
    assert_true(z[0] == 0.0);
    /* by hand: (1, 2, 3) has mean 2, sd 1 (ddof 1): z = (−1, 0, 1) */
    const double h[] = {1, 2, 3};
    assert_int_equal(sb_zscore(h, 3, z, &err), 0);
    assert_true(z[0] == -1.0 && z[1] == 0.0 && z[2] == 1.0);
    const double bad[] = {1, NAN, 3};
    assert_int_equal(sb_zscore(bad, 3, z, &err), SB_EINPUT);
    assert_int_equal(sb_combine_zmean(zs, 7, 0, out, &err), SB_EUSAGE);
}

static void test_rhat(void **state)
{
    (void)state;
    const double *chains[3] = {rh, rh + 9, rh + 18};
    assert_close(sb_rhat_split(chains, 3, 9, 1), 0.89941172594052909, 1e-12);
    /* stride: the same chains interleaved with another parameter */
    double inter[54];
    for (int i = 0; i < 27; i++) {
        inter[2 * i] = -7.0;
        inter[2 * i + 1] = rh[i];
    }
    const double *ch2[3] = {inter + 1, inter + 19, inter + 37};
    assert_close(sb_rhat_split(ch2, 3, 9, 2), 0.89941172594052909, 1e-12);
    /* too short, and zero within-chain variance */
    assert_true(isnan(sb_rhat_split(chains, 3, 3, 1)));
    const double *flat[1] = {inter};
    assert_true(isnan(sb_rhat_split(flat, 1, 9, 2)));
}

/* Gamma(a, 1) has mean a and variance a. With n = 200000 draws the sample mean has standard
 * deviation √(a/n) and the sample variance about √((2a² + 6a)/n) (fourth central moment
 * 3a² + 6a); both must fall within 5 of their standard deviations. Seeds are fixed, so the
 * test is deterministic; a wrong sampler (e.g. dropping the a < 1 boost or the squeeze) misses
 * by many standard deviations. */
static void test_gamma_moments(void **state)
{
    (void)state;
    const double shapes[] = {0.3, 1.0, 2.5, 10.0};
    const int n = 200000;
    for (int k = 0; k < 4; k++) {
        double a = shapes[k];
        sb_rng r;
        sb_rng_seed(&r, 12345, (uint64_t)k);
        double sum = 0.0, sum2 = 0.0;
        for (int i = 0; i < n; i++) {
            double g = sb_gamma_draw(&r, a);
            assert_true(g >= 0.0 && isfinite(g));
            sum += g;
            sum2 += g * g;
        }
        double mean = sum / n, var = (sum2 - n * mean * mean) / (n - 1);
        if (fabs(mean - a) > 5.0 * sqrt(a / n))
            fail_msg("shape %g: mean %g", a, mean);
        if (fabs(var - a) > 5.0 * sqrt((2 * a * a + 6 * a) / n))
            fail_msg("shape %g: variance %g", a, var);
    }
    sb_rng r;
    sb_rng_seed(&r, 1, 0);
    assert_true(isnan(sb_gamma_draw(&r, 0.0)));
    assert_true(isnan(sb_gamma_draw(&r, -1.0)));
    /* inverse gamma(3, 2): mean 2/(3−1) = 1 */
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += sb_inv_gamma_draw(&r, 3.0, 2.0);
    assert_true(fabs(s / n - 1.0) < 0.02); /* sd of the mean: 1/√n = 0.0022 */
}

/* Synthetic data from the model itself: D = 24 datasets of 20 models, S = 3 scorers with
 * z ~ N(0, 1), true population weights w = (0.8, −0.5, 0), w_sd = w_s + 0.15·N(0,1),
 * b_d ~ N(0, 0.25), a = b_d + Σ w_sd z + 0.3·N(0,1). */
enum { SD = 24, SM = 20, SS = 3, SN = SD * SM };
static const double w_true[SS] = {0.8, -0.5, 0.0};

typedef struct synth {
    double Z[SN * SS], a[SN];
    int d[SN];
    double w_sd_mean[SS]; /* realised mean over datasets of the generating w_sd */
} synth;

static void make_synth(synth *s)
{
    sb_rng r;
    sb_rng_seed(&r, 2024, 7);
    memset(s->w_sd_mean, 0, sizeof s->w_sd_mean);
    for (int d = 0; d < SD; d++) {
        double w[SS], b = 0.5 * sb_rng_normal(&r);
        for (int j = 0; j < SS; j++) {
            w[j] = w_true[j] + 0.15 * sb_rng_normal(&r);
            s->w_sd_mean[j] += w[j] / SD;
        }
        for (int m = 0; m < SM; m++) {
            int i = d * SM + m;
            s->d[i] = d;
            double y = b;
            for (int j = 0; j < SS; j++) {
                s->Z[i * SS + j] = sb_rng_normal(&r);
                y += w[j] * s->Z[i * SS + j];
            }
            s->a[i] = y + 0.3 * sb_rng_normal(&r);
        }
    }
}

/* Posterior of the population weights. Measured against the realised mean of the generating
 * w_sd (not against w, which they scatter around by ω/√D ≈ 0.03), the error of the posterior
 * mean is the estimation error of the per-dataset slopes, ≈ √(σ²/N) = √(0.09/480) ≈ 0.014,
 * plus the N(0,1) prior's shrinkage (< 0.01 here). Tolerance 0.06 (≥ 4 sd) with a fixed seed;
 * a sign error, a missing 1/σ² or a wrong covariance factor moves it by far more. (The posterior
 * sd of w_s itself is ≈ 0.07, as the IG(1,1) prior keeps ω² near 0.1.) σ² = 0.09 is estimated
 * from N = 480 residuals, relative sd √(2/N) ≈ 0.065: its posterior mean must be within 25%.
 * Chains started from the prior must agree: split-R̂ < 1.05. */
static void test_gibbs_recovers_weights(void **state)
{
    (void)state;
    static synth s;
    make_synth(&s);
    sb_bayes_problem p = {s.Z, s.a, s.d, SN, SS, SD, -1};
    sb_bayes_opts o;
    sb_bayes_defaults(&o);
    o.n_burn = 300;
    o.n_keep = 1000;
    enum { C = 4 };
    double *w = malloc(sizeof(double) * C * 1000 * SS), *s2 = malloc(sizeof(double) * C * 1000);
    assert_non_null(w);
    assert_non_null(s2);
    sb_err err = {0};
    for (int c = 0; c < C; c++)
        assert_int_equal(sb_bayes_chain(&p, &o, 99, (uint64_t)c, w + c * 1000 * SS, s2 + c * 1000,
                                        NULL, &err), 0);
    double mean_s2 = 0.0;
    for (int i = 0; i < C * 1000; i++)
        mean_s2 += s2[i] / (C * 1000);
    assert_true(fabs(mean_s2 - 0.09) < 0.25 * 0.09);
    for (int j = 0; j < SS; j++) {
        double m = 0.0;
        for (int i = 0; i < C * 1000; i++)
            m += w[i * SS + j] / (C * 1000);
        if (fabs(m - s.w_sd_mean[j]) > 0.06)
            fail_msg("w_%d: posterior mean %g, realised %g", j, m, s.w_sd_mean[j]);
        const double *ch[C];
        for (int c = 0; c < C; c++)
            ch[c] = w + c * 1000 * SS + j;
        double rhat = sb_rhat_split(ch, C, 1000, SS);
        if (!(rhat < 1.05))
            fail_msg("w_%d: R-hat %g", j, rhat);
    }
    free(w);
    free(s2);
}

static void test_gibbs_deterministic(void **state)
{
    (void)state;
    static synth s;
    make_synth(&s);
    sb_bayes_problem p = {s.Z, s.a, s.d, SN, SS, SD, 3};
    sb_bayes_opts o = {.n_burn = 20, .n_keep = 50, .thin = 2};
    double a[50 * SS], b[50 * SS], c[50 * SS], om[50 * SS], s2[50];
    sb_err err = {0};
    assert_int_equal(sb_bayes_chain(&p, &o, 5, 1, a, NULL, NULL, &err), 0);
    assert_int_equal(sb_bayes_chain(&p, &o, 5, 1, b, s2, om, &err), 0);
    assert_memory_equal(a, b, sizeof a);
    assert_int_equal(sb_bayes_chain(&p, &o, 5, 2, c, NULL, NULL, &err), 0);
    assert_memory_not_equal(a, c, sizeof a);
    for (int i = 0; i < 50; i++)
        assert_true(s2[i] > 0.0 && om[i * SS] > 0.0);
}

/* Leave dataset 0 out: the prediction is Σ_s w̄_s z, and with this much signal it ranks the
 * held-out models well (τ with their accuracies > 0.5; 0.88 with these seeds). */
static void test_lodo(void **state)
{
    (void)state;
    static synth s;
    make_synth(&s);
    sb_bayes_problem p = {s.Z, s.a, s.d, SN, SS, SD, 0};
    sb_bayes_opts o = {.n_burn = 200, .n_keep = 400, .thin = 1};
    double pred[SM], wm[SS], rhat[SS], tau;
    sb_err err = {0};
    assert_int_equal(sb_bayes_lodo(&p, &o, 11, 3, pred, wm, rhat, &err), 0);
    for (int i = 0; i < SM; i++) {
        double want = 0.0;
        for (int j = 0; j < SS; j++)
            want += wm[j] * s.Z[i * SS + j];
        assert_close(pred[i], want, 1e-12);
    }
    for (int j = 0; j < SS; j++) {
        assert_true(fabs(wm[j] - w_true[j]) < 0.15);
        assert_true(rhat[j] < 1.1);
    }
    assert_int_equal(sb_kendall_tau(pred, s.a, SM, &tau, NULL, &err), 0);
    assert_true(tau > 0.5);
    /* malformed problems */
    p.held_out = 30;
    assert_int_equal(sb_bayes_lodo(&p, &o, 11, 3, pred, NULL, NULL, &err), SB_EINPUT);
    int bad_d[SN];
    memcpy(bad_d, s.d, sizeof bad_d);
    bad_d[17] = SD;
    sb_bayes_problem q = {s.Z, s.a, bad_d, SN, SS, SD, -1};
    double w[SS];
    sb_bayes_opts one = {.n_burn = 0, .n_keep = 1, .thin = 1};
    assert_int_equal(sb_bayes_chain(&q, &one, 1, 0, w, NULL, NULL, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "row 17"));
    /* all rows held out: nothing to fit */
    int same[SM] = {0};
    sb_bayes_problem r = {s.Z, s.a, same, SM, SS, 1, 0};
    assert_int_equal(sb_bayes_lodo(&r, &o, 11, 1, pred, NULL, NULL, &err), SB_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zmean),
        cmocka_unit_test(test_rhat),
        cmocka_unit_test(test_gamma_moments),
        cmocka_unit_test(test_gibbs_recovers_weights),
        cmocka_unit_test(test_gibbs_deterministic),
        cmocka_unit_test(test_lodo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
