/* ds_task_grid.c — `distshift run` (suite section [distshift]): the controlled correlation and
 * diversity shift grid of specs/distshift.md, one unit per cell (rho_train, test set,
 * diversity, replicate). A cell generates its train and test sets (ds_generate.h), trains the
 * L2-regularised logistic regression of numerics/logreg.h on the raw features, evaluates it on
 * the test set (ds_metrics.h) and quantifies the shift between its train and test sets
 * (ds_shift.h) on M points drawn from the pooled KDE. The diversity scope (diversity_scope:
 * invariant, both, or both of them) is the outermost grid coordinate; each scope's cells form a
 * grid of their own for bias_gap, the summary and the findings, and a grid that is not
 * `invariant` alone gets a first column diversity_scope in every table.
 *
 * finish() writes distshift.csv (one row per cell; bias_gap is computed there from the aligned
 * and anti-aligned rows of the same rho_train, diversity and replicate), shift.csv (one row per
 * cell), distshift_summary.csv (means over replicates per rho_train and diversity: the findings
 * table of docs/distshift.md) and distshift_findings.csv (whether the grid shows each of the
 * paper's three findings, with the numbers). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "engine/task.h"
#include "numerics/logreg.h"
#include "tasks/distshift/ds_generate.h"
#include "tasks/distshift/ds_metrics.h"
#include "tasks/distshift/ds_options.h"
#include "tasks/distshift/ds_shift.h"

static const sb_option grid_options[] = {
    {"rho_train", SB_OPT_STRING, "0,0.2,0.5,0.8,0.9,0.95,1", "train bias levels rho in [0,1] (list)", 0, SB_NO_RANGE},
    {"test_sets", SB_OPT_STRING, "aligned,balanced,anti_aligned",
     "test sets (list of aligned, balanced, anti_aligned, absent)", 0, SB_NO_RANGE},
    {"diversity", SB_OPT_STRING, "0,0.5,1", "shares of test samples from held-out styles (list in [0,1])", 0, SB_NO_RANGE},
    {"diversity_scope", SB_OPT_STRING, "invariant",
     "what held-out styles change: invariant, both (also rotate the spurious mean), or the list invariant,both", 0,
     SB_NO_RANGE},
    {"seeds", SB_OPT_INT, NULL, "replicates per cell [default: 5; large: 10]", 0, {1, 100000}},
    {"samples", SB_OPT_INT, NULL, "shift evaluation points M per cell, 0 = no shift.csv [default: 1000; large: 2000]", 0, {0, 1000000}},
    {"l2", SB_OPT_DOUBLE, "1e-4", "L2 penalty of the logistic regression (logreg.h)", 0, SB_NO_RANGE},
    {"eps_div", SB_OPT_DOUBLE, "1e-12", "epsilon of the diversity-shift indicator", 0, SB_NO_RANGE},
    {"eps_cor", SB_OPT_DOUBLE, "5e-4", "epsilon of the correlation-shift indicator", 0, SB_NO_RANGE},
    SB_DS_DATA_OPTIONS,
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

typedef struct grid_state {
    sb_ds_config cfg;
    double *rho, *div;
    size_t nrho, ndiv, ntest;
    sb_ds_test_set tests[SB_DS_N_TEST_SETS];
    sb_ds_scope scopes[SB_DS_N_SCOPES];
    size_t nscope;
    int scoped; /* the grid is not the default scope alone: tables gain a diversity_scope column */
    long seeds, samples;
    double l2;
    sb_shift_opts sopts;
} grid_state;

static void grid_close(sb_task_ctx *t)
{
    grid_state *s = t->state;
    if (s) {
        free(s->rho);
        free(s->div);
    }
    free(s);
    t->state = NULL;
}

static int parse_test_sets(const char *where, const char *text, grid_state *s, sb_err *err)
{
    int seen[SB_DS_N_TEST_SETS] = {0};
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text ? text : "");
    for (char *save = NULL, *tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
        sb_ds_test_set ts;
        if (sb_ds_test_set_parse(tok, &ts, err))
            return sb_wrap(err, "%s: 'test_sets'", where);
        if (seen[ts]++)
            return sb_fail(err, SB_EUSAGE, "%s: 'test_sets' lists %s twice", where, tok);
    }
    s->ntest = 0;
    for (int k = 0; k < SB_DS_N_TEST_SETS; k++) /* the CSV's order: aligned, balanced, anti, absent */
        if (seen[k])
            s->tests[s->ntest++] = (sb_ds_test_set)k;
    if (!s->ntest)
        return sb_fail(err, SB_EUSAGE, "%s: 'test_sets' is empty: the grid has no cell", where);
    return 0;
}

static int parse_scopes(const char *where, const char *text, grid_state *s, sb_err *err)
{
    int seen[SB_DS_N_SCOPES] = {0};
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text ? text : "");
    for (char *save = NULL, *tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
        sb_ds_scope sc;
        if (sb_ds_scope_parse(tok, &sc, err))
            return sb_wrap(err, "%s: 'diversity_scope'", where);
        if (seen[sc]++)
            return sb_fail(err, SB_EUSAGE, "%s: 'diversity_scope' lists %s twice", where, tok);
    }
    s->nscope = 0;
    for (int k = 0; k < SB_DS_N_SCOPES; k++) /* the tables' order: invariant, then both */
        if (seen[k])
            s->scopes[s->nscope++] = (sb_ds_scope)k;
    if (!s->nscope)
        return sb_fail(err, SB_EUSAGE, "%s: 'diversity_scope' is empty: the grid has no cell", where);
    s->scoped = !(s->nscope == 1 && s->scopes[0] == SB_DS_SCOPE_INVARIANT);
    return 0;
}

static int grid_open(sb_task_ctx *t, sb_err *err)
{
    grid_state *s = sb_calloc(1, sizeof *s, "distshift task", err);
    if (!s)
        return SB_ENOMEM;
    t->state = s;
    const sb_opts *o = t->opts;
    sb_ds_preset p;
    int rc = sb_ds_config_from_opts(o, grid_options, &s->cfg, &p, err);
    sb_shift_defaults(&s->sopts);
    s->seeds = p.seeds;
    s->samples = p.samples;
    if (!rc && sb_opts_str(o, grid_options, "seeds"))
        rc = sb_opts_long(o, grid_options, "seeds", &s->seeds, err);
    if (!rc && sb_opts_str(o, grid_options, "samples"))
        rc = sb_opts_long(o, grid_options, "samples", &s->samples, err);
    if (!rc)
        rc = sb_opts_double(o, grid_options, "l2", &s->l2, err);
    if (!rc)
        rc = sb_opts_double(o, grid_options, "eps_div", &s->sopts.eps_div, err);
    if (!rc)
        rc = sb_opts_double(o, grid_options, "eps_cor", &s->sopts.eps_cor, err);
    if (!rc)
        rc = sb_ds_parse_list(o->where, "rho_train", sb_opts_str(o, grid_options, "rho_train"), 0, 1, &s->rho,
                              &s->nrho, err);
    if (!rc)
        rc = sb_ds_parse_list(o->where, "diversity", sb_opts_str(o, grid_options, "diversity"), 0, 1, &s->div,
                              &s->ndiv, err);
    if (!rc)
        rc = parse_test_sets(o->where, sb_opts_str(o, grid_options, "test_sets"), s, err);
    if (!rc)
        rc = parse_scopes(o->where, sb_opts_str(o, grid_options, "diversity_scope"), s, err);
    if (rc)
        return rc;
    if (s->seeds < 1 || s->seeds > 100000)
        return sb_fail(err, SB_EUSAGE, "%s: 'seeds' must be in 1..100000 (0 is an empty grid), not %ld",
                       o->where, s->seeds);
    if (s->samples < 0 || s->samples > 100000000)
        return sb_fail(err, SB_EUSAGE, "%s: 'samples' must be in 0..1e8, not %ld", o->where, s->samples);
    if (!(s->l2 > 0) || !isfinite(s->l2))
        return sb_fail(err, SB_EUSAGE, "%s: 'l2' must be positive, not %g", o->where, s->l2);
    if (!(s->sopts.eps_div >= 0) || !(s->sopts.eps_cor >= 0))
        return sb_fail(err, SB_EUSAGE, "%s: eps_div and eps_cor must be >= 0", o->where);
    if (s->div[s->ndiv - 1] > 0 && s->cfg.n_train_styles >= s->cfg.n_styles)
        return sb_fail(err, SB_EUSAGE, "%s: diversity %g needs held-out styles (train_styles < styles)",
                       o->where, s->div[s->ndiv - 1]);
    if (s->scopes[s->nscope - 1] == SB_DS_SCOPE_BOTH && s->cfg.d_sp < 2)
        return sb_fail(err, SB_EUSAGE,
                       "%s: 'diversity_scope' both rotates the spurious mean in the plane of spurious "
                       "coordinates 0 and 1: it needs d_sp >= 2, not %zu",
                       o->where, s->cfg.d_sp);
    /* One generated cell checks every data option (dimensions, norms) before anything runs. */
    sb_ds_config c = s->cfg;
    c.scope = s->scopes[s->nscope - 1];
    c.n_train = 2;
    c.n_test = 1;
    sb_ds_set a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    rc = sb_ds_generate(&c, t->seed, 0, 0, &a, &b, err);
    sb_ds_set_free(&a);
    sb_ds_set_free(&b);
    if (rc) {
        err->code = SB_EUSAGE;
        return sb_wrap(err, "%s", o->where);
    }
    return 0;
}

/* Grid coordinates; the scope is the outermost, so that a grid of one scope keeps the unit
 * arguments (and keys) of a grid without the option. */
typedef struct cell {
    size_t si, ri, ti, fi;
    long k;
} cell;

static cell cell_of(const grid_state *s, int64_t arg)
{
    cell c;
    c.k = (long)(arg % s->seeds);
    arg /= s->seeds;
    c.fi = (size_t)(arg % (int64_t)s->ndiv);
    arg /= (int64_t)s->ndiv;
    c.ti = (size_t)(arg % (int64_t)s->ntest);
    arg /= (int64_t)s->ntest;
    c.ri = (size_t)(arg % (int64_t)s->nrho);
    c.si = (size_t)(arg / (int64_t)s->nrho);
    return c;
}

/* `rho=0.9/anti_aligned/div=0.5/seed=2`, with `scope=both/` before the seed for the scope
 * both unless with_scope is 0 (the key that seeds the shift points: the same in both scopes, so
 * that cells whose data are identical, at diversity 0, get identical shift values). */
static void cell_key(const grid_state *s, cell c, int with_scope, char *out, size_t cap)
{
    char r[40], f[40];
    sb_format_double(s->rho[c.ri], r, sizeof r);
    sb_format_double(s->div[c.fi], f, sizeof f);
    int both = with_scope && s->scopes[c.si] == SB_DS_SCOPE_BOTH;
    snprintf(out, cap, "rho=%s/%s/div=%s/%sseed=%ld", r, sb_ds_test_set_name(s->tests[c.ti]), f,
             both ? "scope=both/" : "", c.k);
}

static int grid_plan(sb_task_ctx *t, sb_units *units, sb_err *err)
{
    grid_state *s = t->state;
    double d = (double)(s->cfg.d_inv + s->cfg.d_sp);
    double n = (double)(s->cfg.n_train + s->cfg.n_test);
    /* Fit: a few hundred passes over the train set; shift: M points against ~3n KDE samples. */
    double cost = 300.0 * (double)s->cfg.n_train * d + (double)s->samples * 3.0 * n * (d + 8.0);
    int64_t arg = 0;
    for (size_t si = 0; si < s->nscope; si++)
        for (size_t ri = 0; ri < s->nrho; ri++)
            for (size_t ti = 0; ti < s->ntest; ti++)
                for (size_t fi = 0; fi < s->ndiv; fi++)
                    for (long k = 0; k < s->seeds; k++, arg++) {
                        char key[160];
                        cell_key(s, (cell){si, ri, ti, fi, k}, 1, key, sizeof key);
                        int rc = sb_units_add(units, key, cost, arg, err);
                        if (rc)
                            return rc;
                    }
    return 0;
}

/* Everything a cell's record carries. */
typedef struct cell_rec {
    double rho, div;
    int64_t test_set, seed;
    uint64_t n_train, n_test, n_groups;
    double accuracy, auc, balanced_accuracy, worst_group_accuracy, share;
    char auc_reason[128];
    int64_t has_shift;
    double shift_div, shift_cor;
    uint64_t n_points;
    char shift_reason[600];
    int64_t scope;
} cell_rec;

static void put_rec(sb_buf *b, const cell_rec *r)
{
    sb_buf_put_f64(b, r->rho);
    sb_buf_put_i64(b, r->test_set);
    sb_buf_put_f64(b, r->div);
    sb_buf_put_i64(b, r->seed);
    sb_buf_put_u64(b, r->n_train);
    sb_buf_put_u64(b, r->n_test);
    sb_buf_put_f64(b, r->accuracy);
    sb_buf_put_f64(b, r->auc);
    sb_buf_put_f64(b, r->balanced_accuracy);
    sb_buf_put_f64(b, r->worst_group_accuracy);
    sb_buf_put_u64(b, r->n_groups);
    sb_buf_put_str(b, r->auc_reason);
    sb_buf_put_f64(b, r->share);
    sb_buf_put_i64(b, r->has_shift);
    sb_buf_put_f64(b, r->shift_div);
    sb_buf_put_f64(b, r->shift_cor);
    sb_buf_put_u64(b, r->n_points);
    sb_buf_put_str(b, r->shift_reason);
    sb_buf_put_i64(b, r->scope);
}

/* Decodes the record of unit u and checks it is that unit's cell: finish indexes its grid by
 * the record's rho, test set, diversity and seed, so a value from elsewhere would point outside. */
static int get_rec(const grid_state *s, const sb_unit *u, const sb_record *rec, cell_rec *r)
{
    uint64_t cells = (uint64_t)s->nscope * s->nrho * s->ntest * s->ndiv * (uint64_t)s->seeds;
    if (u->arg < 0 || (uint64_t)u->arg >= cells)
        return -1;
    cell c = cell_of(s, u->arg);
    sb_reader rd;
    sb_reader_init(&rd, rec->data, rec->len);
    r->rho = sb_get_f64(&rd);
    r->test_set = sb_get_i64(&rd);
    r->div = sb_get_f64(&rd);
    r->seed = sb_get_i64(&rd);
    r->n_train = sb_get_u64(&rd);
    r->n_test = sb_get_u64(&rd);
    r->accuracy = sb_get_f64(&rd);
    r->auc = sb_get_f64(&rd);
    r->balanced_accuracy = sb_get_f64(&rd);
    r->worst_group_accuracy = sb_get_f64(&rd);
    r->n_groups = sb_get_u64(&rd);
    sb_get_str(&rd, r->auc_reason, sizeof r->auc_reason);
    r->share = sb_get_f64(&rd);
    r->has_shift = sb_get_i64(&rd);
    r->shift_div = sb_get_f64(&rd);
    r->shift_cor = sb_get_f64(&rd);
    r->n_points = sb_get_u64(&rd);
    sb_get_str(&rd, r->shift_reason, sizeof r->shift_reason);
    r->scope = sb_get_i64(&rd);
    int same_cell = r->rho == s->rho[c.ri] && r->test_set == (int64_t)s->tests[c.ti] && r->div == s->div[c.fi] &&
                    r->seed == (int64_t)c.k && r->scope == (int64_t)s->scopes[c.si];
    return rd.bad || !same_cell ? -1 : 0;
}

/* The shift of one cell; a singular KDE (e.g. the all-zero spurious part of "absent") leaves the
 * values empty with the reason instead of failing the cell. */
static int cell_shift(const grid_state *s, uint64_t seed, const char *key, const sb_ds_set *tr,
                      const sb_ds_set *te, cell_rec *r, sb_err *err)
{
    r->has_shift = 1;
    r->shift_div = r->shift_cor = NAN;
    r->n_points = (uint64_t)s->samples;
    sb_shift *sh = NULL;
    sb_err e;
    sb_err_clear(&e);
    int rc = sb_shift_prepare(tr->x, tr->y, tr->n, te->x, te->y, te->n, tr->d, &s->sopts, &sh, &e);
    double *pts = NULL, *terms = NULL;
    if (!rc) {
        size_t m = (size_t)s->samples, d = sb_shift_dim(sh), w = sb_shift_terms_width(sh);
        pts = sb_malloc(m * d * sizeof *pts, "shift points", &e);
        terms = sb_malloc(m * w * sizeof *terms, "shift terms", &e);
        rc = pts && terms ? 0 : SB_ENOMEM;
        if (!rc) {
            sb_rng rng;
            sb_rng_seed(&rng, seed, sb_ds_key_stream(key));
            sb_shift_sample_points(sh, m, &rng, pts);
            rc = sb_shift_terms(sh, pts, m, 0, m, terms, &e);
        }
        sb_shift_result res;
        if (!rc)
            rc = sb_shift_combine(sh, terms, m, &res, NULL, &e);
        if (!rc) {
            r->shift_div = res.div;
            r->shift_cor = res.cor;
            snprintf(r->shift_reason, sizeof r->shift_reason, "%s%s%s", res.reason,
                     res.reason[0] && sb_shift_warning(sh)[0] ? "; " : "", sb_shift_warning(sh));
        }
    }
    free(pts);
    free(terms);
    sb_shift_free(sh);
    if (rc == SB_ENUMERIC) {
        snprintf(r->shift_reason, sizeof r->shift_reason, "%.590s", e.msg);
        return 0;
    }
    if (rc)
        *err = e;
    return rc;
}

static int grid_run_unit(sb_task_ctx *t, const sb_unit *u, sb_buf *rec, char *stage, size_t scap, sb_err *err)
{
    grid_state *s = t->state;
    cell c = cell_of(s, u->arg);
    sb_ds_config cfg = s->cfg;
    cfg.rho_train = s->rho[c.ri];
    cfg.test_set = s->tests[c.ti];
    cfg.diversity = s->div[c.fi];
    cfg.scope = s->scopes[c.si];
    cell_rec r;
    memset(&r, 0, sizeof r);
    r.scope = cfg.scope;
    r.rho = cfg.rho_train;
    r.test_set = cfg.test_set;
    r.div = cfg.diversity;
    r.seed = c.k;
    r.n_train = cfg.n_train;
    r.n_test = cfg.n_test;
    sb_ds_set tr, te;
    memset(&tr, 0, sizeof tr);
    memset(&te, 0, sizeof te);
    snprintf(stage, scap, "generate");
    int rc = sb_ds_generate(&cfg, t->seed, sb_ds_style_stream((uint64_t)c.k), sb_ds_sample_stream((uint64_t)c.k),
                            &tr, &te, err);
    size_t d = tr.d;
    double W[2 * 16], b[2], *P = NULL, *score = NULL;
    if (!rc && d > 16)
        rc = sb_fail(err, SB_EINPUT, "distshift: %zu features (at most 16)", d);
    if (!rc) {
        snprintf(stage, scap, "train");
        sb_logreg_opts lo;
        sb_logreg_defaults(&lo);
        lo.l2 = s->l2;
        rc = sb_logreg_fit(tr.x, tr.n, d, tr.y, 2, &lo, W, b, NULL, err);
    }
    if (!rc) {
        snprintf(stage, scap, "evaluate");
        P = sb_malloc(2 * te.n * sizeof *P, "probabilities", err);
        score = sb_malloc(te.n * sizeof *score, "scores", err);
        rc = P && score ? 0 : SB_ENOMEM;
    }
    if (!rc)
        rc = sb_logreg_predict_proba(te.x, te.n, d, 2, W, b, P, err);
    sb_ds_metrics m;
    if (!rc) {
        for (size_t i = 0; i < te.n; i++)
            score[i] = P[2 * i + 1];
        rc = sb_ds_evaluate(u->key, score, te.y, te.a, NULL, te.n, 0.5, &m, err);
    }
    if (!rc) {
        double w[16];
        for (size_t j = 0; j < d; j++)
            w[j] = W[d + j] - W[j]; /* the decision P(y=1) > 1/2 of the two-class softmax */
        rc = sb_ds_spurious_weight_share(w, d, cfg.d_inv, &r.share, err);
        r.accuracy = m.accuracy;
        r.auc = m.auc;
        r.balanced_accuracy = m.balanced_accuracy;
        r.worst_group_accuracy = m.worst_group_accuracy;
        r.n_groups = m.n_groups;
        snprintf(r.auc_reason, sizeof r.auc_reason, "%s", m.auc_reason);
    }
    if (!rc && s->samples > 0 && cfg.test_set == SB_DS_ABSENT) {
        /* Its spurious columns are exactly 0: every KDE of Q is singular (spec step 3). */
        r.has_shift = 1;
        r.shift_div = r.shift_cor = NAN;
        r.n_points = 0;
        snprintf(r.shift_reason, sizeof r.shift_reason,
                 "not quantified: the absent test set's spurious part is constant 0, so its KDE is singular");
    } else if (!rc && s->samples > 0) {
        snprintf(stage, scap, "shift");
        char pkey[160];
        cell_key(s, c, 0, pkey, sizeof pkey);
        rc = cell_shift(s, t->seed, pkey, &tr, &te, &r, err);
    }
    if (!rc)
        put_rec(rec, &r);
    free(P);
    free(score);
    sb_ds_set_free(&tr);
    sb_ds_set_free(&te);
    return rc;
}

/* ---- finish ------------------------------------------------------------------------ */

static const char *const GRID_COLS[] = {"rho_train", "test_set", "diversity", "seed", "n_train", "n_test",
                                        "accuracy", "auc", "balanced_accuracy", "worst_group_accuracy",
                                        "bias_gap", "spurious_weight_share", "reason"};
static const char *const SHIFT_COLS[] = {"train", "test", "div", "cor", "n_points", "reason"};
static const char *const SUMMARY_COLS[] = {"rho_train", "diversity", "n_seeds", "aligned_accuracy",
                                           "balanced_accuracy", "anti_aligned_accuracy", "absent_accuracy",
                                           "bias_gap", "spurious_weight_share", "shift_div", "shift_cor"};
static const char *const FINDING_COLS[] = {"finding", "claim", "shown", "evidence"};
#define NCOL(a) (sizeof(a) / sizeof((a)[0]))

/* Cell values indexed by coordinates: v[((ri*4 + test)*ndiv + fi)*nseed + k], NaN when absent. */
typedef struct grid_view {
    size_t nrho, ndiv, nseed;
    double *rho, *div;
    double *acc, *gap, *share, *sdiv, *scor;
} grid_view;

static size_t vidx(const grid_view *g, size_t ri, int ts, size_t fi, size_t k)
{
    return ((ri * SB_DS_N_TEST_SETS + (size_t)ts) * g->ndiv + fi) * g->nseed + k;
}

static size_t find_value(const double *v, size_t n, double x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return i;
    return n;
}

static int add_unique(double *v, size_t *n, double x)
{
    if (find_value(v, *n, x) < *n)
        return 0;
    v[(*n)++] = x;
    return 1;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void view_free(grid_view *g)
{
    free(g->rho);
    free(g->div);
    free(g->acc);
    free(g->gap);
    free(g->share);
    free(g->sdiv);
    free(g->scor);
}

/* The view of the cells of one diversity scope: a grid of its own. */
static int view_build(grid_view *g, const cell_rec *r, const int *ok_all, size_t n, sb_ds_scope scope, sb_err *err)
{
    memset(g, 0, sizeof *g);
    g->rho = sb_malloc((n + 1) * sizeof *g->rho, "grid view", err);
    g->div = sb_malloc((n + 1) * sizeof *g->div, "grid view", err);
    int *ok = sb_malloc((n + 1) * sizeof *ok, "grid view", err);
    if (!g->rho || !g->div || !ok) {
        free(ok);
        return SB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        ok[i] = ok_all[i] && r[i].scope == (int64_t)scope;
    for (size_t i = 0; i < n; i++)
        if (ok[i]) {
            add_unique(g->rho, &g->nrho, r[i].rho);
            add_unique(g->div, &g->ndiv, r[i].div);
            if ((size_t)r[i].seed + 1 > g->nseed)
                g->nseed = (size_t)r[i].seed + 1;
        }
    qsort(g->rho, g->nrho, sizeof *g->rho, cmp_d);
    qsort(g->div, g->ndiv, sizeof *g->div, cmp_d);
    size_t cells = g->nrho * SB_DS_N_TEST_SETS * g->ndiv * g->nseed + 1;
    double **arrs[] = {&g->acc, &g->gap, &g->share, &g->sdiv, &g->scor};
    for (size_t a = 0; a < 5; a++) {
        *arrs[a] = sb_malloc(cells * sizeof(double), "grid view", err);
        if (!*arrs[a]) {
            free(ok);
            return SB_ENOMEM;
        }
        for (size_t i = 0; i < cells; i++)
            (*arrs[a])[i] = NAN;
    }
    for (size_t i = 0; i < n; i++) {
        if (!ok[i])
            continue;
        size_t ri = find_value(g->rho, g->nrho, r[i].rho), fi = find_value(g->div, g->ndiv, r[i].div);
        size_t x = vidx(g, ri, (int)r[i].test_set, fi, (size_t)r[i].seed);
        g->acc[x] = r[i].accuracy;
        g->share[x] = r[i].share;
        if (r[i].has_shift) {
            g->sdiv[x] = r[i].shift_div;
            g->scor[x] = r[i].shift_cor;
        }
    }
    /* bias_gap: aligned − anti-aligned accuracy of the same rho_train, diversity and replicate. */
    for (size_t ri = 0; ri < g->nrho; ri++)
        for (size_t fi = 0; fi < g->ndiv; fi++)
            for (size_t k = 0; k < g->nseed; k++) {
                double gap = g->acc[vidx(g, ri, SB_DS_ALIGNED, fi, k)] - g->acc[vidx(g, ri, SB_DS_ANTI_ALIGNED, fi, k)];
                for (int ts = 0; ts < SB_DS_N_TEST_SETS; ts++)
                    g->gap[vidx(g, ri, ts, fi, k)] = gap;
            }
    free(ok);
    return 0;
}

/* Mean over replicates of v at (ri, ts, fi), skipping NaN; *cnt = values used. */
static double mean_seeds(const grid_view *g, const double *v, size_t ri, int ts, size_t fi, size_t *cnt)
{
    double s = 0;
    size_t c = 0;
    for (size_t k = 0; k < g->nseed; k++) {
        double x = v[vidx(g, ri, ts, fi, k)];
        if (!isnan(x)) {
            s += x;
            c++;
        }
    }
    if (cnt)
        *cnt = c;
    return c ? s / (double)c : NAN;
}

/* Mean over any test set (values that do not depend on it, or pooled over it). */
static double mean_all_tests(const grid_view *g, const double *v, size_t ri, size_t fi, size_t *cnt)
{
    double s = 0;
    size_t c = 0;
    for (int ts = 0; ts < SB_DS_N_TEST_SETS; ts++)
        for (size_t k = 0; k < g->nseed; k++) {
            double x = v[vidx(g, ri, ts, fi, k)];
            if (!isnan(x)) {
                s += x;
                c++;
            }
        }
    if (cnt)
        *cnt = c;
    return c ? s / (double)c : NAN;
}

/* Sets column 0 of a row to the scope name when the table has that column (o = 1). */
static int set_scope(sb_table *tab, size_t row, int o, sb_ds_scope sc, sb_err *err)
{
    return o ? sb_table_set_str(tab, row, 0, sb_ds_scope_name(sc), err) : 0;
}

/* The rows of one scope's grid; o = 1 when the table starts with a diversity_scope column. */
static int summary_rows(const grid_view *g, sb_table *tab, int o, sb_ds_scope sc, sb_err *err)
{
    int rc = 0;
    for (size_t ri = 0; ri < g->nrho && !rc; ri++)
        for (size_t fi = 0; fi < g->ndiv && !rc; fi++) {
            size_t row, nseeds = 0;
            if ((rc = sb_table_add_row(tab, &row, err)))
                break;
            for (size_t k = 0; k < g->nseed; k++) {
                int any = 0;
                for (int ts = 0; ts < SB_DS_N_TEST_SETS; ts++)
                    any |= !isnan(g->acc[vidx(g, ri, ts, fi, k)]);
                nseeds += any;
            }
            rc = set_scope(tab, row, o, sc, err);
            sb_table_set_num(tab, row, o + 0, g->rho[ri]);
            sb_table_set_num(tab, row, o + 1, g->div[fi]);
            sb_table_set_int(tab, row, o + 2, (int64_t)nseeds);
            sb_table_set_num(tab, row, o + 3, mean_seeds(g, g->acc, ri, SB_DS_ALIGNED, fi, NULL));
            sb_table_set_num(tab, row, o + 4, mean_seeds(g, g->acc, ri, SB_DS_BALANCED, fi, NULL));
            sb_table_set_num(tab, row, o + 5, mean_seeds(g, g->acc, ri, SB_DS_ANTI_ALIGNED, fi, NULL));
            sb_table_set_num(tab, row, o + 6, mean_seeds(g, g->acc, ri, SB_DS_ABSENT, fi, NULL));
            sb_table_set_num(tab, row, o + 7, mean_seeds(g, g->gap, ri, SB_DS_ALIGNED, fi, NULL));
            /* The model of a replicate does not depend on the test set: average per replicate. */
            double sh = 0;
            size_t c = 0;
            for (size_t k = 0; k < g->nseed; k++)
                for (int ts = 0; ts < SB_DS_N_TEST_SETS; ts++) {
                    double x = g->share[vidx(g, ri, ts, fi, k)];
                    if (!isnan(x)) {
                        sh += x;
                        c++;
                        break;
                    }
                }
            sb_table_set_num(tab, row, o + 8, c ? sh / (double)c : NAN);
            sb_table_set_num(tab, row, o + 9, mean_all_tests(g, g->sdiv, ri, fi, NULL));
            sb_table_set_num(tab, row, o + 10, mean_all_tests(g, g->scor, ri, fi, NULL));
        }
    return rc;
}

/* Mean and standard error over replicates of a[k] − b[k] (pairs with both values). */
static void paired(const grid_view *g, const double *a, size_t ia0, const double *b, size_t ib0, double *mean,
                   double *se, size_t *cnt)
{
    double s = 0, s2 = 0;
    size_t c = 0;
    for (size_t k = 0; k < g->nseed; k++) {
        double x = a[ia0 + k] - b[ib0 + k];
        if (!isnan(x)) {
            s += x;
            c++;
        }
    }
    double m = c ? s / (double)c : NAN;
    for (size_t k = 0; k < g->nseed; k++) {
        double x = a[ia0 + k] - b[ib0 + k];
        if (!isnan(x))
            s2 += (x - m) * (x - m);
    }
    *mean = m;
    *se = c > 1 ? sqrt(s2 / (double)(c - 1) / (double)c) : 0;
    *cnt = c;
}

/* A difference is "shown" when it has the claimed sign and exceeds twice its standard error
 * over replicates (with one replicate: the sign alone). */
static int significant(double mean, double se, int sign)
{
    return !isnan(mean) && sign * mean > 0 && sign * mean > 2 * se;
}

/* Where the findings of one scope go: the table, its scope-column offset and the scope. */
typedef struct finding_out {
    sb_table *tab;
    int o;
    sb_ds_scope scope;
} finding_out;

static int add_finding(const finding_out *f, int num, const char *claim, const char *shown, const char *evidence,
                       sb_err *err)
{
    size_t row;
    int o = f->o;
    int rc = sb_table_add_row(f->tab, &row, err);
    if (!rc)
        rc = set_scope(f->tab, row, o, f->scope, err);
    if (!rc) {
        sb_table_set_int(f->tab, row, o + 0, num);
        rc = sb_table_set_str(f->tab, row, o + 1, claim, err);
    }
    if (!rc)
        rc = sb_table_set_str(f->tab, row, o + 2, shown, err);
    if (!rc)
        rc = sb_table_set_str(f->tab, row, o + 3, evidence, err);
    return rc;
}

static const char *const CLAIMS[3] = {
    "models learn and propagate correlation shift even when trained with low bias",
    "models learn robust features at high and low bias but use the spurious one when test samples carry it",
    "diversity shift can reduce the reliance on the spurious correlation"};

/* The three findings on one scope's grid. */
static int findings_rows(const grid_view *g, const finding_out *tab, sb_err *err)
{
    int rc = 0;
    char ev[1024];
    /* rho_0: the smallest rho_train; rho_lo: the smallest above it that is > 0; rho_hi: the largest < 1
     * (the largest if every level is 1); f0: the smallest diversity, f1 the largest. */
    size_t r0 = 0, rlo = g->nrho, rhi = g->nrho, f0 = 0, f1 = g->ndiv ? g->ndiv - 1 : 0;
    for (size_t ri = 1; ri < g->nrho && rlo == g->nrho; ri++)
        if (g->rho[ri] > 0)
            rlo = ri;
    for (size_t ri = g->nrho; ri-- > 0 && rhi == g->nrho;)
        if (g->rho[ri] < 1)
            rhi = ri;
    int have_gap = g->nrho && !isnan(mean_seeds(g, g->gap, r0, SB_DS_ALIGNED, f0, NULL));

    /* 1: the bias gap at the lowest non-zero bias exceeds the one at the lowest bias. */
    if (!have_gap || rlo == g->nrho) {
        rc = add_finding(tab, 1, CLAIMS[0], "not measured",
                         "needs the aligned and anti_aligned test sets and two rho_train levels, the second > 0",
                         err);
    } else {
        double m, se;
        size_t c;
        paired(g, g->gap, vidx(g, rlo, SB_DS_ALIGNED, f0, 0), g->gap, vidx(g, r0, SB_DS_ALIGNED, f0, 0), &m, &se, &c);
        snprintf(ev, sizeof ev,
                 "diversity %g: bias gap (aligned - anti-aligned accuracy) %.4f at rho_train %g vs %.4f at "
                 "rho_train %g (difference %.4f +- %.4f SE over %zu seeds); anti-aligned accuracy %.4f vs %.4f; "
                 "spurious weight share %.4f vs %.4f",
                 g->div[f0], mean_seeds(g, g->gap, rlo, SB_DS_ALIGNED, f0, NULL), g->rho[rlo],
                 mean_seeds(g, g->gap, r0, SB_DS_ALIGNED, f0, NULL), g->rho[r0], m, se, c,
                 mean_seeds(g, g->acc, rlo, SB_DS_ANTI_ALIGNED, f0, NULL),
                 mean_seeds(g, g->acc, r0, SB_DS_ANTI_ALIGNED, f0, NULL),
                 mean_seeds(g, g->share, rlo, SB_DS_ALIGNED, f0, NULL), mean_seeds(g, g->share, r0, SB_DS_ALIGNED, f0, NULL));
        rc = add_finding(tab, 1, CLAIMS[0], significant(m, se, +1) ? "yes" : "no", ev, err);
    }

    /* 2: at the lowest and highest bias the invariant part keeps at least half of the weight norm
     * (sqrt(1 - share^2) >= 0.5: robust features are learned), and at the highest bias the
     * spurious feature moves accuracy by at least 10 points between aligned and anti-aligned
     * test samples (it is used when present). */
    if (!rc && (!have_gap || rlo == g->nrho || rhi == g->nrho || rhi <= rlo)) {
        rc = add_finding(tab, 2, CLAIMS[1], "not measured",
                         "needs the aligned and anti_aligned test sets and two rho_train levels in (0, 1)", err);
    } else if (!rc) {
        double slo = mean_seeds(g, g->share, rlo, SB_DS_ALIGNED, f0, NULL);
        double shi = mean_seeds(g, g->share, rhi, SB_DS_ALIGNED, f0, NULL);
        double ilo = sqrt(1 - slo * slo), ihi = sqrt(1 - shi * shi);
        double gap = mean_seeds(g, g->gap, rhi, SB_DS_ALIGNED, f0, NULL);
        double absent = mean_seeds(g, g->acc, rhi, SB_DS_ABSENT, f0, NULL);
        int yes = ilo >= 0.5 && ihi >= 0.5 && gap >= 0.1;
        int n = snprintf(ev, sizeof ev,
                         "diversity %g: invariant weight share sqrt(1-s^2) %.4f at rho_train %g and %.4f at %g; "
                         "aligned / balanced / anti-aligned accuracy at rho_train %g: %.4f / %.4f / %.4f (gap %.4f)",
                         g->div[f0], ilo, g->rho[rlo], ihi, g->rho[rhi], g->rho[rhi],
                         mean_seeds(g, g->acc, rhi, SB_DS_ALIGNED, f0, NULL),
                         mean_seeds(g, g->acc, rhi, SB_DS_BALANCED, f0, NULL),
                         mean_seeds(g, g->acc, rhi, SB_DS_ANTI_ALIGNED, f0, NULL), gap);
        if (!isnan(absent) && n > 0 && (size_t)n < sizeof ev)
            snprintf(ev + n, sizeof ev - (size_t)n, "; accuracy without the spurious feature (absent) %.4f",
                     absent);
        rc = add_finding(tab, 2, CLAIMS[1], yes ? "yes" : "no", ev, err);
    }

    /* 3: the bias gap at the highest diversity is lower than at the lowest, averaged over the
     * rho_train levels in (0, 1), paired by replicate. */
    if (!rc && (!have_gap || g->ndiv < 2 || rlo == g->nrho || rhi == g->nrho)) {
        rc = add_finding(tab, 3, CLAIMS[2], "not measured",
                         "needs the aligned and anti_aligned test sets, two diversity levels and rho_train in (0, 1)",
                         err);
    } else if (!rc) {
        double *a = sb_calloc(g->nseed, sizeof *a, "findings", err), *b = sb_calloc(g->nseed, sizeof *b, "findings", err);
        if (!a || !b) {
            free(a);
            free(b);
            return SB_ENOMEM;
        }
        double ga = 0, gb = 0;
        size_t nl = 0;
        for (size_t ri = rlo; ri <= rhi; ri++, nl++) {
            for (size_t k = 0; k < g->nseed; k++) {
                a[k] += g->gap[vidx(g, ri, SB_DS_ALIGNED, f1, k)];
                b[k] += g->gap[vidx(g, ri, SB_DS_ALIGNED, f0, k)];
            }
            ga += mean_seeds(g, g->gap, ri, SB_DS_ALIGNED, f1, NULL);
            gb += mean_seeds(g, g->gap, ri, SB_DS_ALIGNED, f0, NULL);
        }
        double m, se;
        size_t c;
        paired(g, a, 0, b, 0, &m, &se, &c);
        m /= (double)nl;
        se /= (double)nl;
        snprintf(ev, sizeof ev,
                 "bias gap averaged over rho_train %g..%g: %.4f at diversity %g vs %.4f at diversity %g "
                 "(difference %.4f +- %.4f SE over %zu seeds); mean shift div %.4f vs %.4f",
                 g->rho[rlo], g->rho[rhi], ga / (double)nl, g->div[f1], gb / (double)nl, g->div[f0], m, se, c,
                 mean_all_tests(g, g->sdiv, rhi, f1, NULL), mean_all_tests(g, g->sdiv, rhi, f0, NULL));
        rc = add_finding(tab, 3, CLAIMS[2], significant(m, se, -1) ? "yes" : "no", ev, err);
        free(a);
        free(b);
    }
    return rc;
}

static int grid_finish(sb_task_ctx *t, const sb_unit *units, const sb_record *records, size_t n, sb_tables *out,
                       sb_err *err)
{
    const grid_state *s = t->state;
    cell_rec *r = sb_calloc(n + 1, sizeof *r, "distshift records", err);
    int *ok = sb_calloc(n + 1, sizeof *ok, "distshift records", err);
    size_t *order = sb_calloc(n + 1, sizeof *order, "distshift records", err);
    int rc = r && ok && order ? 0 : SB_ENOMEM;
    size_t nok = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!records[i].data || records[i].failed)
            continue;
        if (get_rec(s, &units[i], &records[i], &r[i]))
            rc = sb_fail(err, SB_EINPUT, "journal record of distshift cell %s is corrupt", units[i].key);
        ok[i] = 1;
        order[nok++] = i;
    }
    /* One view per scope of the grid: each is a grid of its own for bias_gap and the findings. */
    grid_view views[SB_DS_N_SCOPES];
    memset(views, 0, sizeof views);
    for (size_t si = 0; si < s->nscope && !rc; si++)
        rc = view_build(&views[s->scopes[si]], r, ok, n, s->scopes[si], err);
    /* A grid that is not the default scope alone gains a first column diversity_scope in every
     * table (the default grid's tables are unchanged). */
    int o = s->scoped;
    const char *cols[4][16];
    const char *const *base[4] = {GRID_COLS, SHIFT_COLS, SUMMARY_COLS, FINDING_COLS};
    const size_t nbase[4] = {NCOL(GRID_COLS), NCOL(SHIFT_COLS), NCOL(SUMMARY_COLS), NCOL(FINDING_COLS)};
    const char *names[4] = {"distshift", "shift", "distshift_summary", "distshift_findings"};
    for (int k = 0; k < 4 && !rc; k++) {
        cols[k][0] = "diversity_scope";
        memcpy(cols[k] + o, base[k], nbase[k] * sizeof *base[k]);
        sb_table *unused;
        rc = sb_tables_add(out, names[k], nbase[k] + (size_t)o, cols[k], &unused, err);
    }
    /* The plan lists cells in grid order (scope, then rho_train and diversity ascending, test
     * sets in the order aligned, balanced, anti_aligned, absent, seeds ascending): rows follow
     * it. Table pointers are taken after the last add, which may move the earlier ones. */
    sb_table *tab = rc ? NULL : &out->t[out->n - 4], *sh = rc ? NULL : &out->t[out->n - 3];
    for (size_t q = 0; q < nok && !rc; q++) {
        const cell_rec *c = &r[order[q]];
        const grid_view *g = &views[c->scope];
        size_t row;
        if ((rc = sb_table_add_row(tab, &row, err)))
            break;
        size_t ri = find_value(g->rho, g->nrho, c->rho), fi = find_value(g->div, g->ndiv, c->div);
        rc = set_scope(tab, row, o, (sb_ds_scope)c->scope, err);
        sb_table_set_num(tab, row, o + 0, c->rho);
        if (!rc)
            rc = sb_table_set_str(tab, row, o + 1, sb_ds_test_set_name((sb_ds_test_set)c->test_set), err);
        sb_table_set_num(tab, row, o + 2, c->div);
        sb_table_set_int(tab, row, o + 3, c->seed);
        sb_table_set_int(tab, row, o + 4, (int64_t)c->n_train);
        sb_table_set_int(tab, row, o + 5, (int64_t)c->n_test);
        sb_table_set_num(tab, row, o + 6, c->accuracy);
        sb_table_set_num(tab, row, o + 7, c->auc);
        sb_table_set_num(tab, row, o + 8, c->balanced_accuracy);
        sb_table_set_num(tab, row, o + 9, c->worst_group_accuracy);
        sb_table_set_num(tab, row, o + 10, g->gap[vidx(g, ri, (int)c->test_set, fi, (size_t)c->seed)]);
        sb_table_set_num(tab, row, o + 11, c->share);
        if (!rc)
            rc = sb_table_set_str(tab, row, o + 12, c->auc_reason, err);
        if (rc || !c->has_shift)
            continue;
        char rs[40], key[200], train[120];
        sb_format_double(c->rho, rs, sizeof rs);
        snprintf(train, sizeof train, "rho=%s/seed=%lld/train", rs, (long long)c->seed);
        snprintf(key, sizeof key, "%s", units[order[q]].key);
        if ((rc = sb_table_add_row(sh, &row, err)) || (rc = set_scope(sh, row, o, (sb_ds_scope)c->scope, err)) ||
            (rc = sb_table_set_str(sh, row, o + 0, train, err)) || (rc = sb_table_set_str(sh, row, o + 1, key, err)))
            break;
        sb_table_set_num(sh, row, o + 2, c->shift_div);
        sb_table_set_num(sh, row, o + 3, c->shift_cor);
        sb_table_set_int(sh, row, o + 4, (int64_t)c->n_points);
        rc = sb_table_set_str(sh, row, o + 5, c->shift_reason, err);
    }
    for (size_t si = 0; si < s->nscope && !rc; si++)
        rc = summary_rows(&views[s->scopes[si]], &out->t[out->n - 2], o, s->scopes[si], err);
    for (size_t si = 0; si < s->nscope && !rc; si++) {
        finding_out f = {&out->t[out->n - 1], o, s->scopes[si]};
        rc = findings_rows(&views[s->scopes[si]], &f, err);
    }
    for (int k = 0; k < SB_DS_N_SCOPES; k++)
        view_free(&views[k]);
    free(r);
    free(ok);
    free(order);
    return rc;
}

const sb_task sb_task_distshift = {
    .name = "distshift",
    .summary = "controlled correlation/diversity shift grid: train, evaluate, quantify (specs/distshift.md)",
    .cli = {"distshift", "run", "controlled correlation/diversity shift grid (specs/distshift.md)"},
    .tables = (const char *const[]){"distshift", "distshift_summary", "distshift_findings", "shift", NULL},
    .options = grid_options,
    .open = grid_open,
    .plan = grid_plan,
    .run_unit = grid_run_unit,
    .finish = grid_finish,
    .close = grid_close,
};
