/* err.h — how every fallible function in shardbench reports failure.
 *
 * A function that can fail returns 0 on success or an SB_E* code, and fills the
 * caller's sb_err with one line naming the thing at fault (file, dataset, column,
 * index). The CLI prints that line once; library code never prints or exits. */
#ifndef SB_ERR_H
#define SB_ERR_H

#include <stddef.h>

enum {
    SB_OK = 0,
    SB_EUSAGE = 2,   /* bad option, suite key or command line: nothing was run */
    SB_EINPUT = 3,   /* input data is wrong: shape, range, NaN, missing dataset */
    SB_EIO = 4,      /* a file could not be read or written */
    SB_ENUMERIC = 5, /* a numerical routine failed (LAPACK info != 0, no convergence) */
    SB_ENOMEM = 6,
    SB_EMPI = 7,
    SB_EINTR = 8     /* stopped by a signal; the journal holds what finished */
};

typedef struct sb_err {
    int code;
    char msg[1024];
} sb_err;

/* Records code and a printf-style message in err (which may be NULL); returns code. */
int sb_fail(sb_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prefixes the message already in err with more context ("reading X: " + old). */
int sb_wrap(sb_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void sb_err_clear(sb_err *err);

/* malloc/calloc that record SB_ENOMEM with what was being allocated. */
void *sb_malloc(size_t bytes, const char *what, sb_err *err);
void *sb_calloc(size_t n, size_t size, const char *what, sb_err *err);

#endif
