/* h5write.h — writing the input layouts (generators, converters) as h5py would.
 *
 * The file is built in memory (store/h5_image.h says why) and written atomically by
 * sb_h5w_close, so a generator that fails half-way leaves nothing behind; the file's
 * size is held in memory until then (twice at the end). */
#ifndef SB_H5WRITE_H
#define SB_H5WRITE_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct sb_h5w {
    hid_t id;
    char path[1024];
    int bad;   /* set by any failed write; reported by close */
} sb_h5w;

int sb_h5w_create(sb_h5w *w, const char *path, sb_err *err);
/* Closes and renames into place (commit = 1) or removes the temporary file. */
int sb_h5w_close(sb_h5w *w, int commit, sb_err *err);

/* Creates the group and its parents ("/a/b/c"). */
void sb_h5w_group(sb_h5w *w, const char *name);
void sb_h5w_f64(sb_h5w *w, const char *name, int rank, const size_t *dims, const double *data);
void sb_h5w_f32(sb_h5w *w, const char *name, int rank, const size_t *dims, const float *data);
void sb_h5w_i8(sb_h5w *w, const char *name, int rank, const size_t *dims, const int8_t *data);
/* Stored as IEEE binary16 (numpy's float16, the type h5py writes), rounded by HDF5 from data. */
void sb_h5w_f16(sb_h5w *w, const char *name, int rank, const size_t *dims, const float *data);
void sb_h5w_i32(sb_h5w *w, const char *name, int rank, const size_t *dims, const int32_t *data);
void sb_h5w_i64(sb_h5w *w, const char *name, int rank, const size_t *dims, const int64_t *data);
void sb_h5w_strings(sb_h5w *w, const char *name, size_t n, const char *const *s);
void sb_h5w_attr_i64(sb_h5w *w, const char *obj, const char *attr, int rank, const size_t *dims,
                     const int64_t *data);
void sb_h5w_attr_f64(sb_h5w *w, const char *obj, const char *attr, double v);
void sb_h5w_attr_str(sb_h5w *w, const char *obj, const char *attr, const char *value);
void sb_h5w_attr_strings(sb_h5w *w, const char *obj, const char *attr, size_t n, const char *const *s);

#endif
