/* logreg.h — L2-regularised multinomial logistic regression fitted by L-BFGS.
 *
 * One solver for everything that trains a linear classifier: the transfer task's
 * `linear_probe` ground truth and the distribution-shift task's per-cell model.
 * Objective: (1/n) Σ_i −log softmax(W x_i + b)[y_i] + (l2/2) ‖W‖²_F (bias not penalised).
 * Gradients are computed with BLAS (dgemm), in double. */
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
 * fitted parameters; *iters (may be NULL) the number of iterations used. */
int sb_logreg_fit(const double *X, size_t n, size_t d, const int *y, int c,
                  const sb_logreg_opts *o, double *W, double *b, int *iters, sb_err *err);

/* Class probabilities P (n×c) of X under (W, b). */
int sb_logreg_predict_proba(const double *X, size_t n, size_t d, int c, const double *W,
                            const double *b, double *P, sb_err *err);

#endif
