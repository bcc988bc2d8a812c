/* test_ds_generate.c — the controlled data of the distribution-shift grid.
 *
 * Expected values are properties of the definition in ds_generate.h (no external reference):
 * seeded determinism, the empirical P(a = y) against (1+ρ)/2 (binomial sd ≤ 0.0012 at n = 200000;
 * tolerance 0.006 ≈ 5 sd), the anti-aligned / aligned sets exactly a ≠ y / a = y, the exact
 * held-out share round(f·n_test), x_sp = 0 in the absent set, the spurious class means
 * ±mu_sp/√d_sp, and validation errors naming the field. The diversity scope "both": every
 * generated value of a small cell against tests/reference/ds_generate_ref.py (numpy, written from
 * the spec's definition with the documented draw order; 1e-12), the style angles in
 * [π/4, 3π/4], scope both changing only spurious coordinates 0 and 1 of held-out test samples,
 * the rotated spurious class means of each held-out style (statistical, n = 200000) and
 * d_sp = 1 refused naming diversity_scope. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "tasks/distshift/ds_generate.h"

#include "ds_generate_ref.h"

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

static void ref_config(sb_ds_config *c)
{
    sb_ds_config_defaults(c);
    c->d_inv = 3;
    c->d_sp = 3;
    c->n_train = 5;
    c->n_test = 12;
    c->rho_train = 0.5;
    c->test_set = SB_DS_BALANCED;
    c->diversity = 0.5;
}

static void expect_set(const sb_ds_set *s, const double *x, const int *y, const int *a, const int *g,
                       const char *what)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->y[i] != y[i] || s->a[i] != a[i] || s->style[i] != g[i])
            fail_msg("%s row %zu: y/a/style %d/%d/%d, reference %d/%d/%d", what, i, s->y[i], s->a[i],
                     s->style[i], y[i], a[i], g[i]);
        for (size_t j = 0; j < s->d; j++) {
            double v = s->x[i * s->d + j], w = x[i * s->d + j];
            if (!(fabs(v - w) <= 1e-12 * (1.0 + fabs(w))))
                fail_msg("%s x[%zu][%zu] = %.17g, reference %.17g", what, i, j, v, w);
        }
    }
}

/* Every value of a small cell in both scopes against the numpy reference. */
static void test_reference_data(void **st)
{
    (void)st;
    sb_ds_config c;
    ref_config(&c);
    sb_ds_set tr, te;
    for (int scope = 0; scope < 2; scope++) {
        c.scope = scope ? SB_DS_SCOPE_BOTH : SB_DS_SCOPE_INVARIANT;
        gen(&c, 7, &tr, &te);
        assert_int_equal(tr.n, 5);
        assert_int_equal(te.n, 12);
        expect_set(&tr, ref_train_x, ref_train_y, ref_train_a, ref_train_style, "train");
        if (scope)
            expect_set(&te, ref_test_both_x, ref_test_both_y, ref_test_both_a, ref_test_both_style, "test (both)");
        else
            expect_set(&te, ref_test_invariant_x, ref_test_invariant_y, ref_test_invariant_a, ref_test_invariant_style,
                       "test (invariant)");
        sb_ds_set_free(&tr);
        sb_ds_set_free(&te);
    }
    double ang[4];
    sb_err err = {0};
    assert_int_equal(sb_ds_style_angles(&c, 7, 100, ang, &err), 0);
    for (int g = 0; g < 4; g++)
        if (!(fabs(ang[g] - ref_angle[g]) <= 1e-15))
            fail_msg("angle %d = %.17g, reference %.17g", g, ang[g], ref_angle[g]);
}

/* Scope both changes spurious coordinates 0 and 1 of held-out test samples only; the angles of
 * the held-out styles lie in [π/4, 3π/4] and the train styles have none. */
static void test_scope_changes(void **st)
{
    (void)st;
    sb_ds_config c;
    sb_ds_config_defaults(&c);
    c.d_sp = 3;
    c.n_train = 300;
    c.n_test = 400;
    c.diversity = 0.5;
    sb_ds_set tr0, te0, tr1, te1;
    gen(&c, 4, &tr0, &te0);
    c.scope = SB_DS_SCOPE_BOTH;
    gen(&c, 4, &tr1, &te1);
    assert_memory_equal(tr0.x, tr1.x, tr0.n * tr0.d * sizeof(double));
    assert_memory_equal(te0.style, te1.style, te0.n * sizeof(int));
    assert_memory_equal(te0.a, te1.a, te0.n * sizeof(int));
    size_t changed = 0;
    for (size_t i = 0; i < te0.n; i++)
        for (size_t j = 0; j < te0.d; j++) {
            int differs = te0.x[i * te0.d + j] != te1.x[i * te0.d + j];
            int may = te0.style[i] >= c.n_train_styles && (j == c.d_inv || j == c.d_inv + 1);
            if (differs && !may)
                fail_msg("scope both changed x[%zu][%zu] (style %d)", i, j, te0.style[i]);
            changed += differs;
        }
    assert_int_equal(changed, 2 * 200); /* both coordinates of the 200 held-out samples */
    double ang[4];
    sb_err err = {0};
    for (uint64_t seed = 0; seed < 50; seed++) {
        assert_int_equal(sb_ds_style_angles(&c, seed, 3, ang, &err), 0);
        assert_true(ang[0] == 0.0 && ang[1] == 0.0);
        for (int g = 2; g < 4; g++)
            assert_true(ang[g] >= 0.78539816339744828 && ang[g] <= 2.3561944901923448 /* pi/4, 3pi/4 */);
    }
    sb_ds_set_free(&tr0);
    sb_ds_set_free(&te0);
    sb_ds_set_free(&tr1);
    sb_ds_set_free(&te1);
}

/* The spurious class mean of held-out style g is (2a−1)·mu_sp·R(θ_g)·(1,1)/√2 (norm mu_sp). */
static void test_rotated_means(void **st)
{
    (void)st;
    sb_ds_config c;
    sb_ds_config_defaults(&c);
    c.n_train = 10;
    c.n_test = 200000;
    c.diversity = 1.0;
    c.scope = SB_DS_SCOPE_BOTH;
    sb_ds_set tr, te;
    gen(&c, 12, &tr, &te);
    double ang[4];
    sb_err err = {0};
    assert_int_equal(sb_ds_style_angles(&c, 12, 100, ang, &err), 0);
    for (int g = 2; g < 4; g++) {
        double m[2] = {0, 0};
        size_t n = 0;
        for (size_t i = 0; i < te.n; i++)
            if (te.style[i] == g) {
                double sa = 2.0 * te.a[i] - 1.0;
                m[0] += sa * te.x[i * te.d + 4];
                m[1] += sa * te.x[i * te.d + 5];
                n++;
            }
        double c0 = cos(ang[g]), s0 = sin(ang[g]), r = c.mu_sp / sqrt(2.0);
        double w[2] = {r * (c0 - s0), r * (s0 + c0)};
        /* sd of a mean of ~100000 unit normals: 0.0032; 0.02 is > 6 sd */
        for (int j = 0; j < 2; j++)
            if (!(fabs(m[j] / (double)n - w[j]) < 0.02))
                fail_msg("style %d coordinate %d: mean %g, want %g", g, j, m[j] / (double)n, w[j]);
    }
    sb_ds_set_free(&tr);
    sb_ds_set_free(&te);
}

static void test_scope_validation(void **st)
{
    (void)st;
    sb_ds_config c;
    sb_ds_set tr, te;
    sb_err err = {0};
    sb_ds_config_defaults(&c);
    c.scope = SB_DS_SCOPE_BOTH;
    c.d_sp = 1;
    assert_int_equal(sb_ds_generate(&c, 1, 1, 2, &tr, &te, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "diversity_scope both needs d_sp >= 2"));
    sb_ds_scope sc;
    assert_int_equal(sb_ds_scope_parse("both", &sc, &err), 0);
    assert_int_equal(sc, SB_DS_SCOPE_BOTH);
    assert_string_equal(sb_ds_scope_name(SB_DS_SCOPE_INVARIANT), "invariant");
    assert_int_equal(sb_ds_scope_parse("spurious", &sc, &err), SB_EUSAGE);
    assert_non_null(strstr(err.msg, "diversity_scope"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),       cmocka_unit_test(test_correlation_levels),
        cmocka_unit_test(test_spurious_features), cmocka_unit_test(test_diversity),
        cmocka_unit_test(test_styles_differ),     cmocka_unit_test(test_validation),
        cmocka_unit_test(test_reference_data),    cmocka_unit_test(test_scope_changes),
        cmocka_unit_test(test_rotated_means),     cmocka_unit_test(test_scope_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
