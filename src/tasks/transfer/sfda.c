/* sfda.c — SFDA (Shao et al., ECCV 2022): self-challenging Fisher discriminant analysis.
 *
 * Follows TencentARC/SFDA metrics.py::SFDA_Score step by step (read, not copied):
 *  1. Fisher fit on F: priors = class frequencies, Sw = Σ_c prior_c·cov_bias(F_c);
 *     λ = max(exp(−5·λ_max(Sw)), 1e-10) with λ_max from utils.py::iterative_A (3 rounds of a
 *     paired power iteration from the row sums of Sw); St = shrink(cov_bias(F), λ),
 *     Sw′ = shrink(Sw, λ), shrink(S) = (1−λ)S + λ·tr(S)/D·I; Sb = St − Sw′;
 *     generalised eigenproblem Sb e = ℓ Sw′ e (dsygvd, as scipy.linalg.eigh(Sb, Sw′)),
 *     eigenvectors by descending ℓ; coef = means·E·Eᵀ, intercept_c = −½ means_c·coef_c + log prior_c;
 *     p = softmax(F coefᵀ + intercept), then softened by a second softmax.
 *  2. ConfMix: x_i ← p_{i,y_i}·x_i + (1 − p_{i,y_i})·(mean of the other classes' means), the
 *     means taken on the unmixed F.
 *  3. Fisher fit on the mixed features with the same λ; sfda = mean_i p(y_i | x_i), no log.
 * Unlike the reference, F itself is never modified (the mixing happens on a copy).
 * Undefined (NaN + reason): one class; a class without samples; Sw′ not positive definite
 * (e.g. every class a single point, or constant features: tr(Sw) = 0); a zero power-iteration
 * vector (the reference divides 0/0 there). */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/transfer/scorer_common.h"

typedef struct fisher_ws {
    size_t n, d, c;
    double *means, *Sw, *St, *Wk, *evals, *tmp, *coef, *icpt;
} fisher_ws;

/* Largest eigenvalue estimate of the reference's iterative_A; NaN when an iterate vanishes. */
static double iterative_lambda_max(const double *A, size_t d, double *x, double *y, double *t)
{
    for (size_t a = 0; a < d; a++) {
        double s = 0.0;
        for (size_t b = 0; b < d; b++)
            s += A[a * d + b];
        x[a] = s;
    }
    for (int it = 0; it < 3; it++) {
        cblas_dsymv(CblasRowMajor, CblasUpper, (int)d, 1.0, A, (int)d, x, 1, 0.0, t, 1);
        double nt = cblas_dnrm2((int)d, t, 1);
        if (!(nt > 0.0))
            return NAN;
        for (size_t a = 0; a < d; a++)
            y[a] = t[a] / nt;
        cblas_dsymv(CblasRowMajor, CblasUpper, (int)d, 1.0, A, (int)d, y, 1, 0.0, t, 1);
        nt = cblas_dnrm2((int)d, t, 1);
        if (!(nt > 0.0))
            return NAN;
        for (size_t a = 0; a < d; a++)
            x[a] = t[a] / nt;
    }
    cblas_dsymv(CblasRowMajor, CblasUpper, (int)d, 1.0, A, (int)d, y, 1, 0.0, t, 1);
    return cblas_ddot((int)d, x, 1, t, 1);
}

static void shrink(double *S, size_t d, double lambda)
{
    double tr = 0.0;
    for (size_t a = 0; a < d; a++)
        tr += S[a * d + a];
    for (size_t a = 0; a < d * d; a++)
        S[a] *= 1.0 - lambda;
    for (size_t a = 0; a < d; a++)
        S[a * d + a] += lambda * tr / (double)d;
}

/* One Fisher fit on X and its softmax posteriors P (n×c). St_raw, when given, is FcᵀFc of X
 * (the context's centred Gram); *lambda < 0 asks for the adaptive shrinkage. Returns 0 with
 * *why set when the fit is undefined. */
static int fisher_fit_proba(fisher_ws *w, const double *X, const int *y, const size_t *cnt,
                            const double *St_raw, double *lambda, double *P, const char **why,
                            sb_err *err)
{
    size_t n = w->n, d = w->d, c = w->c;
    memset(w->means, 0, c * d * sizeof(double));
    for (size_t i = 0; i < n; i++)
        cblas_daxpy((int)d, 1.0, X + i * d, 1, w->means + (size_t)y[i] * d, 1);
    for (size_t k = 0; k < c; k++)
        cblas_dscal((int)d, 1.0 / (double)cnt[k], w->means + k * d, 1);
    /* Σ_c (n_c/N)·cov_bias(X_c) = (1/N) Σ_i (x_i − m_{y_i})(x_i − m_{y_i})ᵀ */
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++)
            w->Wk[i * d + a] = X[i * d + a] - w->means[(size_t)y[i] * d + a];
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)n, 1.0 / (double)n, w->Wk,
                (int)d, 0.0, w->Sw, (int)d);
    if (St_raw) {
        for (size_t a = 0; a < d * d; a++)
            w->St[a] = St_raw[a] / (double)n;
    } else {
        for (size_t a = 0; a < d; a++) {
            double m = 0.0;
            for (size_t i = 0; i < n; i++)
                m += X[i * d + a];
            w->tmp[a] = m / (double)n;
        }
        for (size_t i = 0; i < n; i++)
            for (size_t a = 0; a < d; a++)
                w->Wk[i * d + a] = X[i * d + a] - w->tmp[a];
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)n, 1.0 / (double)n, w->Wk,
                    (int)d, 0.0, w->St, (int)d);
    }
    for (size_t a = 0; a < d; a++)
        for (size_t b = a + 1; b < d; b++) {
            w->Sw[b * d + a] = w->Sw[a * d + b];
            w->St[b * d + a] = w->St[a * d + b];
        }
    if (*lambda < 0.0) {
        double lmax = iterative_lambda_max(w->Sw, d, w->tmp, w->tmp + d, w->tmp + 2 * d);
        if (isnan(lmax)) {
            *why = "the power iteration for the shrinkage vanished (rows of the within-class "
                   "scatter sum to zero)";
            return 0;
        }
        *lambda = fmax(exp(-5.0 * lmax), 1e-10);
    }
    shrink(w->St, d, *lambda);
    shrink(w->Sw, d, *lambda);
    for (size_t a = 0; a < d * d; a++)
        w->St[a] -= w->Sw[a]; /* St becomes Sb */
    lapack_int info = LAPACKE_dsygvd(LAPACK_ROW_MAJOR, 1, 'V', 'U', (lapack_int)d, w->St,
                                     (lapack_int)d, w->Sw, (lapack_int)d, w->evals);
    if (info > (lapack_int)d) {
        *why = "the shrunk within-class scatter is not positive definite";
        return 0;
    }
    if (info != 0)
        return sb_fail(err, SB_ENUMERIC, "sfda: dsygvd failed (info %d)", (int)info);
    /* Eigenvectors (columns of St) in descending order of eigenvalue: reverse the columns. */
    for (size_t a = 0; a < d; a++)
        for (size_t j = 0; j < d / 2; j++) {
            double t = w->St[a * d + j];
            w->St[a * d + j] = w->St[a * d + d - 1 - j];
            w->St[a * d + d - 1 - j] = t;
        }
    /* coef = (means·E)·Eᵀ; Sw's storage (now a Cholesky factor) is free for means·E */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)c, (int)d, (int)d, 1.0, w->means,
                (int)d, w->St, (int)d, 0.0, w->Wk, (int)d);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)c, (int)d, (int)d, 1.0, w->Wk,
                (int)d, w->St, (int)d, 0.0, w->coef, (int)d);
    for (size_t k = 0; k < c; k++)
        w->icpt[k] = -0.5 * cblas_ddot((int)d, w->means + k * d, 1, w->coef + k * d, 1) +
                     log((double)cnt[k] / (double)n);
    for (size_t i = 0; i < n; i++)
        memcpy(P + i * c, w->icpt, c * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)c, (int)d, 1.0, X, (int)d,
                w->coef, (int)d, 1.0, P, (int)c);
    for (size_t i = 0; i < n; i++) {
        double *p = P + i * c, mx = p[0], s = 0.0;
        for (size_t k = 1; k < c; k++)
            mx = fmax(mx, p[k]);
        for (size_t k = 0; k < c; k++)
            s += (p[k] = exp(p[k] - mx));
        for (size_t k = 0; k < c; k++)
            p[k] /= s;
    }
    return 0;
}

static int sfda_score(sb_xfer_ctx *ctx, double *value, char *reason, size_t cap, sb_err *err)
{
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    SB_SCORER_NEED_TWO_CLASSES(ctx, value, reason, cap);
    size_t n = in->n, d = in->d, c = (size_t)in->c;
    const double *F, *G;
    const size_t *cnt;
    int rc;
    if ((rc = sb_xfer_features(ctx, &F, err)) || (rc = sb_xfer_class_counts(ctx, &cnt, err)))
        return rc;
    for (size_t k = 0; k < c; k++)
        if (cnt[k] == 0)
            return sb_scorer_undefined(value, reason, cap, "class %zu has no sample", k);
    if ((rc = sb_xfer_gram_centered(ctx, &G, err)))
        return rc;
    if ((double)n * (double)d > 2147483647.0)
        return sb_fail(err, SB_EINPUT, "sfda: %zu×%zu features exceed the 32-bit BLAS index range", n, d);

    fisher_ws w = {n, d, c, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    size_t total = c * d + 2 * d * d + n * d + d + 3 * d + c * d + c;
    double *mem = sb_malloc(total * sizeof(double), "sfda workspace", err);
    double *P = mem ? sb_malloc(n * c * sizeof(double), "sfda posteriors", err) : NULL;
    double *X2 = P ? sb_malloc(n * d * sizeof(double), "sfda mixed features", err) : NULL;
    double *outer = X2 ? sb_malloc(c * d * sizeof(double), "sfda outer-class means", err) : NULL;
    if (!outer) {
        free(mem);
        free(P);
        free(X2);
        return SB_ENOMEM;
    }
    w.means = mem;
    w.Sw = w.means + c * d;
    w.St = w.Sw + d * d;
    w.Wk = w.St + d * d;
    w.evals = w.Wk + n * d;
    w.tmp = w.evals + d;
    w.coef = w.tmp + 3 * d;
    w.icpt = w.coef + c * d;

    const char *why = NULL;
    double lambda = -1.0;
    rc = fisher_fit_proba(&w, F, in->y, cnt, G, &lambda, P, &why, err);
    if (rc || why)
        goto out;
    /* soften: a second softmax over probabilities in [0, 1] */
    for (size_t i = 0; i < n; i++) {
        double *p = P + i * c, s = 0.0;
        for (size_t k = 0; k < c; k++)
            s += (p[k] = exp(p[k]));
        for (size_t k = 0; k < c; k++)
            p[k] /= s;
    }
    /* outer[k] = mean of the other classes' means (w.means still holds F's class means) */
    for (size_t a = 0; a < d; a++) {
        double s = 0.0;
        for (size_t k = 0; k < c; k++)
            s += w.means[k * d + a];
        for (size_t k = 0; k < c; k++)
            outer[k * d + a] = (s - w.means[k * d + a]) / (double)(c - 1);
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)in->y[i];
        double p = P[i * c + k];
        for (size_t a = 0; a < d; a++)
            X2[i * d + a] = p * F[i * d + a] + (1.0 - p) * outer[k * d + a];
    }
    rc = fisher_fit_proba(&w, X2, in->y, cnt, NULL, &lambda, P, &why, err);
    if (rc || why)
        goto out;
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += P[i * c + (size_t)in->y[i]];
    *value = s / (double)n;
out:
    free(mem);
    free(P);
    free(X2);
    free(outer);
    if (!rc && why)
        return sb_scorer_undefined(value, reason, cap, "%s", why);
    return rc;
}

const sb_scorer sb_scorer_sfda = {
    .name = "sfda",
    .summary = "SFDA: self-challenging Fisher discriminant (ConfMix), mean p(y|x) of the refit",
    .needs = SB_NEEDS_FEATURES,
    .score = sfda_score,
};
