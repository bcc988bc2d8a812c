#include "numerics/grouped_tau.h"

#include <math.h>
#include <stdlib.h>

typedef struct row_key {
    double a, b;
    size_t i; /* row index, breaks full ties as a stable sort would */
} row_key;

static int cmp_key(const void *p, const void *q)
{
    const row_key *u = p, *v = q;
    if (u->a != v->a)
        return u->a < v->a ? -1 : 1;
    if (u->b != v->b)
        return u->b < v->b ? -1 : 1;
    return (u->i > v->i) - (u->i < v->i);
}

typedef struct group_row {
    int g;
    size_t i;
} group_row;

static int cmp_group_row(const void *p, const void *q)
{
    const group_row *u = p, *v = q;
    if (u->g != v->g)
        return u->g < v->g ? -1 : 1;
    return (u->i > v->i) - (u->i < v->i);
}

/* h(rank) of each row of a group, rank from the decreasing order of (a, b, row index). */
static void rank_weights(const double *a, const double *b, const size_t *rows, size_t m,
                         sb_tau_weigher weigher, row_key *keys, double *h)
{
    for (size_t k = 0; k < m; k++)
        keys[k] = (row_key){a[rows[k]], b[rows[k]], k};
    qsort(keys, m, sizeof *keys, cmp_key);
    for (size_t pos = 0; pos < m; pos++) {
        size_t rank = m - 1 - pos;
        h[keys[pos].i] = weigher == SB_TAU_HYPERBOLIC ? 1.0 / (double)(1 + rank) : 1.0;
    }
}

static int sign_of(double d) { return (d > 0) - (d < 0); }

int sb_grouped_tau_sums_compute(const double *x, const double *y, const int *group, size_t n,
                                sb_tau_weigher weigher, sb_grouped_tau_sums *sums, sb_err *err)
{
    *sums = (sb_grouped_tau_sums){0};
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return sb_fail(err, SB_EINPUT, "grouped tau: x[%zu] is not finite (%g)", i, x[i]);
        if (!isfinite(y[i]))
            return sb_fail(err, SB_EINPUT, "grouped tau: y[%zu] is not finite (%g)", i, y[i]);
    }
    if (n == 0)
        return 0;
    group_row *order = sb_malloc(n * sizeof *order, "grouped tau row order", err);
    size_t *rows = sb_malloc(n * sizeof *rows, "grouped tau group rows", err);
    row_key *keys = sb_malloc(n * sizeof *keys, "grouped tau sort keys", err);
    double *hx = sb_malloc(2 * n * sizeof *hx, "grouped tau weights", err);
    if (!order || !rows || !keys || !hx) {
        free(order);
        free(rows);
        free(keys);
        free(hx);
        return SB_ENOMEM;
    }
    double *hy = hx + n;
    for (size_t i = 0; i < n; i++)
        order[i] = (group_row){group[i], i};
    qsort(order, n, sizeof *order, cmp_group_row);

    double c = 0.0, d = 0.0, tx = 0.0, ty = 0.0, w_all = 0.0;
    for (size_t first = 0; first < n;) {
        size_t m = 0;
        while (first + m < n && order[first + m].g == order[first].g) {
            rows[m] = order[first + m].i;
            m++;
        }
        rank_weights(x, y, rows, m, weigher, keys, hx);
        rank_weights(y, x, rows, m, weigher, keys, hy);
        for (size_t i = 0; i < m; i++) {
            for (size_t j = i + 1; j < m; j++) {
                int sx = sign_of(x[rows[i]] - x[rows[j]]);
                int sy = sign_of(y[rows[i]] - y[rows[j]]);
                double w = (hx[i] + hx[j]) + (hy[i] + hy[j]);
                if (sx * sy > 0) {
                    c += w;
                } else if (sx * sy < 0) {
                    d += w;
                } else {
                    if (sx == 0)
                        tx += w;
                    if (sy == 0)
                        ty += w;
                }
                w_all += w;
            }
        }
        first += m;
    }
    *sums = (sb_grouped_tau_sums){c, d, tx, ty, w_all};
    free(order);
    free(rows);
    free(keys);
    free(hx);
    return 0;
}

double sb_grouped_tau_from_sums(const sb_grouped_tau_sums *s, const char **reason)
{
    if (reason)
        *reason = NULL;
    double dx = s->all - s->tie_x, dy = s->all - s->tie_y;
    if (s->all == 0.0) {
        if (reason)
            *reason = "no dataset has 2 or more models";
        return NAN;
    }
    if (dx == 0.0) {
        if (reason)
            *reason = "x is tied within every dataset";
        return NAN;
    }
    if (dy == 0.0) {
        if (reason)
            *reason = "y is tied within every dataset";
        return NAN;
    }
    return (s->concordant - s->discordant) / sqrt(dx * dy);
}

int sb_grouped_tau(const double *x, const double *y, const int *group, size_t n,
                   sb_tau_weigher weigher, double *tau, const char **reason, sb_err *err)
{
    sb_grouped_tau_sums s;
    *tau = NAN;
    if (reason)
        *reason = NULL;
    int rc = sb_grouped_tau_sums_compute(x, y, group, n, weigher, &s, err);
    if (rc)
        return rc;
    *tau = sb_grouped_tau_from_sums(&s, reason);
    return 0;
}
