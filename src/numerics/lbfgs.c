#include "numerics/lbfgs.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Wolfe constants of Nocedal & Wright for quasi-Newton methods. */
#define LS_C1 1e-4
#define LS_C2 0.9

typedef struct ls_point {
    double a, f, d; /* step, φ(a), φ'(a) */
} ls_point;

typedef struct ls_state {
    sb_lbfgs_fn fn;
    void *ctx;
    size_t n;
    const double *x0, *p;
    double f0, d0;
    double *xt, *gt;   /* last trial point and its gradient */
    double *xb, *gb;   /* best accepted-so-far point (the "lo" end) */
    int evals, max_evals;
} ls_state;

static ls_point ls_eval(ls_state *s, double a)
{
    ls_point q = {a, NAN, NAN};
    memcpy(s->xt, s->x0, s->n * sizeof(double));
    cblas_daxpy((int)s->n, a, s->p, 1, s->xt, 1);
    q.f = s->fn(s->xt, s->gt, s->ctx);
    s->evals++;
    if (isfinite(q.f))
        q.d = cblas_ddot((int)s->n, s->gt, 1, s->p, 1);
    if (!isfinite(q.d))
        q.f = INFINITY; /* reject: the caller treats it as "step too long" */
    return q;
}

static void ls_keep(ls_state *s)
{
    memcpy(s->xb, s->xt, s->n * sizeof(double));
    memcpy(s->gb, s->gt, s->n * sizeof(double));
}

/* Minimiser of the cubic through (lo, hi) with their values and slopes, kept at least 10% of
 * the interval away from either end; bisection when the cubic is not usable. */
static double cubic_step(ls_point lo, ls_point hi)
{
    double left = fmin(lo.a, hi.a), right = fmax(lo.a, hi.a), w = right - left;
    double mid = 0.5 * (lo.a + hi.a);
    if (!isfinite(hi.f))
        return mid;
    double d1 = lo.d + hi.d - 3.0 * (lo.f - hi.f) / (lo.a - hi.a);
    double rad = d1 * d1 - lo.d * hi.d;
    if (!(rad >= 0.0))
        return mid;
    double d2 = copysign(sqrt(rad), hi.a - lo.a);
    double den = hi.d - lo.d + 2.0 * d2;
    if (den == 0.0)
        return mid;
    double a = hi.a - (hi.a - lo.a) * (hi.d + d2 - d1) / den;
    if (!isfinite(a) || a < left + 0.1 * w || a > right - 0.1 * w)
        return mid;
    return a;
}

/* Zoom phase (N&W Alg. 3.6). lo satisfies sufficient decrease and has the lowest φ seen;
 * returns 1 when a strong-Wolfe step was found (left in xb/gb), 0 otherwise (xb/gb hold the
 * best point, which still satisfies sufficient decrease if lo.a > 0). */
static int ls_zoom(ls_state *s, ls_point lo, ls_point hi, ls_point *out)
{
    while (s->evals < s->max_evals) {
        double a = cubic_step(lo, hi);
        if (a == lo.a || a == hi.a || fabs(hi.a - lo.a) <= 1e-16 * fmax(1.0, fabs(lo.a)))
            break;
        ls_point t = ls_eval(s, a);
        if (t.f > s->f0 + LS_C1 * t.a * s->d0 || t.f >= lo.f) {
            hi = t;
        } else {
            ls_keep(s);
            if (fabs(t.d) <= -LS_C2 * s->d0) {
                *out = t;
                return 1;
            }
            if (t.d * (hi.a - lo.a) >= 0.0)
                hi = lo;
            lo = t;
        }
    }
    *out = lo;
    return 0;
}

/* Line search along p from x0 (N&W Alg. 3.5). Returns 1 on a strong-Wolfe step, 0 when only a
 * decrease was found, -1 when no lower point was found; out->a is the accepted step. */
static int line_search(ls_state *s, double a1, ls_point *out)
{
    ls_point prev = {0.0, s->f0, s->d0};
    double a = a1;
    for (int i = 0; s->evals < s->max_evals; i++) {
        ls_point t = ls_eval(s, a);
        if (t.f > s->f0 + LS_C1 * a * s->d0 || (i > 0 && t.f >= prev.f)) {
            int ok = ls_zoom(s, prev, t, out);
            return ok ? 1 : (out->a > 0.0 ? 0 : -1);
        }
        ls_keep(s);
        if (fabs(t.d) <= -LS_C2 * s->d0) {
            *out = t;
            return 1;
        }
        if (t.d >= 0.0) {
            int ok = ls_zoom(s, t, prev, out);
            return ok ? 1 : 0;
        }
        prev = t;
        a *= 2.0;
    }
    *out = prev;
    return prev.a > 0.0 ? 0 : -1;
}

static double norm_inf(const double *g, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs(g[i]) > m)
            m = fabs(g[i]);
    return m;
}

int sb_lbfgs_minimize(sb_lbfgs_fn fn, void *ctx, size_t n, double *x, const sb_lbfgs_opts *o,
                      double *fx, int *iters, sb_lbfgs_status *status, sb_err *err)
{
    int m = o->history > 0 ? o->history : 1;
    int it = 0;
    sb_lbfgs_status st = SB_LBFGS_MAX_ITER;
    double *mem = sb_malloc(((size_t)2 * (size_t)m * n + 6 * n + 2 * (size_t)m) * sizeof(double),
                            "L-BFGS workspace", err);
    if (!mem)
        return SB_ENOMEM;
    double *S = mem, *Y = S + (size_t)m * n, *g = Y + (size_t)m * n, *p = g + n, *xt = p + n,
           *gt = xt + n, *xb = gt + n, *gb = xb + n, *rho = gb + n, *alpha = rho + m;
    int stored = 0, head = 0; /* pairs kept; index of the next slot to write */
    double gamma = 1.0;

    double f = fn(x, g, ctx);
    if (!isfinite(f) || !isfinite(norm_inf(g, n))) {
        free(mem);
        return sb_fail(err, SB_ENUMERIC, "L-BFGS: objective or gradient not finite at the start");
    }
    int restarted = 0; /* the current direction is steepest descent after a failed search */
    while (1) {
        if (norm_inf(g, n) <= o->gtol) {
            st = SB_LBFGS_CONVERGED;
            break;
        }
        if (it >= o->max_iter) {
            st = SB_LBFGS_MAX_ITER;
            break;
        }
        /* Two-loop recursion: p = −H g. */
        memcpy(p, g, n * sizeof(double));
        for (int k = 0; k < stored; k++) {
            int j = (head - 1 - k + m) % m;
            alpha[j] = rho[j] * cblas_ddot((int)n, S + (size_t)j * n, 1, p, 1);
            cblas_daxpy((int)n, -alpha[j], Y + (size_t)j * n, 1, p, 1);
        }
        cblas_dscal((int)n, stored ? gamma : 1.0, p, 1);
        for (int k = stored - 1; k >= 0; k--) {
            int j = (head - 1 - k + m) % m;
            double beta = rho[j] * cblas_ddot((int)n, Y + (size_t)j * n, 1, p, 1);
            cblas_daxpy((int)n, alpha[j] - beta, S + (size_t)j * n, 1, p, 1);
        }
        cblas_dscal((int)n, -1.0, p, 1);
        double d0 = cblas_ddot((int)n, g, 1, p, 1);
        if (!(d0 < 0.0)) { /* lost descent through rounding: fall back to −g */
            stored = 0;
            for (size_t i = 0; i < n; i++)
                p[i] = -g[i];
            d0 = -cblas_ddot((int)n, g, 1, g, 1);
        }
        /* First step of a steepest-descent direction: unit length in x, as unscaled −g can be
         * arbitrarily long; later L-BFGS steps are well scaled and start at 1. */
        double a1 = stored ? 1.0 : fmin(1.0, 1.0 / cblas_dnrm2((int)n, g, 1));
        ls_state ls = {fn, ctx, n, x, p, f, d0, xt, gt, xb, gb, 0, 30};
        ls_point acc;
        int r = line_search(&ls, a1, &acc);
        if (r < 0) {
            if (stored == 0 || restarted) {
                st = SB_LBFGS_STALLED;
                break;
            }
            stored = 0; /* forget the curvature pairs and try steepest descent once */
            restarted = 1;
            continue;
        }
        restarted = 0;
        /* s = x_new − x, y = g_new − g, written straight into the ring buffer. */
        double *s = S + (size_t)head * n, *yv = Y + (size_t)head * n;
        for (size_t i = 0; i < n; i++) {
            s[i] = xb[i] - x[i];
            yv[i] = gb[i] - g[i];
        }
        double sy = cblas_ddot((int)n, s, 1, yv, 1), yy = cblas_ddot((int)n, yv, 1, yv, 1);
        memcpy(x, xb, n * sizeof(double));
        memcpy(g, gb, n * sizeof(double));
        double fnew = acc.f;
        it++;
        if (sy > 1e-12 * yy && yy > 0.0) { /* keep only pairs with positive curvature */
            rho[head] = 1.0 / sy;
            gamma = sy / yy;
            head = (head + 1) % m;
            if (stored < m)
                stored++;
        }
        if (fnew == f && r == 0) { /* no progress at all: the objective's rounding floor */
            f = fnew;
            st = SB_LBFGS_STALLED;
            break;
        }
        f = fnew;
    }
    *fx = f;
    if (iters)
        *iters = it;
    if (status)
        *status = st;
    free(mem);
    return 0;
}
