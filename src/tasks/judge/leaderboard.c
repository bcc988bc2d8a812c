/* leaderboard.c — the per-dataset and aggregated numbers of each scorer, and the leaderboard
 * table (formats.md "Leaderboard", then top1_relative and reason). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numerics/scorer_eval.h"
#include "tasks/judge/judge.h"

/* "kendall_tau, weighted_tau: R1; pearson, spearman: R2; top1: R3", equal reasons merged. */
void sb_judge_reasons(const sb_scorer_eval *e, char *out, size_t cap)
{
    const char *names[5] = {"kendall_tau", "weighted_tau", "pearson", "spearman", "top1"};
    const char *why[5] = {e->kendall_reason, e->weighted_reason, e->pearson_reason, e->spearman_reason,
                          e->top1_reason};
    int done[5] = {0};
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < 5; i++) {
        if (!why[i] || done[i])
            continue;
        len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s%s", len ? "; " : "", names[i]);
        for (int j = i + 1; j < 5; j++)
            if (why[j] && !done[j] && !strcmp(why[i], why[j])) {
                done[j] = 1;
                len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, ", %s", names[j]);
            }
        len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, ": %s", why[i]);
    }
}

int sb_judge_run_eval(sb_judge_state *s, size_t di, size_t si, sb_buf *rec, sb_err *err)
{
    const sb_judge_data *d = &s->data;
    const sb_judge_dataset *ds = &d->ds[di];
    double *x = sb_malloc(ds->n_models * sizeof *x, "scorer values", err);
    double *y = sb_malloc(ds->n_models * sizeof *y, "accuracies", err);
    int rc = x && y ? 0 : SB_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < ds->n_models && !rc; i++) {
        double v = ds->value[i * d->n_scorers + si];
        if (!isnan(v)) {
            x[m] = v;
            y[m++] = ds->acc[i];
        }
    }
    sb_scorer_eval e;
    if (!rc && (rc = sb_scorer_eval_dataset(x, y, m, &e, err)))
        sb_wrap(err, "dataset %s, scorer %s: ", ds->name, d->scorers[si]);
    if (!rc) {
        char why[600];
        sb_judge_reasons(&e, why, sizeof why);
        sb_buf_put_str(rec, ds->name);
        sb_buf_put_str(rec, d->scorers[si]);
        sb_buf_put_u64(rec, m);
        sb_buf_put_f64(rec, e.kendall_tau);
        sb_buf_put_f64(rec, e.weighted_tau);
        sb_buf_put_f64(rec, e.pearson);
        sb_buf_put_f64(rec, e.spearman);
        sb_buf_put_f64(rec, e.top1_regret);
        sb_buf_put_f64(rec, e.top1_relative);
        sb_buf_put_str(rec, why);
    }
    free(x);
    free(y);
    return rc;
}

int sb_judge_run_all(sb_judge_state *s, size_t si, sb_buf *rec, sb_err *err)
{
    const sb_judge_data *d = &s->data;
    size_t total = 0;
    for (size_t di = 0; di < d->n_datasets; di++)
        total += d->ds[di].n_models;
    double *x = sb_malloc((total ? total : 1) * sizeof *x, "scorer values", err);
    double *y = sb_malloc((total ? total : 1) * sizeof *y, "accuracies", err);
    int *g = sb_malloc((total ? total : 1) * sizeof *g, "dataset ids", err);
    int rc = x && y && g ? 0 : SB_ENOMEM;
    size_t m = 0;
    for (size_t di = 0; di < d->n_datasets && !rc; di++) {
        if (!sb_judge_pair_ok(d, di, si))
            continue;
        const sb_judge_dataset *ds = &d->ds[di];
        for (size_t i = 0; i < ds->n_models; i++) {
            double v = ds->value[i * d->n_scorers + si];
            if (!isnan(v)) {
                x[m] = v;
                y[m] = ds->acc[i];
                g[m++] = (int)di;
            }
        }
    }
    double tau = NAN, wtau = NAN;
    const char *why = NULL;
    if (!rc && (rc = sb_scorer_taus_grouped(x, y, g, m, &tau, &wtau, &why, err)))
        sb_wrap(err, "dataset ALL, scorer %s: ", d->scorers[si]);
    if (!rc) {
        char reason[600] = "";
        if (why)
            snprintf(reason, sizeof reason, "kendall_tau, weighted_tau: %s", why);
        sb_buf_put_str(rec, "ALL");
        sb_buf_put_str(rec, d->scorers[si]);
        sb_buf_put_u64(rec, m);
        sb_buf_put_f64(rec, tau);
        sb_buf_put_f64(rec, wtau);
        sb_buf_put_f64(rec, NAN);
        sb_buf_put_f64(rec, NAN);
        sb_buf_put_f64(rec, NAN);
        sb_buf_put_f64(rec, NAN);
        sb_buf_put_str(rec, reason);
    }
    free(x);
    free(y);
    free(g);
    return rc;
}

enum { C_DATASET, C_SCORER, C_N, C_TAU, C_WTAU, C_PEARSON, C_SPEARMAN, C_REGRET, C_LO, C_HI, C_RELATIVE,
       C_REASON, C_COUNT };

/* dataset in byte order with ALL last, then kendall_tau descending (empty last), then scorer */
static int cmp_rows(const sb_table *t, size_t a, size_t b)
{
    const char *da = sb_table_cell(t, a, C_DATASET)->str, *db = sb_table_cell(t, b, C_DATASET)->str;
    int alla = !strcmp(da, "ALL"), allb = !strcmp(db, "ALL");
    if (alla != allb)
        return alla - allb;
    int c = strcmp(da, db);
    if (c)
        return c;
    const sb_cell *ta = sb_table_cell(t, a, C_TAU), *tb = sb_table_cell(t, b, C_TAU);
    int ea = ta->kind != SB_CELL_NUM, eb = tb->kind != SB_CELL_NUM;
    if (ea != eb)
        return ea - eb;
    if (!ea && ta->num != tb->num)
        return ta->num > tb->num ? -1 : 1;
    return strcmp(sb_table_cell(t, a, C_SCORER)->str, sb_table_cell(t, b, C_SCORER)->str);
}

int sb_judge_leaderboard(const sb_unit *units, const sb_record *records, size_t n, sb_tables *out,
                         sb_err *err)
{
    static const char *const cols[C_COUNT] = {"dataset", "scorer", "n_models", "kendall_tau", "weighted_tau",
                                              "pearson", "spearman", "top1_regret", "tau_ci_low",
                                              "tau_ci_high", "top1_relative", "reason"};
    sb_table *tab;
    int rc = sb_tables_add(out, "leaderboard", C_COUNT, cols, &tab, err);
    for (size_t i = 0; i < n && !rc; i++) {
        int kind = SB_JUDGE_KIND(units[i].arg);
        if ((kind != SB_JU_EVAL && kind != SB_JU_ALL) || records[i].failed || !records[i].data)
            continue;
        sb_reader r;
        sb_reader_init(&r, records[i].data, records[i].len);
        char dataset[512], scorer[512], reason[1024];
        sb_get_str(&r, dataset, sizeof dataset);
        sb_get_str(&r, scorer, sizeof scorer);
        uint64_t m = sb_get_u64(&r);
        double v[6];
        for (int k = 0; k < 6; k++)
            v[k] = sb_get_f64(&r);
        sb_get_str(&r, reason, sizeof reason);
        if (r.bad)
            return sb_fail(err, SB_EINPUT, "journal record of unit %s is corrupt", units[i].key);
        double lo, hi;
        size_t used;
        if ((rc = sb_judge_boot_ci(units, records, n, dataset, scorer, &lo, &hi, &used, err)))
            break;
        size_t row;
        if ((rc = sb_table_add_row(tab, &row, err)) || (rc = sb_table_set_str(tab, row, C_DATASET, dataset, err)) ||
            (rc = sb_table_set_str(tab, row, C_SCORER, scorer, err)) ||
            (rc = sb_table_set_str(tab, row, C_REASON, reason, err)))
            break;
        sb_table_set_int(tab, row, C_N, (int64_t)m);
        sb_table_set_num(tab, row, C_TAU, v[0]);
        sb_table_set_num(tab, row, C_WTAU, v[1]);
        sb_table_set_num(tab, row, C_PEARSON, v[2]);
        sb_table_set_num(tab, row, C_SPEARMAN, v[3]);
        sb_table_set_num(tab, row, C_REGRET, v[4]);
        sb_table_set_num(tab, row, C_RELATIVE, v[5]);
        sb_table_set_num(tab, row, C_LO, lo);
        sb_table_set_num(tab, row, C_HI, hi);
    }
    if (!rc && tab->nrows) /* an empty table has no cells: sb_table_sort would memcpy from NULL */
        sb_table_sort(tab, cmp_rows);
    return rc;
}
