/* grouped_tau.h — Kendall τ aggregated over datasets, comparing only models of the same dataset.
 *
 * This is `grouped_weighted_kendall_tau` of the "Back to the Basics on Predicting Transfer
 * Performance" benchmark (VirtualSpaceman/tmlr-transferability-benchmark, analysis/utils.py),
 * which fills the `dataset=ALL` rows of the leaderboard. Within each group, r_x is the position
 * of a row in decreasing lexicographic order of (x, y) and r_y of (y, x), 0 = largest; rows
 * equal in both get the smaller rank for the later input index (numpy's reversed stable
 * lexsort). A pair (i, j) of the same group weighs w = h(r_x,i) + h(r_x,j) + h(r_y,i) + h(r_y,j).
 * Summed over all groups: C concordant, D discordant, T_x tied in x, T_y tied in y, W all;
 * τ = (C − D)/√((W − T_x)(W − T_y)). Groups are visited in increasing id and pairs in input
 * order, as the reference does, so sums agree to the last bits.
 * O(Σ_g n_g²): datasets hold at most a few hundred models. */
#ifndef SB_GROUPED_TAU_H
#define SB_GROUPED_TAU_H

#include <stddef.h>

#include "core/err.h"

typedef enum sb_tau_weigher {
    SB_TAU_PLAIN = 0,     /* h ≡ 1: the grouped Kendall τ-b */
    SB_TAU_HYPERBOLIC = 1 /* h(r) = 1/(1 + r): the grouped weighted τ */
} sb_tau_weigher;

typedef struct sb_grouped_tau_sums {
    double concordant, discordant, tie_x, tie_y, all;
} sb_grouped_tau_sums;

/* Sums over all groups of rows (x[i], y[i], group[i]), i < n; group ids are any ints, rows in
 * any order. SB_EINPUT on NaN/Inf (names the vector and row), SB_ENOMEM. */
int sb_grouped_tau_sums_compute(const double *x, const double *y, const int *group, size_t n,
                                sb_tau_weigher weigher, sb_grouped_tau_sums *sums, sb_err *err);

/* τ from the sums; NaN with *reason (reason may be NULL) when W − T_x or W − T_y is 0 (no
 * pair, or x or y tied within every group). Pure reference semantics: the benchmark's rule
 * for a constant scorer lives in scorer_eval.h. */
double sb_grouped_tau_from_sums(const sb_grouped_tau_sums *sums, const char **reason);

/* Both steps. */
int sb_grouped_tau(const double *x, const double *y, const int *group, size_t n,
                   sb_tau_weigher weigher, double *tau, const char **reason, sb_err *err);

#endif
