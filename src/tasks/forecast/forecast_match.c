/* forecast_match.c — per-frame greedy matching of predicted to ground-truth agents for every
 * (category, profile, threshold) cell, and the record sets that carry the result to the
 * sweep. Matching order within a frame is the global order (score desc, later row first)
 * restricted to the frame, so frames can be matched on any rank in any order. */
#include "tasks/forecast/forecast_metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- records ---------------------------------------------------------------------------- */

int sb_fc_record_cmp(const void *a, const void *b)
{
    const sb_fc_record *x = a, *y = b;
    if (x->score > y->score) return -1;
    if (x->score < y->score) return 1;
    if (x->index > y->index) return -1;
    if (x->index < y->index) return 1;
    return 0;
}

void sb_fc_recset_init(sb_fc_recset *rs) { memset(rs, 0, sizeof *rs); }

void sb_fc_recset_clear(sb_fc_recset *rs)
{
    for (int c = 0; c < SB_FC_NCELL; c++) rs->cell[c].n = 0;
    memset(rs->n_gt, 0, sizeof rs->n_gt);
    memset(rs->n_pred, 0, sizeof rs->n_pred);
    rs->n_frames = 0;
}

void sb_fc_recset_free(sb_fc_recset *rs)
{
    for (int c = 0; c < SB_FC_NCELL; c++) free(rs->cell[c].rec);
    memset(rs, 0, sizeof *rs);
}

static int run_reserve(sb_fc_run *run, size_t need, sb_err *err)
{
    if (need <= run->cap) return 0;
    size_t cap = run->cap ? run->cap : 64;
    while (cap < need) cap *= 2;
    sb_fc_record *p = realloc(run->rec, cap * sizeof *p);
    if (!p) return sb_fail(err, SB_ENOMEM, "forecast records: out of memory for %zu records", cap);
    run->rec = p;
    run->cap = cap;
    return 0;
}

int sb_fc_run_push(sb_fc_run *run, const sb_fc_record *r, sb_err *err)
{
    if (run->n == run->cap) {
        int rc = run_reserve(run, run->n + 1, err);
        if (rc) return rc;
    }
    run->rec[run->n++] = *r;
    return 0;
}

int sb_fc_recset_append(sb_fc_recset *dst, const sb_fc_recset *src, sb_err *err)
{
    for (int c = 0; c < SB_FC_NCELL; c++) {
        const sb_fc_run *s = &src->cell[c];
        if (s->n == 0) continue;
        int rc = run_reserve(&dst->cell[c], dst->cell[c].n + s->n, err);
        if (rc) return rc;
        memcpy(dst->cell[c].rec + dst->cell[c].n, s->rec, s->n * sizeof *s->rec);
        dst->cell[c].n += s->n;
    }
    for (int p = 0; p < SB_FC_NPROF; p++)
        for (int c = 0; c < SB_FC_NCAT; c++) {
            dst->n_gt[p][c] += src->n_gt[p][c];
            dst->n_pred[p][c] += src->n_pred[p][c];
        }
    dst->n_frames += src->n_frames;
    return 0;
}

void sb_fc_recset_sort(sb_fc_recset *rs)
{
    for (int c = 0; c < SB_FC_NCELL; c++)
        if (rs->cell[c].n > 1)
            qsort(rs->cell[c].rec, rs->cell[c].n, sizeof(sb_fc_record), sb_fc_record_cmp);
}

/* ---- frames ----------------------------------------------------------------------------- */

typedef struct {
    int64_t frame;
    size_t row;
} frame_row;

static int frame_row_cmp(const void *a, const void *b)
{
    const frame_row *x = a, *y = b;
    if (x->frame != y->frame) return x->frame < y->frame ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* Rows come grouped by frame in the usual layouts: then they are in order already. */
static void sort_by_frame(frame_row *fr, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (fr[i].frame < fr[i - 1].frame) {
            qsort(fr, n, sizeof *fr, frame_row_cmp);
            return;
        }
}

typedef struct {
    int32_t log;
    int64_t ts;
    size_t row;
} log_ts;

static int log_ts_cmp(const void *a, const void *b)
{
    const log_ts *x = a, *y = b;
    if (x->log != y->log) return x->log < y->log ? -1 : 1;
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

int sb_fc_frame_ids(size_t n_gt, const int32_t *gt_log, const int64_t *gt_ts, size_t n_pred,
                    const int32_t *pred_log, const int64_t *pred_ts, int64_t *gt_frame,
                    int64_t *pred_frame, sb_err *err)
{
    log_ts *k = sb_malloc((n_gt ? n_gt : 1) * sizeof *k, "forecast frame keys", err);
    if (!k) return SB_ENOMEM;
    for (size_t i = 0; i < n_gt; i++) k[i] = (log_ts){gt_log[i], gt_ts[i], i};
    qsort(k, n_gt, sizeof *k, log_ts_cmp);
    size_t nf = 0; /* distinct keys compacted to the front, in order */
    for (size_t i = 0; i < n_gt; i++) {
        size_t row = k[i].row;
        if (i == 0 || k[i].log != k[nf - 1].log || k[i].ts != k[nf - 1].ts) k[nf++] = k[i];
        gt_frame[row] = (int64_t)nf - 1;
    }
    for (size_t i = 0; i < n_pred; i++) {
        size_t lo = 0, hi = nf;
        log_ts key = {pred_log[i], pred_ts[i], 0};
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            log_ts probe = k[mid];
            probe.row = 0;
            if (log_ts_cmp(&probe, &key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        pred_frame[i] = lo < nf && k[lo].log == key.log && k[lo].ts == key.ts ? (int64_t)lo : -1;
    }
    free(k);
    return 0;
}

void sb_fc_frames_free(sb_fc_frames *f)
{
    free(f->frame_id);
    free(f->gt_start);
    free(f->gt_rows);
    free(f->pred_start);
    free(f->pred_rows);
    memset(f, 0, sizeof *f);
}

int sb_fc_frames_build(const sb_fc_gt *gt, const sb_fc_pred *pred, sb_fc_frames *out,
                       sb_err *err)
{
    memset(out, 0, sizeof *out);
    size_t ng = gt->n, np = pred ? pred->n : 0, nmax = ng > np ? ng : np;
    frame_row *fr = sb_malloc((nmax ? nmax : 1) * sizeof *fr, "forecast frames", err);
    if (!fr) return SB_ENOMEM;
    int rc = SB_ENOMEM;
    for (size_t i = 0; i < ng; i++) fr[i] = (frame_row){gt->frame[i], i};
    sort_by_frame(fr, ng);
    size_t nf = 0;
    for (size_t i = 0; i < ng; i++)
        if (i == 0 || fr[i].frame != fr[i - 1].frame) nf++;
    out->frame_id = sb_malloc((nf ? nf : 1) * sizeof(int64_t), "forecast frame ids", err);
    out->gt_start = sb_malloc((nf + 1) * sizeof(size_t), "forecast frames", err);
    out->gt_rows = sb_malloc((ng ? ng : 1) * sizeof(size_t), "forecast frames", err);
    out->pred_start = sb_calloc(nf + 1, sizeof(size_t), "forecast frames", err);
    out->pred_rows = sb_malloc((np ? np : 1) * sizeof(size_t), "forecast frames", err);
    if (!out->frame_id || !out->gt_start || !out->gt_rows || !out->pred_start || !out->pred_rows)
        goto fail;
    out->n_frames = nf;
    nf = 0;
    for (size_t i = 0; i < ng; i++) {
        if (i == 0 || fr[i].frame != fr[i - 1].frame) {
            out->frame_id[nf] = fr[i].frame;
            out->gt_start[nf++] = i;
        }
        out->gt_rows[i] = fr[i].row;
    }
    out->gt_start[nf] = ng;
    for (size_t i = 0; i < np; i++) fr[i] = (frame_row){pred->frame[i], i};
    sort_by_frame(fr, np);
    /* walk both sorted lists: predictions of frames without GT are dropped */
    size_t f = 0, kept = 0;
    for (size_t i = 0; i < np; i++) {
        while (f < nf && out->frame_id[f] < fr[i].frame) {
            out->pred_start[++f] = kept;
        }
        if (f < nf && out->frame_id[f] == fr[i].frame)
            out->pred_rows[kept++] = fr[i].row;
        else
            out->n_pred_dropped++;
    }
    while (f < nf) out->pred_start[++f] = kept;
    free(fr);
    return 0;
fail:
    free(fr);
    sb_fc_frames_free(out);
    return rc;
}

/* ---- matching --------------------------------------------------------------------------- */

typedef struct {
    size_t row;
    int cat, prof, len;
} gt_item;

typedef struct {
    size_t row;
    int64_t index;
    double score;
    int cat, prof, best_mode;
} pred_item;

struct sb_fc_work {
    gt_item *g;
    size_t cap_g;
    pred_item *p;
    size_t cap_p;
    size_t *gsel; /* positions in the category's GT list, one profile at a time */
    unsigned char *taken;
    size_t cap_sel;
    double *dist, *ade, *fde; /* per (pred, GT of the category) pair */
    unsigned char *done;
    size_t cap_pair;
};

int sb_fc_work_new(sb_fc_work **out, sb_err *err)
{
    *out = sb_calloc(1, sizeof **out, "forecast work space", err);
    return *out ? 0 : SB_ENOMEM;
}

void sb_fc_work_free(sb_fc_work *w)
{
    if (!w) return;
    free(w->g);
    free(w->p);
    free(w->gsel);
    free(w->taken);
    free(w->dist);
    free(w->ade);
    free(w->fde);
    free(w->done);
    free(w);
}

static int grow(void **ptr, size_t need, size_t size, sb_err *err)
{
    void *p = realloc(*ptr, (need ? need : 1) * size);
    if (!p) return sb_fail(err, SB_ENOMEM, "forecast work space: out of memory");
    *ptr = p;
    return 0;
}

static int work_reserve(sb_fc_work *w, size_t ng, size_t np, sb_err *err)
{
    int rc = 0;
    if (ng > w->cap_g) {
        size_t cap = ng * 2;
        if ((rc = grow((void **)&w->g, cap, sizeof *w->g, err)) ||
            (rc = grow((void **)&w->gsel, cap, sizeof *w->gsel, err)) ||
            (rc = grow((void **)&w->taken, cap, 1, err)))
            return rc;
        w->cap_g = w->cap_sel = cap;
    }
    if (np > w->cap_p) {
        size_t cap = np * 2;
        if ((rc = grow((void **)&w->p, cap, sizeof *w->p, err))) return rc;
        w->cap_p = cap;
    }
    return 0;
}

static int pair_reserve(sb_fc_work *w, size_t n, sb_err *err)
{
    if (n <= w->cap_pair) return 0;
    size_t cap = n * 2;
    int rc;
    if ((rc = grow((void **)&w->dist, cap, sizeof(double), err)) ||
        (rc = grow((void **)&w->ade, cap, sizeof(double), err)) ||
        (rc = grow((void **)&w->fde, cap, sizeof(double), err)) ||
        (rc = grow((void **)&w->done, cap, 1, err)))
        return rc;
    w->cap_pair = cap;
    return 0;
}

static int pred_item_cmp(const void *a, const void *b)
{
    const pred_item *x = a, *y = b;
    if (x->cat != y->cat) return x->cat < y->cat ? -1 : 1;
    if (x->score > y->score) return -1;
    if (x->score < y->score) return 1;
    if (x->index > y->index) return -1;
    if (x->index < y->index) return 1;
    return 0;
}

/* ADE and FDE of a matched pair: top_k 1 takes the best-scored mode, top_k 5 the mode of
 * smallest ADE among the first five (first on ties). Means are summed in step order from 0,
 * as np.mean does for fewer than 8 items. */
static void pair_errors(const sb_fc_pred *pred, const pred_item *p, const sb_fc_gt *gt,
                        const gt_item *g, int top_k, double *ade, double *fde)
{
    const double *f = gt->future_xy + (size_t)2 * SB_FC_T * g->row;
    const double *m = pred->modes_xy + (size_t)pred->k * SB_FC_T * 2 * p->row;
    int first = top_k == 1 ? p->best_mode : 0, last = top_k == 1 ? p->best_mode + 1 : top_k;
    double best_ade = INFINITY, best_fde = INFINITY;
    for (int k = first; k < last; k++) {
        const double *q = m + (size_t)k * SB_FC_T * 2;
        double sum = 0.0, d = 0.0;
        for (int s = 0; s < g->len; s++) {
            double dx = f[2 * s] - q[2 * s], dy = f[2 * s + 1] - q[2 * s + 1];
            d = sqrt(dx * dx + dy * dy);
            sum += d;
        }
        double a = sum / g->len;
        if (top_k == 1 || a < best_ade) {
            best_ade = a;
            best_fde = d;
        }
    }
    *ade = best_ade;
    *fde = best_fde;
}

int sb_fc_match_frame(const sb_fc_gt *gt, const size_t *gt_rows, size_t n_gt_rows,
                      const sb_fc_pred *pred, const size_t *pred_rows, size_t n_pred_rows,
                      const sb_fc_options *opt, sb_fc_work *w, sb_fc_recset *out, sb_err *err)
{
    int rc;
    if (opt->top_k != 1 && opt->top_k != 5)
        return sb_fail(err, SB_EUSAGE, "forecast: top_k is %d, the reference defines 1 and 5",
                       opt->top_k);
    if (n_pred_rows && opt->top_k > pred->k)
        return sb_fail(err, SB_EINPUT, "/pred/modes_xy: %d modes, top_k %d needs at least %d",
                       pred->k, opt->top_k, opt->top_k);
    if ((rc = work_reserve(w, n_gt_rows, n_pred_rows, err))) return rc;

    /* GT agents with a future, in input order; the frame counts only if there is one */
    size_t ng = 0;
    const double *ego = NULL, *ego_fallback = NULL;
    for (size_t i = 0; i < n_gt_rows; i++) {
        size_t row = gt_rows[i];
        sb_fc_gt_agent a;
        if ((rc = sb_fc_gt_derive(gt, row, opt->max_range, &a, err))) return rc;
        if (a.len == 0) continue;
        if (!ego_fallback) ego_fallback = gt->ego_xy + 2 * row;
        if (!a.in_range) continue;
        if (!ego) ego = gt->ego_xy + 2 * row;
        w->g[ng++] = (gt_item){row, gt->category[row], a.profile, a.len};
        out->n_gt[a.profile][gt->category[row]]++;
    }
    if (!ego_fallback) return 0;
    if (!ego) ego = ego_fallback;
    out->n_frames++;

    size_t np = 0;
    for (size_t i = 0; i < n_pred_rows; i++) {
        size_t row = pred_rows[i];
        sb_fc_pred_agent a;
        if ((rc = sb_fc_pred_derive(pred, row, ego, opt->max_range, &a, err))) return rc;
        if (!a.in_range) continue;
        int cat = pred->category[row];
        w->p[np++] = (pred_item){row, pred->index ? pred->index[row] : (int64_t)row,
                                 pred->score[row], cat, a.profile, a.best_mode};
        out->n_pred[a.profile][cat]++;
    }
    if (np > 1) qsort(w->p, np, sizeof *w->p, pred_item_cmp);

    for (size_t a = 0; a < np;) {
        int cat = w->p[a].cat;
        size_t b = a;
        while (b < np && w->p[b].cat == cat) b++;
        size_t nc = b - a;
        const pred_item *P = w->p + a;

        /* this category's GT agents, compacted in input order at the front of gsel */
        size_t ngc = 0;
        for (size_t j = 0; j < ng; j++)
            if (w->g[j].cat == cat) w->gsel[ngc++] = j;
        if ((rc = pair_reserve(w, nc * (ngc ? ngc : 1), err))) return rc;
        for (size_t i = 0; i < nc; i++) {
            const double *pc = pred->current_xy + 2 * P[i].row;
            for (size_t j = 0; j < ngc; j++) {
                const double *gc = gt->current_xy + 2 * w->g[w->gsel[j]].row;
                double dx = gc[0] - pc[0], dy = gc[1] - pc[1];
                w->dist[i * ngc + j] = sqrt(dx * dx + dy * dy);
                w->done[i * ngc + j] = 0;
            }
        }
        /* gsel[0..ngc) keeps the category list; the profile subset goes after it */
        if ((rc = work_reserve(w, 2 * ngc, 0, err))) return rc;
        size_t *sel = w->gsel + ngc;
        double vcat = sb_fc_category_speed[cat];
        for (int prof = 0; prof < SB_FC_NPROF; prof++) {
            size_t ns = 0;
            for (size_t j = 0; j < ngc; j++)
                if (w->g[w->gsel[j]].prof == prof) sel[ns++] = j;
            for (int t = 0; t < SB_FC_NTH; t++) {
                double th = sb_fc_thresholds[t];
                sb_fc_run *run = &out->cell[sb_fc_cell(cat, prof, t)];
                if (ns) memset(w->taken, 0, ns);
                for (size_t i = 0; i < nc; i++) {
                    double best = INFINITY;
                    size_t m = ns;
                    for (size_t s = 0; s < ns; s++) {
                        double d = w->dist[i * ngc + sel[s]];
                        if (!w->taken[s] && d < best) {
                            best = d;
                            m = s;
                        }
                    }
                    sb_fc_record r = {P[i].score, P[i].index, 0.0, 0.0, 0, 0};
                    if (m < ns && best < th) {
                        w->taken[m] = 1;
                        size_t pr = i * ngc + sel[m];
                        const gt_item *g = &w->g[w->gsel[sel[m]]];
                        if (!w->done[pr]) {
                            pair_errors(pred, &P[i], gt, g, opt->top_k, &w->ade[pr], &w->fde[pr]);
                            w->done[pr] = 1;
                        }
                        r.ade = w->ade[pr];
                        r.fde = w->fde[pr];
                        r.matched = 1;
                        r.tp = r.fde < th + sb_fc_forecast_scalar(g->len) * vcat;
                    } else if (P[i].prof != prof) {
                        continue; /* an unmatched prediction counts only under its own profile */
                    }
                    if ((rc = sb_fc_run_push(run, &r, err))) return rc;
                }
            }
        }
        a = b;
    }
    return 0;
}

int sb_fc_match_frames(const sb_fc_gt *gt, const sb_fc_pred *pred, const sb_fc_frames *f,
                       size_t first, size_t last, const sb_fc_options *opt, sb_fc_recset *out,
                       sb_err *err)
{
    sb_fc_work *w;
    int rc = sb_fc_work_new(&w, err);
    if (rc) return rc;
    for (size_t i = first; i < last && i < f->n_frames && !rc; i++)
        rc = sb_fc_match_frame(gt, f->gt_rows + f->gt_start[i], f->gt_start[i + 1] - f->gt_start[i],
                               pred, f->pred_rows + f->pred_start[i],
                               f->pred_start[i + 1] - f->pred_start[i], opt, w, out, err);
    sb_fc_work_free(w);
    return rc;
}
