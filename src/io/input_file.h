/* input_file.h — the check every reader makes before it opens a user's file.
 *
 * A FIFO, device or directory given as an input would block a reader forever or fail
 * with a confusing message deep inside a library; it is refused here, by name, first. */
#ifndef SB_INPUT_FILE_H
#define SB_INPUT_FILE_H

#include "core/err.h"

/* 0 when path names a regular file (after following links) that exists; otherwise
 * SB_EINPUT ("<path>: not a regular file (a FIFO)") or SB_EIO ("<path>: <strerror>"). */
int sb_input_check(const char *path, sb_err *err);

#endif
