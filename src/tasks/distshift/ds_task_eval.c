/* ds_task_eval.c — `distshift eval --input P.h5`: the metrics of specs/distshift.md for
 * predictions users bring, one unit per evaluation set /sets/<name> (score, label, optional
 * spurious, group and threshold attribute). A bad set fails alone (failures.csv, its message
 * naming the file, the set and the array); the others are still evaluated.
 * Output distshift.csv: set,n,accuracy,auc,balanced_accuracy,worst_group_accuracy,n_groups,reason
 * (reason says why auc is empty). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/task.h"
#include "io/h5read.h"
#include "tasks/distshift/ds_metrics.h"

static const sb_option eval_options[] = {
    {"input", SB_OPT_PATH, NULL, "HDF5 file with /sets/<name>/{score,label[,spurious][,group]}", 1, SB_NO_RANGE},
    {"threshold", SB_OPT_DOUBLE, "0.5", "decision threshold on the score (a set's threshold attribute wins)", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

typedef struct eval_state {
    char input[1024];
    double threshold;
} eval_state;

static int eval_open(sb_task_ctx *t, sb_err *err)
{
    eval_state *s = sb_calloc(1, sizeof *s, "distshift eval", err);
    if (!s)
        return SB_ENOMEM;
    t->state = s;
    int rc = sb_opts_path(t->opts, eval_options, "input", s->input, sizeof s->input, err);
    if (!rc)
        rc = sb_opts_double(t->opts, eval_options, "threshold", &s->threshold, err);
    if (!rc && !(s->threshold >= 0 && s->threshold <= 1))
        rc = sb_fail(err, SB_EUSAGE, "%s: threshold must be in [0,1], not %g", t->opts->where, s->threshold);
    return rc;
}

static void eval_close(sb_task_ctx *t)
{
    free(t->state);
    t->state = NULL;
}

static int eval_plan(sb_task_ctx *t, sb_units *units, sb_err *err)
{
    eval_state *s = t->state;
    sb_h5_quiet();
    sb_h5file f;
    int rc = sb_h5_open(&f, s->input, err);
    if (rc)
        return rc;
    size_t n = 0;
    char **names = NULL;
    if (!sb_h5_exists(&f, "/sets"))
        rc = sb_fail(err, SB_EINPUT, "%s: no group /sets (one subgroup per evaluation set expected)", s->input);
    if (!rc)
        rc = sb_h5_list_group(&f, "/sets", &n, &names, err);
    if (!rc && n == 0)
        rc = sb_fail(err, SB_EINPUT, "%s: /sets holds no evaluation set", s->input);
    for (size_t i = 0; i < n && !rc; i++) {
        char path[600];
        size_t dims[SB_H5_MAXRANK];
        int rank;
        double cost = 1;
        sb_err ignore;
        snprintf(path, sizeof path, "/sets/%s/score", names[i]);
        if (sb_h5_exists(&f, path) && !sb_h5_shape(&f, path, &rank, dims, &ignore) && rank == 1)
            cost += (double)dims[0];
        rc = sb_units_add(units, names[i], cost, (int64_t)i, err);
    }
    sb_h5_free_strings(names, n);
    sb_h5_close(&f);
    return rc;
}

/* Reads an optional integer array of a set as int; values outside int are an error. */
static int read_ints(const sb_h5file *f, const char *set, const char *field, int required, int **out, size_t *n,
                     sb_err *err)
{
    char path[700];
    snprintf(path, sizeof path, "/sets/%s/%s", set, field);
    *out = NULL;
    *n = 0;
    if (!sb_h5_exists(f, path))
        return required ? sb_fail(err, SB_EINPUT, "%s: set %s has no %s (%s)", f->path, set, field, path) : 0;
    size_t dims[SB_H5_MAXRANK];
    int64_t *v = NULL;
    int rc = sb_h5_read_i64(f, path, 1, dims, &v, err);
    if (rc)
        return rc;
    int *w = sb_malloc((dims[0] + 1) * sizeof *w, field, err);
    if (!w) {
        free(v);
        return SB_ENOMEM;
    }
    for (size_t i = 0; i < dims[0] && !rc; i++) {
        if (v[i] < INT_MIN || v[i] > INT_MAX)
            rc = sb_fail(err, SB_EINPUT, "%s: set %s: %s[%zu] = %lld is out of range", f->path, set, field, i,
                         (long long)v[i]);
        w[i] = (int)v[i];
    }
    free(v);
    if (rc) {
        free(w);
        return rc;
    }
    *out = w;
    *n = dims[0];
    return 0;
}

static int eval_run_unit(sb_task_ctx *t, const sb_unit *u, sb_buf *rec, char *stage, size_t scap, sb_err *err)
{
    eval_state *s = t->state;
    sb_h5_quiet();
    snprintf(stage, scap, "read");
    sb_h5file f;
    int rc = sb_h5_open(&f, s->input, err);
    if (rc)
        return rc;
    const char *set = u->key;
    char path[700];
    double *score = NULL, threshold = s->threshold;
    int *label = NULL, *spurious = NULL, *group = NULL;
    size_t ns = 0, nl = 0, na = 0, ng = 0, dims[SB_H5_MAXRANK];
    snprintf(path, sizeof path, "/sets/%s/score", set);
    if (!sb_h5_exists(&f, path))
        rc = sb_fail(err, SB_EINPUT, "%s: set %s has no score (%s)", f.path, set, path);
    if (!rc && !(rc = sb_h5_read_f64(&f, path, 1, dims, &score, err)))
        ns = dims[0];
    if (!rc)
        rc = read_ints(&f, set, "label", 1, &label, &nl, err);
    if (!rc)
        rc = read_ints(&f, set, "spurious", 0, &spurious, &na, err);
    if (!rc)
        rc = read_ints(&f, set, "group", 0, &group, &ng, err);
    snprintf(path, sizeof path, "/sets/%s", set);
    if (!rc && sb_h5_attr_exists(&f, path, "threshold"))
        rc = sb_h5_attr_f64(&f, path, "threshold", &threshold, err);
    sb_h5_close(&f);
    sb_ds_metrics m;
    if (!rc) {
        snprintf(stage, scap, "validate");
        rc = sb_ds_check_lengths(set, ns, nl, spurious ? na : ns, group ? ng : ns, err);
        if (!rc && ns == 0)
            rc = sb_fail(err, SB_EINPUT, "set %s: no samples (score is empty)", set);
        if (!rc)
            rc = sb_ds_check_set(set, score, label, spurious, ns, err);
        if (!rc && !(threshold >= 0 && threshold <= 1))
            rc = sb_fail(err, SB_EINPUT, "set %s: threshold attribute %g is outside [0,1]", set, threshold);
        if (!rc) {
            snprintf(stage, scap, "compute");
            rc = sb_ds_evaluate(set, score, label, spurious, group, ns, threshold, &m, err);
        }
        if (rc)
            sb_wrap(err, "%s", s->input);
    }
    if (!rc) {
        sb_buf_put_str(rec, set);
        sb_buf_put_u64(rec, m.n);
        sb_buf_put_f64(rec, m.accuracy);
        sb_buf_put_f64(rec, m.auc);
        sb_buf_put_f64(rec, m.balanced_accuracy);
        sb_buf_put_f64(rec, m.worst_group_accuracy);
        sb_buf_put_u64(rec, m.n_groups);
        sb_buf_put_str(rec, m.auc_reason);
    }
    free(score);
    free(label);
    free(spurious);
    free(group);
    return rc;
}

static const char *const EVAL_COLS[] = {"set", "n", "accuracy", "auc", "balanced_accuracy", "worst_group_accuracy",
                                        "n_groups", "reason"};

static int eval_finish(sb_task_ctx *t, const sb_unit *units, const sb_record *records, size_t n, sb_tables *out,
                       sb_err *err)
{
    (void)t;
    sb_table *tab;
    int rc = sb_tables_add(out, "distshift", sizeof EVAL_COLS / sizeof EVAL_COLS[0], EVAL_COLS, &tab, err);
    for (size_t i = 0; i < n && !rc; i++) {
        if (!records[i].data || records[i].failed)
            continue;
        sb_reader rd;
        sb_reader_init(&rd, records[i].data, records[i].len);
        char set[512], reason[256];
        sb_get_str(&rd, set, sizeof set);
        uint64_t nn = sb_get_u64(&rd);
        double acc = sb_get_f64(&rd), auc = sb_get_f64(&rd), bacc = sb_get_f64(&rd), wga = sb_get_f64(&rd);
        uint64_t ng = sb_get_u64(&rd);
        sb_get_str(&rd, reason, sizeof reason);
        if (rd.bad || nn > INT64_MAX || ng > nn) {
            rc = sb_fail(err, SB_EINPUT, "journal record of set %s is corrupt", units[i].key);
            break;
        }
        size_t row;
        if ((rc = sb_table_add_row(tab, &row, err)) || (rc = sb_table_set_str(tab, row, 0, set, err)))
            break;
        sb_table_set_int(tab, row, 1, (int64_t)nn);
        sb_table_set_num(tab, row, 2, acc);
        sb_table_set_num(tab, row, 3, auc);
        sb_table_set_num(tab, row, 4, bacc);
        sb_table_set_num(tab, row, 5, wga);
        sb_table_set_int(tab, row, 6, (int64_t)ng);
        rc = sb_table_set_str(tab, row, 7, reason, err);
    }
    return rc;
}

const sb_task sb_task_distshift_eval = {
    .name = "distshift_eval",
    .summary = "distribution-shift metrics of user predictions, one row per /sets/<name> (specs/distshift.md)",
    .cli = {"distshift", "eval", "distribution-shift metrics of your predictions (specs/distshift.md)"},
    .tables = (const char *const[]){"distshift", NULL},
    .options = eval_options,
    .open = eval_open,
    .plan = eval_plan,
    .run_unit = eval_run_unit,
    .finish = eval_finish,
    .close = eval_close,
};
