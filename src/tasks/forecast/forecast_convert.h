/* forecast_convert.h — ground-truth forecasting rows from per-frame tracks, as the reference's
 * convert_forecast_labels (specs/forecasting.md, "Ground truth from tracks"). */
#ifndef SB_FORECAST_CONVERT_H
#define SB_FORECAST_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* One row per box and frame, any order. Names are optional and only used in messages. */
typedef struct sb_fc_tracks {
    size_t n;
    const int32_t *log;        /* log index */
    const int64_t *timestamp;  /* ns; the frames of a log are its distinct timestamps */
    const int64_t *track;      /* track id, interned by the caller */
    const int32_t *category;   /* 0..25 */
    const double *x, *y, *ego_x, *ego_y;
    const char *const *log_names;   /* NULL, or n_log_names names indexed by log */
    size_t n_log_names;
    const char *const *track_names; /* NULL, or n_track_names names indexed by track id */
    size_t n_track_names;
} sb_fc_tracks;

/* The /gt rows: ordered by log, timestamp, then input row; boxes without a future (L = 0)
 * are left out, and with them every frame left empty (each log's last frame among them). */
typedef struct sb_fc_gt_rows {
    size_t n;
    int32_t *log;
    int64_t *timestamp;
    int32_t *category;
    double *current_xy; /* n x 2 */
    double *future_xy;  /* n x 6 x 2, NaN after step L */
    double *ego_xy;     /* n x 2 */
    int *len;           /* L, 1..6 */
} sb_fc_gt_rows;

/* A track seen twice in one frame, a category out of 0..25 or a non-finite coordinate is
 * SB_EINPUT naming the log, timestamp, track or row. */
int sb_fc_convert(const sb_fc_tracks *in, sb_fc_gt_rows *out, sb_err *err);
void sb_fc_gt_rows_free(sb_fc_gt_rows *g);

#endif
