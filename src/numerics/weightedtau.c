#include "numerics/weightedtau.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct wt_state {
    const double *x, *y;
    size_t *perm;       /* indices, sorted by (x, y) then re-sorted by y */
    size_t *temp;       /* merge work space */
    double *weight;     /* h(rank[i]) per element */
    double exchanges;   /* weight of the discordant pairs */
} wt_state;

typedef struct idx_key {
    double a, b;
    size_t i;
} idx_key;

/* Stable lexicographic order on (a, b): the index breaks full ties, as numpy's lexsort. */
static int cmp_key(const void *p, const void *q)
{
    const idx_key *u = p, *v = q;
    if (u->a != v->a)
        return u->a < v->a ? -1 : 1;
    if (u->b != v->b)
        return u->b < v->b ? -1 : 1;
    return (u->i > v->i) - (u->i < v->i);
}

/* Merge sort of perm[offset, offset+length) on y, accumulating the weight of exchanges: an
 * element moving ahead of the j..length0 remaining left elements adds its weight times their
 * number plus their summed weight ("residual"). Returns the total weight of the section. */
static double weigh(wt_state *s, size_t offset, size_t length)
{
    if (length == 1)
        return s->weight[s->perm[offset]];
    size_t length0 = length / 2, length1 = length - length0, middle = offset + length0;
    double residual = weigh(s, offset, length0);
    double total = weigh(s, middle, length1) + residual;
    const double *y = s->y;
    size_t *perm = s->perm, *temp = s->temp;
    if (y[perm[middle - 1]] < y[perm[middle]])
        return total;
    size_t i = 0, j = 0, k = 0;
    while (j < length0 && k < length1) {
        if (y[perm[offset + j]] <= y[perm[middle + k]]) {
            temp[i] = perm[offset + j];
            residual -= s->weight[temp[i]];
            j++;
        } else {
            temp[i] = perm[middle + k];
            s->exchanges += s->weight[temp[i]] * (double)(length0 - j) + residual;
            k++;
        }
        i++;
    }
    memmove(perm + offset + i, perm + offset + j, (length0 - j) * sizeof *perm);
    memcpy(perm + offset, temp, i * sizeof *perm);
    return total;
}

/* Additive tie weight of runs of perm over which same() holds: each run of m elements with
 * weight sum S contributes S·(m−1). Returns it, and sets *one_run if the whole array is one run. */
static double run_weight(const wt_state *s, size_t n, int by_x, int by_y, int *one_run)
{
    size_t first = 0;
    double total = 0.0, sum = s->weight[s->perm[0]];
    for (size_t i = 1; i < n; i++) {
        size_t a = s->perm[first], b = s->perm[i];
        if ((by_x && s->x[a] != s->x[b]) || (by_y && s->y[a] != s->y[b])) {
            total += sum * (double)(i - first - 1);
            first = i;
            sum = 0.0;
        }
        sum += s->weight[b];
    }
    total += sum * (double)(n - first - 1);
    *one_run = first == 0;
    return total;
}

static int check_finite(const double *v, size_t n, const char *name, sb_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return sb_fail(err, SB_EINPUT, "weighted tau: %s[%zu] is not finite (%g)", name, i,
                           v[i]);
    return 0;
}

static int ranked_tau(const double *x, const double *y, size_t n, double *tau,
                      const char **reason, sb_err *err)
{
    *tau = NAN;
    if (n < 2) {
        if (reason)
            *reason = "fewer than 2 models";
        return 0;
    }
    wt_state s = {.x = x, .y = y, .exchanges = 0.0};
    idx_key *keys = sb_malloc(n * sizeof *keys, "weighted tau sort keys", err);
    s.perm = sb_malloc(2 * n * sizeof *s.perm, "weighted tau permutation", err);
    s.weight = sb_malloc(n * sizeof *s.weight, "weighted tau weights", err);
    if (!keys || !s.perm || !s.weight) {
        free(keys);
        free(s.perm);
        free(s.weight);
        return SB_ENOMEM;
    }
    s.temp = s.perm + n;
    for (size_t i = 0; i < n; i++)
        keys[i] = (idx_key){x[i], y[i], i};
    qsort(keys, n, sizeof *keys, cmp_key);
    for (size_t k = 0; k < n; k++) {
        s.perm[k] = keys[k].i;
        /* rank 0 for the last in increasing order */
        s.weight[keys[k].i] = 1.0 / (double)(1 + (n - 1 - k));
    }
    free(keys);

    int one_run;
    double t = run_weight(&s, n, 1, 1, &one_run);
    double u = run_weight(&s, n, 1, 0, &one_run);
    if (one_run) {
        if (reason)
            *reason = "x is constant";
        goto done;
    }
    weigh(&s, 0, n);
    double v = run_weight(&s, n, 0, 1, &one_run);
    if (one_run) {
        if (reason)
            *reason = "y is constant";
        goto done;
    }
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += s.weight[s.perm[i]];
    double tot = sum * (double)(n - 1);
    double r = ((tot - (v + u - t)) - 2.0 * s.exchanges) / sqrt(tot - u) / sqrt(tot - v);
    *tau = r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r);
done:
    free(s.perm);
    free(s.weight);
    return 0;
}

int sb_weighted_tau_ranked(const double *x, const double *y, size_t n, double *tau,
                           const char **reason, sb_err *err)
{
    if (reason)
        *reason = NULL;
    *tau = NAN;
    int rc = check_finite(x, n, "x", err);
    if (!rc)
        rc = check_finite(y, n, "y", err);
    if (rc)
        return rc;
    return ranked_tau(x, y, n, tau, reason, err);
}

int sb_weighted_tau(const double *x, const double *y, size_t n, double *tau, const char **reason,
                    sb_err *err)
{
    double a, b;
    int rc = sb_weighted_tau_ranked(x, y, n, &a, reason, err);
    if (rc)
        return rc;
    if (isnan(a)) {
        *tau = NAN;
        return 0;
    }
    rc = ranked_tau(y, x, n, &b, reason, err);
    if (rc)
        return rc;
    *tau = (a + b) / 2;
    return 0;
}
