#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sb_fail(sb_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

int sb_wrap(sb_err *err, const char *fmt, ...)
{
    if (!err)
        return SB_EINPUT;
    char prefix[512], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* Truncation of a very long message is acceptable: the prefix names the thing. */
    size_t n = strlen(prefix);
    if (n > sizeof err->msg - 3)
        n = sizeof err->msg - 3;
    memcpy(err->msg, prefix, n);
    memcpy(err->msg + n, ": ", 2);
    size_t room = sizeof err->msg - n - 3;
    size_t k = strnlen(old, room);
    memcpy(err->msg + n + 2, old, k);
    err->msg[n + 2 + k] = '\0';
    return err->code ? err->code : SB_EINPUT;
}

void sb_err_clear(sb_err *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}

void *sb_malloc(size_t bytes, const char *what, sb_err *err)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p)
        sb_fail(err, SB_ENOMEM, "out of memory allocating %zu bytes for %s", bytes, what);
    return p;
}

void *sb_calloc(size_t n, size_t size, const char *what, sb_err *err)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        sb_fail(err, SB_ENOMEM, "out of memory allocating %zu x %zu bytes for %s", n, size, what);
    return p;
}
