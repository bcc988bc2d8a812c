/* explain_stats.h — the estimates of one (concept, class) target from its paired edits
 * (specs/explain.md "Estimates per target"): CaCE with t and bootstrap intervals, P̂NS with
 * its Wilson interval, its reverse and the Tian–Pearl bounds, the exact sign test, acceptance.
 *
 * Pure arithmetic on arrays in pair order: no files, no ranks. An empty field is NaN and the
 * reasons for it are bits of `reasons`. */
#ifndef SB_EXPLAIN_STATS_H
#define SB_EXPLAIN_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct sb_explain_opts {
    double level;         /* ℓ of every interval, in (0, 1) */
    long bootstrap;       /* B resamples; 0 = off */
    uint64_t seed;        /* bootstrap generator seed (stream j·K + k) */
    double accept_cace;   /* τ_c, in f-space units */
    double accept_pns;    /* τ_p */
    double accept_sign_p; /* p_max */
    int accept_boot;      /* 1: acceptance uses the bootstrap interval (needs B > 0) */
} sb_explain_opts;

enum {
    SB_EX_NO_PAIR = 1u,      /* M = 0 */
    SB_EX_ONE_PAIR = 2u,     /* M = 1: no sd, t interval, acceptance */
    SB_EX_NO_ADD = 4u,       /* no pair adds the concept: cace_add empty */
    SB_EX_NO_REMOVE = 8u,    /* no pair removes it: cace_remove empty */
    SB_EX_ALL_ZERO = 16u     /* every Δ is 0: no sign test */
};

typedef struct sb_explain_est {
    int64_t n_pairs, n_add, n_remove, sign_n_pos, sign_n_neg;
    double cace, cace_sd, ci_lo, ci_hi, boot_lo, boot_hi, cace_add, cace_remove;
    double p_plus, p_minus, pns, pns_ci_lo, pns_ci_hi, pns_rev, pns_lb, pns_ub, sign_p;
    int accepted; /* 1, 0, or −1 = empty */
    unsigned reasons;
} sb_explain_est;

/* One target's pairs, in pair order: f⁺, f⁻ (the compared output with and without the
 * concept), d⁺, d⁻ (the decisions D_k, 0/1) and dir (+1 the edit added the concept, −1 it
 * removed it). sign = the claimed direction s (±1); stream = j·K + k. SB_ENOMEM only. */
typedef struct sb_explain_pairs {
    size_t m;
    const double *fplus, *fminus;
    const unsigned char *dplus, *dminus;
    const signed char *dir;
} sb_explain_pairs;

int sb_explain_estimate(const sb_explain_pairs *p, int sign, uint64_t stream, const sb_explain_opts *o,
                        sb_explain_est *e, sb_err *err);

/* The reasons as text, "; "-separated, into out ("" if none). */
void sb_explain_reason_text(unsigned reasons, char *out, size_t cap);

#endif
