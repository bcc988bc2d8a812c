/* sc_static.h — static results (specs/splitcomp.md "Static results"): the Pareto front of
 * accuracy against mean bytes and shardbench's area summaries over it. */
#ifndef SB_SC_STATIC_H
#define SB_SC_STATIC_H

#include <stddef.h>

#include "core/err.h"

/* Marks front[i] = 1 for the members among the n configurations idx[0..n) (list order) whose
 * accuracy strictly exceeds every one before them in (mean bytes ascending, accuracy
 * descending, list order). front is indexed like acc and bytes. */
int sc_pareto(const double *acc, const double *bytes, const size_t *idx, size_t n, int *front, sb_err *err);

/* Over front points sorted by x (x = ln bytes): the trapezoid area over the span divided by
 * it. NaN for fewer than two points. */
double sc_auc_log_bytes(const double *x, const double *acc, size_t n);

/* ∫_{lo}^{hi} A(x) dx / (hi − lo) with A = 0 left of x[0], linear between points, acc[n−1]
 * right of x[n−1]; lo < hi are logs of bytes. NaN for n == 0. */
double sc_auc_range(const double *x, const double *acc, size_t n, double lo, double hi);

#endif
