#include "io/h5read.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sb_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

int sb_h5_open(sb_h5file *f, const char *path, sb_err *err)
{
    snprintf(f->path, sizeof f->path, "%s", path);
    f->id = H5I_INVALID_HID;
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return sb_fail(err, SB_EIO, "%s: cannot open: no such file or not readable", path);
    fclose(probe);
    if (H5Fis_hdf5(path) <= 0)
        return sb_fail(err, SB_EIO, "%s: not an HDF5 file (or unreadable)", path);
    f->id = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f->id < 0)
        return sb_fail(err, SB_EIO, "%s: HDF5 could not open the file", path);
    return 0;
}

void sb_h5_close(sb_h5file *f)
{
    if (f->id >= 0)
        H5Fclose(f->id);
    f->id = H5I_INVALID_HID;
}

int sb_h5_exists(const sb_h5file *f, const char *name)
{
    /* H5Lexists needs every intermediate link to exist: walk the path. */
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", name);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (H5Lexists(f->id, buf, H5P_DEFAULT) <= 0)
                return 0;
            *p = c;
            if (c == '\0')
                break;
        }
    }
    return 1;
}

static int open_dataset(const sb_h5file *f, const char *name, hid_t *ds, sb_err *err)
{
    /* Set on every path: gcc -O3 cannot see that sb_fail returns non-zero, and warns that
     * callers may use *ds uninitialised (-Wmaybe-uninitialized) after a failure. */
    *ds = H5I_INVALID_HID;
    if (!sb_h5_exists(f, name))
        return sb_fail(err, SB_EINPUT, "%s: dataset %s is missing", f->path, name);
    *ds = H5Dopen2(f->id, name, H5P_DEFAULT);
    if (*ds < 0)
        return sb_fail(err, SB_EINPUT, "%s: %s is not a dataset", f->path, name);
    return 0;
}

static int dataset_shape(const sb_h5file *f, const char *name, hid_t ds, int want_rank, int *rank,
                         size_t dims[SB_H5_MAXRANK], size_t *count, sb_err *err)
{
    hid_t sp = H5Dget_space(ds);
    int r = H5Sget_simple_extent_ndims(sp);
    if (r < 0 || r > SB_H5_MAXRANK) {
        H5Sclose(sp);
        return sb_fail(err, SB_EINPUT, "%s: %s has an unsupported rank", f->path, name);
    }
    hsize_t d[SB_H5_MAXRANK];
    H5Sget_simple_extent_dims(sp, d, NULL);
    H5Sclose(sp);
    if (want_rank > 0 && r != want_rank) {
        char shape[128] = "";
        for (int i = 0; i < r; i++)
            snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%llu", i ? "x" : "",
                     (unsigned long long)d[i]);
        return sb_fail(err, SB_EINPUT, "%s: %s has shape (%s), expected %d dimensions", f->path,
                       name, r ? shape : "scalar", want_rank);
    }
    size_t c = 1;
    for (int i = 0; i < r; i++) {
        dims[i] = (size_t)d[i];
        c *= (size_t)d[i];
    }
    *rank = r;
    *count = c;
    return 0;
}

int sb_h5_shape(const sb_h5file *f, const char *name, int *rank, size_t dims[SB_H5_MAXRANK],
                sb_err *err)
{
    hid_t ds;
    size_t count;
    int rc = open_dataset(f, name, &ds, err);
    if (rc)
        return rc;
    rc = dataset_shape(f, name, ds, 0, rank, dims, &count, err);
    H5Dclose(ds);
    return rc;
}

static int check_numeric_class(const sb_h5file *f, const char *name, hid_t ds, int allow_float,
                               sb_err *err)
{
    hid_t t = H5Dget_type(ds);
    H5T_class_t cls = H5Tget_class(t);
    H5Tclose(t);
    if (cls == H5T_INTEGER || (allow_float && cls == H5T_FLOAT))
        return 0;
    return sb_fail(err, SB_EINPUT, "%s: %s has type %s, expected %s", f->path, name,
                   cls == H5T_FLOAT ? "float" : cls == H5T_STRING ? "string" : "non-numeric",
                   allow_float ? "numbers" : "integers");
}

/* Reads a numeric dataset (floats allowed only if allow_float) into malloc'd memory of type
 * mem_t, elem bytes an element; *count receives the number of elements. */
static int read_array(const sb_h5file *f, const char *name, int want_rank, size_t dims[SB_H5_MAXRANK],
                      hid_t mem_t, size_t elem, int allow_float, void **out, size_t *count, sb_err *err)
{
    *out = NULL;
    hid_t ds;
    int rank, rc = open_dataset(f, name, &ds, err);
    if (rc)
        return rc;
    if ((rc = dataset_shape(f, name, ds, want_rank, &rank, dims, count, err)) ||
        (rc = check_numeric_class(f, name, ds, allow_float, err))) {
        H5Dclose(ds);
        return rc;
    }
    void *a = sb_malloc(*count * elem, name, err);
    if (!a) {
        H5Dclose(ds);
        return SB_ENOMEM;
    }
    if (*count && H5Dread(ds, mem_t, H5S_ALL, H5S_ALL, H5P_DEFAULT, a) < 0) {
        free(a);
        H5Dclose(ds);
        return sb_fail(err, SB_EIO, "%s: could not read %s", f->path, name);
    }
    H5Dclose(ds);
    *out = a;
    return 0;
}

/* Reads a numeric dataset as double or float and rejects NaN/Inf, naming the first bad flat index. */
static int read_floats(const sb_h5file *f, const char *name, int want_rank, size_t dims[SB_H5_MAXRANK],
                       hid_t mem_t, size_t elem, void **out, sb_err *err)
{
    *out = NULL;
    size_t count;
    void *a;
    int rc = read_array(f, name, want_rank, dims, mem_t, elem, 1, &a, &count, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < count; i++) {
        double v = elem == sizeof(double) ? ((double *)a)[i] : (double)((float *)a)[i];
        if (!isfinite(v)) {
            free(a);
            return sb_fail(err, SB_EINPUT, "%s: %s holds %s at flat index %zu", f->path, name,
                           isnan(v) ? "NaN" : "Inf", i);
        }
    }
    *out = a;
    return 0;
}

int sb_h5_read_f64(const sb_h5file *f, const char *name, int want_rank, size_t dims[SB_H5_MAXRANK],
                   double **out, sb_err *err)
{
    void *a;
    int rc = read_floats(f, name, want_rank, dims, H5T_NATIVE_DOUBLE, sizeof(double), &a, err);
    *out = a;
    return rc;
}

int sb_h5_is_float32(const sb_h5file *f, const char *name)
{
    hid_t ds = H5Dopen2(f->id, name, H5P_DEFAULT);
    if (ds < 0)
        return 0;
    hid_t t = H5Dget_type(ds);
    int yes = H5Tget_class(t) == H5T_FLOAT && H5Tget_size(t) == 4;
    H5Tclose(t);
    H5Dclose(ds);
    return yes;
}

int sb_h5_read_f32(const sb_h5file *f, const char *name, int want_rank, size_t dims[SB_H5_MAXRANK],
                   float **out, sb_err *err)
{
    *out = NULL;
    if (!sb_h5_is_float32(f, name))
        return sb_fail(err, SB_EINPUT, "%s: %s is not stored as float32", f->path, name);
    void *a;
    int rc = read_floats(f, name, want_rank, dims, H5T_NATIVE_FLOAT, sizeof(float), &a, err);
    *out = a;
    return rc;
}

int sb_h5_read_i64(const sb_h5file *f, const char *name, int want_rank, size_t dims[SB_H5_MAXRANK],
                   int64_t **out, sb_err *err)
{
    size_t count;
    void *a;
    int rc = read_array(f, name, want_rank, dims, H5T_NATIVE_INT64, sizeof(int64_t), 0, &a, &count, err);
    *out = a;
    return rc;
}

void sb_h5_free_strings(char **s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

/* Reads n strings from a dataset or attribute whose type is t, via a memory type that
 * matches its variable/fixed nature. */
static int read_string_items(hid_t obj, int is_attr, hid_t t, size_t n, char ***out)
{
    char **res = calloc(n ? n : 1, sizeof *res);
    if (!res)
        return -1;
    int ok = 0;
    if (H5Tis_variable_str(t) > 0) {
        char **raw = calloc(n ? n : 1, sizeof *raw);
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5Tget_cset(t));
        if (raw && (is_attr ? H5Aread(obj, mt, raw) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw)) >= 0) {
            ok = 1;
            for (size_t i = 0; i < n; i++) {
                res[i] = strdup(raw[i] ? raw[i] : "");
                if (!res[i])
                    ok = 0;
            }
            hid_t sp = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
            H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
            H5Sclose(sp);
        }
        H5Tclose(mt);
        free(raw);
    } else {
        size_t w = H5Tget_size(t);
        char *raw = malloc(n * w + 1);
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, w);
        H5Tset_strpad(mt, H5T_STR_NULLPAD);
        if (raw && (is_attr ? H5Aread(obj, mt, raw) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw)) >= 0) {
            ok = 1;
            for (size_t i = 0; i < n; i++) {
                res[i] = malloc(w + 1);
                if (!res[i]) {
                    ok = 0;
                    continue;
                }
                memcpy(res[i], raw + i * w, w);
                res[i][w] = '\0';
            }
        }
        H5Tclose(mt);
        free(raw);
    }
    if (!ok) {
        sb_h5_free_strings(res, n);
        return -1;
    }
    *out = res;
    return 0;
}

int sb_h5_read_strings(const sb_h5file *f, const char *name, size_t *n, char ***out, sb_err *err)
{
    *out = NULL;
    *n = 0;
    hid_t ds;
    int rank, rc = open_dataset(f, name, &ds, err);
    size_t count, dims[SB_H5_MAXRANK];
    if (rc)
        return rc;
    if ((rc = dataset_shape(f, name, ds, 1, &rank, dims, &count, err))) {
        H5Dclose(ds);
        return rc;
    }
    hid_t t = H5Dget_type(ds);
    if (H5Tget_class(t) != H5T_STRING) {
        H5Tclose(t);
        H5Dclose(ds);
        return sb_fail(err, SB_EINPUT, "%s: %s must hold strings", f->path, name);
    }
    rc = read_string_items(ds, 0, t, count, out);
    H5Tclose(t);
    H5Dclose(ds);
    if (rc)
        return sb_fail(err, SB_EIO, "%s: could not read the strings of %s", f->path, name);
    *n = count;
    return 0;
}

typedef struct name_list {
    size_t n, cap;
    char **names;
    int oom;
} name_list;

static herr_t collect_name(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g;
    (void)info;
    name_list *l = data;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **nn = realloc(l->names, cap * sizeof *nn);
        if (!nn) {
            l->oom = 1;
            return -1;
        }
        l->names = nn;
        l->cap = cap;
    }
    if (!(l->names[l->n] = strdup(name))) {
        l->oom = 1;
        return -1;
    }
    l->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sb_h5_list_group(const sb_h5file *f, const char *group, size_t *n, char ***names, sb_err *err)
{
    *n = 0;
    *names = NULL;
    if (!sb_h5_exists(f, group))
        return sb_fail(err, SB_EINPUT, "%s: group %s is missing", f->path, group);
    hid_t g = H5Gopen2(f->id, group, H5P_DEFAULT);
    if (g < 0)
        return sb_fail(err, SB_EINPUT, "%s: %s is not a group", f->path, group);
    name_list l = {0};
    herr_t st = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, collect_name, &l);
    H5Gclose(g);
    if (st < 0 || l.oom) {
        sb_h5_free_strings(l.names, l.n);
        return sb_fail(err, SB_EIO, "%s: could not list group %s", f->path, group);
    }
    qsort(l.names, l.n, sizeof *l.names, cmp_str);
    *n = l.n;
    *names = l.names;
    return 0;
}

int sb_h5_attr_exists(const sb_h5file *f, const char *obj, const char *attr)
{
    if (strcmp(obj, "/") && !sb_h5_exists(f, obj))
        return 0;
    return H5Aexists_by_name(f->id, obj, attr, H5P_DEFAULT) > 0;
}

static int open_attr(const sb_h5file *f, const char *obj, const char *attr, hid_t *a, sb_err *err)
{
    if (!sb_h5_attr_exists(f, obj, attr))
        return sb_fail(err, SB_EINPUT, "%s: attribute '%s' of %s is missing", f->path, attr, obj);
    *a = H5Aopen_by_name(f->id, obj, attr, H5P_DEFAULT, H5P_DEFAULT);
    if (*a < 0)
        return sb_fail(err, SB_EIO, "%s: could not open attribute '%s' of %s", f->path, attr, obj);
    return 0;
}

static size_t attr_count(hid_t a, size_t dims[2], int *rank)
{
    hid_t sp = H5Aget_space(a);
    hsize_t d[SB_H5_MAXRANK] = {0};
    int r = H5Sget_simple_extent_ndims(sp);
    H5Sget_simple_extent_dims(sp, d, NULL);
    H5Sclose(sp);
    size_t c = 1;
    for (int i = 0; i < r; i++)
        c *= (size_t)d[i];
    if (dims) {
        dims[0] = r > 0 ? (size_t)d[0] : 1;
        dims[1] = r > 1 ? (size_t)d[1] : 1;
    }
    if (rank)
        *rank = r;
    return c;
}

int sb_h5_attr_i64(const sb_h5file *f, const char *obj, const char *attr, size_t *n,
                   int64_t **out, size_t dims[2], sb_err *err)
{
    *out = NULL;
    hid_t a;
    int rc = open_attr(f, obj, attr, &a, err), rank;
    if (rc)
        return rc;
    hid_t t = H5Aget_type(a);
    int is_int = H5Tget_class(t) == H5T_INTEGER;
    H5Tclose(t);
    if (!is_int) {
        H5Aclose(a);
        return sb_fail(err, SB_EINPUT, "%s: attribute '%s' of %s must hold integers", f->path,
                       attr, obj);
    }
    size_t c = attr_count(a, dims, &rank);
    int64_t *v = sb_malloc(c * sizeof *v, attr, err);
    if (!v || H5Aread(a, H5T_NATIVE_INT64, v) < 0) {
        free(v);
        H5Aclose(a);
        return sb_fail(err, SB_EIO, "%s: could not read attribute '%s' of %s", f->path, attr, obj);
    }
    H5Aclose(a);
    *n = c;
    *out = v;
    return 0;
}

int sb_h5_attr_f64(const sb_h5file *f, const char *obj, const char *attr, double *out, sb_err *err)
{
    hid_t a;
    int rc = open_attr(f, obj, attr, &a, err);
    if (rc)
        return rc;
    hid_t t = H5Aget_type(a);
    H5T_class_t cls = H5Tget_class(t);
    H5Tclose(t);
    size_t c = attr_count(a, NULL, NULL);
    if ((cls != H5T_INTEGER && cls != H5T_FLOAT) || c != 1) {
        H5Aclose(a);
        return sb_fail(err, SB_EINPUT, "%s: attribute '%s' of %s must be one number", f->path,
                       attr, obj);
    }
    herr_t st = H5Aread(a, H5T_NATIVE_DOUBLE, out);
    H5Aclose(a);
    if (st < 0)
        return sb_fail(err, SB_EIO, "%s: could not read attribute '%s' of %s", f->path, attr, obj);
    return 0;
}

int sb_h5_attr_strings(const sb_h5file *f, const char *obj, const char *attr, size_t *n,
                       char ***out, sb_err *err)
{
    *out = NULL;
    *n = 0;
    hid_t a;
    int rc = open_attr(f, obj, attr, &a, err);
    if (rc)
        return rc;
    hid_t t = H5Aget_type(a);
    if (H5Tget_class(t) != H5T_STRING) {
        H5Tclose(t);
        H5Aclose(a);
        return sb_fail(err, SB_EINPUT, "%s: attribute '%s' of %s must be a string", f->path, attr,
                       obj);
    }
    size_t c = attr_count(a, NULL, NULL);
    rc = read_string_items(a, 1, t, c, out);
    H5Tclose(t);
    H5Aclose(a);
    if (rc)
        return sb_fail(err, SB_EIO, "%s: could not read attribute '%s' of %s", f->path, attr, obj);
    *n = c;
    return 0;
}

int sb_h5_attr_string(const sb_h5file *f, const char *obj, const char *attr, char *out, size_t cap,
                      sb_err *err)
{
    size_t n;
    char **s;
    int rc = sb_h5_attr_strings(f, obj, attr, &n, &s, err);
    if (rc)
        return rc;
    if (n != 1) {
        sb_h5_free_strings(s, n);
        return sb_fail(err, SB_EINPUT, "%s: attribute '%s' of %s must be one string", f->path,
                       attr, obj);
    }
    snprintf(out, cap, "%s", s[0]);
    sb_h5_free_strings(s, n);
    return 0;
}
