/* pactran.c — PACTran-Gaussian (Ding et al., ECCV 2022) from a zero start, its optimiser a
 * replay of scipy 1.10's L-BFGS-B (specs/scorers4.md). STUB: to be implemented. */
#include "tasks/transfer/scorer_common.h"

static int pactran_parts(sb_xfer_ctx *ctx, const sb_scorer_params *p, sb_scorer_parts *out, sb_err *err)
{
    (void)ctx; (void)p; (void)err;
    for (size_t i = 0; i < SB_SCORER_MAX_PARTS; i++)
        out->v[i] = NAN;
    snprintf(out->reason, sizeof out->reason, "not implemented yet");
    return 0;
}

/* Benchmark sign: higher is better. */
static double pactran_value(const sb_scorer_params *p, const double *v)
{
    (void)p;
    return -v[1];
}

static double pactran_cost(const sb_pair_size *sz, const sb_scorer_params *p)
{
    return 2.0 * ((double)p->pactran_maxiter + 2.0) * sz->n * sz->d * sz->c;
}

const sb_scorer sb_scorer_pactran = {
    .name = "pactran",
    .summary = "PACTran-Gaussian: PAC-Bayes bound of a softmax probe (L-BFGS-B as scipy 1.10), negated",
    .needs = SB_NEEDS_FEATURES,
    .components = (const char *const[]){"pac_opt", "pac_gauss", "sigma2_inv", "nit", "nfev", NULL},
    .parts = pactran_parts,
    .value_of = pactran_value,
    .cost = pactran_cost,
};
