/* judge_task.c — `shardbench transfer evaluate`: scorer values and ground-truth accuracies
 * in, leaderboard (and combination) tables out (specs/transferability.md "Judging scorers",
 * "Combining scorers"; formats.md "Leaderboard"). This file holds the options, the plan and
 * the dispatch of units; the numbers are made in leaderboard.c, bootstrap.c, combine_task.c. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/task.h"
#include "tasks/judge/judge.h"

static const sb_option judge_options[] = {
    {"scores", SB_OPT_PATH, NULL, "scores CSV, long format: dataset,model,scorer,value[,...]", 1, SB_NO_RANGE},
    {"truth", SB_OPT_PATH, NULL, "ground-truth CSV: dataset,model,accuracy (may be the scores file)", 1, SB_NO_RANGE},
    {"dataset_col", SB_OPT_STRING, "dataset", "column of the dataset name (both files)", 0, SB_NO_RANGE},
    {"model_col", SB_OPT_STRING, "model", "column of the model name (both files)", 0, SB_NO_RANGE},
    {"scorer_col", SB_OPT_STRING, "scorer", "column of the scorer name (scores)", 0, SB_NO_RANGE},
    {"value_col", SB_OPT_STRING, "value", "column of the scorer value (scores)", 0, SB_NO_RANGE},
    {"accuracy_col", SB_OPT_STRING, "accuracy", "column of the accuracy (truth)", 0, SB_NO_RANGE},
    {"bootstrap", SB_OPT_INT, "1000", "bootstrap resamples for the 95% CI of tau (0 = none)", 0, {0, 1000000}},
    {"combine", SB_OPT_STRING, "none", "scorer combinations: none, zmean, bayes or zmean,bayes", 0, SB_NO_RANGE},
    {"combine_scorers", SB_OPT_STRING, NULL, "comma-separated scorers to combine (unset: every scorer "
                                             "of the scores file, imagenet_acc included)", 0, SB_NO_RANGE},
    {"chains", SB_OPT_INT, "4", "Gibbs chains per bayes fit (each one unit)", 0, {1, 64}},
    {"bayes_burn", SB_OPT_INT, "1000", "Gibbs sweeps discarded per chain", 0, {0, 10000000}},
    {"bayes_draws", SB_OPT_INT, "2000", "Gibbs draws kept per chain", 0, {4, 1000000}},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

static int copy_opt(const sb_task_ctx *t, const char *key, char *out, size_t cap, sb_err *err)
{
    const char *v = sb_opts_str(t->opts, judge_options, key);
    if (!v || !v[0])
        return sb_fail(err, SB_EUSAGE, "%s: %s must name a column", t->opts->where, key);
    if (strlen(v) >= cap)
        return sb_fail(err, SB_EUSAGE, "%s: %s is too long", t->opts->where, key);
    snprintf(out, cap, "%s", v);
    return 0;
}

static int judge_open(sb_task_ctx *t, sb_err *err)
{
    sb_judge_state *s = sb_calloc(1, sizeof *s, "judge task", err);
    if (!s)
        return SB_ENOMEM;
    t->state = s;
    int rc;
    if ((rc = sb_opts_path(t->opts, judge_options, "scores", s->scores, sizeof s->scores, err)) ||
        (rc = sb_opts_path(t->opts, judge_options, "truth", s->truth, sizeof s->truth, err)) ||
        (rc = copy_opt(t, "dataset_col", s->col_dataset, sizeof s->col_dataset, err)) ||
        (rc = copy_opt(t, "model_col", s->col_model, sizeof s->col_model, err)) ||
        (rc = copy_opt(t, "scorer_col", s->col_scorer, sizeof s->col_scorer, err)) ||
        (rc = copy_opt(t, "value_col", s->col_value, sizeof s->col_value, err)) ||
        (rc = copy_opt(t, "accuracy_col", s->col_accuracy, sizeof s->col_accuracy, err)) ||
        (rc = sb_opts_long(t->opts, judge_options, "bootstrap", &s->bootstrap, err)) ||
        (rc = sb_opts_long(t->opts, judge_options, "chains", &s->chains, err)) ||
        (rc = sb_opts_long(t->opts, judge_options, "bayes_burn", &s->bayes_burn, err)) ||
        (rc = sb_opts_long(t->opts, judge_options, "bayes_draws", &s->bayes_draws, err)))
        return rc;
    if (s->bootstrap < 0 || s->bootstrap > 1000000)
        return sb_fail(err, SB_EUSAGE, "%s: bootstrap must be between 0 and 1000000, not %ld", t->opts->where,
                       s->bootstrap);
    if (s->chains < 1 || s->chains > 64)
        return sb_fail(err, SB_EUSAGE, "%s: chains must be between 1 and 64, not %ld", t->opts->where, s->chains);
    if (s->bayes_burn < 0 || s->bayes_draws < 4 || s->bayes_burn > 10000000 || s->bayes_draws > 1000000)
        return sb_fail(err, SB_EUSAGE, "%s: bayes_burn must be >= 0 and bayes_draws between 4 and 1000000",
                       t->opts->where);
    const char *c = sb_opts_str(t->opts, judge_options, "combine");
    char buf[256];
    snprintf(buf, sizeof buf, "%s", c ? c : "none");
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (!strcmp(tok, "zmean"))
            s->zmean = 1;
        else if (!strcmp(tok, "bayes"))
            s->bayes = 1;
        else if (strcmp(tok, "none"))
            return sb_fail(err, SB_EUSAGE, "%s: combine takes none, zmean, bayes or a comma list of them, not '%s'",
                           t->opts->where, tok);
    }
    const char *cs = sb_opts_str(t->opts, judge_options, "combine_scorers");
    if (cs && strlen(cs) >= sizeof s->combine_scorers)
        return sb_fail(err, SB_EUSAGE, "%s: combine_scorers is too long", t->opts->where);
    snprintf(s->combine_scorers, sizeof s->combine_scorers, "%s", cs ? cs : "");
    return 0;
}

static void judge_close(sb_task_ctx *t)
{
    sb_judge_state *s = t->state;
    if (s) {
        sb_judge_data_free(&s->data);
        free(s->comb);
    }
    free(s);
    t->state = NULL;
}

int sb_judge_load(sb_judge_state *s, sb_err *err)
{
    if (s->loaded)
        return 0;
    sb_judge_cols cols = {s->col_dataset, s->col_model, s->col_scorer, s->col_value, s->col_accuracy};
    int rc = sb_judge_read(&s->data, s->scores, s->truth, &cols, err);
    if (rc)
        return rc;
    const sb_judge_data *d = &s->data;
    s->comb = sb_malloc((d->n_scorers ? d->n_scorers : 1) * sizeof *s->comb, "combination inputs", err);
    if (!s->comb)
        return SB_ENOMEM;
    s->n_comb = 0;
    if (!s->combine_scorers[0]) {
        for (size_t i = 0; i < d->n_scorers; i++)
            s->comb[s->n_comb++] = i;
    } else {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", s->combine_scorers);
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
            long k = sb_judge_scorer_index(d, tok);
            if (k < 0)
                return sb_fail(err, SB_EUSAGE, "combine_scorers: %s has no scorer '%s'", s->scores, tok);
            int dup = 0;
            for (size_t j = 0; j < s->n_comb; j++)
                dup |= s->comb[j] == (size_t)k;
            if (dup)
                return sb_fail(err, SB_EUSAGE, "combine_scorers: '%s' is named twice", tok);
            s->comb[s->n_comb++] = (size_t)k;
        }
    }
    if ((s->zmean || s->bayes) && !s->n_comb)
        return sb_fail(err, SB_EUSAGE, "combine: no scorer to combine");
    s->loaded = 1;
    return 0;
}

int sb_judge_dataset_ok(const sb_judge_data *d, size_t di) { return d->ds[di].n_models >= 3; }

int sb_judge_pair_ok(const sb_judge_data *d, size_t di, size_t si)
{
    return sb_judge_dataset_ok(d, di) && d->ds[di].n_values[si] >= 3;
}

int sb_judge_combine_ok(const sb_judge_state *s, size_t di, char *why, size_t cap)
{
    const sb_judge_dataset *ds = &s->data.ds[di];
    if (!sb_judge_dataset_ok(&s->data, di)) {
        if (why)
            snprintf(why, cap, "dataset %s is not evaluated (see check/%s)", ds->name, ds->name);
        return 0;
    }
    for (size_t k = 0; k < s->n_comb; k++) {
        size_t si = s->comb[k];
        if (ds->n_values[si] == ds->n_models)
            continue;
        if (why) {
            const char *m = "";
            for (size_t i = 0; i < ds->n_models && !m[0]; i++)
                if (isnan(ds->value[i * s->data.n_scorers + si]))
                    m = ds->models[i];
            if (ds->n_values[si] == 0)
                snprintf(why, cap, "dataset %s has no %s values; it is left out of the combination", ds->name,
                         s->data.scorers[si]);
            else
                snprintf(why, cap, "dataset %s: model %s has no %s value; the dataset is left out of the "
                         "combination, which needs every input scorer for every model", ds->name, m,
                         s->data.scorers[si]);
        }
        return 0;
    }
    return 1;
}

uint64_t sb_judge_stream(const char *key)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}

static int add_unit(sb_units *us, double cost, int64_t arg, sb_err *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int add_unit(sb_units *us, double cost, int64_t arg, sb_err *err, const char *fmt, ...)
{
    char key[400];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(key, sizeof key, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof key)
        return sb_fail(err, SB_EINPUT, "unit name '%s' is too long: shorten the dataset or scorer name", key);
    return sb_units_add(us, key, cost, arg, err);
}

static int judge_plan(sb_task_ctx *t, sb_units *units, sb_err *err)
{
    sb_judge_state *s = t->state;
    int rc = sb_judge_load(s, err);
    if (rc)
        return rc;
    const sb_judge_data *d = &s->data;
    if (d->n_datasets >= 0xffffff || d->n_scorers >= 0xffffff)
        return sb_fail(err, SB_EINPUT, "%s: too many datasets or scorers", s->scores);
    size_t n_ok = 0, n_comb_ok = 0;
    for (size_t di = 0; di < d->n_datasets && !rc; di++) {
        n_ok += sb_judge_dataset_ok(d, di);
        n_comb_ok += sb_judge_combine_ok(s, di, NULL, 0);
        if (d->ds[di].n_notes || !sb_judge_dataset_ok(d, di))
            rc = add_unit(units, 1, SB_JUDGE_ARG(SB_JU_CHECK, di, 0), err, "check/%s", d->ds[di].name);
    }
    if (!rc && n_ok == 0)
        return sb_fail(err, SB_EINPUT, "%s and %s: no dataset has 3 models with both scores and an accuracy; "
                       "check the column options and the names of datasets and models", s->scores, s->truth);
    for (size_t di = 0; di < d->n_datasets && !rc; di++)
        for (size_t si = 0; si < d->n_scorers && !rc; si++)
            if (sb_judge_dataset_ok(d, di) && d->ds[di].has_rows[si])
                rc = add_unit(units, (double)d->ds[di].n_models, SB_JUDGE_ARG(SB_JU_EVAL, di, si), err,
                              "eval/%s/%s", d->ds[di].name, d->scorers[si]);
    size_t rows = 0;
    for (size_t di = 0; di < d->n_datasets; di++)
        rows += sb_judge_dataset_ok(d, di) ? d->ds[di].n_models : 0;
    for (size_t si = 0; si < d->n_scorers && !rc; si++) {
        int any = 0;
        for (size_t di = 0; di < d->n_datasets; di++)
            any |= sb_judge_pair_ok(d, di, si);
        if (any)
            rc = add_unit(units, (double)rows, SB_JUDGE_ARG(SB_JU_ALL, 0, si), err, "eval/ALL/%s", d->scorers[si]);
    }
    size_t blocks = (size_t)(s->bootstrap + SB_JUDGE_BOOT_BLOCK - 1) / SB_JUDGE_BOOT_BLOCK;
    for (size_t di = 0; di < d->n_datasets && !rc; di++)
        for (size_t b = 0; b < blocks && !rc && sb_judge_dataset_ok(d, di); b++)
            rc = add_unit(units, (double)SB_JUDGE_BOOT_BLOCK * (double)d->ds[di].n_models * (double)d->n_scorers,
                          SB_JUDGE_ARG(SB_JU_BOOT, di, b), err, "boot/%s/%zu", d->ds[di].name, b);
    for (size_t b = 0; b < blocks && !rc; b++)
        rc = add_unit(units, (double)SB_JUDGE_BOOT_BLOCK * (double)rows * (double)d->n_scorers,
                      SB_JUDGE_ARG(SB_JU_BOOT_ALL, 0, b), err, "boot/ALL/%zu", b);
    if (!rc && (s->zmean || s->bayes))
        for (size_t di = 0; di < d->n_datasets && !rc; di++)
            if (sb_judge_dataset_ok(d, di))
                rc = add_unit(units, (double)d->ds[di].n_models, SB_JUDGE_ARG(SB_JU_COMBINE, di, 0), err,
                              "combine/%s", d->ds[di].name);
    if (!rc && s->bayes) {
        if (n_comb_ok < 2)
            return sb_fail(err, SB_EINPUT, "combine=bayes needs at least 2 datasets with every combined scorer "
                           "for every model (leave-one-dataset-out); %zu found in %s", n_comb_ok, s->scores);
        double cost = (double)(s->bayes_burn + s->bayes_draws) * (double)rows * (double)(s->n_comb + 1);
        for (size_t c = 0; c < (size_t)s->chains && !rc; c++)
            rc = add_unit(units, cost, SB_JUDGE_ARG(SB_JU_BAYES, 0, c), err, "bayes/all/chain%zu", c);
        for (size_t di = 0; di < d->n_datasets && !rc; di++)
            for (size_t c = 0; c < (size_t)s->chains && !rc && sb_judge_combine_ok(s, di, NULL, 0); c++)
                rc = add_unit(units, cost, SB_JUDGE_ARG(SB_JU_BAYES, di + 1, c), err, "bayes/without-%s/chain%zu",
                              d->ds[di].name, c);
    }
    return rc;
}

/* The notes of a dataset as one line, as many as fit. */
static int check_dataset(const sb_judge_data *d, size_t di, sb_err *err)
{
    const sb_judge_dataset *ds = &d->ds[di];
    char msg[1000];
    size_t len = 0, shown = 0;
    msg[0] = '\0';
    if (!sb_judge_dataset_ok(d, di))
        len = (size_t)snprintf(msg, sizeof msg, "dataset %s not evaluated: %zu model(s) have both scores and an "
                               "accuracy, 3 are needed", ds->name, ds->n_models);
    for (size_t k = 0; k < ds->n_notes; k++) {
        size_t need = strlen(ds->notes[k]) + 2;
        if (len + need + 40 >= sizeof msg)
            break;
        len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s", len ? "; " : "", ds->notes[k]);
        shown++;
    }
    if (shown < ds->n_notes)
        snprintf(msg + len, sizeof msg - len, "%s(+%zu more problems)", len ? "; " : "", ds->n_notes - shown);
    return sb_fail(err, SB_EINPUT, "%s", msg);
}

static int judge_run_unit(sb_task_ctx *t, const sb_unit *u, sb_buf *rec, char *stage, size_t scap, sb_err *err)
{
    sb_judge_state *s = t->state;
    snprintf(stage, scap, "read");
    int rc = sb_judge_load(s, err);
    if (rc)
        return rc;
    int kind = SB_JUDGE_KIND(u->arg);
    size_t a = SB_JUDGE_A(u->arg), b = SB_JUDGE_B(u->arg);
    const sb_judge_data *d = &s->data;
    snprintf(stage, scap, "validate");
    /* the data read on this rank must be the data the plan was made from */
    if ((kind == SB_JU_CHECK || kind == SB_JU_EVAL || kind == SB_JU_BOOT || kind == SB_JU_COMBINE) &&
        a >= d->n_datasets)
        return sb_fail(err, SB_EINPUT, "%s: the input changed since the plan (no dataset %zu)", s->scores, a);
    if ((kind == SB_JU_EVAL || kind == SB_JU_ALL) && b >= d->n_scorers)
        return sb_fail(err, SB_EINPUT, "%s: the input changed since the plan (no scorer %zu)", s->scores, b);
    switch (kind) {
    case SB_JU_CHECK:
        return check_dataset(d, a, err);
    case SB_JU_EVAL:
        if (!sb_judge_pair_ok(d, a, b))
            return sb_fail(err, SB_EINPUT, "dataset %s, scorer %s: %zu model(s) have both a value and an "
                           "accuracy, 3 are needed", d->ds[a].name, d->scorers[b], d->ds[a].n_values[b]);
        snprintf(stage, scap, "compute");
        return sb_judge_run_eval(s, a, b, rec, err);
    case SB_JU_ALL:
        snprintf(stage, scap, "compute");
        return sb_judge_run_all(s, b, rec, err);
    case SB_JU_BOOT:
        snprintf(stage, scap, "compute");
        return sb_judge_run_boot(s, (long)a, b, t->seed, u->key, rec, err);
    case SB_JU_BOOT_ALL:
        snprintf(stage, scap, "compute");
        return sb_judge_run_boot(s, -1, b, t->seed, u->key, rec, err);
    case SB_JU_COMBINE: {
        char why[800];
        if (!sb_judge_combine_ok(s, a, why, sizeof why))
            return sb_fail(err, SB_EINPUT, "%s", why);
        snprintf(stage, scap, "compute");
        return sb_judge_run_combine(s, a, rec, err);
    }
    case SB_JU_BAYES:
        if (a > d->n_datasets)
            return sb_fail(err, SB_EINPUT, "%s: the input changed since the plan", s->scores);
        snprintf(stage, scap, "compute");
        return sb_judge_run_bayes(s, (long)a - 1, b, t->seed, u->key, rec, err);
    default:
        return sb_fail(err, SB_EINPUT, "unit %s: unknown kind %d", u->key, kind);
    }
}

static int judge_finish(sb_task_ctx *t, const sb_unit *units, const sb_record *records, size_t n,
                        sb_tables *out, sb_err *err)
{
    int rc = sb_judge_leaderboard(units, records, n, out, err);
    if (!rc)
        rc = sb_judge_combination(t->state, units, records, n, out, err);
    return rc;
}

const sb_task sb_task_judge = {
    .name = "judge",
    .summary = "judge transferability scorers against ground-truth accuracies (leaderboard, combination)",
    .cli = {"transfer", "evaluate", "judge transferability scorers against accuracies: leaderboard, combination (specs/transferability.md)"},
    .tables = (const char *const[]){"leaderboard", "combination", "combination_weights", NULL},
    .options = judge_options,
    .open = judge_open,
    .plan = judge_plan,
    .run_unit = judge_run_unit,
    .finish = judge_finish,
    .close = judge_close,
};
