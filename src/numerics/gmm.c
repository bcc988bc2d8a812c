#include "numerics/gmm.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void sb_gmm_defaults(sb_gmm_opts *o)
{
    o->tol = 1e-3;
    o->reg_covar = 1e-6;
    o->max_iter = 100;
    o->kmeans_max_iter = 300;
    o->kmeans_tol = 1e-4;
}

/* D2 (n×k) = squared Euclidean distances of the rows of X to the centers, through
 * ‖x‖² − 2x·c + ‖c‖² (one dgemm), clipped at 0 against cancellation. */
static void sq_distances(const double *X, const double *xx, size_t n, size_t d, const double *C,
                         int k, double *D2)
{
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, k, (int)d, -2.0, X, (int)d, C,
                (int)d, 0.0, D2, k);
    for (int j = 0; j < k; j++) {
        double cc = cblas_ddot((int)d, C + (size_t)j * d, 1, C + (size_t)j * d, 1);
        for (size_t i = 0; i < n; i++) {
            double v = D2[i * (size_t)k + (size_t)j] + xx[i] + cc;
            D2[i * (size_t)k + (size_t)j] = v > 0.0 ? v : 0.0;
        }
    }
}

static double sq_dist(const double *a, const double *b, size_t d)
{
    double s = 0.0;
    for (size_t j = 0; j < d; j++)
        s += (a[j] - b[j]) * (a[j] - b[j]);
    return s;
}

/* Greedy k-means++ as sklearn's _kmeans_plusplus: each new centre is the best (lowest total
 * potential) of 2 + ⌊ln k⌋ candidates drawn with probability ∝ squared distance. */
static void kmeans_pp(const double *X, size_t n, size_t d, int k, sb_rng *rng, double *C,
                      double *closest, double *cum)
{
    int trials = 2 + (int)log((double)k);
    size_t first = (size_t)sb_rng_below(rng, n);
    memcpy(C, X + first * d, d * sizeof(double));
    double pot = 0.0;
    for (size_t i = 0; i < n; i++) {
        closest[i] = sq_dist(X + i * d, C, d);
        pot += closest[i];
    }
    for (int c = 1; c < k; c++) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++)
            cum[i] = (s += closest[i]);
        size_t best = 0;
        double best_pot = INFINITY;
        for (int t = 0; t < trials; t++) {
            double r = sb_rng_uniform(rng) * pot;
            /* first index with cum ≥ r (numpy searchsorted, side left), clipped to n−1 */
            size_t lo = 0, hi = n;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (cum[mid] < r)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            size_t id = lo < n ? lo : n - 1;
            double p = 0.0;
            for (size_t i = 0; i < n; i++) {
                double v = sq_dist(X + i * d, X + id * d, d);
                p += v < closest[i] ? v : closest[i];
            }
            if (p < best_pot) {
                best_pot = p;
                best = id;
            }
        }
        memcpy(C + (size_t)c * d, X + best * d, d * sizeof(double));
        for (size_t i = 0; i < n; i++) {
            double v = sq_dist(X + i * d, X + best * d, d);
            if (v < closest[i])
                closest[i] = v;
        }
        pot = best_pot;
    }
}

static int check_x(const double *X, size_t n, size_t d, int k, const char *who, sb_err *err)
{
    if (d == 0 || n == 0)
        return sb_fail(err, SB_EINPUT, "%s: empty data (%zu×%zu)", who, n, d);
    if (k < 1 || (size_t)k > n)
        return sb_fail(err, SB_EINPUT, "%s: %d components for %zu samples (need 1..n)", who, k, n);
    if ((double)n * (double)(d > (size_t)k ? d : (size_t)k) > 2147483647.0)
        return sb_fail(err, SB_EINPUT, "%s: %zu×%zu exceeds the 32-bit BLAS index range", who, n, d);
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(X[i]))
            return sb_fail(err, SB_EINPUT, "%s: X[%zu][%zu] is not finite", who, i / d, i % d);
    return 0;
}

int sb_kmeans(const double *X, size_t n, size_t d, int k, int max_iter, double tol, sb_rng *rng,
              double *C, int *labels, sb_err *err)
{
    int rc = check_x(X, n, d, k, "k-means", err);
    if (rc)
        return rc;
    size_t K = (size_t)k;
    double *mem = sb_malloc((n * K + 3 * n + 2 * K * d + K) * sizeof(double), "k-means workspace", err);
    int *old = mem ? sb_malloc(n * sizeof(int), "k-means labels", err) : NULL;
    if (!old) {
        free(mem);
        return SB_ENOMEM;
    }
    double *D2 = mem, *xx = D2 + n * K, *mind = xx + n, *cum = mind + n, *Cn = cum + n,
           *cnt = Cn + K * d;
    /* tolerance scaled by the mean per-feature variance, as sklearn */
    double var = 0.0;
    for (size_t j = 0; j < d; j++) {
        double m = 0.0, v = 0.0;
        for (size_t i = 0; i < n; i++)
            m += X[i * d + j];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            v += (X[i * d + j] - m) * (X[i * d + j] - m);
        var += v / (double)n;
    }
    double tol_abs = var / (double)d * tol;
    for (size_t i = 0; i < n; i++)
        xx[i] = cblas_ddot((int)d, X + i * d, 1, X + i * d, 1);

    kmeans_pp(X, n, d, k, rng, C, mind, cum);
    for (size_t i = 0; i < n; i++)
        old[i] = -1;
    int strict = 0;
    for (int it = 0; it < max_iter; it++) {
        sq_distances(X, xx, n, d, C, k, D2);
        memset(Cn, 0, K * d * sizeof(double));
        memset(cnt, 0, K * sizeof(double));
        for (size_t i = 0; i < n; i++) {
            const double *r = D2 + i * K;
            int b = 0;
            for (int j = 1; j < k; j++)
                if (r[j] < r[b])
                    b = j;
            labels[i] = b;
            mind[i] = r[b];
            cnt[b] += 1.0;
            cblas_daxpy((int)d, 1.0, X + i * d, 1, Cn + (size_t)b * d, 1);
        }
        /* Empty clusters take the points farthest from their centres, farthest first. */
        for (int j = 0; j < k; j++) {
            if (cnt[j] > 0.0)
                continue;
            size_t far = n;
            for (size_t i = 0; i < n; i++)
                if (cnt[labels[i]] > 1.0 && (far == n || mind[i] > mind[far]))
                    far = i;
            if (far == n)
                break;
            int from = labels[far];
            cblas_daxpy((int)d, -1.0, X + far * d, 1, Cn + (size_t)from * d, 1);
            cnt[from] -= 1.0;
            memcpy(Cn + (size_t)j * d, X + far * d, d * sizeof(double));
            cnt[j] = 1.0;
            mind[far] = 0.0;
            labels[far] = j;
        }
        double shift = 0.0;
        for (int j = 0; j < k; j++) {
            double *c = Cn + (size_t)j * d;
            if (cnt[j] > 0.0)
                cblas_dscal((int)d, 1.0 / cnt[j], c, 1);
            else
                memcpy(c, C + (size_t)j * d, d * sizeof(double));
            shift += sq_dist(c, C + (size_t)j * d, d);
        }
        memcpy(C, Cn, K * d * sizeof(double));
        if (memcmp(labels, old, n * sizeof(int)) == 0) {
            strict = 1;
            break;
        }
        if (shift <= tol_abs)
            break;
        memcpy(old, labels, n * sizeof(int));
    }
    if (!strict) { /* labels of the final centres */
        sq_distances(X, xx, n, d, C, k, D2);
        for (size_t i = 0; i < n; i++) {
            const double *r = D2 + i * K;
            int b = 0;
            for (int j = 1; j < k; j++)
                if (r[j] < r[b])
                    b = j;
            labels[i] = b;
        }
    }
    free(mem);
    free(old);
    return 0;
}

/* Cholesky factor L of the symmetric positive definite S (d×d) and M = L⁻¹, both lower
 * triangular, in plain loops with a fixed order (OpenBLAS's dpotrf/dtrsm round differently
 * with the number of threads). M receives L⁻¹ (zero above the diagonal); L is scratch (d×d).
 * Returns −1 when S is not positive definite. */
static int cholesky_inverse(const double *S, size_t d, double *M, double *L)
{
    for (size_t j = 0; j < d; j++) {
        double s = S[j * d + j];
        for (size_t k = 0; k < j; k++)
            s -= L[j * d + k] * L[j * d + k];
        if (!(s > 0.0) || !isfinite(s))
            return -1;
        double ljj = sqrt(s);
        L[j * d + j] = ljj;
        for (size_t i = j + 1; i < d; i++) {
            double t = S[i * d + j];
            for (size_t k = 0; k < j; k++)
                t -= L[i * d + k] * L[j * d + k];
            L[i * d + j] = t / ljj;
        }
    }
    memset(M, 0, d * d * sizeof(double));
    for (size_t j = 0; j < d; j++) { /* column j of L⁻¹ by forward substitution */
        M[j * d + j] = 1.0 / L[j * d + j];
        for (size_t i = j + 1; i < d; i++) {
            double t = 0.0;
            for (size_t k = j; k < i; k++)
                t -= L[i * d + k] * M[k * d + j];
            M[i * d + j] = t / L[i * d + i];
        }
    }
    return 0;
}

typedef struct gmm_ws {
    size_t n, d, k;
    double *w, *mu, *cov, *chol; /* k, k×d, k×d×d, k×d×d (inverse Cholesky factors L⁻¹) */
    double *Dk;                  /* n×d scratch (≥ d×d) */
    double *U;                   /* n×d whitened rows */
    double *nk;                  /* k */
} gmm_ws;

/* M-step from responsibilities R (n×k): weights, means, covariances (+ reg_covar), and the
 * inverse Cholesky factor of each covariance. */
static int m_step(const double *X, const double *R, gmm_ws *g, double reg, sb_err *err)
{
    size_t n = g->n, d = g->d, K = g->k;
    for (size_t j = 0; j < K; j++) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++)
            s += R[i * K + j];
        g->nk[j] = s + 10.0 * DBL_EPSILON;
    }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)d, (int)n, 1.0, R, (int)K, X,
                (int)d, 0.0, g->mu, (int)d);
    for (size_t j = 0; j < K; j++) {
        cblas_dscal((int)d, 1.0 / g->nk[j], g->mu + j * d, 1);
        g->w[j] = g->nk[j] / (double)n;
    }
    for (size_t j = 0; j < K; j++) {
        const double *m = g->mu + j * d;
        double *S = g->cov + j * d * d;
        /* Dk = sqrt(r_ij)·(x_i − μ_j), so that DkᵀDk = Σ_i r_ij (x_i − μ_j)(x_i − μ_j)ᵀ */
        for (size_t i = 0; i < n; i++) {
            double s = sqrt(R[i * K + j]);
            for (size_t a = 0; a < d; a++)
                g->Dk[i * d + a] = s * (X[i * d + a] - m[a]);
        }
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)d, (int)n, 1.0 / g->nk[j], g->Dk,
                    (int)d, 0.0, S, (int)d);
        for (size_t a = 0; a < d; a++) {
            for (size_t b = a + 1; b < d; b++)
                S[a * d + b] = S[b * d + a];
            S[a * d + a] += reg;
        }
        if (cholesky_inverse(S, d, g->chol + j * d * d, g->Dk))
            return sb_fail(err, SB_ENUMERIC, "Gaussian mixture: covariance of component %zu is not "
                                             "positive definite; increase reg_covar or reduce the "
                                             "number of components", j);
    }
    return 0;
}

/* E-step: R (n×k) = log responsibilities → exponentiated; returns the mean log-likelihood. */
static double e_step(const double *X, gmm_ws *g, double *R)
{
    size_t n = g->n, d = g->d, K = g->k;
    const double l2pi = log(2.0 * 3.14159265358979323846);
    for (size_t j = 0; j < K; j++) {
        const double *m = g->mu + j * d, *Li = g->chol + j * d * d;
        double logdet = 0.0; /* log det L = −Σ log diag(L⁻¹) */
        for (size_t a = 0; a < d; a++)
            logdet -= log(Li[a * d + a]);
        for (size_t i = 0; i < n; i++)
            for (size_t a = 0; a < d; a++)
                g->Dk[i * d + a] = X[i * d + a] - m[a];
        /* rows u_i = L⁻¹(x_i − μ_j): U = Dk·L⁻ᵀ */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)d, (int)d, 1.0, g->Dk,
                    (int)d, Li, (int)d, 0.0, g->U, (int)d);
        double lw = log(g->w[j]);
        for (size_t i = 0; i < n; i++) {
            double q = cblas_ddot((int)d, g->U + i * d, 1, g->U + i * d, 1);
            R[i * K + j] = -0.5 * ((double)d * l2pi + q) - logdet + lw;
        }
    }
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        double *r = R + i * K, mx = r[0];
        for (size_t j = 1; j < K; j++)
            if (r[j] > mx)
                mx = r[j];
        double s = 0.0;
        for (size_t j = 0; j < K; j++)
            s += exp(r[j] - mx);
        double lse = mx + log(s);
        total += lse;
        for (size_t j = 0; j < K; j++)
            r[j] = exp(r[j] - lse);
    }
    return total / (double)n;
}

int sb_gmm_fit(const double *X, size_t n, size_t d, int k, const sb_gmm_opts *o, sb_rng *rng,
               double *resp, sb_gmm_params *params, sb_gmm_info *info, sb_err *err)
{
    sb_gmm_opts def;
    if (!o) {
        sb_gmm_defaults(&def);
        o = &def;
    }
    int rc = check_x(X, n, d, k, "Gaussian mixture", err);
    if (rc)
        return rc;
    size_t K = (size_t)k;
    gmm_ws g = {n, d, K, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    size_t scratch = n * d > d * d ? n * d : d * d;
    double *mem = sb_malloc((K + K * d + 2 * K * d * d + scratch + n * d + K) * sizeof(double),
                            "Gaussian mixture parameters", err);
    int *lab = mem ? sb_malloc(n * sizeof(int), "Gaussian mixture labels", err) : NULL;
    if (!lab) {
        free(mem);
        return SB_ENOMEM;
    }
    g.w = mem;
    g.mu = g.w + K;
    g.cov = g.mu + K * d;
    g.chol = g.cov + K * d * d;
    g.Dk = g.chol + K * d * d;
    g.U = g.Dk + scratch;
    g.nk = g.U + n * d;

    rc = sb_kmeans(X, n, d, k, o->kmeans_max_iter, o->kmeans_tol, rng, g.mu, lab, err);
    if (rc)
        goto out;
    memset(resp, 0, n * K * sizeof(double));
    for (size_t i = 0; i < n; i++)
        resp[i * K + (size_t)lab[i]] = 1.0;
    if ((rc = m_step(X, resp, &g, o->reg_covar, err)))
        goto out;
    double lb = -INFINITY;
    int it = 0, conv = 0;
    for (it = 1; it <= o->max_iter; it++) {
        double prev = lb;
        lb = e_step(X, &g, resp);
        if ((rc = m_step(X, resp, &g, o->reg_covar, err)))
            goto out;
        if (fabs(lb - prev) < o->tol) {
            conv = 1;
            break;
        }
    }
    if (it > o->max_iter)
        it = o->max_iter;
    /* posteriors of the final parameters */
    e_step(X, &g, resp);
    if (info) {
        info->n_iter = it;
        info->converged = conv;
        info->lower_bound = lb;
    }
    if (params) {
        if (params->weights)
            memcpy(params->weights, g.w, K * sizeof(double));
        if (params->means)
            memcpy(params->means, g.mu, K * d * sizeof(double));
        if (params->covariances)
            memcpy(params->covariances, g.cov, K * d * d * sizeof(double));
    }
out:
    free(mem);
    free(lab);
    return rc;
}
