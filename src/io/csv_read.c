/* csv_read.c — CSV tables through libcsv, fed one physical line at a time so that every
 * message can name the line, with the limits of csv_read.h checked as the bytes arrive. */
#include "io/csv_read.h"

#include <csv.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/input_file.h"

typedef struct reader_state {
    sb_csv *t;
    sb_err *err;
    int rc;           /* the first failure; everything after it is ignored */
    char **row;       /* fields of the row being read */
    size_t nf, cap;
    size_t line;      /* physical line (1-based) being fed to libcsv */
    size_t rows_cap;
} reader_state;

/* Text from the file made safe for a one-line message: at most cap - 1 bytes, control
 * characters (a quoted field may hold a newline) shown as '?'. */
static const char *clean(const char *s, char *out, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    out[i] = '\0';
    return out;
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* "column NAME" once the header is known, "field N" in the header itself. */
static void column_name(const reader_state *st, size_t i, char *out, size_t cap)
{
    char name[81];
    if (st->t->header && i < st->t->ncols)
        snprintf(out, cap, "column %s", clean(st->t->header[i], name, sizeof name));
    else
        snprintf(out, cap, "field %zu", i + 1);
}

static void fail_at(reader_state *st, size_t field, const char *problem)
{
    char col[128], row[48] = "header";
    column_name(st, field, col, sizeof col);
    if (st->t->header)
        snprintf(row, sizeof row, "row %zu", st->t->nrows + 1);
    st->rc = sb_fail(st->err, SB_EINPUT, "%s line %zu (%s), %s: %s", st->t->path, st->line, row, col, problem);
}

static int row_reserve(reader_state *st)
{
    if (st->nf < st->cap)
        return 0;
    size_t cap = st->cap ? 2 * st->cap : 16;
    char **r = realloc(st->row, cap * sizeof *r);
    if (!r)
        return st->rc = sb_fail(st->err, SB_ENOMEM, "%s line %zu: out of memory", st->t->path, st->line);
    st->row = r;
    st->cap = cap;
    return 0;
}

static void on_field(void *s, size_t len, void *data)
{
    reader_state *st = data;
    if (st->rc)
        return;
    if (st->nf >= SB_CSV_MAX_COLS)
        fail_at(st, st->nf, "more fields in one row than the limit of 10000");
    else if (len > SB_CSV_MAX_FIELD)
        fail_at(st, st->nf, "a field longer than the limit of 1 MiB");
    else if (memchr(s, '\0', len))
        fail_at(st, st->nf, "a NUL byte (is this a text file?)");
    if (st->rc || row_reserve(st))
        return;
    char *f = malloc(len + 1);
    if (!f) {
        st->rc = sb_fail(st->err, SB_ENOMEM, "%s line %zu: out of memory", st->t->path, st->line);
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

/* Takes the row's fields as the header, refusing a name given twice (sb_csv_col would
 * silently pick the first) or holding a control character (every message names columns). */
static void take_header(reader_state *st)
{
    sb_csv *t = st->t;
    char name[81];
    for (size_t i = 0; i < st->nf; i++) {
        if (has_control(st->row[i])) {
            fail_at(st, i, "a column name with a control character (a line break inside quotes?)");
            return;
        }
        for (size_t k = 0; k < i; k++)
            if (!strcmp(st->row[i], st->row[k])) {
                st->rc = sb_fail(st->err, SB_EINPUT, "%s line %zu: column '%s' appears twice in the header "
                                 "(fields %zu and %zu)", t->path, st->line, clean(st->row[i], name, sizeof name),
                                 k + 1, i + 1);
                return;
            }
    }
    t->header = st->row;
    t->ncols = st->nf;
    st->row = NULL;
    st->nf = st->cap = 0;
}

static int rows_reserve(reader_state *st)
{
    sb_csv *t = st->t;
    if (t->nrows < st->rows_cap)
        return 0;
    size_t cap = st->rows_cap ? 2 * st->rows_cap : 256;
    if (cap > SIZE_MAX / sizeof(char *) / t->ncols)
        return st->rc = sb_fail(st->err, SB_ENOMEM, "%s line %zu: too many rows", t->path, st->line);
    char **c = realloc(t->cells, cap * t->ncols * sizeof *c);
    if (c)
        t->cells = c;
    size_t *l = c ? realloc(t->line, cap * sizeof *l) : NULL;
    if (l)
        t->line = l;
    if (!c || !l)
        return st->rc = sb_fail(st->err, SB_ENOMEM, "%s line %zu: out of memory", t->path, st->line);
    st->rows_cap = cap;
    return 0;
}

static void on_row(int c, void *data)
{
    (void)c;
    reader_state *st = data;
    sb_csv *t = st->t;
    if (st->rc || !st->nf || (st->nf == 1 && st->row[0][0] == '\0')) { /* failed already, or blank */
        drop_row(st);
        return;
    }
    if (!t->header) {
        take_header(st);
        return;
    }
    if (st->nf != t->ncols) {
        char problem[96];
        snprintf(problem, sizeof problem, "%zu fields, but the header has %zu", st->nf, t->ncols);
        fail_at(st, st->nf < t->ncols ? st->nf : t->ncols, problem);
    }
    if (st->rc || rows_reserve(st)) {
        drop_row(st);
        return;
    }
    memcpy(t->cells + t->nrows * t->ncols, st->row, t->ncols * sizeof *st->row);
    t->line[t->nrows] = st->line;
    t->nrows++;
    st->nf = 0;
}

/* Feeds n bytes, one physical line at a time; a field still growing past the limit is refused
 * here, before libcsv's buffer for it can grow without bound. */
static void feed(reader_state *st, struct csv_parser *p, const char *buf, size_t n)
{
    while (n && !st->rc) {
        const char *nl = memchr(buf, '\n', n);
        size_t k = nl ? (size_t)(nl - buf) + 1 : n;
        if (csv_parse(p, buf, k, on_field, on_row, st) != k && !st->rc)
            st->rc = sb_fail(st->err, SB_EINPUT, "%s line %zu: malformed CSV: %s", st->t->path, st->line,
                             csv_strerror(csv_error(p)));
        if (!st->rc && p->entry_pos > SB_CSV_MAX_FIELD)
            fail_at(st, st->nf, "a field longer than the limit of 1 MiB");
        if (nl)
            st->line++;
        buf += k;
        n -= k;
    }
}

typedef struct source {
    FILE *fp;          /* read from here when not NULL */
    const char *bytes; /* else from here */
    size_t len;
} source;

static int read_source(sb_csv *t, const char *name, source *src, sb_err *err)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "%s", name);
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL))
        return sb_fail(err, SB_ENOMEM, "%s: out of memory", name);
    /* libcsv grows a field's buffer by this much at a time (128 bytes by default): a long
     * field would be copied over and over. */
    csv_set_blk_size(&p, 65536);
    reader_state st = {.t = t, .err = err, .line = 1};
    if (src->fp) {
        char buf[65536];
        size_t n;
        while (!st.rc && (n = fread(buf, 1, sizeof buf, src->fp)) > 0)
            feed(&st, &p, buf, n);
        if (!st.rc && ferror(src->fp))
            st.rc = sb_fail(err, SB_EIO, "%s line %zu: read error", name, st.line);
    } else
        feed(&st, &p, src->bytes, src->len);
    if (!st.rc)
        csv_fini(&p, on_field, on_row, &st);
    csv_free(&p);
    drop_row(&st);
    free(st.row);
    if (!st.rc && !t->header)
        st.rc = sb_fail(err, SB_EINPUT, "%s: empty file (no header line)", name);
    if (st.rc)
        sb_csv_free(t);
    return st.rc;
}

int sb_csv_read_bytes(sb_csv *t, const char *name, const char *bytes, size_t len, sb_err *err)
{
    source src = {NULL, bytes, len};
    return read_source(t, name, &src, err);
}

int sb_csv_read(sb_csv *t, const char *path, sb_err *err)
{
    memset(t, 0, sizeof *t);
    int rc = sb_input_check(path, err);
    if (rc)
        return rc;
    source src = {fopen(path, "rb"), NULL, 0};
    if (!src.fp)
        return sb_fail(err, SB_EIO, "%s: cannot open: %s", path, strerror(errno));
    rc = read_source(t, path, &src, err);
    fclose(src.fp);
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
    char have[512] = "", want[81];
    for (size_t c = 0; c < t->ncols && strlen(have) < sizeof have - 1; c++)
        snprintf(have + strlen(have), sizeof have - strlen(have), "%s%.60s", c ? ", " : "", t->header[c]);
    return sb_fail(err, SB_EINPUT, "%s: no column '%s' (columns: %s)", t->path, clean(name, want, sizeof want),
                   have);
}

const char *sb_csv_get(const sb_csv *t, size_t row, size_t col) { return t->cells[row * t->ncols + col]; }

static int bad_cell(const sb_csv *t, size_t row, size_t col, const char *what, sb_err *err)
{
    char text[61];
    return sb_fail(err, SB_EINPUT, "%s line %zu (row %zu), column %.80s: '%s' is not %s", t->path, t->line[row],
                   row + 1, t->header[col], clean(sb_csv_get(t, row, col), text, sizeof text), what);
}

static int only_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return !*s;
}

int sb_csv_number(const sb_csv *t, size_t row, size_t col, double *out, sb_err *err)
{
    const char *s = sb_csv_get(t, row, col);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    /* ERANGE with a result below DBL_MIN is an underflow: the nearest double is the value. */
    int overflow = errno == ERANGE && fabs(v) >= DBL_MIN;
    if (!s[0] || end == s || !only_blanks(end) || overflow || !isfinite(v))
        return bad_cell(t, row, col, "a finite number", err);
    *out = v;
    return 0;
}

int sb_csv_int64(const sb_csv *t, size_t row, size_t col, long long min, long long max, long long *out,
                 sb_err *err)
{
    const char *s = sb_csv_get(t, row, col);
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!s[0] || end == s || !only_blanks(end) || errno || v < min || v > max) {
        char what[96];
        snprintf(what, sizeof what, "an integer in [%lld, %lld]", min, max);
        return bad_cell(t, row, col, what, err);
    }
    *out = v;
    return 0;
}
