/* explain_stats.c — specs/explain.md "Estimates per target" and "Acceptance", in double,
 * every sum in pair order (so no dependence on units or ranks). */
#include "tasks/explain/explain_stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "numerics/betainc.h"
#include "numerics/percentile.h"
#include "numerics/tdist.h"

static double delta(const sb_explain_pairs *p, size_t i) { return p->fplus[i] - p->fminus[i]; }

static void set_empty(sb_explain_est *e)
{
    memset(e, 0, sizeof *e);
    e->cace = e->cace_sd = e->ci_lo = e->ci_hi = e->boot_lo = e->boot_hi = NAN;
    e->cace_add = e->cace_remove = e->p_plus = e->p_minus = e->pns = NAN;
    e->pns_ci_lo = e->pns_ci_hi = e->pns_rev = e->pns_lb = e->pns_ub = e->sign_p = NAN;
    e->accepted = -1;
}

/* Means of Δ (pooled, add-only, remove-only), the decision rates and both PNS. */
static void means(const sb_explain_pairs *p, sb_explain_est *e)
{
    double s = 0, sa = 0, sr = 0, pp = 0, pm = 0, pns = 0, rev = 0;
    for (size_t i = 0; i < p->m; i++) {
        double d = delta(p, i);
        s += d;
        if (p->dir[i] > 0)
            sa += d, e->n_add++;
        else
            sr += d, e->n_remove++;
        pp += p->dplus[i];
        pm += p->dminus[i];
        pns += p->dplus[i] && !p->dminus[i];
        rev += p->dminus[i] && !p->dplus[i];
    }
    double m = (double)p->m;
    e->cace = s / m;
    e->cace_add = e->n_add ? sa / (double)e->n_add : NAN;
    e->cace_remove = e->n_remove ? sr / (double)e->n_remove : NAN;
    e->p_plus = pp / m;
    e->p_minus = pm / m;
    e->pns = pns / m;
    e->pns_rev = rev / m;
    e->pns_lb = fmax(0.0, e->p_plus - e->p_minus);
    e->pns_ub = fmin(e->p_plus, 1 - e->p_minus);
}

/* Sample sd (ddof 1, two passes) and the t interval; M >= 2. */
static void t_interval(const sb_explain_pairs *p, double level, sb_explain_est *e)
{
    double ss = 0;
    for (size_t i = 0; i < p->m; i++) {
        double d = delta(p, i) - e->cace;
        ss += d * d;
    }
    double m = (double)p->m;
    e->cace_sd = sqrt(ss / (m - 1));
    double half = e->cace_sd == 0 ? 0 : sb_t_ppf((1 + level) / 2, m - 1) * e->cace_sd / sqrt(m);
    e->ci_lo = e->cace - half;
    e->ci_hi = e->cace + half;
}

static void wilson(double level, double n, sb_explain_est *e)
{
    double z = sb_norm_ppf((1 + level) / 2), ph = e->pns, z2 = z * z;
    double centre = ph + z2 / (2 * n), half = z * sqrt(ph * (1 - ph) / n + z2 / (4 * n * n)), den = 1 + z2 / n;
    e->pns_ci_lo = (centre - half) / den;
    e->pns_ci_hi = (centre + half) / den;
}

static void sign_test(const sb_explain_pairs *p, int sign, sb_explain_est *e)
{
    for (size_t i = 0; i < p->m; i++) {
        double d = sign * delta(p, i);
        e->sign_n_pos += d > 0;
        e->sign_n_neg += d < 0;
    }
    uint64_t n = (uint64_t)(e->sign_n_pos + e->sign_n_neg);
    if (n == 0)
        e->reasons |= SB_EX_ALL_ZERO;
    else
        e->sign_p = sb_binom_half_sf((uint64_t)e->sign_n_pos, n);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Paired percentile bootstrap: B resamples of the M pairs, below(M) draws in order. */
static int bootstrap(const sb_explain_pairs *p, uint64_t stream, const sb_explain_opts *o, sb_explain_est *e,
                     sb_err *err)
{
    size_t b = (size_t)o->bootstrap;
    double *mean = sb_malloc(b * sizeof *mean, "explain bootstrap means", err);
    if (!mean)
        return SB_ENOMEM;
    sb_rng r;
    sb_rng_seed(&r, o->seed, stream);
    for (size_t s = 0; s < b; s++) {
        double sum = 0;
        for (size_t i = 0; i < p->m; i++)
            sum += delta(p, (size_t)sb_rng_below(&r, p->m));
        mean[s] = sum / (double)p->m;
    }
    qsort(mean, b, sizeof *mean, cmp_double);
    sb_quantile_sorted(mean, b, (1 - o->level) / 2, &e->boot_lo, NULL);
    sb_quantile_sorted(mean, b, (1 + o->level) / 2, &e->boot_hi, NULL);
    free(mean);
    return 0;
}

static int accept(const sb_explain_est *e, int sign, const sb_explain_opts *o)
{
    double lo = o->accept_boot ? e->boot_lo : e->ci_lo, hi = o->accept_boot ? e->boot_hi : e->ci_hi;
    double p = isnan(e->sign_p) ? 1 : e->sign_p;
    int effect = sign > 0 ? lo > o->accept_cace && e->pns >= o->accept_pns
                          : hi < -o->accept_cace && e->pns_rev >= o->accept_pns;
    return effect && p <= o->accept_sign_p;
}

int sb_explain_estimate(const sb_explain_pairs *p, int sign, uint64_t stream, const sb_explain_opts *o,
                        sb_explain_est *e, sb_err *err)
{
    set_empty(e);
    e->n_pairs = (int64_t)p->m;
    if (p->m == 0) {
        e->reasons = SB_EX_NO_PAIR;
        return 0;
    }
    means(p, e);
    if (!e->n_add)
        e->reasons |= SB_EX_NO_ADD;
    if (!e->n_remove)
        e->reasons |= SB_EX_NO_REMOVE;
    if (p->m >= 2)
        t_interval(p, o->level, e);
    else
        e->reasons |= SB_EX_ONE_PAIR;
    wilson(o->level, (double)p->m, e);
    sign_test(p, sign, e);
    if (o->bootstrap > 0) {
        int rc = bootstrap(p, stream, o, e, err);
        if (rc)
            return rc;
    }
    if (p->m >= 2)
        e->accepted = accept(e, sign, o);
    return 0;
}

void sb_explain_reason_text(unsigned reasons, char *out, size_t cap)
{
    static const struct {
        unsigned bit;
        const char *text;
    } why[] = {{SB_EX_NO_PAIR, "no valid pair"},
               {SB_EX_ONE_PAIR, "fewer than 2 pairs"},
               {SB_EX_NO_ADD, "no add pair"},
               {SB_EX_NO_REMOVE, "no remove pair"},
               {SB_EX_ALL_ZERO, "all differences zero"}};
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof why / sizeof why[0]; i++)
        if ((reasons & why[i].bit) && len < cap)
            len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? "; " : "", why[i].text);
}
