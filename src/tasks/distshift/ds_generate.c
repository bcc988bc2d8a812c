#include "tasks/distshift/ds_generate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"

static const double PI = 3.14159265358979323846;

static const char *const test_names[SB_DS_N_TEST_SETS] = {
    [SB_DS_ALIGNED] = "aligned",
    [SB_DS_BALANCED] = "balanced",
    [SB_DS_ANTI_ALIGNED] = "anti_aligned",
    [SB_DS_ABSENT] = "absent",
};

void sb_ds_config_defaults(sb_ds_config *c)
{
    *c = (sb_ds_config){.d_inv = 4, .d_sp = 2, .mu_inv = 1.5, .mu_sp = 2.0, .sigma_inv = 1.0,
                        .sigma_sp = 1.0, .n_styles = 4, .n_train_styles = 2,
                        .style_spread = 1.5, .style_tilt = 0.5, .n_train = 2000,
                        .n_test = 2000, .rho_train = 0.5, .test_set = SB_DS_BALANCED,
                        .diversity = 0.0, .allow_wide = 0};
}

static const char *const scope_names[SB_DS_N_SCOPES] = {
    [SB_DS_SCOPE_INVARIANT] = "invariant",
    [SB_DS_SCOPE_BOTH] = "both",
};

const char *sb_ds_scope_name(sb_ds_scope s)
{
    return (unsigned)s < SB_DS_N_SCOPES ? scope_names[s] : "?";
}

int sb_ds_scope_parse(const char *name, sb_ds_scope *s, sb_err *err)
{
    for (int k = 0; k < SB_DS_N_SCOPES; k++)
        if (strcmp(name, scope_names[k]) == 0) {
            *s = (sb_ds_scope)k;
            return 0;
        }
    return sb_fail(err, SB_EUSAGE, "diversity_scope \"%s\" is not one of invariant, both", name);
}

const char *sb_ds_test_set_name(sb_ds_test_set t)
{
    return (unsigned)t < SB_DS_N_TEST_SETS ? test_names[t] : "?";
}

int sb_ds_test_set_parse(const char *name, sb_ds_test_set *t, sb_err *err)
{
    for (int k = 0; k < SB_DS_N_TEST_SETS; k++)
        if (strcmp(name, test_names[k]) == 0) {
            *t = (sb_ds_test_set)k;
            return 0;
        }
    return sb_fail(err, SB_EUSAGE,
                   "test set \"%s\" is not one of aligned, balanced, anti_aligned, absent", name);
}

void sb_ds_set_free(sb_ds_set *s)
{
    if (!s)
        return;
    free(s->x);
    free(s->y);
    free(s->a);
    free(s->style);
    memset(s, 0, sizeof *s);
}

static int check_config(const sb_ds_config *c, sb_err *err)
{
    if (!(c->rho_train >= 0.0 && c->rho_train <= 1.0))
        return sb_fail(err, SB_EINPUT, "distshift: rho_train = %g is outside [0,1]", c->rho_train);
    if (!(c->diversity >= 0.0 && c->diversity <= 1.0))
        return sb_fail(err, SB_EINPUT, "distshift: diversity = %g is outside [0,1]", c->diversity);
    if (c->d_inv < 1 || c->d_sp < 1)
        return sb_fail(err, SB_EINPUT, "distshift: d_inv = %zu and d_sp = %zu must both be >= 1",
                       c->d_inv, c->d_sp);
    if (c->d_inv + c->d_sp > 8 && !c->allow_wide)
        return sb_fail(err, SB_EINPUT,
                       "distshift: d_inv + d_sp = %zu exceeds 8, where the shift estimator's "
                       "KDEs lose meaning (set allow_wide to insist)",
                       c->d_inv + c->d_sp);
    if ((unsigned)c->test_set >= SB_DS_N_TEST_SETS)
        return sb_fail(err, SB_EINPUT, "distshift: test_set %d is unknown", (int)c->test_set);
    if (c->n_train < 2 || c->n_test < 1)
        return sb_fail(err, SB_EINPUT, "distshift: n_train = %zu (>= 2) or n_test = %zu (>= 1)",
                       c->n_train, c->n_test);
    if (c->n_styles < 1 || c->n_train_styles < 1 || c->n_train_styles > c->n_styles)
        return sb_fail(err, SB_EINPUT,
                       "distshift: n_train_styles = %d must be in 1..n_styles = %d",
                       c->n_train_styles, c->n_styles);
    if ((unsigned)c->scope >= SB_DS_N_SCOPES)
        return sb_fail(err, SB_EINPUT, "distshift: diversity_scope %d is unknown", (int)c->scope);
    /* The rotation lives in the plane of spurious coordinates 0 and 1. */
    if (c->scope == SB_DS_SCOPE_BOTH && c->d_sp < 2)
        return sb_fail(err, SB_EINPUT,
                       "distshift: diversity_scope both needs d_sp >= 2 (it rotates the spurious "
                       "mean in the plane of spurious coordinates 0 and 1), not d_sp = %zu",
                       c->d_sp);
    if (c->diversity > 0.0 && c->n_train_styles == c->n_styles)
        return sb_fail(err, SB_EINPUT,
                       "distshift: diversity = %g needs held-out styles (n_train_styles = "
                       "n_styles = %d)",
                       c->diversity, c->n_styles);
    const double v[6] = {c->mu_inv, c->mu_sp, c->sigma_inv, c->sigma_sp, c->style_spread,
                         c->style_tilt};
    const char *nm[6] = {"mu_inv", "mu_sp", "sigma_inv", "sigma_sp", "style_spread",
                         "style_tilt"};
    for (int k = 0; k < 6; k++)
        if (!isfinite(v[k]) || v[k] < 0.0 || (k >= 2 && k <= 3 && v[k] == 0.0))
            return sb_fail(err, SB_EINPUT, "distshift: %s = %g is not %s", nm[k], v[k],
                           k >= 2 && k <= 3 ? "positive" : "finite and >= 0");
    return 0;
}

/* Unit vector u of length d from normals; a zero draw (probability 0) falls back to e_0. */
static void unit_normal(sb_rng *r, double *u, size_t d)
{
    double s = 0.0;
    for (size_t j = 0; j < d; j++) {
        u[j] = sb_rng_normal(r);
        s += u[j] * u[j];
    }
    s = sqrt(s);
    for (size_t j = 0; j < d; j++)
        u[j] = s > 0.0 ? u[j] / s : (j == 0);
}

typedef struct {
    double *offset; /* G×d_inv */
    double *dir;    /* G×d_inv, unit */
    double *angle;  /* G: rotation of the spurious mean of a held-out style (scope both) */
} styles;

/* Style g draws, in order: d_inv normals for the offset direction, then d_inv normals m_g for
 * the tilt. e_g = unit(e + tilt·m_g) with e = (1,…,1)/√d_inv; with d_inv = 1 e_g = 1 (a tilt
 * could only flip the class axis). */
static void make_styles(const sb_ds_config *c, sb_rng *r, styles *st)
{
    size_t d = c->d_inv;
    for (int g = 0; g < c->n_styles; g++) {
        double *o = st->offset + (size_t)g * d, *e = st->dir + (size_t)g * d;
        /* The offset is orthogonal to the common class axis e (when d_inv ≥ 2), so that a
         * style moves the data sideways instead of towards one class. */
        unit_normal(r, o, d);
        if (d > 1) {
            double dot = 0.0, s2 = 0.0;
            for (size_t j = 0; j < d; j++)
                dot += o[j] / sqrt((double)d);
            for (size_t j = 0; j < d; j++) {
                o[j] -= dot / sqrt((double)d);
                s2 += o[j] * o[j];
            }
            s2 = sqrt(s2);
            for (size_t j = 0; j < d; j++)
                o[j] = s2 > 0.0 ? o[j] / s2 : 0.0;
        }
        for (size_t j = 0; j < d; j++)
            o[j] *= c->style_spread;
        double s = 0.0;
        for (size_t j = 0; j < d; j++) {
            double m = sb_rng_normal(r);
            e[j] = 1.0 / sqrt((double)d) + (d > 1 ? c->style_tilt * m : 0.0);
            s += e[j] * e[j];
        }
        s = sqrt(s);
        for (size_t j = 0; j < d; j++)
            e[j] = s > 0.0 ? e[j] / s : 1.0 / sqrt((double)d);
    }
    /* After every style's geometry, so that the angles leave the offsets and directions (and
     * the invariant scope) unchanged: one uniform per held-out style, θ = π/4 + (π/2)·u. */
    for (int g = 0; g < c->n_styles; g++)
        st->angle[g] = g < c->n_train_styles ? 0.0 : PI / 4.0 + PI / 2.0 * sb_rng_uniform(r);
}

static void styles_free(styles *st)
{
    free(st->offset);
    free(st->dir);
    free(st->angle);
}

static int styles_alloc(const sb_ds_config *c, styles *st, sb_err *err)
{
    size_t n = (size_t)c->n_styles;
    st->offset = sb_malloc(n * c->d_inv * sizeof(double), "style offsets", err);
    st->dir = sb_malloc(n * c->d_inv * sizeof(double), "style directions", err);
    st->angle = sb_malloc(n * sizeof(double), "style angles", err);
    if (st->offset && st->dir && st->angle)
        return 0;
    styles_free(st);
    return SB_ENOMEM;
}

int sb_ds_style_angles(const sb_ds_config *c, uint64_t seed, uint64_t style_stream,
                       double *angles, sb_err *err)
{
    int rc = check_config(c, err);
    styles st;
    if (rc || (rc = styles_alloc(c, &st, err)))
        return rc;
    sb_rng r;
    sb_rng_seed(&r, seed, style_stream);
    make_styles(c, &r, &st);
    memcpy(angles, st.angle, (size_t)c->n_styles * sizeof *angles);
    styles_free(&st);
    return 0;
}

static int alloc_set(sb_ds_set *s, size_t n, size_t d, sb_err *err)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    s->d = d;
    s->x = sb_malloc(n * d * sizeof(double), "generated features", err);
    s->y = sb_malloc(n * sizeof(int), "generated labels", err);
    s->a = sb_malloc(n * sizeof(int), "generated attributes", err);
    s->style = sb_malloc(n * sizeof(int), "generated styles", err);
    if (!s->x || !s->y || !s->a || !s->style) {
        sb_ds_set_free(s);
        return SB_ENOMEM;
    }
    return 0;
}

/* Sample i draws, in order: y (sb_rng_below(2)), u (uniform; a = y iff u < (1+ρ)/2), the style
 * (sb_rng_below over its kind's styles), d_inv normals, then d_sp normals (none if absent).
 * Scope both, held-out style: spurious coordinates 0 and 1 of the mean direction (1,…,1)/√d_sp
 * become ((cos θ − sin θ), (sin θ + cos θ))/√d_sp (a rotation by θ_g); the draws are the same. */
static void draw(const sb_ds_config *c, const styles *st, sb_rng *r, double p_agree, int absent,
                 int heldout, sb_ds_set *s, size_t i)
{
    size_t di = c->d_inv, ds = c->d_sp, d = di + ds;
    int y = (int)sb_rng_below(r, 2);
    int a = sb_rng_uniform(r) < p_agree ? y : 1 - y;
    int ntr = c->n_train_styles;
    int g = heldout ? ntr + (int)sb_rng_below(r, (uint64_t)(c->n_styles - ntr))
                    : (int)sb_rng_below(r, (uint64_t)ntr);
    double *x = s->x + i * d;
    const double *o = st->offset + (size_t)g * di, *e = st->dir + (size_t)g * di;
    double sy = 2.0 * y - 1.0, sa = 2.0 * a - 1.0;
    for (size_t j = 0; j < di; j++)
        x[j] = o[j] + sy * c->mu_inv * e[j] + c->sigma_inv * sb_rng_normal(r);
    int rotate = heldout && c->scope == SB_DS_SCOPE_BOTH;
    double u[2] = {0.0, 0.0};
    if (rotate) {
        double t = st->angle[g];
        u[0] = (cos(t) - sin(t)) / sqrt((double)ds);
        u[1] = (sin(t) + cos(t)) / sqrt((double)ds);
    }
    for (size_t j = 0; j < ds; j++) {
        /* The invariant scope keeps its original expression, so its bits are unchanged. */
        double mean = rotate && j < 2 ? sa * c->mu_sp * u[j] : sa * c->mu_sp / sqrt((double)ds);
        x[di + j] = absent ? 0.0 : mean + c->sigma_sp * sb_rng_normal(r);
    }
    s->y[i] = y;
    s->a[i] = a;
    s->style[i] = g;
}

int sb_ds_generate(const sb_ds_config *c, uint64_t seed, uint64_t style_stream,
                   uint64_t sample_stream, sb_ds_set *train, sb_ds_set *test, sb_err *err)
{
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    int rc = check_config(c, err);
    if (rc)
        return rc;
    size_t d = c->d_inv + c->d_sp;
    styles st;
    if ((rc = styles_alloc(c, &st, err)))
        return rc;
    unsigned char *held = sb_calloc(c->n_test, 1, "held-out flags", err);
    size_t *perm = sb_malloc(c->n_test * sizeof *perm, "test permutation", err);
    if (!held || !perm) {
        rc = SB_ENOMEM;
        goto done;
    }
    sb_rng r;
    sb_rng_seed(&r, seed, style_stream);
    make_styles(c, &r, &st);

    rc = alloc_set(train, c->n_train, d, err);
    if (!rc)
        rc = alloc_set(test, c->n_test, d, err);
    if (rc)
        goto done;
    sb_rng_seed(&r, seed, sample_stream);
    double p_train = (1.0 + c->rho_train) / 2.0;
    for (size_t i = 0; i < c->n_train; i++)
        draw(c, &st, &r, p_train, 0, 0, train, i);

    /* Held-out positions: the first k of a uniform permutation (Fisher–Yates from the end). */
    size_t k = (size_t)llround(c->diversity * (double)c->n_test);
    for (size_t i = 0; i < c->n_test; i++)
        perm[i] = i;
    for (size_t i = c->n_test; i-- > 1;) {
        size_t j = (size_t)sb_rng_below(&r, i + 1);
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (size_t i = 0; i < k; i++)
        held[perm[i]] = 1;
    static const double p_test[SB_DS_N_TEST_SETS] = {
        [SB_DS_ALIGNED] = 1.0, [SB_DS_BALANCED] = 0.5, [SB_DS_ANTI_ALIGNED] = 0.0,
        [SB_DS_ABSENT] = 0.5};
    int absent = c->test_set == SB_DS_ABSENT;
    for (size_t i = 0; i < c->n_test; i++)
        draw(c, &st, &r, p_test[c->test_set], absent, held[i], test, i);
done:
    styles_free(&st);
    free(held);
    free(perm);
    if (rc) {
        sb_ds_set_free(train);
        sb_ds_set_free(test);
    }
    return rc;
}
