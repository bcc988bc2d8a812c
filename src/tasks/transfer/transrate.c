/* transrate.c — TransRate as tllib computes it (Huang et al., ICML 2022, simplified form):
 * R(Z) − (1/C) Σ_c R(Z_c), R(A) = ½ logdet(I + AᵀA/(n ε)), Z the centred features, Z_c its
 * rows of class c (not re-centred), ε = SB_XFER_CODING_EPS. R(Z) comes from the eigenvalues
 * of the centred Gram; the R(Z_c) from the per-class Choleskys of the shared Gram pass. */
#include "tasks/transfer/scorer_common.h"

static int transrate_score(sb_xfer_ctx *ctx, double *value, char *reason, size_t cap, sb_err *err)
{
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    SB_SCORER_NEED_TWO_CLASSES(ctx, value, reason, cap);
    const double *ld, *w;
    int rc = sb_xfer_class_coding_logdets(ctx, &ld, err);
    if (rc || (rc = sb_xfer_eigvals_centered(ctx, &w, err)))
        return rc;
    double s = (double)in->n * SB_XFER_CODING_EPS, rz = 0.0, rc_sum = 0.0;
    for (size_t j = 0; j < in->d; j++)
        rz += log1p(w[j] / s);
    for (int a = 0; a < in->c; a++)
        rc_sum += 0.5 * ld[a];
    *value = 0.5 * rz - rc_sum / (double)in->c;
    return 0;
}

const sb_scorer sb_scorer_transrate = {
    .name = "transrate",
    .summary = "TransRate (tllib): coding rate of F minus mean class coding rate, eps 1e-4",
    .needs = SB_NEEDS_FEATURES,
    .score = transrate_score,
};
