/* nce.c — NCE (Tran et al., ICCV 2019): negative conditional entropy of the target label given
 * the source model's hard prediction (first maximum on ties). */
#include <stdlib.h>

#include "tasks/transfer/scorer_common.h"

static int nce_score(sb_xfer_ctx *ctx, double *value, char *reason, size_t cap, sb_err *err)
{
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    SB_SCORER_NEED_TWO_CLASSES(ctx, value, reason, cap);
    if (!in->probs)
        return sb_fail(err, SB_EINPUT, "nce: the unit has no source probabilities");
    size_t n = in->n, cs = in->cs, c = (size_t)in->c;
    size_t *J = sb_calloc(c * cs, sizeof *J, "nce joint counts", err);
    size_t *pz = J ? sb_calloc(cs, sizeof *pz, "nce source counts", err) : NULL;
    if (!pz) {
        free(J);
        return SB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const double *p = in->probs + i * cs;
        size_t z = 0;
        for (size_t k = 1; k < cs; k++)
            if (p[k] > p[z])
                z = k;
        J[(size_t)in->y[i] * cs + z]++;
        pz[z]++;
    }
    /* As the reference: q = J/p(z) + 1e-20 for every class, including empty cells. */
    double h = 0.0;
    for (size_t z = 0; z < cs; z++) {
        if (!pz[z])
            continue;
        double p = (double)pz[z] / (double)n, e = 0.0;
        for (size_t a = 0; a < c; a++) {
            double q = ((double)J[a * cs + z] / (double)n) / p + 1e-20;
            e += q * log(q);
        }
        h += p * e;
    }
    free(J);
    free(pz);
    *value = h;
    return 0;
}

const sb_scorer sb_scorer_nce = {
    .name = "nce",
    .summary = "NCE: negative conditional entropy H(y|z) of target labels given source hard labels",
    .needs = SB_NEEDS_PROBS,
    .score = nce_score,
};
