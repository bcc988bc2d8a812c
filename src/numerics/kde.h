/* kde.h — Gaussian kernel density estimate, as scipy.stats.gaussian_kde with its defaults.
 *
 * Kernel covariance Σ = (unbiased sample covariance) × s², s = n^(−1/(d+4)) (Scott's factor),
 * equal weights. The density at x is (1/n) Σ_i N(x; x_i, Σ).
 *
 * Evaluation whitens samples and points once with the Cholesky factor L of Σ (Σ = L Lᵀ), so the
 * kernel argument is a plain squared distance ‖u − v‖²; these come from dgemm blocks as
 * ‖u‖² + ‖v‖² − 2 u·v with u, v centred on the sample mean. The rounding error of that form is at
 * most (2d+4)·2⁻⁵³·(‖u‖² + ‖v‖²); a pair whose bound exceeds 1e-11 (a relative error of 5e-12
 * in its kernel value) is recomputed directly as Σ_k (u_k − v_k)², so every kernel value is within
 * ~5e-12 relative of the exact-subtraction form scipy uses.
 *
 * Sharding: sb_kde_eval_range evaluates the points first..first+count−1 of a set of m points.
 * Points are processed in blocks aligned to absolute multiples of SB_KDE_POINT_BLOCK, so a point's
 * value is bit-identical whichever range (shard) it is evaluated in. Memory per call is bounded
 * by SB_KDE_POINT_BLOCK × SB_KDE_SAMPLE_BLOCK doubles. */
#ifndef SB_KDE_H
#define SB_KDE_H

#include <stddef.h>

#include "core/err.h"
#include "core/rng.h"

#define SB_KDE_POINT_BLOCK 256
#define SB_KDE_SAMPLE_BLOCK 1024

typedef struct sb_kde {
    size_t n, d;
    double factor;   /* Scott's factor n^(−1/(d+4)) */
    double *data;    /* n×d copy of the samples (row-major) */
    double *center;  /* d: sample mean, subtracted before whitening */
    double *chol;    /* d×d row-major lower Cholesky factor L of the kernel covariance */
    double *white;   /* n×d: L⁻¹(x_i − center) */
    double *wnorm;   /* n: ‖white_i‖² */
    double norm;     /* (2π)^(−d/2) / det L / n: multiplies the sum of exp(−D/2) */
} sb_kde;

/* Fits the KDE of x (n×d row-major). `name` names the set in error messages ("P", "class 1 of
 * Q", ...). Fails with SB_ENUMERIC when the kernel covariance is singular: n < 2, d > n (as scipy)
 * or a Cholesky failure (points in a lower-dimensional subspace, a constant column). Fails with
 * SB_EINPUT on NaN/Inf in x. On failure *k is left empty (safe to sb_kde_free). */
int sb_kde_fit(sb_kde *k, const double *x, size_t n, size_t d, const char *name, sb_err *err);

/* Densities at points first..first+count−1 of `points` (m×d row-major, the whole set) into
 * out[0..count). */
int sb_kde_eval_range(const sb_kde *k, const double *points, size_t m, size_t first, size_t count,
                      double *out, sb_err *err);

/* Convenience: all m points. */
int sb_kde_eval(const sb_kde *k, const double *points, size_t m, double *out, sb_err *err);

/* m draws from the KDE into out (m×d): for each draw, a sample row chosen uniformly
 * (sb_rng_below(n)) plus L·z with z the next d standard normals (sb_rng_normal). */
void sb_kde_resample(const sb_kde *k, size_t m, sb_rng *rng, double *out);

void sb_kde_free(sb_kde *k);

#endif
