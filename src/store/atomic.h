/* atomic.h — results files appear whole or not at all.
 *
 * Write to a temporary name in the destination folder, fsync, rename over the final
 * name, fsync the folder: a killed run never leaves a half-written CSV or HDF5 file, and
 * a failed write (disk full, I/O error) removes the temporary file and reports the
 * error. Every call goes through store/out_io.h, where a test can make it fail. */
#ifndef SB_ATOMIC_H
#define SB_ATOMIC_H

#include <stdio.h>

#include "core/err.h"
#include "store/out_io.h"

typedef struct sb_atomic {
    FILE *fp;          /* write here (stdio); NULL after commit or abort */
    sb_out_file out;   /* the temporary file under fp (out.path) */
    char path[1024];
} sb_atomic;

/* Opens <dir>/.<name>.tmp.<pid> for writing. */
int sb_atomic_open(sb_atomic *a, const char *path, sb_err *err);
/* Flushes, fsyncs, closes and renames into place; on failure removes the temporary file. */
int sb_atomic_commit(sb_atomic *a, sb_err *err);
/* Closes and removes the temporary file (after an error). */
void sb_atomic_abort(sb_atomic *a);

/* Writes len bytes as path, atomically (file images of the HDF5 writers, job.ini, ...). */
int sb_atomic_write_bytes(const char *path, const void *data, size_t len, sb_err *err);

/* A temporary path beside path. */
void sb_atomic_tmpname(const char *path, char *tmp, size_t cap);

/* mkdir -p. */
int sb_mkdirs(const char *path, sb_err *err);

#endif
