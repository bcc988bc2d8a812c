/* lbfgs.h — limited-memory BFGS for smooth unconstrained minimisation.
 *
 * Two-loop recursion (Nocedal & Wright, Alg. 7.4) with the scaling γ = sᵀy/yᵀy for the
 * initial Hessian, and a line search that enforces the strong Wolfe conditions
 * (c1 = 1e-4, c2 = 0.9) by bracketing and safeguarded cubic zoom (N&W Alg. 3.5/3.6).
 * Everything is deterministic: no randomness, fixed evaluation order. */
#ifndef SB_LBFGS_H
#define SB_LBFGS_H

#include <stddef.h>

#include "core/err.h"

/* Objective: returns f(x) and writes ∇f(x) into g (length n). It may return a non-finite
 * value to reject a trial point (the line search then shortens the step). */
typedef double (*sb_lbfgs_fn)(const double *x, double *g, void *ctx);

typedef struct sb_lbfgs_opts {
    int history;   /* m, number of (s, y) pairs kept; ≥ 1 */
    int max_iter;  /* iterations (line searches) at most */
    double gtol;   /* converged when ‖∇f‖_∞ ≤ gtol */
    int max_ls;    /* function evaluations per line search at most (20 is plenty) */
} sb_lbfgs_opts;

typedef enum sb_lbfgs_status {
    SB_LBFGS_CONVERGED = 0, /* ‖∇f‖_∞ ≤ gtol */
    SB_LBFGS_MAX_ITER = 1,  /* max_iter reached first */
    SB_LBFGS_STALLED = 2    /* no step along a descent direction lowers f any more:
                               the floating-point limit of the objective was reached */
} sb_lbfgs_status;

/* Minimises fn from x (updated in place, n entries). *fx receives f at the returned x,
 * *iters (may be NULL) the iterations used, *status (may be NULL) why it stopped.
 * Fails only on allocation failure or a non-finite f or ∇f at the starting point. */
int sb_lbfgs_minimize(sb_lbfgs_fn fn, void *ctx, size_t n, double *x, const sb_lbfgs_opts *o,
                      double *fx, int *iters, sb_lbfgs_status *status, sb_err *err);

#endif
