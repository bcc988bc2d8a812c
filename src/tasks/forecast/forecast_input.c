/* forecast_input.c — reading the rows of a run of logs (forecast_index.c says which rows).
 * The files and their eleven datasets are opened once per process and kept open: a unit of
 * short logs would otherwise spend more time opening HDF5 objects than reading. The arrays a
 * read fills grow to the largest unit seen and are reused, never cleared: every element is
 * written by the read before it is used. Rows grouped by log (as `gen forecast` and
 * `forecast convert` write them) are one hyperslab per dataset and unit; scattered rows are
 * read in segments that bridge small gaps. */
#include "tasks/forecast/forecast_input.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5read.h"

#define GAP_ROWS 256          /* rows skipped inside one read rather than starting another */
#define SEGMENT_ROWS 65536    /* longest read of rows that are not all wanted */

enum { GT_TS, GT_CAT, GT_CUR, GT_FUT, GT_EGO, PR_TS, PR_CAT, PR_CUR, PR_SCORE, PR_MODES, PR_MS, NCOL };

static const struct column {
    const char *name;
    int pred, real; /* in the prediction file; read as double (else as int64) */
} COLS[NCOL] = {
    {"/gt/timestamp_ns", 0, 0},      {"/gt/category", 0, 0},     {"/gt/current_xy", 0, 1},
    {"/gt/future_xy", 0, 1},         {"/gt/ego_xy", 0, 1},       {"/pred/timestamp_ns", 1, 0},
    {"/pred/category", 1, 0},        {"/pred/current_xy", 1, 1}, {"/pred/detection_score", 1, 1},
    {"/pred/modes_xy", 1, 1},        {"/pred/mode_scores", 1, 1}};

/* HDF5 converts types (int32 categories to int64, float32 to double) through a buffer that it
 * otherwise callocs, 1 MiB, on every H5Dread: for short logs that memset was most of a unit. */
#define TCONV_BYTES ((size_t)1 << 20)

struct sb_fc_files {
    sb_h5file g, p;
    int same;
    hid_t dxpl;              /* reads convert through tconv, allocated once */
    void *tconv;
    hid_t ds[NCOL], space[NCOL];
    size_t row_elems[NCOL];  /* values per row: the product of the trailing dimensions */
    unsigned char *tmp;      /* a segment of scattered rows */
    size_t tmp_cap;
};

void sb_fc_files_close(sb_fc_index *ix)
{
    sb_fc_files *f = ix->files;
    if (!f) return;
    for (int c = 0; c < NCOL; c++) {
        if (f->space[c] >= 0) H5Sclose(f->space[c]);
        if (f->ds[c] >= 0) H5Dclose(f->ds[c]);
    }
    sb_h5_close(&f->g);
    if (!f->same) sb_h5_close(&f->p);
    if (f->dxpl >= 0) H5Pclose(f->dxpl);
    free(f->tconv);
    free(f->tmp);
    free(f);
    ix->files = NULL;
}

static int open_column(sb_fc_files *f, int c, sb_err *err)
{
    const sb_h5file *h = COLS[c].pred && !f->same ? &f->p : &f->g;
    f->ds[c] = H5Dopen2(h->id, COLS[c].name, H5P_DEFAULT);
    if (f->ds[c] < 0)
        return sb_fail(err, SB_EINPUT, "%s: %s is missing or not a dataset", h->path, COLS[c].name);
    hid_t t = H5Dget_type(f->ds[c]);
    H5T_class_t cls = H5Tget_class(t);
    H5Tclose(t);
    if (!(cls == H5T_INTEGER || (COLS[c].real && cls == H5T_FLOAT)))
        return sb_fail(err, SB_EINPUT, "%s: %s has type %s, expected %s", h->path, COLS[c].name,
                       cls == H5T_FLOAT ? "float" : cls == H5T_STRING ? "string" : "non-numeric",
                       COLS[c].real ? "numbers" : "integers");
    f->space[c] = H5Dget_space(f->ds[c]);
    int rank = f->space[c] < 0 ? -1 : H5Sget_simple_extent_ndims(f->space[c]);
    hsize_t dims[SB_H5_MAXRANK];
    if (rank < 1 || rank > SB_H5_MAXRANK || H5Sget_simple_extent_dims(f->space[c], dims, NULL) < 0)
        return sb_fail(err, SB_EINPUT, "%s: %s has no readable shape", h->path, COLS[c].name);
    f->row_elems[c] = 1;
    for (int i = 1; i < rank; i++) f->row_elems[c] *= (size_t)dims[i];
    return 0;
}

int sb_fc_files_open(sb_fc_index *ix, sb_err *err)
{
    sb_fc_files_close(ix);
    sb_fc_files *f = sb_calloc(1, sizeof *f, "forecast input", err);
    if (!f) return SB_ENOMEM;
    f->g.id = f->p.id = f->dxpl = H5I_INVALID_HID;
    for (int c = 0; c < NCOL; c++) f->ds[c] = f->space[c] = H5I_INVALID_HID;
    f->same = !strcmp(ix->gt_path, ix->pred_path);
    ix->files = f;
    sb_h5_quiet();
    f->dxpl = H5Pcreate(H5P_DATASET_XFER);
    f->tconv = malloc(TCONV_BYTES);
    int rc = f->dxpl < 0 || !f->tconv || H5Pset_buffer(f->dxpl, TCONV_BYTES, f->tconv, NULL) < 0
                 ? sb_fail(err, SB_ENOMEM, "forecast input: no HDF5 conversion buffer")
                 : 0;
    if (!rc) rc = sb_h5_open(&f->g, ix->gt_path, err);
    if (!rc && !f->same) rc = sb_h5_open(&f->p, ix->pred_path, err);
    for (int c = 0; c < NCOL && !rc; c++) rc = open_column(f, c, err);
    if (rc) sb_fc_files_close(ix);
    return rc;
}

/* Reads rows[0..n) (ascending within runs) of column c into out. */
static int read_rows(sb_fc_files *f, int c, const size_t *rows, size_t n, void *out, sb_err *err)
{
    const char *path = COLS[c].pred && !f->same ? f->p.path : f->g.path;
    hid_t memtype = COLS[c].real ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
    size_t row_bytes = f->row_elems[c] * (COLS[c].real ? sizeof(double) : sizeof(int64_t));
    hsize_t start[SB_H5_MAXRANK] = {0}, count[SB_H5_MAXRANK];
    int rank = H5Sget_simple_extent_ndims(f->space[c]);
    H5Sget_simple_extent_dims(f->space[c], count, NULL);
    int rc = 0;
    for (size_t a = 0; a < n && !rc;) {
        size_t b = a + 1; /* rows[a..b) read as one segment [rows[a], rows[b-1]] */
        while (b < n && rows[b] - rows[b - 1] <= GAP_ROWS && rows[b] - rows[a] < SEGMENT_ROWS) b++;
        size_t first = rows[a], span = rows[b - 1] - first + 1;
        int dense = span == b - a;
        unsigned char *dst = (unsigned char *)out + a * row_bytes;
        if (!dense && span * row_bytes > f->tmp_cap) {
            free(f->tmp);
            f->tmp_cap = 0;
            f->tmp = malloc(span * row_bytes);
            if (!f->tmp) return sb_fail(err, SB_ENOMEM, "%s: out of memory reading %s", path, COLS[c].name);
            f->tmp_cap = span * row_bytes;
        }
        start[0] = first;
        count[0] = span;
        hsize_t mcount = (hsize_t)(span * f->row_elems[c]);
        hid_t ms = H5Screate_simple(1, &mcount, NULL);
        if (ms < 0 || rank < 1 ||
            H5Sselect_hyperslab(f->space[c], H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
            H5Dread(f->ds[c], memtype, ms, f->space[c], f->dxpl, dense ? dst : f->tmp) < 0)
            rc = sb_fail(err, SB_EIO, "%s: could not read rows %zu..%zu of %s", path, first,
                         first + span - 1, COLS[c].name);
        if (ms >= 0) H5Sclose(ms);
        if (!rc && !dense)
            for (size_t i = a; i < b; i++)
                memcpy((unsigned char *)out + i * row_bytes, f->tmp + (rows[i] - first) * row_bytes,
                       row_bytes);
        a = b;
    }
    return rc;
}

void sb_fc_log_data_free(sb_fc_log_data *d)
{
    free(d->gt_frame);
    free(d->pred_frame);
    free(d->pred_index);
    free(d->gt_raw_cat);
    free(d->pred_raw_cat);
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

static int grow(void *pp, size_t n, size_t size)
{
    void *p = realloc(*(void **)pp, n * size);
    if (!p) return -1;
    *(void **)pp = p;
    return 0;
}

/* Room for ng ground-truth and np prediction rows; grows by half again to amortise. */
static int reserve(sb_fc_log_data *d, size_t ng, size_t np, size_t K)
{
    if (ng > d->cap_gt) {
        size_t cap = ng + ng / 2;
        if (grow(&d->gt_frame, cap, sizeof(int64_t)) || grow(&d->gt_raw_cat, cap, sizeof(int64_t)) ||
            grow(&d->gt_cat, cap, sizeof(int32_t)) || grow(&d->gt_cur, cap, 2 * sizeof(double)) ||
            grow(&d->gt_fut, cap, 2 * SB_FC_T * sizeof(double)) ||
            grow(&d->gt_ego, cap, 2 * sizeof(double)))
            return -1;
        d->cap_gt = cap;
    }
    if (np > d->cap_pred || K != d->cap_k) {
        size_t cap = np + np / 2 + 1;
        if (grow(&d->pred_frame, cap, sizeof(int64_t)) || grow(&d->pred_index, cap, sizeof(int64_t)) ||
            grow(&d->pred_raw_cat, cap, sizeof(int64_t)) || grow(&d->pred_cat, cap, sizeof(int32_t)) ||
            grow(&d->pred_cur, cap, 2 * sizeof(double)) || grow(&d->pred_score, cap, sizeof(double)) ||
            grow(&d->pred_modes, cap, K * SB_FC_T * 2 * sizeof(double)) ||
            grow(&d->pred_mode_scores, cap, K * sizeof(double)))
            return -1;
        d->cap_pred = cap;
        d->cap_k = K;
    }
    return 0;
}

/* Category column read as int64, mapped through the file's /categories. */
static int map_categories(const char *path, const char *name, const int64_t *raw,
                          const size_t *rows, size_t n, const int *map, size_t nmap,
                          const char *log, int32_t *out, sb_err *err)
{
    for (size_t i = 0; i < n; i++) {
        if (raw[i] < 0 || (uint64_t)raw[i] >= nmap)
            return sb_fail(err, SB_EINPUT,
                           "%s: %s row %zu (log %s) is %lld, not an index into /categories (%zu "
                           "names)",
                           path, name, rows[i], log, (long long)raw[i], nmap);
        out[i] = map[raw[i]];
    }
    return 0;
}

static int finite_rows(const char *path, const char *name, const double *v, size_t per,
                       const size_t *rows, size_t n, const char *log, sb_err *err)
{
    for (size_t i = 0; i < n * per; i++)
        if (!isfinite(v[i]))
            return sb_fail(err, SB_EINPUT, "%s: %s row %zu (log %s) holds %s at position %zu",
                           path, name, rows[i / per], log, isnan(v[i]) ? "NaN" : "Inf", i % per);
    return 0;
}

static int check_futures(const char *path, const double *fut, const size_t *rows, size_t n,
                         const char *log, sb_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const double *f = fut + (size_t)2 * SB_FC_T * i;
        int ended = 0;
        for (int s = 0; s < SB_FC_T; s++) {
            int nx = isnan(f[2 * s]), ny = isnan(f[2 * s + 1]);
            if (nx && ny)
                ended = 1;
            else if (nx || ny || !isfinite(f[2 * s]) || !isfinite(f[2 * s + 1]) || ended)
                return sb_fail(err, SB_EINPUT,
                               "%s: /gt/future_xy row %zu (log %s) step %d is %s (NaN must cover "
                               "x and y of every step from L+1 on)",
                               path, rows[i], log, s + 1,
                               ended ? "finite after a NaN step" : "partly NaN or Inf");
        }
    }
    return 0;
}

/* Validates log j of the run in d: the checks of sb_fc_read_logs, in the order they were
 * always made, naming the log. */
static int validate_log(const sb_fc_index *ix, const sb_fc_log_data *d, size_t j, sb_err *err)
{
    size_t u = d->first + j, K = (size_t)ix->k;
    const char *log = ix->log[u], *gp = ix->gt_path, *pp = ix->pred_path;
    const size_t *gr = ix->gt_rows + ix->gt_start[u], *pr = ix->pred_rows + ix->pred_start[u];
    size_t g0 = ix->gt_start[u] - ix->gt_start[d->first], ng = ix->gt_start[u + 1] - ix->gt_start[u];
    size_t p0 = ix->pred_start[u] - ix->pred_start[d->first];
    size_t np = ix->pred_start[u + 1] - ix->pred_start[u];
    int rc;
    if ((rc = map_categories(gp, "/gt/category", d->gt_raw_cat + g0, gr, ng, ix->gt_cat,
                             ix->n_gt_cats, log, d->gt_cat + g0, err)) ||
        (rc = map_categories(pp, "/pred/category", d->pred_raw_cat + p0, pr, np, ix->pred_cat,
                             ix->n_pred_cats, log, d->pred_cat + p0, err)) ||
        (rc = finite_rows(gp, "/gt/current_xy", d->gt_cur + 2 * g0, 2, gr, ng, log, err)) ||
        (rc = finite_rows(gp, "/gt/ego_xy", d->gt_ego + 2 * g0, 2, gr, ng, log, err)) ||
        (rc = check_futures(gp, d->gt_fut + 2 * SB_FC_T * g0, gr, ng, log, err)) ||
        (rc = finite_rows(pp, "/pred/current_xy", d->pred_cur + 2 * p0, 2, pr, np, log, err)) ||
        (rc = finite_rows(pp, "/pred/detection_score", d->pred_score + p0, 1, pr, np, log, err)) ||
        (rc = finite_rows(pp, "/pred/modes_xy", d->pred_modes + K * SB_FC_T * 2 * p0,
                          K * SB_FC_T * 2, pr, np, log, err)) ||
        (rc = finite_rows(pp, "/pred/mode_scores", d->pred_mode_scores + K * p0, K, pr, np, log,
                          err)))
        return rc;
    return 0;
}

int sb_fc_read_logs(sb_fc_index *ix, size_t first, size_t count, sb_fc_log_data *d, char *stage,
                    size_t cap, sb_err *err)
{
    snprintf(stage, cap, "read");
    if (first > ix->n_logs || count > ix->n_logs - first || count == 0)
        return sb_fail(err, SB_EINPUT, "forecast: logs %zu..%zu of %zu", first, first + count,
                       ix->n_logs);
    int rc = ix->files ? 0 : sb_fc_files_open(ix, err);
    if (rc) return rc;
    const size_t *gr = ix->gt_rows + ix->gt_start[first], *pr = ix->pred_rows + ix->pred_start[first];
    size_t ng = ix->gt_start[first + count] - ix->gt_start[first];
    size_t np = ix->pred_start[first + count] - ix->pred_start[first], K = (size_t)ix->k;
    if (reserve(d, ng ? ng : 1, np ? np : 1, K))
        return sb_fail(err, SB_ENOMEM, "forecast: out of memory reading log %s", ix->log[first]);
    d->first = first;
    d->count = count;
    sb_fc_files *f = ix->files;
    void *dst[NCOL] = {d->gt_frame, d->gt_raw_cat, d->gt_cur, d->gt_fut, d->gt_ego, d->pred_frame,
                       d->pred_raw_cat, d->pred_cur, d->pred_score, d->pred_modes, d->pred_mode_scores};
    for (int c = 0; c < NCOL && !rc; c++)
        rc = COLS[c].pred ? read_rows(f, c, pr, np, dst[c], err) : read_rows(f, c, gr, ng, dst[c], err);
    if (rc) return rc;
    snprintf(stage, cap, "validate");
    for (size_t j = 0; j < count && !rc; j++) rc = validate_log(ix, d, j, err);
    if (rc) return rc;
    for (size_t i = 0; i < np; i++) d->pred_index[i] = (int64_t)pr[i];
    return 0;
}

void sb_fc_log_view(const sb_fc_index *ix, const sb_fc_log_data *d, size_t j, sb_fc_gt *gt,
                    sb_fc_pred *pred)
{
    size_t u = d->first + j, K = (size_t)ix->k;
    size_t g0 = ix->gt_start[u] - ix->gt_start[d->first], ng = ix->gt_start[u + 1] - ix->gt_start[u];
    size_t p0 = ix->pred_start[u] - ix->pred_start[d->first];
    size_t np = ix->pred_start[u + 1] - ix->pred_start[u];
    *gt = (sb_fc_gt){ng, d->gt_frame + g0, d->gt_cat + g0, d->gt_cur + 2 * g0,
                     d->gt_fut + 2 * SB_FC_T * g0, d->gt_ego + 2 * g0};
    *pred = (sb_fc_pred){np, ix->k, d->pred_frame + p0, d->pred_index + p0, d->pred_cat + p0,
                         d->pred_cur + 2 * p0, d->pred_score + p0,
                         d->pred_modes + K * SB_FC_T * 2 * p0, d->pred_mode_scores + K * p0};
}
