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

/* The task options some scorers read (transfer's --etran-* and --pactran-*; specs/scorers4.md). */
typedef struct sb_scorer_params {
    double etran_w[2];      /* --etran-weights w_E,w_L: both >= 0, sum > 0 */
    long pactran_maxiter;   /* --pactran-maxiter, >= 1 */
    double pactran_lambda;  /* --pactran-lambda, > 0 */
    double pactran_s2;      /* --pactran-s2, > 0 (default 100·lambda) */
} sb_scorer_params;
extern const sb_scorer_params sb_scorer_params_default;

/* A pair's raw components, in the order of the scorer's .components. NaN = undefined for this
 * input; reason then says why (one reason for all of a pair's undefined components). */
#define SB_SCORER_MAX_PARTS 8
typedef struct sb_scorer_parts {
    double v[SB_SCORER_MAX_PARTS];
    char reason[256];
} sb_scorer_parts;

/* What a pair's size costs a scorer beyond the N·D² every feature scorer shares. */
typedef struct sb_pair_size {
    double n, d, c, sum_nc2; /* sum_nc2 = Σ_c n_c² (0 when the labels could not be read) */
} sb_pair_size;

typedef struct sb_scorer {
    const char *name; const char *summary;
    unsigned needs;   /* SB_NEEDS_FEATURES | SB_NEEDS_PROBS */
    /* One value per pair. value NaN + reason filled = mathematically undefined for valid
     * input (written as empty field + reason); return SB_E* only for real errors.
     * NULL for scorers with components (below). */
    int (*score)(sb_xfer_ctx *ctx, double *value, char *reason, size_t reason_cap, sb_err *err);

    /* Scorers with raw components (components.csv): names, NULL-terminated, at most
     * SB_SCORER_MAX_PARTS; parts() fills them for one pair (every entry set, NaN or not). */
    const char *const *components;
    int (*parts)(sb_xfer_ctx *ctx, const sb_scorer_params *p, sb_scorer_parts *out, sb_err *err);
    /* Either the pair's value from its own components (NaN = undefined: the parts' reason) ... */
    double (*value_of)(const sb_scorer_params *p, const double *v);
    /* ... or a cross-model combination made at finish over each dataset's models:
     * value = Σ_j w_j·minmax(v_j) over the components with w_j != 0 (specs/scorers4.md). */
    void (*combine_weights)(const sb_scorer_params *p, double *w);
    /* Extra cost units of one pair (NULL: none). */
    double (*cost)(const sb_pair_size *sz, const sb_scorer_params *p);
} sb_scorer;

/* Number of components of s (0 for a one-value scorer). */
size_t sb_scorer_n_parts(const sb_scorer *s);

/* Runs s on one pair, whatever its kind: *value (NaN + out->reason when undefined; NaN for a
 * combined scorer, whose value is made at finish) and out->v[0 .. sb_scorer_n_parts(s)).
 * A one-class pair is undefined for every scorer (reason "only one class: ..."). */
int sb_scorer_run(const sb_scorer *s, sb_xfer_ctx *ctx, const sb_scorer_params *p, double *value,
                  sb_scorer_parts *out, sb_err *err);

extern const sb_scorer *const sb_scorers[];
extern const size_t sb_n_scorers;

/* The scorer called name, or NULL. */
const sb_scorer *sb_scorer_find(const char *name);

#endif
