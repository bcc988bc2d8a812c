#include "numerics/kde.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void sb_kde_free(sb_kde *k)
{
    if (!k)
        return;
    free(k->data);
    free(k->center);
    free(k->chol);
    free(k->white);
    free(k->wnorm);
    memset(k, 0, sizeof *k);
}

/* Whitens rows: out = (x − center) L⁻ᵀ, i.e. each row u = L⁻¹(x − center); norms[i] = ‖u_i‖². */
static void whiten(const sb_kde *k, const double *x, size_t rows, double *out, double *norms)
{
    size_t d = k->d;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < d; j++)
            out[i * d + j] = x[i * d + j] - k->center[j];
    cblas_dtrsm(CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, (int)rows, (int)d,
                1.0, k->chol, (int)d, out, (int)d);
    for (size_t i = 0; i < rows; i++) {
        double s = 0.0;
        for (size_t j = 0; j < d; j++)
            s += out[i * d + j] * out[i * d + j];
        norms[i] = s;
    }
}

int sb_kde_fit(sb_kde *k, const double *x, size_t n, size_t d, const char *name, sb_err *err)
{
    memset(k, 0, sizeof *k);
    if (d == 0)
        return sb_fail(err, SB_EINPUT, "KDE of %s: dimension is 0", name);
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(x[i]))
            return sb_fail(err, SB_EINPUT, "KDE of %s: non-finite value at row %zu, column %zu",
                           name, i / d, i % d);
    /* scipy refuses these before trying the Cholesky factorisation. */
    if (n < 2 || d > n)
        return sb_fail(err, SB_ENUMERIC,
                       "KDE of %s: singular covariance (%zu points in dimension %zu)", name, n, d);
    k->n = n;
    k->d = d;
    k->data = sb_malloc(n * d * sizeof(double), "KDE samples", err);
    k->center = sb_calloc(d, sizeof(double), "KDE centre", err);
    k->chol = sb_calloc(d * d, sizeof(double), "KDE covariance", err);
    k->white = sb_malloc(n * d * sizeof(double), "KDE whitened samples", err);
    k->wnorm = sb_malloc(n * sizeof(double), "KDE sample norms", err);
    if (!k->data || !k->center || !k->chol || !k->white || !k->wnorm) {
        sb_kde_free(k);
        return SB_ENOMEM;
    }
    memcpy(k->data, x, n * d * sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            k->center[j] += x[i * d + j];
    for (size_t j = 0; j < d; j++)
        k->center[j] /= (double)n;
    /* Unbiased covariance of the centred samples (upper triangle via dsyrk on Xcᵀ Xc). */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            k->white[i * d + j] = x[i * d + j] - k->center[j];
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)d, (int)n, 1.0 / (double)(n - 1),
                k->white, (int)d, 0.0, k->chol, (int)d);
    k->factor = pow((double)n, -1.0 / (double)(d + 4));
    double f2 = k->factor * k->factor;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j <= i; j++)
            k->chol[i * d + j] *= f2;
    lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)d, k->chol, (lapack_int)d);
    if (info != 0) {
        sb_kde_free(k);
        if (info < 0)
            return sb_fail(err, SB_ENUMERIC, "KDE of %s: dpotrf argument %d invalid", name,
                           (int)-info);
        return sb_fail(err, SB_ENUMERIC,
                       "KDE of %s: singular covariance (Cholesky fails at column %d; the %zu "
                       "points lie in a lower-dimensional subspace)",
                       name, (int)info - 1, n);
    }
    for (size_t i = 0; i < d; i++)
        for (size_t j = i + 1; j < d; j++)
            k->chol[i * d + j] = 0.0;
    double logdet = 0.0;
    for (size_t j = 0; j < d; j++)
        logdet += log(k->chol[j * d + j]);
    k->norm = exp(-0.5 * (double)d * log(2.0 * 3.14159265358979323846) - logdet) / (double)n;
    if (!(k->norm > 0.0) || !isfinite(k->norm)) {
        sb_kde_free(k);
        return sb_fail(err, SB_ENUMERIC, "KDE of %s: kernel normalisation is not finite "
                       "(near-singular covariance)", name);
    }
    whiten(k, x, n, k->white, k->wnorm);
    return 0;
}

int sb_kde_eval_range(const sb_kde *k, const double *points, size_t m, size_t first, size_t count,
                      double *out, sb_err *err)
{
    if (first > m || count > m - first)
        return sb_fail(err, SB_EINPUT, "KDE evaluation: range %zu+%zu outside %zu points", first,
                       count, m);
    if (count == 0)
        return 0;
    const size_t d = k->d, n = k->n, BP = SB_KDE_POINT_BLOCK, BS = SB_KDE_SAMPLE_BLOCK;
    for (size_t i = first * d; i < (first + count) * d; i++)
        if (!isfinite(points[i]))
            return sb_fail(err, SB_EINPUT, "KDE evaluation: non-finite point %zu, column %zu",
                           i / d, i % d);
    double *wp = sb_malloc(BP * d * sizeof(double), "KDE point block", err);
    double *np = sb_malloc(BP * sizeof(double), "KDE point norms", err);
    double *acc = sb_malloc(BP * sizeof(double), "KDE sums", err);
    double *g = sb_malloc(BP * BS * sizeof(double), "KDE distance block", err);
    if (!wp || !np || !acc || !g) {
        free(wp);
        free(np);
        free(acc);
        free(g);
        return SB_ENOMEM;
    }
    /* Bound on the rounding error of ‖u‖² + ‖v‖² − 2u·v, per unit of ‖u‖² + ‖v‖². */
    const double gamma = (double)(2 * d + 4) * (DBL_EPSILON / 2.0);
    const double tol = 1e-11;
    size_t last = first + count;
    for (size_t b0 = first / BP * BP; b0 < last; b0 += BP) {
        size_t b1 = b0 + BP < m ? b0 + BP : m;
        size_t rows = b1 - b0;
        whiten(k, points + b0 * d, rows, wp, np);
        for (size_t r = 0; r < rows; r++)
            acc[r] = 0.0;
        for (size_t s0 = 0; s0 < n; s0 += BS) {
            size_t cols = s0 + BS < n ? BS : n - s0;
            const double *ws = k->white + s0 * d;
            const double *ns = k->wnorm + s0;
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)cols, (int)d, 1.0,
                        wp, (int)d, ws, (int)d, 0.0, g, (int)cols);
            for (size_t r = 0; r < rows; r++) {
                const double *gr = g + r * cols;
                const double *u = wp + r * d;
                double a = acc[r];
                for (size_t c = 0; c < cols; c++) {
                    double big = np[r] + ns[c];
                    double dist;
                    if (gamma * big > tol) {
                        const double *v = ws + c * d;
                        dist = 0.0;
                        for (size_t j = 0; j < d; j++) {
                            double t = u[j] - v[j];
                            dist += t * t;
                        }
                    } else {
                        dist = big - 2.0 * gr[c];
                        if (dist < 0.0)
                            dist = 0.0;
                    }
                    a += exp(-0.5 * dist);
                }
                acc[r] = a;
            }
        }
        size_t lo = b0 > first ? b0 : first, hi = b1 < last ? b1 : last;
        for (size_t i = lo; i < hi; i++)
            out[i - first] = acc[i - b0] * k->norm;
    }
    free(wp);
    free(np);
    free(acc);
    free(g);
    return 0;
}

int sb_kde_eval(const sb_kde *k, const double *points, size_t m, double *out, sb_err *err)
{
    return sb_kde_eval_range(k, points, m, 0, m, out, err);
}

void sb_kde_resample(const sb_kde *k, size_t m, sb_rng *rng, double *out)
{
    size_t d = k->d;
    for (size_t t = 0; t < m; t++) {
        size_t i = (size_t)sb_rng_below(rng, k->n);
        double *o = out + t * d;
        for (size_t j = 0; j < d; j++)
            o[j] = sb_rng_normal(rng);
        /* o = L z in place: row j of L needs z_0..z_j, untouched while going downwards. */
        for (size_t j = d; j-- > 0;) {
            double s = 0.0;
            for (size_t l = 0; l <= j; l++)
                s += k->chol[j * d + l] * o[l];
            o[j] = s;
        }
        for (size_t j = 0; j < d; j++)
            o[j] += k->data[i * d + j];
    }
}
