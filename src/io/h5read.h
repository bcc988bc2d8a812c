/* h5read.h — checked reads of the HDF5 layouts users write with h5py.
 *
 * Every error names the file and the dataset (and the first bad index for NaN/Inf),
 * so "wrong shape" never reaches a metric. Numeric arrays of any float or integer
 * type are converted to double (or int64) by HDF5 on read. */
#ifndef SB_H5READ_H
#define SB_H5READ_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define SB_H5_MAXRANK 8

/* The largest array any reader reads, in bytes (64 GiB): far above every input format's real
 * arrays, far below what the size arithmetic can overflow, so hostile shapes fail here. */
#define SB_H5_MAX_BYTES ((uint64_t)1 << 36)

typedef struct sb_h5file {
    hid_t id;
    char path[1024];
} sb_h5file;

/* Opens read-only; a missing or non-HDF5 file is SB_EIO naming the path; a FIFO, device or
 * directory is refused by sb_input_check before anything opens it. */
int sb_h5_open(sb_h5file *f, const char *path, sb_err *err);
void sb_h5_close(sb_h5file *f);

/* 1 if the object at name (path from the root, e.g. "/sequences/s1/pred") exists. */
int sb_h5_exists(const sb_h5file *f, const char *name);

/* The one place an array's size is computed, used by every reader below before it allocates:
 * count = product of the rank dims (1 for a scalar), bytes = count × elem. A product that
 * overflows, or bytes above SB_H5_MAX_BYTES, is SB_EINPUT "<path>: <name> declares shape
 * (AxBxC) of E-byte elements: more than the N bytes an array may hold".
 * Readers also refuse a dataset whose storage was never or only partly written (it would
 * read back as fill values), a contiguous one declaring more bytes than the file has, and
 * data kept in external files or virtual datasets (HDF5 would open other paths). */
int sb_h5_array_size(const char *path, const char *name, int rank, const hsize_t *dims, size_t elem,
                     size_t *count, size_t *bytes, sb_err *err);

/* Rank and dimensions of a dataset (its element count checked as above, at 1 byte each). */
int sb_h5_shape(const sb_h5file *f, const char *name, int *rank, size_t dims[SB_H5_MAXRANK],
                sb_err *err);

/* Reads a numeric dataset as doubles into a malloc'd array. want_rank > 0 requires that rank;
 * dims receives the shape. NaN or Inf is SB_EINPUT naming the first bad element's indices. */
int sb_h5_read_f64(const sb_h5file *f, const char *name, int want_rank, size_t dims[SB_H5_MAXRANK],
                   double **out, sb_err *err);

/* Reads a float32-stored dataset as float32 without widening (large feature matrices
 * are kept at half the memory; consumers accumulate in double). NaN/Inf are errors. */
int sb_h5_read_f32(const sb_h5file *f, const char *name, int want_rank, size_t dims[SB_H5_MAXRANK],
                   float **out, sb_err *err);

/* Reads the slice at index `index` along `axis` of a numeric dataset of rank want_rank (e.g.
 * out_edit[:, j, :]) as doubles; dims receives the whole dataset's shape. NaN and Inf are kept:
 * the caller checks the entries it uses. */
int sb_h5_read_f64_slice(const sb_h5file *f, const char *name, int want_rank, size_t dims[SB_H5_MAXRANK],
                         int axis, size_t index, double **out, sb_err *err);

/* 1 if the dataset is stored as a 4-byte float. */
int sb_h5_is_float32(const sb_h5file *f, const char *name);

/* Reads an integer dataset (any width) as int64; a float dataset is an error. */
int sb_h5_read_i64(const sb_h5file *f, const char *name, int want_rank, size_t dims[SB_H5_MAXRANK],
                   int64_t **out, sb_err *err);

/* Reads an integer or boolean dataset (h5py stores bool as an enum of int8 FALSE = 0, TRUE = 1)
 * as int64: masks and flags, whose values the caller checks. A float dataset is an error. */
int sb_h5_read_flags(const sb_h5file *f, const char *name, int want_rank, size_t dims[SB_H5_MAXRANK],
                     int64_t **out, sb_err *err);

/* Reads a 1-D dataset of strings (variable or fixed length) into a malloc'd array of
 * malloc'd strings. */
int sb_h5_read_strings(const sb_h5file *f, const char *name, size_t *n, char ***out, sb_err *err);
void sb_h5_free_strings(char **s, size_t n);

/* Names of the members of a group, sorted by name (byte order). A name holding a control
 * character (a newline, ESC, ...) is SB_EINPUT: names become unit keys, CSV cells and
 * one-line messages. */
int sb_h5_list_group(const sb_h5file *f, const char *group, size_t *n, char ***names, sb_err *err);

/* Attributes of the object at obj. has: 1 if present. */
int sb_h5_attr_exists(const sb_h5file *f, const char *obj, const char *attr);
int sb_h5_attr_i64(const sb_h5file *f, const char *obj, const char *attr, size_t *n,
                   int64_t **out, size_t dims[2], sb_err *err);
int sb_h5_attr_f64(const sb_h5file *f, const char *obj, const char *attr, double *out, sb_err *err);
/* A scalar string attribute (or a 1-element string array). */
int sb_h5_attr_string(const sb_h5file *f, const char *obj, const char *attr, char *out, size_t cap,
                      sb_err *err);
int sb_h5_attr_strings(const sb_h5file *f, const char *obj, const char *attr, size_t *n,
                       char ***out, sb_err *err);

/* s for a one-line message: control characters (bytes < 0x20 and 0x7f) become '?', and at
 * most cap−1 bytes are kept. Returns buf. */
const char *sb_h5_printable(const char *s, char *buf, size_t cap);

/* Row-range reads of one large dataset (rows = its first dimension), for readers whose memory
 * must be bounded by a block of rows, not the whole array (feature maps of N images). */
typedef struct sb_h5_rows {
    const sb_h5file *f;
    hid_t ds, space;
    int rank;
    size_t dims[SB_H5_MAXRANK];
    size_t row_elems;  /* elements in one row: the product of dims[1..rank) */
    int is_float;      /* stored as a floating-point type */
    size_t type_size;  /* bytes of one stored element (2 for float16) */
    char name[512];
} sb_h5_rows;

/* Opens a numeric dataset of want_rank (>= 1) dimensions: checks its class (floats only if
 * allow_float), its size as sb_h5_array_size does, and that its storage is all written. */
int sb_h5_rows_open(const sb_h5file *f, const char *name, int want_rank, int allow_float, sb_h5_rows *r,
                    sb_err *err);
/* Reads rows [first, first + n) as float32 into out (n × row_elems). IEEE half-precision data
 * (float16, as numpy and h5py write it) is widened exactly here rather than by HDF5's generic
 * conversion. NaN or Inf is SB_EINPUT naming the first bad element by its full index. */
int sb_h5_rows_f32(sb_h5_rows *r, size_t first, size_t n, float *out, sb_err *err);
/* Reads rows [first, first + n) of an integer dataset as int64. */
int sb_h5_rows_i64(sb_h5_rows *r, size_t first, size_t n, int64_t *out, sb_err *err);
void sb_h5_rows_close(sb_h5_rows *r);
/* The float32 value of an IEEE 754 binary16 bit pattern (exact: every half is a float). */
float sb_half_to_float(uint16_t h);

/* Silences HDF5's own error stack printing; our messages replace it. */
void sb_h5_quiet(void);

#endif
