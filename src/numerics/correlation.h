/* correlation.h — Pearson and Spearman correlation and average ranks.
 *
 * Pearson follows scipy.stats.pearsonr (scipy 1.10): means, centred vectors scaled to unit
 * norm, their dot product clipped to [−1, 1]; n = 2 gives sign(Δx)·sign(Δy) exactly as scipy.
 * Spearman is Pearson's r of the average ranks (scipy.stats.spearmanr, ties → mean rank). */
#ifndef SB_CORRELATION_H
#define SB_CORRELATION_H

#include <stddef.h>

#include "core/err.h"

/* Ranks 1..n of v, tied values sharing the mean of their ranks (scipy.stats.rankdata,
 * method='average'). SB_EINPUT on NaN/Inf, SB_ENOMEM. */
int sb_rankdata_average(const double *v, size_t n, double *ranks, sb_err *err);

/* Pearson r. NaN with *reason (reason may be NULL) when n < 2 or x or y is constant.
 * SB_EINPUT on NaN/Inf (names the vector and index), SB_ENOMEM. */
int sb_pearson(const double *x, const double *y, size_t n, double *r, const char **reason,
               sb_err *err);

/* Spearman ρ: Pearson r of the average ranks. Same undefined cases and errors as sb_pearson. */
int sb_spearman(const double *x, const double *y, size_t n, double *rho, const char **reason,
                sb_err *err);

#endif
