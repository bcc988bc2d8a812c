/* ncti.c — NCTI (Wang et al., CVPR 2023), raw components a, b, c, var32, eigen_branch per
 * pair; the value mm(b) + mm(a) − mm(c) is made across a dataset's models at finish.
 *
 * Follows BUserName/NCTI@b18d395 metrics.py::NCTI_Score (read, not copied) with the pins of
 * specs/scorers4.md "ncti":
 *  - PCA: exact (the context's, from the centred Gram) to k = min(64, D, N−1) components
 *    instead of sklearn's randomized PCA(64), which also fails when min(N, D) < 64;
 *    λ_j = eigenvalue/(N−1), var32 = Σ_{j<32} λ_j; exp(−var32) ≤ 1e-10 → sklearn 1.2.1
 *    LinearDiscriminantAnalysis(solver='svd', tol 1e-4), else solver='eigen' with shrinkage
 *    exp(−var32). Both are rebuilt here from their formulas (spec steps 3–4).
 *  - a = nuclear norm of the centred first min(C−1, k) LDA projections, b = mean posterior of
 *    the true class, c = ln Σ_c ‖posteriors of class c‖_* (singular values by dgesdd).
 * Deviations, exact in exact arithmetic:
 *  - eigen branch: Sw = (1−α)W + α·tr(W)/k·I with W = Σ π_c S_c (the shrinkage is linear and
 *    tr(W)/k = Σ π_c tr(S_c)/k), and Sb = shr(S_Z) − Sw = (1−α)B + α·tr(B)/k·I with B the
 *    between-class covariance (S_Z = W + B): no cancellation of two large matrices;
 *    the decision's Sw⁻¹m_c by a Cholesky solve rather than the reference's means·E·Eᵀ.
 *  - C = 2: softmax of the two decisions, where sklearn takes expit of their difference.
 * Undefined (a, b, c NaN + reason; var32 and eigen_branch still reported):
 *  - N ≤ C (sklearn refuses to fit).
 *  - within-class scatter zero up to rounding (tr W ≤ 1e-24·tr S_Z: every sample at its class
 *    mean). In exact arithmetic the svd branch has r1 = 0 (the reference fails: SVD of a C×0
 *    matrix) and the eigen branch a singular Sw (scipy's eigh fails); in floating point the
 *    reference whitens the residuals' rounding noise instead and returns a ≈ 1e17.
 *  - class means coincide up to rounding (tr B ≤ 1e-24·tr S_Z): the discriminant directions
 *    are then rounding noise, and so are the reference's a, b, c.
 *  - the shrunk Sw not positive definite (dsygvd; cannot happen once tr W > 0 and α ≥ 1e-10).
 * Ill-conditioned in the reference too (not detected): α close to 1 (var32 ≪ 1), where the
 * generalised eigenvalues nearly coincide and the chosen directions hinge on rounding. */
#include <cblas.h>
#include <lapacke.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/transfer/scorer_common.h"

enum { NCTI_A, NCTI_B, NCTI_C, NCTI_VAR32, NCTI_BRANCH };

#define NCTI_TOL 1e-4         /* sklearn's LinearDiscriminantAnalysis tol */
#define NCTI_ROUNDING 1e-24   /* scatter traces below this share of tr S_Z are rounding noise */

/* One pair's LDA. Z, y, cnt are the context's; the rest is owned. */
typedef struct ncti_fit {
    size_t n, k, c;
    const double *Z; const int *y; const size_t *cnt;
    double *m;    /* c×k class means of Z */
    double *xbar; /* k: Σ π_c m_c */
    double *R;    /* n×max(k, c): Z minus class means, then scratch for the nuclear norms */
    double *P;    /* n×pk projections (pk ≤ min(k, c)); the first r columns make a */
    size_t pk, r;
    double *D;    /* n×c: decisions, then posteriors */
    double *S;    /* scratch of NCTI_SCRATCH(k, c) doubles */
} ncti_fit;
#define NCTI_SCRATCH(k, c) (3 * (k) * (k) + 2 * (k) * (c) + 4 * (k) + 2 * (c))

/* Class means, x̄, residuals R; *trw = tr W, *trb = tr B (biased, as sklearn's covariances). */
static void ncti_scatter(ncti_fit *f, double *trw, double *trb)
{
    size_t n = f->n, k = f->k, c = f->c;
    memset(f->m, 0, c * k * sizeof *f->m);
    for (size_t i = 0; i < n; i++)
        cblas_daxpy((int)k, 1.0, f->Z + i * k, 1, f->m + (size_t)f->y[i] * k, 1);
    for (size_t a = 0; a < c; a++)
        cblas_dscal((int)k, 1.0 / (double)f->cnt[a], f->m + a * k, 1);
    memset(f->xbar, 0, k * sizeof *f->xbar);
    for (size_t a = 0; a < c; a++)
        cblas_daxpy((int)k, (double)f->cnt[a] / (double)n, f->m + a * k, 1, f->xbar, 1);
    double sb = 0.0, sw = 0.0;
    for (size_t a = 0; a < c; a++)
        for (size_t j = 0; j < k; j++) {
            double e = f->m[a * k + j] - f->xbar[j];
            sb += (double)f->cnt[a] * e * e;
        }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) {
            double e = f->Z[i * k + j] - f->m[(size_t)f->y[i] * k + j];
            f->R[i * k + j] = e;
            sw += e * e;
        }
    *trw = sw / (double)n;
    *trb = sb / (double)n;
}

/* D[i,a] += ln π_a + icpt[a] on every row. */
static void add_intercepts(ncti_fit *f, const double *icpt)
{
    for (size_t a = 0; a < f->c; a++) {
        double t = log((double)f->cnt[a] / (double)f->n) + icpt[a];
        for (size_t i = 0; i < f->n; i++)
            f->D[i * f->c + a] += t;
    }
}

/* Right singular vectors of the row-major m×q matrix A (destroyed) as the columns of the
 * col-major q×min(q, m) V, singular values s descending. Row-major A is the col-major q×m Aᵀ,
 * whose left singular vectors these are: no transposed copy, no m×m factor. */
static int right_singular(double *A, size_t m, size_t q, double *s, double *V, double *sup, sb_err *err)
{
    lapack_int info = LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'S', 'N', (lapack_int)q, (lapack_int)m, A,
                                     (lapack_int)q, s, V, (lapack_int)q, NULL, 1, sup);
    if (info != 0)
        return sb_fail(err, SB_ENUMERIC, "ncti: dgesvd failed (info %d)", (int)info);
    return 0;
}

/* Svd branch, last step: T = W1·V2[:, :r2] (k×r2), P = (Z − x̄)T, v_a = (m_a − x̄)T,
 * D[i,a] = P_i·v_a − ½‖v_a‖² + ln π_a. T, v, t: scratch of k·k, c·k, k + c. */
static void svd_project(ncti_fit *f, const double *W1, size_t r1, const double *V2, size_t r2,
                        double *T, double *v, double *t)
{
    size_t n = f->n, k = f->k, c = f->c;
    double *icpt = t + k;
    f->pk = r2;
    f->r = r2 < c - 1 ? r2 : c - 1;
    memset(f->D, 0, n * c * sizeof *f->D);
    memset(icpt, 0, c * sizeof *icpt);
    if (r2 > 0) {
        /* V2 col-major r1×· is row-major ·×r1: its first r2 rows, transposed */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)k, (int)r2, (int)r1, 1.0, W1, (int)r1,
                    V2, (int)r1, 0.0, T, (int)r2);
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)k, (int)r2, 1.0, T, (int)r2, f->xbar, 1, 0.0, t, 1);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)r2, (int)k, 1.0, f->Z, (int)k,
                    T, (int)r2, 0.0, f->P, (int)r2);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)c, (int)r2, (int)k, 1.0, f->m, (int)k,
                    T, (int)r2, 0.0, v, (int)r2);
        for (size_t i = 0; i < n; i++)
            cblas_daxpy((int)r2, -1.0, t, 1, f->P + i * r2, 1);
        for (size_t a = 0; a < c; a++) {
            cblas_daxpy((int)r2, -1.0, t, 1, v + a * r2, 1);
            icpt[a] = -0.5 * cblas_ddot((int)r2, v + a * r2, 1, v + a * r2, 1);
        }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)c, (int)r2, 1.0, f->P, (int)r2,
                    v, (int)r2, 0.0, f->D, (int)c);
    }
    add_intercepts(f, icpt);
}

/* Column std of R (ddof 0, zeros → 1, as sklearn), then R ← R·diag(1/σ)/√(N−C). */
static void whiten(ncti_fit *f, double *sig)
{
    size_t n = f->n, k = f->k;
    for (size_t j = 0; j < k; j++) {
        double mu = 0.0, q = 0.0;
        for (size_t i = 0; i < n; i++)
            mu += f->R[i * k + j];
        mu /= (double)n;
        for (size_t i = 0; i < n; i++)
            q += (f->R[i * k + j] - mu) * (f->R[i * k + j] - mu);
        sig[j] = sqrt(q / (double)n);
        if (sig[j] == 0.0)
            sig[j] = 1.0;
    }
    double fac = sqrt(1.0 / (double)(n - f->c));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++)
            f->R[i * k + j] *= fac / sig[j];
}

/* sklearn's svd solver: W1 = diag(1/σ)·V·diag(1/S) over S > tol from the whitened residuals;
 * the SVD of the scaled centred class means M = diag(√(n_a/(C−1)))(m − x̄)W1 keeps
 * S2 > tol·S2[0]. */
static int lda_svd(ncti_fit *f, const char **why, sb_err *err)
{
    size_t k = f->k, c = f->c;
    double *sig = f->S, *s = sig + k, *V = s + k, *W1 = V + k * k, *M = W1 + k * k;
    double *V2 = M + k * c, *s2 = V2 + k * k, *sup = s2 + k + c;
    whiten(f, sig);
    int rc = right_singular(f->R, f->n, k, s, V, sup, err);
    if (rc)
        return rc;
    size_t r1 = 0;
    while (r1 < k && s[r1] > NCTI_TOL)
        r1++;
    if (r1 == 0) {
        *why = "no whitened within-class direction above sklearn's tolerance 1e-4 (r1 = 0)";
        return 0;
    }
    for (size_t a = 0; a < k; a++)
        for (size_t j = 0; j < r1; j++)
            W1[a * r1 + j] = V[a + j * k] / sig[a] / s[j];
    for (size_t a = 0; a < c; a++) {
        double w = sqrt((double)f->cnt[a] / (double)(c - 1));
        for (size_t j = 0; j < k; j++)
            s2[j] = w * (f->m[a * k + j] - f->xbar[j]);
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)k, (int)r1, 1.0, W1, (int)r1, s2, 1, 0.0, M + a * r1, 1);
    }
    if ((rc = right_singular(M, c, r1, s2, V2, sup, err)))
        return rc;
    size_t mc = c < r1 ? c : r1, r2 = 0;
    while (r2 < mc && s2[r2] > NCTI_TOL * s2[0])
        r2++;
    svd_project(f, W1, r1, V2, r2, V, M, s2);
    return 0;
}

/* shr(S) = (1−α)S + α·tr(S)/k·I on the upper triangle (all that LAPACK reads here). */
static void shrink_upper(double *S, size_t k, double alpha)
{
    double tr = 0.0;
    for (size_t a = 0; a < k; a++)
        tr += S[a * k + a];
    for (size_t a = 0; a < k; a++)
        for (size_t b = a; b < k; b++)
            S[a * k + b] *= 1.0 - alpha;
    for (size_t a = 0; a < k; a++)
        S[a * k + a] += alpha * tr / (double)k;
}

/* Decisions of the eigen solver: D[i,a] = z_i·Sw⁻¹m_a − ½ m_a·Sw⁻¹m_a + ln π_a, Sw⁻¹ by
 * Cholesky (L: Sw's upper triangle, destroyed; X: k×c scratch, icpt: c). */
static int eigen_decisions(ncti_fit *f, double *L, double *X, double *icpt, const char **why, sb_err *err)
{
    size_t n = f->n, k = f->k, c = f->c;
    for (size_t a = 0; a < c; a++)
        for (size_t j = 0; j < k; j++)
            X[j * c + a] = f->m[a * k + j];
    lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)k, (lapack_int)c, L, (lapack_int)k,
                                    X, (lapack_int)c);
    if (info > 0) {
        *why = "the shrunk within-class covariance is not positive definite";
        return 0;
    }
    if (info != 0)
        return sb_fail(err, SB_ENUMERIC, "ncti: dposv failed (info %d)", (int)info);
    for (size_t a = 0; a < c; a++)
        icpt[a] = -0.5 * cblas_ddot((int)k, f->m + a * k, 1, X + a, (int)c);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)c, (int)k, 1.0, f->Z, (int)k, X,
                (int)c, 0.0, f->D, (int)c);
    add_intercepts(f, icpt);
    return 0;
}

/* sklearn's eigen solver with float shrinkage α: Sb v = μ Sw v (vᵀSw v = 1), P = Z·(the
 * min(C−1, k) vectors of largest μ). W from the residuals, B from the weighted centred means
 * (see the header for why not S_Z − Sw). */
static int lda_eigen(ncti_fit *f, double alpha, const char **why, sb_err *err)
{
    size_t n = f->n, k = f->k, c = f->c;
    double *Sw = f->S, *Sb = Sw + k * k, *L = Sb + k * k, *X = L + k * k, *ev = X + k * c, *icpt = ev + k;
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)k, (int)n, 1.0 / (double)n, f->R, (int)k, 0.0,
                Sw, (int)k);
    for (size_t a = 0; a < c; a++) {
        double w = sqrt((double)f->cnt[a] / (double)n);
        for (size_t j = 0; j < k; j++)
            X[a * k + j] = w * (f->m[a * k + j] - f->xbar[j]);
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)k, (int)c, 1.0, X, (int)k, 0.0, Sb, (int)k);
    shrink_upper(Sw, k, alpha);
    shrink_upper(Sb, k, alpha);
    memcpy(L, Sw, k * k * sizeof *L);
    lapack_int info = LAPACKE_dsygvd(LAPACK_ROW_MAJOR, 1, 'V', 'U', (lapack_int)k, Sb, (lapack_int)k, Sw,
                                     (lapack_int)k, ev);
    if (info > (lapack_int)k) {
        *why = "the shrunk within-class covariance is not positive definite";
        return 0;
    }
    if (info != 0)
        return sb_fail(err, SB_ENUMERIC, "ncti: dsygvd failed (info %d)", (int)info);
    size_t r = c - 1 < k ? c - 1 : k;
    /* eigenvalues ascending: the largest μ first, into Sw's storage (now a Cholesky factor) */
    for (size_t a = 0; a < k; a++)
        for (size_t j = 0; j < r; j++)
            Sw[a * r + j] = Sb[a * k + (k - 1 - j)];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)r, (int)k, 1.0, f->Z, (int)k, Sw,
                (int)r, 0.0, f->P, (int)r);
    f->pk = f->r = r;
    return eigen_decisions(f, L, X, icpt, why, err);
}

/* Σ singular values of the row-major m×q matrix A (destroyed; read as the col-major q×m Aᵀ). */
static int nuclear(double *A, size_t m, size_t q, double *sv, double *out, sb_err *err)
{
    *out = 0.0;
    if (m == 0 || q == 0)
        return 0;
    lapack_int info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', (lapack_int)q, (lapack_int)m, A, (lapack_int)q,
                                     sv, NULL, 1, NULL, 1);
    if (info != 0)
        return sb_fail(err, SB_ENUMERIC, "ncti: dgesdd failed (info %d)", (int)info);
    for (size_t j = 0; j < (m < q ? m : q); j++)
        *out += sv[j];
    return 0;
}

/* a, b, c from the projections and decisions (R is free scratch by now). */
static int ncti_finish(ncti_fit *f, sb_xfer_ctx *ctx, double abc[3], sb_err *err)
{
    size_t n = f->n, c = f->c, r = f->r;
    const size_t *order, *off;
    int rc = sb_xfer_class_rows(ctx, &order, &off, err);
    if (rc)
        return rc;
    for (size_t j = 0; j < r; j++) {
        double mu = 0.0;
        for (size_t i = 0; i < n; i++)
            mu += f->P[i * f->pk + j];
        mu /= (double)n;
        for (size_t i = 0; i < n; i++)
            f->R[i * r + j] = f->P[i * f->pk + j] - mu;
    }
    if ((rc = nuclear(f->R, n, r, f->S, &abc[0], err)))
        return rc;
    double hit = 0.0, sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double *q = f->D + i * c, mx = q[0], s = 0.0;
        for (size_t a = 1; a < c; a++)
            mx = fmax(mx, q[a]);
        for (size_t a = 0; a < c; a++)
            s += (q[a] = exp(q[a] - mx));
        for (size_t a = 0; a < c; a++)
            q[a] /= s;
        hit += q[f->y[i]];
    }
    abc[1] = hit / (double)n;
    for (size_t a = 0; a < c; a++) {
        size_t na = off[a + 1] - off[a];
        for (size_t i = 0; i < na; i++)
            memcpy(f->R + i * c, f->D + order[off[a] + i] * c, c * sizeof *f->R);
        double nuc;
        if ((rc = nuclear(f->R, na, c, f->S, &nuc, err)))
            return rc;
        sum += nuc;
    }
    abc[2] = log(sum);
    return 0;
}

static void ncti_free(ncti_fit *f)
{
    free(f->m);
    free(f->R);
    free(f->P);
    free(f->D);
    free(f->S);
}

static int ncti_alloc(ncti_fit *f, sb_err *err)
{
    size_t n = f->n, k = f->k, c = f->c, wide = k > c ? k : c, narrow = k < c ? k : c;
    f->m = sb_malloc((c * k + k) * sizeof(double), "ncti class means", err);
    f->R = f->m ? sb_malloc(n * wide * sizeof(double), "ncti residuals", err) : NULL;
    f->P = f->R ? sb_malloc(n * narrow * sizeof(double), "ncti projections", err) : NULL;
    f->D = f->P ? sb_malloc(n * c * sizeof(double), "ncti posteriors", err) : NULL;
    f->S = f->D ? sb_malloc(NCTI_SCRATCH(k, c) * sizeof(double), "ncti workspace", err) : NULL;
    if (!f->S)
        return SB_ENOMEM;
    f->xbar = f->m + c * k;
    return 0;
}

/* The LDA of the chosen branch and a, b, c; *why set when they are undefined. */
static int ncti_lda(ncti_fit *f, sb_xfer_ctx *ctx, const double *ev, double alpha, int eigen, double abc[3],
                    const char **why, sb_err *err)
{
    double trw, trb, tot = 0.0;
    for (size_t j = 0; j < f->k; j++)
        tot += ev[j];
    tot /= (double)f->n; /* tr S_Z: the top-k eigenvalues of the centred Gram over N */
    ncti_scatter(f, &trw, &trb);
    if (!(trw > NCTI_ROUNDING * tot)) {
        *why = "every sample sits at its class mean (within-class scatter zero up to rounding)";
        return 0;
    }
    if (!(trb > NCTI_ROUNDING * tot)) {
        *why = "the class means coincide (between-class scatter zero up to rounding)";
        return 0;
    }
    int rc = eigen ? lda_eigen(f, alpha, why, err) : lda_svd(f, why, err);
    if (rc || *why)
        return rc;
    return ncti_finish(f, ctx, abc, err);
}

static int ncti_parts(sb_xfer_ctx *ctx, const sb_scorer_params *p, sb_scorer_parts *out, sb_err *err)
{
    (void)p;
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    size_t n = in->n, d = in->d, c = (size_t)in->c, k = 64;
    for (size_t i = 0; i < SB_SCORER_MAX_PARTS; i++)
        out->v[i] = NAN;
    if (c < 2 || n < 2)
        return sb_fail(err, SB_EINPUT, "ncti: needs two classes (the caller checks)");
    if (n > INT_MAX)
        return sb_fail(err, SB_EINPUT, "ncti: %zu samples exceed the 32-bit BLAS index range", n);
    k = k < d ? k : d;
    k = k < n - 1 ? k : n - 1;
    const double *Z, *ev;
    const size_t *cnt;
    int rc = sb_xfer_pca(ctx, k, &Z, err);
    if (rc || (rc = sb_xfer_eigvals_centered(ctx, &ev, err)) || (rc = sb_xfer_class_counts(ctx, &cnt, err)))
        return rc;
    ev += d - k; /* ascending: the top k */
    double var32 = 0.0;
    for (size_t j = 0; j < (k < 32 ? k : 32); j++)
        var32 += ev[k - 1 - j] / (double)(n - 1);
    double alpha = exp(-var32);
    int eigen = !(alpha <= 1e-10); /* the reference: max(exp(−var32), 1e-10) == 1e-10 → svd */
    out->v[NCTI_VAR32] = var32;
    out->v[NCTI_BRANCH] = eigen;
    if (n <= c) {
        snprintf(out->reason, sizeof out->reason,
                 "N = %zu samples for C = %zu classes: the LDA needs N > C", n, c);
        return 0;
    }
    ncti_fit f = {n, k, c, Z, in->y, cnt, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL};
    const char *why = NULL;
    double abc[3];
    rc = ncti_alloc(&f, err);
    if (!rc)
        rc = ncti_lda(&f, ctx, ev, alpha, eigen, abc, &why, err);
    ncti_free(&f);
    if (rc)
        return rc;
    if (why) {
        snprintf(out->reason, sizeof out->reason, "%s (%s LDA)", why, eigen ? "eigen" : "svd");
        return 0;
    }
    out->v[NCTI_A] = abc[0];
    out->v[NCTI_B] = abc[1];
    out->v[NCTI_C] = abc[2];
    return 0;
}

static void ncti_weights(const sb_scorer_params *p, double *w)
{
    (void)p;
    w[0] = 1.0;  /* a: nuclear norm of the centred LDA projection */
    w[1] = 1.0;  /* b: mean posterior of the true class */
    w[2] = -1.0; /* c: log of the summed per-class nuclear norms */
    w[3] = w[4] = 0.0;
}

const sb_scorer sb_scorer_ncti = {
    .name = "ncti",
    .summary = "NCTI: LDA on PCA-64, projections' and class posteriors' nuclear norms, mean true-class posterior",
    .needs = SB_NEEDS_FEATURES,
    .components = (const char *const[]){"a", "b", "c", "var32", "eigen_branch", NULL},
    .parts = ncti_parts,
    .combine_weights = ncti_weights,
};
