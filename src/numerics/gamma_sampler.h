/* gamma_sampler.h — Gamma(shape, 1) draws from the project's seeded generator.
 *
 * Marsaglia & Tsang (2000), "A simple method for generating gamma variables": for shape
 * a ≥ 1, d = a − 1/3, c = 1/√(9d); draw x ~ N(0,1), v = (1 + c x)³, u ~ U[0,1); accept d·v
 * if v > 0 and u < 1 − 0.0331 x⁴ or log u < x²/2 + d(1 − v + log v). For a < 1 the draw is
 * Gamma(a + 1)·U^(1/a) with U in (0, 1]. Only sb_rng_uniform and sb_rng_normal are used, so a
 * seeded sb_rng gives the same sequence on every machine. */
#ifndef SB_GAMMA_SAMPLER_H
#define SB_GAMMA_SAMPLER_H

#include "core/rng.h"

/* One Gamma(shape, scale 1) draw; mean shape, variance shape. Precondition: shape > 0 and
 * finite (returns NaN otherwise, drawing nothing). */
double sb_gamma_draw(sb_rng *r, double shape);

/* One inverse-gamma(shape, scale) draw: scale / Gamma(shape, 1). Same precondition, scale > 0. */
double sb_inv_gamma_draw(sb_rng *r, double shape, double scale);

#endif
