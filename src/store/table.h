/* table.h — the result tables every task hands to the store.
 *
 * A table is named (its CSV is <name>.csv, its HDF5 group /<name>) and holds typed
 * cells; an empty cell (NaN metric, missing value) is an empty CSV field and NaN (or
 * "") in HDF5. Tasks build tables in finish(); the store writes them. */
#ifndef SB_TABLE_H
#define SB_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef enum { SB_CELL_EMPTY = 0, SB_CELL_NUM, SB_CELL_INT, SB_CELL_STR } sb_cell_kind;

typedef struct sb_cell {
    sb_cell_kind kind;
    double num;
    int64_t i;
    char *str;
} sb_cell;

typedef struct sb_table {
    char name[64];
    size_t ncols;
    char **cols;
    size_t nrows, cap;
    sb_cell *cells; /* nrows × ncols */
} sb_table;

int sb_table_init(sb_table *t, const char *name, size_t ncols, const char *const *cols, sb_err *err);
void sb_table_free(sb_table *t);
/* Appends an empty row; returns its index through row. */
int sb_table_add_row(sb_table *t, size_t *row, sb_err *err);
/* Setters; a non-finite number becomes an empty cell. */
void sb_table_set_num(sb_table *t, size_t row, size_t col, double v);
void sb_table_set_int(sb_table *t, size_t row, size_t col, int64_t v);
int sb_table_set_str(sb_table *t, size_t row, size_t col, const char *s, sb_err *err);
sb_cell *sb_table_cell(const sb_table *t, size_t row, size_t col);
/* Column index by name, or -1. */
long sb_table_col(const sb_table *t, const char *name);
/* Stable sort of the rows by a comparison of whole rows. */
void sb_table_sort(sb_table *t, int (*cmp)(const sb_table *t, size_t a, size_t b));

/* A list of tables: what one task's finish() returns. */
typedef struct sb_tables {
    size_t n;
    sb_table *t;
} sb_tables;

int sb_tables_add(sb_tables *ts, const char *name, size_t ncols, const char *const *cols,
                  sb_table **out, sb_err *err);
void sb_tables_free(sb_tables *ts);

/* Formats a double as the shortest decimal that reads back to the same value, so CSVs
 * are exact and byte-identical across runs. */
void sb_format_double(double v, char *buf, size_t cap);

#endif
