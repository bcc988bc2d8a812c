/* ds_task_quantify.c — `distshift quantify --input E.h5`: the OoD-Bench diversity and correlation
 * shift between the environments P (/P/z, /P/y) and Q (/Q/z, /Q/y) of one file
 * (specs/distshift.md steps 1–7, ds_shift.h).
 *
 * The KDE evaluations at the M points are the cost (M × ~3n samples × d), so the points are
 * split into blocks, one unit each: every unit fits the same KDEs (cheap next to the
 * evaluations), draws the same M points (sb_rng seeded from the run seed and a fixed stream, or
 * reads --points) and journals the per-point terms of its block. finish() puts the blocks
 * together in point order and sums them (sb_shift_combine_counts), so div and cor are the same
 * bits for any number of ranks or shards. Input errors (shapes, dimensions that differ, a
 * singular pooled KDE) are found in plan, before any unit runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "engine/task.h"
#include "io/h5read.h"
#include "numerics/kde.h"
#include "tasks/distshift/ds_options.h"
#include "tasks/distshift/ds_shift.h"

static const sb_option quantify_options[] = {
    {"input", SB_OPT_PATH, NULL, "HDF5 file with /P/z, /P/y, /Q/z, /Q/y", 1, SB_NO_RANGE},
    {"points", SB_OPT_PATH, NULL, "HDF5 file with /points (M x d, standardised) instead of drawing them", 0, SB_NO_RANGE},
    {"samples", SB_OPT_INT, "10000", "evaluation points M drawn from the pooled KDE", 0, {1, 1000000}},
    {"eps_div", SB_OPT_DOUBLE, "1e-12", "epsilon of the diversity-shift indicator", 0, SB_NO_RANGE},
    {"eps_cor", SB_OPT_DOUBLE, "5e-4", "epsilon of the correlation-shift indicator", 0, SB_NO_RANGE},
    {"hellinger", SB_OPT_BOOL, "false", "use the reference's non-legacy (Hellinger-type) terms", 0, SB_NO_RANGE},
    {"block", SB_OPT_INT, "1024", "points per work unit (a multiple of 256)", 0, {256, 1048576}},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

typedef struct quantify_state {
    char input[1024], points[1024];
    long samples, block;
    sb_shift_opts sopts;
} quantify_state;

static int quantify_open(sb_task_ctx *t, sb_err *err)
{
    quantify_state *s = sb_calloc(1, sizeof *s, "distshift quantify", err);
    if (!s)
        return SB_ENOMEM;
    t->state = s;
    sb_shift_defaults(&s->sopts);
    const sb_opts *o = t->opts;
    int rc;
    if ((rc = sb_opts_path(o, quantify_options, "input", s->input, sizeof s->input, err)) ||
        (rc = sb_opts_path(o, quantify_options, "points", s->points, sizeof s->points, err)) ||
        (rc = sb_opts_long(o, quantify_options, "samples", &s->samples, err)) ||
        (rc = sb_opts_long(o, quantify_options, "block", &s->block, err)) ||
        (rc = sb_opts_double(o, quantify_options, "eps_div", &s->sopts.eps_div, err)) ||
        (rc = sb_opts_double(o, quantify_options, "eps_cor", &s->sopts.eps_cor, err)) ||
        (rc = sb_opts_bool(o, quantify_options, "hellinger", &s->sopts.hellinger, err)))
        return rc;
    if (s->samples < 1 || s->samples > 100000000)
        return sb_fail(err, SB_EUSAGE, "%s: samples must be in 1..1e8, not %ld", o->where, s->samples);
    if (s->block < SB_KDE_POINT_BLOCK || s->block % SB_KDE_POINT_BLOCK)
        return sb_fail(err, SB_EUSAGE, "%s: block must be a positive multiple of %d, not %ld", o->where,
                       SB_KDE_POINT_BLOCK, s->block);
    if (!(s->sopts.eps_div >= 0) || !(s->sopts.eps_cor >= 0))
        return sb_fail(err, SB_EUSAGE, "%s: eps_div and eps_cor must be >= 0", o->where);
    return 0;
}

static void quantify_close(sb_task_ctx *t)
{
    free(t->state);
    t->state = NULL;
}

typedef struct envs {
    double *zP, *zQ, *pts;
    int *yP, *yQ;
    size_t nP, nQ, d, m;
} envs;

static void envs_free(envs *e)
{
    free(e->zP);
    free(e->zQ);
    free(e->pts);
    free(e->yP);
    free(e->yQ);
    memset(e, 0, sizeof *e);
}

static int read_env(const sb_h5file *f, const char *env, double **z, int **y, size_t *n, size_t *d, sb_err *err)
{
    char pz[32], py[32];
    snprintf(pz, sizeof pz, "/%s/z", env);
    snprintf(py, sizeof py, "/%s/y", env);
    if (!sb_h5_exists(f, pz) || !sb_h5_exists(f, py))
        return sb_fail(err, SB_EINPUT, "%s: environment %s needs %s and %s", f->path, env, pz, py);
    size_t dz[SB_H5_MAXRANK], dy[SB_H5_MAXRANK];
    int rc = sb_h5_read_f64(f, pz, 2, dz, z, err);
    int64_t *yy = NULL;
    if (!rc)
        rc = sb_h5_read_i64(f, py, 1, dy, &yy, err);
    if (!rc && dy[0] != dz[0])
        rc = sb_fail(err, SB_EINPUT, "%s: %s has %zu labels but %s has %zu rows", f->path, py, dy[0], pz, dz[0]);
    if (!rc && dz[0] < 2)
        rc = sb_fail(err, SB_EINPUT, "%s: environment %s has %zu samples (%s); at least 2 are needed", f->path,
                     env, dz[0], pz);
    if (!rc && dz[1] == 0)
        rc = sb_fail(err, SB_EINPUT, "%s: %s has no feature column", f->path, pz);
    if (!rc && !(*y = sb_malloc(dz[0] * sizeof **y, "labels", err)))
        rc = SB_ENOMEM;
    for (size_t i = 0; !rc && i < dz[0]; i++) {
        if (yy[i] < 0 || yy[i] > 1000000000)
            rc = sb_fail(err, SB_EINPUT, "%s: %s[%zu] = %lld is not a class label (0, 1, ...)", f->path, py, i,
                         (long long)yy[i]);
        (*y)[i] = (int)yy[i];
    }
    free(yy);
    if (!rc) {
        *n = dz[0];
        *d = dz[1];
    }
    return rc;
}

/* Reads both environments (and --points), checking that their feature dimensions agree. */
static int read_envs(const quantify_state *s, envs *e, sb_err *err)
{
    memset(e, 0, sizeof *e);
    sb_h5_quiet();
    sb_h5file f;
    int rc = sb_h5_open(&f, s->input, err);
    if (rc)
        return rc;
    size_t dP = 0, dQ = 0;
    rc = read_env(&f, "P", &e->zP, &e->yP, &e->nP, &dP, err);
    if (!rc)
        rc = read_env(&f, "Q", &e->zQ, &e->yQ, &e->nQ, &dQ, err);
    if (!rc && dP != dQ)
        rc = sb_fail(err, SB_EINPUT, "%s: /P/z has %zu feature columns but /Q/z has %zu", s->input, dP, dQ);
    sb_h5_close(&f);
    e->d = dP;
    e->m = (size_t)s->samples;
    if (!rc && s->points[0]) {
        sb_h5file pf;
        size_t dims[SB_H5_MAXRANK];
        if (!(rc = sb_h5_open(&pf, s->points, err))) {
            if (!sb_h5_exists(&pf, "/points"))
                rc = sb_fail(err, SB_EINPUT, "%s: no dataset /points", s->points);
            if (!rc)
                rc = sb_h5_read_f64(&pf, "/points", 2, dims, &e->pts, err);
            if (!rc && dims[1] != e->d)
                rc = sb_fail(err, SB_EINPUT, "%s: /points has %zu columns but the environments of %s have %zu",
                             s->points, dims[1], s->input, e->d);
            if (!rc && dims[0] == 0)
                rc = sb_fail(err, SB_EINPUT, "%s: /points holds no point", s->points);
            if (!rc)
                e->m = dims[0];
            sb_h5_close(&pf);
        }
    }
    if (rc)
        envs_free(e);
    return rc;
}

static int prepare(const quantify_state *s, const envs *e, sb_shift **sh, sb_err *err)
{
    int rc = sb_shift_prepare(e->zP, e->yP, e->nP, e->zQ, e->yQ, e->nQ, e->d, &s->sopts, sh, err);
    if (rc)
        sb_wrap(err, "%s", s->input);
    return rc;
}

static int quantify_plan(sb_task_ctx *t, sb_units *units, sb_err *err)
{
    quantify_state *s = t->state;
    envs e;
    int rc = read_envs(s, &e, err);
    if (rc)
        return rc;
    sb_shift *sh = NULL;
    rc = prepare(s, &e, &sh, err);
    size_t m = e.m, b = (size_t)s->block;
    double cost_per_point = (double)(2 * (e.nP + e.nQ)) * (double)(e.d + 8);
    for (size_t first = 0; first < m && !rc; first += b) {
        size_t cnt = m - first < b ? m - first : b;
        char key[64];
        snprintf(key, sizeof key, "points %zu-%zu", first, first + cnt - 1);
        rc = sb_units_add(units, key, cost_per_point * (double)cnt, (int64_t)first, err);
    }
    sb_shift_free(sh);
    envs_free(&e);
    return rc;
}

static int quantify_run_unit(sb_task_ctx *t, const sb_unit *u, sb_buf *rec, char *stage, size_t scap,
                             sb_err *err)
{
    quantify_state *s = t->state;
    snprintf(stage, scap, "read");
    envs e;
    int rc = read_envs(s, &e, err);
    if (rc)
        return rc;
    snprintf(stage, scap, "compute");
    sb_shift *sh = NULL;
    rc = prepare(s, &e, &sh, err);
    size_t first = (size_t)u->arg, m = e.m, w = 0, cnt = 0;
    double *terms = NULL;
    if (!rc && first >= m)
        rc = sb_fail(err, SB_EINPUT, "%s: unit %s is past the %zu points (input changed?)", s->input, u->key, m);
    if (!rc) {
        cnt = m - first < (size_t)s->block ? m - first : (size_t)s->block;
        w = sb_shift_terms_width(sh);
        if (!e.pts) {
            e.pts = sb_malloc(m * e.d * sizeof *e.pts, "shift points", err);
            if (!e.pts)
                rc = SB_ENOMEM;
            else {
                sb_rng rng;
                sb_rng_seed(&rng, t->seed, sb_ds_key_stream("distshift quantify points"));
                sb_shift_sample_points(sh, m, &rng, e.pts);
            }
        }
    }
    if (!rc && !(terms = sb_malloc(cnt * w * sizeof *terms, "shift terms", err)))
        rc = SB_ENOMEM;
    if (!rc && (rc = sb_shift_terms(sh, e.pts, m, first, cnt, terms, err)))
        sb_wrap(err, "%s", s->input);
    if (!rc) {
        size_t nc = sb_shift_n_classes(sh);
        sb_buf_put_u64(rec, m);
        sb_buf_put_u64(rec, first);
        sb_buf_put_u64(rec, cnt);
        sb_buf_put_u64(rec, nc);
        for (size_t c = 0; c < nc; c++) {
            sb_buf_put_i64(rec, sb_shift_class_label(sh, c));
            sb_buf_put_u64(rec, sb_shift_class_count(sh, c));
        }
        sb_buf_put_str(rec, sb_shift_warning(sh));
        for (size_t i = 0; i < cnt * w; i++)
            sb_buf_put_f64(rec, terms[i]);
    }
    free(terms);
    sb_shift_free(sh);
    envs_free(&e);
    return rc;
}

static const char *const SHIFT_COLS[] = {"train", "test", "div", "cor", "n_points", "reason"};
static const char *const CLASS_COLS[] = {"class", "n_paired", "cor"};

/* The blocks put together: m points, nc classes, the terms of the first `filled` points. */
typedef struct blocks {
    uint64_t m, nc, filled;
    int64_t *label;
    size_t *count;
    double *terms;
    char warning[600];
} blocks;

static void blocks_free(blocks *b)
{
    free(b->label);
    free(b->count);
    free(b->terms);
}

/* Whether a block header fits the plan and what came before: it starts where the previous block
 * ended, at its unit's first point, holds 1..block points, and (first block) its m points of
 * 1 + nc terms fit in the bytes of all the records (total), so the allocation is bounded by them. */
static int header_fits(const quantify_state *s, const sb_unit *u, const blocks *b, uint64_t m, uint64_t first,
                       uint64_t cnt, uint64_t nc, size_t total)
{
    if (first != (uint64_t)u->arg || first != b->filled || cnt < 1 || cnt > (uint64_t)s->block || first > m ||
        cnt > m - first)
        return 0;
    return b->terms ? m == b->m && nc == b->nc : m <= total / 8 / (1 + nc);
}

/* Adds the record of unit u to b; every count is checked before anything is allocated or read. */
static int add_block(const quantify_state *s, const sb_unit *u, const sb_record *rec, size_t total, blocks *b,
                     sb_err *err)
{
    sb_reader rd;
    sb_reader_init(&rd, rec->data, rec->len);
    uint64_t m = sb_get_u64(&rd), first = sb_get_u64(&rd), cnt = sb_get_u64(&rd);
    uint64_t nc = sb_get_count(&rd, 16, UINT64_MAX); /* a label and a count per class */
    if (rd.bad || !header_fits(s, u, b, m, first, cnt, nc, total))
        return sb_fail(err, SB_EINPUT, "journal record of %s does not fit the other blocks", u->key);
    if (!b->terms) {
        b->m = m;
        b->nc = nc;
        b->label = sb_calloc(nc + 1, sizeof *b->label, "classes", err);
        b->count = sb_calloc(nc + 1, sizeof *b->count, "classes", err);
        b->terms = sb_malloc((m * (1 + nc) + 1) * sizeof *b->terms, "shift terms", err);
        if (!b->label || !b->count || !b->terms)
            return SB_ENOMEM;
    }
    for (size_t c = 0; c < nc; c++) {
        b->label[c] = sb_get_i64(&rd);
        b->count[c] = (size_t)sb_get_u64(&rd);
    }
    sb_get_str(&rd, b->warning, sizeof b->warning);
    if (sb_reader_has(&rd, cnt, 8 * (1 + (size_t)nc)))
        for (uint64_t k = 0; k < cnt * (1 + nc); k++)
            b->terms[first * (1 + nc) + k] = sb_get_f64(&rd);
    b->filled += cnt;
    return rd.bad ? sb_fail(err, SB_EINPUT, "journal record of %s is corrupt", u->key) : 0;
}

static int write_tables(const blocks *b, const sb_shift_result *res, const double *cor_y, sb_tables *out,
                        sb_err *err)
{
    sb_table *tab = &out->t[out->n - 2];
    size_t row;
    char reason[800];
    snprintf(reason, sizeof reason, "%s%s%s", res->reason, res->reason[0] && b->warning[0] ? "; " : "", b->warning);
    int rc;
    if ((rc = sb_table_add_row(tab, &row, err)) || (rc = sb_table_set_str(tab, row, 0, "P", err)) ||
        (rc = sb_table_set_str(tab, row, 1, "Q", err)))
        return rc;
    sb_table_set_num(tab, row, 2, res->div);
    sb_table_set_num(tab, row, 3, res->cor);
    sb_table_set_int(tab, row, 4, (int64_t)res->n_points);
    if ((rc = sb_table_set_str(tab, row, 5, reason, err)))
        return rc;
    tab = &out->t[out->n - 1];
    for (size_t c = 0; c < b->nc && !rc; c++) {
        if ((rc = sb_table_add_row(tab, &row, err)))
            break;
        sb_table_set_int(tab, row, 0, b->label[c]);
        sb_table_set_int(tab, row, 1, (int64_t)b->count[c]);
        sb_table_set_num(tab, row, 2, cor_y[c]);
    }
    return rc;
}

static int quantify_finish(sb_task_ctx *t, const sb_unit *units, const sb_record *records, size_t n,
                           sb_tables *out, sb_err *err)
{
    const quantify_state *s = t->state;
    sb_table *tab;
    int rc = sb_tables_add(out, "shift", 6, SHIFT_COLS, &tab, err);
    if (!rc)
        rc = sb_tables_add(out, "shift_classes", 3, CLASS_COLS, &tab, err);
    if (rc || n == 0)
        return rc;
    /* Every block must be there; a failed one is in failures.csv and leaves the tables empty. */
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!records[i].data || records[i].failed)
            return 0;
        total += records[i].len;
    }
    blocks b;
    memset(&b, 0, sizeof b);
    for (size_t i = 0; i < n && !rc; i++)
        rc = add_block(s, &units[i], &records[i], total, &b, err);
    if (!rc && b.filled != b.m)
        rc = sb_fail(err, SB_EINPUT, "the journal holds %llu of %llu points", (unsigned long long)b.filled,
                     (unsigned long long)b.m);
    sb_shift_result res;
    double *cor_y = NULL;
    if (!rc) {
        cor_y = sb_calloc(b.nc + 1, sizeof *cor_y, "classes", err);
        rc = cor_y ? sb_shift_combine_counts(b.count, b.nc, b.terms, b.m, &res, cor_y, err) : SB_ENOMEM;
    }
    if (!rc)
        rc = write_tables(&b, &res, cor_y, out, err);
    free(cor_y);
    blocks_free(&b);
    return rc;
}

const sb_task sb_task_distshift_quantify = {
    .name = "distshift_quantify",
    .summary = "OoD-Bench diversity and correlation shift between environments P and Q (specs/distshift.md)",
    .cli = {"distshift", "quantify", "OoD-Bench diversity and correlation shift between P and Q"},
    .tables = (const char *const[]){"shift", "shift_classes", NULL},
    .options = quantify_options,
    .open = quantify_open,
    .plan = quantify_plan,
    .run_unit = quantify_run_unit,
    .finish = quantify_finish,
    .close = quantify_close,
};
