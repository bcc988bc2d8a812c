/* leep.c — LEEP (Nguyen et al., ICML 2020): log expected empirical prediction of the target
 * label through the source model's softmax, P(y|z) estimated from the joint J[c,z]. */
#include <stdlib.h>

#include "tasks/transfer/scorer_common.h"

int sb_leep_of(const double *P, size_t n, size_t k, const int *y, size_t c, double *value, char *reason,
               size_t cap, sb_err *err)
{
    double *J = sb_calloc(c * k, sizeof *J, "LEEP joint", err);
    double *col = J ? sb_calloc(k, sizeof *col, "LEEP marginal", err) : NULL;
    if (!col) {
        free(J);
        return SB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        double *r = J + (size_t)y[i] * k;
        const double *p = P + i * k;
        for (size_t z = 0; z < k; z++)
            r[z] += p[z] / (double)n;
    }
    for (size_t a = 0; a < c; a++)
        for (size_t z = 0; z < k; z++)
            col[z] += J[a * k + z];
    /* J becomes P(y|z); a source class z that no sample gives mass contributes P[i,z] = 0 to
     * every sum, so it is skipped instead of propagating 0/0. */
    for (size_t a = 0; a < c; a++)
        for (size_t z = 0; z < k; z++)
            J[a * k + z] = col[z] > 0 ? J[a * k + z] / col[z] : 0.0;
    double s = 0.0;
    size_t bad = n;
    for (size_t i = 0; i < n && bad == n; i++) {
        const double *p = P + i * k, *q = J + (size_t)y[i] * k;
        double e = 0.0;
        for (size_t z = 0; z < k; z++)
            e += p[z] * q[z];
        if (!(e > 0))
            bad = i;
        else
            s += log(e);
    }
    free(J);
    free(col);
    if (bad < n)
        return sb_scorer_undefined(value, reason, cap, "sample %zu has zero expected empirical prediction", bad);
    *value = s / (double)n;
    return 0;
}

static int leep_score(sb_xfer_ctx *ctx, double *value, char *reason, size_t cap, sb_err *err)
{
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    SB_SCORER_NEED_TWO_CLASSES(ctx, value, reason, cap);
    if (!in->probs)
        return sb_fail(err, SB_EINPUT, "leep: the unit has no source probabilities");
    return sb_leep_of(in->probs, in->n, in->cs, in->y, (size_t)in->c, value, reason, cap, err);
}

const sb_scorer sb_scorer_leep = {
    .name = "leep",
    .summary = "LEEP: mean log expected empirical prediction through the source softmax",
    .needs = SB_NEEDS_PROBS,
    .score = leep_score,
};
