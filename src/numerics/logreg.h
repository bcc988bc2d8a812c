/* logreg.h — L2-regularised multinomial logistic regression fitted by L-BFGS.
 *
 * One solver for everything that trains a linear classifier: the transfer task's
 * `linear_probe` ground truth and the distribution-shift task's per-cell model.
 * Objective: (1/n) Σ_i −log softmax(W x_i + b)[y_i] + (l2/2) ‖W‖²_F (bias not penalised).
 * Gradients are computed with BLAS (dgemm), in double.
 *
 * Same optimum as sklearn's LogisticRegression(multi_class='multinomial', C = 1/(n·l2)), which
 * minimises Σ_i loss_i + ‖W‖²/(2C): n times this objective. The loss leaves b free up to a
 * common shift; the fit starts from zero, so every gradient — and the returned b and every
 * column of W — sums to zero over classes, the representative sklearn's solvers return too.
 * Solver: lbfgs.h (two-loop recursion, strong-Wolfe line search); deterministic. */
#ifndef SB_LOGREG_H
#define SB_LOGREG_H

#include <stddef.h>

#include "core/err.h"

typedef struct sb_logreg_opts {
    double l2;       /* default 1e-4 */
    double gtol;     /* stop when ‖∇‖_∞ ≤ gtol; default 1e-6 */
    int max_iter;    /* default 1000 */
    int history;     /* L-BFGS memory; default 10 */
} sb_logreg_opts;

void sb_logreg_defaults(sb_logreg_opts *o);

/* X n×d row-major, y in 0..c−1 (c ≥ 2). On success W (c×d row-major) and b (c) hold the
 * fitted parameters; *iters (may be NULL) the number of iterations used. o may be NULL
 * (defaults). Reaching max_iter, or the floating-point floor of the objective before gtol
 * (no step lowers it any more), is not an error: the best point is returned and *iters tells
 * (== max_iter). SB_EINPUT for c < 2, n = 0, a label out of range or a non-finite feature.
 * Without l2 on separable data the optimum is at infinity; l2 > 0 keeps it finite. */
int sb_logreg_fit(const double *X, size_t n, size_t d, const int *y, int c,
                  const sb_logreg_opts *o, double *W, double *b, int *iters, sb_err *err);

/* Class probabilities P (n×c) of X under (W, b). */
int sb_logreg_predict_proba(const double *X, size_t n, size_t d, int c, const double *W,
                            const double *b, double *P, sb_err *err);

/* The objective above and ‖∇‖_∞ (grad_inf may be NULL) at (W, b): lets callers and tests
 * check a solution found elsewhere (e.g. by sklearn) on the same footing. */
int sb_logreg_objective(const double *X, size_t n, size_t d, const int *y, int c, double l2,
                        const double *W, const double *b, double *loss, double *grad_inf,
                        sb_err *err);

#endif
