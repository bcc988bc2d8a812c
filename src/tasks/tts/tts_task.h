/* tts_task.h — what the parts of `tts eval` share: its options and the record of one unit.
 *
 * A unit (set, block of images) records, per image, the model's own output and every grid
 * cell's outcome; finish (tts_finish.c) turns the records, in unit order, into the tables. */
#ifndef SB_TTS_TASK_H
#define SB_TTS_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "engine/task.h"
#include "tasks/tts/tts_input.h"
#include "tasks/tts/tts_select.h"

#define SB_TTS_MAX_LIST 64

typedef struct sb_tts_state {
    sb_tts_set_spec *sets;
    size_t n_sets;
    int upsample, kp_first, per_image;
    long block;
    size_t n_budgets, n_alpha, n_perc;
    long budgets[SB_TTS_MAX_LIST];
    double alpha[SB_TTS_MAX_LIST], perc[SB_TTS_MAX_LIST];
    sb_tts_grid grid;
} sb_tts_state;

/* Parses the option lists into s (budgets sorted, `all` last; α and perc kept as given);
 * duplicates and values out of range are SB_EUSAGE naming the option. */
int sb_tts_parse_grid(const char *budgets, const char *alpha, const char *perc, sb_tts_state *s, sb_err *err);

/* The header of a unit's record. */
typedef struct sb_tts_rec_head {
    char set[256], arch[256];
    int has_bf, has_split, has_group, has_id;
    double bf;
    long long split;
    uint64_t C, first, n;
} sb_tts_rec_head;

void sb_tts_put_head(sb_buf *b, const sb_tts_rec_head *h);
int sb_tts_get_head(sb_reader *r, sb_tts_rec_head *h);

int sb_tts_finish(sb_task_ctx *t, const sb_unit *units, const sb_record *records, size_t n, sb_tables *out,
                  sb_err *err);

#endif
