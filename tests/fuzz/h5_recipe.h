/* h5_recipe.h — structure-aware fuzzing of the HDF5 readers (fuzz_h5_*.c).
 *
 * Fuzzing raw HDF5 bytes mostly finds bugs inside libhdf5's parser, not ours. So the fuzzer's
 * bytes are read as a recipe — which datasets and attributes exist, their rank, dims, type,
 * layout and a few values (NaN, Inf, huge, negative) — for a *valid* HDF5 file that the HDF5
 * library writes; then the task that reads such files runs on it exactly as the engine runs
 * it (open, plan, every unit, finish). A crash, a sanitizer report, a leaked HDF5 object or an
 * error that is not one non-empty line is a finding in shardbench's code.
 *
 * An all-zero recipe gives the ordinary, valid file: every choice's 0 is "as expected". */
#ifndef SB_H5_RECIPE_H
#define SB_H5_RECIPE_H

#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "engine/task.h"
#include "tasks/registry.h"

/* Arrays with more elements than this are only declared (never written in full). */
#define RC_MAX_ELEMS 4096

typedef struct recipe {
    const uint8_t *p;
    size_t n;
} recipe;

static inline uint8_t rc_u8(recipe *r)
{
    if (!r->n)
        return 0;
    r->n--;
    return *r->p++;
}

/* 0..n-1 (n >= 1). */
static inline unsigned rc_pick(recipe *r, unsigned n) { return rc_u8(r) % n; }

/* Usually a small dim (0 → 1), sometimes 0, sometimes one whose products overflow. */
static inline hsize_t rc_dim(recipe *r, hsize_t normal)
{
    static const hsize_t hostile[] = {9, 17, 255, 4097, (hsize_t)1 << 20, (hsize_t)1 << 22,
                                      (hsize_t)1 << 30, (hsize_t)1 << 31, (hsize_t)1 << 32,
                                      ((hsize_t)1 << 32) + 1, (hsize_t)1 << 33, ((hsize_t)1 << 33) + 1,
                                      (hsize_t)1 << 40, (hsize_t)1 << 52, (hsize_t)1 << 61,
                                      (hsize_t)1 << 62, ((hsize_t)1 << 63) - 1, (hsize_t)1 << 63,
                                      UINT64_MAX - 2, 3};
    uint8_t b = rc_u8(r);
    if (b < 200)
        return normal;
    if (b < 224)
        return 1 + b % 8;
    if (b < 236)
        return 0;
    return hostile[(b - 236) % (sizeof hostile / sizeof hostile[0])];
}

static inline double rc_special(recipe *r)
{
    static const double v[] = {NAN, INFINITY, -INFINITY, -0.0, 1e308, -1e308, 2.2250738585072014e-308,
                               5e-324, 1e300, 9007199254740993.0, 9.3e18, -9.3e18, 1e-300, 0.5, 1, -1,
                               2, 3, -2, 1e6};
    return v[rc_pick(r, sizeof v / sizeof v[0])];
}

static inline int64_t rc_special_int(recipe *r, int64_t near)
{
    const int64_t v[] = {-1, -2, near, near + 1, near - 1, INT32_MAX, (int64_t)INT32_MAX + 1, INT64_MAX,
                         INT64_MIN, 1000000, 1000001, 0, 1, 2};
    return v[rc_pick(r, sizeof v / sizeof v[0])];
}

/* The shape a reader expects, sometimes changed: an axis more or less, or dims replaced.
 * dims must have room for rank + 1 values. */
static inline int rc_shape(recipe *r, int rank, hsize_t *dims)
{
    for (int i = 0; i < rank; i++)
        dims[i] = rc_dim(r, dims[i]);
    uint8_t b = rc_u8(r);
    if (b >= 248 && rank < 8)
        dims[rank++] = 1 + b % 3;
    else if (b >= 240 && rank > 0)
        rank--;
    return rank;
}

static inline size_t rc_count(int rank, const hsize_t *dims, int *huge)
{
    double c = 1;
    for (int i = 0; i < rank; i++)
        c *= (double)dims[i];
    *huge = c > RC_MAX_ELEMS;
    return *huge ? 0 : (size_t)c;
}

typedef enum { RT_F64, RT_F32, RT_I64, RT_I32, RT_U8, RT_U64, RT_STR, RT_NTYPES } rtype;

static inline hid_t rc_file_type(rtype t)
{
    switch (t) {
    case RT_F64: return H5T_IEEE_F64LE;
    case RT_F32: return H5T_IEEE_F32LE;
    case RT_I64: return H5T_STD_I64LE;
    case RT_I32: return H5T_STD_I32BE; /* big-endian too: HDF5 converts, readers must not care */
    case RT_U8: return H5T_STD_U8LE;
    case RT_U64: return H5T_STD_U64LE;
    default: return H5T_IEEE_F64LE;
    }
}

/* Values: a smooth pattern (ints: i % modulus, so labels are 0..modulus-1; floats in (0, 1)
 * when modulus > 0, else in ±100), then a few positions overwritten with specials. */
static inline void rc_values(recipe *r, double *v, int64_t *iv, size_t n, int64_t modulus)
{
    for (size_t i = 0; i < n; i++) {
        double wave = sin(0.7 * (double)i + 0.3);
        v[i] = modulus > 0 ? 0.5 + 0.45 * wave : wave * 100.0 / (double)(1 + i % 5);
        iv[i] = modulus > 0 ? (int64_t)(i % (size_t)modulus) : (int64_t)i;
    }
    unsigned k = rc_pick(r, 4); /* how many specials; 0 keeps the pattern */
    for (unsigned j = 0; j < k && n; j++) {
        size_t at = rc_u8(r) % n;
        v[at] = rc_special(r);
        iv[at] = rc_special_int(r, modulus);
    }
}

static inline void rc_write(hid_t ds, rtype t, const double *v, const int64_t *iv, size_t n)
{
    if (t == RT_STR) {
        char *s = calloc(n ? n : 1, 8);
        for (size_t i = 0; s && i < n; i++)
            snprintf(s + 8 * i, 8, "s%zu", i % 100000);
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, 8);
        H5Dwrite(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, s);
        H5Tclose(mt);
        free(s);
    } else if (t == RT_F64 || t == RT_F32)
        H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    else
        H5Dwrite(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, iv);
}

/* Creates the dataset (layout from the recipe) and writes all, part or none of it. */
static inline void rc_create(hid_t loc, recipe *r, const char *name, int rank, const hsize_t *dims, rtype t,
                      int64_t modulus)
{
    int huge;
    size_t n = rc_count(rank, dims, &huge);
    unsigned mode = rc_pick(r, 8); /* 0 contiguous, 1 chunked, 2 chunked+deflate, 3 compact,
                                      4 chunked then grown, 5 never written, 6 missing, 7 a group */
    if (huge && mode < 4)
        mode = 4 + rc_pick(r, 2);
    if (mode == 6)
        return;
    if (mode == 7) {
        H5Gclose(H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        return;
    }
    hid_t ft = H5T_IEEE_F64LE, own_t = -1;
    if (t == RT_STR) {
        own_t = ft = H5Tcopy(H5T_C_S1);
        H5Tset_size(ft, 8);
    } else
        ft = rc_file_type(t);
    hsize_t start[8], maxd[8], chunk[8];
    for (int i = 0; i < rank; i++) {
        chunk[i] = dims[i] < 2 ? 1 : 2;
        start[i] = mode == 4 ? chunk[i] : dims[i];
        maxd[i] = mode == 4 ? H5S_UNLIMITED : dims[i];
    }
    hid_t sp = H5Screate_simple(rank, rank ? start : NULL, rank ? maxd : NULL);
    if (rank == 0) {
        H5Sclose(sp);
        sp = H5Screate(H5S_SCALAR);
    }
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (rank && (mode == 1 || mode == 2 || mode == 4 || (mode == 5 && huge)))
        H5Pset_chunk(dcpl, rank, chunk);
    if (mode == 2 && rank)
        H5Pset_deflate(dcpl, 1);
    if (mode == 3 && n * 8 < 60000)
        H5Pset_layout(dcpl, H5D_COMPACT);
    hid_t ds = H5Dcreate2(loc, name, ft, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (ds >= 0 && mode != 5) {
        int h2;
        size_t m = mode == 4 ? rc_count(rank, start, &h2) : n;
        double *v = malloc((m ? m : 1) * sizeof *v);
        int64_t *iv = malloc((m ? m : 1) * sizeof *iv);
        if (v && iv) {
            rc_values(r, v, iv, m, modulus);
            rc_write(ds, t, v, iv, m);
        }
        free(v);
        free(iv);
        if (mode == 4)
            H5Dset_extent(ds, dims);
    }
    if (ds >= 0)
        H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(sp);
    if (own_t >= 0)
        H5Tclose(own_t);
}

/* A dataset a reader expects with rank and dims of type t; the recipe may change all three. */
static inline void rc_dataset(hid_t loc, recipe *r, const char *name, int rank, const hsize_t *dims, rtype t,
                       int64_t modulus)
{
    hsize_t d[9];
    memcpy(d, dims, (size_t)rank * sizeof *d);
    rank = rc_shape(r, rank, d);
    uint8_t b = rc_u8(r);
    if (b >= 224)
        t = (rtype)(b % RT_NTYPES);
    rc_create(loc, r, name, rank, d, t, modulus);
}

/* An integer attribute of n values (shape (n) or (n/2 x 2) when pairs), written from v with
 * recipe changes: a value replaced, another type, a null dataspace, or absent. */
static inline void rc_attr_ints(hid_t loc, recipe *r, const char *name, int64_t *v, size_t n, int pairs)
{
    unsigned mode = rc_pick(r, 8); /* 0..3 as given, 4 float type, 5 null space, 6 rank 3, 7 absent */
    if (mode == 7)
        return;
    if (n && rc_u8(r) >= 128)
        v[rc_u8(r) % n] = rc_special_int(r, (int64_t)n);
    hsize_t d[3] = {pairs ? n / 2 : n, 2, 1};
    int rank = pairs ? 2 : 1;
    if (mode == 6) {
        d[0] = n;
        d[1] = 1;
        rank = 3;
    }
    hid_t sp = mode == 5 ? H5Screate(H5S_NULL) : H5Screate_simple(rank, d, NULL);
    hid_t a = H5Acreate2(loc, name, mode == 4 ? H5T_IEEE_F64LE : H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0 && mode != 5 && n)
        H5Awrite(a, H5T_NATIVE_INT64, v);
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(sp);
}

/* A string taken from the recipe (printable and not, ':' and '-' likely), at most cap-1 bytes. */
static inline void rc_text(recipe *r, char *out, size_t cap)
{
    static const char alphabet[] = "ab:-0123456789_,\" \n\tZ";
    size_t len = rc_pick(r, 48), k = 0;
    for (size_t i = 0; i < len && k + 1 < cap; i++) {
        uint8_t b = rc_u8(r);
        out[k++] = b < 200 ? alphabet[b % (sizeof alphabet - 1)] : (char)b;
    }
    out[k] = '\0';
}

/* A string attribute (fixed or variable length) of n strings; one may be replaced by recipe text. */
static inline void rc_attr_strings(hid_t loc, recipe *r, const char *name, const char *const *s, size_t n)
{
    unsigned mode = rc_pick(r, 6); /* 0..2 vlen, 3 fixed, 4 a number, 5 absent */
    if (mode == 5)
        return;
    char text[64];
    const char *v[16];
    n = n > 16 ? 16 : n;
    for (size_t i = 0; i < n; i++)
        v[i] = s[i];
    if (n && rc_u8(r) >= 160) {
        rc_text(r, text, sizeof text);
        v[rc_u8(r) % n] = text;
    }
    hsize_t d = n;
    hid_t sp = n == 1 && rc_u8(r) < 128 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &d, NULL);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, mode == 3 ? 24 : H5T_VARIABLE);
    hid_t a = H5Acreate2(loc, name, mode == 4 ? H5T_IEEE_F64LE : t, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0 && mode < 3)
        H5Awrite(a, t, v);
    else if (a >= 0 && mode == 3) {
        char fixed[16][24];
        memset(fixed, 0, sizeof fixed);
        for (size_t i = 0; i < n; i++)
            strncpy(fixed[i], v[i], 23);
        H5Awrite(a, t, fixed);
    }
    if (a >= 0)
        H5Aclose(a);
    H5Tclose(t);
    H5Sclose(sp);
}

/* A link name for a group member: usually given, else recipe text (HDF5 forbids '/' and ""). */
static inline void rc_name(recipe *r, const char *given, char *out, size_t cap)
{
    if (rc_u8(r) < 224) {
        snprintf(out, cap, "%s", given);
        return;
    }
    rc_text(r, out, cap);
    for (char *c = out; *c; c++)
        if (*c == '/')
            *c = '|';
    if (!out[0] || !strcmp(out, "."))
        snprintf(out, cap, "%s", given);
}

static char rc_scratch[512];

static inline void rc_remove_scratch(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", rc_scratch);
    if (rc_scratch[0] && system(cmd) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", rc_scratch);
}

/* This process's scratch folder (under $TMPDIR), made once and removed at exit. */
static inline const char *rc_dir(void)
{
    if (!rc_scratch[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(rc_scratch, sizeof rc_scratch, "%s/sbfuzz_h5_XXXXXX", t && t[0] ? t : "/tmp");
        if (!mkdtemp(rc_scratch))
            abort();
        atexit(rc_remove_scratch);
    }
    return rc_scratch;
}

static inline hid_t rc_create_file(const char *path)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0)
        abort();
    return f;
}

/* A failed call must explain itself in one line; anything else is a finding. */
static inline void rc_check_error(int rc, const sb_err *err)
{
    if (getenv("SB_FUZZ_VERBOSE")) /* to see what a seed exercises */
        fprintf(stderr, "rc=%d %s\n", rc, rc ? err->msg : "");
    if (!rc)
        return;
    int control = 0;
    for (const char *c = err->msg; *c; c++)
        control |= (unsigned char)*c < 0x20 || *c == 0x7f;
    if (rc < SB_EUSAGE || rc > SB_EINTR || !err->msg[0] || control) {
        fprintf(stderr, "bad error: rc=%d msg='%s'\n", rc, err->msg);
        abort();
    }
}

/* Runs a task as the engine does: open, plan, every unit (at most 64), finish. Options kv are
 * key, value, ..., NULL. Aborts on an unexplained error or an HDF5 object left open. */
static inline void rc_run_task(const char *name, const char *const *kv)
{
    const sb_task *task = sb_task_find(name);
    if (!task)
        abort();
    sb_opts opts;
    sb_opts_init(&opts, rc_dir(), "fuzz");
    sb_err err = {0};
    for (size_t i = 0; kv[i]; i += 2)
        if (sb_opts_set(&opts, kv[i], kv[i + 1], 0, &err))
            abort();
    sb_task_ctx ctx = {.opts = &opts, .label = "", .seed = 7, .state = NULL};
    sb_units units = {0};
    int rc = sb_opts_validate(&opts, task->options, &err);
    if (!rc)
        rc = task->open(&ctx, &err);
    rc_check_error(rc, &err);
    if (!rc) {
        rc = task->plan(&ctx, &units, &err);
        rc_check_error(rc, &err);
    }
    size_t n = !rc && units.n < 64 ? units.n : 0;
    sb_buf *bufs = calloc(n + 1, sizeof *bufs);
    sb_record *recs = calloc(n + 1, sizeof *recs);
    if (!bufs || !recs)
        abort();
    for (size_t i = 0; i < n; i++) {
        char stage[64];
        sb_err e = {0};
        sb_buf_init(&bufs[i]);
        int urc = task->run_unit(&ctx, &units.u[i], &bufs[i], stage, sizeof stage, &e);
        rc_check_error(urc, &e);
        recs[i] = (sb_record){.unit = i, .failed = urc != 0, .data = urc ? NULL : bufs[i].data,
                              .len = urc ? 0 : bufs[i].len};
    }
    if (n) {
        sb_tables out = {0};
        sb_err e = {0};
        rc_check_error(task->finish(&ctx, units.u, recs, n, &out, &e), &e);
        sb_tables_free(&out);
    }
    for (size_t i = 0; i < n; i++)
        sb_buf_free(&bufs[i]);
    free(bufs);
    free(recs);
    sb_units_free(&units);
    if (ctx.state && task->close)
        task->close(&ctx);
    sb_opts_free(&opts);
    if (H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) != 0) {
        fprintf(stderr, "HDF5 objects left open: %zd\n", H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL));
        abort();
    }
}

#endif
