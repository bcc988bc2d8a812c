/* forecast_task.c — Argoverse 2 end-to-end forecasting evaluation as a task
 * (specs/forecasting.md, formats.md "Forecasting").
 *
 * Unit = one log: its frames are matched (sb_fc_match_frames) into per-cell match records,
 * sorted in sweep order on the rank that ran it. finish merges the logs' sorted runs of each
 * (category, profile, threshold) cell k-way by (score desc, /pred row desc) — the global order
 * of the reference — sweeps each cell and aggregates. Since a record carries its /pred row
 * number, the merge order and so every number is independent of how logs met ranks. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/task.h"
#include "tasks/forecast/forecast_input.h"
#include "tasks/forecast/forecast_metrics.h"

static const sb_option fc_options[] = {
    {"input", SB_OPT_PATH, NULL, "HDF5 file with /logs, /categories, /gt (and /pred unless --pred)", 1, SB_NO_RANGE},
    {"pred", SB_OPT_PATH, NULL, "HDF5 file with /logs, /categories, /pred (logs matched by name)", 0, SB_NO_RANGE},
    {"top_k", SB_OPT_INT, "5", "1: the highest-scored mode; 5: the best of modes 0..4 (min ADE)", 0, {1, 5}},
    {"max_range", SB_OPT_DOUBLE, "50", "keep agents closer than this to the ego vehicle (m)", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

typedef struct fc_state {
    char input[1024], pred[1024];
    sb_fc_options opt;
    sb_fc_index ix;
    int have_ix;
} fc_state;

#define REC_VERSION 2
#define MATCHED 1u
#define TP 2u

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
        (rc = sb_opts_double(t->opts, fc_options, "max_range", &s->opt.max_range, err)))
        return rc;
    if (k != 1 && k != 5)
        return sb_fail(err, SB_EUSAGE, "%s: top_k must be 1 or 5 (the reference's two), not %ld",
                       t->opts->where, k);
    if (!(s->opt.max_range > 0) || !isfinite(s->opt.max_range))
        return sb_fail(err, SB_EUSAGE, "%s: max_range must be a positive number of metres",
                       t->opts->where);
    s->opt.top_k = (int)k;
    return 0;
}

static void fc_close(sb_task_ctx *t)
{
    fc_state *s = t->state;
    if (s && s->have_ix) sb_fc_index_free(&s->ix);
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

static int fc_plan(sb_task_ctx *t, sb_units *units, sb_err *err)
{
    fc_state *s = t->state;
    int rc = ensure_index(s, err);
    for (size_t i = 0; i < s->ix.n_logs && !rc; i++) {
        double ng = (double)(s->ix.gt_start[i + 1] - s->ix.gt_start[i]);
        double np = (double)(s->ix.pred_start[i + 1] - s->ix.pred_start[i]);
        rc = sb_units_add(units, s->ix.log[i], ng + np * s->ix.k, (int64_t)i, err);
    }
    return rc;
}

static void put_varint(sb_buf *b, uint64_t v)
{
    unsigned char t[10];
    int n = 0;
    do {
        t[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v) t[n] |= 0x80;
        n++;
    } while (v);
    sb_buf_put(b, t, (size_t)n);
}

typedef struct ranked {
    double score;
    uint32_t row;
} ranked;

/* sweep order of the log's predictions: score descending, later row first (rows are in
 * /pred order, so the local row order is the global one) */
static int by_sweep(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->score > y->score) return -1;
    if (x->score < y->score) return 1;
    return x->row > y->row ? -1 : x->row < y->row;
}

/* The record of one log. Predictions that made a match record are listed once, in sweep
 * order (score, /pred row); a cell's records then refer to them by their rank there, which
 * grows along the cell, as varint deltas with the matched/TP flags in the low bits. ADE and
 * FDE travel only for the 2 m cells: the table takes ADE/FDE from those alone. The records of
 * a log come out in sweep order by a counting sort on the rank, in time linear in their
 * number. */
static int encode(sb_buf *b, const char *log, const sb_fc_log_data *d, size_t dropped,
                  const sb_fc_recset *rs, sb_err *err)
{
    size_t np = d->pred.n, nrec = 0;
    if (np >= UINT32_MAX)
        return sb_fail(err, SB_EINPUT, "forecast: log %s has %zu predictions, more than 2^32", log, np);
    uint32_t *rank = malloc((np ? np : 1) * sizeof *rank);
    ranked *order = malloc((np ? np : 1) * sizeof *order);
    size_t *cnt = NULL, *pos = NULL, *start = NULL;
    uint32_t *slot_cell = NULL;
    int rc = 0;
    if (!rank || !order) goto oom;
    for (size_t i = 0; i < np; i++) rank[i] = UINT32_MAX;
    for (int c = 0; c < SB_FC_NCELL; c++) {
        nrec += rs->cell[c].n;
        for (size_t k = 0; k < rs->cell[c].n; k++) rank[rs->cell[c].rec[k].index] = 0;
    }
    uint32_t nused = 0;
    for (size_t i = 0; i < np; i++)
        if (rank[i] == 0) order[nused++] = (ranked){d->pred.score[i], (uint32_t)i};
    qsort(order, nused, sizeof *order, by_sweep);
    for (uint32_t r = 0; r < nused; r++) rank[order[r].row] = r;

    /* counting sort of all records by rank: pos[] lists (cell, position) in sweep order */
    cnt = calloc((size_t)nused + 1 > SB_FC_NCELL ? (size_t)nused + 1 : SB_FC_NCELL, sizeof *cnt);
    pos = malloc((nrec ? nrec : 1) * sizeof *pos);
    slot_cell = malloc((nrec ? nrec : 1) * sizeof *slot_cell);
    start = calloc(SB_FC_NCELL + 1, sizeof *start);
    if (!cnt || !pos || !slot_cell || !start) goto oom;
    for (int c = 0; c < SB_FC_NCELL; c++)
        for (size_t k = 0; k < rs->cell[c].n; k++) cnt[rank[rs->cell[c].rec[k].index] + 1]++;
    for (uint32_t r = 0; r < nused; r++) cnt[r + 1] += cnt[r];
    for (int c = 0; c < SB_FC_NCELL; c++)
        for (size_t k = 0; k < rs->cell[c].n; k++) {
            size_t at = cnt[rank[rs->cell[c].rec[k].index]]++;
            pos[at] = k;
            slot_cell[at] = (uint32_t)c;
        }
    /* regroup by cell, keeping the rank order within each: start[c] .. start[c+1) */
    for (int c = 0; c < SB_FC_NCELL; c++) start[c + 1] = start[c] + rs->cell[c].n;
    size_t *fill = cnt; /* reused: next free slot per cell */
    for (int c = 0; c < SB_FC_NCELL; c++) fill[c] = start[c];
    size_t *bycell = malloc((nrec ? nrec : 1) * sizeof *bycell);
    if (!bycell) goto oom;
    for (size_t i = 0; i < nrec; i++) bycell[fill[slot_cell[i]]++] = pos[i];

    sb_buf_put_u64(b, REC_VERSION);
    sb_buf_put_str(b, log);
    sb_buf_put_i64(b, (int64_t)d->gt.n);
    sb_buf_put_i64(b, (int64_t)np);
    sb_buf_put_i64(b, (int64_t)dropped);
    sb_buf_put_i64(b, rs->n_frames);
    for (int p = 0; p < SB_FC_NPROF; p++)
        for (int c = 0; c < SB_FC_NCAT; c++) {
            sb_buf_put_i64(b, rs->n_gt[p][c]);
            sb_buf_put_i64(b, rs->n_pred[p][c]);
        }
    sb_buf_put_u64(b, nused);
    for (uint32_t r = 0; r < nused; r++) {
        sb_buf_put_f64(b, order[r].score);
        sb_buf_put_i64(b, d->pred_index[order[r].row]);
    }
    uint64_t nonempty = 0;
    for (int c = 0; c < SB_FC_NCELL; c++) nonempty += rs->cell[c].n > 0;
    sb_buf_put_u64(b, nonempty);
    sb_buf cellbuf;
    sb_buf_init(&cellbuf);
    for (int c = 0; c < SB_FC_NCELL; c++) {
        const sb_fc_run *run = &rs->cell[c];
        if (!run->n) continue;
        int with_errors = c % SB_FC_NTH == SB_FC_TH_ADE;
        cellbuf.len = 0;
        uint64_t prev = 0;
        for (size_t k = start[c]; k < start[c + 1]; k++) {
            const sb_fc_record *r = &run->rec[bycell[k]];
            uint64_t rk = rank[r->index];
            put_varint(&cellbuf, (rk - prev) << 2 | (r->matched ? MATCHED : 0) | (r->tp ? TP : 0));
            prev = rk;
            if (with_errors && r->matched) {
                sb_buf_put_f64(&cellbuf, r->ade);
                sb_buf_put_f64(&cellbuf, r->fde);
            }
        }
        sb_buf_put_u64(b, (uint64_t)c);
        sb_buf_put_u64(b, run->n);
        sb_buf_put_u64(b, cellbuf.len);
        sb_buf_put(b, cellbuf.data, cellbuf.len);
    }
    rc = sb_buf_check(&cellbuf, err);
    sb_buf_free(&cellbuf);
    free(bycell);
    goto done;
oom:
    rc = sb_fail(err, SB_ENOMEM, "forecast: out of memory encoding log %s", log);
done:
    free(rank);
    free(order);
    free(cnt);
    free(pos);
    free(slot_cell);
    free(start);
    return rc;
}

static int fc_run_unit(sb_task_ctx *t, const sb_unit *u, sb_buf *rec, char *stage, size_t scap,
                       sb_err *err)
{
    fc_state *s = t->state;
    snprintf(stage, scap, "read");
    int rc = ensure_index(s, err);
    if (rc) return rc;
    size_t i = (size_t)u->arg;
    if (u->arg < 0 || i >= s->ix.n_logs || strncmp(s->ix.log[i], u->key, strlen(u->key)))
        return sb_fail(err, SB_EINPUT, "%s: log %s is not where the plan found it (input changed?)",
                       s->input, u->key);
    sb_fc_log_data d;
    if ((rc = sb_fc_read_log(&s->ix, i, &d, stage, scap, err))) return rc;
    snprintf(stage, scap, "compute");
    sb_fc_frames f;
    sb_fc_recset rs;
    sb_fc_recset_init(&rs);
    /* matched with local row numbers: their order is the /pred order within the log */
    d.pred.index = NULL;
    rc = sb_fc_frames_build(&d.gt, &d.pred, &f, err);
    if (!rc) {
        rc = sb_fc_match_frames(&d.gt, &d.pred, &f, 0, f.n_frames, &s->opt, &rs, err);
        if (rc) sb_wrap(err, "%s: log %s", s->input, s->ix.log[i]);
    }
    if (!rc) {
        rc = encode(rec, s->ix.log[i], &d, f.n_pred_dropped, &rs, err);
        if (!rc) rc = sb_buf_check(rec, err);
    }
    sb_fc_frames_free(&f);
    sb_fc_recset_free(&rs);
    sb_fc_log_data_free(&d);
    return rc;
}

/* ---- finish: decode, k-way merge per cell, sweep, aggregate ------------------------------ */

typedef struct stream {
    const unsigned char *p, *end;
    size_t left;
    uint64_t rank;                /* rank of the last entry read */
    const unsigned char *table;   /* the log's (score, /pred row) pairs in sweep order */
    uint64_t ntable;
    int with_errors;              /* a 2 m cell: matched entries carry ADE and FDE */
} stream;

typedef struct log_info {
    char *name;
    int64_t gt_rows, pred_rows, dropped, frames;
} log_info;

/* the journal's little-endian 8 bytes (core/buf.h) */
static uint64_t le64(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
#else
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
#endif
}

static double le64_f(const unsigned char *p)
{
    uint64_t u = le64(p);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* Decodes the head entry of a stream; returns 0, or -1 on a corrupt record. */
static int next_entry(stream *s, sb_fc_record *out)
{
    uint64_t v = 0;
    int shift = 0;
    for (;;) {
        if (s->p >= s->end || shift > 63) return -1;
        unsigned char byte = *s->p++;
        v |= (uint64_t)(byte & 0x7f) << shift;
        shift += 7;
        if (!(byte & 0x80)) break;
    }
    s->rank += v >> 2;
    if (s->rank >= s->ntable) return -1;
    const unsigned char *t = s->table + 16 * s->rank;
    out->score = le64_f(t);
    out->index = (int64_t)le64(t + 8);
    out->matched = (v & MATCHED) != 0;
    out->tp = (v & TP) != 0;
    out->ade = out->fde = 0.0;
    if (out->matched && s->with_errors) {
        if (s->end - s->p < 16) return -1;
        out->ade = le64_f(s->p);
        out->fde = le64_f(s->p + 8);
        s->p += 16;
    }
    s->left--;
    return 0;
}

typedef struct heap_item {
    sb_fc_record head;
    size_t stream;
} heap_item;

/* sb_fc_record_cmp(a, b) < 0, inlined: the merge calls it about log2(logs) times per record */
static inline int heap_less(const heap_item *a, const heap_item *b)
{
    if (a->head.score != b->head.score) return a->head.score > b->head.score;
    return a->head.index > b->head.index;
}

static void sift_down(heap_item *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && heap_less(&h[l], &h[m])) m = l;
        if (r < n && heap_less(&h[r], &h[m])) m = r;
        if (m == i) return;
        heap_item t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* Merges the cell's sorted runs of every log into out (n records). */
static int merge_cell(stream *st, size_t ns, sb_fc_record *out, size_t n, heap_item *h)
{
    size_t nh = 0, k = 0;
    for (size_t i = 0; i < ns; i++)
        if (st[i].left) {
            if (next_entry(&st[i], &h[nh].head)) return -1;
            h[nh++].stream = i;
        }
    for (size_t i = nh; i-- > 0;) sift_down(h, nh, i);
    while (nh) {
        if (k == n) return -1;
        out[k++] = h[0].head;
        stream *s = &st[h[0].stream];
        if (s->left) {
            if (next_entry(s, &h[0].head)) return -1;
        } else {
            h[0] = h[--nh];
        }
        sift_down(h, nh, 0);
    }
    return k == n ? 0 : -1;
}

static int add_row(sb_table *tab, const char *prof, const char *cat, double map, double ade,
                   double fde, int64_t ngt, int64_t npred, sb_err *err)
{
    size_t row;
    int rc;
    if ((rc = sb_table_add_row(tab, &row, err)) || (rc = sb_table_set_str(tab, row, 0, prof, err)) ||
        (rc = sb_table_set_str(tab, row, 1, cat, err)))
        return rc;
    sb_table_set_num(tab, row, 2, map);
    sb_table_set_num(tab, row, 3, ade);
    sb_table_set_num(tab, row, 4, fde);
    sb_table_set_int(tab, row, 5, ngt);
    sb_table_set_int(tab, row, 6, npred);
    return 0;
}

static int write_tables(const sb_fc_table *tb, const log_info *logs, size_t n, sb_tables *out,
                        sb_err *err)
{
    static const char *cols[] = {"profile", "category", "mAP_F", "ADE", "FDE", "n_gt", "n_pred"};
    sb_table *tab;
    int rc = sb_tables_add(out, "forecasting", 7, cols, &tab, err);
    int64_t prof_gt[SB_FC_NPROF] = {0}, prof_pred[SB_FC_NPROF] = {0};
    int64_t cat_gt[SB_FC_NCAT] = {0}, cat_pred[SB_FC_NCAT] = {0}, all_gt = 0, all_pred = 0;
    for (int p = 0; p < SB_FC_NPROF; p++)
        for (int c = 0; c < SB_FC_NCAT && !rc; c++) {
            rc = add_row(tab, sb_fc_profile_names[p], sb_fc_category_names[c], tb->map_f[p][c],
                         tb->ade[p][c], tb->fde[p][c], tb->n_gt[p][c], tb->n_pred[p][c], err);
            prof_gt[p] += tb->n_gt[p][c];
            prof_pred[p] += tb->n_pred[p][c];
            cat_gt[c] += tb->n_gt[p][c];
            cat_pred[c] += tb->n_pred[p][c];
            all_gt += tb->n_gt[p][c];
            all_pred += tb->n_pred[p][c];
        }
    for (int p = 0; p < SB_FC_NPROF && !rc; p++)
        rc = add_row(tab, sb_fc_profile_names[p], "ALL", tb->profile_map_f[p], tb->profile_ade[p],
                     tb->profile_fde[p], prof_gt[p], prof_pred[p], err);
    for (int c = 0; c < SB_FC_NCAT && !rc; c++)
        rc = add_row(tab, "ALL", sb_fc_category_names[c], tb->category_map_f[c],
                     tb->category_ade[c], tb->category_fde[c], cat_gt[c], cat_pred[c], err);
    if (!rc)
        rc = add_row(tab, "ALL", "ALL", tb->mean_map_f, tb->mean_ade, tb->mean_fde, all_gt,
                     all_pred, err);
    static const char *lcols[] = {"log", "frames", "gt_rows", "pred_rows", "pred_dropped"};
    sb_table *lt = NULL;
    if (!rc) rc = sb_tables_add(out, "forecasting_logs", 5, lcols, &lt, err);
    for (size_t i = 0; i < n && !rc; i++) {
        if (!logs[i].name) continue;
        size_t row;
        if ((rc = sb_table_add_row(lt, &row, err)) ||
            (rc = sb_table_set_str(lt, row, 0, logs[i].name, err)))
            break;
        sb_table_set_int(lt, row, 1, logs[i].frames);
        sb_table_set_int(lt, row, 2, logs[i].gt_rows);
        sb_table_set_int(lt, row, 3, logs[i].pred_rows);
        sb_table_set_int(lt, row, 4, logs[i].dropped);
    }
    return rc;
}

static int fc_finish(sb_task_ctx *t, const sb_unit *units, const sb_record *records, size_t n,
                     sb_tables *out, sb_err *err)
{
    (void)t;
    int rc = 0;
    size_t ns = n ? n : 1;
    stream *st = calloc(ns * SB_FC_NCELL, sizeof *st); /* [cell][unit] */
    log_info *logs = calloc(ns, sizeof *logs);
    heap_item *heap = calloc(ns, sizeof *heap);
    sb_fc_cell_result *cells = calloc(SB_FC_NCELL, sizeof *cells);
    size_t *cell_n = calloc(SB_FC_NCELL, sizeof *cell_n);
    int64_t n_gt[SB_FC_NPROF][SB_FC_NCAT] = {{0}}, n_pred[SB_FC_NPROF][SB_FC_NCAT] = {{0}};
    if (!st || !logs || !heap || !cells || !cell_n)
        rc = sb_fail(err, SB_ENOMEM, "out of memory finishing forecast");
    for (size_t u = 0; u < n && !rc; u++) {
        if (!records[u].data || records[u].failed) continue;
        sb_reader r;
        sb_reader_init(&r, records[u].data, records[u].len);
        int bad = sb_get_u64(&r) != REC_VERSION;
        log_info *li = &logs[u];
        li->name = bad ? NULL : sb_get_strdup(&r);
        li->gt_rows = sb_get_i64(&r);
        li->pred_rows = sb_get_i64(&r);
        li->dropped = sb_get_i64(&r);
        li->frames = sb_get_i64(&r);
        for (int p = 0; p < SB_FC_NPROF; p++)
            for (int c = 0; c < SB_FC_NCAT; c++) {
                n_gt[p][c] += sb_get_i64(&r);
                n_pred[p][c] += sb_get_i64(&r);
            }
        uint64_t ntable = sb_get_u64(&r);
        const unsigned char *table = r.p;
        if (r.bad || ntable > (uint64_t)(r.end - r.p) / 16)
            bad = 1;
        else
            r.p += 16 * ntable;
        uint64_t nonempty = bad ? 0 : sb_get_u64(&r);
        bad |= r.bad || nonempty > SB_FC_NCELL;
        for (uint64_t j = 0; j < nonempty && !bad; j++) {
            uint64_t c = sb_get_u64(&r), cnt = sb_get_u64(&r), bytes = sb_get_u64(&r);
            if (r.bad || c >= SB_FC_NCELL || bytes > (uint64_t)(r.end - r.p) || bytes < cnt) {
                bad = 1;
                break;
            }
            st[c * ns + u] = (stream){r.p, r.p + bytes, (size_t)cnt, 0, table, ntable,
                                      c % SB_FC_NTH == SB_FC_TH_ADE};
            cell_n[c] += (size_t)cnt;
            r.p += bytes;
        }
        if (bad || r.p != r.end)
            rc = sb_fail(err, SB_EINPUT, "journal record of forecast log %s is corrupt", units[u].key);
    }
    size_t maxn = 0;
    for (int c = 0; c < SB_FC_NCELL; c++) maxn = cell_n[c] > maxn ? cell_n[c] : maxn;
    sb_fc_record *buf = rc ? NULL : malloc((maxn ? maxn : 1) * sizeof *buf);
    if (!rc && !buf) rc = sb_fail(err, SB_ENOMEM, "out of memory merging %zu forecast records", maxn);
    for (int cat = 0; cat < SB_FC_NCAT && !rc; cat++)
        for (int p = 0; p < SB_FC_NPROF && !rc; p++)
            for (int h = 0; h < SB_FC_NTH && !rc; h++) {
                int c = sb_fc_cell(cat, p, h);
                if (merge_cell(st + (size_t)c * ns, n, buf, cell_n[c], heap)) {
                    rc = sb_fail(err, SB_EINPUT, "journal records of cell %s/%s/%g m are corrupt",
                                 sb_fc_category_names[cat], sb_fc_profile_names[p],
                                 sb_fc_thresholds[h]);
                    break;
                }
                rc = sb_fc_sweep(buf, cell_n[c], n_gt[p][cat], &cells[c], err);
                if (rc)
                    sb_wrap(err, "cell %s/%s/%g m", sb_fc_category_names[cat],
                            sb_fc_profile_names[p], sb_fc_thresholds[h]);
            }
    free(buf);
    if (!rc) {
        sb_fc_table tb;
        sb_fc_aggregate(cells, n_gt, n_pred, &tb);
        rc = write_tables(&tb, logs, n, out, err);
    }
    if (logs)
        for (size_t u = 0; u < n; u++) free(logs[u].name);
    free(logs);
    free(st);
    free(heap);
    free(cells);
    free(cell_n);
    return rc;
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
