/* scorer_table.c — the one registry of transferability scorers.
 *
 * Order matters only for speed when a unit runs them in table order: the shared statistics
 * are computed by whichever scorer needs them first and reused by the rest. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tasks/transfer/scorer.h"

extern const sb_scorer sb_scorer_logme, sb_scorer_leep, sb_scorer_nce, sb_scorer_hscore, sb_scorer_hscore_reg,
    sb_scorer_gbc, sb_scorer_transrate, sb_scorer_parc, sb_scorer_knn;
/* xferB's scorers: */
extern const sb_scorer sb_scorer_sfda, sb_scorer_nleep;
/* the last four of "Back to the Basics" (specs/scorers4.md): */
extern const sb_scorer sb_scorer_ncti, sb_scorer_etran, sb_scorer_pactran, sb_scorer_tmi;

const sb_scorer *const sb_scorers[] = {
    &sb_scorer_logme,
    &sb_scorer_leep,
    &sb_scorer_nce,
    &sb_scorer_hscore,
    &sb_scorer_hscore_reg,
    &sb_scorer_gbc,
    &sb_scorer_transrate,
    &sb_scorer_parc,
    &sb_scorer_knn,
    /* ---- xferB: sfda and nleep go here ---- */
    &sb_scorer_sfda,
    &sb_scorer_nleep,
    /* ---- end xferB ---- */
    &sb_scorer_ncti,
    &sb_scorer_etran,
    &sb_scorer_pactran,
    &sb_scorer_tmi,
};

const size_t sb_n_scorers = sizeof sb_scorers / sizeof sb_scorers[0];

const sb_scorer *sb_scorer_find(const char *name)
{
    for (size_t i = 0; name && i < sb_n_scorers; i++)
        if (strcmp(sb_scorers[i]->name, name) == 0)
            return sb_scorers[i];
    return NULL;
}

/* The benchmark's settings: ETran 1,1 (the [0, 2] range of "Back to the Basics"), PACTran's
 * official maxiter 100, lambda 1 and the reference's first s2 factor 100·lambda. */
const sb_scorer_params sb_scorer_params_default = {{1.0, 1.0}, 100, 1.0, 100.0};

size_t sb_scorer_n_parts(const sb_scorer *s)
{
    size_t k = 0;
    while (s->components && s->components[k])
        k++;
    return k;
}

int sb_scorer_run(const sb_scorer *s, sb_xfer_ctx *ctx, const sb_scorer_params *p, double *value,
                  sb_scorer_parts *out, sb_err *err)
{
    *value = NAN;
    out->reason[0] = '\0';
    for (size_t i = 0; i < SB_SCORER_MAX_PARTS; i++)
        out->v[i] = NAN;
    if (s->score)
        return s->score(ctx, value, out->reason, sizeof out->reason, err);
    if (sb_xfer_input_of(ctx)->c < 2) {
        snprintf(out->reason, sizeof out->reason, "only one class: nothing to discriminate");
        return 0;
    }
    int rc = s->parts(ctx, p, out, err);
    if (!rc && s->value_of)
        *value = s->value_of(p, out->v);
    return rc;
}
