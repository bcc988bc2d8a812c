/* numpy_sum.h — sums in numpy 1.24's order (np.sum of a contiguous run of float64).
 *
 * numpy adds a contiguous reduction in blocks of 8192 elements (its buffer size), each block by
 * pairwise summation (eight running sums below 128 elements, halves above), the blocks one after
 * another. A replay of a reference run needs this where a sum is ill-conditioned, e.g. a softmax
 * denominator 1 + Σ tiny terms, whose rounding decides 1 − q and so the gradient of a
 * well-classified sample. Checked against numpy in tests/reference/pactran_ref.py. */
#ifndef SB_NUMPY_SUM_H
#define SB_NUMPY_SUM_H

#include <stddef.h>

/* Σ a[i], i < n, as np.sum(a). */
double sb_numpy_sum(const double *a, size_t n);

/* Σ a[i]², as np.sum(np.square(a)). */
double sb_numpy_sumsq(const double *a, size_t n);

#endif
