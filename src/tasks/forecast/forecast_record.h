/* forecast_record.h — the bytes a forecasting unit journals, and their checked reading.
 *
 * A unit is a run of consecutive logs; its record is the format version (8 bytes), the number
 * of logs, then one part per log. Integers are varints (7 bits a byte, low first), doubles
 * their 8 raw little-endian bytes, so a resumed or merged run reads exactly what was computed.
 * A part:
 *   name (length, bytes); gt_rows, pred_rows, dropped, frames;
 *   the non-zero (profile, category) counts: how many, then (profile*26+category, n_gt, n_pred);
 *   the log's predictions that made a match record, once, grouped by category (increasing)
 *   and in sweep order within a group (score descending, /pred row descending): how many
 *   groups, then (category, how many, then (score, /pred row) each);
 *   the non-empty cells in increasing order: how many, then (cell, records, bytes, records),
 *   a record being its rank in that list (a cell's records, all of one category, fall in one
 *   group) as a delta from the previous record's, shifted left by 2 with the matched and TP
 *   flags in the low bits, then ADE and FDE when matched in a 2 m cell (the only cells the
 *   table takes them from).
 * Every count is checked against the bytes left when read back: a record with a valid
 * journal checksum but absurd contents is refused, never followed. */
#ifndef SB_FORECAST_RECORD_H
#define SB_FORECAST_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "tasks/forecast/forecast_metrics.h"

#define SB_FC_REC_VERSION 3
#define SB_FC_REC_MATCHED 1u
#define SB_FC_REC_TP 2u

void sb_fc_put_varint(sb_buf *b, uint64_t v);

/* Scratch reused from one log to the next. */
typedef struct sb_fc_enc sb_fc_enc;
int sb_fc_enc_new(sb_fc_enc **out, sb_err *err);
void sb_fc_enc_free(sb_fc_enc *e);

/* Appends the part of one log: rs holds its records with local row numbers into pred, whose
 * index gives the /pred rows and category the categories. */
int sb_fc_part_encode(sb_buf *b, sb_fc_enc *e, const char *log, size_t gt_rows,
                      const sb_fc_pred *pred, size_t dropped, const sb_fc_recset *rs, sb_err *err);

/* A read cursor; bad is set by any overrun and stays set. */
typedef struct sb_fc_cursor {
    const unsigned char *p, *end;
    int bad;
} sb_fc_cursor;

/* Inline: finish decodes every record byte through these, some bytes twice. */
uint64_t sb_fc_get_varint_slow(sb_fc_cursor *c);
static inline uint64_t sb_fc_get_varint(sb_fc_cursor *c)
{
    if (!c->bad && c->p < c->end && !(*c->p & 0x80)) return *c->p++;
    return sb_fc_get_varint_slow(c);
}

static inline double sb_fc_get_f64(sb_fc_cursor *c)
{
    if (c->bad || c->end - c->p < 8) {
        c->bad = 1;
        return 0.0;
    }
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--) u = u << 8 | c->p[i];
    c->p += 8;
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* One part as read: counts checked, the table and the cells left encoded. */
typedef struct sb_fc_part {
    const unsigned char *name;
    size_t name_len;
    int64_t gt_rows, pred_rows, dropped, frames;
    int64_t n_gt[SB_FC_NPROF][SB_FC_NCAT], n_pred[SB_FC_NPROF][SB_FC_NCAT];
    uint64_t ntable;              /* entries of the list, all groups */
    const unsigned char *table;   /* its encoding: the groups */
    uint64_t ncells;
    const unsigned char *cells;   /* (cell, records, bytes, records) ncells times */
    const unsigned char *end;     /* the byte after the part */
} sb_fc_part;

/* Reads one part at c; on a corrupt part returns -1 with a short reason in why. */
int sb_fc_part_read(sb_fc_cursor *c, sb_fc_part *p, char *why, size_t cap);

#endif
