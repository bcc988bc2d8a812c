#include "tasks/distshift/ds_metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sb_ds_check_set(const char *set, const double *score, const int *label, const int *spurious,
                    size_t n, sb_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (!(score[i] >= 0.0 && score[i] <= 1.0))
            return sb_fail(err, SB_EINPUT, "set %s: score[%zu] = %g is not a probability in [0,1]",
                           set, i, score[i]);
    for (size_t i = 0; i < n; i++)
        if (label[i] != 0 && label[i] != 1)
            return sb_fail(err, SB_EINPUT, "set %s: label[%zu] = %d is not 0 or 1", set, i,
                           label[i]);
    if (spurious)
        for (size_t i = 0; i < n; i++)
            if (spurious[i] != 0 && spurious[i] != 1)
                return sb_fail(err, SB_EINPUT, "set %s: spurious[%zu] = %d is not 0 or 1", set, i,
                               spurious[i]);
    return 0;
}

int sb_ds_check_lengths(const char *set, size_t n_score, size_t n_label, size_t n_spurious,
                        size_t n_group, sb_err *err)
{
    const char *name[3] = {"label", "spurious", "group"};
    size_t len[3] = {n_label, n_spurious, n_group};
    for (int k = 0; k < 3; k++)
        if (len[k] != n_score)
            return sb_fail(err, SB_EINPUT,
                           "set %s: %s has %zu entries but score has %zu (first unmatched index "
                           "%zu)",
                           set, name[k], len[k], n_score, len[k] < n_score ? len[k] : n_score);
    return 0;
}

typedef struct {
    double s;
    int y;
} scored;

static int by_score(const void *a, const void *b)
{
    double x = ((const scored *)a)->s, y = ((const scored *)b)->s;
    return (x > y) - (x < y);
}

int sb_ds_auc(const double *score, const int *label, size_t n, double *auc, sb_err *err)
{
    size_t npos = 0;
    for (size_t i = 0; i < n; i++)
        npos += label[i] == 1;
    size_t nneg = n - npos;
    if (npos == 0 || nneg == 0) {
        *auc = NAN;
        return 0;
    }
    scored *v = sb_malloc(n * sizeof *v, "AUC sort", err);
    if (!v)
        return SB_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        v[i].s = score[i];
        v[i].y = label[i] == 1;
    }
    qsort(v, n, sizeof *v, by_score);
    /* Over tie groups in increasing score: each positive beats every negative below the group
     * and half of the negatives inside it. Counts are exact integers (in twice-units). */
    unsigned long long twice = 0, neg_below = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        unsigned long long p = 0, q = 0;
        while (j < n && v[j].s == v[i].s) {
            if (v[j].y)
                p++;
            else
                q++;
            j++;
        }
        twice += 2 * p * neg_below + p * q;
        neg_below += q;
        i = j;
    }
    free(v);
    *auc = (double)twice / (2.0 * (double)npos * (double)nneg);
    return 0;
}

typedef struct {
    int key;
    int ok;
} member;

static int by_key(const void *a, const void *b)
{
    int x = ((const member *)a)->key, y = ((const member *)b)->key;
    return (x > y) - (x < y);
}

/* Sorts (group, correct) pairs by group: group ids may be any ints, so no counting table. */
static int worst_group(const int *key, const unsigned char *correct, size_t n, double *worst,
                       size_t *ngroups, sb_err *err)
{
    member *v = sb_malloc(n * sizeof *v, "group sort", err);
    if (!v)
        return SB_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        v[i].key = key[i];
        v[i].ok = correct[i];
    }
    qsort(v, n, sizeof *v, by_key);
    double w = INFINITY;
    size_t g = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i, ok = 0;
        while (j < n && v[j].key == v[i].key)
            ok += (size_t)v[j++].ok;
        double acc = (double)ok / (double)(j - i);
        if (acc < w)
            w = acc;
        g++;
        i = j;
    }
    free(v);
    *worst = w;
    *ngroups = g;
    return 0;
}

int sb_ds_evaluate(const char *set, const double *score, const int *label, const int *spurious,
                   const int *group, size_t n, double threshold, sb_ds_metrics *out, sb_err *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return sb_fail(err, SB_EINPUT, "set %s: no samples", set);
    if (!(threshold >= 0.0 && threshold <= 1.0))
        return sb_fail(err, SB_EINPUT, "set %s: threshold %g is outside [0,1]", set, threshold);
    int rc = sb_ds_check_set(set, score, label, spurious, n, err);
    if (rc)
        return rc;
    unsigned char *correct = sb_malloc(n, "correct predictions", err);
    int *key = sb_malloc(n * sizeof *key, "group keys", err);
    if (!correct || !key) {
        free(correct);
        free(key);
        return SB_ENOMEM;
    }
    size_t ok = 0, cnt[2] = {0, 0}, hit[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        int pred = score[i] > threshold;
        correct[i] = pred == label[i];
        ok += correct[i];
        cnt[label[i]]++;
        hit[label[i]] += correct[i];
        key[i] = group ? group[i] : spurious ? 2 * label[i] + spurious[i] : label[i];
    }
    out->n = n;
    out->accuracy = (double)ok / (double)n;
    /* sklearn drops the recall of a class absent from y_true (with a warning). */
    double rsum = 0.0;
    int present = 0;
    for (int c = 0; c < 2; c++)
        if (cnt[c]) {
            rsum += (double)hit[c] / (double)cnt[c];
            present++;
        }
    out->balanced_accuracy = rsum / present;
    rc = worst_group(key, correct, n, &out->worst_group_accuracy, &out->n_groups, err);
    if (!rc)
        rc = sb_ds_auc(score, label, n, &out->auc, err);
    if (!rc && isnan(out->auc))
        snprintf(out->auc_reason, sizeof out->auc_reason, "only class %d present in label",
                 cnt[0] ? 0 : 1);
    free(correct);
    free(key);
    return rc;
}

int sb_ds_spurious_weight_share(const double *w, size_t d, size_t split, double *share,
                                sb_err *err)
{
    if (split > d)
        return sb_fail(err, SB_EINPUT, "spurious weight share: split %zu beyond %zu weights",
                       split, d);
    double all = 0.0, sp = 0.0;
    for (size_t j = 0; j < d; j++) {
        if (!isfinite(w[j]))
            return sb_fail(err, SB_EINPUT, "spurious weight share: w[%zu] is not finite", j);
        all += w[j] * w[j];
        if (j >= split)
            sp += w[j] * w[j];
    }
    *share = all > 0.0 ? sqrt(sp) / sqrt(all) : NAN;
    return 0;
}
