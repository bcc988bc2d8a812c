#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

void sb_buf_init(sb_buf *b) { memset(b, 0, sizeof *b); }

void sb_buf_free(sb_buf *b)
{
    free(b->data);
    sb_buf_init(b);
}

void sb_buf_put(sb_buf *b, const void *p, size_t n)
{
    if (b->oom || n == 0)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *d = realloc(b->data, cap);
        if (!d) {
            b->oom = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void sb_buf_put_u64(sb_buf *b, uint64_t v)
{
    unsigned char x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    sb_buf_put(b, x, 8);
}

void sb_buf_put_i64(sb_buf *b, int64_t v) { sb_buf_put_u64(b, (uint64_t)v); }

void sb_buf_put_f64(sb_buf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    sb_buf_put_u64(b, u);
}

void sb_buf_put_str(sb_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    sb_buf_put_u64(b, n);
    sb_buf_put(b, s, n);
}

int sb_buf_check(const sb_buf *b, sb_err *err)
{
    return b->oom ? sb_fail(err, SB_ENOMEM, "out of memory encoding a unit record") : 0;
}

void sb_reader_init(sb_reader *r, const void *data, size_t len)
{
    r->p = data;
    r->end = data ? r->p + len : r->p; /* NULL + 0 is undefined in C: an empty reader instead */
    r->bad = 0;
}

uint64_t sb_get_u64(sb_reader *r)
{
    if (r->bad || r->end - r->p < 8) {
        r->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    return v;
}

int64_t sb_get_i64(sb_reader *r) { return (int64_t)sb_get_u64(r); }

double sb_get_f64(sb_reader *r)
{
    uint64_t u = sb_get_u64(r);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

void sb_get_str(sb_reader *r, char *out, size_t cap)
{
    uint64_t n = sb_get_u64(r);
    if (r->bad || (uint64_t)(r->end - r->p) < n) {
        r->bad = 1;
        if (cap)
            out[0] = '\0';
        return;
    }
    size_t k = n < cap ? (size_t)n : cap - 1;
    memcpy(out, r->p, k);
    out[k] = '\0';
    r->p += n;
}

char *sb_get_strdup(sb_reader *r)
{
    uint64_t n = sb_get_u64(r);
    if (r->bad || (uint64_t)(r->end - r->p) < n) {
        r->bad = 1;
        return NULL;
    }
    char *s = malloc((size_t)n + 1);
    if (!s) {
        r->bad = 1;
        return NULL;
    }
    memcpy(s, r->p, (size_t)n);
    s[n] = '\0';
    r->p += n;
    return s;
}

int sb_reader_has(sb_reader *r, uint64_t n, size_t elem_size)
{
    uint64_t left = (uint64_t)(r->end - r->p);
    /* n × elem_size > left, written so that the product cannot wrap. */
    if (r->bad || (elem_size && n > left / elem_size)) {
        r->bad = 1;
        return 0;
    }
    return 1;
}

uint64_t sb_get_count(sb_reader *r, size_t elem_size, uint64_t max)
{
    uint64_t n = sb_get_u64(r);
    if (r->bad || n > max || !sb_reader_has(r, n, elem_size)) {
        r->bad = 1;
        return 0;
    }
    return n;
}
