/* test_ds_generate.c — the controlled data of the distribution-shift grid.
 *
 * Expected values are properties of the definition in ds_generate.h (no external reference):
 * seeded determinism, the empirical P(a = y) against (1+ρ)/2 (binomial sd ≤ 0.0012 at n = 200000;
 * tolerance 0.006 ≈ 5 sd), the anti-aligned / aligned sets exactly a ≠ y / a = y, the exact
 * held-out share round(f·n_test), x_sp = 0 in the absent set, the spurious class means
 * ±mu_sp/√d_sp, and validation errors naming the field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "tasks/distshift/ds_generate.h"

static void gen(const sb_ds_config *c, uint64_t seed, sb_ds_set *tr, sb_ds_set *te)
{
    sb_err err = {0};
    int rc = sb_ds_generate(c, seed, 100, 200, tr, te, &err);
    if (rc)
        fail_msg("generate: %s", err.msg);
}

static void test_determinism(void **st)
{
    (void)st;
    sb_ds_config c;
    sb_ds_config_defaults(&c);
    c.n_train = 500;
    c.n_test = 300;
    c.diversity = 0.5;
    sb_ds_set a, b, a2, b2;
    gen(&c, 9, &a, &b);
    gen(&c, 9, &a2, &b2);
    assert_int_equal(a.d, 6);
    assert_memory_equal(a.x, a2.x, a.n * a.d * sizeof(double));
    assert_memory_equal(b.x, b2.x, b.n * b.d * sizeof(double));
    assert_memory_equal(b.style, b2.style, b.n * sizeof(int));
    sb_ds_set_free(&a2);
    sb_ds_set_free(&b2);
    gen(&c, 10, &a2, &b2);
    assert_memory_not_equal(a.x, a2.x, a.n * a.d * sizeof(double));
    sb_ds_set_free(&a2);
    sb_ds_set_free(&b2);
    /* The train set does not depend on the test-set options. */
    c.test_set = SB_DS_ANTI_ALIGNED;
    c.diversity = 1.0;
    c.n_test = 50;
    gen(&c, 9, &a2, &b2);
    assert_memory_equal(a.x, a2.x, a.n * a.d * sizeof(double));
    assert_memory_equal(a.a, a2.a, a.n * sizeof(int));
    sb_ds_set_free(&a);
    sb_ds_set_free(&b);
    sb_ds_set_free(&a2);
    sb_ds_set_free(&b2);
}

static double agree(const sb_ds_set *s)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        k += s->a[i] == s->y[i];
    return (double)k / (double)s->n;
}

static void test_correlation_levels(void **st)
{
    (void)st;
    sb_ds_config c;
    sb_ds_config_defaults(&c);
    c.n_train = 200000;
    c.n_test = 20000;
    const double rhos[] = {0.0, 0.5, 0.8, 0.95};
    for (size_t k = 0; k < 4; k++) {
        c.rho_train = rhos[k];
        c.test_set = (sb_ds_test_set)(k % 2 ? SB_DS_ANTI_ALIGNED : SB_DS_ALIGNED);
        sb_ds_set tr, te;
        gen(&c, 1 + k, &tr, &te);
        double want = (1.0 + rhos[k]) / 2.0;
        if (!(fabs(agree(&tr) - want) < 0.006))
            fail_msg("rho %g: P(a=y) = %g, want %g", rhos[k], agree(&tr), want);
        assert_true(agree(&te) == (k % 2 ? 0.0 : 1.0));
        /* Labels are fair coins. */
        size_t ones = 0;
        for (size_t i = 0; i < tr.n; i++)
            ones += (size_t)tr.y[i];
        assert_true(fabs((double)ones / (double)tr.n - 0.5) < 0.006);
        sb_ds_set_free(&tr);
        sb_ds_set_free(&te);
    }
    c.rho_train = 1.0;
    c.n_train = 1000;
    c.test_set = SB_DS_BALANCED;
    sb_ds_set tr, te;
    gen(&c, 5, &tr, &te);
    assert_true(agree(&tr) == 1.0);
    assert_true(fabs(agree(&te) - 0.5) < 0.025);
    sb_ds_set_free(&tr);
    sb_ds_set_free(&te);
}

/* Spurious coordinates: mean (2a−1)·mu_sp/√d_sp; absent set: exactly 0. */
static void test_spurious_features(void **st)
{
    (void)st;
    sb_ds_config c;
    sb_ds_config_defaults(&c);
    c.n_train = 100000;
    c.n_test = 1000;
    c.test_set = SB_DS_ABSENT;
    sb_ds_set tr, te;
    gen(&c, 3, &tr, &te);
    double m1 = 0.0, m0 = 0.0;
    size_t n1 = 0;
    for (size_t i = 0; i < tr.n; i++) {
        double v = tr.x[i * tr.d + c.d_inv + 1];
        if (tr.a[i]) {
            m1 += v;
            n1++;
        } else {
            m0 += v;
        }
    }
    m1 /= (double)n1;
    m0 /= (double)(tr.n - n1);
    double want = c.mu_sp / sqrt((double)c.d_sp);
    assert_true(fabs(m1 - want) < 0.02 && fabs(m0 + want) < 0.02);
    for (size_t i = 0; i < te.n; i++)
        for (size_t j = c.d_inv; j < te.d; j++)
            assert_true(te.x[i * te.d + j] == 0.0);
    assert_true(fabs(agree(&te) - 0.5) < 0.08);
    sb_ds_set_free(&tr);
    sb_ds_set_free(&te);
}

static void test_diversity(void **st)
{
    (void)st;
    sb_ds_config c;
    sb_ds_config_defaults(&c);
    c.n_train = 400;
    c.n_test = 301;
    const double f[] = {0.0, 0.5, 1.0, 0.1};
    const size_t want[] = {0, 151, 301, 30}; /* round(f·301), 150.5 rounds away from 0 */
    for (size_t k = 0; k < 4; k++) {
        c.diversity = f[k];
        sb_ds_set tr, te;
        gen(&c, 7, &tr, &te);
        for (size_t i = 0; i < tr.n; i++)
            assert_true(tr.style[i] >= 0 && tr.style[i] < c.n_train_styles);
        size_t held = 0;
        int seen[4] = {0, 0, 0, 0};
        for (size_t i = 0; i < te.n; i++) {
            assert_true(te.style[i] >= 0 && te.style[i] < c.n_styles);
            held += te.style[i] >= c.n_train_styles;
            seen[te.style[i]] = 1;
        }
        assert_int_equal(held, want[k]);
        if (k == 2) /* diversity 1: only held-out styles, both of them */
            assert_true(!seen[0] && !seen[1] && seen[2] && seen[3]);
        sb_ds_set_free(&tr);
        sb_ds_set_free(&te);
    }
}

/* A held-out style is a different pattern: its mean invariant features differ from every
 * train style's (the offsets have norm style_spread = 1.5). */
static void test_styles_differ(void **st)
{
    (void)st;
    sb_ds_config c;
    sb_ds_config_defaults(&c);
    c.n_train = 40000;
    c.n_test = 40000;
    c.diversity = 1.0;
    sb_ds_set tr, te;
    gen(&c, 11, &tr, &te);
    double mean[4][4] = {{0}};
    size_t cnt[4] = {0};
    const sb_ds_set *sets[2] = {&tr, &te};
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < sets[s]->n; i++) {
            int g = sets[s]->style[i];
            cnt[g]++;
            for (size_t j = 0; j < 4; j++)
                mean[g][j] += sets[s]->x[i * sets[s]->d + j];
        }
    for (int g = 0; g < 4; g++)
        for (int j = 0; j < 4; j++)
            mean[g][j] /= (double)cnt[g];
    for (int h = 2; h < 4; h++)
        for (int g = 0; g < 2; g++) {
            double dist = 0.0;
            for (int j = 0; j < 4; j++)
                dist += (mean[h][j] - mean[g][j]) * (mean[h][j] - mean[g][j]);
            assert_true(sqrt(dist) > 0.1);
        }
    /* Per style: the class means differ by 2·mu_inv·e_g (norm 3), and the offset is orthogonal
     * to e = (1,1,1,1)/2, so the style's mean projected on e is ~0 (balanced classes). */
    for (int g = 0; g < 4; g++) {
        const sb_ds_set *set = g < 2 ? &tr : &te;
        double m[2][4] = {{0}}, proj = 0.0;
        size_t k[2] = {0, 0}, all = 0;
        for (size_t i = 0; i < set->n; i++) {
            if (set->style[i] != g)
                continue;
            int y = set->y[i];
            k[y]++;
            all++;
            for (int j = 0; j < 4; j++) {
                m[y][j] += set->x[i * set->d + j];
                proj += 0.5 * set->x[i * set->d + j];
            }
        }
        double dn = 0.0;
        for (int j = 0; j < 4; j++) {
            double t = m[1][j] / (double)k[1] - m[0][j] / (double)k[0];
            dn += t * t;
        }
        if (!(fabs(sqrt(dn) - 2.0 * c.mu_inv) < 0.1 && fabs(proj / (double)all) < 0.06))
            fail_msg("style %d: class-mean distance %g (want 3), mean along e %g", g, sqrt(dn),
                     proj / (double)all);
    }
    sb_ds_set_free(&tr);
    sb_ds_set_free(&te);
}

static void test_validation(void **st)
{
    (void)st;
    sb_ds_config c;
    sb_ds_set tr, te;
    sb_err err = {0};
    sb_ds_config_defaults(&c);
    c.rho_train = 1.5;
    assert_int_equal(sb_ds_generate(&c, 1, 1, 2, &tr, &te, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "rho_train"));
    c.rho_train = NAN;
    assert_int_equal(sb_ds_generate(&c, 1, 1, 2, &tr, &te, &err), SB_EINPUT);
    c.rho_train = -0.1;
    assert_int_equal(sb_ds_generate(&c, 1, 1, 2, &tr, &te, &err), SB_EINPUT);
    sb_ds_config_defaults(&c);
    c.diversity = 1.1;
    assert_int_equal(sb_ds_generate(&c, 1, 1, 2, &tr, &te, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "diversity"));
    sb_ds_config_defaults(&c);
    c.d_inv = 7;
    assert_int_equal(sb_ds_generate(&c, 1, 1, 2, &tr, &te, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "d_inv + d_sp"));
    c.allow_wide = 1;
    c.n_train = c.n_test = 10;
    assert_int_equal(sb_ds_generate(&c, 1, 1, 2, &tr, &te, &err), 0);
    sb_ds_set_free(&tr);
    sb_ds_set_free(&te);
    sb_ds_config_defaults(&c);
    c.n_train_styles = c.n_styles;
    c.diversity = 0.5;
    assert_int_equal(sb_ds_generate(&c, 1, 1, 2, &tr, &te, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "held-out"));
    sb_ds_config_defaults(&c);
    c.sigma_sp = 0.0;
    assert_int_equal(sb_ds_generate(&c, 1, 1, 2, &tr, &te, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "sigma_sp"));
    sb_ds_test_set t;
    assert_int_equal(sb_ds_test_set_parse("anti_aligned", &t, &err), 0);
    assert_int_equal(t, SB_DS_ANTI_ALIGNED);
    assert_string_equal(sb_ds_test_set_name(SB_DS_ABSENT), "absent");
    assert_int_equal(sb_ds_test_set_parse("anti", &t, &err), SB_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),       cmocka_unit_test(test_correlation_levels),
        cmocka_unit_test(test_spurious_features), cmocka_unit_test(test_diversity),
        cmocka_unit_test(test_styles_differ),     cmocka_unit_test(test_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
