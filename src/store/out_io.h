/* out_io.h — the one door for output I/O, with a fault injector behind it.
 *
 * Every open-for-writing, write, fsync, close, rename, mkdir and unlink of the store
 * (CSV, results.h5, job.ini, plan), the journal and the generators' HDF5 files goes
 * through these calls, as SQLite's file I/O goes through its VFS: so a test can make the
 * N-th call fail and see what the program does then (tests/cli/test_faults.sh).
 *
 * The calls behave as their POSIX namesakes: 0 (or an fd) on success, -1 with errno set
 * on failure. sb_out_write writes all n bytes (retrying short writes and EINTR).
 *
 * Fault injection, read once from the environment (docs/reliability.md, "Output faults"):
 *   SB_FAULT=op:N:errno[:sticky]   the N-th call (1-based, counted per process) of op fails
 *       with errno, without doing anything; op is open, write, fsync, close, rename, mkdir,
 *       unlink or any; errno is ENOSPC or EIO. With :sticky every later matching call fails
 *       too, as on a full disk (for op "any", close and unlink then still work: they free
 *       space). A failed close still closes the descriptor. A malformed SB_FAULT makes
 *       every call fail with EINVAL, so a typo cannot pass for a clean run.
 *   SB_FAULT_LOG=path   appends one line per call, "pid seq op k path" (seq counts all
 *       calls, k the calls of that op), and "pid FAULT seq op k ERRNO path" when one fails:
 *       how a test learns how many calls a run makes and what each one is.
 * This state is process-wide on purpose (the one exception to "no global mutable state"):
 * it exists for tests and is set before the first output call. */
#ifndef SB_OUT_IO_H
#define SB_OUT_IO_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

typedef enum sb_out_op {
    SB_OUT_OPEN,
    SB_OUT_WRITE,
    SB_OUT_FSYNC,
    SB_OUT_CLOSE,
    SB_OUT_RENAME,
    SB_OUT_MKDIR,
    SB_OUT_UNLINK,
    SB_OUT_N_OPS
} sb_out_op;

int sb_out_open(const char *path, int flags, mode_t mode);
int sb_out_write(int fd, const void *p, size_t n, const char *path);
int sb_out_fsync(int fd, const char *path);
int sb_out_close(int fd, const char *path);
int sb_out_rename(const char *from, const char *to);
int sb_out_mkdir(const char *path, mode_t mode);
int sb_out_unlink(const char *path);
/* fsyncs the folder that holds path, so a rename into it survives a crash. A file system
 * that cannot fsync folders (EINVAL, ENOTSUP) counts as success, as in SQLite. */
int sb_out_fsync_dir(const char *path);

/* A write stream over an open fd whose every write goes through sb_out_write, so stdio
 * writers (CSV, job.ini, plan) need no change. f must outlive the stream; fclose closes
 * f->fd through sb_out_close. f->err keeps the errno of the first failed write or close. */
typedef struct sb_out_file {
    int fd;
    int err;
    char path[1100];
} sb_out_file;
FILE *sb_out_stream(sb_out_file *f);

/* Replaces the fault settings (for unit tests; NULL or "" turns faults off and resets the
 * counters). Returns -1 for a malformed spec. */
int sb_out_fault_set(const char *spec);
/* Calls made since the process started or sb_out_fault_set was last called. */
long sb_out_calls(void);

#endif
