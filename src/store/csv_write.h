/* csv_write.h — tables to CSV files, quoting through libcsv, written atomically. */
#ifndef SB_CSV_WRITE_H
#define SB_CSV_WRITE_H

#include <stdio.h>

#include "core/err.h"
#include "store/table.h"

/* Writes one table as <path> (header + rows). */
int sb_csv_write_table(const sb_table *t, const char *path, sb_err *err);
/* Writes one field, quoted by libcsv only when it holds a comma, quote or line break. */
void sb_csv_put_field(FILE *fp, const char *s);

#endif
