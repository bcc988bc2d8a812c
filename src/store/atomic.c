#include "store/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void sb_atomic_tmpname(const char *path, char *tmp, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(tmp, cap, "%.*s/.%s.tmp.%ld", (int)(slash - path), path, slash + 1, (long)getpid());
    else
        snprintf(tmp, cap, ".%s.tmp.%ld", path, (long)getpid());
}

static void fsync_dir_of(const char *path)
{
    char dir[1024];
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof dir, ".");
    int fd = open(dir[0] ? dir : "/", O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int sb_atomic_open(sb_atomic *a, const char *path, sb_err *err)
{
    snprintf(a->path, sizeof a->path, "%s", path);
    sb_atomic_tmpname(path, a->tmp, sizeof a->tmp);
    a->fp = fopen(a->tmp, "wb");
    if (!a->fp)
        return sb_fail(err, SB_EIO, "%s: cannot create: %s", a->tmp, strerror(errno));
    return 0;
}

int sb_atomic_commit(sb_atomic *a, sb_err *err)
{
    int bad = fflush(a->fp) != 0 || ferror(a->fp);
    if (!bad && fsync(fileno(a->fp)) != 0)
        bad = 1;
    int saved = errno;
    if (fclose(a->fp) != 0)
        bad = 1;
    a->fp = NULL;
    if (bad) {
        unlink(a->tmp);
        return sb_fail(err, SB_EIO, "%s: write failed: %s", a->path, strerror(saved));
    }
    if (rename(a->tmp, a->path) != 0) {
        saved = errno;
        unlink(a->tmp);
        return sb_fail(err, SB_EIO, "%s: rename into place failed: %s", a->path, strerror(saved));
    }
    fsync_dir_of(a->path);
    return 0;
}

void sb_atomic_abort(sb_atomic *a)
{
    if (a->fp)
        fclose(a->fp);
    a->fp = NULL;
    unlink(a->tmp);
}

int sb_atomic_rename(const char *tmp, const char *path, sb_err *err)
{
    int fd = open(tmp, O_RDONLY);
    if (fd < 0)
        return sb_fail(err, SB_EIO, "%s: cannot reopen to sync: %s", tmp, strerror(errno));
    int st = fsync(fd);
    close(fd);
    if (st != 0 || rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        return sb_fail(err, SB_EIO, "%s: could not be put in place: %s", path, strerror(saved));
    }
    fsync_dir_of(path);
    return 0;
}

int sb_mkdirs(const char *path, sb_err *err)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    size_t n = strlen(buf);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return sb_fail(err, SB_EIO, "%s: cannot create folder: %s", buf, strerror(errno));
            buf[i] = c;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return sb_fail(err, SB_EIO, "%s: not a folder", path);
    return 0;
}
