#include "store/results_h5.h"

#include <cblas.h>
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/version.h"
#include "store/h5_image.h"

void sb_utc_now(char *buf, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int put_str_attr(hid_t obj, const char *name, const char *value)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, t, &value) < 0;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

static int put_i64_attr(hid_t obj, const char *name, int64_t v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, H5T_NATIVE_INT64, &v) < 0;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(sp);
    return rc;
}

/* A column's storage type: the kind of its non-empty cells; mixed kinds become strings. */
static sb_cell_kind column_kind(const sb_table *t, size_t c)
{
    sb_cell_kind k = SB_CELL_EMPTY;
    for (size_t r = 0; r < t->nrows; r++) {
        sb_cell_kind ck = sb_table_cell(t, r, c)->kind;
        if (ck == SB_CELL_EMPTY)
            continue;
        if (k == SB_CELL_EMPTY)
            k = ck;
        else if (k != ck)
            return (k == SB_CELL_NUM && ck == SB_CELL_INT) || (k == SB_CELL_INT && ck == SB_CELL_NUM)
                       ? SB_CELL_NUM : SB_CELL_STR;
    }
    return k == SB_CELL_EMPTY ? SB_CELL_NUM : k;
}

static int write_column(hid_t g, const sb_table *t, size_t c)
{
    hsize_t n = t->nrows;
    hid_t sp = H5Screate_simple(1, &n, NULL);
    sb_cell_kind k = column_kind(t, c);
    int rc = 0;
    if (k == SB_CELL_NUM) {
        double *v = malloc((t->nrows + 1) * sizeof *v);
        if (!v) {
            H5Sclose(sp);
            return 1;
        }
        for (size_t r = 0; r < t->nrows; r++) {
            const sb_cell *cell = sb_table_cell(t, r, c);
            v[r] = cell->kind == SB_CELL_NUM ? cell->num : cell->kind == SB_CELL_INT ? (double)cell->i : NAN;
        }
        hid_t ds = H5Dcreate2(g, t->cols[c], H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        rc = ds < 0 || H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0;
        if (ds >= 0)
            H5Dclose(ds);
        free(v);
    } else if (k == SB_CELL_INT) {
        int64_t *v = malloc((t->nrows + 1) * sizeof *v);
        if (!v) {
            H5Sclose(sp);
            return 1;
        }
        for (size_t r = 0; r < t->nrows; r++)
            v[r] = sb_table_cell(t, r, c)->i;
        hid_t ds = H5Dcreate2(g, t->cols[c], H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        rc = ds < 0 || H5Dwrite(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0;
        if (ds >= 0)
            H5Dclose(ds);
        free(v);
    } else {
        const char **v = malloc((t->nrows + 1) * sizeof *v);
        if (!v) {
            H5Sclose(sp);
            return 1;
        }
        for (size_t r = 0; r < t->nrows; r++) {
            const sb_cell *cell = sb_table_cell(t, r, c);
            v[r] = cell->kind == SB_CELL_STR ? cell->str : "";
        }
        hid_t st = H5Tcopy(H5T_C_S1);
        H5Tset_size(st, H5T_VARIABLE);
        H5Tset_cset(st, H5T_CSET_UTF8);
        hid_t ds = H5Dcreate2(g, t->cols[c], st, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        rc = ds < 0 || H5Dwrite(ds, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0;
        if (ds >= 0)
            H5Dclose(ds);
        H5Tclose(st);
        free(v);
    }
    H5Sclose(sp);
    return rc;
}

static int write_provenance(hid_t f, const sb_provenance *p)
{
    char mpi[MPI_MAX_LIBRARY_VERSION_STRING] = "", hdf5[64], line[256];
    int len = 0;
    MPI_Get_library_version(mpi, &len);
    char *nl = strchr(mpi, '\n');
    if (nl)
        *nl = '\0';
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    snprintf(hdf5, sizeof hdf5, "%u.%u.%u", maj, min, rel);
    snprintf(line, sizeof line, "%s", openblas_get_config());
    int rc = 0;
    rc |= put_str_attr(f, "shardbench_version", SB_VERSION);
    rc |= put_str_attr(f, "git_commit", SB_GIT_COMMIT);
    rc |= put_str_attr(f, "suite", p->suite_path);
    rc |= put_str_attr(f, "suite_hash_fnv1a64", p->suite_hash);
    rc |= put_str_attr(f, "started_utc", p->started_utc);
    rc |= put_str_attr(f, "finished_utc", p->finished_utc);
    rc |= put_i64_attr(f, "n_ranks", p->n_ranks);
    rc |= put_i64_attr(f, "n_shards", p->n_shards);
    rc |= put_str_attr(f, "hosts", p->hosts);
    rc |= put_str_attr(f, "mpi_version", mpi);
    rc |= put_str_attr(f, "hdf5_version", hdf5);
    rc |= put_str_attr(f, "openblas_version", line);
    rc |= put_i64_attr(f, "seed", (int64_t)p->seed);
    rc |= put_str_attr(f, "command", p->command);
    return rc;
}

int sb_results_h5_write(const char *path, const sb_table *const *tables, size_t n,
                        const sb_provenance *p, sb_err *err)
{
    hid_t f = sb_h5_image_create(path, err);
    if (f < 0)
        return SB_EIO;
    int bad = write_provenance(f, p);
    for (size_t i = 0; i < n && !bad; i++) {
        const sb_table *t = tables[i];
        hid_t g = H5Gcreate2(f, t->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (g < 0) {
            bad = 1;
            break;
        }
        for (size_t c = 0; c < t->ncols && !bad; c++)
            bad = write_column(g, t, c);
        H5Gclose(g);
    }
    if (bad) {
        sb_h5_image_close(f, path, 0, NULL);
        return sb_fail(err, SB_EIO, "%s: HDF5 could not store the results (in memory)", path);
    }
    return sb_h5_image_close(f, path, 1, err);
}
