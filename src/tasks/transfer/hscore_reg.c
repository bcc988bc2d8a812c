/* hscore_reg.c — shrinkage H-score (Ibrahim et al. 2022): tr(pinv(Σ_LW)·(1−α)·Σ_g) with the
 * Ledoit–Wolf covariance of sklearn (1/N empirical covariance S, target tr(S)/D·I, shrinkage
 * α as sklearn's ledoit_wolf_shrinkage) and Σ_g with 1/(N−1), mixed as the reference mixes
 * them. Σ_LW shares the eigenvectors of the centred Gram, so no new decomposition. */
#include "tasks/transfer/hscore_common.h"

/* sklearn's ledoit_wolf_shrinkage from the centred Gram G = XᵀX and Σ_i ‖x_i‖⁴. */
static double lw_shrinkage(const double *G, size_t n, size_t d, double row4, double *mu_out)
{
    double N = (double)n, tr = 0.0, fro = 0.0;
    for (size_t j = 0; j < d; j++)
        tr += G[j * d + j] / N;
    for (size_t i = 0; i < d * d; i++)
        fro += G[i] * G[i];
    double mu = tr / (double)d;
    *mu_out = mu;
    if (d == 1)
        return 0.0;
    double delta_ = fro / (N * N);
    double beta = 1.0 / ((double)d * N) * (row4 / N - delta_);
    double delta = (delta_ - 2.0 * mu * tr + (double)d * mu * mu) / (double)d;
    if (delta < beta)
        beta = delta;
    return beta == 0.0 ? 0.0 : beta / delta;
}

static int hscore_reg_score(sb_xfer_ctx *ctx, double *value, char *reason, size_t cap, sb_err *err)
{
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    SB_SCORER_NEED_TWO_CLASSES(ctx, value, reason, cap);
    size_t n = in->n, d = in->d;
    const double *G, *w;
    int rc = sb_xfer_gram_centered(ctx, &G, err);
    if (rc || (rc = sb_xfer_eigvals_centered(ctx, &w, err)))
        return rc;
    double row4; /* Σ_i ‖x_i − μ‖⁴, from the Gram pass (no further read of F) */
    if ((rc = sb_xfer_centered_row4(ctx, &row4, err)))
        return rc;
    double mu, alpha = lw_shrinkage(G, n, d, row4, &mu);
    if (mu == 0.0)
        return sb_scorer_undefined(value, reason, cap, "features are constant: covariance is zero");
    double *ell = sb_malloc(d * sizeof *ell, "shrunk covariance eigenvalues", err);
    if (!ell)
        return SB_ENOMEM;
    /* Σ_LW = (1−α)·G/N + α·μ·I; Σ_g = Σ_c n_c m̃_c m̃_cᵀ/(N−1). */
    for (size_t j = 0; j < d; j++)
        ell[j] = (1.0 - alpha) * (w[j] / (double)n) + alpha * mu;
    double *Q;
    if ((rc = sb_hscore_between(ctx, &Q, err))) {
        free(ell);
        return rc;
    }
    *value = (1.0 - alpha) * sb_hscore_pinv_trace(Q, ell, (size_t)in->c, d) / ((double)n - 1.0);
    free(Q);
    free(ell);
    return 0;
}

const sb_scorer sb_scorer_hscore_reg = {
    .name = "hscore_reg",
    .summary = "shrinkage H-score: tr(pinv(Ledoit-Wolf cov F) (1-alpha) cov E[F|y])",
    .needs = SB_NEEDS_FEATURES,
    .score = hscore_reg_score,
};
