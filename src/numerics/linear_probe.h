/* linear_probe.h — the cheap ground truth of the transfer task: how well a linear classifier
 * on the frozen features does on held-out samples.
 *
 * Split: stratified and seeded. For each class c (in label order) its rows are shuffled by
 * Fisher–Yates with sb_rng seeded (seed, stream 0); the first round(0.2·n_c) (never a tie)
 * are held out, the rest train. Stratified so that small classes are neither missing from the
 * training set nor over-represented in the test set, and so that the split does not depend on
 * the order of the rows of other classes. A class with 1 or 2 samples has no held-out sample.
 *
 * Standardisation: each feature is centred and divided by its standard deviation (1/n) over
 * the *training* rows (a constant column is only centred). Features of different models live
 * on very different scales; with a fixed l2 = 1e-4 and gtol = 1e-6 the unscaled problem would
 * regularise, and stop, differently for each model, so the ranking would reflect the feature
 * scale as much as the features. Standardising with training statistics only keeps the test
 * rows unseen.
 *
 * Fit: sb_logreg_fit with l2 1e-4, gtol 1e-6, max_iter 1000, history 10 (logreg.h). The
 * prediction is the first class of largest probability. */
#ifndef SB_LINEAR_PROBE_H
#define SB_LINEAR_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* F n×d row-major, y in 0..c−1. *accuracy = fraction of held-out rows predicted right.
 * SB_EINPUT when c < 2, a label is out of range, F has a non-finite entry, or the split
 * leaves no held-out row (every class has fewer than 3 samples). */
int sb_linear_probe(const double *F, size_t n, size_t d, const int *y, int c, uint64_t seed,
                    double *accuracy, sb_err *err);

/* The split alone: is_test[i] = 1 for held-out rows, 0 for training rows; *n_test receives
 * their number. */
int sb_linear_probe_split(const int *y, size_t n, int c, uint64_t seed, unsigned char *is_test,
                          size_t *n_test, sb_err *err);

#endif
