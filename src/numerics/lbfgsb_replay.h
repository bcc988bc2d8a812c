/* lbfgsb_replay.h — scipy 1.10's L-BFGS-B (lbfgsb.f 3.0) replayed for unbounded problems.
 *
 * Reproduces the iterates, the function evaluations and the stopping decision of
 *     scipy.optimize.minimize(f, x0, jac=g, method='L-BFGS-B', tol=tol, options={'maxiter': m})
 * (specs/scorers4.md, "L-BFGS-B replay"): quasi-Newton direction from the newest m pairs, a
 * MINPACK-2 Moré–Thuente line search (ftol 1e-3, gtol 0.9, xtol 0.1), the same first step, the
 * same restart of the memory after a failed line search, the same skipped updates and the same
 * order of the stopping tests. Where lbfgsb.f forms the direction from the compact
 * representation, this uses the two-loop recursion: the same vector up to rounding.
 * Deterministic; not for bound constraints (scipy's own code is needed there). */
#ifndef SB_LBFGSB_REPLAY_H
#define SB_LBFGSB_REPLAY_H

#include <stddef.h>

#include "core/err.h"

/* Objective: *f = f(x) and g = ∇f(x) (n entries) at the same x. Returns 0, or an SB_E* code
 * (with err filled) that stops the minimisation and is passed on. */
typedef int (*sb_lbfgsb_fg)(const double *x, double *f, double *g, void *ctx, sb_err *err);

typedef struct sb_lbfgsb_opts {
    long maxiter; /* iterations (accepted line searches) at most; ≥ 1 */
    long maxfun;  /* stop after an iteration once more evaluations than this were used */
    int m;        /* pairs kept; ≥ 1 */
    int maxls;    /* evaluations per line search at most; ≥ 1 */
    double ftol;  /* stop when f_old − f ≤ ftol·max(|f_old|, |f|, 1) */
    double gtol;  /* stop when ‖g‖∞ ≤ gtol */
} sb_lbfgsb_opts;

/* What minimize(..., tol=tol, options={'maxiter': maxiter}) passes to lbfgsb.f: m 10,
 * maxls 20, maxfun 15000, ftol = gtol = tol. */
sb_lbfgsb_opts sb_lbfgsb_scipy_opts(double tol, long maxiter);

typedef enum sb_lbfgsb_stop {
    SB_LBFGSB_GTOL,     /* ‖g‖∞ ≤ gtol (also at x0, with nit 0) */
    SB_LBFGSB_FTOL,     /* relative reduction of f ≤ ftol */
    SB_LBFGSB_MAXITER,
    SB_LBFGSB_MAXFUN,
    SB_LBFGSB_ABNORMAL  /* a line search failed with an empty memory */
} sb_lbfgsb_stop;

typedef struct sb_lbfgsb_result {
    double f;          /* f at the returned x */
    long nit, nfev;    /* scipy's res.nit and res.nfev */
    long restarts;     /* failed line searches answered by clearing the memory */
    sb_lbfgsb_stop stop;
} sb_lbfgsb_result;

/* Minimises from x (n entries; overwritten by the result). An evaluation at the point of the
 * previous evaluation is not repeated (scipy caches the last one), and not counted. Fails on
 * allocation failure or when fg fails. */
int sb_lbfgsb_minimize(sb_lbfgsb_fg fg, void *ctx, size_t n, double *x, const sb_lbfgsb_opts *o,
                       sb_lbfgsb_result *res, sb_err *err);

#endif
