/* tts_finish.c — the tables of `tts eval` from its records, in unit order (specs/tts.md, Outputs).
 *
 * The units of one set are consecutive in the plan and hold its images in order, so each set's
 * per-image outcomes are gathered, its metrics computed, then the next set's. The summary groups
 * the sets (splits) by (arch, bias_factor, upsample, budget, α, perc) in order of appearance. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/distshift/ds_metrics.h"
#include "tasks/tts/tts_task.h"

/* One set's images as the records give them (image-major: cell k of image i at i·ncell + k). */
typedef struct set_acc {
    sb_tts_rec_head h;
    size_t n, cap, ncell, nb;
    int *label, *group, *pred_none, *pred;
    double *p1_none, *p1;
    uint32_t *nz, *npos, *nneg;
    unsigned char *tie, *nokp;
    char **ids;
} set_acc;

/* The metrics of one (set, cell, method) row, kept for the summary. */
typedef struct row_val {
    char arch[256];
    int has_bf;
    double bf, auc[2], bacc[2];
    size_t cell;
} row_val;

typedef struct fin {
    const sb_tts_state *s;
    sb_table *tab, *img;
    row_val *rows;
    size_t n_rows, cap_rows;
    double *col_p1;
    int *col_pred;
} fin;

static void acc_free(set_acc *a)
{
    free(a->label);
    free(a->group);
    free(a->pred_none);
    free(a->pred);
    free(a->p1_none);
    free(a->p1);
    free(a->nz);
    free(a->npos);
    free(a->nneg);
    free(a->tie);
    free(a->nokp);
    for (size_t i = 0; a->ids && i < a->n; i++)
        free(a->ids[i]);
    free(a->ids);
    memset(a, 0, sizeof *a);
}

#define GROW(p, n) ((p) = realloc_or_free((p), (n) * sizeof *(p), &ok))
static void *realloc_or_free(void *p, size_t bytes, int *ok)
{
    void *q = realloc(p, bytes ? bytes : 1);
    if (!q)
        *ok = 0;
    return q ? q : p;
}

static int acc_reserve(set_acc *a, size_t n, sb_err *err)
{
    if (n <= a->cap)
        return 0;
    size_t cap = n + n / 2 + 16;
    int ok = 1;
    GROW(a->label, cap);
    GROW(a->group, cap);
    GROW(a->pred_none, cap);
    GROW(a->p1_none, cap);
    GROW(a->ids, cap);
    GROW(a->pred, cap * a->ncell);
    GROW(a->p1, cap * a->ncell);
    GROW(a->nz, cap * a->ncell);
    GROW(a->tie, cap * a->ncell);
    GROW(a->nokp, cap * a->ncell);
    GROW(a->npos, cap * a->nb);
    GROW(a->nneg, cap * a->nb);
    if (!ok)
        return sb_fail(err, SB_ENOMEM, "tts finish: out of memory for %zu images", n);
    a->cap = cap;
    return 0;
}

/* Appends one record's images to a. */
static int acc_add(set_acc *a, sb_reader *r, const sb_tts_rec_head *h, sb_err *err)
{
    if (h->n > (1u << 30) || h->C > (1u << 30))
        return sb_fail(err, SB_EINPUT, "tts finish: set %s: the record of images %llu.. is corrupt", h->set,
                       (unsigned long long)h->first);
    int rc = acc_reserve(a, a->n + h->n, err);
    for (size_t j = 0; j < h->n && !rc; j++) {
        size_t i = a->n;
        a->label[i] = (int)sb_get_i64(r);
        a->group[i] = (int)sb_get_i64(r);
        a->ids[i] = sb_get_strdup(r);
        a->n += a->ids[i] != NULL;
        a->p1_none[i] = sb_get_f64(r);
        a->pred_none[i] = (int)(sb_get_u64(r) & 1);
        for (size_t k = 0; k < a->nb; k++) {
            uint64_t v = sb_get_u64(r);
            a->npos[i * a->nb + k] = (uint32_t)(v >> 32);
            a->nneg[i * a->nb + k] = (uint32_t)v;
        }
        for (size_t k = 0; k < a->ncell; k++) {
            a->p1[i * a->ncell + k] = sb_get_f64(r);
            uint64_t v = sb_get_u64(r);
            a->pred[i * a->ncell + k] = (int)(v & 1);
            a->tie[i * a->ncell + k] = v >> 1 & 1;
            a->nokp[i * a->ncell + k] = v >> 2 & 1;
            a->nz[i * a->ncell + k] = (uint32_t)(v >> 8);
        }
        if (r->bad)
            rc = sb_fail(err, SB_EINPUT, "tts finish: the record of set %s image %zu is corrupt", h->set, i);
    }
    return rc;
}

static const char *const TTS_COLS[] = {"set", "arch", "bias_factor", "split", "upsample", "budget", "alpha", "perc",
                                       "method", "n_images", "n_label1", "n_label0", "auc", "balanced_accuracy",
                                       "accuracy", "worst_group_accuracy", "n_groups", "mean_kept", "n_boundary_tie",
                                       "n_no_keypoints", "reason"};
static const char *const IMG_COLS[] = {"set", "budget", "alpha", "perc", "image", "label", "p1_none", "p1_tts",
                                       "n_pos_used", "n_neg_used", "n_zeroed", "boundary_tie"};
static const char *const SUM_COLS[] = {"arch", "bias_factor", "upsample", "budget", "alpha", "perc", "n_sets",
                                       "auc_none", "auc_tts", "auc_gain", "auc_gain_sd", "bacc_none", "bacc_tts",
                                       "bacc_gain", "bacc_gain_sd"};

static void budget_text(long b, char *out, size_t cap)
{
    if (b == SB_TTS_ALL)
        snprintf(out, cap, "all");
    else
        snprintf(out, cap, "%ld", b);
}

/* The columns set..method of a tts.csv row. */
static int put_keys(fin *f, const set_acc *a, size_t row, size_t bi, size_t ai, size_t pi, int method, sb_err *err)
{
    const sb_tts_state *s = f->s;
    char b[32];
    budget_text(s->budgets[bi], b, sizeof b);
    int rc = sb_table_set_str(f->tab, row, 0, a->h.set, err);
    if (!rc)
        rc = sb_table_set_str(f->tab, row, 1, a->h.arch, err);
    if (a->h.has_bf)
        sb_table_set_num(f->tab, row, 2, a->h.bf);
    if (a->h.has_split)
        sb_table_set_int(f->tab, row, 3, a->h.split);
    if (!rc)
        rc = sb_table_set_str(f->tab, row, 4, s->upsample == SB_TTS_BILINEAR ? "bilinear" : "nearest", err);
    if (!rc)
        rc = sb_table_set_str(f->tab, row, 5, b, err);
    sb_table_set_num(f->tab, row, 6, s->alpha[ai]);
    sb_table_set_num(f->tab, row, 7, s->perc[pi]);
    return rc ? rc : sb_table_set_str(f->tab, row, 8, method ? "tts" : "none", err);
}

/* Metrics of one method at cell k; writes the row and returns its AUC and balanced accuracy. */
static int metric_row(fin *f, const set_acc *a, size_t k, int method, double *auc, double *bacc, sb_err *err)
{
    const sb_tts_state *s = f->s;
    size_t np = s->n_perc, na = s->n_alpha, pi = k % np, ai = k / np % na, bi = k / np / na;
    size_t n1 = 0, ties = 0, nokp = 0;
    double kept = 0;
    for (size_t i = 0; i < a->n; i++) {
        f->col_p1[i] = method ? a->p1[i * a->ncell + k] : a->p1_none[i];
        f->col_pred[i] = method ? a->pred[i * a->ncell + k] : a->pred_none[i];
        n1 += a->label[i] == 1;
        ties += method && a->tie[i * a->ncell + k];
        nokp += method && a->nokp[i * a->ncell + k];
        kept += (double)a->h.C - (method ? (double)a->nz[i * a->ncell + k] : 0);
    }
    double *predd = malloc(a->n * sizeof *predd);
    if (!predd)
        return sb_fail(err, SB_ENOMEM, "tts finish: out of memory");
    for (size_t i = 0; i < a->n; i++)
        predd[i] = f->col_pred[i];
    sb_ds_metrics m;
    int rc = sb_ds_evaluate(a->h.set, predd, a->label, NULL, a->h.has_group ? a->group : NULL, a->n, 0.5, &m, err);
    free(predd);
    if (!rc)
        rc = sb_ds_auc(f->col_p1, a->label, a->n, auc, err);
    *bacc = m.balanced_accuracy;
    size_t row;
    if (!rc)
        rc = sb_table_add_row(f->tab, &row, err);
    if (!rc)
        rc = put_keys(f, a, row, bi, ai, pi, method, err);
    if (rc)
        return rc;
    sb_table_set_int(f->tab, row, 9, (int64_t)a->n);
    sb_table_set_int(f->tab, row, 10, (int64_t)n1);
    sb_table_set_int(f->tab, row, 11, (int64_t)(a->n - n1));
    sb_table_set_num(f->tab, row, 12, *auc);
    sb_table_set_num(f->tab, row, 13, m.balanced_accuracy);
    sb_table_set_num(f->tab, row, 14, m.accuracy);
    if (a->h.has_group) {
        sb_table_set_num(f->tab, row, 15, m.worst_group_accuracy);
        sb_table_set_int(f->tab, row, 16, (int64_t)m.n_groups);
    }
    sb_table_set_num(f->tab, row, 17, kept / (double)a->n);
    sb_table_set_int(f->tab, row, 18, (int64_t)ties);
    sb_table_set_int(f->tab, row, 19, (int64_t)nokp);
    char reason[96] = "";
    if (isnan(*auc))
        snprintf(reason, sizeof reason, "only class %d present in label", n1 ? 1 : 0);
    return sb_table_set_str(f->tab, row, 20, reason, err);
}

static int image_rows(fin *f, const set_acc *a, size_t k, sb_err *err)
{
    const sb_tts_state *s = f->s;
    size_t np = s->n_perc, na = s->n_alpha, pi = k % np, ai = k / np % na, bi = k / np / na;
    char b[32];
    budget_text(s->budgets[bi], b, sizeof b);
    int rc = 0;
    for (size_t i = 0; i < a->n && !rc; i++) {
        size_t row;
        if ((rc = sb_table_add_row(f->img, &row, err)) || (rc = sb_table_set_str(f->img, row, 0, a->h.set, err)) ||
            (rc = sb_table_set_str(f->img, row, 1, b, err)) || (rc = sb_table_set_str(f->img, row, 4, a->ids[i], err)))
            break;
        sb_table_set_num(f->img, row, 2, s->alpha[ai]);
        sb_table_set_num(f->img, row, 3, s->perc[pi]);
        sb_table_set_int(f->img, row, 5, a->label[i]);
        sb_table_set_num(f->img, row, 6, a->p1_none[i]);
        sb_table_set_num(f->img, row, 7, a->p1[i * a->ncell + k]);
        sb_table_set_int(f->img, row, 8, a->npos[i * a->nb + bi]);
        sb_table_set_int(f->img, row, 9, a->nneg[i * a->nb + bi]);
        sb_table_set_int(f->img, row, 10, a->nz[i * a->ncell + k]);
        sb_table_set_int(f->img, row, 11, a->tie[i * a->ncell + k]);
    }
    return rc;
}

/* Every row of one finished set, in the order budget, α, perc (as the cell index), method. */
static int set_rows(fin *f, const set_acc *a, sb_err *err)
{
    if (!a->n)
        return 0;
    free(f->col_p1);
    free(f->col_pred);
    f->col_p1 = malloc(a->n * sizeof *f->col_p1);
    f->col_pred = malloc(a->n * sizeof *f->col_pred);
    if (f->n_rows + a->ncell > f->cap_rows) {
        size_t cap = (f->n_rows + a->ncell) * 2;
        row_val *r = realloc(f->rows, cap * sizeof *r);
        if (r) {
            f->rows = r;
            f->cap_rows = cap;
        }
    }
    if (!f->col_p1 || !f->col_pred || f->n_rows + a->ncell > f->cap_rows)
        return sb_fail(err, SB_ENOMEM, "tts finish: out of memory");
    int rc = 0;
    for (size_t k = 0; k < a->ncell && !rc; k++) {
        row_val *v = &f->rows[f->n_rows++];
        snprintf(v->arch, sizeof v->arch, "%s", a->h.arch);
        v->has_bf = a->h.has_bf;
        v->bf = a->h.bf;
        v->cell = k;
        for (int m = 0; m < 2 && !rc; m++)
            rc = metric_row(f, a, k, m, &v->auc[m], &v->bacc[m], err);
        if (!rc && f->img)
            rc = image_rows(f, a, k, err);
    }
    return rc;
}

static int same_group(const row_val *x, const row_val *y)
{
    return x->cell == y->cell && !strcmp(x->arch, y->arch) && x->has_bf == y->has_bf && (!x->has_bf || x->bf == y->bf);
}

/* mean and sd (ddof 1; NaN below 2 values) of v[0..n). */
static void mean_sd(const double *v, size_t n, double *mean, double *sd)
{
    double s = 0, q = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    *mean = n ? s / (double)n : NAN;
    for (size_t i = 0; i < n; i++)
        q += (v[i] - *mean) * (v[i] - *mean);
    *sd = n > 1 ? sqrt(q / (double)(n - 1)) : NAN;
}

static int summary_row(fin *f, sb_table *t, size_t g, const unsigned char *done, double *buf, sb_err *err)
{
    const sb_tts_state *s = f->s;
    const row_val *x = &f->rows[g];
    size_t np = s->n_perc, na = s->n_alpha, k = x->cell;
    double *an = buf, *at = buf + f->n_rows, *ag = buf + 2 * f->n_rows, *bn = buf + 3 * f->n_rows,
           *bt = buf + 4 * f->n_rows, *bg = buf + 5 * f->n_rows;
    size_t n_sets = 0, n_auc = 0;
    for (size_t j = g; j < f->n_rows; j++) {
        const row_val *y = &f->rows[j];
        if ((j > g && done[j]) || !same_group(x, y))
            continue;
        bn[n_sets] = y->bacc[0];
        bt[n_sets] = y->bacc[1];
        bg[n_sets++] = y->bacc[1] - y->bacc[0];
        if (!isnan(y->auc[0]) && !isnan(y->auc[1])) {
            an[n_auc] = y->auc[0];
            at[n_auc] = y->auc[1];
            ag[n_auc++] = y->auc[1] - y->auc[0];
        }
    }
    double v[8], sd;
    mean_sd(an, n_auc, &v[0], &sd);
    mean_sd(at, n_auc, &v[1], &sd);
    mean_sd(ag, n_auc, &v[2], &v[3]);
    mean_sd(bn, n_sets, &v[4], &sd);
    mean_sd(bt, n_sets, &v[5], &sd);
    mean_sd(bg, n_sets, &v[6], &v[7]);
    char b[32];
    budget_text(s->budgets[k / np / na], b, sizeof b);
    size_t row;
    int rc = sb_table_add_row(t, &row, err);
    if (!rc)
        rc = sb_table_set_str(t, row, 0, x->arch, err);
    if (!rc)
        rc = sb_table_set_str(t, row, 2, s->upsample == SB_TTS_BILINEAR ? "bilinear" : "nearest", err);
    if (!rc)
        rc = sb_table_set_str(t, row, 3, b, err);
    if (rc)
        return rc;
    if (x->has_bf)
        sb_table_set_num(t, row, 1, x->bf);
    sb_table_set_num(t, row, 4, s->alpha[k / np % na]);
    sb_table_set_num(t, row, 5, s->perc[k % np]);
    sb_table_set_int(t, row, 6, (int64_t)n_sets);
    for (int c = 0; c < 8; c++)
        sb_table_set_num(t, row, 7 + (size_t)c, v[c]);
    return 0;
}

static int summary(fin *f, sb_tables *out, sb_err *err)
{
    sb_table *t;
    int rc = sb_tables_add(out, "tts_summary", sizeof SUM_COLS / sizeof SUM_COLS[0], SUM_COLS, &t, err);
    unsigned char *done = calloc(f->n_rows + 1, 1);
    double *buf = malloc((6 * f->n_rows + 1) * sizeof *buf);
    if (!rc && (!done || !buf))
        rc = sb_fail(err, SB_ENOMEM, "tts finish: out of memory");
    for (size_t g = 0; g < f->n_rows && !rc; g++) {
        if (done[g])
            continue;
        rc = summary_row(f, t, g, done, buf, err);
        for (size_t j = g; j < f->n_rows; j++)
            if (same_group(&f->rows[g], &f->rows[j]))
                done[j] = 1;
    }
    free(done);
    free(buf);
    return rc;
}

static int finish_records(fin *f, const sb_unit *units, const sb_record *records, size_t n, sb_err *err)
{
    const sb_tts_state *s = f->s;
    set_acc a;
    memset(&a, 0, sizeof a);
    int rc = 0, started = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!records[i].data || records[i].failed)
            continue;
        sb_reader r;
        sb_reader_init(&r, records[i].data, records[i].len);
        sb_tts_rec_head h;
        if (sb_tts_get_head(&r, &h)) {
            rc = sb_fail(err, SB_EINPUT, "tts finish: the record of unit %s is corrupt", units[i].key);
            break;
        }
        if (started && strcmp(h.set, a.h.set)) {
            rc = set_rows(f, &a, err);
            acc_free(&a);
            started = 0;
        }
        if (!started && !rc) {
            a.h = h;
            a.nb = s->n_budgets;
            a.ncell = s->n_budgets * s->n_alpha * s->n_perc;
            started = 1;
        }
        /* A failed unit leaves its images out: the set's rows cover those of the units that
         * succeeded (n_images says how many), and failures.csv names the missing block. */
        if (!rc)
            rc = acc_add(&a, &r, &h, err);
    }
    if (!rc && started)
        rc = set_rows(f, &a, err);
    acc_free(&a);
    return rc;
}

int sb_tts_finish(sb_task_ctx *t, const sb_unit *units, const sb_record *records, size_t n, sb_tables *out,
                  sb_err *err)
{
    fin f;
    memset(&f, 0, sizeof f);
    f.s = t->state;
    sb_tables mine;
    memset(&mine, 0, sizeof mine);
    /* Built in a private list so both tables' pointers stay valid while rows are added. */
    int rc = sb_tables_add(&mine, "tts", sizeof TTS_COLS / sizeof TTS_COLS[0], TTS_COLS, &f.tab, err);
    if (!rc && f.s->per_image) {
        sb_table *img;
        rc = sb_tables_add(out, "tts_images", sizeof IMG_COLS / sizeof IMG_COLS[0], IMG_COLS, &img, err);
        f.img = img;
    }
    if (!rc)
        rc = finish_records(&f, units, records, n, err);
    if (!rc) {
        sb_table *copy;
        rc = sb_tables_add(out, "tts", f.tab->ncols, (const char *const *)f.tab->cols, &copy, err);
        if (!rc) { /* hand the rows over */
            sb_table keep = *copy;
            *copy = *f.tab;
            *f.tab = keep;
        }
    }
    if (!rc)
        rc = summary(&f, out, err);
    sb_tables_free(&mine);
    free(f.rows);
    free(f.col_p1);
    free(f.col_pred);
    return rc;
}
