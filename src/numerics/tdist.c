#include "numerics/tdist.h"

#include <math.h>
#include <stddef.h>

#include "numerics/betainc.h"

double sb_t_sf(double t, double nu)
{
    if (isnan(t) || !(nu > 0))
        return NAN;
    if (t < 0)
        return 1 - sb_t_sf(-t, nu);
    if (isinf(t))
        return 0;
    /* P(T > t) = ½ I_x(ν/2, ½), x = ν/(ν+t²); 1 − x formed directly. */
    double d = nu + t * t, half;
    sb_betainc(nu / 2, 0.5, nu / d, t * t / d, &half, NULL);
    return 0.5 * half;
}

static double t_logpdf(double t, double nu)
{
    return sb_lgamma_ratio(nu / 2, 0.5) - 0.5 * log(nu * 3.14159265358979323846) - (nu + 1) / 2 * log1p(t * t / nu);
}

double sb_norm_sf(double z) { return 0.5 * erfc(z * 0.70710678118654752440); }

static double norm_logpdf(double z) { return -0.5 * z * z - 0.9189385332046727418; }

/* The x > 0 with sf(x) = alpha (0 < alpha < ½), sf decreasing. */
static double solve_upper(double alpha, double (*sf)(double, double), double (*logpdf)(double, double),
                          double nu, double guess)
{
    double lo = 0, hi = guess > 0 ? guess : 1;
    while (sf(hi, nu) > alpha && hi < 1e300)
        lo = hi, hi *= 4;
    double x = guess > lo && guess < hi ? guess : 0.5 * (lo + hi), target = log(alpha);
    for (int it = 0; it < 400; it++) {
        double s = sf(x, nu);
        if (s > alpha)
            lo = x;
        else
            hi = x;
        /* d/dx ln sf = −pdf/sf */
        double step = (log(s) - target) / exp(logpdf(x, nu) - log(s)), next = x + step;
        if (!(next > lo && next < hi))
            next = 0.5 * (lo + hi);
        if (fabs(next - x) <= 1e-15 * fabs(next) || lo == hi)
            return next;
        x = next;
    }
    return x;
}

static double norm_sf2(double z, double unused)
{
    (void)unused;
    return sb_norm_sf(z);
}
static double norm_logpdf2(double z, double unused)
{
    (void)unused;
    return norm_logpdf(z);
}

double sb_norm_ppf(double q)
{
    if (!(q > 0 && q < 1))
        return NAN;
    if (q == 0.5)
        return 0;
    double alpha = q > 0.5 ? 1 - q : q;
    double z = solve_upper(alpha, norm_sf2, norm_logpdf2, 0, sqrt(-2 * log(alpha)));
    return q > 0.5 ? z : -z;
}

double sb_t_ppf(double q, double nu)
{
    if (!(q > 0 && q < 1) || !(nu > 0))
        return NAN;
    if (q == 0.5)
        return 0;
    double alpha = q > 0.5 ? 1 - q : q;
    double z = sb_norm_ppf(1 - alpha), guess = z + (z * z * z + z) / (4 * nu);
    double t = solve_upper(alpha, sb_t_sf, t_logpdf, nu, guess);
    return q > 0.5 ? t : -t;
}
