/* sc_static.c — per-configuration summaries, the Pareto front and its areas. */
#include "tasks/splitcomp/sc_static.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/splitcomp/sc_replay.h"

void sc_stats_free(sc_stats *st)
{
    free(st->acc), free(st->mean_bytes), free(st->sd_bytes), free(st->mean_t_enc), free(st->mean_t_srv);
    free(st->t_enc_hat), free(st->bytes_hat);
    memset(st, 0, sizeof *st);
}

static double row_mean(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    return s / (double)n;
}

int sc_stats_compute(const sc_data *d, sc_stats *st, sb_err *err)
{
    memset(st, 0, sizeof *st);
    size_t M = d->M, N = d->N;
    st->M = M;
    double **all[] = {&st->acc, &st->mean_bytes, &st->sd_bytes, &st->mean_t_enc, &st->mean_t_srv, &st->t_enc_hat,
                      &st->bytes_hat};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!(*all[i] = malloc(M * sizeof(double)))) {
            sc_stats_free(st);
            return sb_fail(err, SB_ENOMEM, "out of memory summarising %zu configurations", M);
        }
    for (size_t k = 0; k < M; k++) {
        const double *p = d->payload + k * N;
        st->acc[k] = row_mean(d->value + k * N, N);
        st->mean_bytes[k] = row_mean(p, N);
        double ss = 0;
        for (size_t s = 0; s < N; s++)
            ss += (p[s] - st->mean_bytes[k]) * (p[s] - st->mean_bytes[k]);
        st->sd_bytes[k] = sqrt(ss / (double)N);
        st->mean_t_enc[k] = row_mean(d->t_enc + k * N, N);
        st->mean_t_srv[k] = row_mean(d->t_srv + k * N, N);
        st->t_enc_hat[k] = d->t_enc_est ? d->t_enc_est[k] : st->mean_t_enc[k];
        st->bytes_hat[k] = d->bytes_est ? d->bytes_est[k] : st->mean_bytes[k];
        if (st->mean_bytes[k] < st->mean_bytes[st->fallback])
            st->fallback = k;
    }
    return 0;
}

/* qsort has no context argument: the keys travel with the indices. */
typedef struct pareto_key {
    double bytes, acc;
    size_t i;
} pareto_key;

static int cmp_key(const void *a, const void *b)
{
    const pareto_key *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? -1 : 1;
    if (x->acc != y->acc)
        return x->acc > y->acc ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

int sc_pareto(const double *acc, const double *bytes, const size_t *idx, size_t n, int *front, sb_err *err)
{
    pareto_key *k = malloc((n ? n : 1) * sizeof *k);
    if (!k)
        return sb_fail(err, SB_ENOMEM, "out of memory for the Pareto front");
    for (size_t j = 0; j < n; j++)
        k[j] = (pareto_key){bytes[idx[j]], acc[idx[j]], idx[j]};
    qsort(k, n, sizeof *k, cmp_key);
    double best = -INFINITY;
    for (size_t j = 0; j < n; j++) {
        front[k[j].i] = k[j].acc > best;
        if (k[j].acc > best)
            best = k[j].acc;
    }
    free(k);
    return 0;
}

double sc_auc_log_bytes(const double *x, const double *acc, size_t n)
{
    if (n < 2)
        return NAN;
    double a = 0;
    for (size_t i = 0; i + 1 < n; i++)
        a += (x[i + 1] - x[i]) * (acc[i] + acc[i + 1]) / 2;
    return a / (x[n - 1] - x[0]);
}

/* ∫ over [a, b] (inside [x[i], x[i+1]]) of the line through the two points. */
static double piece(const double *x, const double *acc, size_t i, double a, double b)
{
    double slope = (acc[i + 1] - acc[i]) / (x[i + 1] - x[i]);
    double ya = acc[i] + slope * (a - x[i]), yb = acc[i] + slope * (b - x[i]);
    return (b - a) * (ya + yb) / 2;
}

double sc_auc_range(const double *x, const double *acc, size_t n, double lo, double hi)
{
    if (n == 0)
        return NAN;
    double a = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        double l = fmax(lo, x[i]), h = fmin(hi, x[i + 1]);
        if (h > l)
            a += piece(x, acc, i, l, h);
    }
    double l = fmax(lo, x[n - 1]);
    if (hi > l)
        a += (hi - l) * acc[n - 1];
    return a / (hi - lo);
}
