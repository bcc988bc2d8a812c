/* scorer_common.h — small helpers shared by the scorer files (internal to tasks/transfer). */
#ifndef SB_SCORER_COMMON_H
#define SB_SCORER_COMMON_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "tasks/transfer/scorer.h"

/* Marks the score undefined for this (valid) input: value NaN, reason filled; returns 0. */
static inline int sb_scorer_undefined(double *value, char *reason, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline int sb_scorer_undefined(double *value, char *reason, size_t cap, const char *fmt, ...)
{
    *value = NAN;
    if (reason && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(reason, cap, fmt, ap);
        va_end(ap);
    }
    return 0;
}

/* Every scorer is undefined for a one-class task (nothing to discriminate). */
#define SB_SCORER_NEED_TWO_CLASSES(ctx, value, reason, cap)                                              \
    do {                                                                                              \
        if (sb_xfer_input_of(ctx)->c < 2)                                                             \
            return sb_scorer_undefined(value, reason, cap, "only one class: nothing to discriminate"); \
    } while (0)

/* LEEP of soft assignments P (n×k rows summing to 1) to labels y in 0..c−1: the mean log of
 * Σ_z P[i,z]·P(y_i|z) with P(y|z) from the joint. Undefined (NaN + reason) when a sample's
 * expectation is 0. Shared by leep (source softmax) and nleep (mixture posteriors). */
int sb_leep_of(const double *P, size_t n, size_t k, const int *y, size_t c, double *value, char *reason,
               size_t cap, sb_err *err);

#endif
