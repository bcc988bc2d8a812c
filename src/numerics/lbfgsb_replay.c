/* lbfgsb_replay.c — see lbfgsb_replay.h. Follows lbfgsb.f 3.0's mainlb/lnsrlb/matupd as scipy
 * 1.10 drives them (scipy/optimize/_lbfgsb_py.py), for variables without bounds:
 *  - with no stored pair the generalised Cauchy point is x − g (θ = 1, no breakpoints) and the
 *    direction d = (x − g) − x, rounded as lbfgsb.f rounds it; with pairs the Cauchy search is
 *    skipped and z = x + (−H·g), d = z − x; a full step (stp = 1) tries z itself;
 *  - the first trial step is min(1/‖d‖₂, 1e10) on the first iteration, 1 afterwards;
 *  - a failed line search (gᵀd ≥ 0, or maxls evaluations unaccepted) restores x and clears the
 *    memory, or stops when it was already empty;
 *  - sᵀy is formed as (gᵀd − g_oldᵀd)·stp as lbfgsb.f forms it; the pair is skipped when it is
 *    ≤ ε_mach·(−g_oldᵀd)·stp; H₀ = (sᵀy/yᵀy)·I of the newest pair.
 * Not replayed: lbfgsb.f also clears its memory when a Cholesky factor of its compact form
 * breaks down (formt/formk), which the two-loop recursion does not need; and scipy 1.10.1 as
 * built by Debian stops a line search after 20 evaluations whatever options['maxls'] says. The
 * iterates agree with scipy's to rounding, so counts agree unless the run is chaotic: rounding
 * amplified until a stopping test flips. Such runs (3 of 1042 random PACTran problems, weakly
 * regularised separable data) are not reproducible by scipy itself either: another OpenBLAS
 * kernel or numpy's SIMD dispatch changes its nfev on the same problems. */
#include "numerics/lbfgsb_replay.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numerics/more_thuente.h"

sb_lbfgsb_opts sb_lbfgsb_scipy_opts(double tol, long maxiter)
{
    /* scipy hands lbfgsb.f factr = ftol/eps, which multiplies eps back */
    sb_lbfgsb_opts o = {maxiter, 15000, 10, 20, tol / DBL_EPSILON * DBL_EPSILON, tol};
    return o;
}

typedef struct lb_state {
    sb_lbfgsb_fg fg;
    void *ctx;
    size_t n;
    const sb_lbfgsb_opts *o;
    double *x, *g, f;        /* current point (or trial, during a line search) */
    double *t, *r, fold;     /* the point before the line search, its gradient and f */
    double *z, *d;           /* target of a full step, and direction z − x */
    double *xl, *gl, fl;     /* last evaluated point (scipy's cache) */
    int have_last;
    double *q;               /* the two-loop's work vector */
    double *S, *Y, *sy, *alpha; /* ring of m pairs (s, y) and their sᵀy */
    int col, head;           /* pairs stored, index of the oldest */
    double theta;            /* yᵀy/sᵀy of the newest pair */
    double stp, gd, gdold;   /* accepted step, gᵀd after and before it */
    long nit, nfev, restarts;
} lb_state;

static int lb_alloc(lb_state *s, sb_err *err)
{
    size_t n = s->n, m = (size_t)s->o->m;
    double *mem = sb_malloc((8 * n + 2 * m * n + 2 * m) * sizeof(double), "L-BFGS-B workspace", err);
    if (!mem)
        return SB_ENOMEM;
    s->g = mem;
    s->t = s->g + n;
    s->r = s->t + n;
    s->z = s->r + n;
    s->d = s->z + n;
    s->xl = s->d + n;
    s->gl = s->xl + n;
    s->q = s->gl + n;
    s->S = s->q + n;
    s->Y = s->S + m * n;
    s->sy = s->Y + m * n;
    s->alpha = s->sy + m;
    return 0;
}

/* f and g at s->x; a repeat of the last evaluated point is served from the cache, as scipy's
 * ScalarFunction does (exact equality, element by element). */
static int lb_eval(lb_state *s, sb_err *err)
{
    size_t n = s->n;
    if (s->have_last) {
        size_t i = 0;
        while (i < n && s->x[i] == s->xl[i])
            i++;
        if (i == n) {
            memcpy(s->g, s->gl, n * sizeof(double));
            s->f = s->fl;
            return 0;
        }
    }
    int rc = s->fg(s->x, &s->f, s->g, s->ctx, err);
    if (rc)
        return rc;
    s->nfev++;
    memcpy(s->xl, s->x, n * sizeof(double));
    memcpy(s->gl, s->g, n * sizeof(double));
    s->fl = s->f;
    s->have_last = 1;
    return 0;
}

/* z and d = z − x for the quasi-Newton step from x (two-loop recursion, oldest pair at head). */
static void lb_direction(lb_state *s)
{
    size_t n = s->n, m = (size_t)s->o->m;
    int ni = (int)n;
    if (s->col == 0) {
        for (size_t i = 0; i < n; i++)
            s->z[i] = s->x[i] + -s->g[i];
    } else {
        memcpy(s->q, s->g, n * sizeof(double));
        for (int k = s->col - 1; k >= 0; k--) {
            size_t j = ((size_t)s->head + (size_t)k) % m;
            s->alpha[j] = cblas_ddot(ni, s->S + j * n, 1, s->q, 1) / s->sy[j];
            cblas_daxpy(ni, -s->alpha[j], s->Y + j * n, 1, s->q, 1);
        }
        for (size_t i = 0; i < n; i++)
            s->q[i] /= s->theta;
        for (int k = 0; k < s->col; k++) {
            size_t j = ((size_t)s->head + (size_t)k) % m;
            double beta = cblas_ddot(ni, s->Y + j * n, 1, s->q, 1) / s->sy[j];
            cblas_daxpy(ni, s->alpha[j] - beta, s->S + j * n, 1, s->q, 1);
        }
        for (size_t i = 0; i < n; i++)
            s->z[i] = s->x[i] - s->q[i];
    }
    for (size_t i = 0; i < n; i++)
        s->d[i] = s->z[i] - s->x[i];
}

/* Back to the point before the line search. */
static void lb_restore(lb_state *s)
{
    memcpy(s->x, s->t, s->n * sizeof(double));
    memcpy(s->g, s->r, s->n * sizeof(double));
    s->f = s->fold;
}

/* lnsrlb: *ok = 1 with x, f, g at the accepted step, or 0 with x, f, g restored. */
static int lb_line_search(lb_state *s, int *ok, sb_err *err)
{
    size_t n = s->n;
    int ni = (int)n;
    double dnorm = sqrt(cblas_ddot(ni, s->d, 1, s->d, 1));
    double stp = s->nit == 0 ? fmin(1.0 / dnorm, 1e10) : 1.0;
    memcpy(s->t, s->x, n * sizeof(double));
    memcpy(s->r, s->g, n * sizeof(double));
    s->fold = s->f;
    s->gdold = s->gd = cblas_ddot(ni, s->g, 1, s->d, 1);
    *ok = 0;
    if (s->gd >= 0.0) { /* not a descent direction */
        lb_restore(s);
        return 0;
    }
    sb_mt_search ls = {.ftol = 1e-3, .gtol = 0.9, .xtol = 0.1, .stpmin = 0.0, .stpmax = 1e10};
    sb_mt_start(&ls, s->f, s->gd, stp);
    for (int trial = 0; trial < s->o->maxls && !*ok; trial++) {
        if (stp == 1.0) {
            memcpy(s->x, s->z, n * sizeof(double));
        } else {
            for (size_t i = 0; i < n; i++)
                s->x[i] = stp * s->d[i] + s->t[i];
        }
        int rc = lb_eval(s, err);
        if (rc)
            return rc;
        s->gd = cblas_ddot(ni, s->g, 1, s->d, 1);
        s->stp = stp;
        *ok = sb_mt_next(&ls, s->f, s->gd, &stp);
    }
    if (!*ok)
        lb_restore(s);
    return 0;
}

/* matupd: keeps the pair (s = stp·d, y = g − g_old) unless its curvature is not positive
 * enough; d and r are overwritten. */
static void lb_update(lb_state *s)
{
    size_t n = s->n, m = (size_t)s->o->m;
    int ni = (int)n;
    for (size_t i = 0; i < n; i++)
        s->r[i] = s->g[i] - s->r[i];
    double rr = cblas_ddot(ni, s->r, 1, s->r, 1), dr, ddum;
    if (s->stp == 1.0) {
        dr = s->gd - s->gdold;
        ddum = -s->gdold;
    } else {
        dr = (s->gd - s->gdold) * s->stp;
        cblas_dscal(ni, s->stp, s->d, 1);
        ddum = -s->gdold * s->stp;
    }
    if (dr <= DBL_EPSILON * ddum)
        return;
    size_t j;
    if ((size_t)s->col < m) {
        j = ((size_t)s->head + (size_t)s->col) % m;
        s->col++;
    } else {
        j = (size_t)s->head;
        s->head = (int)((j + 1) % m);
    }
    memcpy(s->S + j * n, s->d, n * sizeof(double));
    memcpy(s->Y + j * n, s->r, n * sizeof(double));
    s->sy[j] = dr;
    s->theta = rr / dr;
}

static double inf_norm(const double *v, size_t n)
{
    double a = 0.0;
    for (size_t i = 0; i < n; i++)
        a = fmax(a, fabs(v[i]));
    return a;
}

/* After an accepted step: 1 (with *stop) when scipy or lbfgsb.f stops here, in their order. */
static int lb_stops(const lb_state *s, sb_lbfgsb_stop *stop)
{
    if (s->nit >= s->o->maxiter)
        *stop = SB_LBFGSB_MAXITER;
    else if (s->nfev > s->o->maxfun)
        *stop = SB_LBFGSB_MAXFUN;
    else if (inf_norm(s->g, s->n) <= s->o->gtol)
        *stop = SB_LBFGSB_GTOL;
    else if (s->fold - s->f <= s->o->ftol * fmax(fmax(fabs(s->fold), fabs(s->f)), 1.0))
        *stop = SB_LBFGSB_FTOL;
    else
        return 0;
    return 1;
}

static int lb_run(lb_state *s, sb_lbfgsb_stop *stop, sb_err *err)
{
    int rc = lb_eval(s, err);
    if (rc)
        return rc;
    if (inf_norm(s->g, s->n) <= s->o->gtol) {
        *stop = SB_LBFGSB_GTOL;
        return 0;
    }
    for (;;) {
        lb_direction(s);
        int ok;
        if ((rc = lb_line_search(s, &ok, err)))
            return rc;
        if (!ok) {
            if (s->col == 0) {
                *stop = SB_LBFGSB_ABNORMAL;
                return 0;
            }
            s->col = s->head = 0; /* forget the pairs and retry along −g */
            s->restarts++;
            continue;
        }
        s->nit++;
        if (lb_stops(s, stop))
            return 0;
        lb_update(s);
    }
}

int sb_lbfgsb_minimize(sb_lbfgsb_fg fg, void *ctx, size_t n, double *x, const sb_lbfgsb_opts *o,
                       sb_lbfgsb_result *res, sb_err *err)
{
    if (n == 0 || n > (size_t)2147483647 || o->m < 1 || o->maxls < 1 || o->maxiter < 1)
        return sb_fail(err, SB_EINPUT, "L-BFGS-B: bad size or options (n %zu, m %d, maxls %d, maxiter %ld)",
                       n, o->m, o->maxls, o->maxiter);
    lb_state s = {.fg = fg, .ctx = ctx, .n = n, .o = o, .x = x, .theta = 1.0};
    int rc = lb_alloc(&s, err);
    if (rc)
        return rc;
    sb_lbfgsb_stop stop = SB_LBFGSB_ABNORMAL;
    rc = lb_run(&s, &stop, err);
    if (!rc)
        *res = (sb_lbfgsb_result){s.f, s.nit, s.nfev, s.restarts, stop};
    free(s.g);
    return rc;
}
