/* sc_finish.c — the four tables of `splitcomp eval` (specs/splitcomp.md "Outputs"). */
#include "tasks/splitcomp/sc_finish.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/splitcomp/sc_static.h"

#define NV 11 /* values per run, from frames to switch_time_s */

static const char *const RUN_COLS[] = {"trace", "policy", "deadline_s", "seed", "frames", "accuracy",
                                       "timely_accuracy", "miss_rate", "latency_mean", "latency_p50",
                                       "latency_p95", "latency_p99", "mean_bytes", "switches", "switch_time_s"};
static const char *const SUM_COLS[] = {"trace", "policy", "deadline_s", "n_seeds", "frames", "accuracy",
                                       "timely_accuracy", "miss_rate", "latency_mean", "latency_p50",
                                       "latency_p95", "latency_p99", "mean_bytes", "switches", "switch_time_s"};
static const char *const CFG_COLS[] = {"model", "config", "accuracy", "mean_bytes", "sd_bytes", "mean_kib",
                                       "encoder_bits", "mean_t_enc", "mean_t_srv", "pareto"};
static const char *const FRONT_COLS[] = {"model", "n_configs", "n_pareto", "min_bytes", "max_bytes",
                                         "auc_log_bytes", "auc_range"};
#define NCOLS(a) (sizeof a / sizeof a[0])

void sc_run_encode(sb_buf *rec, int64_t arg, const sc_run *r)
{
    sb_buf_put_i64(rec, arg);
    sb_buf_put_u64(rec, r->frames);
    double v[] = {r->accuracy, r->timely_accuracy, r->miss_rate, r->latency_mean, r->latency_p50,
                  r->latency_p95, r->latency_p99, r->mean_bytes};
    for (size_t i = 0; i < 8; i++)
        sb_buf_put_f64(rec, v[i]);
    sb_buf_put_u64(rec, r->switches);
    sb_buf_put_f64(rec, r->switch_time_s);
}

static int decode(const sb_record *rec, int64_t *arg, double v[NV])
{
    sb_reader rd;
    sb_reader_init(&rd, rec->data, rec->len);
    *arg = sb_get_i64(&rd);
    v[0] = (double)sb_get_u64(&rd);
    for (size_t i = 1; i < 9; i++)
        v[i] = sb_get_f64(&rd);
    v[9] = (double)sb_get_u64(&rd);
    v[10] = sb_get_f64(&rd);
    return rd.bad || rd.p != rd.end ? -1 : 0;
}

/* Area summaries of one front: configurations idx[0..n) with flags front[]. */
static void front_areas(const sc_state *s, const size_t *idx, size_t n, const int *front, double *auc,
                        double *auc_r)
{
    double x[n ? n : 1], a[n ? n : 1];
    size_t m = 0;
    for (size_t j = 0; j < n; j++)
        if (front[idx[j]]) {
            /* insertion by bytes: fronts are short */
            size_t p = m++;
            double xb = log(s->st.mean_bytes[idx[j]]);
            while (p > 0 && x[p - 1] > xb) {
                x[p] = x[p - 1];
                a[p] = a[p - 1];
                p--;
            }
            x[p] = xb;
            a[p] = s->st.acc[idx[j]];
        }
    *auc = sc_auc_log_bytes(x, a, m);
    *auc_r = s->has_auc_range ? sc_auc_range(x, a, m, log(s->auc_lo), log(s->auc_hi)) : NAN;
}

static int front_row(const sc_state *s, sb_table *tab, const char *model, const size_t *idx, size_t n,
                     const int *front, sb_err *err)
{
    size_t row, np = 0;
    double lo = INFINITY, hi = -INFINITY, auc, auc_r;
    for (size_t j = 0; j < n; j++) {
        np += front[idx[j]] != 0;
        lo = fmin(lo, s->st.mean_bytes[idx[j]]);
        hi = fmax(hi, s->st.mean_bytes[idx[j]]);
    }
    front_areas(s, idx, n, front, &auc, &auc_r);
    int rc = sb_table_add_row(tab, &row, err);
    if (!rc)
        rc = sb_table_set_str(tab, row, 0, model, err);
    if (rc)
        return rc;
    sb_table_set_int(tab, row, 1, (int64_t)n);
    sb_table_set_int(tab, row, 2, (int64_t)np);
    sb_table_set_num(tab, row, 3, lo);
    sb_table_set_num(tab, row, 4, hi);
    sb_table_set_num(tab, row, 5, auc);
    sb_table_set_num(tab, row, 6, auc_r);
    return 0;
}

static int config_rows(const sc_state *s, sb_table *tab, const int *front, sb_err *err)
{
    const sc_stats *st = &s->st;
    int rc = 0;
    for (size_t k = 0; k < s->d.M && !rc; k++) {
        size_t row;
        if ((rc = sb_table_add_row(tab, &row, err)) || (rc = sb_table_set_str(tab, row, 0, s->d.model[k], err)) ||
            (rc = sb_table_set_str(tab, row, 1, s->d.name[k], err)))
            break;
        double v[] = {st->acc[k], st->mean_bytes[k], st->sd_bytes[k], st->mean_bytes[k] / 1024,
                      s->d.encoder_bits ? s->d.encoder_bits[k] : NAN, st->mean_t_enc[k], st->mean_t_srv[k]};
        for (size_t c = 0; c < NCOLS(v); c++)
            sb_table_set_num(tab, row, 2 + c, v[c]);
        sb_table_set_int(tab, row, 9, front[k]);
    }
    return rc;
}

/* splitcomp_configs and splitcomp_fronts: fronts per model (first appearance order), then ALL. */
static int static_tables(const sc_state *s, sb_tables *out, sb_err *err)
{
    size_t M = s->d.M;
    size_t *idx = malloc(M * sizeof *idx), *first = malloc(M * sizeof *first);
    int *front = calloc(M, sizeof *front), *front_all = calloc(M, sizeof *front_all);
    sb_table *tc = NULL, *tf = NULL;
    int rc = (!idx || !first || !front || !front_all) ? sb_fail(err, SB_ENOMEM, "out of memory finishing splitcomp") : 0;
    size_t nm = 0;
    for (size_t k = 0; k < M && !rc; k++) {
        size_t j = 0;
        while (j < nm && strcmp(s->d.model[first[j]], s->d.model[k]))
            j++;
        if (j == nm)
            first[nm++] = k;
    }
    if (!rc)
        rc = sb_tables_add(out, "splitcomp_fronts", NCOLS(FRONT_COLS), FRONT_COLS, &tf, err);
    for (size_t m = 0; m < nm && !rc; m++) {
        size_t n = 0;
        for (size_t k = 0; k < M; k++)
            if (!strcmp(s->d.model[k], s->d.model[first[m]]))
                idx[n++] = k;
        rc = sc_pareto(s->st.acc, s->st.mean_bytes, idx, n, front, err);
        if (!rc)
            rc = front_row(s, tf, s->d.model[first[m]], idx, n, front, err);
    }
    for (size_t k = 0; k < M; k++)
        if (idx)
            idx[k] = k;
    if (!rc)
        rc = sc_pareto(s->st.acc, s->st.mean_bytes, idx, M, front_all, err);
    if (!rc)
        rc = front_row(s, tf, "ALL", idx, M, front_all, err);
    /* sb_tables_add may move earlier tables: take the configs table last. */
    if (!rc)
        rc = sb_tables_add(out, "splitcomp_configs", NCOLS(CFG_COLS), CFG_COLS, &tc, err);
    if (!rc)
        rc = config_rows(s, tc, front, err);
    free(idx), free(first), free(front), free(front_all);
    return rc;
}

/* The key columns of a row: trace, policy, deadline. */
static int key_cells(const sc_state *s, sb_table *tab, size_t row, const char *trace, size_t p, size_t d,
                     sb_err *err)
{
    int rc = sb_table_set_str(tab, row, 0, trace, err);
    if (!rc)
        rc = sb_table_set_str(tab, row, 1, s->pol_name[p], err);
    sb_table_set_num(tab, row, 2, s->deadlines[d]);
    return rc;
}

static int run_rows(const sc_state *s, sb_table *tab, const double *v, const int *ok, sb_err *err)
{
    size_t S = (size_t)s->seeds, i = 0;
    int rc = 0;
    for (size_t t = 0; t < s->tr.n; t++)
        for (size_t p = 0; p < s->npol; p++)
            for (size_t d = 0; d < s->nd; d++)
                for (size_t r = 0; r < S; r++, i++) {
                    if (!ok[i])
                        continue;
                    size_t row;
                    if ((rc = sb_table_add_row(tab, &row, err)) ||
                        (rc = key_cells(s, tab, row, s->tr.tr[t].name, p, d, err)))
                        return rc;
                    sb_table_set_int(tab, row, 3, (int64_t)r);
                    for (size_t c = 0; c < NV; c++)
                        if (c == 0 || c == 9)
                            sb_table_set_int(tab, row, 4 + c, (int64_t)v[i * NV + c]);
                        else
                            sb_table_set_num(tab, row, 4 + c, v[i * NV + c]);
                }
    return rc;
}

static int mean_row(const sc_state *s, sb_table *tab, const char *trace, size_t p, size_t d, double n_seeds,
                    const double *means, sb_err *err)
{
    size_t row;
    int rc = sb_table_add_row(tab, &row, err);
    if (!rc)
        rc = key_cells(s, tab, row, trace, p, d, err);
    sb_table_set_num(tab, row, 3, n_seeds);
    for (size_t c = 0; c < NV; c++)
        sb_table_set_num(tab, row, 4 + c, means[c]);
    return rc;
}

/* splitcomp: per (trace, policy, deadline) the means over its seeds, then trace=ALL rows with
 * the means of those over the traces (traces whose every seed failed left out). */
static int summary_rows(const sc_state *s, sb_table *tab, const double *v, const int *ok, sb_err *err)
{
    size_t S = (size_t)s->seeds, P = s->npol, D = s->nd, T = s->tr.n;
    double *cell = calloc(T * P * D * (NV + 1), sizeof *cell); /* n_seeds, then means */
    if (!cell)
        return sb_fail(err, SB_ENOMEM, "out of memory finishing splitcomp");
    int rc = 0;
    for (size_t g = 0; g < T * P * D && !rc; g++) {
        double *c = cell + g * (NV + 1);
        for (size_t r = 0; r < S; r++)
            if (ok[g * S + r]) {
                c[0] += 1;
                for (size_t j = 0; j < NV; j++)
                    c[1 + j] += v[(g * S + r) * NV + j];
            }
        for (size_t j = 0; j < NV && c[0] > 0; j++)
            c[1 + j] /= c[0];
        if (c[0] > 0)
            rc = mean_row(s, tab, s->tr.tr[g / (P * D)].name, g / D % P, g % D, c[0], c + 1, err);
    }
    for (size_t g = 0; g < P * D && !rc; g++) {
        double acc[NV + 1] = {0}, nt = 0;
        for (size_t t = 0; t < T; t++) {
            const double *c = cell + (t * P * D + g) * (NV + 1);
            if (c[0] == 0)
                continue;
            nt += 1;
            for (size_t j = 0; j <= NV; j++)
                acc[j] += c[j];
        }
        for (size_t j = 0; j <= NV && nt > 0; j++)
            acc[j] /= nt;
        if (nt > 0)
            rc = mean_row(s, tab, "ALL", g / D, g % D, acc[0], acc + 1, err);
    }
    free(cell);
    return rc;
}

int sc_finish(const sc_state *s, const sb_unit *units, const sb_record *records, size_t n, sb_tables *out,
              sb_err *err)
{
    size_t nu = s->tr.n * s->npol * s->nd * (size_t)s->seeds;
    double *v = calloc(nu * NV + 1, sizeof *v);
    int *ok = calloc(nu + 1, sizeof *ok);
    int rc = (!v || !ok) ? sb_fail(err, SB_ENOMEM, "out of memory finishing splitcomp") : 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!records[i].data || records[i].failed)
            continue;
        int64_t arg;
        double w[NV];
        if (decode(&records[i], &arg, w) || arg < 0 || (uint64_t)arg >= nu || arg != units[i].arg)
            rc = sb_fail(err, SB_EINPUT, "journal record of unit %s is corrupt", units[i].key);
        else {
            ok[arg] = 1;
            memcpy(v + (size_t)arg * NV, w, sizeof w);
        }
    }
    if (!rc)
        rc = static_tables(s, out, err);
    sb_table *tr = NULL, *ts = NULL;
    if (!rc)
        rc = sb_tables_add(out, "splitcomp_runs", NCOLS(RUN_COLS), RUN_COLS, &tr, err);
    if (!rc)
        rc = run_rows(s, tr, v, ok, err);
    if (!rc)
        rc = sb_tables_add(out, "splitcomp", NCOLS(SUM_COLS), SUM_COLS, &ts, err);
    if (!rc)
        rc = summary_rows(s, ts, v, ok, err);
    free(v), free(ok);
    return rc;
}
