#include "numerics/betainc.h"

#include <float.h>
#include <math.h>
#include <stddef.h>

/* ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π], the Stirling remainder, for x >= 10: seven terms of
 * the asymptotic series leave an error below 1e-17 there. */
static double stirling_rem(double x)
{
    double r = 1.0 / x, r2 = r * r;
    return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 -
           r2 * (1.0 / 1188 - r2 * (691.0 / 360360 - r2 / 156))))));
}

double sb_lgamma_ratio(double a, double b)
{
    if (a < 10)
        return lgamma(a + b) - lgamma(a);
    /* (a+b−½)ln(a+b) − (a−½)ln a − b, rearranged so no two large terms cancel. */
    return (a - 0.5) * log1p(b / a) + b * log(a + b) - b + stirling_rem(a + b) - stirling_rem(a);
}

/* ln of x^a y^b / B(a,b), y = 1 − x. */
static double log_prefix(double a, double b, double x, double y)
{
    double lnx = x < 0.5 ? log(x) : log1p(-y), lny = y < 0.5 ? log(y) : log1p(-x);
    if (a >= 10 && b >= 10) {
        /* Stirling for all three gammas: a ln(xc/a) + b ln(yc/b) + ½ ln(ab/c) − ½ ln 2π − Δδ,
         * with xc − a formed before the log so that x ≈ a/c keeps its digits. */
        double c = a + b;
        double e = a * log1p((x * c - a) / a) + b * log1p((y * c - b) / b);
        return e + 0.5 * log(a / c * b) - 0.9189385332046727418 -
               (stirling_rem(a) + stirling_rem(b) - stirling_rem(c));
    }
    if (a >= 10)
        return a * lnx + b * lny - lgamma(b) + sb_lgamma_ratio(a, b);
    if (b >= 10)
        return a * lnx + b * lny - lgamma(a) + sb_lgamma_ratio(b, a);
    return a * lnx + b * lny - (lgamma(a) + lgamma(b) - lgamma(a + b));
}

/* The continued fraction of I_x(a,b) · a / prefix (Numerical Recipes' betacf, modified Lentz);
 * it converges fast for x < (a+1)/(a+b+2). */
static double beta_cf(double a, double b, double x, double y)
{
    const double tiny = 1e-300, eps = 1e-16;
    /* The first denominator 1 − (a+b)x/(a+1) = (1 − b + (a+b)y)/(a+1), y = 1 − x: for x near 1
     * the left form cancels (1e-11 lost at a = 1e5), for x small the right one does. */
    double qab = a + b, qap = a + 1, qam = a - 1, c = 1;
    double d = x < 0.5 ? 1 - qab * x / qap : (1 - b + qab * y) / qap;
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 200000; m++) {
        double m2 = 2.0 * m, aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < eps)
            break;
    }
    return h;
}

void sb_betainc(double a, double b, double x, double y, double *ix, double *ixc)
{
    double i, ic;
    if (x <= 0) {
        i = 0, ic = 1;
    } else if (y <= 0) {
        i = 1, ic = 0;
    } else if (x < (a + 1) / (a + b + 2)) {
        i = exp(log_prefix(a, b, x, y)) * beta_cf(a, b, x, y) / a;
        ic = 1 - i;
    } else {
        ic = exp(log_prefix(b, a, y, x)) * beta_cf(b, a, y, x) / b;
        i = 1 - ic;
    }
    if (ix)
        *ix = i;
    if (ixc)
        *ixc = ic;
}

double sb_binom_half_sf(uint64_t k, uint64_t n)
{
    if (k == 0)
        return 1;
    if (k > n)
        return 0;
    if (n <= 62) {
        /* Σ C(n,m) for m >= k fits in 63 bits; one rounding at the end. */
        uint64_t c = 1, sum = 0; /* c = C(n, m) walking m = n down to k */
        for (uint64_t m = n; m >= k; m--) {
            sum += c;
            if (m == 0)
                break;
            c = c * m / (n - m + 1);
        }
        return ldexp((double)sum, -(int)n);
    }
    double i;
    sb_betainc((double)k, (double)(n - k + 1), 0.5, 0.5, &i, NULL);
    return i;
}
