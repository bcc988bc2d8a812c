/* bootstrap.c — bootstrap replicates of Kendall τ and the percentile CI built from them.
 *
 * A unit holds SB_JUDGE_BOOT_BLOCK replicates (the last block of B fewer) and is seeded by
 * (seed, FNV-1a of its key "boot/<dataset>/<block>"), so the CI depends on the input, B and
 * the seed only — not on ranks, shards or which datasets sit next to it in the plan.
 * Per dataset, a replicate draws n models with replacement from the dataset's n models and
 * is redrawn while fewer than 3 distinct models are drawn; every scorer of the dataset is
 * judged on the same draw (paired), on the drawn models it has a value for, with the
 * leaderboard's τ (constant scorer → 0). For the aggregated rows a replicate draws as many
 * (dataset, model) rows as the evaluated datasets hold, each keeping its dataset, redrawn
 * while fewer than 3 distinct rows are drawn, and takes the grouped τ. A replicate whose τ
 * is undefined (e.g. the drawn accuracies are all equal) is left out of the percentiles. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "numerics/percentile.h"
#include "numerics/scorer_eval.h"
#include "tasks/judge/judge.h"

#define MAX_REDRAWS 100000

/* Draws n of pool items with replacement into idx until at least 3 distinct ones come up;
 * returns 0, or 1 when MAX_REDRAWS draws all failed. mark is scratch of pool entries. */
static int draw(sb_rng *r, size_t pool, size_t n, size_t *idx, unsigned char *mark)
{
    for (long attempt = 0; attempt < MAX_REDRAWS; attempt++) {
        memset(mark, 0, pool);
        size_t distinct = 0;
        for (size_t j = 0; j < n; j++) {
            idx[j] = (size_t)sb_rng_below(r, pool);
            distinct += !mark[idx[j]];
            mark[idx[j]] = 1;
        }
        if (distinct >= 3)
            return 0;
    }
    return 1;
}

/* distinct entries of idx[0..n) among those with keep[j] */
static size_t count_distinct(const size_t *idx, const unsigned char *keep, size_t n, size_t pool,
                             unsigned char *mark)
{
    memset(mark, 0, pool);
    size_t distinct = 0;
    for (size_t j = 0; j < n; j++)
        if (keep[j]) {
            distinct += !mark[idx[j]];
            mark[idx[j]] = 1;
        }
    return distinct;
}

int sb_judge_run_boot(sb_judge_state *s, long di, size_t block, uint64_t seed, const char *key,
                      sb_buf *rec, sb_err *err)
{
    const sb_judge_data *d = &s->data;
    size_t ns = d->n_scorers;
    size_t first = block * SB_JUDGE_BOOT_BLOCK;
    size_t reps = (size_t)s->bootstrap - first;
    if (reps > SB_JUDGE_BOOT_BLOCK)
        reps = SB_JUDGE_BOOT_BLOCK;
    /* the pool: rows (dataset, model) */
    size_t pool = 0;
    for (size_t k = 0; k < d->n_datasets; k++)
        if ((di < 0 || (size_t)di == k) && sb_judge_dataset_ok(d, k))
            pool += d->ds[k].n_models;
    if (pool < 3)
        return sb_fail(err, SB_EINPUT, "bootstrap %s: fewer than 3 models to resample", key);
    size_t *row_ds = sb_malloc(pool * sizeof *row_ds, "bootstrap rows", err);
    size_t *row_m = sb_malloc(pool * sizeof *row_m, "bootstrap rows", err);
    size_t *idx = sb_malloc(pool * sizeof *idx, "bootstrap draw", err);
    unsigned char *mark = sb_malloc(pool, "bootstrap marks", err);
    unsigned char *keep = sb_malloc(pool, "bootstrap marks", err);
    double *x = sb_malloc(pool * sizeof *x, "bootstrap values", err);
    double *y = sb_malloc(pool * sizeof *y, "bootstrap values", err);
    int *g = sb_malloc(pool * sizeof *g, "bootstrap groups", err);
    size_t *sc = sb_malloc((ns ? ns : 1) * sizeof *sc, "bootstrap scorers", err);
    double *tau = sb_malloc((ns ? ns : 1) * reps * sizeof *tau, "bootstrap taus", err);
    int rc = row_ds && row_m && idx && mark && keep && x && y && g && sc && tau ? 0 : SB_ENOMEM;
    size_t nsc = 0, p = 0;
    for (size_t k = 0; k < d->n_datasets && !rc; k++)
        if ((di < 0 || (size_t)di == k) && sb_judge_dataset_ok(d, k))
            for (size_t i = 0; i < d->ds[k].n_models; i++) {
                row_ds[p] = k;
                row_m[p++] = i;
            }
    for (size_t si = 0; si < ns && !rc; si++) {
        int any = 0;
        for (size_t k = 0; k < d->n_datasets; k++)
            any |= (di < 0 || (size_t)di == k) && sb_judge_pair_ok(d, k, si);
        if (any)
            sc[nsc++] = si;
    }
    sb_rng r;
    sb_rng_seed(&r, seed, sb_judge_stream(key));
    for (size_t b = 0; b < reps && !rc; b++) {
        int failed = draw(&r, pool, pool, idx, mark);
        for (size_t k = 0; k < nsc && !rc; k++) {
            size_t si = sc[k], m = 0;
            double t = NAN, w;
            for (size_t j = 0; j < pool; j++) {
                const sb_judge_dataset *ds = &d->ds[row_ds[idx[j]]];
                double v = ds->value[row_m[idx[j]] * ns + si];
                keep[j] = !isnan(v) && sb_judge_pair_ok(d, row_ds[idx[j]], si);
                if (keep[j]) {
                    x[m] = v;
                    y[m] = ds->acc[row_m[idx[j]]];
                    g[m++] = (int)row_ds[idx[j]];
                }
            }
            if (!failed && count_distinct(idx, keep, pool, pool, mark) >= 3) {
                if (di >= 0)
                    rc = sb_scorer_taus(x, y, m, &t, &w, NULL, err);
                else
                    rc = sb_scorer_taus_grouped(x, y, g, m, &t, &w, NULL, err);
                if (rc)
                    sb_wrap(err, "bootstrap %s, replicate %zu, scorer %s: ", key, first + b, d->scorers[si]);
            }
            tau[k * reps + b] = t;
        }
    }
    if (!rc) {
        sb_buf_put_str(rec, di < 0 ? "ALL" : d->ds[di].name);
        sb_buf_put_u64(rec, reps);
        sb_buf_put_u64(rec, nsc);
        for (size_t k = 0; k < nsc; k++) {
            sb_buf_put_str(rec, d->scorers[sc[k]]);
            for (size_t b = 0; b < reps; b++)
                sb_buf_put_f64(rec, tau[k * reps + b]);
        }
    }
    free(row_ds);
    free(row_m);
    free(idx);
    free(mark);
    free(keep);
    free(x);
    free(y);
    free(g);
    free(sc);
    free(tau);
    return rc;
}

int sb_judge_boot_ci(const sb_unit *units, const sb_record *records, size_t n, const char *dataset,
                     const char *scorer, double *lo, double *hi, size_t *used, sb_err *err)
{
    *lo = *hi = NAN;
    *used = 0;
    int want = strcmp(dataset, "ALL") ? SB_JU_BOOT : SB_JU_BOOT_ALL;
    size_t cap = 0, m = 0;
    double *v = NULL;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (SB_JUDGE_KIND(units[i].arg) != want || records[i].failed || !records[i].data)
            continue;
        sb_reader r;
        sb_reader_init(&r, records[i].data, records[i].len);
        char name[512];
        sb_get_str(&r, name, sizeof name);
        if (strcmp(name, dataset))
            continue;
        uint64_t reps = sb_get_u64(&r);
        /* Each scorer takes its name's length prefix and reps replicates. */
        uint64_t nsc = reps > SB_JUDGE_BOOT_BLOCK ? 0 : sb_get_count(&r, 8 * (1 + (size_t)reps), UINT64_MAX);
        if (r.bad || reps > SB_JUDGE_BOOT_BLOCK)
            rc = sb_fail(err, SB_EINPUT, "journal record of unit %s is corrupt", units[i].key);
        for (uint64_t k = 0; k < nsc && !rc && !r.bad; k++) {
            char sname[512];
            sb_get_str(&r, sname, sizeof sname);
            int mine = !strcmp(sname, scorer);
            for (uint64_t b = 0; b < reps; b++) {
                double t = sb_get_f64(&r);
                if (!mine || isnan(t))
                    continue;
                if (m == cap) {
                    cap = cap ? 2 * cap : 1024;
                    double *nv = realloc(v, cap * sizeof *nv);
                    if (!nv) {
                        rc = sb_fail(err, SB_ENOMEM, "out of memory collecting bootstrap replicates");
                        break;
                    }
                    v = nv;
                }
                v[m++] = t;
            }
        }
        if (!rc && r.bad)
            rc = sb_fail(err, SB_EINPUT, "journal record of unit %s is corrupt", units[i].key);
    }
    if (!rc && m) {
        rc = sb_percentile(v, m, 2.5, lo, err);
        if (!rc)
            rc = sb_percentile(v, m, 97.5, hi, err);
        *used = m;
    }
    free(v);
    return rc;
}
