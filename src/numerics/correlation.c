#include "numerics/correlation.h"

#include <math.h>
#include <stdlib.h>

typedef struct val_idx {
    double v;
    size_t i;
} val_idx;

static int cmp_val(const void *a, const void *b)
{
    const val_idx *p = a, *q = b;
    if (p->v != q->v)
        return p->v < q->v ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

static int check_finite(const double *v, size_t n, const char *what, const char *name,
                        sb_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return sb_fail(err, SB_EINPUT, "%s: %s[%zu] is not finite (%g)", what, name, i, v[i]);
    return 0;
}

int sb_rankdata_average(const double *v, size_t n, double *ranks, sb_err *err)
{
    int rc = check_finite(v, n, "rankdata", "v", err);
    if (rc)
        return rc;
    if (n == 0)
        return 0;
    val_idx *a = sb_malloc(n * sizeof *a, "rankdata order", err);
    if (!a)
        return SB_ENOMEM;
    for (size_t i = 0; i < n; i++)
        a[i] = (val_idx){v[i], i};
    qsort(a, n, sizeof *a, cmp_val);
    size_t first = 0;
    for (size_t k = 1; k <= n; k++) {
        if (k == n || a[k].v != a[first].v) {
            /* positions first..k−1 hold ranks first+1..k: their mean */
            double mean = 0.5 * (double)(first + 1 + k);
            for (size_t m = first; m < k; m++)
                ranks[a[m].i] = mean;
            first = k;
        }
    }
    free(a);
    return 0;
}

static int is_constant(const double *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[0])
            return 0;
    return 1;
}

/* Defined case only: n ≥ 2, neither vector constant, all finite. */
static double pearson_core(const double *x, const double *y, size_t n)
{
    if (n == 2) {
        double sx = (x[1] > x[0]) - (x[1] < x[0]);
        double sy = (y[1] > y[0]) - (y[1] < y[0]);
        return sx * sy;
    }
    double mx = 0.0, my = 0.0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    /* Scaled norms (as LAPACK's dnrm2) so that huge values do not overflow. */
    double ax = 0.0, ay = 0.0;
    for (size_t i = 0; i < n; i++) {
        ax = fmax(ax, fabs(x[i] - mx));
        ay = fmax(ay, fabs(y[i] - my));
    }
    double ssx = 0.0, ssy = 0.0, sxy = 0.0;
    for (size_t i = 0; i < n; i++) {
        double dx = (x[i] - mx) / ax, dy = (y[i] - my) / ay;
        ssx += dx * dx;
        ssy += dy * dy;
        sxy += dx * dy;
    }
    double r = sxy / (sqrt(ssx) * sqrt(ssy));
    return r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r);
}

static int undefined(const double *x, const double *y, size_t n, const char **reason)
{
    if (n < 2) {
        if (reason)
            *reason = "fewer than 2 models";
        return 1;
    }
    if (is_constant(x, n)) {
        if (reason)
            *reason = "x is constant";
        return 1;
    }
    if (is_constant(y, n)) {
        if (reason)
            *reason = "y is constant";
        return 1;
    }
    return 0;
}

int sb_pearson(const double *x, const double *y, size_t n, double *r, const char **reason,
               sb_err *err)
{
    *r = NAN;
    if (reason)
        *reason = NULL;
    int rc = check_finite(x, n, "pearson", "x", err);
    if (!rc)
        rc = check_finite(y, n, "pearson", "y", err);
    if (rc)
        return rc;
    if (undefined(x, y, n, reason))
        return 0;
    *r = pearson_core(x, y, n);
    return 0;
}

int sb_spearman(const double *x, const double *y, size_t n, double *rho, const char **reason,
                sb_err *err)
{
    *rho = NAN;
    if (reason)
        *reason = NULL;
    int rc = check_finite(x, n, "spearman", "x", err);
    if (!rc)
        rc = check_finite(y, n, "spearman", "y", err);
    if (rc)
        return rc;
    if (undefined(x, y, n, reason))
        return 0;
    double *rx = sb_malloc(2 * n * sizeof *rx, "spearman ranks", err);
    if (!rx)
        return SB_ENOMEM;
    double *ry = rx + n;
    rc = sb_rankdata_average(x, n, rx, err);
    if (!rc)
        rc = sb_rankdata_average(y, n, ry, err);
    if (!rc) {
        /* scipy's spearmanr uses np.corrcoef, not the n = 2 sign rule; for n = 2 with
         * distinct values both give ±1. */
        *rho = pearson_core(rx, ry, n);
    }
    free(rx);
    return rc;
}
