/* rng.h — the one seeded random generator of shardbench.
 *
 * xoshiro256** seeded through splitmix64 from (suite seed, unit id), so a work unit
 * draws the same numbers on whichever rank runs it. Normal draws use the polar
 * (Marsaglia) method, which needs only uniforms and is exactly reproducible. */
#ifndef SB_RNG_H
#define SB_RNG_H

#include <stdint.h>

typedef struct sb_rng {
    uint64_t s[4];
    int has_spare;
    double spare;
} sb_rng;

/* Seeds from a suite seed and a stream id (a unit id, a chain number, ...). */
void sb_rng_seed(sb_rng *r, uint64_t seed, uint64_t stream);
uint64_t sb_rng_u64(sb_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double sb_rng_uniform(sb_rng *r);
/* Uniform integer in [0, n), without modulo bias. n > 0. */
uint64_t sb_rng_below(sb_rng *r, uint64_t n);
/* Standard normal. */
double sb_rng_normal(sb_rng *r);

#endif
