#include "numerics/percentile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double p = *(const double *)a, q = *(const double *)b;
    return (p > q) - (p < q);
}

/* sorted interpolated at position h in [0, n−1], as numpy's _lerp. */
static double lerp_at(const double *sorted, size_t n, double h)
{
    if (h >= (double)(n - 1))
        return sorted[n - 1];
    double lo_f = floor(h);
    size_t lo = (size_t)lo_f;
    double g = h - lo_f;
    double a = sorted[lo], b = sorted[lo + 1], diff = b - a;
    return g >= 0.5 ? b - diff * (1.0 - g) : a + diff * g;
}

int sb_percentile_sorted(const double *sorted, size_t n, double q, double *out, sb_err *err)
{
    *out = NAN;
    if (n == 0)
        return sb_fail(err, SB_EINPUT, "percentile of an empty array");
    if (!(q >= 0.0 && q <= 100.0))
        return sb_fail(err, SB_EINPUT, "percentile q = %g is outside [0, 100]", q);
    *out = lerp_at(sorted, n, (double)(n - 1) * (q / 100.0));
    return 0;
}

int sb_quantile_sorted(const double *sorted, size_t n, double q, double *out, sb_err *err)
{
    *out = NAN;
    if (n == 0)
        return sb_fail(err, SB_EINPUT, "quantile of an empty array");
    if (!(q >= 0.0 && q <= 1.0))
        return sb_fail(err, SB_EINPUT, "quantile q = %g is outside [0, 1]", q);
    *out = lerp_at(sorted, n, (double)(n - 1) * q);
    return 0;
}

int sb_percentile(const double *v, size_t n, double q, double *out, sb_err *err)
{
    *out = NAN;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return sb_fail(err, SB_EINPUT, "percentile: value [%zu] is not finite (%g)", i, v[i]);
    if (n == 0)
        return sb_fail(err, SB_EINPUT, "percentile of an empty array");
    double *s = sb_malloc(n * sizeof *s, "percentile sort copy", err);
    if (!s)
        return SB_ENOMEM;
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    int rc = sb_percentile_sorted(s, n, q, out, err);
    free(s);
    return rc;
}
