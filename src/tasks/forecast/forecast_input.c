/* forecast_input.c — reading the forecasting layout log by log. The index (row lists per
 * log) costs one pass over the /gt/log and /pred/log columns; a unit then reads only its
 * log's rows. Rows grouped by log (as `gen forecast` and `forecast convert` write them) are
 * one hyperslab per dataset; scattered rows are read in segments that bridge small gaps. */
#include "tasks/forecast/forecast_input.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5read.h"
#include "io/input_file.h"

#define GAP_ROWS 256          /* rows skipped inside one read rather than starting another */
#define SEGMENT_ROWS 65536    /* longest read of rows that are not all wanted */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void sb_fc_index_free(sb_fc_index *ix)
{
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

int sb_fc_index_build(const char *gt_path, const char *pred_path, int top_k, sb_fc_index *ix,
                      sb_err *err)
{
    memset(ix, 0, sizeof *ix);
    snprintf(ix->gt_path, sizeof ix->gt_path, "%s", gt_path);
    snprintf(ix->pred_path, sizeof ix->pred_path, "%s", pred_path && pred_path[0] ? pred_path : gt_path);
    int same = !strcmp(ix->gt_path, ix->pred_path);
    sb_h5_quiet();
    sb_h5file g, p;
    g.id = p.id = H5I_INVALID_HID;
    char **glogs = NULL, **plogs = NULL;
    size_t ngl = 0, npl = 0;
    int64_t *glog = NULL, *plog = NULL;
    size_t *unit_of_glog = NULL, *unit_of_plog = NULL, *gcount = NULL, *pcount = NULL;
    int rc = sb_input_check(ix->gt_path, err);
    if (!rc && !same) rc = sb_input_check(ix->pred_path, err);
    if (!rc) rc = sb_h5_open(&g, ix->gt_path, err);
    if (!rc && !same) rc = sb_h5_open(&p, ix->pred_path, err);
    const sb_h5file *pf = same ? &g : &p;
    if (!rc) rc = read_logs(&g, &ngl, &glogs, err);
    if (!rc) rc = read_categories(&g, &ix->n_gt_cats, &ix->gt_cat, err);
    if (!rc) rc = check_gt(&g, &ix->n_gt, err);
    if (!rc && ix->n_gt == 0) rc = sb_fail(err, SB_EINPUT, "%s: /gt has no rows", g.path);
    if (!rc) rc = read_log_column(&g, "/gt/log", ngl, &glog, err);
    if (!rc && !same) rc = read_logs(pf, &npl, &plogs, err);
    if (!rc && !same) rc = read_categories(pf, &ix->n_pred_cats, &ix->pred_cat, err);
    if (!rc && same) {
        ix->n_pred_cats = ix->n_gt_cats;
        ix->pred_cat = sb_malloc(ix->n_gt_cats * sizeof *ix->pred_cat + 1, "category map", err);
        if (!ix->pred_cat)
            rc = SB_ENOMEM;
        else
            memcpy(ix->pred_cat, ix->gt_cat, ix->n_gt_cats * sizeof *ix->pred_cat);
        npl = ngl;
    }
    if (!rc) rc = check_pred(pf, &ix->n_pred, top_k, &ix->k, err);
    if (!rc) rc = read_log_column(pf, "/pred/log", npl, &plog, err);
    if (rc) goto done;

    /* union of logs: ground-truth logs with rows of either kind, then prediction-only logs */
    gcount = sb_calloc(ngl + 1, sizeof *gcount, "forecast index", err);
    pcount = sb_calloc(npl + 1, sizeof *pcount, "forecast index", err);
    unit_of_glog = sb_malloc((ngl + 1) * sizeof *unit_of_glog, "forecast index", err);
    unit_of_plog = sb_malloc((npl + 1) * sizeof *unit_of_plog, "forecast index", err);
    ix->log = calloc(ngl + npl + 1, sizeof *ix->log);
    if (!gcount || !pcount || !unit_of_glog || !unit_of_plog || !ix->log) {
        rc = sb_fail(err, SB_ENOMEM, "forecast index: out of memory");
        goto done;
    }
    for (size_t i = 0; i < ix->n_gt; i++) gcount[glog[i]]++;
    for (size_t i = 0; i < ix->n_pred; i++) pcount[plog[i]]++;
    /* prediction log -> ground-truth log by name (or itself in one file) */
    size_t *p2g = sb_malloc((npl + 1) * sizeof *p2g, "forecast index", err);
    char **sorted = malloc((ngl + 1) * sizeof *sorted);
    if (!p2g || !sorted) {
        free(p2g);
        free(sorted);
        rc = sb_fail(err, SB_ENOMEM, "forecast index: out of memory");
        goto done;
    }
    memcpy(sorted, glogs, ngl * sizeof *sorted);
    qsort(sorted, ngl, sizeof *sorted, cmp_str);
    for (size_t j = 0; j < npl; j++) {
        if (same) {
            p2g[j] = j;
            continue;
        }
        char **hit = bsearch(&plogs[j], sorted, ngl, sizeof *sorted, cmp_str);
        p2g[j] = (size_t)-1;
        if (hit)
            for (size_t i = 0; i < ngl; i++)
                if (glogs[i] == *hit) p2g[j] = i;
    }
    free(sorted);
    size_t *pred_in_g = sb_calloc(ngl + 1, sizeof *pred_in_g, "forecast index", err);
    if (!pred_in_g) {
        free(p2g);
        rc = SB_ENOMEM;
        goto done;
    }
    for (size_t j = 0; j < npl; j++)
        if (p2g[j] != (size_t)-1) pred_in_g[p2g[j]] += pcount[j];
    size_t nu = 0;
    for (size_t i = 0; i < ngl; i++) {
        unit_of_glog[i] = (size_t)-1;
        if (gcount[i] || pred_in_g[i]) {
            unit_of_glog[i] = nu;
            ix->log[nu++] = glogs[i];
            glogs[i] = NULL;
        }
    }
    for (size_t j = 0; j < npl; j++) {
        if (p2g[j] != (size_t)-1) {
            unit_of_plog[j] = unit_of_glog[p2g[j]];
        } else if (pcount[j]) {
            unit_of_plog[j] = nu;
            ix->log[nu++] = plogs[j];
            plogs[j] = NULL;
        } else {
            unit_of_plog[j] = (size_t)-1;
        }
    }
    free(p2g);
    free(pred_in_g);
    ix->n_logs = nu;
    if ((rc = group_rows(glog, ix->n_gt, unit_of_glog, nu, &ix->gt_start, &ix->gt_rows, err)) ||
        (rc = group_rows(plog, ix->n_pred, unit_of_plog, nu, &ix->pred_start, &ix->pred_rows, err)))
        goto done;
done:
    if (glogs) {
        for (size_t i = 0; i < ngl; i++) free(glogs[i]);
        free(glogs);
    }
    if (plogs) {
        for (size_t j = 0; j < npl; j++) free(plogs[j]);
        free(plogs);
    }
    free(glog);
    free(plog);
    free(gcount);
    free(pcount);
    free(unit_of_glog);
    free(unit_of_plog);
    sb_h5_close(&g);
    if (!same) sb_h5_close(&p);
    if (rc) sb_fc_index_free(ix);
    return rc;
}

/* Reads rows[0..n) (ascending) of dataset `name`, each row_elems values of memtype (double or
 * int64), into out. */
static int read_rows(const sb_h5file *f, const char *name, hid_t memtype, size_t row_elems,
                     const size_t *rows, size_t n, void *out, sb_err *err)
{
    if (n == 0) return 0;
    hid_t ds = H5Dopen2(f->id, name, H5P_DEFAULT);
    if (ds < 0) return sb_fail(err, SB_EINPUT, "%s: %s is missing or not a dataset", f->path, name);
    hid_t t = H5Dget_type(ds);
    H5T_class_t cls = H5Tget_class(t);
    H5Tclose(t);
    int want_float = H5Tequal(memtype, H5T_NATIVE_DOUBLE) > 0;
    if (!(cls == H5T_INTEGER || (want_float && cls == H5T_FLOAT))) {
        H5Dclose(ds);
        return sb_fail(err, SB_EINPUT, "%s: %s has type %s, expected %s", f->path, name,
                       cls == H5T_FLOAT ? "float" : cls == H5T_STRING ? "string" : "non-numeric",
                       want_float ? "numbers" : "integers");
    }
    size_t esize = want_float ? sizeof(double) : sizeof(int64_t);
    hid_t fs = H5Dget_space(ds);
    int rank = H5Sget_simple_extent_ndims(fs);
    hsize_t dims[SB_H5_MAXRANK], start[SB_H5_MAXRANK] = {0}, count[SB_H5_MAXRANK];
    H5Sget_simple_extent_dims(fs, dims, NULL);
    for (int i = 0; i < rank; i++) count[i] = dims[i];
    unsigned char *tmp = NULL;
    int rc = 0;
    for (size_t a = 0; a < n && !rc;) {
        size_t b = a + 1; /* rows[a..b) read as one segment [rows[a], rows[b-1]] */
        while (b < n && rows[b] - rows[b - 1] <= GAP_ROWS && rows[b] - rows[a] < SEGMENT_ROWS) b++;
        size_t first = rows[a], span = rows[b - 1] - first + 1;
        int dense = span == b - a;
        unsigned char *dst = (unsigned char *)out + a * row_elems * esize;
        if (!dense && !tmp) {
            tmp = malloc((size_t)SEGMENT_ROWS * row_elems * esize);
            if (!tmp) {
                rc = sb_fail(err, SB_ENOMEM, "%s: out of memory reading %s", f->path, name);
                break;
            }
        }
        start[0] = first;
        count[0] = span;
        hsize_t mcount = (hsize_t)(span * row_elems);
        hid_t ms = H5Screate_simple(1, &mcount, NULL);
        if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
            H5Dread(ds, memtype, ms, fs, H5P_DEFAULT, dense ? dst : tmp) < 0)
            rc = sb_fail(err, SB_EIO, "%s: could not read rows %zu..%zu of %s", f->path, first,
                         first + span - 1, name);
        H5Sclose(ms);
        if (!rc && !dense)
            for (size_t i = a; i < b; i++)
                memcpy((unsigned char *)out + i * row_elems * esize,
                       tmp + (rows[i] - first) * row_elems * esize, row_elems * esize);
        a = b;
    }
    free(tmp);
    H5Sclose(fs);
    H5Dclose(ds);
    return rc;
}

void sb_fc_log_data_free(sb_fc_log_data *d)
{
    free(d->gt_frame);
    free(d->pred_frame);
    free(d->pred_index);
    free(d->gt_cat);
    free(d->pred_cat);
    free(d->gt_cur);
    free(d->gt_fut);
    free(d->gt_ego);
    free(d->pred_cur);
    free(d->pred_score);
    free(d->pred_modes);
    free(d->pred_mode_scores);
    memset(d, 0, sizeof *d);
}

/* Category column read as int64, mapped through the file's /categories. */
static int map_categories(const sb_h5file *f, const char *name, const int64_t *raw,
                          const size_t *rows, size_t n, const int *map, size_t nmap,
                          const char *log, int32_t *out, sb_err *err)
{
    for (size_t i = 0; i < n; i++) {
        if (raw[i] < 0 || (uint64_t)raw[i] >= nmap)
            return sb_fail(err, SB_EINPUT,
                           "%s: %s row %zu (log %s) is %lld, not an index into /categories (%zu "
                           "names)",
                           f->path, name, rows[i], log, (long long)raw[i], nmap);
        out[i] = map[raw[i]];
    }
    return 0;
}

static int finite_rows(const sb_h5file *f, const char *name, const double *v, size_t per,
                       const size_t *rows, size_t n, const char *log, sb_err *err)
{
    for (size_t i = 0; i < n * per; i++)
        if (!isfinite(v[i]))
            return sb_fail(err, SB_EINPUT, "%s: %s row %zu (log %s) holds %s at position %zu",
                           f->path, name, rows[i / per], log, isnan(v[i]) ? "NaN" : "Inf", i % per);
    return 0;
}

int sb_fc_read_log(const sb_fc_index *ix, size_t u, sb_fc_log_data *d, char *stage, size_t cap,
                   sb_err *err)
{
    memset(d, 0, sizeof *d);
    snprintf(stage, cap, "read");
    if (u >= ix->n_logs) return sb_fail(err, SB_EINPUT, "forecast: log %zu of %zu", u, ix->n_logs);
    const char *log = ix->log[u];
    const size_t *gr = ix->gt_rows + ix->gt_start[u], *pr = ix->pred_rows + ix->pred_start[u];
    size_t ng = ix->gt_start[u + 1] - ix->gt_start[u], np = ix->pred_start[u + 1] - ix->pred_start[u];
    size_t K = (size_t)ix->k, g1 = ng ? ng : 1, p1 = np ? np : 1;
    int64_t *graw = malloc(g1 * sizeof *graw), *praw = malloc(p1 * sizeof *praw);
    d->gt_frame = malloc(g1 * sizeof *d->gt_frame);
    d->gt_cat = malloc(g1 * sizeof *d->gt_cat);
    d->gt_cur = malloc(g1 * 2 * sizeof(double));
    d->gt_fut = malloc(g1 * 2 * SB_FC_T * sizeof(double));
    d->gt_ego = malloc(g1 * 2 * sizeof(double));
    d->pred_frame = malloc(p1 * sizeof *d->pred_frame);
    d->pred_index = malloc(p1 * sizeof *d->pred_index);
    d->pred_cat = malloc(p1 * sizeof *d->pred_cat);
    d->pred_cur = malloc(p1 * 2 * sizeof(double));
    d->pred_score = malloc(p1 * sizeof(double));
    d->pred_modes = malloc(p1 * K * SB_FC_T * 2 * sizeof(double));
    d->pred_mode_scores = malloc(p1 * K * sizeof(double));
    if (!graw || !praw || !d->gt_frame || !d->gt_cat || !d->gt_cur || !d->gt_fut || !d->gt_ego ||
        !d->pred_frame || !d->pred_index || !d->pred_cat || !d->pred_cur || !d->pred_score ||
        !d->pred_modes || !d->pred_mode_scores) {
        free(graw);
        free(praw);
        sb_fc_log_data_free(d);
        return sb_fail(err, SB_ENOMEM, "forecast: out of memory reading log %s", log);
    }
    int same = !strcmp(ix->gt_path, ix->pred_path);
    sb_h5_quiet();
    sb_h5file g, p;
    g.id = p.id = H5I_INVALID_HID;
    int rc = sb_h5_open(&g, ix->gt_path, err);
    if (!rc && !same) rc = sb_h5_open(&p, ix->pred_path, err);
    const sb_h5file *pf = same ? &g : &p;
    hid_t I = H5T_NATIVE_INT64, D = H5T_NATIVE_DOUBLE;
    if (!rc) rc = read_rows(&g, "/gt/timestamp_ns", I, 1, gr, ng, d->gt_frame, err);
    if (!rc) rc = read_rows(&g, "/gt/category", I, 1, gr, ng, graw, err);
    if (!rc) rc = read_rows(&g, "/gt/current_xy", D, 2, gr, ng, d->gt_cur, err);
    if (!rc) rc = read_rows(&g, "/gt/future_xy", D, 2 * SB_FC_T, gr, ng, d->gt_fut, err);
    if (!rc) rc = read_rows(&g, "/gt/ego_xy", D, 2, gr, ng, d->gt_ego, err);
    if (!rc) rc = read_rows(pf, "/pred/timestamp_ns", I, 1, pr, np, d->pred_frame, err);
    if (!rc) rc = read_rows(pf, "/pred/category", I, 1, pr, np, praw, err);
    if (!rc) rc = read_rows(pf, "/pred/current_xy", D, 2, pr, np, d->pred_cur, err);
    if (!rc) rc = read_rows(pf, "/pred/detection_score", D, 1, pr, np, d->pred_score, err);
    if (!rc) rc = read_rows(pf, "/pred/modes_xy", D, K * SB_FC_T * 2, pr, np, d->pred_modes, err);
    if (!rc) rc = read_rows(pf, "/pred/mode_scores", D, K, pr, np, d->pred_mode_scores, err);

    if (!rc) snprintf(stage, cap, "validate");
    if (!rc)
        rc = map_categories(&g, "/gt/category", graw, gr, ng, ix->gt_cat, ix->n_gt_cats, log,
                            d->gt_cat, err);
    if (!rc)
        rc = map_categories(pf, "/pred/category", praw, pr, np, ix->pred_cat, ix->n_pred_cats, log,
                            d->pred_cat, err);
    if (!rc) rc = finite_rows(&g, "/gt/current_xy", d->gt_cur, 2, gr, ng, log, err);
    if (!rc) rc = finite_rows(&g, "/gt/ego_xy", d->gt_ego, 2, gr, ng, log, err);
    for (size_t i = 0; i < ng && !rc; i++) {
        const double *f = d->gt_fut + (size_t)2 * SB_FC_T * i;
        int ended = 0;
        for (int s = 0; s < SB_FC_T && !rc; s++) {
            int nx = isnan(f[2 * s]), ny = isnan(f[2 * s + 1]);
            if (nx && ny)
                ended = 1;
            else if (nx || ny || !isfinite(f[2 * s]) || !isfinite(f[2 * s + 1]) || ended)
                rc = sb_fail(err, SB_EINPUT,
                             "%s: /gt/future_xy row %zu (log %s) step %d is %s (NaN must cover x "
                             "and y of every step from L+1 on)",
                             g.path, gr[i], log, s + 1,
                             ended ? "finite after a NaN step" : "partly NaN or Inf");
        }
    }
    if (!rc) rc = finite_rows(pf, "/pred/current_xy", d->pred_cur, 2, pr, np, log, err);
    if (!rc) rc = finite_rows(pf, "/pred/detection_score", d->pred_score, 1, pr, np, log, err);
    if (!rc) rc = finite_rows(pf, "/pred/modes_xy", d->pred_modes, K * SB_FC_T * 2, pr, np, log, err);
    if (!rc) rc = finite_rows(pf, "/pred/mode_scores", d->pred_mode_scores, K, pr, np, log, err);
    free(graw);
    free(praw);
    sb_h5_close(&g);
    if (!same) sb_h5_close(&p);
    if (rc) {
        sb_fc_log_data_free(d);
        return rc;
    }
    for (size_t i = 0; i < np; i++) d->pred_index[i] = (int64_t)pr[i];
    d->gt = (sb_fc_gt){ng, d->gt_frame, d->gt_cat, d->gt_cur, d->gt_fut, d->gt_ego};
    d->pred = (sb_fc_pred){np, ix->k, d->pred_frame, d->pred_index, d->pred_cat, d->pred_cur,
                           d->pred_score, d->pred_modes, d->pred_mode_scores};
    return 0;
}
