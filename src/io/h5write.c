#include "io/h5write.h"

#include <stdio.h>
#include <string.h>

#include "store/h5_image.h"

int sb_h5w_create(sb_h5w *w, const char *path, sb_err *err)
{
    memset(w, 0, sizeof *w);
    snprintf(w->path, sizeof w->path, "%s", path);
    w->id = sb_h5_image_create(path, err);
    return w->id < 0 ? SB_EIO : 0;
}

int sb_h5w_close(sb_h5w *w, int commit, sb_err *err)
{
    if (w->id < 0)
        return commit ? sb_fail(err, SB_EIO, "%s: was never created", w->path) : 0;
    int bad = w->bad;
    int rc = sb_h5_image_close(w->id, w->path, commit && !bad, err);
    w->id = H5I_INVALID_HID;
    if (commit && bad)
        return sb_fail(err, SB_EIO, "%s: HDF5 could not write a dataset or attribute (in memory)", w->path);
    return rc;
}

void sb_h5w_group(sb_h5w *w, const char *name)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", name);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (H5Lexists(w->id, buf, H5P_DEFAULT) <= 0) {
                hid_t g = H5Gcreate2(w->id, buf, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
                if (g < 0)
                    w->bad = 1;
                else
                    H5Gclose(g);
            }
            *p = c;
            if (!c)
                break;
        }
    }
}

static void write_array(sb_h5w *w, const char *name, hid_t file_t, hid_t mem_t, int rank,
                        const size_t *dims, const void *data)
{
    hsize_t d[8];
    for (int i = 0; i < rank && i < 8; i++)
        d[i] = dims[i];
    hid_t sp = H5Screate_simple(rank, d, NULL);
    hid_t ds = H5Dcreate2(w->id, name, file_t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (ds < 0 || H5Dwrite(ds, mem_t, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        w->bad = 1;
    if (ds >= 0)
        H5Dclose(ds);
    H5Sclose(sp);
}

void sb_h5w_f64(sb_h5w *w, const char *name, int rank, const size_t *dims, const double *data)
{
    write_array(w, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims, data);
}

void sb_h5w_f32(sb_h5w *w, const char *name, int rank, const size_t *dims, const float *data)
{
    write_array(w, name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, rank, dims, data);
}

void sb_h5w_i8(sb_h5w *w, const char *name, int rank, const size_t *dims, const int8_t *data)
{
    write_array(w, name, H5T_STD_I8LE, H5T_NATIVE_INT8, rank, dims, data);
}

void sb_h5w_f16(sb_h5w *w, const char *name, int rank, const size_t *dims, const float *data)
{
    /* HDF5 1.10 has no predefined half type: h5py builds this one from IEEE float32. */
    hid_t t = H5Tcopy(H5T_IEEE_F32LE);
    if (t < 0 || H5Tset_fields(t, 15, 10, 5, 0, 10) < 0 || H5Tset_size(t, 2) < 0 || H5Tset_ebias(t, 15) < 0) {
        w->bad = 1;
    } else
        write_array(w, name, t, H5T_NATIVE_FLOAT, rank, dims, data);
    if (t >= 0)
        H5Tclose(t);
}

void sb_h5w_i32(sb_h5w *w, const char *name, int rank, const size_t *dims, const int32_t *data)
{
    write_array(w, name, H5T_STD_I32LE, H5T_NATIVE_INT32, rank, dims, data);
}

void sb_h5w_i64(sb_h5w *w, const char *name, int rank, const size_t *dims, const int64_t *data)
{
    write_array(w, name, H5T_STD_I64LE, H5T_NATIVE_INT64, rank, dims, data);
}

static hid_t vlen_utf8(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

void sb_h5w_strings(sb_h5w *w, const char *name, size_t n, const char *const *s)
{
    hid_t t = vlen_utf8();
    hsize_t d = n;
    hid_t sp = H5Screate_simple(1, &d, NULL);
    hid_t ds = H5Dcreate2(w->id, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (ds < 0 || (n && H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) < 0))
        w->bad = 1;
    if (ds >= 0)
        H5Dclose(ds);
    H5Sclose(sp);
    H5Tclose(t);
}

static void write_attr(sb_h5w *w, const char *obj, const char *attr, hid_t file_t, hid_t mem_t,
                       hid_t sp, const void *data)
{
    hid_t a = H5Acreate_by_name(w->id, obj, attr, file_t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0 || H5Awrite(a, mem_t, data) < 0)
        w->bad = 1;
    if (a >= 0)
        H5Aclose(a);
}

void sb_h5w_attr_i64(sb_h5w *w, const char *obj, const char *attr, int rank, const size_t *dims,
                     const int64_t *data)
{
    hsize_t d[2] = {rank > 0 ? dims[0] : 1, rank > 1 ? dims[1] : 1};
    hid_t sp = rank ? H5Screate_simple(rank, d, NULL) : H5Screate(H5S_SCALAR);
    write_attr(w, obj, attr, H5T_STD_I64LE, H5T_NATIVE_INT64, sp, data);
    H5Sclose(sp);
}

void sb_h5w_attr_f64(sb_h5w *w, const char *obj, const char *attr, double v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    write_attr(w, obj, attr, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, sp, &v);
    H5Sclose(sp);
}

void sb_h5w_attr_str(sb_h5w *w, const char *obj, const char *attr, const char *value)
{
    hid_t t = vlen_utf8();
    hid_t sp = H5Screate(H5S_SCALAR);
    write_attr(w, obj, attr, t, t, sp, &value);
    H5Sclose(sp);
    H5Tclose(t);
}

void sb_h5w_attr_strings(sb_h5w *w, const char *obj, const char *attr, size_t n, const char *const *s)
{
    hid_t t = vlen_utf8();
    hsize_t d = n;
    hid_t sp = H5Screate_simple(1, &d, NULL);
    write_attr(w, obj, attr, t, t, sp, s);
    H5Sclose(sp);
    H5Tclose(t);
}
