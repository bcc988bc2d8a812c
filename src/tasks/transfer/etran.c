/* etran.c — ETran (Gholami et al., ICCV 2023) without its SVD term: energy and LDA
 * components per pair, combined across a dataset's models at finish (specs/scorers4.md).
 * STUB: to be implemented. */
#include "tasks/transfer/scorer_common.h"

static int etran_parts(sb_xfer_ctx *ctx, const sb_scorer_params *p, sb_scorer_parts *out, sb_err *err)
{
    (void)ctx; (void)p; (void)err;
    for (size_t i = 0; i < SB_SCORER_MAX_PARTS; i++)
        out->v[i] = NAN;
    snprintf(out->reason, sizeof out->reason, "not implemented yet");
    return 0;
}

static void etran_weights(const sb_scorer_params *p, double *w)
{
    w[0] = p->etran_w[0]; /* energy */
    w[1] = p->etran_w[1]; /* lda */
}

static double etran_cost(const sb_pair_size *sz, const sb_scorer_params *p)
{
    (void)p;
    return sz->n * sz->c * sz->d;
}

const sb_scorer sb_scorer_etran = {
    .name = "etran",
    .summary = "ETran: energy + LDA, min-max combined per dataset (--etran-weights)",
    .needs = SB_NEEDS_FEATURES,
    .components = (const char *const[]){"energy", "lda", NULL},
    .parts = etran_parts,
    .combine_weights = etran_weights,
    .cost = etran_cost,
};
