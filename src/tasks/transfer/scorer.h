/* scorer.h — the registry of transferability scorers.
 *
 * Each scorer is one file ending in `const sb_scorer sb_scorer_<name> = {...}` and one line
 * in scorer_table.c. A scorer reads the unit's shared statistics from the sb_xfer_ctx and
 * never recomputes one the context offers. */
#ifndef SB_SCORER_H
#define SB_SCORER_H

#include <stddef.h>

#include "core/err.h"
#include "tasks/transfer/xfer_ctx.h"

enum {
    SB_NEEDS_FEATURES = 1u << 0,  /* F and y */
    SB_NEEDS_PROBS = 1u << 1      /* source softmax P and y */
};

typedef struct sb_scorer {
    const char *name; const char *summary;
    unsigned needs;   /* SB_NEEDS_FEATURES | SB_NEEDS_PROBS */
    int (*score)(sb_xfer_ctx *ctx, double *value, char *reason, size_t reason_cap, sb_err *err);
    /* value NaN + reason filled = mathematically undefined for valid input (written as empty
     * field + reason); return SB_E* only for real errors */
} sb_scorer;

extern const sb_scorer *const sb_scorers[];
extern const size_t sb_n_scorers;

/* The scorer called name, or NULL. */
const sb_scorer *sb_scorer_find(const char *name);

#endif
