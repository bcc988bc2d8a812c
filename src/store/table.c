#include "store/table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sb_table_init(sb_table *t, const char *name, size_t ncols, const char *const *cols, sb_err *err)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->cols = sb_calloc(ncols, sizeof *t->cols, "table columns", err);
    if (!t->cols)
        return SB_ENOMEM;
    t->ncols = ncols;
    for (size_t c = 0; c < ncols; c++)
        if (!(t->cols[c] = strdup(cols[c]))) {
            sb_table_free(t);
            return sb_fail(err, SB_ENOMEM, "out of memory naming table columns");
        }
    return 0;
}

void sb_table_free(sb_table *t)
{
    if (t->cells)
        for (size_t i = 0; i < t->nrows * t->ncols; i++)
            free(t->cells[i].str);
    free(t->cells);
    if (t->cols)
        for (size_t c = 0; c < t->ncols; c++)
            free(t->cols[c]);
    free(t->cols);
    memset(t, 0, sizeof *t);
}

int sb_table_add_row(sb_table *t, size_t *row, sb_err *err)
{
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        sb_cell *c = realloc(t->cells, cap * (t->ncols ? t->ncols : 1) * sizeof *c);
        if (!c)
            return sb_fail(err, SB_ENOMEM, "out of memory growing table %s", t->name);
        t->cells = c;
        t->cap = cap;
    }
    memset(t->cells + t->nrows * t->ncols, 0, t->ncols * sizeof *t->cells);
    *row = t->nrows++;
    return 0;
}

sb_cell *sb_table_cell(const sb_table *t, size_t row, size_t col)
{
    return t->cells + row * t->ncols + col;
}

void sb_table_set_num(sb_table *t, size_t row, size_t col, double v)
{
    sb_cell *c = sb_table_cell(t, row, col);
    free(c->str);
    c->str = NULL;
    c->kind = isfinite(v) ? SB_CELL_NUM : SB_CELL_EMPTY;
    c->num = v;
}

void sb_table_set_int(sb_table *t, size_t row, size_t col, int64_t v)
{
    sb_cell *c = sb_table_cell(t, row, col);
    free(c->str);
    c->str = NULL;
    c->kind = SB_CELL_INT;
    c->i = v;
}

int sb_table_set_str(sb_table *t, size_t row, size_t col, const char *s, sb_err *err)
{
    sb_cell *c = sb_table_cell(t, row, col);
    free(c->str);
    c->str = strdup(s ? s : "");
    if (!c->str)
        return sb_fail(err, SB_ENOMEM, "out of memory filling table %s", t->name);
    c->kind = SB_CELL_STR;
    return 0;
}

long sb_table_col(const sb_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (!strcmp(t->cols[c], name))
            return (long)c;
    return -1;
}

/* Insertion sort on a permutation keeps the sort stable without a global comparator
 * context (qsort_r is not C11); tables hold at most a few thousand rows. For larger
 * tables a merge sort over the permutation keeps it O(n log n). */
static void merge_sort(size_t *idx, size_t *tmp, size_t n, const sb_table *t,
                       int (*cmp)(const sb_table *, size_t, size_t))
{
    if (n < 2)
        return;
    size_t h = n / 2;
    merge_sort(idx, tmp, h, t, cmp);
    merge_sort(idx + h, tmp, n - h, t, cmp);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp(t, idx[j], idx[i]) < 0 ? idx[j++] : idx[i++];
    while (i < h)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, n * sizeof *idx);
}

void sb_table_sort(sb_table *t, int (*cmp)(const sb_table *t, size_t a, size_t b))
{
    size_t n = t->nrows;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx), *tmp = malloc((n ? n : 1) * sizeof *tmp);
    sb_cell *cells = malloc((n * t->ncols + 1) * sizeof *cells);
    if (!idx || !tmp || !cells) {
        /* Sorting is cosmetic for correctness but not for byte-identical output; on OOM
         * leave the table in plan order, which is itself deterministic. */
        free(idx);
        free(tmp);
        free(cells);
        return;
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    merge_sort(idx, tmp, n, t, cmp);
    for (size_t i = 0; i < n; i++)
        memcpy(cells + i * t->ncols, t->cells + idx[i] * t->ncols, t->ncols * sizeof *cells);
    memcpy(t->cells, cells, n * t->ncols * sizeof *cells);
    free(idx);
    free(tmp);
    free(cells);
}

int sb_tables_add(sb_tables *ts, const char *name, size_t ncols, const char *const *cols,
                  sb_table **out, sb_err *err)
{
    sb_table *nt = realloc(ts->t, (ts->n + 1) * sizeof *nt);
    if (!nt)
        return sb_fail(err, SB_ENOMEM, "out of memory adding table %s", name);
    ts->t = nt;
    int rc = sb_table_init(&ts->t[ts->n], name, ncols, cols, err);
    if (rc)
        return rc;
    *out = &ts->t[ts->n++];
    return 0;
}

void sb_tables_free(sb_tables *ts)
{
    for (size_t i = 0; i < ts->n; i++)
        sb_table_free(&ts->t[i]);
    free(ts->t);
    ts->t = NULL;
    ts->n = 0;
}

void sb_format_double(double v, char *buf, size_t cap)
{
    if (!isfinite(v)) {
        snprintf(buf, cap, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}
