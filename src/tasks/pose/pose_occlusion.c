/* pose_occlusion.c — occluded vs visible error of a sequence, and the per-pattern table. */
#include "tasks/pose/pose_occlusion.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t sb_pose_occ_first_bad(const int64_t *mask, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (mask[i] != 0 && mask[i] != 1)
            return i;
    return n;
}

void sb_pose_occ_eval(const sb_pose_seq *seq, const int64_t *mask, int root_relative, sb_pose_occ *o)
{
    memset(o, 0, sizeof *o);
    const size_t J = seq->joints;
    for (size_t i = 0; i < seq->frames * J; i++)
        o->n_occ += (double)(mask[i] != 0);
    o->n_vis = (double)(seq->frames * J) - o->n_occ;
    if (!seq->pred)
        return;
    o->e_occ = o->n_occ;
    o->e_vis = o->n_vis;
    for (size_t f = 0; f < seq->frames; f++) {
        const double *g = seq->gt + 3 * J * f, *p = seq->pred + 3 * J * f;
        /* root-relative: (P − P0) − (G − G0) = (P − G) − (P0 − G0) */
        double r[3] = {0, 0, 0};
        if (root_relative)
            for (int a = 0; a < 3; a++)
                r[a] = p[a] - g[a];
        for (size_t j = 0; j < J; j++) {
            double x = (p[3 * j] - g[3 * j]) - r[0], y = (p[3 * j + 1] - g[3 * j + 1]) - r[1];
            double z = (p[3 * j + 2] - g[3 * j + 2]) - r[2];
            double e = sqrt(x * x + y * y + z * z);
            if (mask[f * J + j])
                o->sum_occ += e;
            else
                o->sum_vis += e;
        }
    }
}

void sb_pose_occ_add(sb_pose_occ *acc, const sb_pose_occ *o)
{
    acc->n_occ += o->n_occ;
    acc->n_vis += o->n_vis;
    acc->e_occ += o->e_occ;
    acc->e_vis += o->e_vis;
    acc->sum_occ += o->sum_occ;
    acc->sum_vis += o->sum_vis;
}

void sb_pose_occ_values(const sb_pose_occ *o, double v[3], char *reason, size_t cap)
{
    double n = o->n_occ + o->n_vis;
    v[0] = o->e_occ > 0 ? o->sum_occ / o->e_occ : NAN;
    v[1] = o->e_vis > 0 ? o->sum_vis / o->e_vis : NAN;
    v[2] = n > 0 ? o->n_occ / n : NAN;
    const char *why = n == 0                    ? "no occluded mask"
                      : o->e_occ + o->e_vis == 0 ? "no pred"
                      : o->e_occ == 0           ? "no occluded entry"
                      : o->e_vis == 0           ? "no visible entry"
                                                : "";
    snprintf(reason, cap, "%s", why);
}

/* ---- pose_occlusion.csv ---------------------------------------------------------------- */

static const char *name_or_unnamed(const char *s) { return s ? s : "unnamed"; }

static int cmp_group(const sb_pose_occ_seq *a, const sb_pose_occ_seq *b)
{
    int c = strcmp(name_or_unnamed(a->pattern), name_or_unnamed(b->pattern));
    return c ? c : strcmp(name_or_unnamed(a->train), name_or_unnamed(b->train));
}

/* The group's row: counts, entry-weighted occlusion values and frame-weighted means over the
 * sequences idx[0..m); the reason for any empty occlusion value goes to reason[cap]. */
static void fill_row(sb_table *t, size_t row, const sb_pose_occ_seq *s, const size_t *idx, size_t m, char *reason,
                     size_t cap)
{
    sb_pose_occ sum = {0, 0, 0, 0, 0, 0};
    double num[3] = {0, 0, 0}, den[3] = {0, 0, 0};
    uint64_t frames = 0;
    for (size_t k = 0; k < m; k++) {
        const sb_pose_occ_seq *q = &s[idx[k]];
        frames += q->frames;
        if (q->has_mask)
            sb_pose_occ_add(&sum, &q->occ);
        const double *vw[3] = {q->mpjpe, q->p_mpjpe, q->pck};
        for (int c = 0; c < 3; c++)
            if (vw[c][1] > 0) {
                num[c] += vw[c][0] * vw[c][1];
                den[c] += vw[c][1];
            }
    }
    const sb_pose_occ_seq *q = &s[idx[0]];
    double v[3];
    sb_pose_occ_values(&sum, v, reason, cap);
    const char *pat = name_or_unnamed(q->pattern), *train = name_or_unnamed(q->train);
    sb_table_set_int(t, row, 2, !strcmp(pat, train) && strcmp(pat, "unnamed"));
    sb_table_set_int(t, row, 3, (int64_t)m);
    sb_table_set_int(t, row, 4, (int64_t)frames);
    sb_table_set_num(t, row, 5, v[2]);
    sb_table_set_num(t, row, 6, den[0] > 0 ? num[0] / den[0] : NAN);
    sb_table_set_num(t, row, 7, v[0]);
    sb_table_set_num(t, row, 8, v[1]);
    sb_table_set_num(t, row, 9, den[1] > 0 ? num[1] / den[1] : NAN);
    sb_table_set_num(t, row, 10, den[2] > 0 ? num[2] / den[2] : NAN);
}

int sb_pose_occ_table(const sb_pose_occ_seq *s, size_t n, sb_tables *out, sb_err *err)
{
    static const char *const cols[] = {"pattern", "train_pattern", "matched", "sequences", "frames", "occ_rate",
                                       "mpjpe", "mpjpe_occ", "mpjpe_vis", "p_mpjpe", "pck", "reason"};
    sb_table *t;
    int rc = sb_tables_add(out, "pose_occlusion", sizeof cols / sizeof *cols, cols, &t, err);
    if (rc)
        return rc;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx)
        return sb_fail(err, SB_ENOMEM, "out of memory building pose_occlusion");
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    /* insertion sort of indices: stable, and no comparison context needed */
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && cmp_group(&s[idx[k - 1]], &s[idx[k]]) > 0; k--) {
            size_t x = idx[k];
            idx[k] = idx[k - 1];
            idx[k - 1] = x;
        }
    for (size_t a = 0, b; a < n && !rc; a = b) {
        for (b = a + 1; b < n && !cmp_group(&s[idx[a]], &s[idx[b]]); b++)
            ;
        size_t row;
        char reason[64];
        if ((rc = sb_table_add_row(t, &row, err)) ||
            (rc = sb_table_set_str(t, row, 0, name_or_unnamed(s[idx[a]].pattern), err)) ||
            (rc = sb_table_set_str(t, row, 1, name_or_unnamed(s[idx[a]].train), err)))
            break;
        fill_row(t, row, s, idx + a, b - a, reason, sizeof reason);
        rc = sb_table_set_str(t, row, 11, reason, err);
    }
    free(idx);
    return rc;
}
