/* tmi.c — TMI (Xu & Kang, snudatalab): intra-class feature entropy from 3rd-nearest-neighbour
 * Chebyshev distances (specs/scorers4.md). STUB: to be implemented. */
#include "tasks/transfer/scorer_common.h"

static int tmi_parts(sb_xfer_ctx *ctx, const sb_scorer_params *p, sb_scorer_parts *out, sb_err *err)
{
    (void)ctx; (void)p; (void)err;
    for (size_t i = 0; i < SB_SCORER_MAX_PARTS; i++)
        out->v[i] = NAN;
    snprintf(out->reason, sizeof out->reason, "not implemented yet");
    return 0;
}

static double tmi_value(const sb_scorer_params *p, const double *v)
{
    (void)p;
    return v[0];
}

static double tmi_cost(const sb_pair_size *sz, const sb_scorer_params *p)
{
    (void)p;
    return sz->d * sz->sum_nc2;
}

const sb_scorer sb_scorer_tmi = {
    .name = "tmi",
    .summary = "TMI: class-weighted intra-class entropy (3rd-neighbour Chebyshev distances)",
    .needs = SB_NEEDS_FEATURES,
    .components = (const char *const[]){"tmi", "classes_kept", "classes_dropped", NULL},
    .parts = tmi_parts,
    .value_of = tmi_value,
    .cost = tmi_cost,
};
