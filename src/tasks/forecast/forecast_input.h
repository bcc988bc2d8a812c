/* forecast_input.h — the forecasting HDF5 layout (formats.md "Forecasting") read one log at a
 * time: an index of which /gt and /pred rows belong to which log (built once per process from
 * the small log columns), then the rows of one log by hyperslabs, checked and converted to
 * the arrays of forecast_metrics.h with /pred row numbers kept as the tie-break index. */
#ifndef SB_FORECAST_INPUT_H
#define SB_FORECAST_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "tasks/forecast/forecast_metrics.h"

/* Logs are the union of the ground-truth file's /logs that have rows and the prediction
 * file's logs (matched by name) that are absent from the ground truth, in that order. */
typedef struct sb_fc_index {
    char gt_path[1024], pred_path[1024];
    size_t n_gt, n_pred;  /* rows of /gt and /pred */
    int k;                /* modes per prediction */
    size_t n_logs;
    char **log;           /* names */
    size_t *gt_start, *gt_rows;     /* log i: gt_rows[gt_start[i] .. gt_start[i+1]), ascending */
    size_t *pred_start, *pred_rows;
    size_t n_gt_cats, n_pred_cats;
    int *gt_cat, *pred_cat;         /* file category index -> index of forecasting.md */
} sb_fc_index;

/* pred_path "" reads /pred from gt_path. Checks presence, types and shapes of every dataset,
 * that all columns of a group have the same length, log indices, category names, 1 <= K <= 6
 * and K >= top_k (SB_EINPUT naming file and dataset). */
int sb_fc_index_build(const char *gt_path, const char *pred_path, int top_k, sb_fc_index *ix,
                      sb_err *err);
void sb_fc_index_free(sb_fc_index *ix);

/* One log's rows, owned; gt and pred point into them. Frame ids are the timestamps. */
typedef struct sb_fc_log_data {
    int64_t *gt_frame, *pred_frame, *pred_index;
    int32_t *gt_cat, *pred_cat;
    double *gt_cur, *gt_fut, *gt_ego;
    double *pred_cur, *pred_score, *pred_modes, *pred_mode_scores;
    sb_fc_gt gt;
    sb_fc_pred pred;
} sb_fc_log_data;

/* Reads and validates log `i` of the index: category indices known, positions, scores and
 * modes finite, future NaN only as a tail covering x and y. Errors name file, dataset, row
 * and log. stage gets "read" or "validate". */
int sb_fc_read_log(const sb_fc_index *ix, size_t i, sb_fc_log_data *d, char *stage, size_t cap,
                   sb_err *err);
void sb_fc_log_data_free(sb_fc_log_data *d);

#endif
