/* csv_read.h — CSV tables read through libcsv, as strings, with the header kept.
 *
 * Readers of manifests, scores and truth tables look columns up by name and convert
 * fields with the helpers below, so every message names file, line and column. */
#ifndef SB_CSV_READ_H
#define SB_CSV_READ_H

#include <stddef.h>

#include "core/err.h"

typedef struct sb_csv {
    char path[1024];
    size_t ncols, nrows;
    char **header;   /* ncols */
    char **cells;    /* nrows × ncols */
    size_t *line;    /* file line of each row, for messages */
} sb_csv;

/* A row with a different number of fields than the header is SB_EINPUT naming the line. */
int sb_csv_read(sb_csv *t, const char *path, sb_err *err);
void sb_csv_free(sb_csv *t);
/* Column index, or SB_EINPUT listing the columns there are. */
int sb_csv_col(const sb_csv *t, const char *name, size_t *col, sb_err *err);
const char *sb_csv_get(const sb_csv *t, size_t row, size_t col);
/* A finite number, or SB_EINPUT naming file, line, column and the text. */
int sb_csv_number(const sb_csv *t, size_t row, size_t col, double *out, sb_err *err);

#endif
