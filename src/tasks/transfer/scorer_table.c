/* scorer_table.c — the one registry of transferability scorers.
 *
 * Order matters only for speed when a unit runs them in table order: the shared statistics
 * are computed by whichever scorer needs them first and reused by the rest. */
#include <string.h>

#include "tasks/transfer/scorer.h"

extern const sb_scorer sb_scorer_logme, sb_scorer_leep, sb_scorer_nce, sb_scorer_hscore, sb_scorer_hscore_reg,
    sb_scorer_gbc, sb_scorer_transrate, sb_scorer_parc, sb_scorer_knn;
/* xferB's scorers: */
extern const sb_scorer sb_scorer_sfda, sb_scorer_nleep;

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
};

const size_t sb_n_scorers = sizeof sb_scorers / sizeof sb_scorers[0];

const sb_scorer *sb_scorer_find(const char *name)
{
    for (size_t i = 0; name && i < sb_n_scorers; i++)
        if (strcmp(sb_scorers[i]->name, name) == 0)
            return sb_scorers[i];
    return NULL;
}
