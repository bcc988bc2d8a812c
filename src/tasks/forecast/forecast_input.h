/* forecast_input.h — the forecasting HDF5 layout (formats.md "Forecasting") read a run of
 * logs at a time: an index of which /gt and /pred rows belong to which log (built once per
 * process from the small log columns, forecast_index.c), then the rows of consecutive logs by
 * hyperslabs (forecast_input.c), checked and converted to the arrays of forecast_metrics.h
 * with /pred row numbers kept as the tie-break index. */
#ifndef SB_FORECAST_INPUT_H
#define SB_FORECAST_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "tasks/forecast/forecast_metrics.h"

typedef struct sb_fc_files sb_fc_files; /* the open files and datasets */

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
    sb_fc_files *files;             /* open from the build to sb_fc_index_free */
} sb_fc_index;

/* pred_path "" reads /pred from gt_path. Checks that the inputs are regular files, presence,
 * types and shapes of every dataset, that all columns of a group have the same length, that
 * /logs names are unique, log indices, category names, 1 <= K <= 6 and K >= top_k (SB_EINPUT
 * naming file and dataset). Leaves the files open for sb_fc_read_logs. */
int sb_fc_index_build(const char *gt_path, const char *pred_path, int top_k, sb_fc_index *ix,
                      sb_err *err);
void sb_fc_index_free(sb_fc_index *ix);
/* Opens the datasets a read needs and checks their types (numbers, or integers for the
 * timestamp and category columns); sb_fc_index_build calls it. */
int sb_fc_files_open(sb_fc_index *ix, sb_err *err);
void sb_fc_files_close(sb_fc_index *ix);

/* The rows of logs [first, first + count) of the index, log after log, owned. Zero it
 * before the first read; each read reuses (and grows) the arrays: free once at the end. */
typedef struct sb_fc_log_data {
    size_t first, count;
    int64_t *gt_frame, *pred_frame, *pred_index; /* frame ids are the timestamps */
    int64_t *gt_raw_cat, *pred_raw_cat;          /* as stored, before mapping */
    int32_t *gt_cat, *pred_cat;
    double *gt_cur, *gt_fut, *gt_ego;
    double *pred_cur, *pred_score, *pred_modes, *pred_mode_scores;
    size_t cap_gt, cap_pred, cap_k;
} sb_fc_log_data;

/* Reads and validates logs [first, first + count) of the index: category indices known,
 * positions, scores and modes finite, future NaN only as a tail covering x and y. Errors name
 * file, dataset, row and log. stage gets "read" or "validate". */
int sb_fc_read_logs(sb_fc_index *ix, size_t first, size_t count, sb_fc_log_data *d, char *stage,
                    size_t cap, sb_err *err);
/* Log first + j of a read, as the arrays of forecast_metrics.h (pred->index: /pred rows). */
void sb_fc_log_view(const sb_fc_index *ix, const sb_fc_log_data *d, size_t j, sb_fc_gt *gt,
                    sb_fc_pred *pred);
void sb_fc_log_data_free(sb_fc_log_data *d);

#endif
