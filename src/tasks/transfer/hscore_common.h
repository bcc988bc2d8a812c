/* hscore_common.h — the between-class term both H-scores share (internal to tasks/transfer).
 *
 * With Σ_f = V diag(w) Vᵀ (w of the centred Gram) and Σ_g the covariance of the rows
 * "class mean of y_i", tr(pinv(diag-scaled Σ_f)·Σ_g) = Σ_c n_c Σ_j (v_jᵀ(m_c − μ))²/ℓ_j:
 * only the C×D projections of the centred class means are needed (no D×D V). */
#ifndef SB_HSCORE_COMMON_H
#define SB_HSCORE_COMMON_H

#include <stdlib.h>

#include "tasks/transfer/scorer_common.h"

/* Q (C×D, caller frees): Q[c,j] = n_c (v_jᵀ(m_c − μ))², v_j the eigenvectors of the centred Gram. */
static inline int sb_hscore_between(sb_xfer_ctx *ctx, double **Q, sb_err *err)
{
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    size_t d = in->d, c = (size_t)in->c;
    const double *means, *mu;
    const size_t *cnt;
    int rc = sb_xfer_class_means(ctx, &means, err);
    if (rc || (rc = sb_xfer_mean(ctx, &mu, err)) || (rc = sb_xfer_class_counts(ctx, &cnt, err)))
        return rc;
    double *M = sb_malloc(c * d * sizeof *M, "centred class means", err);
    double *P = M ? sb_malloc(c * d * sizeof *P, "class-mean projections", err) : NULL;
    if (!P) {
        free(M);
        return SB_ENOMEM;
    }
    for (size_t a = 0; a < c; a++)
        for (size_t j = 0; j < d; j++)
            M[a * d + j] = means[a * d + j] - mu[j];
    if ((rc = sb_xfer_project_centered(ctx, M, c, P, err))) {
        free(M);
        free(P);
        return rc;
    }
    for (size_t a = 0; a < c; a++)
        for (size_t j = 0; j < d; j++)
            P[a * d + j] = (double)cnt[a] * P[a * d + j] * P[a * d + j];
    free(M);
    *Q = P;
    return 0;
}

/* Σ_{c,j: |ℓ_j| > 1e-15·max|ℓ|} Q[c,j]/ℓ_j: numpy's pinv(rcond=1e-15) of a symmetric matrix
 * with eigenvalues ℓ (its singular values are |ℓ|). */
static inline double sb_hscore_pinv_trace(const double *Q, const double *ell, size_t c, size_t d)
{
    double mx = 0.0;
    for (size_t j = 0; j < d; j++)
        if (fabs(ell[j]) > mx)
            mx = fabs(ell[j]);
    double s = 0.0;
    for (size_t j = 0; j < d; j++) {
        if (!(fabs(ell[j]) > 1e-15 * mx))
            continue;
        double q = 0.0;
        for (size_t a = 0; a < c; a++)
            q += Q[a * d + j];
        s += q / ell[j];
    }
    return s;
}

#endif
