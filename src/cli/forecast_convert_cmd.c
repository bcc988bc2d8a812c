/* forecast_convert_cmd.c — `shardbench forecast convert --input TRACKS.csv|.h5 --output GT.h5`:
 * per-frame tracks (formats.md "Tracks") to the forecasting ground truth (/logs, /categories,
 * /gt) the way the reference's convert_forecast_labels builds it (sb_fc_convert). It lives with
 * the CLI because it is a one-process command, not a task run through the engine: rank 0
 * converts, the others wait for its status. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "engine/mpi_check.h"
#include "io/csv_read.h"
#include "io/h5read.h"
#include "io/input_file.h"
#include "io/h5write.h"
#include "tasks/forecast/forecast_convert.h"
#include "tasks/forecast/forecast_metrics.h"

int sb_cmd_forecast_convert(sb_cli *cli, const sb_command *cmd, int argc, char **argv);
void sb_help_forecast_convert(const sb_command *cmd);

/* The columns of the tracks table, as read: strings are interned later. */
typedef struct tracks_in {
    size_t n;
    char **log_s, **track_s;   /* per row (track_s NULL when ids are integers) */
    int64_t *track_i;
    int64_t *ts;
    int32_t *cat;
    double *x, *y, *ex, *ey;
} tracks_in;

static void tracks_in_free(tracks_in *t)
{
    if (t->log_s) sb_h5_free_strings(t->log_s, t->n);
    if (t->track_s) sb_h5_free_strings(t->track_s, t->n);
    free(t->track_i), free(t->ts), free(t->cat), free(t->x), free(t->y), free(t->ex), free(t->ey);
    memset(t, 0, sizeof *t);
}

static int alloc_cols(tracks_in *t, size_t n, sb_err *err)
{
    size_t m = n ? n : 1;
    t->n = n;
    t->log_s = calloc(m, sizeof *t->log_s);
    t->track_s = calloc(m, sizeof *t->track_s);
    t->ts = malloc(m * sizeof *t->ts);
    t->cat = malloc(m * sizeof *t->cat);
    t->x = malloc(m * sizeof(double));
    t->y = malloc(m * sizeof(double));
    t->ex = malloc(m * sizeof(double));
    t->ey = malloc(m * sizeof(double));
    if (!t->log_s || !t->track_s || !t->ts || !t->cat || !t->x || !t->y || !t->ex || !t->ey)
        return sb_fail(err, SB_ENOMEM, "forecast convert: out of memory for %zu boxes", n);
    return 0;
}

static int read_csv_tracks(const char *path, tracks_in *t, sb_err *err)
{
    sb_csv c;
    memset(&c, 0, sizeof c);
    int rc = sb_csv_read(&c, path, err);
    static const char *names[8] = {"log", "timestamp_ns", "track_id", "category",
                                   "x", "y", "ego_x", "ego_y"};
    size_t col[8];
    for (int i = 0; i < 8 && !rc; i++) rc = sb_csv_col(&c, names[i], &col[i], err);
    if (!rc) rc = alloc_cols(t, c.nrows, err);
    for (size_t r = 0; r < c.nrows && !rc; r++) {
        t->log_s[r] = strdup(sb_csv_get(&c, r, col[0]));
        t->track_s[r] = strdup(sb_csv_get(&c, r, col[2]));
        if (!t->log_s[r] || !t->track_s[r]) {
            rc = sb_fail(err, SB_ENOMEM, "forecast convert: out of memory");
            break;
        }
        long long v = 0;
        rc = sb_csv_int64(&c, r, col[1], LLONG_MIN, LLONG_MAX, &v, err);
        t->ts[r] = v;
        const char *cn = sb_csv_get(&c, r, col[3]);
        t->cat[r] = sb_fc_category_index(cn);
        if (!rc && t->cat[r] < 0)
            rc = sb_fail(err, SB_EINPUT,
                         "%s: line %zu, column category: '%s' is not one of the 26 categories of "
                         "specs/forecasting.md",
                         path, c.line[r], cn);
        double *dst[4] = {t->x, t->y, t->ex, t->ey};
        for (int k = 0; k < 4 && !rc; k++) rc = sb_csv_number(&c, r, col[4 + k], &dst[k][r], err);
    }
    sb_csv_free(&c);
    return rc;
}

/* A column of strings, or of integers written as decimal strings. */
static int h5_string_column(const sb_h5file *f, const char *name, size_t n, char ***out,
                            int64_t **ints, sb_err *err)
{
    hid_t ds = H5Dopen2(f->id, name, H5P_DEFAULT);
    if (ds < 0) return sb_fail(err, SB_EINPUT, "%s: dataset %s is missing", f->path, name);
    hid_t ty = H5Dget_type(ds);
    int is_str = H5Tget_class(ty) == H5T_STRING;
    H5Tclose(ty);
    H5Dclose(ds);
    size_t m, d[SB_H5_MAXRANK];
    int rc;
    if (is_str) {
        if ((rc = sb_h5_read_strings(f, name, &m, out, err))) return rc;
    } else {
        if ((rc = sb_h5_read_i64(f, name, 1, d, ints, err))) return rc;
        m = d[0];
    }
    if (m != n)
        return sb_fail(err, SB_EINPUT, "%s: %s has %zu rows, /log has %zu", f->path, name, m, n);
    return 0;
}

static int read_h5_tracks(const char *path, tracks_in *t, sb_err *err)
{
    sb_h5_quiet();
    sb_h5file f;
    int rc = sb_h5_open(&f, path, err);
    if (rc) return rc;
    size_t n = 0, d[SB_H5_MAXRANK];
    int64_t *logi = NULL, *cati = NULL;
    char **logs = NULL, **cats = NULL;
    int r;
    if (!(rc = sb_h5_shape(&f, "/log", &r, d, err))) n = r == 1 ? d[0] : 0;
    if (!rc && r != 1) rc = sb_fail(err, SB_EINPUT, "%s: /log must be one-dimensional", path);
    if (!rc) rc = alloc_cols(t, n, err);
    if (!rc) {
        free(t->log_s);
        free(t->track_s);
        t->log_s = t->track_s = NULL;
        rc = h5_string_column(&f, "/log", n, &logs, &logi, err);
    }
    if (!rc) rc = h5_string_column(&f, "/track_id", n, &t->track_s, &t->track_i, err);
    if (!rc) rc = h5_string_column(&f, "/category", n, &cats, &cati, err);
    const char *fn[4] = {"/x", "/y", "/ego_x", "/ego_y"};
    double **dst[4] = {&t->x, &t->y, &t->ex, &t->ey};
    for (int k = 0; k < 4 && !rc; k++) {
        free(*dst[k]);
        *dst[k] = NULL;
        rc = sb_h5_read_f64(&f, fn[k], 1, d, dst[k], err);
        if (!rc && d[0] != n)
            rc = sb_fail(err, SB_EINPUT, "%s: %s has %zu rows, /log has %zu", path, fn[k], d[0], n);
    }
    int64_t *ts = NULL;
    if (!rc) rc = sb_h5_read_i64(&f, "/timestamp_ns", 1, d, &ts, err);
    if (!rc && d[0] != n)
        rc = sb_fail(err, SB_EINPUT, "%s: /timestamp_ns has %zu rows, /log has %zu", path, d[0], n);
    if (!rc) memcpy(t->ts, ts, n * sizeof *ts);
    free(ts);
    /* logs as names (integers become their decimal text) */
    if (!rc && !logs) {
        logs = calloc(n ? n : 1, sizeof *logs);
        for (size_t i = 0; logs && i < n; i++) {
            logs[i] = malloc(24);
            if (logs[i]) snprintf(logs[i], 24, "%" PRId64, logi[i]);
        }
    }
    if (!rc) {
        t->log_s = logs;
        logs = NULL;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        if (!t->log_s || !t->log_s[i]) {
            rc = sb_fail(err, SB_ENOMEM, "forecast convert: out of memory");
            break;
        }
        if (cats) {
            t->cat[i] = sb_fc_category_index(cats[i]);
            if (t->cat[i] < 0)
                rc = sb_fail(err, SB_EINPUT, "%s: /category[%zu] is '%s', not one of the 26 "
                             "categories of specs/forecasting.md", path, i, cats[i]);
        } else if (cati[i] < 0 || cati[i] >= SB_FC_NCAT) {
            rc = sb_fail(err, SB_EINPUT, "%s: /category[%zu] is %lld, not an index 0..25", path, i,
                         (long long)cati[i]);
        } else {
            t->cat[i] = (int32_t)cati[i];
        }
    }
    if (logs) sb_h5_free_strings(logs, n);
    if (cats) sb_h5_free_strings(cats, n);
    free(logi);
    free(cati);
    sb_h5_close(&f);
    return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted distinct strings of s[0..n) (pointers into s) and each row's index among them. */
static int intern(char **s, size_t n, char ***uniq, size_t *nu, int64_t *idx, sb_err *err)
{
    char **u = malloc((n ? n : 1) * sizeof *u);
    if (!u) return sb_fail(err, SB_ENOMEM, "forecast convert: out of memory");
    memcpy(u, s, n * sizeof *u);
    qsort(u, n, sizeof *u, cmp_str);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || strcmp(u[m - 1], u[i])) u[m++] = u[i];
    for (size_t i = 0; i < n; i++) {
        char **hit = bsearch(&s[i], u, m, sizeof *u, cmp_str);
        idx[i] = hit - u;
    }
    *uniq = u;
    *nu = m;
    return 0;
}

static int convert(const char *in, const char *out, char *wrote, size_t cap, sb_err *err)
{
    tracks_in t;
    memset(&t, 0, sizeof t);
    size_t len = strlen(in);
    int is_csv = len > 4 && !strcmp(in + len - 4, ".csv");
    int rc = sb_input_check(in, err);
    if (!rc) rc = is_csv ? read_csv_tracks(in, &t, err) : read_h5_tracks(in, &t, err);
    size_t m1 = t.n ? t.n : 1, nlogs = 0, ntracks = 0;
    int64_t *logi = malloc(m1 * sizeof *logi), *tracki = malloc(m1 * sizeof *tracki);
    int32_t *log32 = malloc(m1 * sizeof *log32);
    char **lognames = NULL, **tracknames = NULL;
    if (!rc && (!logi || !tracki || !log32)) rc = sb_fail(err, SB_ENOMEM, "forecast convert: out of memory");
    if (!rc && t.n == 0) rc = sb_fail(err, SB_EINPUT, "%s: no boxes", in);
    if (!rc) rc = intern(t.log_s, t.n, &lognames, &nlogs, logi, err);
    if (!rc && t.track_s) rc = intern(t.track_s, t.n, &tracknames, &ntracks, tracki, err);
    if (!rc && !t.track_s) memcpy(tracki, t.track_i, t.n * sizeof *tracki);
    for (size_t i = 0; i < t.n && !rc; i++) log32[i] = (int32_t)logi[i];
    sb_fc_gt_rows g;
    memset(&g, 0, sizeof g);
    if (!rc) {
        sb_fc_tracks tr = {t.n, log32, t.ts, tracki, t.cat, t.x, t.y, t.ex, t.ey,
                           (const char *const *)lognames, nlogs,
                           (const char *const *)tracknames, tracknames ? ntracks : 0};
        rc = sb_fc_convert(&tr, &g, err);
        if (rc) sb_wrap(err, "%s", in);
    }
    sb_h5w w;
    if (!rc) rc = sb_h5w_create(&w, out, err);
    if (!rc) {
        sb_h5w_strings(&w, "/logs", nlogs, (const char *const *)lognames);
        sb_h5w_strings(&w, "/categories", SB_FC_NCAT, sb_fc_category_names);
        size_t n1[1] = {g.n}, n2[2] = {g.n, 2}, n3[3] = {g.n, SB_FC_T, 2};
        sb_h5w_group(&w, "/gt");
        sb_h5w_i32(&w, "/gt/log", 1, n1, g.log);
        sb_h5w_i64(&w, "/gt/timestamp_ns", 1, n1, g.timestamp);
        sb_h5w_i32(&w, "/gt/category", 1, n1, g.category);
        sb_h5w_f64(&w, "/gt/current_xy", 2, n2, g.current_xy);
        sb_h5w_f64(&w, "/gt/future_xy", 3, n3, g.future_xy);
        sb_h5w_f64(&w, "/gt/ego_xy", 2, n2, g.ego_xy);
        rc = sb_h5w_close(&w, 1, err);
    }
    if (!rc)
        snprintf(wrote, cap, "%s (%zu ground-truth agents from %zu boxes in %zu logs)", out, g.n,
                 t.n, nlogs);
    sb_fc_gt_rows_free(&g);
    free(lognames);
    free(tracknames);
    free(logi);
    free(tracki);
    free(log32);
    tracks_in_free(&t);
    return rc;
}

void sb_help_forecast_convert(const sb_command *cmd)
{
    (void)cmd;
    printf("usage: shardbench forecast convert --input TRACKS.csv|TRACKS.h5 --output GT.h5\n\n"
           "Builds the forecasting ground truth (/logs, /categories, /gt of formats.md) from\n"
           "per-frame tracks, as the Argoverse 2 reference's convert_forecast_labels does: each\n"
           "box gets the positions of its track in the next 6 frames of its log, up to the first\n"
           "frame where the track is missing; boxes without a future and frames left empty are\n"
           "dropped. Tracks: CSV with header, or HDF5 with datasets of the same names,\n"
           "  log,timestamp_ns,track_id,category,x,y,ego_x,ego_y   (category: one of the 26 names)\n"
           "A file ending in .csv is read as CSV, anything else as HDF5. /logs lists the log names\n"
           "sorted; /gt rows are grouped by log, then timestamp, then input row.\n");
}

int sb_cmd_forecast_convert(sb_cli *cli, const sb_command *cmd, int argc, char **argv)
{
    static const char *const flags[] = {"help", "quiet", NULL};
    sb_err err;
    sb_err_clear(&err);
    sb_args a;
    int rc = sb_args_parse(&a, argc, argv, flags, &err);
    if (!rc && sb_args_flag(&a, "help")) {
        if (cli->rank == 0) sb_help_forecast_convert(cmd);
        return SB_EXIT_OK;
    }
    const char *in = rc ? NULL : sb_args_get(&a, "input");
    const char *out = rc ? NULL : sb_args_get(&a, "output");
    if (!rc) sb_args_flag(&a, "quiet");
    if (!rc && (!in || !out))
        rc = sb_fail(&err, SB_EUSAGE, "shardbench forecast convert: --input TRACKS and --output GT.h5 are required");
    if (!rc && a.npos)
        rc = sb_fail(&err, SB_EUSAGE, "shardbench forecast convert: unexpected argument '%s'", a.pos[0]);
    if (!rc) rc = sb_args_check_used(&a, "shardbench forecast convert", &err);
    char wrote[1400] = "";
    if (!rc && cli->rank == 0) rc = convert(in, out, wrote, sizeof wrote, &err);
    sb_mpi_check(MPI_Bcast(&rc, 1, MPI_INT, 0, cli->comm), "MPI_Bcast (status)", cli->comm);
    if (rc) {
        sb_cli_error(cli, &err);
        return SB_EXIT_USAGE;
    }
    if (cli->rank == 0) printf("shardbench: wrote %s\n", wrote);
    return SB_EXIT_OK;
}
