#include "io/csv_read.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader_state {
    sb_csv *t;
    char **row;       /* fields of the row being read */
    size_t nf, cap;
    size_t line;      /* current physical line (1-based) of the row start */
    size_t rows_cap;
    int oom, bad_width;
    size_t bad_line, bad_n;
} reader_state;

static void on_field(void *s, size_t len, void *data)
{
    reader_state *st = data;
    if (st->oom)
        return;
    if (st->nf == st->cap) {
        size_t cap = st->cap ? 2 * st->cap : 16;
        char **r = realloc(st->row, cap * sizeof *r);
        if (!r) {
            st->oom = 1;
            return;
        }
        st->row = r;
        st->cap = cap;
    }
    char *f = malloc(len + 1);
    if (!f) {
        st->oom = 1;
        return;
    }
    memcpy(f, s, len);
    f[len] = '\0';
    st->row[st->nf++] = f;
}

static void drop_row(reader_state *st)
{
    for (size_t i = 0; i < st->nf; i++)
        free(st->row[i]);
    st->nf = 0;
}

static void on_row(int c, void *data)
{
    (void)c;
    reader_state *st = data;
    sb_csv *t = st->t;
    st->line++;
    if (st->oom || st->bad_width) {
        drop_row(st);
        return;
    }
    if (st->nf == 1 && st->row[0][0] == '\0') { /* blank line */
        drop_row(st);
        return;
    }
    if (!t->header) {
        t->header = st->row;
        t->ncols = st->nf;
        st->row = NULL;
        st->nf = st->cap = 0;
        return;
    }
    if (st->nf != t->ncols) {
        st->bad_width = 1;
        st->bad_line = st->line;
        st->bad_n = st->nf;
        drop_row(st);
        return;
    }
    if (t->nrows == st->rows_cap) {
        size_t cap = st->rows_cap ? 2 * st->rows_cap : 256;
        char **c = realloc(t->cells, cap * t->ncols * sizeof *c);
        size_t *l = realloc(t->line, cap * sizeof *l);
        if (c)
            t->cells = c;
        if (l)
            t->line = l;
        if (!c || !l) {
            st->oom = 1;
            drop_row(st);
            return;
        }
        st->rows_cap = cap;
    }
    memcpy(t->cells + t->nrows * t->ncols, st->row, t->ncols * sizeof *st->row);
    t->line[t->nrows] = st->line;
    t->nrows++;
    st->nf = 0;
}

int sb_csv_read(sb_csv *t, const char *path, sb_err *err)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "%s", path);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return sb_fail(err, SB_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct csv_parser p;
    csv_init(&p, CSV_APPEND_NULL);
    reader_state st;
    memset(&st, 0, sizeof st);
    st.t = t;
    char buf[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        if (csv_parse(&p, buf, n, on_field, on_row, &st) != n) {
            rc = sb_fail(err, SB_EINPUT, "%s: malformed CSV near line %zu: %s", path, st.line + 1,
                         csv_strerror(csv_error(&p)));
            break;
        }
    if (!rc)
        csv_fini(&p, on_field, on_row, &st);
    csv_free(&p);
    fclose(fp);
    drop_row(&st);
    free(st.row);
    if (!rc && st.oom)
        rc = sb_fail(err, SB_ENOMEM, "%s: out of memory reading", path);
    if (!rc && st.bad_width)
        rc = sb_fail(err, SB_EINPUT, "%s line %zu: %zu fields, but the header has %zu", path, st.bad_line,
                     st.bad_n, t->ncols);
    if (!rc && !t->header)
        rc = sb_fail(err, SB_EINPUT, "%s: empty file (no header line)", path);
    if (rc)
        sb_csv_free(t);
    return rc;
}

void sb_csv_free(sb_csv *t)
{
    if (t->cells)
        for (size_t i = 0; i < t->nrows * t->ncols; i++)
            free(t->cells[i]);
    if (t->header)
        for (size_t i = 0; i < t->ncols; i++)
            free(t->header[i]);
    free(t->cells);
    free(t->header);
    free(t->line);
    memset(t, 0, sizeof *t);
}

int sb_csv_col(const sb_csv *t, const char *name, size_t *col, sb_err *err)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (!strcmp(t->header[c], name)) {
            *col = c;
            return 0;
        }
    char have[512] = "";
    for (size_t c = 0; c < t->ncols; c++)
        snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s", c ? ", " : "", t->header[c]);
    return sb_fail(err, SB_EINPUT, "%s: no column '%s' (columns: %s)", t->path, name, have);
}

const char *sb_csv_get(const sb_csv *t, size_t row, size_t col) { return t->cells[row * t->ncols + col]; }

int sb_csv_number(const sb_csv *t, size_t row, size_t col, double *out, sb_err *err)
{
    const char *s = sb_csv_get(t, row, col);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (!s[0] || *end || errno == ERANGE || !isfinite(v))
        return sb_fail(err, SB_EINPUT, "%s line %zu, column %s: '%s' is not a finite number", t->path, t->line[row],
                       t->header[col], s);
    *out = v;
    return 0;
}
