/* leep.c — LEEP (Nguyen et al., ICML 2020): log expected empirical prediction of the target
 * label through the source model's softmax, P(y|z) estimated from the joint J[c,z]. */
#include <stdlib.h>

#include "tasks/transfer/scorer_common.h"

static int leep_score(sb_xfer_ctx *ctx, double *value, char *reason, size_t cap, sb_err *err)
{
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    SB_SCORER_NEED_TWO_CLASSES(ctx, value, reason, cap);
    if (!in->probs)
        return sb_fail(err, SB_EINPUT, "leep: the unit has no source probabilities");
    size_t n = in->n, cs = in->cs, c = (size_t)in->c;
    double *J = sb_calloc(c * cs, sizeof *J, "leep joint", err);
    double *col = J ? sb_calloc(cs, sizeof *col, "leep marginal", err) : NULL;
    if (!col) {
        free(J);
        return SB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        double *r = J + (size_t)in->y[i] * cs;
        const double *p = in->probs + i * cs;
        for (size_t z = 0; z < cs; z++)
            r[z] += p[z] / (double)n;
    }
    for (size_t a = 0; a < c; a++)
        for (size_t z = 0; z < cs; z++)
            col[z] += J[a * cs + z];
    /* J becomes P(y|z); a source class z that no sample gives mass contributes P[i,z] = 0 to
     * every sum, so it is skipped instead of propagating 0/0. */
    for (size_t a = 0; a < c; a++)
        for (size_t z = 0; z < cs; z++)
            J[a * cs + z] = col[z] > 0 ? J[a * cs + z] / col[z] : 0.0;
    double s = 0.0;
    size_t bad = n;
    for (size_t i = 0; i < n; i++) {
        const double *p = in->probs + i * cs, *q = J + (size_t)in->y[i] * cs;
        double e = 0.0;
        for (size_t z = 0; z < cs; z++)
            e += p[z] * q[z];
        if (!(e > 0) && bad == n)
            bad = i;
        s += log(e);
    }
    free(J);
    free(col);
    if (bad < n)
        return sb_scorer_undefined(value, reason, cap, "sample %zu has zero expected empirical prediction", bad);
    *value = s / (double)n;
    return 0;
}

const sb_scorer sb_scorer_leep = {
    .name = "leep",
    .summary = "LEEP: mean log expected empirical prediction through the source softmax",
    .needs = SB_NEEDS_PROBS,
    .score = leep_score,
};
