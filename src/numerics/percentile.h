/* percentile.h — percentiles with linear interpolation, as numpy.percentile's default
 * method ('linear', Hyndman & Fan type 7) in numpy 1.24.
 *
 * For sorted v of length n and q in [0, 100]: h = (n−1)·(q/100), lo = ⌊h⌋, g = h − lo;
 * result = v[lo] + (v[lo+1] − v[lo])·g, computed as numpy's _lerp does (from the upper end,
 * v[lo+1] − (v[lo+1] − v[lo])·(1 − g), when g ≥ 0.5), so it agrees to the last bit. */
#ifndef SB_PERCENTILE_H
#define SB_PERCENTILE_H

#include <stddef.h>

#include "core/err.h"

/* q-th percentile of v[0..n) (v is not modified). SB_EINPUT if n == 0, q outside [0, 100]
 * or NaN, or v holds NaN/Inf (names the index); SB_ENOMEM. */
int sb_percentile(const double *v, size_t n, double q, double *out, sb_err *err);

/* Same, on an already ascending-sorted array, without allocating. Same checks on q and n. */
int sb_percentile_sorted(const double *sorted, size_t n, double q, double *out, sb_err *err);

/* The q-quantile (q in [0, 1]) of an ascending-sorted array at position (n−1)·q, as
 * numpy.quantile's default: the same interpolation, without the division by 100 that could
 * move the position by an ulp. Same checks. */
int sb_quantile_sorted(const double *sorted, size_t n, double q, double *out, sb_err *err);

#endif
