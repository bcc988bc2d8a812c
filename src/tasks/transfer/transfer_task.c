/* transfer_task.c — transferability scoring of a model zoo: one unit per (dataset, model)
 * pair of the manifest, cost N·D² (the dsyrk every feature scorer shares) plus what the
 * chosen scorers add, every chosen scorer run on one shared-statistics context. The tables
 * are built in transfer_finish.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tasks/transfer/pair_file.h"
#include "tasks/transfer/transfer_state.h"

static const sb_option transfer_options[] = {
    {"manifest", SB_OPT_PATH, NULL, "CSV dataset,model,path[,accuracy][,imagenet_acc] (paths relative to it)", 1, SB_NO_RANGE},
    {"scorers", SB_OPT_STRING, "all", "comma-separated scorers, or all (see docs/scorers.md)", 0, SB_NO_RANGE},
    {"etran_weights", SB_OPT_STRING, "1,1", "ETran's w_energy,w_lda (>= 0, sum > 0; 0.15,0.85 = the authors')", 0,
     SB_NO_RANGE},
    {"pactran_maxiter", SB_OPT_INT, "100", "PACTran's L-BFGS-B iterations at most", 0, {1, 100000}},
    {"pactran_lambda", SB_OPT_DOUBLE, "1", "PACTran's lambda (> 0; the prior's scale is lambda·N)", 0, SB_NO_RANGE},
    {"pactran_s2", SB_OPT_DOUBLE, NULL, "PACTran's s2 factor (> 0; default 100·lambda)", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

/* "a,b": two finite numbers >= 0 with a positive sum, nothing else. */
static int parse_weights(const sb_opts *o, const char *v, double w[2], sb_err *err)
{
    char *end;
    w[0] = strtod(v, &end);
    int ok = end != v && *end == ',';
    if (ok) {
        const char *b = end + 1;
        w[1] = strtod(b, &end);
        ok = end != b && !*end;
    }
    if (!ok || !isfinite(w[0]) || !isfinite(w[1]) || w[0] < 0 || w[1] < 0 || !(w[0] + w[1] > 0))
        return sb_fail(err, SB_EUSAGE, "%s: 'etran_weights' must be two numbers >= 0 with a positive sum, as 1,1 or "
                       "0.15,0.85, not '%s'", o->where, v);
    return 0;
}

static int read_params(const sb_opts *o, sb_scorer_params *p, sb_err *err)
{
    *p = sb_scorer_params_default;
    int rc = parse_weights(o, sb_opts_str(o, transfer_options, "etran_weights"), p->etran_w, err);
    if (!rc)
        rc = sb_opts_long(o, transfer_options, "pactran_maxiter", &p->pactran_maxiter, err);
    if (!rc)
        rc = sb_opts_double(o, transfer_options, "pactran_lambda", &p->pactran_lambda, err);
    if (!rc && !(p->pactran_lambda > 0))
        rc = sb_fail(err, SB_EUSAGE, "%s: 'pactran_lambda' must be > 0", o->where);
    p->pactran_s2 = 100.0 * p->pactran_lambda;
    if (!rc && sb_opts_str(o, transfer_options, "pactran_s2"))
        rc = sb_opts_double(o, transfer_options, "pactran_s2", &p->pactran_s2, err);
    if (!rc && !(p->pactran_s2 > 0))
        rc = sb_fail(err, SB_EUSAGE, "%s: 'pactran_s2' must be > 0", o->where);
    return rc;
}

static int add_scorer(transfer_state *s, const char *name, const sb_opts *o, sb_err *err)
{
    if (s->n_sel == SB_TRANSFER_MAX_SCORERS)
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
    if (!rc)
        rc = read_params(t->opts, &s->params, err);
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
    int needs_labels = 0; /* C and Σ n_c² only when a chosen scorer's cost uses them */
    for (size_t j = 0; j < s->n_sel; j++)
        needs_labels |= s->sel[j] && s->sel[j]->cost;
    for (size_t i = 0; i < s->m.n; i++) {
        const sb_manifest_row *r = &s->m.rows[i];
        size_t n, d;
        /* A pair whose file cannot be read still gets its unit: it fails there, alone. */
        sb_pair_shape(r->path, &n, &d);
        sb_pair_size sz = {(double)n, (double)d, 0.0, 0.0};
        if (needs_labels)
            sb_pair_label_sizes(r->path, n, &sz.c, &sz.sum_nc2);
        double cost = sz.n * sz.d * sz.d + 1;
        for (size_t j = 0; j < s->n_sel; j++)
            if (s->sel[j] && s->sel[j]->cost)
                cost += s->sel[j]->cost(&sz, &s->params);
        char key[300];
        snprintf(key, sizeof key, "%s/%s", r->dataset, r->model);
        int rc = sb_units_add(units, key, cost, (int64_t)i, err);
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

/* One chosen scorer on the unit's context, appended to the record (transfer_state.h). */
static int score_one(transfer_state *s, const sb_scorer *sc, const sb_manifest_row *row, sb_xfer_ctx *ctx,
                     int has_probs, sb_buf *rec, sb_err *err)
{
    double v = NAN, t0 = now_s();
    sb_scorer_parts parts = {.reason = ""};
    size_t np = sc ? sb_scorer_n_parts(sc) : 0;
    int rc = 0;
    if (!sc) {
        v = row->imagenet_acc;
        if (isnan(v))
            snprintf(parts.reason, sizeof parts.reason, "no imagenet_acc for model %s in the manifest", row->model);
    } else if ((sc->needs & SB_NEEDS_PROBS) && !has_probs) {
        snprintf(parts.reason, sizeof parts.reason, "needs /source_probs, which the pair file lacks");
        for (size_t j = 0; j < np; j++)
            parts.v[j] = NAN;
    } else {
        rc = sb_scorer_run(sc, ctx, &s->params, &v, &parts, err);
        if (rc)
            sb_wrap(err, "%s: scorer %s", row->path, sc->name);
        if (!rc && isnan(v) && !sc->combine_weights && !parts.reason[0])
            snprintf(parts.reason, sizeof parts.reason, "undefined for this input");
    }
    double secs = now_s() - t0;
    sb_buf_put_str(rec, sc ? sc->name : "imagenet_acc");
    sb_buf_put_f64(rec, v);
    sb_buf_put_f64(rec, secs);
    int all_defined = isfinite(v) || (sc && sc->combine_weights);
    for (size_t j = 0; j < np; j++)
        all_defined &= isfinite(parts.v[j]) != 0;
    sb_buf_put_str(rec, all_defined ? "" : parts.reason);
    sb_buf_put_u64(rec, np);
    for (size_t j = 0; j < np; j++)
        sb_buf_put_f64(rec, parts.v[j]);
    return rc;
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
        snprintf(stage, scap, "score:%s", s->sel[i] ? s->sel[i]->name : "imagenet_acc");
        rc = score_one(s, s->sel[i], row, ctx, p.probs != NULL, rec, err);
    }
    sb_xfer_ctx_free(ctx);
    sb_pair_free(&p);
    return rc;
}

const sb_task sb_task_transfer = {
    .name = "transfer",
    .summary = "transferability scores of a model zoo (LogME, LEEP, NCE, H-score, GBC, TransRate, PARC, ...)",
    .cli = {"transfer", "score", "score a model zoo's transferability (specs/transferability.md)"},
    .tables = (const char *const[]){"scores", "truth", "components", NULL},
    .options = transfer_options,
    .open = transfer_open,
    .plan = transfer_plan,
    .run_unit = transfer_run_unit,
    .finish = sb_transfer_finish,
    .close = transfer_close,
};
