/* forecast_task.c — Argoverse 2 end-to-end forecasting evaluation as a task
 * (specs/forecasting.md, formats.md "Forecasting").
 *
 * A unit is a run of consecutive logs: one log, or short logs grouped until their cost makes
 * the unit worth its bookkeeping. A unit reads its logs' rows at once (forecast_input.c),
 * matches each log's frames (sb_fc_match_frame) into per-cell match records and journals one
 * part per log (forecast_record.c); finish puts every cell's records in the global order of
 * the reference and sweeps them (forecast_finish.c). Since a record carries its /pred row,
 * every number is independent of how logs met units and ranks. Scratch memory (rows read,
 * match work space, records, encoder) lives in the task's state and is reused from one unit
 * to the next, grown to the largest unit a process has seen. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/task.h"
#include "tasks/forecast/forecast_finish.h"
#include "tasks/forecast/forecast_input.h"
#include "tasks/forecast/forecast_metrics.h"
#include "tasks/forecast/forecast_record.h"

static const sb_option fc_options[] = {
    {"input", SB_OPT_PATH, NULL, "HDF5 file with /logs, /categories, /gt (and /pred unless --pred)", 1, SB_NO_RANGE},
    {"pred", SB_OPT_PATH, NULL, "HDF5 file with /logs, /categories, /pred (logs matched by name)", 0, SB_NO_RANGE},
    {"top_k", SB_OPT_INT, "5", "1: the highest-scored mode; 5: the best of modes 0..4 (min ADE)", 0, {1, 5}},
    {"max_range", SB_OPT_DOUBLE, "50", "keep agents closer than this to the ego vehicle (m)", 0, SB_NO_RANGE},
    {"group_cost", SB_OPT_DOUBLE, "0",
     "group consecutive logs cheaper than this (ground-truth rows + predictions x K) into one unit "
     "until the group reaches it; a failing log then fails its group (0: one log per unit)", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

typedef struct fc_state {
    char input[1024], pred[1024];
    sb_fc_options opt;
    double group_cost;
    sb_fc_index ix;
    int have_ix;
    sb_fc_log_data d; /* reused from unit to unit */
    sb_fc_work *work;
    sb_fc_recset *rs;
    sb_fc_enc *enc;
} fc_state;

static int fc_open(sb_task_ctx *t, sb_err *err)
{
    fc_state *s = sb_calloc(1, sizeof *s, "forecast task", err);
    if (!s) return SB_ENOMEM;
    t->state = s;
    long k;
    int rc;
    if ((rc = sb_opts_path(t->opts, fc_options, "input", s->input, sizeof s->input, err)) ||
        (rc = sb_opts_path(t->opts, fc_options, "pred", s->pred, sizeof s->pred, err)) ||
        (rc = sb_opts_long(t->opts, fc_options, "top_k", &k, err)) ||
        (rc = sb_opts_double(t->opts, fc_options, "max_range", &s->opt.max_range, err)) ||
        (rc = sb_opts_double(t->opts, fc_options, "group_cost", &s->group_cost, err)))
        return rc;
    if (k != 1 && k != 5)
        return sb_fail(err, SB_EUSAGE, "%s: top_k must be 1 or 5 (the reference's two), not %ld",
                       t->opts->where, k);
    if (!(s->opt.max_range > 0) || !isfinite(s->opt.max_range))
        return sb_fail(err, SB_EUSAGE, "%s: max_range must be a positive number of metres",
                       t->opts->where);
    if (!(s->group_cost >= 0) || !isfinite(s->group_cost))
        return sb_fail(err, SB_EUSAGE, "%s: group_cost must be 0 or a positive number",
                       t->opts->where);
    s->opt.top_k = (int)k;
    return 0;
}

static void fc_close(sb_task_ctx *t)
{
    fc_state *s = t->state;
    if (s && s->have_ix) sb_fc_index_free(&s->ix);
    if (s) {
        sb_fc_log_data_free(&s->d);
        sb_fc_work_free(s->work);
        if (s->rs) sb_fc_recset_free(s->rs);
        free(s->rs);
        sb_fc_enc_free(s->enc);
    }
    free(s);
    t->state = NULL;
}

static int ensure_index(fc_state *s, sb_err *err)
{
    if (s->have_ix) return 0;
    int rc = sb_fc_index_build(s->input, s->pred, s->opt.top_k, &s->ix, err);
    if (!rc) s->have_ix = 1;
    return rc;
}

static int ensure_scratch(fc_state *s, sb_err *err)
{
    int rc = 0;
    if (!s->work) rc = sb_fc_work_new(&s->work, err);
    if (!rc && !s->enc) rc = sb_fc_enc_new(&s->enc, err);
    if (!rc && !s->rs) {
        s->rs = sb_malloc(sizeof *s->rs, "forecast records", err);
        if (!s->rs) return SB_ENOMEM;
        sb_fc_recset_init(s->rs);
    }
    return rc;
}

static double log_cost(const sb_fc_index *ix, size_t i)
{
    double ng = (double)(ix->gt_start[i + 1] - ix->gt_start[i]);
    double np = (double)(ix->pred_start[i + 1] - ix->pred_start[i]);
    return ng + np * ix->k;
}

/* "first" for one log, "first..last" for a run (malloc'd). */
static char *unit_key(const sb_fc_index *ix, size_t first, size_t count)
{
    const char *a = ix->log[first], *b = ix->log[first + count - 1];
    size_t n = strlen(a) + (count > 1 ? strlen(b) + 2 : 0) + 1;
    char *k = malloc(n);
    if (k) snprintf(k, n, count > 1 ? "%s..%s" : "%s", a, b);
    return k;
}

/* Logs cheaper than group_cost are grouped with their neighbours in /logs order until the
 * group's cost reaches it; a log at or above it is a unit alone. A group is read at once and
 * journaled as one record: fewer reads and less engine bookkeeping per agent, but a log that
 * fails takes its group with it (the engine keeps no record for a failed unit).
 * arg = first log + (count - 1) * 2^32: a unit of one log keeps arg = its index. */
static int fc_plan(sb_task_ctx *t, sb_units *units, sb_err *err)
{
    fc_state *s = t->state;
    int rc = ensure_index(s, err);
    if (!rc && s->ix.n_logs >= UINT32_MAX)
        rc = sb_fail(err, SB_EINPUT, "%s: %zu logs, more than 2^32 - 1", s->input, s->ix.n_logs);
    for (size_t i = 0, j; i < s->ix.n_logs && !rc; i = j) {
        double cost = log_cost(&s->ix, i);
        for (j = i + 1; j < s->ix.n_logs && cost < s->group_cost; j++) {
            double next = log_cost(&s->ix, j);
            if (next >= s->group_cost) break;
            cost += next;
        }
        char *key = unit_key(&s->ix, i, j - i);
        if (!key) return sb_fail(err, SB_ENOMEM, "forecast plan: out of memory");
        rc = sb_units_add(units, key, cost, (int64_t)i + ((int64_t)(j - i - 1) << 32), err);
        free(key);
    }
    return rc;
}

/* Matches one log of the unit's read and appends its part to the record. */
static int run_log(fc_state *s, size_t j, sb_buf *rec, sb_err *err)
{
    const char *log = s->ix.log[s->d.first + j];
    sb_fc_gt gt;
    sb_fc_pred pred;
    sb_fc_log_view(&s->ix, &s->d, j, &gt, &pred);
    sb_fc_pred local = pred; /* matched with local row numbers: their order is the /pred order */
    local.index = NULL;
    sb_fc_recset_clear(s->rs);
    sb_fc_frames f;
    int rc = sb_fc_frames_build(&gt, &local, &f, err);
    for (size_t i = 0; i < f.n_frames && !rc; i++) {
        rc = sb_fc_match_frame(&gt, f.gt_rows + f.gt_start[i], f.gt_start[i + 1] - f.gt_start[i],
                               &local, f.pred_rows + f.pred_start[i],
                               f.pred_start[i + 1] - f.pred_start[i], &s->opt, s->work, s->rs, err);
        if (rc) sb_wrap(err, "%s: log %s", s->input, log);
    }
    if (!rc) rc = sb_fc_part_encode(rec, s->enc, log, gt.n, &pred, f.n_pred_dropped, s->rs, err);
    sb_fc_frames_free(&f);
    return rc;
}

static int fc_run_unit(sb_task_ctx *t, const sb_unit *u, sb_buf *rec, char *stage, size_t scap,
                       sb_err *err)
{
    fc_state *s = t->state;
    snprintf(stage, scap, "read");
    int rc = ensure_index(s, err);
    if (!rc) rc = ensure_scratch(s, err);
    if (rc) return rc;
    size_t first = (size_t)((uint64_t)u->arg & 0xffffffffu), count = (size_t)((uint64_t)u->arg >> 32) + 1;
    char *key = u->arg < 0 || first >= s->ix.n_logs || count > s->ix.n_logs - first
                    ? NULL
                    : unit_key(&s->ix, first, count);
    int here = key && !strncmp(key, u->key, strlen(u->key));
    free(key);
    if (!here)
        return sb_fail(err, SB_EINPUT, "%s: log %s is not where the plan found it (input changed?)",
                       s->input, u->key);
    if ((rc = sb_fc_read_logs(&s->ix, first, count, &s->d, stage, scap, err))) return rc;
    snprintf(stage, scap, "compute");
    sb_buf_put_u64(rec, SB_FC_REC_VERSION);
    sb_fc_put_varint(rec, count);
    for (size_t j = 0; j < count && !rc; j++) rc = run_log(s, j, rec, err);
    return rc ? rc : sb_buf_check(rec, err);
}

static int fc_finish(sb_task_ctx *t, const sb_unit *units, const sb_record *records, size_t n,
                     sb_tables *out, sb_err *err)
{
    (void)t;
    return sb_fc_finish(units, records, n, out, err);
}

const sb_task sb_task_forecast = {
    .name = "forecast",
    .summary = "Argoverse 2 end-to-end forecasting: mAP_F, ADE, FDE per profile and category",
    .cli = {"forecast", "eval", "Argoverse 2 end-to-end forecasting: mAP_F, ADE, FDE (specs/forecasting.md)"},
    .tables = (const char *const[]){"forecasting", "forecasting_logs", NULL},
    .options = fc_options,
    .open = fc_open,
    .plan = fc_plan,
    .run_unit = fc_run_unit,
    .finish = fc_finish,
    .close = fc_close,
};
