#include "io/h5read.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/input_file.h"

void sb_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

const char *sb_h5_printable(const char *s, char *buf, size_t cap)
{
    size_t k = 0;
    for (; s[k] && k + 1 < cap; k++)
        buf[k] = (unsigned char)s[k] < 0x20 || s[k] == 0x7f ? '?' : s[k];
    buf[k] = '\0';
    return buf;
}

int sb_h5_open(sb_h5file *f, const char *path, sb_err *err)
{
    snprintf(f->path, sizeof f->path, "%s", path);
    f->id = H5I_INVALID_HID;
    /* Before any open: fopen or H5Fopen on a FIFO would block forever. */
    int rc = sb_input_check(path, err);
    if (rc == SB_EIO && err) { /* stat failed: "<path>: cannot open: <reason>" */
        size_t k = strlen(path);
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", strncmp(err->msg, path, k) ? err->msg : err->msg + k + 2);
        return sb_fail(err, SB_EIO, "%s: cannot open: %s", path, why);
    }
    if (rc)
        return rc;
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
    if (name[0] != '/' || strlen(name) >= sizeof buf)
        return 0;
    snprintf(buf, sizeof buf, "%s", name);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (p > buf + 1 && H5Lexists(f->id, buf, H5P_DEFAULT) <= 0)
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

static void format_shape(int rank, const hsize_t *d, char *out, size_t cap)
{
    snprintf(out, cap, "%s", rank ? "" : "scalar");
    for (int i = 0; i < rank; i++) {
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%llu", i ? "x" : "", (unsigned long long)d[i]);
    }
}

int sb_h5_array_size(const char *path, const char *name, int rank, const hsize_t *dims, size_t elem,
                     size_t *count, size_t *bytes, sb_err *err)
{
    *count = *bytes = 0;
    uint64_t c = 1;
    int over = rank < 0 || rank > SB_H5_MAXRANK || elem == 0;
    for (int i = 0; i < rank && !over; i++)
        if (dims[i] == 0)
            return 0; /* no element, whatever the other axes declare */
    for (int i = 0; i < rank && !over; i++) {
        if (dims[i] && c > UINT64_MAX / dims[i])
            over = 1;
        else
            c *= dims[i];
    }
    if (!over && c && (c > SIZE_MAX / elem || c > SB_H5_MAX_BYTES / elem))
        over = 1;
    if (over) {
        char shape[256];
        format_shape(rank > 0 && rank <= SB_H5_MAXRANK ? rank : 0, dims, shape, sizeof shape);
        return sb_fail(err, SB_EINPUT,
                       "%s: %s declares shape (%s) of %zu-byte elements: more than the %llu bytes an array may "
                       "hold", path, name, shape, elem, (unsigned long long)SB_H5_MAX_BYTES);
    }
    *count = (size_t)c;
    *bytes = (size_t)c * elem;
    return 0;
}

/* Rank, dims and checked size of the dataspace sp of object name (elem bytes an element). A null
 * dataspace (no elements, not even a scalar's one) is refused: no reader has a use for it. */
static int space_shape(const sb_h5file *f, const char *name, hid_t sp, size_t elem, int *rank,
                       hsize_t d[SB_H5_MAXRANK], size_t *count, size_t *bytes, sb_err *err)
{
    H5S_class_t cls = H5Sget_simple_extent_type(sp);
    int r = H5Sget_simple_extent_ndims(sp);
    if (cls == H5S_NULL)
        return sb_fail(err, SB_EINPUT, "%s: %s has no elements (a null dataspace)", f->path, name);
    if (cls == H5S_NO_CLASS || r < 0 || r > SB_H5_MAXRANK)
        return sb_fail(err, SB_EINPUT, "%s: %s has an unsupported rank (%d; at most %d)", f->path, name, r,
                       SB_H5_MAXRANK);
    if (r > 0 && H5Sget_simple_extent_dims(sp, d, NULL) < 0)
        return sb_fail(err, SB_EIO, "%s: could not read the shape of %s", f->path, name);
    *rank = r;
    return sb_h5_array_size(f->path, name, r, d, elem, count, bytes, err);
}

static int dataset_shape(const sb_h5file *f, const char *name, hid_t ds, int want_rank, size_t elem, int *rank,
                         size_t dims[SB_H5_MAXRANK], size_t *count, size_t *bytes, sb_err *err)
{
    hsize_t d[SB_H5_MAXRANK];
    hid_t sp = H5Dget_space(ds);
    if (sp < 0)
        return sb_fail(err, SB_EIO, "%s: could not read the shape of %s", f->path, name);
    int r, rc = space_shape(f, name, sp, elem, &r, d, count, bytes, err);
    H5Sclose(sp);
    if (rc)
        return rc;
    if (want_rank > 0 && r != want_rank) {
        char shape[256];
        format_shape(r, d, shape, sizeof shape);
        return sb_fail(err, SB_EINPUT, "%s: %s has shape (%s), expected %d dimensions", f->path, name, shape,
                       want_rank);
    }
    for (int i = 0; i < r; i++)
        dims[i] = (size_t)d[i];
    *rank = r;
    return 0;
}

int sb_h5_shape(const sb_h5file *f, const char *name, int *rank, size_t dims[SB_H5_MAXRANK],
                sb_err *err)
{
    hid_t ds;
    size_t count, bytes;
    int rc = open_dataset(f, name, &ds, err);
    if (rc)
        return rc;
    rc = dataset_shape(f, name, ds, 0, 1, rank, dims, &count, &bytes, err);
    H5Dclose(ds);
    return rc;
}

/* allow: READ_FLOAT accepts float types, READ_ENUM integer-based enums (h5py's bool). */
enum { READ_FLOAT = 1, READ_ENUM = 2 };

static int check_numeric_class(const sb_h5file *f, const char *name, hid_t ds, int allow, sb_err *err)
{
    hid_t t = H5Dget_type(ds);
    H5T_class_t cls = H5Tget_class(t), base = H5T_NO_CLASS;
    if (cls == H5T_ENUM) {
        hid_t b = H5Tget_super(t);
        base = b < 0 ? H5T_NO_CLASS : H5Tget_class(b);
        if (b >= 0)
            H5Tclose(b);
    }
    H5Tclose(t);
    int allow_float = (allow & READ_FLOAT) != 0;
    if (cls == H5T_INTEGER || (allow_float && cls == H5T_FLOAT) ||
        ((allow & READ_ENUM) && cls == H5T_ENUM && base == H5T_INTEGER))
        return 0;
    return sb_fail(err, SB_EINPUT, "%s: %s has type %s, expected %s", f->path, name,
                   cls == H5T_FLOAT ? "float" : cls == H5T_STRING ? "string" : "non-numeric",
                   allow_float ? "numbers" : (allow & READ_ENUM) ? "integers or booleans" : "integers");
}

/* Data in other files (external storage, virtual datasets) is refused: HDF5 would open paths
 * the file names, which may be FIFOs or anything else, outside sb_input_check. */
static int check_layout(const sb_h5file *f, const char *name, hid_t dcpl, H5D_layout_t *layout, sb_err *err)
{
    *layout = H5Pget_layout(dcpl);
    if (*layout != H5D_COMPACT && *layout != H5D_CONTIGUOUS && *layout != H5D_CHUNKED)
        return sb_fail(err, SB_EINPUT, "%s: %s is a %s dataset; only compact, contiguous or chunked ones are read",
                       f->path, name, *layout == H5D_VIRTUAL ? "virtual" : "non-standard");
    if (H5Pget_external_count(dcpl) != 0)
        return sb_fail(err, SB_EINPUT, "%s: %s keeps its data in external files, which are not read", f->path, name);
    return 0;
}

/* Chunks a fully written chunked dataset of this shape has. */
static hsize_t chunks_needed(hid_t dcpl, int rank, const hsize_t *d)
{
    hsize_t c[SB_H5_MAXRANK], n = 1;
    if (H5Pget_chunk(dcpl, rank, c) != rank)
        return 0;
    for (int i = 0; i < rank; i++)
        n *= c[i] ? (d[i] + c[i] - 1) / c[i] : 0; /* ≤ the element count, which did not overflow */
    return n;
}

/* Unwritten storage reads back as fill values: numbers nobody wrote, and the way a tiny file
 * declares a huge array. A dataset with elements must have all its storage written. */
static int check_written(const sb_h5file *f, const char *name, hid_t ds, size_t count, sb_err *err)
{
    hid_t dcpl = H5Dget_create_plist(ds), sp = H5Dget_space(ds);
    H5D_layout_t layout = H5D_LAYOUT_ERROR;
    H5D_space_status_t st;
    hsize_t d[SB_H5_MAXRANK], have = 0, need = 0, size = 0;
    int rank = H5Sget_simple_extent_ndims(sp);
    int rc = dcpl < 0 || sp < 0 || rank < 0 || rank > SB_H5_MAXRANK
                 ? sb_fail(err, SB_EIO, "%s: could not read the layout of %s", f->path, name)
                 : check_layout(f, name, dcpl, &layout, err);
    if (!rc && count && H5Dget_space_status(ds, &st) >= 0 && st == H5D_SPACE_STATUS_NOT_ALLOCATED)
        rc = sb_fail(err, SB_EINPUT, "%s: %s was never written (declared with %zu elements, no data stored)", f->path,
                     name, count);
    if (!rc && count && layout == H5D_CONTIGUOUS && H5Fget_filesize(f->id, &size) >= 0 &&
        H5Dget_storage_size(ds) > size)
        rc = sb_fail(err, SB_EINPUT, "%s: %s declares %llu bytes of data, more than the file's %llu", f->path, name,
                     (unsigned long long)H5Dget_storage_size(ds), (unsigned long long)size);
    if (!rc && count && layout == H5D_CHUNKED) {
        H5Sget_simple_extent_dims(sp, d, NULL);
        need = chunks_needed(dcpl, rank, d);
        if (H5Dget_num_chunks(ds, sp, &have) < 0)
            rc = sb_fail(err, SB_EIO, "%s: could not count the chunks of %s", f->path, name);
        else if (have < need)
            rc = sb_fail(err, SB_EINPUT, "%s: %s is only partly written (%llu of %llu chunks stored)", f->path, name,
                         (unsigned long long)have, (unsigned long long)need);
    }
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (sp >= 0)
        H5Sclose(sp);
    return rc;
}

/* Checks an open dataset before a full read: shape (want_rank; size at elem bytes an element)
 * and storage all written. */
static int check_for_read(const sb_h5file *f, const char *name, hid_t ds, int want_rank, size_t elem,
                          size_t dims[SB_H5_MAXRANK], size_t *count, size_t *bytes, sb_err *err)
{
    int rank, rc = dataset_shape(f, name, ds, want_rank, elem, &rank, dims, count, bytes, err);
    return rc ? rc : check_written(f, name, ds, *count, err);
}

/* Reads a numeric dataset (classes beyond integers as allowed by allow) into malloc'd memory of type
 * mem_t, elem bytes an element; *count receives the number of elements. */
static int read_array(const sb_h5file *f, const char *name, int want_rank, size_t dims[SB_H5_MAXRANK],
                      hid_t mem_t, size_t elem, int allow, void **out, size_t *count, sb_err *err)
{
    *out = NULL;
    hid_t ds;
    size_t bytes;
    int rc = open_dataset(f, name, &ds, err);
    if (rc)
        return rc;
    if ((rc = check_numeric_class(f, name, ds, allow, err)) ||
        (rc = check_for_read(f, name, ds, want_rank, elem, dims, count, &bytes, err))) {
        H5Dclose(ds);
        return rc;
    }
    void *a = sb_malloc(bytes, name, err);
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

/* "[17, 5]": flat index i as the element's indices in a dataset of the given shape. */
static void index_text(size_t i, int rank, const size_t *dims, char *out, size_t cap)
{
    size_t idx[SB_H5_MAXRANK];
    for (int r = rank - 1; r >= 0; r--) {
        idx[r] = dims[r] ? i % dims[r] : 0;
        i = dims[r] ? i / dims[r] : 0;
    }
    size_t len = (size_t)snprintf(out, cap, "[");
    for (int r = 0; r < rank && len < cap; r++)
        len += (size_t)snprintf(out + len, cap - len, "%s%zu", r ? ", " : "", idx[r]);
    if (len < cap)
        snprintf(out + len, cap - len, "]");
}

/* Reads a numeric dataset as double or float and rejects NaN/Inf, naming the first bad element. */
static int read_floats(const sb_h5file *f, const char *name, int want_rank, size_t dims[SB_H5_MAXRANK],
                       hid_t mem_t, size_t elem, void **out, sb_err *err)
{
    *out = NULL;
    size_t count;
    void *a;
    int rc = read_array(f, name, want_rank, dims, mem_t, elem, READ_FLOAT, &a, &count, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < count; i++) {
        double v = elem == sizeof(double) ? ((double *)a)[i] : (double)((float *)a)[i];
        if (!isfinite(v)) {
            free(a);
            char at[200];
            index_text(i, want_rank, dims, at, sizeof at);
            return sb_fail(err, SB_EINPUT, "%s: %s%s holds %s", f->path, name, at, isnan(v) ? "NaN" : "Inf");
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

int sb_h5_read_f64_slice(const sb_h5file *f, const char *name, int want_rank, size_t dims[SB_H5_MAXRANK],
                         int axis, size_t index, double **out, sb_err *err)
{
    *out = NULL;
    hid_t ds;
    size_t count, bytes;
    int rc = open_dataset(f, name, &ds, err);
    if (rc)
        return rc;
    if ((rc = check_numeric_class(f, name, ds, 1, err)) ||
        (rc = check_for_read(f, name, ds, want_rank, sizeof(double), dims, &count, &bytes, err))) {
        H5Dclose(ds);
        return rc;
    }
    if (axis < 0 || axis >= want_rank || index >= dims[axis]) {
        H5Dclose(ds);
        return sb_fail(err, SB_EINPUT, "%s: %s has no index %zu along axis %d", f->path, name, index, axis);
    }
    hsize_t start[SB_H5_MAXRANK], cnt[SB_H5_MAXRANK], n = 1;
    for (int r = 0; r < want_rank; r++) {
        start[r] = r == axis ? index : 0;
        cnt[r] = r == axis ? 1 : dims[r];
        n *= cnt[r];
    }
    double *a = sb_malloc((n ? n : 1) * sizeof *a, name, err);
    if (!a) {
        H5Dclose(ds);
        return SB_ENOMEM;
    }
    hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(1, &n, NULL);
    int bad = fs < 0 || ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL) < 0 ||
              (n && H5Dread(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, a) < 0);
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    H5Dclose(ds);
    if (bad) {
        free(a);
        return sb_fail(err, SB_EIO, "%s: could not read %s at index %zu of axis %d", f->path, name, index, axis);
    }
    *out = a;
    return 0;
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

int sb_h5_read_flags(const sb_h5file *f, const char *name, int want_rank, size_t dims[SB_H5_MAXRANK],
                     int64_t **out, sb_err *err)
{
    size_t count;
    void *a;
    int rc = read_array(f, name, want_rank, dims, H5T_NATIVE_INT64, sizeof(int64_t), READ_ENUM, &a, &count, err);
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

/* Bytes one string element takes while read (the raw element and its own copy): what the size
 * check multiplies by the count. */
static size_t string_elem_size(hid_t t)
{
    if (H5Tis_variable_str(t) > 0)
        return 2 * sizeof(char *);
    size_t w = H5Tget_size(t);
    return w ? w + 1 + sizeof(char *) : 0;
}

/* Reads n strings from a dataset or attribute whose type is t, via a memory type that
 * matches its variable/fixed nature. n × string_elem_size(t) was checked by the caller. */
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
    int rc = open_dataset(f, name, &ds, err);
    size_t count, bytes, dims[SB_H5_MAXRANK];
    if (rc)
        return rc;
    hid_t t = H5Dget_type(ds);
    if (H5Tget_class(t) != H5T_STRING)
        rc = sb_fail(err, SB_EINPUT, "%s: %s must hold strings", f->path, name);
    if (!rc)
        rc = check_for_read(f, name, ds, 1, string_elem_size(t), dims, &count, &bytes, err);
    if (!rc && read_string_items(ds, 0, t, count, out))
        rc = sb_fail(err, SB_EIO, "%s: could not read the strings of %s", f->path, name);
    H5Tclose(t);
    H5Dclose(ds);
    if (!rc)
        *n = count;
    return rc;
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
    for (size_t i = 0; i < l.n && !st && !l.oom; i++) {
        char shown[200];
        if (strcmp(sb_h5_printable(l.names[i], shown, sizeof shown), l.names[i])) {
            /* Member names become unit keys, CSV cells and error messages: one line each. */
            int rc = sb_fail(err, SB_EINPUT, "%s: %s has a member named '%s' with a control character (shown as ?)",
                             f->path, group, shown);
            sb_h5_free_strings(l.names, l.n);
            return rc;
        }
    }
    if (l.n) /* an empty group leaves names NULL, which qsort may not be given */
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
    *a = H5I_INVALID_HID; /* set on every path (gcc -O3 cannot see it otherwise) */
    if (!sb_h5_attr_exists(f, obj, attr))
        return sb_fail(err, SB_EINPUT, "%s: attribute '%s' of %s is missing", f->path, attr, obj);
    *a = H5Aopen_by_name(f->id, obj, attr, H5P_DEFAULT, H5P_DEFAULT);
    if (*a < 0)
        return sb_fail(err, SB_EIO, "%s: could not open attribute '%s' of %s", f->path, attr, obj);
    return 0;
}

/* Shape of an open attribute, its size checked at elem bytes an element; at most max_rank
 * dimensions. dims (if not NULL) receives the first two, 1 for a missing one. */
static int attr_shape(const sb_h5file *f, const char *obj, const char *attr, hid_t a, size_t elem, int max_rank,
                      size_t *count, size_t dims[2], sb_err *err)
{
    char what[600];
    snprintf(what, sizeof what, "attribute '%s' of %s", attr, obj);
    hsize_t d[SB_H5_MAXRANK];
    size_t bytes;
    int r = 0;
    hid_t sp = H5Aget_space(a);
    int rc = sp < 0 ? sb_fail(err, SB_EIO, "%s: could not read the shape of %s", f->path, what)
                    : space_shape(f, what, sp, elem, &r, d, count, &bytes, err);
    if (sp >= 0)
        H5Sclose(sp);
    if (!rc && r > max_rank)
        rc = sb_fail(err, SB_EINPUT, "%s: %s has %d dimensions, at most %d expected", f->path, what, r, max_rank);
    if (!rc && dims) {
        dims[0] = r > 0 ? (size_t)d[0] : 1;
        dims[1] = r > 1 ? (size_t)d[1] : 1;
    }
    return rc;
}

int sb_h5_attr_i64(const sb_h5file *f, const char *obj, const char *attr, size_t *n,
                   int64_t **out, size_t dims[2], sb_err *err)
{
    *out = NULL;
    *n = 0;
    hid_t a = H5I_INVALID_HID;
    int rc = open_attr(f, obj, attr, &a, err);
    if (rc)
        return rc;
    hid_t t = H5Aget_type(a);
    int is_int = H5Tget_class(t) == H5T_INTEGER;
    H5Tclose(t);
    size_t c = 0;
    if (!is_int)
        rc = sb_fail(err, SB_EINPUT, "%s: attribute '%s' of %s must hold integers", f->path, attr, obj);
    if (!rc)
        rc = attr_shape(f, obj, attr, a, sizeof(int64_t), 2, &c, dims, err);
    int64_t *v = rc ? NULL : sb_malloc(c * sizeof *v, attr, err);
    if (!rc && !v)
        rc = SB_ENOMEM;
    if (!rc && c && H5Aread(a, H5T_NATIVE_INT64, v) < 0)
        rc = sb_fail(err, SB_EIO, "%s: could not read attribute '%s' of %s", f->path, attr, obj);
    H5Aclose(a);
    if (rc) {
        free(v);
        return rc;
    }
    *n = c;
    *out = v;
    return 0;
}

int sb_h5_attr_f64(const sb_h5file *f, const char *obj, const char *attr, double *out, sb_err *err)
{
    hid_t a = H5I_INVALID_HID;
    int rc = open_attr(f, obj, attr, &a, err);
    if (rc)
        return rc;
    hid_t t = H5Aget_type(a);
    H5T_class_t cls = H5Tget_class(t);
    H5Tclose(t);
    size_t c = 0;
    if (cls == H5T_INTEGER || cls == H5T_FLOAT)
        rc = attr_shape(f, obj, attr, a, sizeof(double), SB_H5_MAXRANK, &c, NULL, err);
    if (!rc && c != 1)
        rc = sb_fail(err, SB_EINPUT, "%s: attribute '%s' of %s must be one number", f->path, attr, obj);
    if (!rc && H5Aread(a, H5T_NATIVE_DOUBLE, out) < 0)
        rc = sb_fail(err, SB_EIO, "%s: could not read attribute '%s' of %s", f->path, attr, obj);
    H5Aclose(a);
    return rc;
}

int sb_h5_attr_strings(const sb_h5file *f, const char *obj, const char *attr, size_t *n,
                       char ***out, sb_err *err)
{
    *out = NULL;
    *n = 0;
    hid_t a = H5I_INVALID_HID;
    int rc = open_attr(f, obj, attr, &a, err);
    if (rc)
        return rc;
    hid_t t = H5Aget_type(a);
    size_t c = 0;
    if (H5Tget_class(t) != H5T_STRING)
        rc = sb_fail(err, SB_EINPUT, "%s: attribute '%s' of %s must be a string", f->path, attr, obj);
    if (!rc)
        rc = attr_shape(f, obj, attr, a, string_elem_size(t), SB_H5_MAXRANK, &c, NULL, err);
    if (!rc && read_string_items(a, 1, t, c, out))
        rc = sb_fail(err, SB_EIO, "%s: could not read attribute '%s' of %s", f->path, attr, obj);
    H5Tclose(t);
    H5Aclose(a);
    if (!rc)
        *n = c;
    return rc;
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

int sb_h5_rows_open(const sb_h5file *f, const char *name, int want_rank, int allow_float, sb_h5_rows *r,
                    sb_err *err)
{
    memset(r, 0, sizeof *r);
    r->f = f;
    r->ds = r->space = H5I_INVALID_HID;
    snprintf(r->name, sizeof r->name, "%s", name);
    size_t count, bytes;
    int rc = open_dataset(f, name, &r->ds, err);
    hid_t t = rc ? H5I_INVALID_HID : H5Dget_type(r->ds);
    if (!rc && t < 0)
        rc = sb_fail(err, SB_EIO, "%s: could not read the type of %s", f->path, name);
    if (!rc) {
        r->is_float = H5Tget_class(t) == H5T_FLOAT;
        r->type_size = H5Tget_size(t);
        rc = check_numeric_class(f, name, r->ds, allow_float, err);
    }
    if (t >= 0)
        H5Tclose(t);
    if (!rc)
        rc = check_for_read(f, name, r->ds, want_rank, 1, r->dims, &count, &bytes, err);
    if (!rc && want_rank < 1)
        rc = sb_fail(err, SB_EINPUT, "%s: %s is a scalar; rows expected", f->path, name);
    if (!rc && (r->space = H5Dget_space(r->ds)) < 0)
        rc = sb_fail(err, SB_EIO, "%s: could not read the shape of %s", f->path, name);
    if (rc) {
        sb_h5_rows_close(r);
        return rc;
    }
    r->rank = want_rank;
    r->row_elems = 1;
    for (int i = 1; i < r->rank; i++)
        r->row_elems *= r->dims[i];
    return 0;
}

void sb_h5_rows_close(sb_h5_rows *r)
{
    if (r->space >= 0)
        H5Sclose(r->space);
    if (r->ds >= 0)
        H5Dclose(r->ds);
    r->space = r->ds = H5I_INVALID_HID;
}

float sb_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 0x1f, m = h & 0x3ff, bits;
    if (e == 0x1f)
        bits = sign | 0x7f800000u | (m << 13); /* Inf, NaN (payload kept) */
    else if (e)
        bits = sign | ((e + 112) << 23) | (m << 13);
    else if (!m)
        bits = sign;
    else { /* subnormal half: normal as a float */
        e = 113;
        while (!(m & 0x400)) {
            m <<= 1;
            e--;
        }
        bits = sign | (e << 23) | ((m & 0x3ff) << 13);
    }
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* 1 if t is IEEE binary16 in this machine's byte order: bytes we can widen ourselves. */
static int is_native_half(hid_t t)
{
    size_t spos, epos, esize, mpos, msize;
    return H5Tget_class(t) == H5T_FLOAT && H5Tget_size(t) == 2 && H5Tget_order(t) == H5Tget_order(H5T_NATIVE_FLOAT) &&
           H5Tget_fields(t, &spos, &epos, &esize, &mpos, &msize) >= 0 && spos == 15 && epos == 10 && esize == 5 &&
           mpos == 0 && msize == 10 && H5Tget_ebias(t) == 15;
}

/* Reads rows into out with memory type mem_t (mem_t < 0: the file's own type, no conversion). */
static int read_rows(sb_h5_rows *r, size_t first, size_t n, hid_t mem_t, void *out, sb_err *err)
{
    if (first > r->dims[0] || n > r->dims[0] - first)
        return sb_fail(err, SB_EINPUT, "%s: rows %zu..%zu of %s are past its %zu rows", r->f->path, first,
                       first + n, r->name, r->dims[0]);
    if (!n || !r->row_elems)
        return 0;
    hsize_t start[SB_H5_MAXRANK] = {0}, count[SB_H5_MAXRANK];
    for (int i = 0; i < r->rank; i++)
        count[i] = r->dims[i];
    start[0] = first;
    count[0] = n;
    hsize_t m = (hsize_t)(n * r->row_elems);
    hid_t ms = H5Screate_simple(1, &m, NULL), ft = mem_t < 0 ? H5Dget_type(r->ds) : mem_t;
    int rc = 0;
    if (ms < 0 || ft < 0 || H5Sselect_hyperslab(r->space, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
        H5Dread(r->ds, ft, ms, r->space, H5P_DEFAULT, out) < 0)
        rc = sb_fail(err, SB_EIO, "%s: could not read rows %zu..%zu of %s", r->f->path, first, first + n - 1,
                     r->name);
    if (ms >= 0)
        H5Sclose(ms);
    if (mem_t < 0 && ft >= 0)
        H5Tclose(ft);
    return rc;
}

int sb_h5_rows_f32(sb_h5_rows *r, size_t first, size_t n, float *out, sb_err *err)
{
    size_t total = n * r->row_elems;
    hid_t t = H5Dget_type(r->ds);
    int half = t >= 0 && is_native_half(t), rc;
    if (t >= 0)
        H5Tclose(t);
    if (half) {
        /* Widen in place from the back: element i's 2 bytes sit below float i's 4. */
        rc = read_rows(r, first, n, -1, out, err);
        const unsigned char *bytes = (const unsigned char *)out;
        for (size_t i = total; !rc && i-- > 0;) {
            uint16_t h; /* memcpy: the same bytes are read as halves and written as floats */
            memcpy(&h, bytes + 2 * i, sizeof h);
            out[i] = sb_half_to_float(h);
        }
    } else
        rc = read_rows(r, first, n, H5T_NATIVE_FLOAT, out, err);
    for (size_t i = 0; i < total && !rc; i++)
        if (!isfinite(out[i])) {
            size_t dims[SB_H5_MAXRANK];
            memcpy(dims, r->dims, sizeof dims);
            char at[200];
            index_text(first * r->row_elems + i, r->rank, dims, at, sizeof at);
            rc = sb_fail(err, SB_EINPUT, "%s: %s%s holds %s", r->f->path, r->name, at, isnan(out[i]) ? "NaN" : "Inf");
        }
    return rc;
}

int sb_h5_rows_i64(sb_h5_rows *r, size_t first, size_t n, int64_t *out, sb_err *err)
{
    if (r->is_float)
        return sb_fail(err, SB_EINPUT, "%s: %s has type float, expected integers", r->f->path, r->name);
    return read_rows(r, first, n, H5T_NATIVE_INT64, out, err);
}
