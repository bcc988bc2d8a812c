/* sc_input.c — reading and checking split computing measurements and capacity traces.
 * Every refusal is one line: file, dataset, the first bad index and what is wrong. */
#include "tasks/splitcomp/sc_input.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5read.h"

void sc_data_free(sc_data *d)
{
    if (d->name)
        sb_h5_free_strings(d->name, d->M);
    if (d->model)
        sb_h5_free_strings(d->model, d->M);
    free(d->encoder_bits), free(d->t_enc_est), free(d->bytes_est);
    free(d->value), free(d->payload), free(d->t_enc), free(d->t_srv), free(d->switch_s);
    memset(d, 0, sizeof *d);
}

/* A numeric dataset of exactly rows × cols (cols 0: a vector of rows). */
static int read_shaped(const sb_h5file *f, const char *ds, size_t rows, size_t cols, double **out, sb_err *err)
{
    size_t dims[SB_H5_MAXRANK];
    int rank = cols ? 2 : 1;
    int rc = sb_h5_read_f64(f, ds, rank, dims, out, err);
    if (rc)
        return rc;
    if (dims[0] != rows || (cols && dims[1] != cols)) {
        if (cols)
            return sb_fail(err, SB_EINPUT, "%s: %s has shape (%zux%zu); expected (%zux%zu)", f->path, ds,
                           dims[0], dims[1], rows, cols);
        return sb_fail(err, SB_EINPUT, "%s: %s has %zu entries but configs/name has %zu", f->path, ds, dims[0],
                       rows);
    }
    return 0;
}

/* Refuses the first element below lo (or, strict, not above lo). */
static int check_min(const char *file, const char *ds, const double *v, size_t rows, size_t cols, double lo,
                     int strict, sb_err *err)
{
    size_t n = rows * (cols ? cols : 1);
    for (size_t i = 0; i < n; i++) {
        if (strict ? v[i] > lo : v[i] >= lo)
            continue;
        if (cols)
            return sb_fail(err, SB_EINPUT, "%s: %s[%zu, %zu] = %g: must be %s %g", file, ds, i / cols, i % cols,
                           v[i], strict ? ">" : ">=", lo);
        return sb_fail(err, SB_EINPUT, "%s: %s[%zu] = %g: must be %s %g", file, ds, i, v[i], strict ? ">" : ">=",
                       lo);
    }
    return 0;
}

static int read_names(const sb_h5file *f, sc_data *d, sb_err *err)
{
    int rc = sb_h5_read_strings(f, "/splitcomp/configs/name", &d->M, &d->name, err);
    if (rc)
        return rc;
    if (d->M == 0)
        return sb_fail(err, SB_EINPUT, "%s: /splitcomp/configs/name is empty", f->path);
    for (size_t i = 0; i < d->M; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(d->name[i], d->name[j]))
                return sb_fail(err, SB_EINPUT, "%s: /splitcomp/configs/name[%zu] repeats name[%zu] '%s'", f->path,
                               i, j, d->name[j]);
    const char *mp = "/splitcomp/configs/model";
    if (sb_h5_exists(f, mp)) {
        size_t m;
        char **s;
        if ((rc = sb_h5_read_strings(f, mp, &m, &s, err)))
            return rc;
        if (m != d->M) {
            sb_h5_free_strings(s, m);
            return sb_fail(err, SB_EINPUT, "%s: %s has %zu entries but configs/name has %zu", f->path, mp, m, d->M);
        }
        d->model = s;
        return 0;
    }
    d->model = calloc(d->M, sizeof *d->model);
    if (!d->model)
        return sb_fail(err, SB_ENOMEM, "out of memory reading %s", f->path);
    for (size_t i = 0; i < d->M; i++)
        if (!(d->model[i] = strdup("model")))
            return sb_fail(err, SB_ENOMEM, "out of memory reading %s", f->path);
    return 0;
}

/* An optional per-config vector, >= 0. */
static int read_opt_vec(const sb_h5file *f, const char *ds, size_t M, double **out, sb_err *err)
{
    if (!sb_h5_exists(f, ds))
        return 0;
    int rc = read_shaped(f, ds, M, 0, out, err);
    return rc ? rc : check_min(f->path, ds, *out, M, 0, 0, 0, err);
}

/* correct (integers 0/1) or score (numbers), exactly one; N comes from it. */
static int read_values(const sb_h5file *f, sc_data *d, sb_err *err)
{
    const char *cp = "/splitcomp/correct", *sp = "/splitcomp/score";
    int hc = sb_h5_exists(f, cp), hs = sb_h5_exists(f, sp);
    if (hc == hs)
        return sb_fail(err, SB_EINPUT, "%s: /splitcomp needs exactly one of correct and score (%s)", f->path,
                       hc ? "both are there" : "neither is there");
    size_t dims[SB_H5_MAXRANK];
    const char *ds = hc ? cp : sp;
    int rc;
    if (hc) {
        int64_t *c;
        if ((rc = sb_h5_read_i64(f, cp, 2, dims, &c, err)))
            return rc;
        size_t n = dims[0] * dims[1];
        d->value = malloc((n ? n : 1) * sizeof *d->value);
        for (size_t i = 0; d->value && i < n; i++) {
            if (c[i] != 0 && c[i] != 1) {
                long long v = (long long)c[i]; /* read before the free: the message names it */
                free(c);
                return sb_fail(err, SB_EINPUT, "%s: %s[%zu, %zu] = %lld: must be 0 or 1", f->path, cp,
                               i / dims[1], i % dims[1], v);
            }
            d->value[i] = (double)c[i];
        }
        free(c);
        if (!d->value)
            return sb_fail(err, SB_ENOMEM, "out of memory reading %s", cp);
    } else {
        d->is_score = 1;
        if ((rc = sb_h5_read_f64(f, sp, 2, dims, &d->value, err)))
            return rc;
    }
    if (dims[0] != d->M)
        return sb_fail(err, SB_EINPUT, "%s: %s has %zu rows but configs/name has %zu configurations", f->path, ds,
                       dims[0], d->M);
    if (dims[1] == 0)
        return sb_fail(err, SB_EINPUT, "%s: %s holds no sample (shape %zux0)", f->path, ds, dims[0]);
    d->N = dims[1];
    return 0;
}

/* payload_bytes: integers >= 1, of correct's shape. */
static int read_payload(const sb_h5file *f, sc_data *d, sb_err *err)
{
    const char *ds = "/splitcomp/payload_bytes";
    size_t dims[SB_H5_MAXRANK];
    int64_t *p;
    int rc = sb_h5_read_i64(f, ds, 2, dims, &p, err);
    if (rc)
        return rc;
    if (dims[0] != d->M || dims[1] != d->N) {
        free(p);
        return sb_fail(err, SB_EINPUT, "%s: %s has shape (%zux%zu) but %s has (%zux%zu)", f->path, ds, dims[0],
                       dims[1], d->is_score ? "score" : "correct", d->M, d->N);
    }
    d->payload = malloc(d->M * d->N * sizeof *d->payload);
    for (size_t i = 0; d->payload && i < d->M * d->N; i++) {
        if (p[i] < 1) {
            long long v = (long long)p[i]; /* read before the free: the message names it */
            free(p);
            return sb_fail(err, SB_EINPUT, "%s: %s[%zu, %zu] = %lld: must be >= 1", f->path, ds, i / d->N,
                           i % d->N, v);
        }
        d->payload[i] = (double)p[i];
    }
    free(p);
    return d->payload ? 0 : sb_fail(err, SB_ENOMEM, "out of memory reading %s", ds);
}

/* A per-sample time array of the same shape, every entry >= 0. */
static int read_times(const sb_h5file *f, const char *ds, const sc_data *d, double **out, sb_err *err)
{
    size_t dims[SB_H5_MAXRANK];
    int rc = sb_h5_read_f64(f, ds, 2, dims, out, err);
    if (rc)
        return rc;
    if (dims[0] != d->M || dims[1] != d->N)
        return sb_fail(err, SB_EINPUT, "%s: %s has shape (%zux%zu) but %s has (%zux%zu)", f->path, ds, dims[0],
                       dims[1], d->is_score ? "score" : "correct", d->M, d->N);
    return check_min(f->path, ds, *out, d->M, d->N, 0, 0, err);
}

int sc_data_read(const char *path, sc_data *d, sb_err *err)
{
    memset(d, 0, sizeof *d);
    sb_h5_quiet();
    sb_h5file f;
    int rc = sb_h5_open(&f, path, err);
    if (rc)
        return rc;
    if (!sb_h5_exists(&f, "/splitcomp"))
        rc = sb_fail(err, SB_EINPUT, "%s: no group /splitcomp", path);
    if (!rc)
        rc = read_names(&f, d, err);
    if (!rc && sb_h5_exists(&f, "/splitcomp/configs/encoder_bits")) {
        rc = read_shaped(&f, "/splitcomp/configs/encoder_bits", d->M, 0, &d->encoder_bits, err);
        if (!rc)
            rc = check_min(path, "/splitcomp/configs/encoder_bits", d->encoder_bits, d->M, 0, 0, 0, err);
    }
    if (!rc)
        rc = read_opt_vec(&f, "/splitcomp/configs/t_enc_est", d->M, &d->t_enc_est, err);
    if (!rc)
        rc = read_opt_vec(&f, "/splitcomp/configs/bytes_est", d->M, &d->bytes_est, err);
    if (!rc)
        rc = read_values(&f, d, err);
    if (!rc)
        rc = read_payload(&f, d, err);
    if (!rc)
        rc = read_times(&f, "/splitcomp/t_enc", d, &d->t_enc, err);
    if (!rc)
        rc = read_times(&f, "/splitcomp/t_srv", d, &d->t_srv, err);
    if (!rc && sb_h5_exists(&f, "/splitcomp/switch_s")) {
        rc = read_shaped(&f, "/splitcomp/switch_s", d->M, d->M, &d->switch_s, err);
        for (size_t k = 0; !rc && k < d->M; k++) /* the diagonal is never paid: whatever it holds */
            d->switch_s[k * d->M + k] = 0;
        if (!rc)
            rc = check_min(path, "/splitcomp/switch_s", d->switch_s, d->M, d->M, 0, 0, err);
    }
    sb_h5_close(&f);
    if (rc)
        sc_data_free(d);
    return rc;
}

void sc_traces_free(sc_traces *ts)
{
    for (size_t i = 0; i < ts->n; i++) {
        free(ts->tr[i].name);
        free(ts->tr[i].t);
        free(ts->tr[i].bps);
    }
    free(ts->tr);
    memset(ts, 0, sizeof *ts);
}

int sc_trace_check(const char *file, const char *what, const double *t, const double *bps, size_t L, double dur,
                   sb_err *err)
{
    if (L == 0)
        return sb_fail(err, SB_EINPUT, "%s: %s/time_s is empty", file, what);
    if (t[0] != 0)
        return sb_fail(err, SB_EINPUT, "%s: %s/time_s[0] = %g: the first time must be 0", file, what, t[0]);
    for (size_t i = 1; i < L; i++)
        if (!(t[i] > t[i - 1]))
            return sb_fail(err, SB_EINPUT, "%s: %s/time_s[%zu] = %g is not after time_s[%zu] = %g", file, what, i,
                           t[i], i - 1, t[i - 1]);
    int any = 0;
    for (size_t i = 0; i < L; i++) {
        if (!(bps[i] >= 0))
            return sb_fail(err, SB_EINPUT, "%s: %s/bps[%zu] = %g: a capacity must be >= 0", file, what, i, bps[i]);
        any |= bps[i] > 0;
    }
    if (!isfinite(dur) || !(dur > t[L - 1]))
        return sb_fail(err, SB_EINPUT, "%s: %s attribute duration_s = %g must be after the last time %g", file,
                       what, dur, t[L - 1]);
    if (!any)
        return sb_fail(err, SB_EINPUT, "%s: %s carries no bits (every bps is 0)", file, what);
    return 0;
}

static int read_trace(const sb_h5file *f, const char *name, sc_trace *tr, sb_err *err)
{
    char g[600], p[700];
    size_t dt[SB_H5_MAXRANK], db[SB_H5_MAXRANK];
    snprintf(g, sizeof g, "/traces/%s", name);
    if (!(tr->name = strdup(name)))
        return sb_fail(err, SB_ENOMEM, "out of memory reading %s", f->path);
    snprintf(p, sizeof p, "%s/time_s", g);
    int rc = sb_h5_read_f64(f, p, 1, dt, &tr->t, err);
    if (rc)
        return rc;
    snprintf(p, sizeof p, "%s/bps", g);
    if ((rc = sb_h5_read_f64(f, p, 1, db, &tr->bps, err)))
        return rc;
    if (dt[0] != db[0])
        return sb_fail(err, SB_EINPUT, "%s: %s/bps has %zu entries but time_s has %zu", f->path, g, db[0], dt[0]);
    tr->L = dt[0];
    if (!sb_h5_attr_exists(f, g, "duration_s"))
        return sb_fail(err, SB_EINPUT, "%s: %s has no attribute duration_s", f->path, g);
    if ((rc = sb_h5_attr_f64(f, g, "duration_s", &tr->dur, err)))
        return rc;
    if ((rc = sc_trace_check(f->path, g, tr->t, tr->bps, tr->L, tr->dur, err)))
        return rc;
    tr->period_bits = 0;
    for (size_t i = 0; i < tr->L; i++)
        tr->period_bits += tr->bps[i] * ((i + 1 < tr->L ? tr->t[i + 1] : tr->dur) - tr->t[i]);
    return 0;
}

int sc_traces_read(const char *path, sc_traces *ts, sb_err *err)
{
    memset(ts, 0, sizeof *ts);
    sb_h5_quiet();
    sb_h5file f;
    int rc = sb_h5_open(&f, path, err);
    if (rc)
        return rc;
    size_t n = 0;
    char **names = NULL;
    if (!sb_h5_exists(&f, "/traces"))
        rc = sb_fail(err, SB_EINPUT, "%s: no group /traces (no trace)", path);
    if (!rc)
        rc = sb_h5_list_group(&f, "/traces", &n, &names, err);
    if (!rc && n == 0)
        rc = sb_fail(err, SB_EINPUT, "%s: /traces holds no trace", path);
    if (!rc && !(ts->tr = calloc(n, sizeof *ts->tr)))
        rc = sb_fail(err, SB_ENOMEM, "out of memory reading %s", path);
    for (size_t i = 0; i < n && !rc; i++) {
        ts->n = i + 1;
        rc = read_trace(&f, names[i], &ts->tr[i], err);
    }
    if (names)
        sb_h5_free_strings(names, n);
    sb_h5_close(&f);
    if (rc)
        sc_traces_free(ts);
    return rc;
}
