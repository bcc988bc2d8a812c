/* forecast_metrics.h — Argoverse 2 end-to-end forecasting metrics (specs/forecasting.md).
 *
 * Plain arrays in, plain structs out, in the order the engine runs them:
 *   (a) per-agent values     sb_fc_gt_derive, sb_fc_pred_derive           forecast_metrics.c
 *   (b) per-frame matching   sb_fc_frames_build, sb_fc_match_frame        forecast_match.c
 *   (c) merge of records     sb_fc_record_cmp, sb_fc_recset_append/sort   forecast_match.c
 *   (d) sweep of one cell    sb_fc_sweep                                  forecast_ap.c
 *   (e) aggregation          sb_fc_aggregate, sb_fc_summarize             forecast_ap.c
 * Matching is per frame and frames are independent, so records from any partition of the
 * frames, concatenated and sorted with sb_fc_record_cmp, sweep to the unpartitioned numbers.
 *
 * Quirks of the reference (argoverse/av2-api, evaluation/forecasting) kept on purpose:
 * the predicted-profile threshold indexes FORECAST_SCALAR by the number of modes K; equal
 * detection scores put the later input row first; FORECAST_SCALAR[i] is i*(1/6) (numpy
 * linspace), the recall grid i*0.01; sums follow numpy's pairwise order and rounding is
 * numpy's rint(x*1000)/1000, so rounded values agree bit for bit, not just to 1e-9. */
#ifndef SB_FORECAST_METRICS_H
#define SB_FORECAST_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define SB_FC_T 6          /* future steps */
#define SB_FC_NCAT 26
#define SB_FC_NPROF 3
#define SB_FC_NTH 4
#define SB_FC_NCELL (SB_FC_NCAT * SB_FC_NPROF * SB_FC_NTH)
#define SB_FC_MAX_MODES 6  /* FORECAST_SCALAR[K] exists only for K <= T */
#define SB_FC_TH_ADE 2     /* index of the 2 m threshold in sb_fc_thresholds */
#define SB_FC_MAX_DISPLACEMENT 50.0

enum { SB_FC_STATIC = 0, SB_FC_LINEAR = 1, SB_FC_NONLINEAR = 2 };

extern const char *const sb_fc_category_names[SB_FC_NCAT]; /* reference order */
extern const double sb_fc_category_speed[SB_FC_NCAT];       /* m/s */
extern const double sb_fc_thresholds[SB_FC_NTH];            /* 0.5, 1, 2, 4 m */
extern const char *const sb_fc_profile_names[SB_FC_NPROF];  /* static, linear, non-linear */

/* Index of a category name, or -1. */
int sb_fc_category_index(const char *name);
/* FORECAST_SCALAR[i], i = 0..T, bit-identical to np.linspace(0, 1, 7). */
double sb_fc_forecast_scalar(int i);
/* Cell index in the reference's loop order (category, profile, threshold). */
static inline int sb_fc_cell(int cat, int prof, int th) { return (cat * SB_FC_NPROF + prof) * SB_FC_NTH + th; }

/* numpy-compatible helpers: np.add.reduce (pairwise) and round(x, 3) on a float64. */
double sb_fc_np_sum(const double *a, size_t n);
double sb_fc_np_round3(double x);

/* ---- inputs: structure of arrays, doubles, rows as in /gt and /pred ------------------- */
typedef struct sb_fc_gt {
    size_t n;
    const int64_t *frame;      /* frame id (one per (log, timestamp)), used to group rows */
    const int32_t *category;   /* 0..25 */
    const double *current_xy;  /* n x 2 */
    const double *future_xy;   /* n x 6 x 2, NaN (both x and y) from step L+1 on */
    const double *ego_xy;      /* n x 2 */
} sb_fc_gt;

typedef struct sb_fc_pred {
    size_t n;
    int k;                     /* modes, 1..6 */
    const int64_t *frame;
    const int64_t *index;      /* row in /pred (tie-break); NULL: the row number here */
    const int32_t *category;
    const double *current_xy;  /* n x 2 */
    const double *score;       /* n, detection score */
    const double *modes_xy;    /* n x k x 6 x 2 */
    const double *mode_scores; /* n x k */
} sb_fc_pred;

typedef struct sb_fc_options {
    int top_k;                 /* 1 (highest mode score) or 5 (min ADE over modes 0..4) */
    double max_range;          /* keep agents with |c - ego| < max_range; reference 50 */
} sb_fc_options;

/* ---- (a) per-agent derived values ---------------------------------------------------- */
typedef struct sb_fc_gt_agent {
    int len;       /* future steps L (0: dropped) */
    int profile;   /* SB_FC_STATIC/LINEAR/NONLINEAR; -1 when len == 0 */
    int in_range;
} sb_fc_gt_agent;

typedef struct sb_fc_pred_agent {
    int best_mode; /* argmax of mode scores, first on ties */
    int profile;   /* profile of best_mode (threshold uses FORECAST_SCALAR[K]) */
    int in_range;
} sb_fc_pred_agent;

/* Validates GT row `row` (category, finite positions, NaN only as a tail) and derives it. */
int sb_fc_gt_derive(const sb_fc_gt *gt, size_t row, double max_range, sb_fc_gt_agent *out,
                    sb_err *err);
/* Validates prediction row `row` and derives it; ego_xy is the frame's ego position. */
int sb_fc_pred_derive(const sb_fc_pred *pred, size_t row, const double ego_xy[2],
                      double max_range, sb_fc_pred_agent *out, sb_err *err);

/* ---- frames --------------------------------------------------------------------------- */
/* Rows grouped by frame id, frames ascending, rows ascending within a frame (CSR). A frame
 * exists iff it has a GT row; predictions of other frames are dropped (the reference never
 * visits them) and counted in n_pred_dropped. */
typedef struct sb_fc_frames {
    size_t n_frames;
    int64_t *frame_id;
    size_t *gt_start, *gt_rows;     /* frame f: gt_rows[gt_start[f] .. gt_start[f+1]) */
    size_t *pred_start, *pred_rows;
    size_t n_pred_dropped;
} sb_fc_frames;

/* Frame ids from (log, timestamp) keys: the rank of the pair among the distinct pairs of the
 * GT rows (ascending log, then timestamp); a prediction whose pair has no GT row gets -1. */
int sb_fc_frame_ids(size_t n_gt, const int32_t *gt_log, const int64_t *gt_ts, size_t n_pred,
                    const int32_t *pred_log, const int64_t *pred_ts, int64_t *gt_frame,
                    int64_t *pred_frame, sb_err *err);
int sb_fc_frames_build(const sb_fc_gt *gt, const sb_fc_pred *pred, sb_fc_frames *out,
                       sb_err *err);
void sb_fc_frames_free(sb_fc_frames *f);

/* ---- (b) records of one frame, (c) their merge ---------------------------------------- */
/* One prediction in one (category, profile, threshold) cell. Only records that count are
 * made: a matched record always counts (its GT has the cell's profile), an unmatched one
 * only in the cell of its best mode's profile — so the reference's "kept" flag is 1 for
 * every record and is not stored. */
typedef struct sb_fc_record {
    double score;      /* detection score */
    int64_t index;     /* input row in /pred */
    double ade, fde;   /* of the chosen mode, when matched; 0 otherwise */
    uint8_t matched;
    uint8_t tp;
} sb_fc_record;

/* Sort order of the sweep: score descending, then index descending. qsort-compatible. */
int sb_fc_record_cmp(const void *a, const void *b);

typedef struct sb_fc_run {
    sb_fc_record *rec;
    size_t n, cap;
} sb_fc_run;

/* Records per cell plus the counts that go with them: n_gt[prof][cat] (= npos) and
 * n_pred[prof][cat] (in-range predictions whose best mode has that profile). */
typedef struct sb_fc_recset {
    sb_fc_run cell[SB_FC_NCELL];
    int64_t n_gt[SB_FC_NPROF][SB_FC_NCAT];
    int64_t n_pred[SB_FC_NPROF][SB_FC_NCAT];
    int64_t n_frames;  /* frames that counted (had a GT agent with L >= 1) */
} sb_fc_recset;

void sb_fc_recset_init(sb_fc_recset *rs);
void sb_fc_recset_free(sb_fc_recset *rs);
/* Empties every cell and zeroes the counts, keeping the memory for the next log. */
void sb_fc_recset_clear(sb_fc_recset *rs);
/* Appends a record to a cell (amortised growth, no allocation per record). */
int sb_fc_run_push(sb_fc_run *run, const sb_fc_record *r, sb_err *err);
/* dst += src: records concatenated per cell, counts added. */
int sb_fc_recset_append(sb_fc_recset *dst, const sb_fc_recset *src, sb_err *err);
/* Sorts every cell with sb_fc_record_cmp (once per cell). */
void sb_fc_recset_sort(sb_fc_recset *rs);

typedef struct sb_fc_work sb_fc_work; /* scratch reused across frames */
int sb_fc_work_new(sb_fc_work **out, sb_err *err);
void sb_fc_work_free(sb_fc_work *w);

/* Matches one frame (its GT rows in input order, its prediction rows in any order) for all
 * 312 cells and appends the records, each cell's in sweep order, plus the counts, to out.
 * A frame without a GT row of L >= 1 adds nothing. Predictions take the ego position of the
 * first in-range GT agent with L >= 1 (the reference's choice; if none is in range, the
 * first one with L >= 1, where the reference would crash). */
int sb_fc_match_frame(const sb_fc_gt *gt, const size_t *gt_rows, size_t n_gt_rows,
                      const sb_fc_pred *pred, const size_t *pred_rows, size_t n_pred_rows,
                      const sb_fc_options *opt, sb_fc_work *w, sb_fc_recset *out, sb_err *err);

/* Convenience: sb_fc_match_frame over frames [first, last) of f. */
int sb_fc_match_frames(const sb_fc_gt *gt, const sb_fc_pred *pred, const sb_fc_frames *f,
                       size_t first, size_t last, const sb_fc_options *opt, sb_fc_recset *out,
                       sb_err *err);

/* ---- (d) one cell ---------------------------------------------------------------------- */
typedef struct sb_fc_cell_result {
    double ap, ade, fde;     /* unrounded; NaN when npos == 0; 0, 50, 50 with no TP */
    int64_t npos, n_rec, n_tp, n_matched;
} sb_fc_cell_result;

/* Records must be in sb_fc_record_cmp order (checked: SB_EINPUT otherwise). */
int sb_fc_sweep(const sb_fc_record *rec, size_t n, int64_t npos, sb_fc_cell_result *out,
                sb_err *err);
/* The same sweep over records already in order, given as flags (matched, TP) and the ADE and
 * FDE of the matched ones in that order (a TP must be matched: SB_EINPUT otherwise). */
#define SB_FC_SWEEP_MATCHED 1u
#define SB_FC_SWEEP_TP 2u
int sb_fc_sweep_flags(const uint8_t *flags, size_t n, const double *ade, const double *fde,
                      int64_t npos, sb_fc_cell_result *out, sb_err *err);

/* ---- (e) the table --------------------------------------------------------------------- */
typedef struct sb_fc_table {
    /* rounded to 3 decimals as the reference; NaN where the cell has no GT */
    double map_f[SB_FC_NPROF][SB_FC_NCAT], ade[SB_FC_NPROF][SB_FC_NCAT],
        fde[SB_FC_NPROF][SB_FC_NCAT];
    int64_t n_gt[SB_FC_NPROF][SB_FC_NCAT], n_pred[SB_FC_NPROF][SB_FC_NCAT];
    /* NaN-ignoring means (np.nanmean) of the rounded values: over all 78 cells in the
     * reference's order (profile-major), per profile (over categories), per category (over
     * profiles). NaN when every value is NaN. */
    double mean_map_f, mean_ade, mean_fde;
    double profile_map_f[SB_FC_NPROF], profile_ade[SB_FC_NPROF], profile_fde[SB_FC_NPROF];
    double category_map_f[SB_FC_NCAT], category_ade[SB_FC_NCAT], category_fde[SB_FC_NCAT];
} sb_fc_table;

/* cell[] indexed by sb_fc_cell; n_gt/n_pred as in sb_fc_recset. */
void sb_fc_aggregate(const sb_fc_cell_result cell[SB_FC_NCELL],
                     const int64_t n_gt[SB_FC_NPROF][SB_FC_NCAT],
                     const int64_t n_pred[SB_FC_NPROF][SB_FC_NCAT], sb_fc_table *t);
/* Sweeps every cell of a sorted record set and aggregates; cells (may be NULL) gets the
 * unrounded per-cell results. */
int sb_fc_summarize(const sb_fc_recset *sorted, sb_fc_cell_result cells[SB_FC_NCELL],
                    sb_fc_table *t, sb_err *err);

#endif
