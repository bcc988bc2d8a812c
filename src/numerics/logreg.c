#include "numerics/logreg.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numerics/lbfgs.h"

void sb_logreg_defaults(sb_logreg_opts *o)
{
    o->l2 = 1e-4;
    o->gtol = 1e-6;
    o->max_iter = 1000;
    o->history = 10;
}

typedef struct lr_problem {
    const double *X;
    const int *y;
    size_t n, d;
    int c;
    double l2;
    double *Z; /* n×c logits, then (softmax − onehot)/n */
} lr_problem;

/* Row-wise log-softmax of Z (n×c) in place, shifted by the row maximum so exp never overflows. */
static void log_softmax_rows(double *Z, size_t n, int c)
{
    for (size_t i = 0; i < n; i++) {
        double *z = Z + i * (size_t)c;
        double mx = z[0];
        for (int k = 1; k < c; k++)
            if (z[k] > mx)
                mx = z[k];
        double s = 0.0;
        for (int k = 0; k < c; k++)
            s += exp(z[k] - mx);
        double lse = mx + log(s);
        for (int k = 0; k < c; k++)
            z[k] -= lse;
    }
}

/* θ = [W (c×d row-major) | b (c)]. Returns the objective of logreg.h and its gradient. */
static double lr_objective(const double *theta, double *grad, void *vctx)
{
    lr_problem *pb = vctx;
    size_t n = pb->n, d = pb->d, c = (size_t)pb->c;
    const double *W = theta, *b = theta + c * d;
    double *gW = grad, *gb = grad + c * d;
    double *Z = pb->Z;

    for (size_t i = 0; i < n; i++)
        memcpy(Z + i * c, b, c * sizeof(double));
    if (d > 0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)c, (int)d, 1.0, pb->X,
                    (int)d, W, (int)d, 1.0, Z, (int)c);
    log_softmax_rows(Z, n, (int)c);

    double nll = 0.0, inv_n = 1.0 / (double)n;
    for (size_t i = 0; i < n; i++)
        nll -= Z[i * c + (size_t)pb->y[i]];
    for (size_t i = 0; i < n; i++) {
        double *z = Z + i * c;
        for (size_t k = 0; k < c; k++)
            z[k] = exp(z[k]) * inv_n;
        z[pb->y[i]] -= inv_n;
    }
    /* ∇_W = Gᵀ X + l2 W, ∇_b = column sums of G. */
    if (d > 0) {
        memcpy(gW, W, c * d * sizeof(double));
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)c, (int)d, (int)n, 1.0, Z,
                    (int)c, pb->X, (int)d, pb->l2, gW, (int)d);
    }
    for (size_t k = 0; k < c; k++)
        gb[k] = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < c; k++)
            gb[k] += Z[i * c + k];
    double w2 = d > 0 ? cblas_ddot((int)(c * d), W, 1, W, 1) : 0.0;
    return nll * inv_n + 0.5 * pb->l2 * w2;
}

static int check_inputs(const double *X, size_t n, size_t d, int c, sb_err *err)
{
    if (c < 2)
        return sb_fail(err, SB_EINPUT, "logistic regression: %d class(es), need at least 2", c);
    if ((double)n * (double)d > 2147483647.0 || (double)c * (double)(d + 1) > 2147483647.0 ||
        (double)n * (double)c > 2147483647.0)
        return sb_fail(err, SB_EINPUT, "logistic regression: %zu×%zu features with %d classes "
                                       "exceed the 32-bit BLAS index range", n, d, c);
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(X[i]))
            return sb_fail(err, SB_EINPUT, "logistic regression: feature X[%zu][%zu] is not finite",
                           i / d, i % d);
    return 0;
}

int sb_logreg_fit(const double *X, size_t n, size_t d, const int *y, int c,
                  const sb_logreg_opts *o, double *W, double *b, int *iters, sb_err *err)
{
    sb_logreg_opts def;
    if (!o) {
        sb_logreg_defaults(&def);
        o = &def;
    }
    int rc = check_inputs(X, n, d, c, err);
    if (rc)
        return rc;
    if (n == 0)
        return sb_fail(err, SB_EINPUT, "logistic regression: no samples");
    for (size_t i = 0; i < n; i++)
        if (y[i] < 0 || y[i] >= c)
            return sb_fail(err, SB_EINPUT, "logistic regression: label y[%zu] = %d outside 0..%d",
                           i, y[i], c - 1);
    if (!(o->l2 >= 0.0) || !isfinite(o->l2) || !(o->gtol >= 0.0) || o->max_iter < 0)
        return sb_fail(err, SB_EUSAGE, "logistic regression: bad options (l2 %g, gtol %g, "
                                       "max_iter %d)", o->l2, o->gtol, o->max_iter);

    size_t np = (size_t)c * (d + 1);
    double *theta = sb_calloc(np, sizeof(double), "logistic regression parameters", err);
    double *Z = sb_malloc(n * (size_t)c * sizeof(double), "logistic regression logits", err);
    if (!theta || !Z) {
        free(theta);
        free(Z);
        return SB_ENOMEM;
    }
    lr_problem pb = {X, y, n, d, c, o->l2, Z};
    /* Start at zero: every gradient then sums to zero over classes, so the iterates (and the
     * returned b, which the loss leaves free up to a common shift) stay in the sum-zero
     * subspace — the same representative sklearn's lbfgs returns. */
    sb_lbfgs_opts lo = {o->history, o->max_iter, o->gtol, 30};
    double f;
    rc = sb_lbfgs_minimize(lr_objective, &pb, np, theta, &lo, &f, iters, NULL, err);
    if (!rc) {
        memcpy(W, theta, (size_t)c * d * sizeof(double));
        memcpy(b, theta + (size_t)c * d, (size_t)c * sizeof(double));
    }
    free(theta);
    free(Z);
    return rc;
}

int sb_logreg_objective(const double *X, size_t n, size_t d, const int *y, int c, double l2,
                        const double *W, const double *b, double *loss, double *grad_inf,
                        sb_err *err)
{
    int rc = check_inputs(X, n, d, c, err);
    if (rc)
        return rc;
    if (n == 0)
        return sb_fail(err, SB_EINPUT, "logistic regression: no samples");
    size_t np = (size_t)c * (d + 1);
    double *theta = sb_malloc(2 * np * sizeof(double), "logistic regression parameters", err);
    double *Z = sb_malloc(n * (size_t)c * sizeof(double), "logistic regression logits", err);
    if (!theta || !Z) {
        free(theta);
        free(Z);
        return SB_ENOMEM;
    }
    memcpy(theta, W, (size_t)c * d * sizeof(double));
    memcpy(theta + (size_t)c * d, b, (size_t)c * sizeof(double));
    lr_problem pb = {X, y, n, d, c, l2, Z};
    *loss = lr_objective(theta, theta + np, &pb);
    if (grad_inf) {
        double m = 0.0;
        for (size_t i = 0; i < np; i++)
            m = fmax(m, fabs(theta[np + i]));
        *grad_inf = m;
    }
    free(theta);
    free(Z);
    return 0;
}

int sb_logreg_predict_proba(const double *X, size_t n, size_t d, int c, const double *W,
                            const double *b, double *P, sb_err *err)
{
    if (c < 1)
        return sb_fail(err, SB_EINPUT, "logistic regression predict: %d classes", c);
    int rc = c >= 2 ? check_inputs(X, n, d, c, err) : 0;
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        memcpy(P + i * (size_t)c, b, (size_t)c * sizeof(double));
    if (d > 0 && n > 0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, c, (int)d, 1.0, X, (int)d, W,
                    (int)d, 1.0, P, c);
    log_softmax_rows(P, n, c);
    for (size_t i = 0; i < n * (size_t)c; i++)
        P[i] = exp(P[i]);
    return 0;
}
