/* tdist.h — Student t and standard normal tails and quantiles, for confidence intervals.
 *
 * Quantiles solve tail(x) = α by Newton steps on ln tail(x), kept inside a bracket (bisection
 * when a step leaves it), to a relative step below 1e-15; the tails come from betainc.h and
 * erfc. Agreement with mpmath at 50 digits to 1e-12 relative is tested
 * (3e-12 for nu >= 1e4; test_tdist.c). */
#ifndef SB_TDIST_H
#define SB_TDIST_H

/* P(T > t) for T ~ Student t with nu > 0 degrees of freedom. */
double sb_t_sf(double t, double nu);
/* The q-quantile of Student t with nu degrees of freedom, 0 < q < 1 (NaN outside). */
double sb_t_ppf(double q, double nu);
/* P(Z > z) and the q-quantile Φ⁻¹(q) of the standard normal. */
double sb_norm_sf(double z);
double sb_norm_ppf(double q);

#endif
