/* hscore.c — H-score (Bao et al., ICIP 2019): tr(pinv(Σ_f) Σ_g), Σ_g the covariance of the
 * class-conditional means; both with 1/(N−1), which cancels. pinv as numpy (rcond 1e-15). */
#include "tasks/transfer/hscore_common.h"

static int hscore_score(sb_xfer_ctx *ctx, double *value, char *reason, size_t cap, sb_err *err)
{
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    SB_SCORER_NEED_TWO_CLASSES(ctx, value, reason, cap);
    const double *w;
    double *Q;
    int rc = sb_xfer_eigvals_centered(ctx, &w, err);
    if (rc || (rc = sb_hscore_between(ctx, &Q, err)))
        return rc;
    double mx = 0.0;
    for (size_t j = 0; j < in->d; j++)
        mx = fmax(mx, fabs(w[j]));
    if (mx == 0.0) {
        free(Q);
        return sb_scorer_undefined(value, reason, cap, "features are constant: covariance is zero");
    }
    *value = sb_hscore_pinv_trace(Q, w, (size_t)in->c, in->d);
    free(Q);
    return 0;
}

const sb_scorer sb_scorer_hscore = {
    .name = "hscore",
    .summary = "H-score: tr(pinv(cov F) cov E[F|y])",
    .needs = SB_NEEDS_FEATURES,
    .score = hscore_score,
};
