/* forecast_index.c — which /gt and /pred rows belong to which log, built once per process
 * from the small log columns (one pass over each), after every dataset's presence, type,
 * shape, the log indices and the category names are checked: a unit then reads only its
 * logs' rows (forecast_input.c). */
#include "tasks/forecast/forecast_input.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5read.h"
#include "io/input_file.h"

void sb_fc_index_free(sb_fc_index *ix)
{
    sb_fc_files_close(ix);
    if (ix->log) sb_h5_free_strings(ix->log, ix->n_logs);
    free(ix->gt_start);
    free(ix->gt_rows);
    free(ix->pred_start);
    free(ix->pred_rows);
    free(ix->gt_cat);
    free(ix->pred_cat);
    memset(ix, 0, sizeof *ix);
}

/* Dataset name must have rank `rank`, first dimension n (if n != (size_t)-1) and the given
 * trailing dimensions (0: any). */
static int check_shape(const sb_h5file *f, const char *name, int rank, size_t *n,
                       const size_t *trail, size_t *dim1, sb_err *err)
{
    int r;
    size_t d[SB_H5_MAXRANK];
    int rc = sb_h5_shape(f, name, &r, d, err);
    if (rc) return rc;
    int bad = r != rank || (*n != (size_t)-1 && d[0] != *n);
    for (int i = 1; i < rank && !bad; i++) bad = trail[i - 1] && d[i] != trail[i - 1];
    if (bad) {
        char got[128] = "", exp[128] = "";
        for (int i = 0; i < r; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%zu", i ? "x" : "", d[i]);
        if (*n != (size_t)-1)
            snprintf(exp, sizeof exp, "%zu", *n);
        else
            snprintf(exp, sizeof exp, "N");
        for (int i = 1; i < rank; i++) {
            if (trail[i - 1])
                snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "x%zu", trail[i - 1]);
            else
                snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "xK");
        }
        return sb_fail(err, SB_EINPUT, "%s: %s has shape (%s), expected (%s)%s", f->path, name,
                       r ? got : "scalar", exp,
                       *n != (size_t)-1 && r >= 1 && d[0] != *n
                           ? ": every dataset of the group needs one row per agent"
                           : "");
    }
    if (*n == (size_t)-1) *n = d[0];
    if (dim1) *dim1 = rank > 1 ? d[1] : 0;
    return 0;
}

/* /categories: names of forecasting.md, in any order; returns the map file index -> ours. */
static int read_categories(const sb_h5file *f, size_t *n, int **map, sb_err *err)
{
    char **names;
    int rc = sb_h5_read_strings(f, "/categories", n, &names, err);
    if (rc) return rc;
    *map = sb_malloc((*n ? *n : 1) * sizeof **map, "category map", err);
    if (!*map) rc = SB_ENOMEM;
    for (size_t i = 0; i < *n && !rc; i++) {
        (*map)[i] = sb_fc_category_index(names[i]);
        if ((*map)[i] < 0)
            rc = sb_fail(err, SB_EINPUT,
                         "%s: /categories[%zu] is '%s', not one of the 26 categories of "
                         "specs/forecasting.md",
                         f->path, i, names[i]);
    }
    sb_h5_free_strings(names, *n);
    if (rc) {
        free(*map);
        *map = NULL;
    }
    return rc;
}

typedef struct named {
    const char *name;
    size_t at;
} named;

static int by_name_then_index(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* /logs with unique names. A repeated name is refused at the first index that repeats an
 * earlier one; on any error *names is freed and left NULL (the caller frees nothing). */
static int read_logs(const sb_h5file *f, size_t *n, char ***names, sb_err *err)
{
    int rc = sb_h5_read_strings(f, "/logs", n, names, err);
    if (rc) {
        *names = NULL;
        *n = 0;
        return rc;
    }
    named *s = malloc((*n ? *n : 1) * sizeof *s);
    if (!s) {
        rc = sb_fail(err, SB_ENOMEM, "%s: out of memory for /logs", f->path);
    } else {
        for (size_t i = 0; i < *n; i++) s[i] = (named){(*names)[i], i};
        qsort(s, *n, sizeof *s, by_name_then_index);
        /* equal names sort by index: a run's second entry is its earliest repeat */
        size_t dup = *n, first = 0;
        for (size_t i = 1; i < *n; i++)
            if (!strcmp(s[i - 1].name, s[i].name) && s[i].at < dup &&
                (i == 1 || strcmp(s[i - 2].name, s[i].name))) {
                dup = s[i].at;
                first = s[i - 1].at;
            }
        if (dup < *n)
            rc = sb_fail(err, SB_EINPUT, "%s: /logs[%zu] is '%s', the name of /logs[%zu] already",
                         f->path, dup, (*names)[dup], first);
        free(s);
    }
    if (rc) {
        sb_h5_free_strings(*names, *n);
        *names = NULL;
        *n = 0;
    }
    return rc;
}

/* The log column of a group, checked against the number of logs. */
static int read_log_column(const sb_h5file *f, const char *name, size_t n_logs, int64_t **out,
                           sb_err *err)
{
    size_t d[SB_H5_MAXRANK];
    int rc = sb_h5_read_i64(f, name, 1, d, out, err);
    if (rc) return rc;
    for (size_t i = 0; i < d[0]; i++)
        if ((*out)[i] < 0 || (uint64_t)(*out)[i] >= n_logs) {
            rc = sb_fail(err, SB_EINPUT, "%s: %s[%zu] is %lld, not an index into /logs (%zu names)",
                         f->path, name, i, (long long)(*out)[i], n_logs);
            free(*out);
            *out = NULL;
            return rc;
        }
    return 0;
}

static int check_gt(const sb_h5file *f, size_t *m, sb_err *err)
{
    static const size_t two[1] = {2}, fut[2] = {SB_FC_T, 2};
    *m = (size_t)-1;
    int rc;
    if ((rc = check_shape(f, "/gt/log", 1, m, NULL, NULL, err)) ||
        (rc = check_shape(f, "/gt/timestamp_ns", 1, m, NULL, NULL, err)) ||
        (rc = check_shape(f, "/gt/category", 1, m, NULL, NULL, err)) ||
        (rc = check_shape(f, "/gt/current_xy", 2, m, two, NULL, err)) ||
        (rc = check_shape(f, "/gt/future_xy", 3, m, fut, NULL, err)) ||
        (rc = check_shape(f, "/gt/ego_xy", 2, m, two, NULL, err)))
        return rc;
    return 0;
}

static int check_pred(const sb_h5file *f, size_t *p, int top_k, int *k, sb_err *err)
{
    static const size_t two[1] = {2}, modes[3] = {0, SB_FC_T, 2}, any[1] = {0};
    *p = (size_t)-1;
    size_t K = 0, K2 = 0;
    int rc;
    if ((rc = check_shape(f, "/pred/log", 1, p, NULL, NULL, err)) ||
        (rc = check_shape(f, "/pred/timestamp_ns", 1, p, NULL, NULL, err)) ||
        (rc = check_shape(f, "/pred/category", 1, p, NULL, NULL, err)) ||
        (rc = check_shape(f, "/pred/current_xy", 2, p, two, NULL, err)) ||
        (rc = check_shape(f, "/pred/detection_score", 1, p, NULL, NULL, err)) ||
        (rc = check_shape(f, "/pred/modes_xy", 4, p, modes, &K, err)) ||
        (rc = check_shape(f, "/pred/mode_scores", 2, p, any, &K2, err)))
        return rc;
    if (K2 != K)
        return sb_fail(err, SB_EINPUT, "%s: /pred/mode_scores has %zu modes, /pred/modes_xy %zu",
                       f->path, K2, K);
    if (K < 1 || K > SB_FC_MAX_MODES)
        return sb_fail(err, SB_EINPUT,
                       "%s: /pred/modes_xy has %zu modes; the reference defines 1..%d "
                       "(FORECAST_SCALAR[K] exists only for K <= 6)",
                       f->path, K, SB_FC_MAX_MODES);
    if ((int)K < top_k)
        return sb_fail(err, SB_EINPUT, "%s: /pred/modes_xy has %zu modes, fewer than top_k = %d",
                       f->path, K, top_k);
    *k = (int)K;
    return 0;
}

/* Counting sort of rows by their union log: start[n+1], rows ascending within a log. */
static int group_rows(const int64_t *log_of_row, size_t n, const size_t *unit_of_log,
                      size_t n_units, size_t **start, size_t **rows, sb_err *err)
{
    *start = sb_calloc(n_units + 1, sizeof **start, "forecast index", err);
    *rows = sb_malloc((n ? n : 1) * sizeof **rows, "forecast index", err);
    if (!*start || !*rows) return SB_ENOMEM;
    for (size_t i = 0; i < n; i++) (*start)[unit_of_log[log_of_row[i]] + 1]++;
    for (size_t u = 0; u < n_units; u++) (*start)[u + 1] += (*start)[u];
    size_t *next = sb_malloc((n_units ? n_units : 1) * sizeof *next, "forecast index", err);
    if (!next) return SB_ENOMEM;
    memcpy(next, *start, n_units * sizeof *next);
    for (size_t i = 0; i < n; i++) (*rows)[next[unit_of_log[log_of_row[i]]]++] = i;
    free(next);
    return 0;
}

/* What the build reads and frees again. */
typedef struct build {
    sb_h5file g, p;
    int same;
    char **glogs, **plogs; /* /logs of each file (plogs NULL in one file) */
    size_t ngl, npl;
    int64_t *glog, *plog;  /* /gt/log, /pred/log */
} build;

static void build_free(build *b)
{
    if (b->glogs) sb_h5_free_strings(b->glogs, b->ngl);
    if (b->plogs) sb_h5_free_strings(b->plogs, b->npl);
    free(b->glog);
    free(b->plog);
    sb_h5_close(&b->g);
    if (!b->same) sb_h5_close(&b->p);
}

static int read_columns(sb_fc_index *ix, build *b, int top_k, sb_err *err)
{
    const sb_h5file *pf = b->same ? &b->g : &b->p;
    int rc = sb_input_check(ix->gt_path, err);
    if (!rc && !b->same) rc = sb_input_check(ix->pred_path, err);
    if (!rc) rc = sb_h5_open(&b->g, ix->gt_path, err);
    if (!rc && !b->same) rc = sb_h5_open(&b->p, ix->pred_path, err);
    if (!rc) rc = read_logs(&b->g, &b->ngl, &b->glogs, err);
    if (!rc) rc = read_categories(&b->g, &ix->n_gt_cats, &ix->gt_cat, err);
    if (!rc) rc = check_gt(&b->g, &ix->n_gt, err);
    if (!rc && ix->n_gt == 0) rc = sb_fail(err, SB_EINPUT, "%s: /gt has no rows", b->g.path);
    if (!rc) rc = read_log_column(&b->g, "/gt/log", b->ngl, &b->glog, err);
    if (!rc && !b->same) rc = read_logs(pf, &b->npl, &b->plogs, err);
    if (!rc && !b->same) rc = read_categories(pf, &ix->n_pred_cats, &ix->pred_cat, err);
    if (!rc && b->same) {
        ix->n_pred_cats = ix->n_gt_cats;
        ix->pred_cat = sb_malloc(ix->n_gt_cats * sizeof *ix->pred_cat + 1, "category map", err);
        if (!ix->pred_cat)
            rc = SB_ENOMEM;
        else
            memcpy(ix->pred_cat, ix->gt_cat, ix->n_gt_cats * sizeof *ix->pred_cat);
        b->npl = b->ngl;
    }
    if (!rc) rc = check_pred(pf, &ix->n_pred, top_k, &ix->k, err);
    if (!rc) rc = read_log_column(pf, "/pred/log", b->npl, &b->plog, err);
    return rc;
}

/* p2g[j]: the ground-truth log named like prediction log j, or (size_t)-1 */
static int match_names(const build *b, size_t *p2g, sb_err *err)
{
    if (b->same) {
        for (size_t j = 0; j < b->npl; j++) p2g[j] = j;
        return 0;
    }
    named *s = sb_malloc((b->ngl ? b->ngl : 1) * sizeof *s, "forecast index", err);
    if (!s) return SB_ENOMEM;
    for (size_t i = 0; i < b->ngl; i++) s[i] = (named){b->glogs[i], i};
    qsort(s, b->ngl, sizeof *s, by_name_then_index);
    for (size_t j = 0; j < b->npl; j++) {
        named key = {b->plogs[j], 0}, *hit = NULL;
        size_t lo = 0, hi = b->ngl; /* first name >= key: names are unique */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(s[mid].name, key.name) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < b->ngl && !strcmp(s[lo].name, key.name)) hit = &s[lo];
        p2g[j] = hit ? hit->at : (size_t)-1;
    }
    free(s);
    return 0;
}

/* The union of logs: ground-truth logs with rows of either kind, in /logs order, then
 * prediction-only logs. unit_of_glog / unit_of_plog map each file's log to its union index
 * ((size_t)-1: no rows); the names move from b into ix->log. */
static int union_logs(sb_fc_index *ix, build *b, size_t *unit_of_glog, size_t *unit_of_plog,
                      sb_err *err)
{
    size_t *gcount = sb_calloc(b->ngl + 1, sizeof *gcount, "forecast index", err);
    size_t *pcount = sb_calloc(b->npl + 1, sizeof *pcount, "forecast index", err);
    size_t *p2g = sb_malloc((b->npl + 1) * sizeof *p2g, "forecast index", err);
    ix->log = sb_calloc(b->ngl + b->npl + 1, sizeof *ix->log, "forecast index", err);
    int rc = gcount && pcount && p2g && ix->log ? match_names(b, p2g, err) : SB_ENOMEM;
    if (!rc) {
        for (size_t i = 0; i < ix->n_gt; i++) gcount[b->glog[i]]++;
        for (size_t i = 0; i < ix->n_pred; i++) pcount[b->plog[i]]++;
        for (size_t j = 0; j < b->npl; j++)
            if (p2g[j] != (size_t)-1) gcount[p2g[j]] += pcount[j];
        size_t nu = 0;
        for (size_t i = 0; i < b->ngl; i++) {
            unit_of_glog[i] = gcount[i] ? nu : (size_t)-1;
            if (gcount[i]) {
                ix->log[nu++] = b->glogs[i];
                b->glogs[i] = NULL;
            }
        }
        for (size_t j = 0; j < b->npl; j++) {
            if (p2g[j] != (size_t)-1) {
                unit_of_plog[j] = unit_of_glog[p2g[j]];
            } else if (pcount[j]) {
                unit_of_plog[j] = nu;
                ix->log[nu++] = b->plogs[j];
                b->plogs[j] = NULL;
            } else {
                unit_of_plog[j] = (size_t)-1;
            }
        }
        ix->n_logs = nu;
    }
    free(gcount);
    free(pcount);
    free(p2g);
    return rc;
}

int sb_fc_index_build(const char *gt_path, const char *pred_path, int top_k, sb_fc_index *ix,
                      sb_err *err)
{
    memset(ix, 0, sizeof *ix);
    snprintf(ix->gt_path, sizeof ix->gt_path, "%s", gt_path);
    snprintf(ix->pred_path, sizeof ix->pred_path, "%s", pred_path && pred_path[0] ? pred_path : gt_path);
    sb_h5_quiet();
    build b;
    memset(&b, 0, sizeof b);
    b.g.id = b.p.id = H5I_INVALID_HID;
    b.same = !strcmp(ix->gt_path, ix->pred_path);
    int rc = read_columns(ix, &b, top_k, err);
    size_t *ug = rc ? NULL : sb_malloc((b.ngl + 1) * sizeof *ug, "forecast index", err);
    size_t *up = rc ? NULL : sb_malloc((b.npl + 1) * sizeof *up, "forecast index", err);
    if (!rc && (!ug || !up)) rc = SB_ENOMEM;
    if (!rc) rc = union_logs(ix, &b, ug, up, err);
    if (!rc) rc = group_rows(b.glog, ix->n_gt, ug, ix->n_logs, &ix->gt_start, &ix->gt_rows, err);
    if (!rc) rc = group_rows(b.plog, ix->n_pred, up, ix->n_logs, &ix->pred_start, &ix->pred_rows, err);
    free(ug);
    free(up);
    build_free(&b);
    if (!rc) rc = sb_fc_files_open(ix, err);
    if (rc) sb_fc_index_free(ix);
    return rc;
}
