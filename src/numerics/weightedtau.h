/* weightedtau.h — Vigna's weighted Kendall τ, as scipy.stats.weightedtau with its defaults.
 *
 * Defaults of scipy 1.10: hyperbolic weigher h(r) = 1/(r+1), additive weights (a pair weighs
 * h(r_i) + h(r_j)), rank=True: the result is the mean of two weighted τ, one where the rank r
 * is the position in decreasing lexicographic order of (x, y) and one of (y, x), 0 = largest.
 * Among elements equal in both coordinates the later input index gets the smaller rank (the
 * reversed stable sort that scipy uses), so duplicated rows weigh exactly as in scipy.
 *
 * The algorithm is scipy's O(n log n) one (`_weightedrankedtau` in scipy/stats/_stats.pyx):
 * tie weights from runs in the (x, y)-sorted order, discordance weight from a merge sort on y,
 * with the same summation order, so results agree with scipy to the last bits. */
#ifndef SB_WEIGHTEDTAU_H
#define SB_WEIGHTEDTAU_H

#include <stddef.h>

#include "core/err.h"

/* One direction: weighted τ with ranks taken from the decreasing lexicographic order of
 * (x, y). NaN (with *reason) when n < 2 or x or y is constant. SB_EINPUT on NaN/Inf input
 * (names the vector and index), SB_ENOMEM. reason may be NULL. */
int sb_weighted_tau_ranked(const double *x, const double *y, size_t n, double *tau,
                           const char **reason, sb_err *err);

/* scipy.stats.weightedtau(x, y) with defaults: the mean of the two directions. */
int sb_weighted_tau(const double *x, const double *y, size_t n, double *tau, const char **reason,
                    sb_err *err);

#endif
