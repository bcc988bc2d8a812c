/* atomic.h — results files appear whole or not at all.
 *
 * Write to a temporary name in the destination folder, fsync, rename over the final
 * name, fsync the folder: a killed run never leaves a half-written CSV or HDF5 file. */
#ifndef SB_ATOMIC_H
#define SB_ATOMIC_H

#include <stdio.h>

#include "core/err.h"

typedef struct sb_atomic {
    FILE *fp;
    char path[1024];
    char tmp[1100];
} sb_atomic;

/* Opens <dir>/.<name>.tmp.<pid> for writing. */
int sb_atomic_open(sb_atomic *a, const char *path, sb_err *err);
/* Flushes, fsyncs, closes and renames into place. */
int sb_atomic_commit(sb_atomic *a, sb_err *err);
/* Closes and removes the temporary file (after an error). */
void sb_atomic_abort(sb_atomic *a);

/* A temporary path beside path, for writers that create their own file (HDF5). */
void sb_atomic_tmpname(const char *path, char *tmp, size_t cap);
/* fsyncs the file at tmp and renames it to path, then fsyncs the folder. */
int sb_atomic_rename(const char *tmp, const char *path, sb_err *err);

/* mkdir -p. */
int sb_mkdirs(const char *path, sb_err *err);

#endif
