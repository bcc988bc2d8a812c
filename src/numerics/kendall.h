/* kendall.h — Kendall's τ-b between two vectors, as scipy.stats.kendalltau (variant 'b').
 *
 * τ_b = (n_c − n_d) / √((n₀ − n₁)(n₀ − n₂)), n₀ = n(n−1)/2 pairs, n₁ pairs tied in x, n₂ pairs
 * tied in y; a pair tied in both counts in n₁ and n₂. The pair counts are exact integers (one
 * sort and a merge-sort inversion count, O(n log n)), and the final division is done in the
 * same order as scipy's, so the result is bit-identical to scipy 1.10 on the same doubles.
 * Clipped to [−1, 1] like scipy. */
#ifndef SB_KENDALL_H
#define SB_KENDALL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* The exact pair counts behind τ-b. */
typedef struct sb_kendall_counts {
    int64_t pairs;      /* n(n−1)/2 */
    int64_t discordant; /* strictly discordant pairs */
    int64_t tie_x;      /* pairs tied in x (including joint ties) */
    int64_t tie_y;      /* pairs tied in y (including joint ties) */
    int64_t tie_xy;     /* pairs tied in both */
} sb_kendall_counts;

/* Counts the pairs of (x, y), n ≥ 0. counts may not be NULL. SB_EINPUT if x or y holds NaN
 * or ±Inf (the message names the vector and the first bad index); SB_ENOMEM. */
int sb_kendall_count(const double *x, const double *y, size_t n, sb_kendall_counts *counts,
                     sb_err *err);

/* τ-b of (x, y). *tau is NaN when it is undefined — n < 2 or x or y constant — and then
 * *reason (if not NULL) points to a static one-line explanation; otherwise *reason = NULL.
 * Errors as sb_kendall_count. */
int sb_kendall_tau(const double *x, const double *y, size_t n, double *tau, const char **reason,
                   sb_err *err);

#endif
