#include "io/input_file.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static const char *kind_of(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

int sb_input_check(const char *path, sb_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return sb_fail(err, SB_EIO, "%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return sb_fail(err, SB_EINPUT, "%s: not a regular file (%s)", path, kind_of(st.st_mode));
    return 0;
}
