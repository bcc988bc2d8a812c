/* ds_shift.h — OoD-Bench estimate of diversity and correlation shift between two environments
 * (distshift.md, "Shift quantification"; Ye et al., CVPR 2022, m-Just/OoD-Bench quantify.py).
 *
 * Steps: sb_shift_prepare pairs the classes (first min(n_P(y), n_Q(y)) rows of each class, file
 * order), standardises with the mean and population sd of concat(P, Q) and fits the KDEs r, p, q,
 * p_y, q_y. Evaluation points come from sb_shift_sample_points or from the caller. sb_shift_terms
 * gives each point's contributions, for any range of points, so points can be sharded over
 * ranks; sb_shift_combine sums them in point order, so the result does not depend on the
 * sharding.
 *
 * The formulas are the spec's (the reference's `legacy_mode`):
 *   div term  = [p < ε_div or q < ε_div] · |p − q| / r
 *   cor_y term = [p > ε_cor and q > ε_cor] · |p_y √(q/p) − q_y √(p/q)| / r
 * With opts.hellinger = 1 they are the reference's default (non-legacy) ones instead:
 *   (√p − √q)² / r  and  (p_y √(q/p) + q_y √(p/q) − 2 √(p_y q_y)) / r. */
#ifndef SB_DS_SHIFT_H
#define SB_DS_SHIFT_H

#include <stddef.h>

#include "core/err.h"
#include "core/rng.h"

typedef struct sb_shift_opts {
    double eps_div;   /* default 1e-12 */
    double eps_cor;   /* default 5e-4 */
    int hellinger;    /* default 0: the spec's |·| formulas */
} sb_shift_opts;

void sb_shift_defaults(sb_shift_opts *o);

typedef struct sb_shift sb_shift;

/* zP n_P×d and zQ n_Q×d row-major; labels any ints ≥ 0. Classes whose paired count is 0 are
 * dropped; a class whose p_y or q_y KDE is singular is skipped (weight 0) and named in
 * sb_shift_warning. Errors: SB_EINPUT for NaN/Inf or negative labels, SB_ENUMERIC (naming r, P or
 * Q) when a pooled KDE is singular or nothing is left after pairing. */
int sb_shift_prepare(const double *zP, const int *yP, size_t nP, const double *zQ, const int *yQ,
                     size_t nQ, size_t d, const sb_shift_opts *opts, sb_shift **out,
                     sb_err *err);
void sb_shift_free(sb_shift *s);

size_t sb_shift_dim(const sb_shift *s);
/* Classes kept after pairing (skipped ones included), in increasing label order. */
size_t sb_shift_n_classes(const sb_shift *s);
int sb_shift_class_label(const sb_shift *s, size_t c);
size_t sb_shift_class_count(const sb_shift *s, size_t c); /* paired count n_y; 0 if skipped */
/* "" when every class was usable, else one line naming the skipped classes and why. */
const char *sb_shift_warning(const sb_shift *s);

/* Standardises caller points given in raw feature units in place (mean/sd of step 2). Points read
 * with --points are already standardised and need not pass through here. */
void sb_shift_standardise(const sb_shift *s, double *points, size_t m);

/* m evaluation points (m×d, standardised space) drawn from r with rng (sb_kde_resample). */
void sb_shift_sample_points(const sb_shift *s, size_t m, sb_rng *rng, double *points);

/* Number of doubles per point in the terms array: 1 (div) + number of classes (cor_y). */
size_t sb_shift_terms_width(const sb_shift *s);

/* Contributions of points first..first+count−1 of points (m×d) into terms (count × width,
 * row-major): column 0 the div term, column 1+c the cor term of class c (0 for skipped classes).
 * Not yet divided by 2M. */
int sb_shift_terms(const sb_shift *s, const double *points, size_t m, size_t first, size_t count,
                   double *terms, sb_err *err);

typedef struct sb_shift_result {
    double div;
    double cor;           /* NaN when every class was skipped (see reason) */
    size_t n_points;
    char reason[128];     /* "" unless cor is NaN */
} sb_shift_result;

/* Sums the terms of all m points (m × width, in point order) into div and cor; cor_y (may be
 * NULL, n_classes entries) receives the per-class values. */
int sb_shift_combine(const sb_shift *s, const double *terms, size_t m, sb_shift_result *res,
                     double *cor_y, sb_err *err);

/* The same sum from the class counts alone (count[c] = sb_shift_class_count, nc classes), for
 * a caller that holds the terms but no longer the estimator (a task's finish, which gets the
 * per-point terms of every shard from the journal). sb_shift_combine calls this. */
int sb_shift_combine_counts(const size_t *count, size_t nc, const double *terms, size_t m,
                            sb_shift_result *res, double *cor_y, sb_err *err);

#endif
