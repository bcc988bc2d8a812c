/* transfer_task.c — transferability scoring of a model zoo: one unit per (dataset, model)
 * pair of the manifest, cost N·D² (the dsyrk every feature scorer shares), every chosen
 * scorer run on one shared-statistics context. Tables: scores (formats.md, plus a reason
 * column for undefined values) and truth (when the manifest has accuracies). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/task.h"
#include "tasks/transfer/manifest.h"
#include "tasks/transfer/pair_file.h"
#include "tasks/transfer/scorer.h"

static const sb_option transfer_options[] = {
    {"manifest", SB_OPT_PATH, NULL, "CSV dataset,model,path[,accuracy][,imagenet_acc] (paths relative to it)", 1, SB_NO_RANGE},
    {"scorers", SB_OPT_STRING, "all", "comma-separated scorers, or all (see docs/scorers.md)", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

#define MAX_SCORERS 64

typedef struct transfer_state {
    sb_manifest m;
    size_t n_sel;
    const sb_scorer *sel[MAX_SCORERS]; /* NULL entry = imagenet_acc from the manifest */
} transfer_state;

static int add_scorer(transfer_state *s, const char *name, const sb_opts *o, sb_err *err)
{
    if (s->n_sel == MAX_SCORERS)
        return sb_fail(err, SB_EUSAGE, "%s: too many scorers", o->where);
    if (!strcmp(name, "imagenet_acc")) {
        if (!s->m.has_imagenet)
            return sb_fail(err, SB_EUSAGE, "%s: scorer imagenet_acc needs an imagenet_acc column in %s", o->where,
                           s->m.path);
        s->sel[s->n_sel++] = NULL;
        return 0;
    }
    const sb_scorer *sc = sb_scorer_find(name);
    if (!sc) {
        char known[512] = "";
        for (size_t i = 0; i < sb_n_scorers; i++)
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s, ", sb_scorers[i]->name);
        return sb_fail(err, SB_EUSAGE, "%s: unknown scorer '%s' (known: %simagenet_acc)", o->where, name, known);
    }
    for (size_t i = 0; i < s->n_sel; i++)
        if (s->sel[i] == sc)
            return sb_fail(err, SB_EUSAGE, "%s: scorer '%s' is named twice", o->where, name);
    s->sel[s->n_sel++] = sc;
    return 0;
}

static int transfer_open(sb_task_ctx *t, sb_err *err)
{
    transfer_state *s = sb_calloc(1, sizeof *s, "transfer task", err);
    if (!s)
        return SB_ENOMEM;
    t->state = s;
    char path[1024];
    int rc = sb_opts_path(t->opts, transfer_options, "manifest", path, sizeof path, err);
    if (!rc)
        rc = sb_manifest_read(&s->m, path, err);
    if (rc)
        return rc;
    const char *list = sb_opts_str(t->opts, transfer_options, "scorers");
    if (!strcmp(list, "all")) {
        for (size_t i = 0; i < sb_n_scorers && !rc; i++)
            rc = add_scorer(s, sb_scorers[i]->name, t->opts, err);
        if (!rc && s->m.has_imagenet)
            rc = add_scorer(s, "imagenet_acc", t->opts, err);
        return rc;
    }
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ", ", &save); tok && !rc; tok = strtok_r(NULL, ", ", &save))
        rc = add_scorer(s, tok, t->opts, err);
    if (!rc && s->n_sel == 0)
        rc = sb_fail(err, SB_EUSAGE, "%s: no scorer chosen", t->opts->where);
    return rc;
}

static void transfer_close(sb_task_ctx *t)
{
    transfer_state *s = t->state;
    if (s)
        sb_manifest_free(&s->m);
    free(s);
    t->state = NULL;
}

static int transfer_plan(sb_task_ctx *t, sb_units *units, sb_err *err)
{
    transfer_state *s = t->state;
    for (size_t i = 0; i < s->m.n; i++) {
        const sb_manifest_row *r = &s->m.rows[i];
        size_t n, d;
        /* A pair whose file cannot be read still gets its unit: it fails there, alone. */
        sb_pair_shape(r->path, &n, &d);
        char key[300];
        snprintf(key, sizeof key, "%s/%s", r->dataset, r->model);
        int rc = sb_units_add(units, key, (double)n * (double)d * (double)d + 1, (int64_t)i, err);
        if (rc)
            return rc;
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int transfer_run_unit(sb_task_ctx *t, const sb_unit *u, sb_buf *rec, char *stage, size_t scap, sb_err *err)
{
    transfer_state *s = t->state;
    const sb_manifest_row *row = &s->m.rows[u->arg];
    snprintf(stage, scap, "read");
    sb_pair p;
    int rc = sb_pair_read(&p, row->path, err);
    if (rc)
        return rc;
    sb_xfer_input in = {.n = p.n, .d = p.d, .f32 = p.f32, .f64 = p.f64, .y = p.y, .c = p.c,
                        .probs = p.probs, .cs = p.cs};
    sb_xfer_ctx *ctx = NULL;
    snprintf(stage, scap, "validate");
    if ((rc = sb_xfer_ctx_new(&in, &ctx, err))) {
        sb_wrap(err, "%s", row->path);
        sb_pair_free(&p);
        return rc;
    }
    sb_buf_put_u64(rec, p.n);
    sb_buf_put_u64(rec, p.d);
    sb_buf_put_u64(rec, (uint64_t)p.c);
    sb_buf_put_u64(rec, s->n_sel);
    for (size_t i = 0; i < s->n_sel && !rc; i++) {
        const sb_scorer *sc = s->sel[i];
        double v = NAN, t0 = now_s();
        char reason[256] = "";
        if (!sc) {
            v = row->imagenet_acc;
            if (isnan(v))
                snprintf(reason, sizeof reason, "no imagenet_acc for model %s in the manifest", row->model);
        } else if ((sc->needs & SB_NEEDS_PROBS) && !p.probs) {
            snprintf(reason, sizeof reason, "needs /source_probs, which the pair file lacks");
        } else {
            snprintf(stage, scap, "score:%s", sc->name);
            rc = sc->score(ctx, &v, reason, sizeof reason, err);
            if (rc)
                sb_wrap(err, "%s: scorer %s", row->path, sc->name);
            if (!rc && isnan(v) && !reason[0])
                snprintf(reason, sizeof reason, "undefined for this input");
        }
        double secs = now_s() - t0;
        sb_buf_put_str(rec, sc ? sc->name : "imagenet_acc");
        sb_buf_put_f64(rec, v);
        sb_buf_put_f64(rec, secs);
        sb_buf_put_str(rec, isfinite(v) ? "" : reason);
    }
    sb_xfer_ctx_free(ctx);
    sb_pair_free(&p);
    return rc;
}

static int transfer_finish(sb_task_ctx *t, const sb_unit *units, const sb_record *records, size_t n,
                           sb_tables *out, sb_err *err)
{
    transfer_state *s = t->state;
    const char *scols[] = {"dataset", "model", "scorer", "value", "seconds", "reason"};
    sb_table *scores, *truth = NULL;
    int rc = sb_tables_add(out, "scores", 6, scols, &scores, err);
    if (!rc && s->m.has_accuracy) {
        const char *tcols[] = {"dataset", "model", "accuracy"};
        rc = sb_tables_add(out, "truth", 3, tcols, &truth, err);
        scores = &out->t[0];
    }
    for (size_t i = 0; i < n && !rc; i++) {
        if (units[i].arg < 0 || (uint64_t)units[i].arg >= s->m.n) {
            rc = sb_fail(err, SB_EINPUT, "unit %s: pair %lld is not in the manifest %s (changed since the plan?)",
                         units[i].key, (long long)units[i].arg, s->m.path);
            break;
        }
        const sb_manifest_row *row = &s->m.rows[units[i].arg];
        if (truth && isfinite(row->accuracy)) {
            size_t r;
            if (!(rc = sb_table_add_row(truth, &r, err)) && !(rc = sb_table_set_str(truth, r, 0, row->dataset, err)) &&
                !(rc = sb_table_set_str(truth, r, 1, row->model, err)))
                sb_table_set_num(truth, r, 2, row->accuracy);
        }
        if (rc || !records[i].data || records[i].failed)
            continue;
        sb_reader rd;
        sb_reader_init(&rd, records[i].data, records[i].len);
        sb_get_u64(&rd);
        sb_get_u64(&rd);
        sb_get_u64(&rd);
        uint64_t k = sb_get_count(&rd, 32, UINT64_MAX); /* name, value, seconds, reason: 32 bytes or more */
        for (uint64_t j = 0; j < k && !rc && !rd.bad; j++) {
            char name[64], reason[256];
            sb_get_str(&rd, name, sizeof name);
            double v = sb_get_f64(&rd), secs = sb_get_f64(&rd);
            sb_get_str(&rd, reason, sizeof reason);
            size_t r;
            if ((rc = sb_table_add_row(scores, &r, err)) || (rc = sb_table_set_str(scores, r, 0, row->dataset, err)) ||
                (rc = sb_table_set_str(scores, r, 1, row->model, err)) ||
                (rc = sb_table_set_str(scores, r, 2, name, err)))
                break;
            sb_table_set_num(scores, r, 3, v);
            sb_table_set_num(scores, r, 4, secs);
            if (reason[0])
                rc = sb_table_set_str(scores, r, 5, reason, err);
        }
        if (!rc && rd.bad)
            rc = sb_fail(err, SB_EINPUT, "journal record of %s is corrupt", units[i].key);
    }
    return rc;
}

const sb_task sb_task_transfer = {
    .name = "transfer",
    .summary = "transferability scores of a model zoo (LogME, LEEP, NCE, H-score, GBC, TransRate, PARC, ...)",
    .cli = {"transfer", "score", "score a model zoo's transferability (specs/transferability.md)"},
    .tables = (const char *const[]){"scores", "truth", NULL},
    .options = transfer_options,
    .open = transfer_open,
    .plan = transfer_plan,
    .run_unit = transfer_run_unit,
    .finish = transfer_finish,
    .close = transfer_close,
};
