/* ncti.c — NCTI (Wang et al., CVPR 2023), raw components a, b, c per pair; the value is
 * combined across a dataset's models at finish (specs/scorers4.md). STUB: to be implemented. */
#include "tasks/transfer/scorer_common.h"

static int ncti_parts(sb_xfer_ctx *ctx, const sb_scorer_params *p, sb_scorer_parts *out, sb_err *err)
{
    (void)ctx; (void)p; (void)err;
    for (size_t i = 0; i < SB_SCORER_MAX_PARTS; i++)
        out->v[i] = NAN;
    snprintf(out->reason, sizeof out->reason, "not implemented yet");
    return 0;
}

static void ncti_weights(const sb_scorer_params *p, double *w)
{
    (void)p;
    w[0] = 1.0;  /* a: nuclear norm of the centred LDA projection */
    w[1] = 1.0;  /* b: mean posterior of the true class */
    w[2] = -1.0; /* c: log of the summed per-class nuclear norms */
    w[3] = w[4] = 0.0;
}

const sb_scorer sb_scorer_ncti = {
    .name = "ncti",
    .summary = "NCTI: neural collapse (LDA projection, posteriors, class nuclear norms), min-max combined per dataset",
    .needs = SB_NEEDS_FEATURES,
    .components = (const char *const[]){"a", "b", "c", "var32", "eigen_branch", NULL},
    .parts = ncti_parts,
    .combine_weights = ncti_weights,
};
