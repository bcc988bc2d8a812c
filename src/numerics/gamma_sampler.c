#include "numerics/gamma_sampler.h"

#include <math.h>

double sb_gamma_draw(sb_rng *r, double shape)
{
    if (!(shape > 0.0) || !isfinite(shape))
        return NAN;
    if (shape < 1.0) {
        double g = sb_gamma_draw(r, shape + 1.0);
        double u = 1.0 - sb_rng_uniform(r); /* (0, 1]: never a zero draw from u = 0 */
        return g * pow(u, 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = sb_rng_normal(r);
        double t = 1.0 + c * x;
        if (t <= 0.0)
            continue;
        double v = t * t * t;
        double u = sb_rng_uniform(r);
        double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2)
            return d * v;
        if (log(u) < 0.5 * x2 + d * (1.0 - v + log(v)))
            return d * v;
    }
}

double sb_inv_gamma_draw(sb_rng *r, double shape, double scale)
{
    if (!(scale > 0.0))
        return NAN;
    return scale / sb_gamma_draw(r, shape);
}
