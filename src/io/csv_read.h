/* csv_read.h — CSV tables read through libcsv, as strings, with the header kept.
 *
 * Readers of manifests, scores and truth tables look columns up by name and convert
 * fields with the helpers below, so every message names file, line and column. */
#ifndef SB_CSV_READ_H
#define SB_CSV_READ_H

#include <stddef.h>

#include "core/err.h"

/* Limits that keep a wrong file from taking all memory; beyond them the read fails naming
 * file, line and column (docs/reliability.md). */
#define SB_CSV_MAX_FIELD (1u << 20) /* bytes in one field */
#define SB_CSV_MAX_COLS 10000u      /* fields in one row */

typedef struct sb_csv {
    char path[1024];
    size_t ncols, nrows;
    char **header;   /* ncols */
    char **cells;    /* nrows × ncols */
    size_t *line;    /* file line where each row ends (its only line unless a quoted field
                        spans lines), for messages */
} sb_csv;

/* Reads a regular file (sb_input_check first). SB_EINPUT naming file, line and column for: a row
 * with a different number of fields than the header, a NUL byte, a field or row over the limits
 * above, a column name repeated in the header, a file with no header. */
int sb_csv_read(sb_csv *t, const char *path, sb_err *err);
/* The same over len bytes in memory (name is used in messages): what the fuzzer calls. */
int sb_csv_read_bytes(sb_csv *t, const char *name, const char *bytes, size_t len, sb_err *err);
void sb_csv_free(sb_csv *t);
/* Column index, or SB_EINPUT listing the columns there are. */
int sb_csv_col(const sb_csv *t, const char *name, size_t *col, sb_err *err);
const char *sb_csv_get(const sb_csv *t, size_t row, size_t col);
/* A finite number, or SB_EINPUT naming file, line, row, column and the text (NaN, infinities and
 * overflow are refused; an underflow to 0 or a subnormal is taken as the number it rounds to). */
int sb_csv_number(const sb_csv *t, size_t row, size_t col, double *out, sb_err *err);
/* A decimal integer in [min, max], or SB_EINPUT naming file, line, row, column and the text. */
int sb_csv_int64(const sb_csv *t, size_t row, size_t col, long long min, long long max, long long *out,
                 sb_err *err);

#endif
