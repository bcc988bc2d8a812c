/* explain_task.c — `shardbench explain verify`: CaCE and P̂NS of concept edits per (concept,
 * class) target (specs/explain.md). Units: one concept × a block of at most 64 of its targets,
 * cost M × block; each unit reads out_orig and out_edit[:, j, :] once. The whole input is
 * checked at plan time, so a bad file stops the run (exit 2) before any unit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/task.h"
#include "tasks/explain/explain_input.h"
#include "tasks/explain/explain_stats.h"
#include "tasks/explain/explain_table.h"

#define BLOCK 64

static const sb_option explain_options[] = {
    {"input", SB_OPT_PATH, NULL, "HDF5 file with the /explain group (specs/explain.md)", 1, SB_NO_RANGE},
    {"f_space", SB_OPT_STRING, "prob", "compared output: prob, logit or decision", 0, SB_NO_RANGE},
    {"level", SB_OPT_DOUBLE, "0.95", "confidence level of every interval, in (0, 1)", 0, SB_NO_RANGE},
    {"bootstrap", SB_OPT_INT, "0", "paired bootstrap resamples (0 = off)", 0, {0, 1000000}},
    {"targets", SB_OPT_STRING, "auto", "auto (the hypotheses, else every pair) or all", 0, SB_NO_RANGE},
    {"accept_cace", SB_OPT_DOUBLE, "0", "acceptance: the CI must exclude this effect (f-space units)", 0, SB_NO_RANGE},
    {"accept_pns", SB_OPT_DOUBLE, "0", "acceptance: least pns (pns_rev for a claimed -1)", 0, SB_NO_RANGE},
    {"accept_sign_p", SB_OPT_DOUBLE, "1", "acceptance: largest sign test p (1 = off)", 0, SB_NO_RANGE},
    {"accept_ci", SB_OPT_STRING, "t", "interval of the acceptance rule: t or bootstrap", 0, SB_NO_RANGE},
    {"estimator", SB_OPT_STRING, "paired", "estimator (paired is the only one today)", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

static const char *const SPACES[] = {"prob", "logit", "decision"};

typedef struct explain_state {
    char input[1024];
    sb_ex_space space;
    int all_targets;
    sb_explain_opts eo;
} explain_state;

static int pick(const sb_opts *o, const char *key, const char *const *allowed, int n, int *out, sb_err *err)
{
    const char *v = sb_opts_str(o, explain_options, key);
    for (int i = 0; i < n; i++)
        if (!strcmp(v, allowed[i])) {
            *out = i;
            return 0;
        }
    return sb_fail(err, SB_EUSAGE, "%s: %s is '%s'; expected %s%s%s%s%s", o->where, key, v, allowed[0],
                   n > 1 ? " or " : "", n > 1 ? allowed[1] : "", n > 2 ? " or " : "", n > 2 ? allowed[2] : "");
}

static int explain_open(sb_task_ctx *t, sb_err *err)
{
    explain_state *s = sb_calloc(1, sizeof *s, "explain task", err);
    if (!s)
        return SB_ENOMEM;
    t->state = s;
    const sb_opts *o = t->opts;
    int space = 0, targets = 0, ci = 0, est = 0, rc;
    if ((rc = sb_opts_path(o, explain_options, "input", s->input, sizeof s->input, err)) ||
        (rc = pick(o, "f_space", SPACES, 3, &space, err)) ||
        (rc = pick(o, "targets", (const char *const[]){"auto", "all"}, 2, &targets, err)) ||
        (rc = pick(o, "accept_ci", (const char *const[]){"t", "bootstrap"}, 2, &ci, err)) ||
        (rc = pick(o, "estimator", (const char *const[]){"paired"}, 1, &est, err)) ||
        (rc = sb_opts_double(o, explain_options, "level", &s->eo.level, err)) ||
        (rc = sb_opts_long(o, explain_options, "bootstrap", &s->eo.bootstrap, err)) ||
        (rc = sb_opts_double(o, explain_options, "accept_cace", &s->eo.accept_cace, err)) ||
        (rc = sb_opts_double(o, explain_options, "accept_pns", &s->eo.accept_pns, err)) ||
        (rc = sb_opts_double(o, explain_options, "accept_sign_p", &s->eo.accept_sign_p, err)))
        return rc;
    s->space = (sb_ex_space)space;
    s->all_targets = targets == 1;
    s->eo.accept_boot = ci == 1;
    s->eo.seed = t->seed;
    if (!(s->eo.level > 0 && s->eo.level < 1))
        return sb_fail(err, SB_EUSAGE, "%s: level must be in (0, 1), not %g", o->where, s->eo.level);
    if (s->eo.accept_boot && s->eo.bootstrap == 0)
        return sb_fail(err, SB_EUSAGE, "%s: accept_ci bootstrap needs bootstrap > 0 resamples", o->where);
    if (!isfinite(s->eo.accept_cace) || !isfinite(s->eo.accept_pns) || !isfinite(s->eo.accept_sign_p))
        return sb_fail(err, SB_EUSAGE, "%s: the accept_* thresholds must be finite numbers", o->where);
    return 0;
}

static void explain_close(sb_task_ctx *t)
{
    free(t->state);
    t->state = NULL;
}

/* Reads and checks everything once (a bad file stops the run here), then lists the units. */
static int explain_plan(sb_task_ctx *t, sb_units *units, sb_err *err)
{
    explain_state *s = t->state;
    sb_explain_input in;
    double *orig = NULL, *edit = NULL;
    sb_ex_target *tg = NULL;
    size_t nt = 0;
    int rc = sb_explain_open(&in, s->input, s->space, err);
    if (!rc)
        rc = sb_explain_read_orig(&in, s->space, &orig, err);
    if (!rc)
        rc = sb_explain_targets(&in, s->all_targets, &tg, &nt, err);
    for (size_t j = 0, a = 0; j < in.nj && !rc; j++) {
        if ((rc = sb_explain_read_edit(&in, s->space, j, &edit, err)))
            break;
        free(edit);
        edit = NULL;
        size_t m = 0, first = a;
        for (size_t i = 0; i < in.n; i++)
            m += (size_t)sb_explain_used(&in, i, j);
        while (a < nt && tg[a].j == j)
            a++;
        for (size_t b = first; b < a && !rc; b += BLOCK) {
            size_t nb = a - b < BLOCK ? a - b : BLOCK;
            char key[600];
            snprintf(key, sizeof key, "%s/targets %zu-%zu", in.concepts[j], b - first, b - first + nb - 1);
            rc = sb_units_add(units, key, (double)(m ? m : 1) * (double)nb, (int64_t)((j << 32) | (b - first)), err);
        }
    }
    free(edit);
    free(orig);
    free(tg);
    sb_explain_close(&in);
    return rc;
}

/* The pairs of concept j for class k from the transformed outputs (N×K each). */
static void gather(const sb_explain_input *in, size_t j, size_t k, const double *fo, const unsigned char *dor,
                   const double *fe, const unsigned char *de, double *fp, double *fm, unsigned char *dp,
                   unsigned char *dm, signed char *dir, size_t *m)
{
    size_t K = in->nk, c = 0;
    for (size_t i = 0; i < in->n; i++) {
        if (!sb_explain_used(in, i, j))
            continue;
        int add = in->dir[i * in->nj + j] > 0; /* +1: the edit carries the concept */
        size_t x = i * K + k;
        fp[c] = add ? fe[x] : fo[x];
        fm[c] = add ? fo[x] : fe[x];
        dp[c] = add ? de[x] : dor[x];
        dm[c] = add ? dor[x] : de[x];
        dir[c++] = add ? 1 : -1;
    }
    *m = c;
}

typedef struct unit_arrays {
    double *orig, *edit, *fo, *fe, *fp, *fm;
    unsigned char *dor, *de, *dp, *dm;
    signed char *dir;
    sb_ex_target *tg;
} unit_arrays;

static void free_arrays(unit_arrays *a)
{
    free(a->orig), free(a->edit), free(a->fo), free(a->fe), free(a->fp), free(a->fm);
    free(a->dor), free(a->de), free(a->dp), free(a->dm), free(a->dir), free(a->tg);
}

static int alloc_arrays(unit_arrays *a, size_t n, size_t k, sb_err *err)
{
    size_t nk = n * k;
    a->fo = malloc(nk * sizeof *a->fo), a->fe = malloc(nk * sizeof *a->fe);
    a->fp = malloc(n * sizeof *a->fp), a->fm = malloc(n * sizeof *a->fm);
    a->dor = malloc(nk), a->de = malloc(nk), a->dp = malloc(n), a->dm = malloc(n), a->dir = malloc(n);
    if (!a->fo || !a->fe || !a->fp || !a->fm || !a->dor || !a->de || !a->dp || !a->dm || !a->dir)
        return sb_fail(err, SB_ENOMEM, "out of memory for explain pairs (%zu images x %zu classes)", n, k);
    return 0;
}

static int run_targets(sb_task_ctx *t, sb_explain_input *in, size_t j, size_t first, unit_arrays *a,
                       size_t nt, sb_buf *rec, sb_err *err)
{
    explain_state *s = t->state;
    size_t lo = 0;
    while (lo < nt && a->tg[lo].j != j)
        lo++;
    lo += first;
    size_t hi = lo;
    while (hi < nt && a->tg[hi].j == j && hi - lo < BLOCK)
        hi++;
    sb_explain_row_header(rec, in, s->space, j, hi - lo);
    for (size_t x = lo; x < hi; x++) {
        size_t k = a->tg[x].k, m;
        gather(in, j, k, a->fo, a->dor, a->fe, a->de, a->fp, a->fm, a->dp, a->dm, a->dir, &m);
        sb_explain_pairs p = {m, a->fp, a->fm, a->dp, a->dm, a->dir};
        sb_explain_est e;
        int rc = sb_explain_estimate(&p, a->tg[x].sign, (uint64_t)(j * in->nk + k), &s->eo, &e, err);
        if (rc)
            return rc;
        sb_explain_row_put(rec, in, k, a->tg[x].sign, &e);
    }
    return 0;
}

static int explain_run_unit(sb_task_ctx *t, const sb_unit *u, sb_buf *rec, char *stage, size_t scap, sb_err *err)
{
    explain_state *s = t->state;
    size_t j = (size_t)((uint64_t)u->arg >> 32), first = (size_t)((uint64_t)u->arg & 0xffffffffu), nt = 0;
    unit_arrays a;
    memset(&a, 0, sizeof a);
    sb_explain_input in;
    snprintf(stage, scap, "read");
    int rc = sb_explain_open(&in, s->input, s->space, err);
    if (!rc && j >= in.nj)
        rc = sb_fail(err, SB_EINPUT, "%s: concept %zu of the plan is not in the file", s->input, j);
    if (!rc)
        rc = sb_explain_read_orig(&in, s->space, &a.orig, err);
    if (!rc)
        rc = sb_explain_read_edit(&in, s->space, j, &a.edit, err);
    if (!rc)
        rc = sb_explain_targets(&in, s->all_targets, &a.tg, &nt, err);
    if (!rc)
        rc = alloc_arrays(&a, in.n, in.nk, err);
    if (!rc) {
        snprintf(stage, scap, "compute");
        for (size_t i = 0; i < in.n; i++) {
            sb_explain_transform(&in, s->space, a.orig + i * in.nk, a.fo + i * in.nk, a.dor + i * in.nk);
            if (sb_explain_used(&in, i, j))
                sb_explain_transform(&in, s->space, a.edit + i * in.nk, a.fe + i * in.nk, a.de + i * in.nk);
        }
        rc = run_targets(t, &in, j, first, &a, nt, rec, err);
    }
    free_arrays(&a);
    sb_explain_close(&in);
    return rc;
}

static int explain_finish(sb_task_ctx *t, const sb_unit *units, const sb_record *records, size_t n,
                          sb_tables *out, sb_err *err)
{
    (void)t;
    return sb_explain_table(units, records, n, out, err);
}

const sb_task sb_task_explain = {
    .name = "explain",
    .summary = "verify concept explanations: CaCE, PNS, intervals, sign test, acceptance (specs/explain.md)",
    .cli = {"explain", "verify", "CaCE and PNS of concept edits per (concept, class) (specs/explain.md)"},
    .tables = (const char *const[]){"explain", NULL},
    .options = explain_options,
    .open = explain_open,
    .plan = explain_plan,
    .run_unit = explain_run_unit,
    .finish = explain_finish,
    .close = explain_close,
};
