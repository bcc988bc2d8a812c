/* pose_task.c — 3D human pose evaluation as a task: one unit per sequence of the
 * input file (specs/pose.md, formats.md "Pose"), pose.csv with a row per sequence, a
 * row per action label and a frame-weighted ALL row; with occlusion masks or pattern names,
 * also pose_occlusion.csv (pose_occlusion.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/task.h"
#include "io/h5read.h"
#include "tasks/pose/pose_metrics.h"
#include "tasks/pose/pose_occlusion.h"
#include "tasks/pose/pose_skeleton.h"

static const sb_option pose_options[] = {
    {"input", SB_OPT_PATH, NULL, "HDF5 file with /sequences/<name>/{gt,pred,hyp,weights}", 1, SB_NO_RANGE},
    {"pck_threshold", SB_OPT_DOUBLE, "150", "PCK threshold in mm (errors strictly below count)", 0, SB_NO_RANGE},
    {"clip", SB_OPT_INT, "0", "frames per clip for bone_std (0 = whole sequence)", 0, {0, 1000000}},
    {"root_relative", SB_OPT_BOOL, "false", "subtract joint 0 from gt and predictions first "
                                            "(a sequence attribute root_relative=1 also asks for it)", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

typedef struct pose_state {
    char input[1024];
    sb_pose_opts popts;
} pose_state;

static int pose_open(sb_task_ctx *t, sb_err *err)
{
    pose_state *s = sb_calloc(1, sizeof *s, "pose task", err);
    if (!s)
        return SB_ENOMEM;
    t->state = s;
    sb_pose_opts_defaults(&s->popts);
    long clip;
    int rr, rc;
    if ((rc = sb_opts_path(t->opts, pose_options, "input", s->input, sizeof s->input, err)) ||
        (rc = sb_opts_double(t->opts, pose_options, "pck_threshold", &s->popts.pck_threshold, err)) ||
        (rc = sb_opts_long(t->opts, pose_options, "clip", &clip, err)) ||
        (rc = sb_opts_bool(t->opts, pose_options, "root_relative", &rr, err)))
        return rc;
    if (clip < 0 || clip == 1)
        return sb_fail(err, SB_EUSAGE, "%s: clip must be 0 or at least 2 frames, not %ld", t->opts->where, clip);
    if (!(s->popts.pck_threshold > 0))
        return sb_fail(err, SB_EUSAGE, "%s: pck_threshold must be positive", t->opts->where);
    s->popts.clip = (size_t)clip;
    s->popts.root_relative = rr;
    return 0;
}

static void pose_close(sb_task_ctx *t)
{
    free(t->state);
    t->state = NULL;
}

/* A sequence's occlusion inputs (specs/pose.md "Occlusion robustness"). */
typedef struct seq_occ {
    int64_t *mask; /* F×J, 1 = occluded; NULL when the sequence has no `occluded` */
    int has_pattern, has_train;
    char pattern[256], train[256];
} seq_occ;

static void shape_text(int rank, const size_t *d, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int r = 0; r < rank && len < cap; r++)
        len += (size_t)snprintf(out + len, cap - len, "%s%zu", r ? "x" : "", d[r]);
}

/* Reads and checks `occluded` (F×J of 0/1, any integer or bool type) and the string
 * attributes `occlusion`, `train_occlusion` of sequence name; F, J are gt's. */
static int read_occlusion(const sb_h5file *f, const char *name, size_t F, size_t J, seq_occ *o, sb_err *err)
{
    char g[600], p[700], shape[200];
    size_t d[SB_H5_MAXRANK];
    int rank, rc = 0;
    memset(o, 0, sizeof *o);
    snprintf(g, sizeof g, "/sequences/%s", name);
    snprintf(p, sizeof p, "%s/occluded", g);
    if (sb_h5_exists(f, p)) {
        if ((rc = sb_h5_shape(f, p, &rank, d, err)))
            return rc;
        if (rank != 2 || d[0] != F || d[1] != J) {
            shape_text(rank, d, shape, sizeof shape);
            int axis = rank < 1 || d[0] != F ? 0 : rank < 2 || d[1] != J ? 1 : 2;
            return sb_fail(err, SB_EINPUT, "%s: %s has shape (%s) but gt has %zu frames x %zu joints: expected "
                           "(%zux%zu), first differing axis %d", f->path, p, shape, F, J, F, J, axis);
        }
        if ((rc = sb_h5_read_flags(f, p, 2, d, &o->mask, err)))
            return rc;
        size_t bad = sb_pose_occ_first_bad(o->mask, F * J);
        if (bad < F * J)
            return sb_fail(err, SB_EINPUT, "%s: %s[%zu, %zu] = %lld: not 0 (visible) or 1 (occluded)", f->path, p,
                           bad / J, bad % J, (long long)o->mask[bad]);
    }
    if ((o->has_pattern = sb_h5_attr_exists(f, g, "occlusion")))
        rc = sb_h5_attr_string(f, g, "occlusion", o->pattern, sizeof o->pattern, err);
    if (!rc && (o->has_train = sb_h5_attr_exists(f, g, "train_occlusion")))
        rc = sb_h5_attr_string(f, g, "train_occlusion", o->train, sizeof o->train, err);
    return rc;
}

/* At plan time, so a bad mask stops the job before any unit (exit 2): the gt's frames and
 * joints come from its shape; a gt of another rank is the unit's own failure. */
static int check_occlusion(const sb_h5file *f, const char *name, sb_err *err)
{
    char p[600];
    size_t d[SB_H5_MAXRANK];
    int rank;
    sb_err ignore;
    snprintf(p, sizeof p, "/sequences/%s/gt", name);
    if (sb_h5_shape(f, p, &rank, d, &ignore) || rank != 3)
        return 0;
    seq_occ o;
    int rc = read_occlusion(f, name, d[0], d[1], &o, err);
    free(o.mask);
    return rc;
}

static int pose_plan(sb_task_ctx *t, sb_units *units, sb_err *err)
{
    pose_state *s = t->state;
    sb_h5_quiet();
    sb_h5file f;
    int rc = sb_h5_open(&f, s->input, err);
    if (rc)
        return rc;
    /* The skeleton is the file's: a broken one makes every sequence fail, so say it once. */
    sb_pose_skel_data sk;
    if ((rc = sb_pose_skel_read(&f, &sk, err))) {
        sb_h5_close(&f);
        return rc;
    }
    sb_pose_skel_free(&sk);
    size_t n;
    char **names;
    if ((rc = sb_h5_list_group(&f, "/sequences", &n, &names, err))) {
        sb_h5_close(&f);
        return rc;
    }
    if (n == 0)
        rc = sb_fail(err, SB_EINPUT, "%s: /sequences holds no sequence", s->input);
    for (size_t i = 0; i < n && !rc; i++) {
        char path[600];
        size_t dims[SB_H5_MAXRANK];
        int rank;
        double cost = 1;
        sb_err ignore;
        snprintf(path, sizeof path, "/sequences/%s/gt", names[i]);
        if (!sb_h5_shape(&f, path, &rank, dims, &ignore) && rank == 3)
            cost = (double)dims[0] * (double)dims[1];
        snprintf(path, sizeof path, "/sequences/%s/hyp", names[i]);
        if (sb_h5_exists(&f, path) && !sb_h5_shape(&f, path, &rank, dims, &ignore) && rank == 4)
            cost += (double)dims[0] * (double)dims[1] * (double)dims[2];
        rc = check_occlusion(&f, names[i], err);
        if (!rc)
            rc = sb_units_add(units, names[i], cost, (int64_t)i, err);
    }
    sb_h5_free_strings(names, n);
    sb_h5_close(&f);
    return rc;
}

typedef struct seq_arrays {
    double *gt, *pred, *hyp, *weights;
    seq_occ occ;
} seq_arrays;

static void free_arrays(seq_arrays *a)
{
    free(a->occ.mask);
    free(a->gt);
    free(a->pred);
    free(a->hyp);
    free(a->weights);
}

/* Reads and checks one sequence's arrays against each other and the skeleton. */
static int read_sequence(sb_h5file *f, const char *name, size_t joints, seq_arrays *a, sb_pose_seq *q,
                         char *action, size_t acap, int *root_rel, sb_err *err)
{
    char g[600], p[700];
    size_t dg[SB_H5_MAXRANK], dp[SB_H5_MAXRANK], dh[SB_H5_MAXRANK], dw[SB_H5_MAXRANK];
    memset(a, 0, sizeof *a);
    memset(q, 0, sizeof *q);
    snprintf(g, sizeof g, "/sequences/%s", name);
    snprintf(p, sizeof p, "%s/gt", g);
    int rc = sb_h5_read_f64(f, p, 3, dg, &a->gt, err);
    if (rc)
        return rc;
    if (dg[2] != 3)
        return sb_fail(err, SB_EINPUT, "%s: %s has shape (%zux%zux%zu): the last axis must be 3 (x, y, z)",
                       f->path, p, dg[0], dg[1], dg[2]);
    if (dg[0] == 0)
        return sb_fail(err, SB_EINPUT, "%s: %s is an empty sequence (0 frames)", f->path, p);
    if (dg[1] != joints)
        return sb_fail(err, SB_EINPUT, "%s: %s has %zu joints but the skeleton (root attribute parents) has %zu",
                       f->path, p, dg[1], joints);
    q->frames = dg[0];
    q->joints = joints;
    q->gt = a->gt;
    if ((rc = read_occlusion(f, name, dg[0], dg[1], &a->occ, err)))
        return rc;
    snprintf(p, sizeof p, "%s/pred", g);
    if (sb_h5_exists(f, p)) {
        if ((rc = sb_h5_read_f64(f, p, 3, dp, &a->pred, err)))
            return rc;
        if (dp[0] != dg[0] || dp[1] != dg[1] || dp[2] != 3)
            return sb_fail(err, SB_EINPUT, "%s: %s has shape (%zux%zux%zu) but gt has (%zux%zux3)", f->path, p,
                           dp[0], dp[1], dp[2], dg[0], dg[1]);
        q->pred = a->pred;
    }
    snprintf(p, sizeof p, "%s/hyp", g);
    if (sb_h5_exists(f, p)) {
        if ((rc = sb_h5_read_f64(f, p, 4, dh, &a->hyp, err)))
            return rc;
        if (dh[0] != dg[0] || dh[2] != dg[1] || dh[3] != 3 || dh[1] == 0)
            return sb_fail(err, SB_EINPUT, "%s: %s has shape (%zux%zux%zux%zu); expected (%zuxMx%zux3), M >= 1",
                           f->path, p, dh[0], dh[1], dh[2], dh[3], dg[0], dg[1]);
        q->hyp = a->hyp;
        q->hyps = dh[1];
        snprintf(p, sizeof p, "%s/weights", g);
        if (sb_h5_exists(f, p)) {
            if ((rc = sb_h5_read_f64(f, p, 2, dw, &a->weights, err)))
                return rc;
            if (dw[0] != dg[0] || dw[1] != dh[1])
                return sb_fail(err, SB_EINPUT, "%s: %s has shape (%zux%zu); expected (%zux%zu)", f->path, p,
                               dw[0], dw[1], dg[0], dh[1]);
            q->weights = a->weights;
        }
    }
    if (!q->pred && !q->hyp)
        return sb_fail(err, SB_EINPUT, "%s: %s has neither pred nor hyp", f->path, g);
    action[0] = '\0';
    if (sb_h5_attr_exists(f, g, "action") && (rc = sb_h5_attr_string(f, g, "action", action, acap, err)))
        return rc;
    *root_rel = 0;
    if (sb_h5_attr_exists(f, g, "root_relative")) {
        double v;
        if ((rc = sb_h5_attr_f64(f, g, "root_relative", &v, err)))
            return rc;
        *root_rel = v != 0;
    }
    return 0;
}

/* The record's tail: which occlusion inputs the sequence has, its pattern names and sums. */
enum { OCC_MASK = 1, OCC_PATTERN = 2, OCC_TRAIN = 4 };

static void put_occlusion(sb_buf *rec, const seq_occ *so, const sb_pose_occ *o)
{
    sb_buf_put_u64(rec, (so->mask ? OCC_MASK : 0) | (so->has_pattern ? OCC_PATTERN : 0) |
                            (so->has_train ? OCC_TRAIN : 0));
    sb_buf_put_str(rec, so->pattern);
    sb_buf_put_str(rec, so->train);
    const double v[6] = {o->n_occ, o->n_vis, o->e_occ, o->e_vis, o->sum_occ, o->sum_vis};
    for (int i = 0; i < 6; i++)
        sb_buf_put_f64(rec, v[i]);
}

static int pose_run_unit(sb_task_ctx *t, const sb_unit *u, sb_buf *rec, char *stage, size_t scap, sb_err *err)
{
    pose_state *s = t->state;
    sb_h5_quiet();
    snprintf(stage, scap, "read");
    sb_h5file f;
    int rc = sb_h5_open(&f, s->input, err);
    if (rc)
        return rc;
    sb_pose_skel_data sk;
    if ((rc = sb_pose_skel_read(&f, &sk, err))) {
        sb_h5_close(&f);
        return rc;
    }
    seq_arrays a;
    sb_pose_seq q;
    char action[256];
    int root_rel = 0;
    sb_pose_occ occ;
    memset(&occ, 0, sizeof occ);
    rc = read_sequence(&f, u->key, sk.skel.joints, &a, &q, action, sizeof action, &root_rel, err);
    sb_h5_close(&f);
    size_t nc = sb_pose_ncolumns(&sk.skel);
    double *values = NULL, *pool = NULL;
    if (!rc) {
        values = sb_calloc(nc, sizeof *values, "pose metrics", err);
        pool = sb_calloc(nc, sizeof *pool, "pose metrics", err);
        if (!values || !pool)
            rc = SB_ENOMEM;
    }
    if (!rc) {
        snprintf(stage, scap, "compute");
        sb_pose_opts o = s->popts;
        o.root_relative = o.root_relative || root_rel;
        rc = sb_pose_eval_sequence(&q, &sk.skel, &o, values, pool, err);
        if (rc)
            sb_wrap(err, "%s: sequence %s", s->input, u->key);
        else if (a.occ.mask)
            sb_pose_occ_eval(&q, a.occ.mask, o.root_relative, &occ);
    }
    if (!rc) {
        sb_buf_put_str(rec, u->key);
        sb_buf_put_str(rec, action);
        sb_buf_put_u64(rec, q.frames);
        sb_buf_put_u64(rec, nc);
        char name[96];
        for (size_t i = 0; i < nc; i++) {
            sb_buf_put_str(rec, sb_pose_column_name(&sk.skel, i, name, sizeof name));
            sb_buf_put_f64(rec, values[i]);
            sb_buf_put_f64(rec, pool[i]);
        }
        put_occlusion(rec, &a.occ, &occ);
    }
    free(values);
    free(pool);
    free_arrays(&a);
    sb_pose_skel_free(&sk);
    return rc;
}

/* One decoded record. */
typedef struct pose_row {
    char *name, *action;
    uint64_t frames, nc;
    char **cols;
    double *v, *w;
    uint64_t occ_flags; /* OCC_* */
    char *pattern, *train;
    sb_pose_occ occ;
} pose_row;

static void free_row(pose_row *r)
{
    free(r->name);
    free(r->action);
    free(r->pattern);
    free(r->train);
    if (r->cols)
        for (uint64_t i = 0; i < r->nc; i++)
            free(r->cols[i]);
    free(r->cols);
    free(r->v);
    free(r->w);
}

static int decode(const sb_record *rec, pose_row *r)
{
    memset(r, 0, sizeof *r);
    sb_reader rd;
    sb_reader_init(&rd, rec->data, rec->len);
    r->name = sb_get_strdup(&rd);
    r->action = sb_get_strdup(&rd);
    r->frames = sb_get_u64(&rd);
    if (r->frames > INT64_MAX)
        return -1;
    /* Each column takes at least 24 bytes: a name's length prefix, the value and the pool. */
    r->nc = sb_get_count(&rd, 24, UINT64_MAX);
    if (rd.bad)
        return -1;
    r->cols = calloc(r->nc + 1, sizeof *r->cols);
    r->v = calloc(r->nc + 1, sizeof *r->v);
    r->w = calloc(r->nc + 1, sizeof *r->w);
    if (!r->cols || !r->v || !r->w)
        return -1;
    for (uint64_t i = 0; i < r->nc; i++) {
        r->cols[i] = sb_get_strdup(&rd);
        r->v[i] = sb_get_f64(&rd);
        r->w[i] = sb_get_f64(&rd);
    }
    r->occ_flags = sb_get_u64(&rd);
    r->pattern = sb_get_strdup(&rd);
    r->train = sb_get_strdup(&rd);
    double *o[6] = {&r->occ.n_occ, &r->occ.n_vis, &r->occ.e_occ, &r->occ.e_vis, &r->occ.sum_occ, &r->occ.sum_vis};
    for (int i = 0; i < 6; i++)
        *o[i] = sb_get_f64(&rd);
    return rd.bad || r->occ_flags > 7 ? -1 : 0;
}

/* The occlusion columns mpjpe_occ, mpjpe_vis, occ_rate, occ_reason from col on, of o's sums
 * (all zero: no mask). */
static int set_occ_cells(sb_table *tab, size_t row, size_t col, const sb_pose_occ *o, sb_err *err)
{
    double v[3];
    char reason[64];
    sb_pose_occ_values(o, v, reason, sizeof reason);
    for (int i = 0; i < 3; i++)
        sb_table_set_num(tab, row, col + (size_t)i, v[i]);
    return sb_table_set_str(tab, row, col + 3, reason, err);
}

static int row_in(const pose_row *r, const char *action)
{
    return r->name && (!action || !strcmp(r->action, action));
}

/* Adds the frame-weighted pooled row over the rows whose action matches (NULL: all); nc metric
 * columns, then (with_occ) the occlusion columns pooled entry-weighted. */
static int add_pooled(sb_table *tab, size_t nc, int with_occ, const pose_row *rows, size_t n, const char *action,
                      sb_err *err)
{
    size_t row;
    uint64_t frames = 0;
    int rc = sb_table_add_row(tab, &row, err);
    if (!rc)
        rc = sb_table_set_str(tab, row, 0, "ALL", err);
    if (!rc)
        rc = sb_table_set_str(tab, row, 1, action ? action : "ALL", err);
    for (size_t c = 0; c < nc && !rc; c++) {
        double num = 0, den = 0;
        for (size_t i = 0; i < n; i++) {
            if (!row_in(&rows[i], action))
                continue;
            if (rows[i].w[c] > 0) {
                num += rows[i].w[c] * rows[i].v[c];
                den += rows[i].w[c];
            }
        }
        sb_table_set_num(tab, row, 3 + c, den > 0 ? num / den : NAN);
    }
    for (size_t i = 0; i < n; i++)
        if (row_in(&rows[i], action))
            frames += rows[i].frames;
    if (!rc)
        sb_table_set_int(tab, row, 2, (int64_t)frames);
    if (!rc && with_occ) {
        sb_pose_occ sum;
        memset(&sum, 0, sizeof sum);
        for (size_t i = 0; i < n; i++)
            if (row_in(&rows[i], action) && (rows[i].occ_flags & OCC_MASK))
                sb_pose_occ_add(&sum, &rows[i].occ);
        rc = set_occ_cells(tab, row, 3 + nc, &sum, err);
    }
    return rc;
}

/* pose_occlusion.csv over the sequences with a mask or a pattern name (none: no table). */
static int add_occlusion_table(const pose_row *rows, size_t n, sb_tables *out, sb_err *err)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += rows[i].name && rows[i].occ_flags;
    if (!m)
        return 0;
    sb_pose_occ_seq *q = calloc(m, sizeof *q);
    if (!q)
        return sb_fail(err, SB_ENOMEM, "out of memory finishing pose_occlusion");
    m = 0;
    for (size_t i = 0; i < n; i++) {
        const pose_row *r = &rows[i];
        if (!r->name || !r->occ_flags)
            continue;
        sb_pose_occ_seq *x = &q[m++];
        x->pattern = r->occ_flags & OCC_PATTERN ? r->pattern : NULL;
        x->train = r->occ_flags & OCC_TRAIN ? r->train : NULL;
        x->has_mask = (r->occ_flags & OCC_MASK) != 0;
        x->occ = r->occ;
        x->frames = r->frames;
        const size_t c[3] = {SB_POSE_MPJPE, SB_POSE_P_MPJPE, SB_POSE_PCK};
        double *dst[3] = {x->mpjpe, x->p_mpjpe, x->pck};
        for (int k = 0; k < 3; k++) {
            dst[k][0] = r->v[c[k]];
            dst[k][1] = r->w[c[k]];
        }
    }
    int rc = sb_pose_occ_table(q, m, out, err);
    free(q);
    return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int pose_finish(sb_task_ctx *t, const sb_unit *units, const sb_record *records, size_t n,
                       sb_tables *out, sb_err *err)
{
    (void)t;
    (void)units;
    pose_row *rows = calloc(n ? n : 1, sizeof *rows);
    if (!rows)
        return sb_fail(err, SB_ENOMEM, "out of memory finishing pose");
    int rc = 0;
    const pose_row *first = NULL;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!records[i].data || records[i].failed)
            continue;
        if (decode(&records[i], &rows[i]))
            rc = sb_fail(err, SB_EINPUT, "journal record of sequence %s is corrupt", units[i].key);
        else if (!first)
            first = &rows[i];
        else if (rows[i].nc != first->nc)
            rc = sb_fail(err, SB_EINPUT, "sequence %s has different metric columns than %s", rows[i].name,
                         first->name);
    }
    /* Columns come from the records; with no successful record, the fixed ones. The
     * occlusion columns follow when any sequence has a mask. */
    size_t nc = first ? first->nc : SB_POSE_NFIXED;
    int with_occ = 0;
    for (size_t i = 0; i < n; i++)
        with_occ |= rows[i].name && (rows[i].occ_flags & OCC_MASK);
    static const char *const occ_cols[4] = {"mpjpe_occ", "mpjpe_vis", "occ_rate", "occ_reason"};
    const char **cols = calloc(nc + 3 + 4, sizeof *cols);
    char fixed[SB_POSE_NFIXED][64];
    sb_pose_skeleton none;
    memset(&none, 0, sizeof none);
    if (!cols && !rc)
        rc = sb_fail(err, SB_ENOMEM, "out of memory finishing pose");
    sb_table *tab = NULL;
    if (!rc) {
        cols[0] = "sequence";
        cols[1] = "action";
        cols[2] = "frames";
        for (size_t c = 0; c < nc; c++)
            cols[3 + c] = first ? first->cols[c] : sb_pose_column_name(&none, c, fixed[c], sizeof fixed[c]);
        for (size_t c = 0; c < 4; c++)
            cols[3 + nc + c] = occ_cols[c];
        rc = sb_tables_add(out, "pose", nc + 3 + (with_occ ? 4 : 0), cols, &tab, err);
    }
    size_t nok = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!rows[i].name)
            continue;
        nok++;
        size_t row;
        if ((rc = sb_table_add_row(tab, &row, err)) || (rc = sb_table_set_str(tab, row, 0, rows[i].name, err)) ||
            (rc = sb_table_set_str(tab, row, 1, rows[i].action, err)))
            break;
        sb_table_set_int(tab, row, 2, (int64_t)rows[i].frames);
        for (size_t c = 0; c < nc; c++)
            sb_table_set_num(tab, row, 3 + c, rows[i].v[c]);
        if (with_occ) {
            sb_pose_occ none_occ;
            memset(&none_occ, 0, sizeof none_occ);
            rc = set_occ_cells(tab, row, 3 + nc, rows[i].occ_flags & OCC_MASK ? &rows[i].occ : &none_occ, err);
        }
    }
    /* One pooled row per distinct action label, in byte order, then the overall one. */
    char **acts = calloc(nok + 1, sizeof *acts);
    size_t na = 0;
    for (size_t i = 0; i < n && acts; i++)
        if (rows[i].name && rows[i].action[0]) {
            int seen = 0;
            for (size_t k = 0; k < na; k++)
                seen |= !strcmp(acts[k], rows[i].action);
            if (!seen)
                acts[na++] = rows[i].action;
        }
    if (acts)
        qsort(acts, na, sizeof *acts, cmp_str);
    for (size_t k = 0; k < na && !rc; k++)
        rc = add_pooled(tab, nc, with_occ, rows, n, acts[k], err);
    if (!rc && nok)
        rc = add_pooled(tab, nc, with_occ, rows, n, NULL, err);
    if (!rc)
        rc = add_occlusion_table(rows, n, out, err);
    free(acts);
    free(cols);
    for (size_t i = 0; i < n; i++)
        free_row(&rows[i]);
    free(rows);
    return rc;
}

const sb_task sb_task_pose = {
    .name = "pose",
    .summary = "3D human pose metrics (MPJPE family, PCK/AUC, velocity, multi-hypothesis, consistency)",
    .cli = {"pose", "eval", "evaluate 3D human pose predictions (specs/pose.md)"},
    .tables = (const char *const[]){"pose", "pose_occlusion", NULL},
    .options = pose_options,
    .open = pose_open,
    .plan = pose_plan,
    .run_unit = pose_run_unit,
    .finish = pose_finish,
    .close = pose_close,
};
