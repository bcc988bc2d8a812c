/* ds_metrics.h — metrics of a binary classifier on one evaluation set (distshift.md).
 *
 * Predictions are class 1 when score > threshold (strictly, as sklearn's LogisticRegression
 * predicts class 1 only when its probability exceeds 0.5). Everything accumulates in double and
 * counts in size_t; the AUC is computed by sorting scores once (O(n log n)). */
#ifndef SB_DS_METRICS_H
#define SB_DS_METRICS_H

#include <stddef.h>

#include "core/err.h"

typedef struct sb_ds_metrics {
    size_t n;
    double accuracy;
    double auc;                  /* NaN when undefined; then auc_reason says why */
    double balanced_accuracy;    /* mean recall over the classes present in label (sklearn) */
    double worst_group_accuracy; /* min accuracy over the non-empty groups */
    size_t n_groups;             /* number of non-empty groups */
    char auc_reason[96];         /* "" when auc is defined */
} sb_ds_metrics;

/* Checks an evaluation set: score finite and in [0,1], label 0/1, spurious (may be NULL) 0/1.
 * Returns SB_EINPUT naming the array and the first bad index; `set` names the set. */
int sb_ds_check_set(const char *set, const double *score, const int *label, const int *spurious,
                    size_t n, sb_err *err);

/* Checks that the optional arrays of a set have the length of `score` (pass n_score for an
 * absent one). The message names the array and the first index one of them lacks. */
int sb_ds_check_lengths(const char *set, size_t n_score, size_t n_label, size_t n_spurious,
                        size_t n_group, sb_err *err);

/* Metrics of one set. Groups for worst_group_accuracy: the user's `group` values if group is
 * non-NULL, else the pairs (label, spurious) if spurious is non-NULL, else the label alone.
 * n = 0 or a threshold outside [0,1] (or NaN) is SB_EINPUT; a set with one class gives auc = NaN
 * with a reason, the other metrics still computed. */
int sb_ds_evaluate(const char *set, const double *score, const int *label, const int *spurious,
                   const int *group, size_t n, double threshold, sb_ds_metrics *out, sb_err *err);

/* ROC AUC with ties counted half (= sklearn.metrics.roc_auc_score for binary labels). Sets *auc
 * to NaN and returns 0 when label has one class only. Inputs are not validated here. */
int sb_ds_auc(const double *score, const int *label, size_t n, double *auc, sb_err *err);

/* ‖w[split..d)‖₂ / ‖w[0..d)‖₂: the share of a linear model's weight on the spurious coordinates,
 * which are the last d − split. NaN (returned 0) when w = 0. split > d or non-finite w is
 * SB_EINPUT. */
int sb_ds_spurious_weight_share(const double *w, size_t d, size_t split, double *share,
                                sb_err *err);

#endif
