/* out_io.c — output calls and the fault injector behind them (see out_io.h). */
#define _GNU_SOURCE /* fopencookie: a stdio stream whose writes we route (glibc, musl) */
#include "store/out_io.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OP_ANY SB_OUT_N_OPS

static const char *const OP_NAMES[] = {"open", "write", "fsync", "close", "rename", "mkdir", "unlink", "any"};

/* Settings and counters: process-wide, behind one lock (rank 0 writes its journal from a
 * second thread while its main thread may write other files). */
static struct {
    pthread_mutex_t mu;
    int ready;
    int bad_spec;     /* malformed SB_FAULT: every call fails */
    int op;           /* -1: no fault */
    long n;
    int errnum;
    int sticky;
    long count[SB_OUT_N_OPS + 1]; /* per op, and [OP_ANY] for all */
    int log_fd;
} G = {.mu = PTHREAD_MUTEX_INITIALIZER, .op = -1, .log_fd = -1};

static int parse_spec(const char *s)
{
    G.op = -1;
    G.sticky = 0;
    if (!s || !*s)
        return 0;
    char op[16], en[16];
    long n;
    int end = 0;
    if (sscanf(s, "%15[a-z]:%ld:%15[A-Z]%n", op, &n, en, &end) != 3 || n < 1 || !end)
        return -1;
    const char *tail = s + end;
    if (*tail == ':')
        tail++;
    else if (*tail)
        return -1;
    int k = -1;
    for (int i = 0; i <= OP_ANY; i++)
        if (!strcmp(op, OP_NAMES[i]))
            k = i;
    int e = !strcmp(en, "ENOSPC") ? ENOSPC : !strcmp(en, "EIO") ? EIO : 0;
    if (k < 0 || !e || (s[end] && strcmp(tail, "sticky")))
        return -1;
    G.op = k;
    G.n = n;
    G.errnum = e;
    G.sticky = tail[0] != 0;
    return 0;
}

static void init_locked(void)
{
    if (G.ready)
        return;
    G.ready = 1;
    G.bad_spec = parse_spec(getenv("SB_FAULT")) != 0;
    const char *log = getenv("SB_FAULT_LOG");
    if (log && *log)
        G.log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

static void log_line(const char *what, long seq, int op, long k, int errnum, const char *path)
{
    if (G.log_fd < 0)
        return;
    char line[1400];
    int len = errnum ? snprintf(line, sizeof line, "%ld %s %ld %s %ld %s %s\n", (long)getpid(), what, seq,
                                OP_NAMES[op], k, errnum == ENOSPC ? "ENOSPC" : errnum == EIO ? "EIO" : "EINVAL", path)
                     : snprintf(line, sizeof line, "%ld %ld %s %ld %s\n", (long)getpid(), seq, OP_NAMES[op], k, path);
    if (len > 0 && write(G.log_fd, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1) < 0)
        G.log_fd = -1; /* a broken log must not change what the program does */
}

/* Counts one call of op; returns the errno it must fail with, or 0 to go ahead. */
static int gate(sb_out_op op, const char *path)
{
    pthread_mutex_lock(&G.mu);
    init_locked();
    long seq = ++G.count[OP_ANY];
    long k = ++G.count[op];
    int e = 0;
    if (G.bad_spec) {
        e = EINVAL;
    } else if (G.op == (int)op || G.op == OP_ANY) {
        long nth = G.op == OP_ANY ? seq : k;
        int frees = op == SB_OUT_CLOSE || op == SB_OUT_UNLINK;
        if (nth == G.n || (G.sticky && nth > G.n && !(G.op == OP_ANY && frees)))
            e = G.errnum;
    }
    if (e)
        log_line("FAULT", seq, op, k, e, path);
    else
        log_line(NULL, seq, op, k, 0, path);
    pthread_mutex_unlock(&G.mu);
    return e;
}

int sb_out_fault_set(const char *spec)
{
    pthread_mutex_lock(&G.mu);
    init_locked();
    int rc = parse_spec(spec);
    G.bad_spec = 0;
    memset(G.count, 0, sizeof G.count);
    pthread_mutex_unlock(&G.mu);
    return rc;
}

long sb_out_calls(void)
{
    pthread_mutex_lock(&G.mu);
    long n = G.count[OP_ANY];
    pthread_mutex_unlock(&G.mu);
    return n;
}

static int failed(int e)
{
    errno = e;
    return -1;
}

int sb_out_open(const char *path, int flags, mode_t mode)
{
    int e = gate(SB_OUT_OPEN, path);
    return e ? failed(e) : open(path, flags | O_CLOEXEC, mode);
}

int sb_out_write(int fd, const void *p, size_t n, const char *path)
{
    int e = gate(SB_OUT_WRITE, path);
    if (e)
        return failed(e);
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int sb_out_fsync(int fd, const char *path)
{
    int e = gate(SB_OUT_FSYNC, path);
    return e ? failed(e) : fsync(fd);
}

int sb_out_close(int fd, const char *path)
{
    int e = gate(SB_OUT_CLOSE, path);
    int rc = close(fd); /* even a failing close must not leak the descriptor */
    return e ? failed(e) : rc;
}

int sb_out_rename(const char *from, const char *to)
{
    int e = gate(SB_OUT_RENAME, to);
    return e ? failed(e) : rename(from, to);
}

int sb_out_mkdir(const char *path, mode_t mode)
{
    int e = gate(SB_OUT_MKDIR, path);
    return e ? failed(e) : mkdir(path, mode);
}

int sb_out_unlink(const char *path)
{
    int e = gate(SB_OUT_UNLINK, path);
    return e ? failed(e) : unlink(path);
}

int sb_out_fsync_dir(const char *path)
{
    char dir[1100];
    const char *slash = strrchr(path, '/');
    if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof dir, ".");
    int fd = sb_out_open(dir, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return -1;
    int rc = sb_out_fsync(fd, dir);
    if (rc != 0 && (errno == EINVAL || errno == ENOTSUP))
        rc = 0;
    int e = errno;
    if (sb_out_close(fd, dir) != 0 && rc == 0)
        return -1;
    errno = e;
    return rc;
}

/* ---- the stdio stream ---------------------------------------------------------------- */

static ssize_t stream_write(void *cookie, const char *buf, size_t n)
{
    sb_out_file *f = cookie;
    if (f->err)
        return 0; /* once failed, stays failed: no hole in the middle of a file */
    if (sb_out_write(f->fd, buf, n, f->path) != 0) {
        f->err = errno;
        return 0; /* fopencookie: 0 reports an error; stdio then sets the stream's error flag */
    }
    return (ssize_t)n;
}

static int stream_close(void *cookie)
{
    sb_out_file *f = cookie;
    int rc = sb_out_close(f->fd, f->path);
    if (rc != 0 && !f->err)
        f->err = errno;
    f->fd = -1;
    return rc;
}

FILE *sb_out_stream(sb_out_file *f)
{
    cookie_io_functions_t io = {.write = stream_write, .close = stream_close};
    FILE *fp = fopencookie(f, "w", io);
    if (fp)
        setvbuf(fp, NULL, _IOFBF, 1 << 16); /* fewer, larger writes than BUFSIZ */
    return fp;
}
