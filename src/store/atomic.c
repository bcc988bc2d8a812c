#include "store/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Large images go out in pieces, so a fault walk meets more than one write per file. */
#define WRITE_PIECE ((size_t)1 << 20)

void sb_atomic_tmpname(const char *path, char *tmp, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(tmp, cap, "%.*s/.%s.tmp.%ld", (int)(slash - path), path, slash + 1, (long)getpid());
    else
        snprintf(tmp, cap, ".%s.tmp.%ld", path, (long)getpid());
}

int sb_atomic_open(sb_atomic *a, const char *path, sb_err *err)
{
    a->fp = NULL;
    snprintf(a->path, sizeof a->path, "%s", path);
    sb_atomic_tmpname(path, a->out.path, sizeof a->out.path);
    a->out.err = 0;
    a->out.fd = sb_out_open(a->out.path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (a->out.fd < 0)
        return sb_fail(err, SB_EIO, "%s: cannot create: %s", a->out.path, strerror(errno));
    a->fp = sb_out_stream(&a->out);
    if (!a->fp) {
        int e = errno;
        sb_out_close(a->out.fd, a->out.path);
        sb_out_unlink(a->out.path);
        return sb_fail(err, SB_EIO, "%s: cannot open a stream: %s", a->out.path, strerror(e));
    }
    return 0;
}

/* Puts the synced, closed temporary file in place; removes it when that fails. */
static int put_in_place(const char *tmp, const char *path, sb_err *err)
{
    if (sb_out_rename(tmp, path) != 0) {
        int e = errno;
        sb_out_unlink(tmp);
        return sb_fail(err, SB_EIO, "%s: rename into place failed: %s", path, strerror(e));
    }
    /* The file is whole and in place; only its survival of a machine crash is in doubt. */
    if (sb_out_fsync_dir(path) != 0)
        return sb_fail(err, SB_EIO, "%s: written, but its folder could not be synced: %s", path, strerror(errno));
    return 0;
}

int sb_atomic_commit(sb_atomic *a, sb_err *err)
{
    int e = 0;
    if (fflush(a->fp) != 0 || ferror(a->fp))
        e = a->out.err ? a->out.err : errno ? errno : EIO;
    else if (sb_out_fsync(a->out.fd, a->out.path) != 0)
        e = errno;
    if (fclose(a->fp) != 0 && !e)
        e = a->out.err ? a->out.err : EIO;
    a->fp = NULL;
    if (e) {
        sb_out_unlink(a->out.path);
        return sb_fail(err, SB_EIO, "%s: write failed: %s", a->path, strerror(e));
    }
    return put_in_place(a->out.path, a->path, err);
}

void sb_atomic_abort(sb_atomic *a)
{
    if (a->fp)
        fclose(a->fp);
    a->fp = NULL;
    sb_out_unlink(a->out.path);
}

int sb_atomic_write_bytes(const char *path, const void *data, size_t len, sb_err *err)
{
    char tmp[1100];
    sb_atomic_tmpname(path, tmp, sizeof tmp);
    int fd = sb_out_open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return sb_fail(err, SB_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    const char *p = data;
    int bad = 0;
    for (size_t off = 0; off < len && !bad; off += WRITE_PIECE)
        bad = sb_out_write(fd, p + off, len - off < WRITE_PIECE ? len - off : WRITE_PIECE, tmp) != 0;
    if (!bad)
        bad = sb_out_fsync(fd, tmp) != 0;
    int e = errno;
    if (sb_out_close(fd, tmp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        sb_out_unlink(tmp);
        return sb_fail(err, SB_EIO, "%s: write failed: %s", path, strerror(e));
    }
    return put_in_place(tmp, path, err);
}

int sb_mkdirs(const char *path, sb_err *err)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    size_t n = strlen(buf);
    struct stat st;
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            /* only missing folders are created: those are the calls that can fail */
            if (stat(buf, &st) != 0 && sb_out_mkdir(buf, 0777) != 0 && errno != EEXIST)
                return sb_fail(err, SB_EIO, "%s: cannot create folder: %s", buf, strerror(errno));
            buf[i] = c;
        }
    }
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return sb_fail(err, SB_EIO, "%s: not a folder", path);
    return 0;
}
