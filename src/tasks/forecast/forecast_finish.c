/* forecast_finish.c — the forecasting tables from the units' records, in time linear in the
 * number of match records.
 *
 * Every cell's records must be swept in the global order of the reference: score descending,
 * then /pred row descending. Each log lists the predictions it made records of once, in that
 * order; merging those lists once gives every prediction its global rank, and within a cell a
 * prediction has at most one record. So a cell is put in order by writing each record at its
 * global rank (a bitmap marks the ranks used) and reading the bitmap back: no per-cell merge
 * or sort. The order depends only on the records, never on which rank ran which log, so the
 * tables are byte-identical for any number of ranks, shards merged, or --resume. */
#include "tasks/forecast/forecast_finish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/forecast/forecast_record.h"

typedef struct log_row {
    char *name;
    size_t unit;
    int64_t gt_rows, pred_rows, dropped, frames;
} log_row;

typedef struct chunk { /* one cell's records of one log */
    const unsigned char *p, *end;
    size_t n, log;
} chunk;

typedef struct entry {
    double score;
    int64_t row;
    uint32_t flat; /* position in the lists as concatenated log after log */
    uint32_t cat;
} entry;

/* Sized by a first pass over the records (counting), filled by a second. */
typedef struct fin {
    const sb_unit *units;
    log_row *logs;
    size_t nlogs;
    size_t *bounds;  /* bounds[i]: log i's first entry; bounds[nlogs] = nent */
    chunk *chunks;   /* grouped by cell: cell c's are [first[c], first[c+1]) */
    size_t nchunks, first[SB_FC_NCELL + 1], next[SB_FC_NCELL];
    entry *ent;
    size_t nent;
    int64_t n_gt[SB_FC_NPROF][SB_FC_NCAT], n_pred[SB_FC_NPROF][SB_FC_NCAT];
    int64_t all_gt, all_pred; /* bound every sum of the counts the tables make */
    size_t cell_n[SB_FC_NCELL];
} fin;

static int corrupt(const fin *f, size_t unit, const char *why, sb_err *err)
{
    return sb_fail(err, SB_EINPUT, "journal record of forecast unit %s is corrupt: %s",
                   f->units[unit].key, why);
}

/* *acc += v unless the sum would pass INT64_MAX (v >= 0: checked when read) */
static int add_count(int64_t *acc, int64_t v)
{
    if (v > INT64_MAX - *acc) return -1;
    *acc += v;
    return 0;
}

/* First pass: sizes. */
static int count_part(fin *f, size_t unit, const sb_fc_part *p, sb_err *err)
{
    for (int q = 0; q < SB_FC_NPROF; q++)
        for (int c = 0; c < SB_FC_NCAT; c++)
            if (add_count(&f->all_gt, p->n_gt[q][c]) || add_count(&f->all_pred, p->n_pred[q][c]))
                return corrupt(f, unit, "its counts add up beyond 2^63", err);
    f->nlogs++;
    f->nent += p->ntable;
    sb_fc_cursor c = {p->cells, p->end, 0};
    for (uint64_t k = 0; k < p->ncells; k++) {
        uint64_t cell = sb_fc_get_varint(&c), n = sb_fc_get_varint(&c), bytes = sb_fc_get_varint(&c);
        c.p += bytes; /* framing checked by sb_fc_part_read */
        f->first[cell + 1]++;
        f->cell_n[cell] += (size_t)n; /* at most the record's bytes */
        f->nchunks++;
    }
    return 0;
}

/* Second pass: one log's part into the arrays. */
static int fill_part(fin *f, size_t unit, const sb_fc_part *p, sb_err *err)
{
    char *name = malloc(p->name_len + 1);
    if (!name) return sb_fail(err, SB_ENOMEM, "out of memory finishing forecast");
    memcpy(name, p->name, p->name_len);
    name[p->name_len] = '\0';
    size_t li = f->nlogs++;
    f->logs[li] = (log_row){name, unit, p->gt_rows, p->pred_rows, p->dropped, p->frames};
    f->bounds[li] = f->nent;
    for (int q = 0; q < SB_FC_NPROF; q++)
        for (int c = 0; c < SB_FC_NCAT; c++) {
            f->n_gt[q][c] += p->n_gt[q][c]; /* <= all_gt */
            f->n_pred[q][c] += p->n_pred[q][c];
        }
    sb_fc_cursor c = {p->table, p->cells, 0};
    for (uint64_t groups = sb_fc_get_varint(&c), g = 0; g < groups; g++) {
        uint32_t cat = (uint32_t)sb_fc_get_varint(&c);
        for (uint64_t k = 0, n = sb_fc_get_varint(&c); k < n; k++) {
            entry *e = &f->ent[f->nent];
            e->score = sb_fc_get_f64(&c);
            e->row = (int64_t)sb_fc_get_varint(&c);
            e->cat = cat;
            e->flat = (uint32_t)f->nent++;
        }
    }
    c = (sb_fc_cursor){p->cells, p->end, 0};
    for (uint64_t k = 0; k < p->ncells; k++) {
        uint64_t cell = sb_fc_get_varint(&c), n = sb_fc_get_varint(&c), bytes = sb_fc_get_varint(&c);
        f->chunks[f->next[cell]++] = (chunk){c.p, c.p + bytes, (size_t)n, li};
        c.p += bytes;
    }
    return 0;
}

/* Reads every part of a record, passing each to take (count_part or fill_part). */
static int read_record(fin *f, size_t u, const sb_record *r,
                       int (*take)(fin *, size_t, const sb_fc_part *, sb_err *), sb_err *err)
{
    char why[256];
    sb_fc_cursor c = {r->data, r->data + r->len, 0};
    uint64_t version = 0;
    for (int i = 7; i >= 0 && r->len >= 8; i--) version = version << 8 | r->data[i];
    if (r->len < 8) return corrupt(f, u, "shorter than its version", err);
    if (version != SB_FC_REC_VERSION)
        return sb_fail(err, SB_EINPUT,
                       "journal record of forecast unit %s has format version %llu; this "
                       "shardbench reads version %d (run again without --resume)",
                       f->units[u].key, (unsigned long long)version, SB_FC_REC_VERSION);
    c.p += 8;
    uint64_t nparts = sb_fc_get_varint(&c);
    if (c.bad || nparts == 0 || nparts > (uint64_t)(c.end - c.p)) {
        snprintf(why, sizeof why, "%llu logs in %zu bytes", (unsigned long long)nparts,
                 (size_t)(c.end - c.p));
        return corrupt(f, u, why, err);
    }
    for (uint64_t k = 0; k < nparts; k++) {
        sb_fc_part part;
        char what[200];
        if (sb_fc_part_read(&c, &part, what, sizeof what)) {
            snprintf(why, sizeof why, "log %llu of %llu: %s", (unsigned long long)k,
                     (unsigned long long)nparts, what);
            return corrupt(f, u, why, err);
        }
        int rc = take(f, u, &part, err);
        if (rc) return rc;
    }
    if (c.p != c.end) {
        snprintf(why, sizeof why, "%zu bytes after its last log", (size_t)(c.end - c.p));
        return corrupt(f, u, why, err);
    }
    return 0;
}

static int read_records(fin *f, const sb_record *records, size_t n, sb_err *err)
{
    int rc = 0;
    for (size_t u = 0; u < n && !rc; u++)
        if (records[u].data && !records[u].failed) rc = read_record(f, u, &records[u], count_part, err);
    if (rc) return rc;
    if (f->nent >= UINT32_MAX)
        return sb_fail(err, SB_EINPUT, "forecast finish: %zu listed predictions, more than 2^32 - 1",
                       f->nent);
    for (int c = 0; c < SB_FC_NCELL; c++) {
        f->first[c + 1] += f->first[c];
        f->next[c] = f->first[c];
    }
    f->logs = sb_calloc(f->nlogs + 1, sizeof *f->logs, "forecast finish", err);
    f->bounds = sb_malloc((f->nlogs + 1) * sizeof *f->bounds, "forecast finish", err);
    f->chunks = sb_malloc((f->nchunks + 1) * sizeof *f->chunks, "forecast finish", err);
    f->ent = sb_malloc((f->nent + 1) * sizeof *f->ent, "forecast finish", err);
    if (!f->logs || !f->bounds || !f->chunks || !f->ent) return SB_ENOMEM;
    f->nlogs = f->nent = 0;
    for (size_t u = 0; u < n && !rc; u++)
        if (records[u].data && !records[u].failed) rc = read_record(f, u, &records[u], fill_part, err);
    f->bounds[f->nlogs] = f->nent;
    return rc;
}

/* ---- the global order ------------------------------------------------------------------ */

/* category, then the sweep order: the logs' lists are sorted so */
static inline int before(const entry *a, const entry *b)
{
    if (a->cat != b->cat) return a->cat < b->cat;
    return a->score > b->score || (a->score == b->score && a->row > b->row);
}

static void merge2(const entry *a, size_t na, const entry *b, size_t nb, entry *out)
{
    size_t i = 0, j = 0, k = 0;
    while (i < na && j < nb) out[k++] = before(&b[j], &a[i]) ? b[j++] : a[i++];
    while (i < na) out[k++] = a[i++];
    while (j < nb) out[k++] = b[j++];
}

/* Sorts f->ent, whose logs' lists are sorted runs, by merging runs pairwise (log2 of the
 * number of logs passes); rank_of[flat] = global rank. A category's predictions get one
 * stretch of ranks, so the cells of a category touch only that stretch of the bitmaps. */
static int global_order(fin *f, uint32_t **rank_of, sb_err *err)
{
    size_t n = f->nent, nr = f->nlogs;
    entry *tmp = malloc((n ? n : 1) * sizeof *tmp), *src = f->ent, *dst = tmp;
    size_t *b = malloc((nr + 1) * sizeof *b);
    *rank_of = malloc((n ? n : 1) * sizeof **rank_of);
    int rc = 0;
    if (!tmp || !b || !*rank_of) {
        rc = sb_fail(err, SB_ENOMEM, "out of memory ordering %zu forecast predictions", n);
        nr = 0;
    } else {
        memcpy(b, f->bounds, (nr + 1) * sizeof *b);
    }
    while (nr > 1) { /* b[0..nr]: run boundaries; odd run out copied */
        size_t k = 0;
        for (size_t i = 0; i < nr; i += 2) {
            size_t lo = b[i], mid = b[i + 1], hi = i + 2 <= nr ? b[i + 2] : mid;
            merge2(src + lo, mid - lo, src + mid, hi - mid, dst + lo);
            b[k++] = lo;
        }
        b[k] = b[nr];
        nr = k;
        entry *t = src;
        src = dst;
        dst = t;
    }
    if (src == tmp) { /* the sorted list is in tmp: keep it */
        tmp = f->ent;
        f->ent = src;
    }
    for (size_t g = 0; g < n && !rc; g++) {
        if (g && !before(&f->ent[g - 1], &f->ent[g]))
            rc = sb_fail(err, SB_EINPUT,
                         "journal records of forecast units list /pred row %lld twice (score %.17g)",
                         (long long)f->ent[g].row, f->ent[g].score);
        else
            (*rank_of)[f->ent[g].flat] = (uint32_t)g;
    }
    free(tmp);
    free(b);
    return rc;
}

/* ---- cells --------------------------------------------------------------------------------- */

typedef struct scatter {
    uint64_t *present, *matched, *tp; /* bitmaps over global ranks */
    double *ade, *fde;                /* by global rank: matched records of a 2 m cell */
    size_t lo, hi;                    /* words of the bitmaps the cell touched */
    uint8_t *flags;                   /* the cell in order: flags, and ADE/FDE when matched */
    double *ade_out, *fde_out;
} scatter;

static inline int ctz64(uint64_t x)
{
#if defined(__GNUC__)
    return __builtin_ctzll(x);
#else
    int n = 0;
    for (; !(x & 1); x >>= 1) n++;
    return n;
#endif
}

/* Writes one chunk's records at their global ranks; -1 if they do not decode exactly. */
static int scatter_chunk(const fin *f, const chunk *ch, const uint32_t *rank_of, int with_errors,
                         scatter *s)
{
    sb_fc_cursor c = {ch->p, ch->end, 0};
    size_t base = f->bounds[ch->log];
    uint64_t r = 0, ntable = f->bounds[ch->log + 1] - base;
    for (uint64_t k = 0; k < ch->n; k++) {
        uint64_t v = sb_fc_get_varint(&c), d = v >> 2;
        if (c.bad || (k && d == 0) || d >= ntable - (k ? r : 0) || (v & 3) == SB_FC_REC_TP)
            return -1; /* ranks strictly increasing and listed; a TP is matched */
        r = k ? r + d : d;
        size_t g = rank_of[base + r], w = g >> 6;
        uint64_t bit = (uint64_t)1 << (g & 63);
        if (s->present[w] & bit) return -1;
        s->present[w] |= bit;
        if (v & SB_FC_REC_MATCHED) s->matched[w] |= bit;
        if (v & SB_FC_REC_TP) s->tp[w] |= bit;
        if (with_errors && (v & SB_FC_REC_MATCHED)) {
            s->ade[g] = sb_fc_get_f64(&c);
            s->fde[g] = sb_fc_get_f64(&c);
        }
        s->lo = w < s->lo ? w : s->lo;
        s->hi = w > s->hi ? w : s->hi;
    }
    return c.bad || c.p != c.end ? -1 : 0;
}

/* Reads the cell back in global rank order, clearing the bitmaps; *nm: matched records. The
 * ADE/FDE of a cell other than 2 m are zeros: no table takes them. */
static size_t gather(scatter *s, int with_errors, size_t *nm)
{
    size_t k = 0, m = 0;
    for (size_t w = s->lo; w <= s->hi; w++) {
        uint64_t bits = s->present[w], mb = s->matched[w], tb = s->tp[w];
        if (!bits) continue;
        s->present[w] = s->matched[w] = s->tp[w] = 0;
        while (bits) {
            int b = ctz64(bits);
            bits &= bits - 1;
            unsigned matched = (unsigned)(mb >> b & 1);
            s->flags[k++] = (uint8_t)((matched ? SB_FC_SWEEP_MATCHED : 0) | (tb >> b & 1 ? SB_FC_SWEEP_TP : 0));
            if (matched) {
                size_t g = w << 6 | (size_t)b;
                s->ade_out[m] = with_errors ? s->ade[g] : 0.0;
                s->fde_out[m++] = with_errors ? s->fde[g] : 0.0;
            }
        }
    }
    *nm = m;
    return k;
}

/* Orders and sweeps one cell. */
static int sweep_cell(const fin *f, int cat, int prof, int th, const uint32_t *rank_of, scatter *s,
                      sb_fc_cell_result *res, sb_err *err)
{
    int c = sb_fc_cell(cat, prof, th), with_errors = th == SB_FC_TH_ADE;
    char what[120];
    snprintf(what, sizeof what, "cell %s/%s/%g m", sb_fc_category_names[cat],
             sb_fc_profile_names[prof], sb_fc_thresholds[th]);
    s->lo = SIZE_MAX;
    s->hi = 0;
    for (size_t i = f->first[c]; i < f->first[c + 1]; i++) {
        const chunk *ch = &f->chunks[i];
        if (scatter_chunk(f, ch, rank_of, with_errors, s)) {
            char why[300];
            snprintf(why, sizeof why, "the records of log %s in %s do not decode",
                     f->logs[ch->log].name, what);
            return corrupt(f, f->logs[ch->log].unit, why, err);
        }
    }
    size_t m = 0, n = s->lo <= s->hi ? gather(s, with_errors, &m) : 0;
    if (n != f->cell_n[c])
        return sb_fail(err, SB_EINPUT, "journal records of forecast %s are corrupt", what);
    int rc = sb_fc_sweep_flags(s->flags, n, s->ade_out, s->fde_out, f->n_gt[prof][cat], res, err);
    if (rc) sb_wrap(err, "%s", what);
    return rc;
}

static int sweep_cells(const fin *f, const uint32_t *rank_of, sb_fc_cell_result *cells, sb_err *err)
{
    size_t maxn = 1, words = f->nent / 64 + 1, ne = f->nent ? f->nent : 1;
    for (int c = 0; c < SB_FC_NCELL; c++) maxn = f->cell_n[c] > maxn ? f->cell_n[c] : maxn;
    scatter s = {calloc(words, 8), calloc(words, 8), calloc(words, 8), malloc(ne * sizeof(double)),
                 malloc(ne * sizeof(double)), 0, 0, malloc(maxn), malloc(maxn * sizeof(double)),
                 malloc(maxn * sizeof(double))};
    int rc = 0;
    if (!s.present || !s.matched || !s.tp || !s.ade || !s.fde || !s.flags || !s.ade_out || !s.fde_out)
        rc = sb_fail(err, SB_ENOMEM, "out of memory ordering %zu forecast records", maxn);
    for (int cat = 0; cat < SB_FC_NCAT && !rc; cat++)
        for (int p = 0; p < SB_FC_NPROF && !rc; p++)
            for (int h = 0; h < SB_FC_NTH && !rc; h++)
                rc = sweep_cell(f, cat, p, h, rank_of, &s, &cells[sb_fc_cell(cat, p, h)], err);
    free(s.present);
    free(s.matched);
    free(s.tp);
    free(s.ade);
    free(s.fde);
    free(s.flags);
    free(s.ade_out);
    free(s.fde_out);
    return rc;
}

/* ---- tables -------------------------------------------------------------------------------- */

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

static int write_tables(const sb_fc_table *tb, const log_row *logs, size_t n, sb_tables *out,
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

static void fin_free(fin *f)
{
    for (size_t i = 0; f->logs && i < f->nlogs; i++) free(f->logs[i].name);
    free(f->logs);
    free(f->bounds);
    free(f->chunks);
    free(f->ent);
}

int sb_fc_finish(const sb_unit *units, const sb_record *records, size_t n, sb_tables *out,
                 sb_err *err)
{
    fin f;
    memset(&f, 0, sizeof f);
    f.units = units;
    int rc = read_records(&f, records, n, err);
    uint32_t *rank_of = NULL;
    sb_fc_cell_result *cells = rc ? NULL : sb_calloc(SB_FC_NCELL, sizeof *cells, "forecast cells", err);
    if (!rc && !cells) rc = SB_ENOMEM;
    if (!rc) rc = global_order(&f, &rank_of, err);
    if (!rc) rc = sweep_cells(&f, rank_of, cells, err);
    if (!rc) {
        sb_fc_table tb;
        sb_fc_aggregate(cells, f.n_gt, f.n_pred, &tb);
        rc = write_tables(&tb, f.logs, f.nlogs, out, err);
    }
    free(rank_of);
    free(cells);
    fin_free(&f);
    return rc;
}
