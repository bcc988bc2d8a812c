#include "tasks/transfer/pair_file.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5read.h"

void sb_pair_free(sb_pair *p)
{
    free(p->f32);
    free(p->f64);
    free(p->y);
    free(p->probs);
    memset(p, 0, sizeof *p);
}

void sb_pair_shape(const char *path, size_t *n, size_t *d)
{
    *n = *d = 0;
    sb_h5_quiet();
    sb_h5file f;
    sb_err e;
    if (sb_h5_open(&f, path, &e))
        return;
    int rank;
    size_t dims[SB_H5_MAXRANK];
    if (!sb_h5_shape(&f, "/features", &rank, dims, &e) && rank == 2) {
        *n = dims[0];
        *d = dims[1];
    }
    sb_h5_close(&f);
}

void sb_pair_label_sizes(const char *path, size_t n_max, double *c, double *sum_nc2)
{
    *c = *sum_nc2 = 0.0;
    sb_h5_quiet();
    sb_h5file f;
    sb_err e;
    if (sb_h5_open(&f, path, &e))
        return;
    size_t dims[SB_H5_MAXRANK];
    int64_t *y = NULL;
    if (!sb_h5_read_i64(&f, "/labels", 1, dims, &y, &e)) {
        /* labels outside read_labels' range are skipped here: that pair fails when it runs */
        int64_t maxv = -1;
        for (size_t i = 0; i < dims[0] && i < n_max; i++)
            if (y[i] >= 0 && y[i] <= 1000000 && y[i] > maxv)
                maxv = y[i];
        size_t *cnt = maxv >= 0 ? calloc((size_t)maxv + 1, sizeof *cnt) : NULL;
        if (cnt) {
            for (size_t i = 0; i < dims[0] && i < n_max; i++)
                if (y[i] >= 0 && y[i] <= maxv)
                    cnt[y[i]]++;
            for (int64_t k = 0; k <= maxv; k++)
                *sum_nc2 += (double)cnt[k] * (double)cnt[k];
            *c = (double)maxv + 1.0;
        }
        free(cnt);
    }
    free(y);
    sb_h5_close(&f);
}

static int read_labels(sb_h5file *f, sb_pair *p, sb_err *err)
{
    size_t dims[SB_H5_MAXRANK];
    int64_t *y;
    int rc = sb_h5_read_i64(f, "/labels", 1, dims, &y, err);
    if (rc)
        return rc;
    if (dims[0] != p->n) {
        free(y);
        return sb_fail(err, SB_EINPUT, "%s: /labels has %zu entries but /features has %zu rows", f->path, dims[0], p->n);
    }
    int64_t maxv = -1;
    for (size_t i = 0; i < p->n; i++) {
        if (y[i] < 0 || y[i] > 1000000) {
            long long v = (long long)y[i];
            free(y);
            return sb_fail(err, SB_EINPUT, "%s: /labels[%zu] = %lld is not a class index 0..C-1", f->path, i, v);
        }
        if (y[i] > maxv)
            maxv = y[i];
    }
    p->c = (int)maxv + 1;
    unsigned char *seen = calloc((size_t)p->c + 1, 1);
    p->y = malloc((p->n ? p->n : 1) * sizeof *p->y);
    if (!seen || !p->y) {
        free(seen);
        free(y);
        return sb_fail(err, SB_ENOMEM, "%s: out of memory reading /labels", f->path);
    }
    for (size_t i = 0; i < p->n; i++) {
        p->y[i] = (int)y[i];
        seen[y[i]] = 1;
    }
    free(y);
    for (int c = 0; c < p->c; c++)
        if (!seen[c]) {
            free(seen);
            return sb_fail(err, SB_EINPUT, "%s: /labels are not 0..C-1 contiguous: class %d of 0..%d has no sample",
                           f->path, c, p->c - 1);
        }
    free(seen);
    return 0;
}

static int read_probs(sb_h5file *f, sb_pair *p, sb_err *err)
{
    if (!sb_h5_exists(f, "/source_probs"))
        return 0;
    size_t dims[SB_H5_MAXRANK];
    int rc = sb_h5_read_f64(f, "/source_probs", 2, dims, &p->probs, err);
    if (rc)
        return rc;
    if (dims[0] != p->n)
        return sb_fail(err, SB_EINPUT, "%s: /source_probs has %zu rows but /features has %zu", f->path, dims[0], p->n);
    p->cs = dims[1];
    if (p->cs == 0)
        return sb_fail(err, SB_EINPUT, "%s: /source_probs has no column", f->path);
    for (size_t i = 0; i < p->n; i++) {
        double s = 0;
        for (size_t z = 0; z < p->cs; z++) {
            double v = p->probs[i * p->cs + z];
            if (v < 0)
                return sb_fail(err, SB_EINPUT, "%s: /source_probs[%zu][%zu] = %g is negative", f->path, i, z, v);
            s += v;
        }
        if (fabs(s - 1) > 1e-3)
            return sb_fail(err, SB_EINPUT, "%s: /source_probs row %zu sums to %.6g, not 1 (tolerance 1e-3)", f->path, i, s);
    }
    return 0;
}

int sb_pair_read(sb_pair *p, const char *path, sb_err *err)
{
    memset(p, 0, sizeof *p);
    sb_h5_quiet();
    sb_h5file f;
    int rc = sb_h5_open(&f, path, err);
    if (rc)
        return rc;
    size_t dims[SB_H5_MAXRANK];
    if (sb_h5_is_float32(&f, "/features"))
        rc = sb_h5_read_f32(&f, "/features", 2, dims, &p->f32, err);
    else
        rc = sb_h5_read_f64(&f, "/features", 2, dims, &p->f64, err);
    if (!rc) {
        p->n = dims[0];
        p->d = dims[1];
        if (p->n < 2 || p->d < 1)
            rc = sb_fail(err, SB_EINPUT, "%s: /features has shape (%zux%zu): need at least 2 rows and 1 column", path,
                         p->n, p->d);
    }
    if (!rc)
        rc = read_labels(&f, p, err);
    if (!rc)
        rc = read_probs(&f, p, err);
    sb_h5_close(&f);
    if (rc)
        sb_pair_free(p);
    return rc;
}
