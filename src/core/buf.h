/* buf.h — a growable byte buffer and the little-endian encoding of unit records.
 *
 * A task's run_unit encodes its results into an sb_buf; the journal stores those bytes
 * and finish() decodes them, so a resumed or merged run reads exactly what an
 * uninterrupted one computed (doubles travel as their 8 raw bytes, never as text). */
#ifndef SB_BUF_H
#define SB_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct sb_buf {
    unsigned char *data;
    size_t len, cap;
    int oom; /* set once an append failed; later appends are no-ops */
} sb_buf;

void sb_buf_init(sb_buf *b);
void sb_buf_free(sb_buf *b);
void sb_buf_put(sb_buf *b, const void *p, size_t n);
void sb_buf_put_u64(sb_buf *b, uint64_t v);
void sb_buf_put_i64(sb_buf *b, int64_t v);
void sb_buf_put_f64(sb_buf *b, double v);
void sb_buf_put_str(sb_buf *b, const char *s); /* length-prefixed, NUL not stored */
/* Returns SB_ENOMEM with a message if any append failed. */
int sb_buf_check(const sb_buf *b, sb_err *err);

/* A read cursor over encoded bytes; a short read sets bad instead of overrunning. */
typedef struct sb_reader {
    const unsigned char *p, *end;
    int bad;
} sb_reader;

void sb_reader_init(sb_reader *r, const void *data, size_t len);
uint64_t sb_get_u64(sb_reader *r);
int64_t sb_get_i64(sb_reader *r);
double sb_get_f64(sb_reader *r);
/* Copies a string into out (at most cap−1 bytes, NUL-terminated). */
void sb_get_str(sb_reader *r, char *out, size_t cap);
/* Returns a malloc'd copy of the next string, or NULL (and bad set) on error. */
char *sb_get_strdup(sb_reader *r);

/* A record's counts come from disk: a journal line with a valid checksum can still carry an
 * absurd count (a bug, a merge of foreign shards, an edited file). Every count a decoder
 * allocates or loops on is read through these, so a corrupt one sets bad instead.
 *
 * sb_get_count reads a u64 count of items that each take at least elem_size bytes of what
 * follows (8 for a number or a string's length prefix; 0 when the items are not in this
 * record) and returns it when count <= max and count × elem_size fits in the bytes left;
 * otherwise it sets bad and returns 0. */
uint64_t sb_get_count(sb_reader *r, size_t elem_size, uint64_t max);
/* 1 when n items of elem_size bytes fit in the bytes left (no overflow); else sets bad, 0. */
int sb_reader_has(sb_reader *r, uint64_t n, size_t elem_size);

#endif
