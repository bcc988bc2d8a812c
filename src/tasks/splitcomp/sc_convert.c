/* sc_convert.c — Mahimahi and time,rate logs into capacity traces. */
#include "tasks/splitcomp/sc_convert.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/h5read.h"
#include "io/h5write.h"
#include "io/input_file.h"
#include "tasks/splitcomp/sc_input.h"

void sc_trace_arrays_free(sc_trace_arrays *a)
{
    free(a->t);
    free(a->bps);
    memset(a, 0, sizeof *a);
}

/* A growable list of number pairs, read line by line. */
typedef struct pairs {
    size_t n, cap;
    double *a, *b;
    size_t *line;
    size_t seen; /* non-blank lines so far, this one included */
} pairs;

static int pairs_push(pairs *p, double a, double b, size_t line, sb_err *err)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 1024;
        double *na = realloc(p->a, cap * sizeof *na);
        if (na)
            p->a = na;
        double *nb = realloc(p->b, cap * sizeof *nb);
        if (nb)
            p->b = nb;
        size_t *nl = realloc(p->line, cap * sizeof *nl);
        if (nl)
            p->line = nl;
        if (!na || !nb || !nl)
            return sb_fail(err, SB_ENOMEM, "out of memory reading %zu lines", p->n);
        p->cap = cap;
    }
    p->a[p->n] = a;
    p->b[p->n] = b;
    p->line[p->n++] = line;
    return 0;
}

static void pairs_free(pairs *p) { free(p->a), free(p->b), free(p->line); }

static const char *skip_blank(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return s;
}

/* Reads every non-blank line of path through parse (which pushes into p). */
static int read_lines(const char *path, pairs *p,
                      int (*parse)(const char *path, const char *s, size_t line, pairs *p, sb_err *err), sb_err *err)
{
    int rc = sb_input_check(path, err);
    if (rc)
        return rc;
    FILE *f = fopen(path, "r");
    if (!f)
        return sb_fail(err, SB_EIO, "%s: %s", path, strerror(errno));
    char *buf = NULL;
    size_t cap = 0, line = 0;
    while (!rc && getline(&buf, &cap, f) >= 0) {
        line++;
        size_t len = strlen(buf); /* messages quote the line without its end */
        while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' ' || buf[len - 1] == '\t'))
            buf[--len] = '\0';
        const char *s = skip_blank(buf);
        if (*s) {
            p->seen++;
            rc = parse(path, s, line, p, err);
        }
    }
    if (!rc && ferror(f))
        rc = sb_fail(err, SB_EIO, "%s: read error", path);
    free(buf);
    fclose(f);
    return rc;
}

static int parse_mahimahi(const char *path, const char *s, size_t line, pairs *p, sb_err *err)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *skip_blank(end) || errno || v < 0 || *s == '-' || *s == '+')
        return sb_fail(err, SB_EINPUT, "%s: line %zu: '%.40s' is not a time in whole milliseconds", path, line, s);
    if (p->n && (double)v < p->a[p->n - 1])
        return sb_fail(err, SB_EINPUT, "%s: line %zu: %lld ms comes before the previous line's %.0f ms", path, line,
                       v, p->a[p->n - 1]);
    return pairs_push(p, (double)v, 0, line, err);
}

int sc_mahimahi_read(const char *path, long bin_ms, long packet_bytes, sc_trace_arrays *out, sb_err *err)
{
    memset(out, 0, sizeof *out);
    pairs p = {0};
    int rc = read_lines(path, &p, parse_mahimahi, err);
    if (!rc && (p.n == 0 || p.a[p.n - 1] <= 0))
        rc = sb_fail(err, SB_EINPUT, "%s: %s", path,
                     p.n ? "the last delivery opportunity must be after 0 ms" : "holds no delivery opportunity");
    if (rc) {
        pairs_free(&p);
        return rc;
    }
    int64_t P = (int64_t)p.a[p.n - 1], w = bin_ms;
    size_t nb = (size_t)((P + w - 1) / w);
    double *count = calloc(nb, sizeof *count);
    out->t = malloc(nb * sizeof *out->t);
    out->bps = malloc(nb * sizeof *out->bps);
    if (!count || !out->t || !out->bps) {
        free(count), pairs_free(&p), sc_trace_arrays_free(out);
        return sb_fail(err, SB_ENOMEM, "%s: out of memory for %zu bins", path, nb);
    }
    /* The file loops: an opportunity at P is the next period's first. */
    for (size_t i = 0; i < p.n; i++)
        count[(size_t)(((int64_t)p.a[i] % P) / w)] += 1;
    for (size_t i = 0; i < nb; i++) {
        int64_t lo = (int64_t)i * w, len = P - lo < w ? P - lo : w;
        out->t[i] = (double)lo / 1000;
        out->bps[i] = 8.0 * (double)packet_bytes * count[i] / ((double)len / 1000);
    }
    out->L = nb;
    out->dur = (double)P / 1000;
    free(count);
    pairs_free(&p);
    return 0;
}

/* "t,rate" or "t rate"; a first line whose first field is not a number is a header. */
static int parse_rate(const char *path, const char *s, size_t line, pairs *p, sb_err *err)
{
    char *end;
    double t = strtod(s, &end);
    if (end == s) {
        if (p->seen == 1)
            return 0; /* the header */
        return sb_fail(err, SB_EINPUT, "%s: line %zu: '%.40s' does not start with a time in seconds", path, line, s);
    }
    const char *q = skip_blank(end);
    if (*q == ',')
        q = skip_blank(q + 1);
    else if (q == end)
        q = NULL; /* no separator */
    double r = q ? strtod(q, &end) : 0;
    if (!q || end == q || *skip_blank(end))
        return sb_fail(err, SB_EINPUT, "%s: line %zu: expected two numbers, time and rate, in '%.40s'", path, line, s);
    if (!isfinite(t) || !isfinite(r) || r < 0)
        return sb_fail(err, SB_EINPUT, "%s: line %zu: time %g and rate %g must be finite, the rate >= 0", path, line,
                       t, r);
    if (p->n && !(t > p->a[p->n - 1]))
        return sb_fail(err, SB_EINPUT, "%s: line %zu: time %g is not after the previous row's %g", path, line, t,
                       p->a[p->n - 1]);
    return pairs_push(p, t, r, line, err);
}

int sc_rate_csv_read(const char *path, double unit_bps, sc_trace_arrays *out, sb_err *err)
{
    memset(out, 0, sizeof *out);
    pairs p = {0};
    int rc = read_lines(path, &p, parse_rate, err);
    if (!rc && p.n < 2)
        rc = sb_fail(err, SB_EINPUT, "%s: %zu data rows: a trace needs at least 2", path, p.n);
    if (!rc && (!(out->t = malloc(p.n * sizeof *out->t)) || !(out->bps = malloc(p.n * sizeof *out->bps))))
        rc = sb_fail(err, SB_ENOMEM, "%s: out of memory", path);
    for (size_t i = 0; i < p.n && !rc; i++) {
        out->t[i] = p.a[i] - p.a[0];
        out->bps[i] = p.b[i] * unit_bps;
    }
    if (!rc) {
        out->L = p.n;
        out->dur = out->t[p.n - 1] + (out->t[p.n - 1] - out->t[p.n - 2]);
    } else
        sc_trace_arrays_free(out);
    pairs_free(&p);
    return rc;
}

/* An existing file gets the new group in place (it may hold /splitcomp too); a new one is
 * written whole and renamed into place. */
static int append_existing(const char *path, const char *name, const sc_trace_arrays *a, sb_err *err)
{
    sb_h5_quiet();
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0)
        return sb_fail(err, SB_EIO, "%s: cannot open for writing (not an HDF5 file?)", path);
    char g[700], d[760];
    snprintf(g, sizeof g, "/traces/%s", name);
    int rc = 0;
    if (H5Lexists(f, "/traces", H5P_DEFAULT) > 0 && H5Lexists(f, g, H5P_DEFAULT) > 0)
        rc = sb_fail(err, SB_EINPUT, "%s: %s already exists", path, g);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE), grp = -1;
    if (!rc && (lcpl < 0 || H5Pset_create_intermediate_group(lcpl, 1) < 0 ||
                (grp = H5Gcreate2(f, g, lcpl, H5P_DEFAULT, H5P_DEFAULT)) < 0))
        rc = sb_fail(err, SB_EIO, "%s: cannot create %s", path, g);
    hsize_t L = a->L;
    const char *names[2] = {"time_s", "bps"};
    const double *data[2] = {a->t, a->bps};
    for (int i = 0; i < 2 && !rc; i++) {
        hid_t sp = H5Screate_simple(1, &L, NULL);
        snprintf(d, sizeof d, "%s/%s", g, names[i]);
        hid_t ds = H5Dcreate2(f, d, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (ds < 0 || H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data[i]) < 0)
            rc = sb_fail(err, SB_EIO, "%s: cannot write %s", path, d);
        if (ds >= 0)
            H5Dclose(ds);
        H5Sclose(sp);
    }
    if (!rc) {
        hid_t sp = H5Screate(H5S_SCALAR);
        hid_t at = H5Acreate2(grp, "duration_s", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
        if (at < 0 || H5Awrite(at, H5T_NATIVE_DOUBLE, &a->dur) < 0)
            rc = sb_fail(err, SB_EIO, "%s: cannot write %s attribute duration_s", path, g);
        if (at >= 0)
            H5Aclose(at);
        H5Sclose(sp);
    }
    if (grp >= 0)
        H5Gclose(grp);
    if (lcpl >= 0)
        H5Pclose(lcpl);
    if (H5Fclose(f) < 0 && !rc)
        rc = sb_fail(err, SB_EIO, "%s: closing failed", path);
    return rc;
}

int sc_trace_write(const char *path, const char *name, const sc_trace_arrays *a, sb_err *err)
{
    if (!name[0] || strchr(name, '/') || strlen(name) > 200)
        return sb_fail(err, SB_EUSAGE, "trace name '%s' must be 1 to 200 characters without '/'", name);
    char what[300];
    snprintf(what, sizeof what, "/traces/%s", name);
    int rc = sc_trace_check(path, what, a->t, a->bps, a->L, a->dur, err);
    if (rc)
        return rc;
    struct stat st;
    if (!stat(path, &st))
        return append_existing(path, name, a, err);
    sb_h5w w;
    if ((rc = sb_h5w_create(&w, path, err)))
        return rc;
    char d[400];
    size_t L = a->L;
    sb_h5w_group(&w, what);
    snprintf(d, sizeof d, "%s/time_s", what);
    sb_h5w_f64(&w, d, 1, &L, a->t);
    snprintf(d, sizeof d, "%s/bps", what);
    sb_h5w_f64(&w, d, 1, &L, a->bps);
    sb_h5w_attr_f64(&w, what, "duration_s", a->dur);
    return sb_h5w_close(&w, 1, err);
}
