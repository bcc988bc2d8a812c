/* suite.c — the suite-file line parser.
 *
 * Not libinih: Debian builds it with a fixed 200-byte line buffer, so a longer line was split
 * and its tail parsed as a line of its own, and it stops silently at a NUL byte. GLib's
 * GKeyFile has no line numbers for our messages, no ';' comments and lets a repeated key
 * win silently. The grammar kept from inih is in docs/suites.md; every rule has a test in
 * tests/unit/test_suite.c. */
#include "io/suite.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/input_file.h"

uint64_t sb_fnv1a64(const void *data, size_t len, uint64_t h)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void sb_hash_hex(const void *data, size_t len, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)sb_fnv1a64(data, len, SB_FNV_INIT));
}

/* The blanks inih trims (isspace in the C locale), without depending on the locale. */
static int blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

static char *dup_span(const char *b, const char *e)
{
    char *p = malloc((size_t)(e - b) + 1);
    if (p) {
        memcpy(p, b, (size_t)(e - b));
        p[e - b] = '\0';
    }
    return p;
}

/* Where an inline comment starts in [b, e): a ';' after a blank (so "a;b" stays a value). */
static const char *comment_start(const char *b, const char *e)
{
    for (const char *p = b; p < e; p++)
        if (*p == ';' && p > b && blank(p[-1]))
            return p;
    return e;
}

static int add_section(sb_suite *s, const char *b, const char *e, int line)
{
    sb_suite_section *sec = realloc(s->sec, (s->n + 1) * sizeof *sec);
    if (!sec)
        return SB_ENOMEM;
    s->sec = sec;
    memset(&sec[s->n], 0, sizeof sec[s->n]);
    sec[s->n].line = line;
    if (!(sec[s->n].name = dup_span(b, e)))
        return SB_ENOMEM;
    s->n++;
    return 0;
}

static int add_kv(sb_suite_section *sec, const char *kb, const char *ke, const char *vb, const char *ve,
                  int line)
{
    sb_suite_kv *kv = realloc(sec->kv, (sec->n + 1) * sizeof *kv);
    if (!kv)
        return SB_ENOMEM;
    sec->kv = kv;
    kv += sec->n;
    kv->line = line;
    kv->key = dup_span(kb, ke);
    kv->value = dup_span(vb, ve);
    sec->n++; /* counted even when half-built, so sb_suite_free frees what was made */
    return kv->key && kv->value ? 0 : SB_ENOMEM;
}

typedef struct line_at {
    const char *file;
    int no;
    sb_err *err;
} line_at;

static int bad(const line_at *at, const char *problem)
{
    return sb_fail(at->err, SB_EUSAGE, "%s line %d: %s", at->file, at->no, problem);
}

static int oom(const line_at *at)
{
    return sb_fail(at->err, SB_ENOMEM, "%s line %d: out of memory reading the suite", at->file, at->no);
}

/* "[name]" followed by nothing or a comment. b points at '[', e past the trimmed line. */
static int section_line(sb_suite *s, const char *b, const char *e, const line_at *at)
{
    const char *close = memchr(b, ']', (size_t)(e - b));
    if (!close)
        return bad(at, "'[' without a closing ']'");
    if (close == b + 1)
        return bad(at, "empty section name '[]'");
    if (memchr(b + 1, '[', (size_t)(close - b - 1)))
        return bad(at, "'[' inside a section name");
    const char *rest = close + 1;
    while (rest < e && blank(*rest))
        rest++;
    if (rest < e && *rest != ';' && *rest != '#')
        return bad(at, "text after the section's ']' (only a ';' or '#' comment may follow)");
    return add_section(s, b + 1, close, at->no) ? oom(at) : 0;
}

/* "key = value" or "key: value"; the first '=' or ':' before any comment separates them. */
static int key_line(sb_suite *s, const char *b, const char *e, const line_at *at)
{
    const char *stop = comment_start(b, e), *sep = b;
    while (sep < stop && *sep != '=' && *sep != ':')
        sep++;
    if (sep == stop)
        return bad(at, "not 'key = value', '[section]' or a comment");
    const char *ke = sep;
    while (ke > b && blank(ke[-1]))
        ke--;
    if (ke == b)
        return bad(at, "a value without a key (nothing before the '=')");
    if (!s->n)
        return bad(at, "a key before any [section] (start with [suite] or a task section)");
    const char *vb = sep + 1, *ve = comment_start(vb, e);
    while (vb < ve && blank(*vb))
        vb++;
    while (ve > vb && blank(ve[-1]))
        ve--;
    return add_kv(&s->sec[s->n - 1], b, ke, vb, ve, at->no) ? oom(at) : 0;
}

/* One line [b, e) without its '\n': blank, comment, section or key. */
static int parse_line(sb_suite *s, const char *b, const char *e, const line_at *at)
{
    if (memchr(b, '\0', (size_t)(e - b)))
        return bad(at, "a NUL byte (is this a text file?)");
    while (b < e && blank(*b))
        b++;
    while (e > b && blank(e[-1]))
        e--;
    if (b == e || *b == ';' || *b == '#')
        return 0;
    if (*b == '[')
        return section_line(s, b, e, at);
    return key_line(s, b, e, at);
}

static char *dup_str(const char *z) { return dup_span(z, z + strlen(z)); }

int sb_suite_parse_bytes(sb_suite *s, const char *name, const char *dir, const char *text, size_t len,
                         sb_err *err)
{
    memset(s, 0, sizeof *s);
    s->path = dup_str(name);
    s->dir = dup_str(dir);
    s->text = dup_span(text, text + len);
    s->text_len = len;
    if (!s->path || !s->dir || !s->text) {
        sb_suite_free(s);
        return sb_fail(err, SB_ENOMEM, "%s: out of memory reading the suite", name);
    }
    const char *p = text, *end = text + len;
    if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) /* a UTF-8 byte-order mark, as inih skipped */
        p += 3;
    line_at at = {name, 0, err};
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        at.no++;
        int rc = parse_line(s, p, le, &at);
        if (rc) {
            sb_suite_free(s);
            return rc;
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

int sb_suite_parse(sb_suite *s, const char *name, const char *dir, const char *text, sb_err *err)
{
    return sb_suite_parse_bytes(s, name, dir, text, strlen(text), err);
}

/* The whole file, refusing more than SB_SUITE_MAX_BYTES; *len excludes the added '\0'. */
static int read_all(const char *path, char **out, size_t *len, sb_err *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return sb_fail(err, SB_EUSAGE, "%s: cannot open suite file: %s", path, strerror(errno));
    size_t cap = 0, n = 0, got = 1;
    char *buf = NULL;
    int rc = 0;
    while (got && n <= SB_SUITE_MAX_BYTES) { /* stops once one byte too many was read */
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 4096;
            nc = nc > SB_SUITE_MAX_BYTES + 1 ? SB_SUITE_MAX_BYTES + 1 : nc;
            char *nb = realloc(buf, nc + 1);
            if (!nb) {
                rc = sb_fail(err, SB_ENOMEM, "%s: out of memory reading the suite", path);
                break;
            }
            buf = nb;
            cap = nc;
        }
        n += got = fread(buf + n, 1, cap - n, fp);
    }
    if (!rc && n > SB_SUITE_MAX_BYTES)
        rc = sb_fail(err, SB_EUSAGE, "%s: larger than %u bytes: not a suite file", path, SB_SUITE_MAX_BYTES);
    if (!rc && ferror(fp))
        rc = sb_fail(err, SB_EIO, "%s: read error", path);
    fclose(fp);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int sb_suite_load(sb_suite *s, const char *path, sb_err *err)
{
    memset(s, 0, sizeof *s);
    int rc = sb_input_check(path, err);
    if (rc)
        return rc;
    char *buf = NULL;
    size_t len = 0;
    if ((rc = read_all(path, &buf, &len, err)))
        return rc;
    const char *slash = strrchr(path, '/');
    char *dir = slash == path ? dup_str("/") : slash ? dup_span(path, slash) : dup_str(".");
    if (!dir)
        rc = sb_fail(err, SB_ENOMEM, "%s: out of memory reading the suite", path);
    else
        rc = sb_suite_parse_bytes(s, path, dir, buf, len, err);
    free(dir);
    free(buf);
    return rc;
}

void sb_suite_free(sb_suite *s)
{
    for (size_t i = 0; i < s->n; i++) {
        for (size_t k = 0; k < s->sec[i].n; k++) {
            free(s->sec[i].kv[k].key);
            free(s->sec[i].kv[k].value);
        }
        free(s->sec[i].kv);
        free(s->sec[i].name);
    }
    free(s->sec);
    free(s->text);
    free(s->path);
    free(s->dir);
    memset(s, 0, sizeof *s);
}
