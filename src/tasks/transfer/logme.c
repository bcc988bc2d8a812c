/* logme.c — LogME (You et al., ICML 2021 / JMLR 2022), fixed-point form, classification:
 * the mean over classes of the maximum log evidence of Bayesian linear regression of the
 * indicator 1[y=c] on F.
 *
 * The singular system of F comes from the shared statistics: when N > D, the eigenvalues of
 * FᵀF (as the reference's truncated_svd) and the projections Vᵀ(Fᵀt) of the class sums
 * Fᵀt = n_c·m_c, so Uᵀt = Vᵀ(Fᵀt)/s needs no further pass over F and no D×D V; when N ≤ D,
 * a thin SVD of F (dgesdd), as the reference. Singular values ≤ 1e-10 are dropped (the reference's rank rule). */
#include <cblas.h>
#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/transfer/scorer_common.h"

/* One class: x2 (k) = squared coordinates of t in the left singular basis, r = ‖t‖² − Σ x2. */
static double class_evidence(const double *sigma, size_t k, const double *x2, double r, double n, double d)
{
    double alpha = 1.0, beta = 1.0, m2 = 0.0, res2 = 0.0;
    for (int it = 0; it < 11; it++) {
        double t = alpha / beta, gamma = 0.0;
        m2 = 0.0;
        res2 = 0.0;
        for (size_t j = 0; j < k; j++) {
            gamma += sigma[j] / (sigma[j] + t);
            m2 += sigma[j] * x2[j] / ((t + sigma[j]) * (t + sigma[j]));
            double q = 1.0 + sigma[j] / t;
            res2 += x2[j] / (q * q);
        }
        res2 += r;
        alpha = gamma / (m2 + 1e-5);
        beta = (n - gamma) / (res2 + 1e-5);
        if (fabs(alpha / beta - t) / t <= 1e-3)
            break;
    }
    double e = d / 2.0 * log(alpha) + n / 2.0 * log(beta);
    for (size_t j = 0; j < k; j++)
        e -= 0.5 * log(alpha + beta * sigma[j]);
    e -= beta / 2.0 * res2 + alpha / 2.0 * m2 + n / 2.0 * log(2.0 * 3.14159265358979323846);
    return e / n;
}

static int logme_score(sb_xfer_ctx *ctx, double *value, char *reason, size_t cap, sb_err *err)
{
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    SB_SCORER_NEED_TWO_CLASSES(ctx, value, reason, cap);
    size_t n = in->n, d = in->d, c = (size_t)in->c, kmax = n < d ? n : d;
    const size_t *cnt;
    int rc = sb_xfer_class_counts(ctx, &cnt, err);
    if (rc)
        return rc;
    double *sigma = sb_malloc(kmax * sizeof *sigma, "logme singular values", err);
    double *X2 = sigma ? sb_malloc(c * kmax * sizeof *X2, "logme coordinates", err) : NULL;
    if (!X2) {
        free(sigma);
        return SB_ENOMEM;
    }
    size_t k = 0;
    if (n > d) {
        const double *w, *means;
        if ((rc = sb_xfer_eigvals_raw(ctx, &w, err)) || (rc = sb_xfer_class_means(ctx, &means, err)))
            goto out;
        /* Descending singular values s = √|λ| (the SVD of the PSD Gram gives |λ|). */
        size_t *col = sb_malloc(d * sizeof *col, "logme kept columns", err);
        double *s = col ? sb_malloc(d * sizeof *s, "logme s", err) : NULL;
        double *P = s ? sb_malloc(c * d * sizeof *P, "logme projections", err) : NULL;
        if (!P) {
            free(col);
            free(s);
            rc = SB_ENOMEM;
            goto out;
        }
        for (size_t jj = 0; jj < d; jj++) {
            size_t j = d - 1 - jj;
            double sv = sqrt(fabs(w[j]));
            if (sv > 1e-10) {
                col[k] = j;
                s[k] = sv;
                sigma[k] = sv * sv;
                k++;
            }
        }
        /* P = means·V: row a, column j = v_jᵀ m_a (projections: V itself is never formed). */
        rc = sb_xfer_project_raw(ctx, means, c, P, err);
        for (size_t a = 0; a < c && !rc; a++)
            for (size_t j = 0; j < k; j++) {
                double x = (double)cnt[a] * P[a * d + col[j]] / s[j];
                X2[a * kmax + j] = x * x;
            }
        free(col);
        free(s);
        free(P);
        if (rc)
            goto out;
    } else {
        const double *F;
        if ((rc = sb_xfer_features(ctx, &F, err)))
            goto out;
        double *A = sb_malloc(n * d * sizeof *A, "logme SVD copy", err);
        double *U = A ? sb_malloc(n * kmax * sizeof *U, "logme U", err) : NULL;
        double *S = U ? sb_malloc(kmax * sizeof *S, "logme S", err) : NULL;
        double *VT = S ? sb_malloc(kmax * d * sizeof *VT, "logme VT", err) : NULL;
        if (!VT) {
            free(A);
            free(U);
            free(S);
            rc = SB_ENOMEM;
            goto out;
        }
        memcpy(A, F, n * d * sizeof *A);
        lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)n, (lapack_int)d, A, (lapack_int)d, S, U,
                                         (lapack_int)kmax, VT, (lapack_int)d);
        if (info != 0) {
            rc = sb_fail(err, SB_ENUMERIC, "logme: SVD of the %zux%zu features failed (info %d)", n, d, (int)info);
        } else {
            for (size_t j = 0; j < kmax; j++)
                if (S[j] > 1e-10)
                    sigma[k++] = S[j] * S[j];
            /* dgesdd returns S descending, so the kept ones are the first k columns of U. */
            for (size_t a = 0; a < c; a++)
                for (size_t j = 0; j < k; j++)
                    X2[a * kmax + j] = 0.0;
            for (size_t i = 0; i < n; i++) {
                double *x = X2 + (size_t)in->y[i] * kmax;
                for (size_t j = 0; j < k; j++)
                    x[j] += U[i * kmax + j];
            }
            for (size_t a = 0; a < c; a++)
                for (size_t j = 0; j < k; j++)
                    X2[a * kmax + j] *= X2[a * kmax + j];
        }
        free(A);
        free(U);
        free(S);
        free(VT);
        if (rc)
            goto out;
    }
    double sum = 0.0;
    for (size_t a = 0; a < c; a++) {
        double sx = 0.0;
        for (size_t j = 0; j < k; j++)
            sx += X2[a * kmax + j];
        sum += class_evidence(sigma, k, X2 + a * kmax, (double)cnt[a] - sx, (double)n, (double)d);
    }
    sum /= (double)c;
    if (!isfinite(sum))
        sb_scorer_undefined(value, reason, cap, "log evidence not finite (features of rank %zu carry no signal)", k);
    else
        *value = sum;
out:
    free(sigma);
    free(X2);
    return rc;
}

const sb_scorer sb_scorer_logme = {
    .name = "logme",
    .summary = "LogME: mean per-class maximum log evidence of Bayesian linear regression (fixed-point)",
    .needs = SB_NEEDS_FEATURES,
    .score = logme_score,
};
