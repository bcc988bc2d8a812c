/* forecast_record.c — encoding one log's part of a unit record, and reading a part back with
 * every count checked (forecast_record.h has the layout). */
#include "tasks/forecast/forecast_record.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_fc_put_varint(sb_buf *b, uint64_t v)
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

uint64_t sb_fc_get_varint_slow(sb_fc_cursor *c)
{
    uint64_t v = 0;
    for (int shift = 0; !c->bad; shift += 7) {
        if (c->p >= c->end || shift > 63) break;
        unsigned char byte = *c->p++;
        if (shift == 63 && byte > 1) break; /* would not fit in 64 bits */
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) return v;
    }
    c->bad = 1;
    return 0;
}

typedef struct ranked {
    double score;
    uint32_t row; /* local row of the log */
    int32_t cat;
} ranked;

struct sb_fc_enc {
    uint32_t *rank;    /* local row -> rank in sweep order (UINT32_MAX: no record) */
    ranked *order;     /* rank -> (score, local row) */
    size_t cap_pred;
    size_t *cnt;       /* counting sort by rank; cap_pred + 1 and at least SB_FC_NCELL */
    size_t *pos, *bycell;
    uint32_t *slot_cell;
    size_t cap_rec;
    sb_buf cell;       /* one cell's records */
};

int sb_fc_enc_new(sb_fc_enc **out, sb_err *err)
{
    *out = sb_calloc(1, sizeof **out, "forecast record encoder", err);
    if (*out) sb_buf_init(&(*out)->cell);
    return *out ? 0 : SB_ENOMEM;
}

void sb_fc_enc_free(sb_fc_enc *e)
{
    if (!e) return;
    free(e->rank);
    free(e->order);
    free(e->cnt);
    free(e->pos);
    free(e->bycell);
    free(e->slot_cell);
    sb_buf_free(&e->cell);
    free(e);
}

static int grow(void *pp, size_t n, size_t size)
{
    void *p = realloc(*(void **)pp, n * size);
    if (!p) return -1;
    *(void **)pp = p;
    return 0;
}

static int enc_reserve(sb_fc_enc *e, size_t np, size_t nrec)
{
    if (np + 1 > e->cap_pred) {
        size_t cap = np + np / 2 + 1;
        if (grow(&e->rank, cap, sizeof *e->rank) || grow(&e->order, cap, sizeof *e->order) ||
            grow(&e->cnt, cap + SB_FC_NCELL + 1, sizeof *e->cnt))
            return -1;
        e->cap_pred = cap;
    }
    if (nrec + 1 > e->cap_rec) {
        size_t cap = nrec + nrec / 2 + 1;
        if (grow(&e->pos, cap, sizeof *e->pos) || grow(&e->bycell, cap, sizeof *e->bycell) ||
            grow(&e->slot_cell, cap, sizeof *e->slot_cell))
            return -1;
        e->cap_rec = cap;
    }
    return 0;
}

/* category, then sweep order: score descending, later row first (local rows are in /pred order) */
static int by_sweep(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->cat != y->cat) return x->cat < y->cat ? -1 : 1;
    if (x->score > y->score) return -1;
    if (x->score < y->score) return 1;
    return x->row > y->row ? -1 : x->row < y->row;
}

/* Ranks the predictions that made a record, by category and then in sweep order (a cell's
 * records, all of one category, then refer to one stretch of the list); returns how many. */
static uint32_t rank_predictions(sb_fc_enc *e, const sb_fc_pred *pred, const sb_fc_recset *rs)
{
    for (size_t i = 0; i < pred->n; i++) e->rank[i] = UINT32_MAX;
    for (int c = 0; c < SB_FC_NCELL; c++)
        for (size_t k = 0; k < rs->cell[c].n; k++) e->rank[rs->cell[c].rec[k].index] = 0;
    uint32_t nused = 0;
    for (size_t i = 0; i < pred->n; i++)
        if (e->rank[i] == 0) e->order[nused++] = (ranked){pred->score[i], (uint32_t)i, pred->category[i]};
    qsort(e->order, nused, sizeof *e->order, by_sweep);
    for (uint32_t r = 0; r < nused; r++) e->rank[e->order[r].row] = r;
    return nused;
}

/* bycell[start[c] .. start[c+1]): cell c's record positions in rank order, by a counting sort
 * on the rank over all records (linear in their number). */
static void sort_by_rank(sb_fc_enc *e, const sb_fc_recset *rs, uint32_t nused, size_t nrec,
                         size_t start[SB_FC_NCELL + 1])
{
    size_t *cnt = e->cnt;
    memset(cnt, 0, ((size_t)nused + 1) * sizeof *cnt);
    for (int c = 0; c < SB_FC_NCELL; c++)
        for (size_t k = 0; k < rs->cell[c].n; k++) cnt[e->rank[rs->cell[c].rec[k].index] + 1]++;
    for (uint32_t r = 0; r < nused; r++) cnt[r + 1] += cnt[r];
    for (int c = 0; c < SB_FC_NCELL; c++)
        for (size_t k = 0; k < rs->cell[c].n; k++) {
            size_t at = cnt[e->rank[rs->cell[c].rec[k].index]]++;
            e->pos[at] = k;
            e->slot_cell[at] = (uint32_t)c;
        }
    start[0] = 0;
    for (int c = 0; c < SB_FC_NCELL; c++) start[c + 1] = start[c] + rs->cell[c].n;
    size_t *fill = cnt; /* reused: next free slot per cell */
    for (int c = 0; c < SB_FC_NCELL; c++) fill[c] = start[c];
    for (size_t i = 0; i < nrec; i++) e->bycell[fill[e->slot_cell[i]]++] = e->pos[i];
}

static void put_counts(sb_buf *b, const sb_fc_recset *rs)
{
    uint64_t nz = 0;
    for (int p = 0; p < SB_FC_NPROF; p++)
        for (int c = 0; c < SB_FC_NCAT; c++) nz += rs->n_gt[p][c] || rs->n_pred[p][c];
    sb_fc_put_varint(b, nz);
    for (int p = 0; p < SB_FC_NPROF; p++)
        for (int c = 0; c < SB_FC_NCAT; c++)
            if (rs->n_gt[p][c] || rs->n_pred[p][c]) {
                sb_fc_put_varint(b, (uint64_t)(p * SB_FC_NCAT + c));
                sb_fc_put_varint(b, (uint64_t)rs->n_gt[p][c]);
                sb_fc_put_varint(b, (uint64_t)rs->n_pred[p][c]);
            }
}

static void put_list(sb_buf *b, const sb_fc_enc *e, const sb_fc_pred *pred, uint32_t nused)
{
    uint64_t groups = 0;
    for (uint32_t r = 0; r < nused; r++) groups += r == 0 || e->order[r].cat != e->order[r - 1].cat;
    sb_fc_put_varint(b, groups);
    for (uint32_t r = 0, end; r < nused; r = end) {
        for (end = r + 1; end < nused && e->order[end].cat == e->order[r].cat;) end++;
        sb_fc_put_varint(b, (uint64_t)e->order[r].cat);
        sb_fc_put_varint(b, end - r);
        for (uint32_t k = r; k < end; k++) {
            sb_buf_put_f64(b, e->order[k].score);
            sb_fc_put_varint(b, (uint64_t)pred->index[e->order[k].row]);
        }
    }
}

static void put_cells(sb_buf *b, sb_fc_enc *e, const sb_fc_recset *rs,
                      const size_t start[SB_FC_NCELL + 1])
{
    uint64_t nonempty = 0;
    for (int c = 0; c < SB_FC_NCELL; c++) nonempty += rs->cell[c].n > 0;
    sb_fc_put_varint(b, nonempty);
    for (int c = 0; c < SB_FC_NCELL; c++) {
        const sb_fc_run *run = &rs->cell[c];
        if (!run->n) continue;
        int with_errors = c % SB_FC_NTH == SB_FC_TH_ADE;
        e->cell.len = 0;
        uint64_t prev = 0;
        for (size_t k = start[c]; k < start[c + 1]; k++) {
            const sb_fc_record *r = &run->rec[e->bycell[k]];
            uint64_t rk = e->rank[r->index];
            sb_fc_put_varint(&e->cell, (rk - prev) << 2 | (r->matched ? SB_FC_REC_MATCHED : 0) |
                                           (r->tp ? SB_FC_REC_TP : 0));
            prev = rk;
            if (with_errors && r->matched) {
                sb_buf_put_f64(&e->cell, r->ade);
                sb_buf_put_f64(&e->cell, r->fde);
            }
        }
        sb_fc_put_varint(b, (uint64_t)c);
        sb_fc_put_varint(b, run->n);
        sb_fc_put_varint(b, e->cell.len);
        sb_buf_put(b, e->cell.data, e->cell.len);
    }
}

int sb_fc_part_encode(sb_buf *b, sb_fc_enc *e, const char *log, size_t gt_rows,
                      const sb_fc_pred *pred, size_t dropped, const sb_fc_recset *rs, sb_err *err)
{
    size_t np = pred->n, nrec = 0, start[SB_FC_NCELL + 1];
    if (np >= UINT32_MAX)
        return sb_fail(err, SB_EINPUT, "forecast: log %s has %zu predictions, more than 2^32", log, np);
    for (int c = 0; c < SB_FC_NCELL; c++) nrec += rs->cell[c].n;
    if (enc_reserve(e, np, nrec))
        return sb_fail(err, SB_ENOMEM, "forecast: out of memory encoding log %s", log);
    uint32_t nused = rank_predictions(e, pred, rs);
    sort_by_rank(e, rs, nused, nrec, start);
    size_t len = strlen(log);
    sb_fc_put_varint(b, len);
    sb_buf_put(b, log, len);
    sb_fc_put_varint(b, gt_rows);
    sb_fc_put_varint(b, np);
    sb_fc_put_varint(b, dropped);
    sb_fc_put_varint(b, (uint64_t)rs->n_frames);
    put_counts(b, rs);
    put_list(b, e, pred, nused);
    put_cells(b, e, rs, start);
    int rc = sb_buf_check(&e->cell, err);
    return rc ? rc : sb_buf_check(b, err);
}

/* ---- reading ------------------------------------------------------------------------------ */

#define BAD(...)                                                                                   \
    do {                                                                                           \
        snprintf(why, cap, __VA_ARGS__);                                                           \
        return -1;                                                                                 \
    } while (0)
#define MAX_ROWS ((uint64_t)1 << 62) /* sums of such counts over many logs stay checkable */

static int read_counts(sb_fc_cursor *c, sb_fc_part *p, char *why, size_t cap)
{
    uint64_t v[4];
    for (int i = 0; i < 4; i++) v[i] = sb_fc_get_varint(c);
    if (c->bad) BAD("truncated before its row counts");
    if (v[0] > MAX_ROWS || v[1] > MAX_ROWS || v[2] > v[1] || v[3] > v[0])
        BAD("row counts %llu, %llu, %llu dropped, %llu frames", (unsigned long long)v[0],
            (unsigned long long)v[1], (unsigned long long)v[2], (unsigned long long)v[3]);
    p->gt_rows = (int64_t)v[0], p->pred_rows = (int64_t)v[1];
    p->dropped = (int64_t)v[2], p->frames = (int64_t)v[3];
    memset(p->n_gt, 0, sizeof p->n_gt);
    memset(p->n_pred, 0, sizeof p->n_pred);
    uint64_t nz = sb_fc_get_varint(c), sum_g = 0, sum_p = 0;
    if (c->bad || nz > SB_FC_NPROF * SB_FC_NCAT) BAD("%llu (profile, category) counts", (unsigned long long)nz);
    for (uint64_t k = 0, prev = 0; k < nz; k++) {
        uint64_t at = sb_fc_get_varint(c), g = sb_fc_get_varint(c), q = sb_fc_get_varint(c);
        if (c->bad || at >= SB_FC_NPROF * SB_FC_NCAT || (k && at <= prev))
            BAD("(profile, category) count %llu of %llu is out of order or truncated",
                (unsigned long long)k, (unsigned long long)nz);
        if (g > v[0] - sum_g || q > v[1] - sum_p)
            BAD("counts of (profile, category) %llu exceed the log's rows", (unsigned long long)at);
        sum_g += g, sum_p += q, prev = at;
        p->n_gt[at / SB_FC_NCAT][at % SB_FC_NCAT] = (int64_t)g;
        p->n_pred[at / SB_FC_NCAT][at % SB_FC_NCAT] = (int64_t)q;
    }
    return 0;
}

/* The list: category groups in increasing category, each with its predictions strictly in
 * sweep order (scores not NaN). */
static int read_table(sb_fc_cursor *c, sb_fc_part *p, char *why, size_t cap)
{
    p->ntable = 0;
    p->table = c->p;
    uint64_t groups = sb_fc_get_varint(c);
    if (c->bad || groups > SB_FC_NCAT) BAD("%llu category groups", (unsigned long long)groups);
    for (uint64_t g = 0, prev_cat = 0; g < groups; g++) {
        uint64_t cat = sb_fc_get_varint(c), n = sb_fc_get_varint(c);
        if (c->bad || cat >= SB_FC_NCAT || (g && cat <= prev_cat))
            BAD("category group %llu is out of order or truncated", (unsigned long long)g);
        if (n == 0 || n > (uint64_t)p->pred_rows - p->ntable || n > (uint64_t)(c->end - c->p) / 9)
            BAD("lists %llu predictions of category %llu, with %llu rows and %zu bytes left",
                (unsigned long long)n, (unsigned long long)cat, (unsigned long long)p->pred_rows,
                (size_t)(c->end - c->p));
        double prev_score = INFINITY;
        uint64_t prev_row = UINT64_MAX;
        for (uint64_t k = 0; k < n; k++) {
            double s = sb_fc_get_f64(c);
            uint64_t row = sb_fc_get_varint(c);
            if (c->bad || isnan(s) || row > (uint64_t)INT64_MAX ||
                !(s < prev_score || (s == prev_score && row < prev_row)))
                BAD("listed prediction %llu is truncated, NaN or out of sweep order",
                    (unsigned long long)(p->ntable + k));
            prev_score = s, prev_row = row;
        }
        p->ntable += n;
        prev_cat = cat;
    }
    return 0;
}

static int read_cells(sb_fc_cursor *c, sb_fc_part *p, char *why, size_t cap)
{
    p->ncells = sb_fc_get_varint(c);
    if (c->bad || p->ncells > SB_FC_NCELL) BAD("%llu cells", (unsigned long long)p->ncells);
    p->cells = c->p;
    for (uint64_t k = 0, prev = 0; k < p->ncells; k++) {
        uint64_t cell = sb_fc_get_varint(c), n = sb_fc_get_varint(c), bytes = sb_fc_get_varint(c);
        if (c->bad || cell >= SB_FC_NCELL || (k && cell <= prev))
            BAD("cell %llu of %llu is out of order or truncated", (unsigned long long)k,
                (unsigned long long)p->ncells);
        if (n > p->ntable || n > bytes || bytes > (uint64_t)(c->end - c->p))
            BAD("cell %llu holds %llu records in %llu bytes (%llu listed predictions, %zu bytes left)",
                (unsigned long long)cell, (unsigned long long)n, (unsigned long long)bytes,
                (unsigned long long)p->ntable, (size_t)(c->end - c->p));
        c->p += bytes;
        prev = cell;
    }
    return 0;
}

int sb_fc_part_read(sb_fc_cursor *c, sb_fc_part *p, char *why, size_t cap)
{
    uint64_t len = sb_fc_get_varint(c);
    if (c->bad || len > (uint64_t)(c->end - c->p)) BAD("truncated in its log name");
    p->name = c->p;
    p->name_len = (size_t)len;
    c->p += len;
    if (read_counts(c, p, why, cap) || read_table(c, p, why, cap) || read_cells(c, p, why, cap))
        return -1;
    p->end = c->p;
    return 0;
}
