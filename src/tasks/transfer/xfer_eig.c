/* xfer_eig.c — the context's eigen-decompositions, projections and PCA (xfer_ctx.h).
 *
 * The centred Gram is reduced to tridiagonal form (dsytrd, Q T Qᵀ) and T is diagonalised by
 * divide and conquer (dstedc, W Λ Wᵀ): exactly dsyevd's first two steps, so the eigenvalues
 * are dsyevd's. dsyevd's third step, V = Q·W for all D vectors (D³ multiply-adds, as much as
 * the rest), is done only for a caller that asks for the whole V: the Gram-bounded scorers need
 * only projections B·V of a few rows (Qᵀ applied to them, then Wᵀ: D²·m) and PCA the top k
 * vectors (Q applied to k columns of W). The eigenpairs of FᵀF = FcᵀFc + N μμᵀ are a rank-one
 * update of those (xfer_rank1.h), likewise used as projections; a full dsyevd of FᵀF only if
 * the secular solver gives up. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/transfer/xfer_ctx_impl.h"

#define PCA_BLOCK 512

/* B (row-major c×r) = transpose of A (row-major r×c), by tiles. */
static void transpose(const double *A, size_t r, size_t c, double *B)
{
    for (size_t i0 = 0; i0 < r; i0 += 32)
        for (size_t j0 = 0; j0 < c; j0 += 32)
            for (size_t i = i0; i < r && i < i0 + 32; i++)
                for (size_t j = j0; j < c && j < j0 + 32; j++)
                    B[j * r + i] = A[i * c + j];
}

/* dsytrd then dstedc('I') of the row-major upper triangle of A (= column-major lower): the
 * reflectors into qa and tau, W into w_vecs, eigenvalues ascending into vals. The _work calls
 * skip LAPACKE's transposed copies and NaN scans. */
static int tri_eig(const double *A, size_t d, double **vals, double **qa, double **tau, double **w_vecs,
                   const char *what, sb_err *err)
{
    lapack_int n = (lapack_int)d, iq = 0, info;
    double *w = sb_malloc(d * sizeof *w, what, err), q1 = 0, q2 = 0;
    double *e = w ? sb_malloc(d * sizeof *e, what, err) : NULL;
    double *t = e ? sb_malloc(d * sizeof *t, what, err) : NULL;
    double *Q = t ? sb_malloc(d * d * sizeof *Q, what, err) : NULL;
    double *W = Q ? sb_malloc(d * d * sizeof *W, what, err) : NULL, *work = NULL;
    lapack_int *iwork = NULL;
    int rc = W ? 0 : SB_ENOMEM;
    if (!rc) {
        memcpy(Q, A, d * d * sizeof *Q);
        info = LAPACKE_dsytrd_work(LAPACK_COL_MAJOR, 'L', n, Q, n, w, e, t, &q1, -1);
        if (!info)
            info = LAPACKE_dstedc_work(LAPACK_COL_MAJOR, 'I', n, w, e, W, n, &q2, -1, &iq, -1);
        lapack_int lw = (lapack_int)fmax(q1, q2);
        work = info ? NULL : sb_malloc((size_t)lw * sizeof *work, what, err);
        iwork = work ? sb_malloc((size_t)iq * sizeof *iwork, what, err) : NULL;
        if (!info && !iwork)
            rc = SB_ENOMEM;
        if (!rc && !info)
            info = LAPACKE_dsytrd_work(LAPACK_COL_MAJOR, 'L', n, Q, n, w, e, t, work, lw);
        if (!rc && !info)
            info = LAPACKE_dstedc_work(LAPACK_COL_MAJOR, 'I', n, w, e, W, n, work, lw, iwork, iq);
        if (!rc && info)
            rc = sb_fail(err, SB_ENUMERIC, "%s: dsytrd/dstedc failed (info %d)", what, (int)info);
    }
    free(e);
    free(work);
    free(iwork);
    if (rc) {
        free(w);
        free(t);
        free(Q);
        free(W);
        return rc;
    }
    *vals = w, *qa = Q, *tau = t, *w_vecs = W;
    return 0;
}

static int tri_centered(sb_xfer_ctx *x, sb_err *err)
{
    if (x->evals)
        return 0;
    const double *G;
    int rc = sb_xfer_gram_centered(x, &G, err);
    if (rc || (rc = tri_eig(G, x->in.d, &x->evals, &x->tri_a, &x->tri_tau, &x->tri_w,
                            "eigen-decomposition of the centred Gram", err)))
        return rc;
    x->count[SB_XFER_STAT_EIG]++;
    return 0;
}

/* C (D×m column-major) := Q·C (trans 'N') or Qᵀ·C ('T'), Q from dsytrd. */
static int apply_q(const sb_xfer_ctx *x, char trans, double *C, size_t m, sb_err *err)
{
    lapack_int n = (lapack_int)x->in.d, mm = (lapack_int)m;
    double q = 0;
    lapack_int info = LAPACKE_dormtr_work(LAPACK_COL_MAJOR, 'L', 'L', trans, n, mm, x->tri_a, n, x->tri_tau, C, n,
                                          &q, -1);
    double *work = info ? NULL : sb_malloc(((size_t)q + 1) * sizeof *work, "eigenvector back-transformation", err);
    if (!info && !work)
        return SB_ENOMEM;
    if (!info)
        info = LAPACKE_dormtr_work(LAPACK_COL_MAJOR, 'L', 'L', trans, n, mm, x->tri_a, n, x->tri_tau, C, n, work,
                                   (lapack_int)q);
    free(work);
    return info ? sb_fail(err, SB_ENUMERIC, "eigenvectors of the centred Gram: dormtr failed (info %d)", (int)info) : 0;
}

int sb_xfer_eigvals_centered(sb_xfer_ctx *x, const double **evals, sb_err *err)
{
    int rc = tri_centered(x, err);
    *evals = x->evals;
    return rc;
}

int sb_xfer_project_centered(sb_xfer_ctx *x, const double *B, size_t m, double *P, sb_err *err)
{
    int rc = tri_centered(x, err);
    size_t d = x->in.d;
    double *Y = rc ? NULL : sb_malloc(m * d * sizeof *Y, "coordinates to project", err);
    if (rc || !Y)
        return rc ? rc : SB_ENOMEM;
    /* B row-major m×D is Bᵀ column-major D×m: Y = Qᵀ Bᵀ, then P column-major D×m = Wᵀ Y,
     * which is P row-major m×D with P[a,j] = w_jᵀ (Qᵀ b_a) = (Q w_j)ᵀ b_a. */
    memcpy(Y, B, m * d * sizeof *Y);
    rc = apply_q(x, 'T', Y, m, err);
    if (!rc)
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)d, (int)m, (int)d, 1.0, x->tri_w, (int)d, Y, (int)d,
                    0.0, P, (int)d);
    free(Y);
    return rc;
}

int sb_xfer_eig_centered(sb_xfer_ctx *x, const double **evals, const double **evecs, sb_err *err)
{
    int rc = tri_centered(x, err);
    if (!rc && !x->evecs) {
        size_t d = x->in.d;
        double *V = sb_malloc(d * d * sizeof *V, "eigenvectors of the centred Gram", err);
        double *R = V ? sb_malloc(d * d * sizeof *R, "eigenvectors of the centred Gram", err) : NULL;
        if (!R) {
            free(V);
            return SB_ENOMEM;
        }
        memcpy(V, x->tri_w, d * d * sizeof *V);
        if ((rc = apply_q(x, 'N', V, d, err))) {
            free(V);
            free(R);
            return rc;
        }
        transpose(V, d, d, R);
        x->evecs_cm = V;
        x->evecs = R;
    }
    *evals = x->evals;
    *evecs = x->evecs;
    return rc;
}

int sb_xfer_gram_raw(sb_xfer_ctx *x, const double **G, sb_err *err)
{
    if (!x->Graw) {
        const double *Gc, *mu;
        int rc = sb_xfer_gram_centered(x, &Gc, err);
        if (rc || (rc = sb_xfer_mean(x, &mu, err)))
            return rc;
        size_t d = x->in.d;
        double n = (double)x->in.n;
        double *R = sb_malloc(d * d * sizeof *R, "raw Gram", err);
        if (!R)
            return SB_ENOMEM;
        for (size_t i = 0; i < d; i++)
            for (size_t j = 0; j < d; j++)
                R[i * d + j] = Gc[i * d + j] + n * mu[i] * mu[j];
        x->Graw = R;
        x->count[SB_XFER_STAT_GRAM_RAW]++;
    }
    *G = x->Graw;
    return 0;
}

/* The fallback: a full decomposition of FᵀF (tridiagonal, then V = Q·W, row-major). */
static int raw_full(sb_xfer_ctx *x, sb_err *err)
{
    const double *G;
    double *qa = NULL, *tau = NULL, *W = NULL;
    size_t d = x->in.d;
    int rc = sb_xfer_gram_raw(x, &G, err);
    if (rc || (rc = tri_eig(G, d, &x->rvals, &qa, &tau, &W, "eigen-decomposition of the raw Gram", err)))
        return rc;
    lapack_int n = (lapack_int)d;
    lapack_int info = LAPACKE_dormtr(LAPACK_COL_MAJOR, 'L', 'L', 'N', n, n, qa, n, tau, W, n);
    x->rvecs = info ? NULL : sb_malloc(d * d * sizeof *x->rvecs, "eigenvectors of the raw Gram", err);
    if (x->rvecs)
        transpose(W, d, d, x->rvecs);
    else
        rc = info ? sb_fail(err, SB_ENUMERIC, "eigenvectors of the raw Gram: dormtr failed (info %d)", (int)info)
                  : SB_ENOMEM;
    free(qa);
    free(tau);
    free(W);
    if (rc) {
        free(x->rvals);
        x->rvals = NULL;
    }
    x->raw_full = !rc;
    return rc;
}

/* The raw eigenvalues, by the rank-one update of the centred ones (z = Vᵀμ by projection). */
static int raw_solve(sb_xfer_ctx *x, sb_err *err)
{
    if (x->r1.vals || x->rvals)
        return 0;
    const double *mu;
    size_t d = x->in.d;
    double *z = sb_malloc(d * sizeof *z, "rank-one update vector", err);
    if (!z)
        return SB_ENOMEM;
    int rc = sb_xfer_mean(x, &mu, err);
    if (!rc)
        rc = sb_xfer_project_centered(x, mu, 1, z, err);
    if (!rc)
        rc = sb_rank1_solve(x->evals, z, (double)x->in.n, d, &x->r1, err);
    free(z);
    if (rc == 1) /* the secular solver gave up */
        rc = raw_full(x, err);
    if (!rc)
        x->count[SB_XFER_STAT_EIG_RAW]++;
    return rc;
}

int sb_xfer_eigvals_raw(sb_xfer_ctx *x, const double **evals, sb_err *err)
{
    int rc = raw_solve(x, err);
    *evals = x->raw_full ? x->rvals : x->r1.vals;
    return rc;
}

int sb_xfer_project_raw(sb_xfer_ctx *x, const double *B, size_t m, double *P, sb_err *err)
{
    int rc = raw_solve(x, err);
    size_t d = x->in.d;
    if (rc)
        return rc;
    if (x->raw_full) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)d, (int)d, 1.0, B, (int)d, x->rvecs,
                    (int)d, 0.0, P, (int)d);
        return 0;
    }
    double *Y = sb_malloc(m * d * sizeof *Y, "coordinates to project", err);
    if (!Y)
        return SB_ENOMEM;
    rc = sb_xfer_project_centered(x, B, m, Y, err);
    if (!rc)
        rc = sb_rank1_apply(&x->r1, Y, m, P, err);
    free(Y);
    return rc;
}

int sb_xfer_eig_raw(sb_xfer_ctx *x, const double **evals, const double **evecs, sb_err *err)
{
    int rc = raw_solve(x, err);
    if (!rc && !x->rvecs) {
        /* The coordinates of e_a in the basis V are V's rows: the update maps them to U's. */
        const double *lam, *V;
        size_t d = x->in.d;
        double *Y = NULL, *U = NULL;
        if (!(rc = sb_xfer_eig_centered(x, &lam, &V, err))) {
            Y = sb_malloc(d * d * sizeof *Y, "raw eigenvectors (rotated basis)", err);
            U = Y ? sb_malloc(d * d * sizeof *U, "eigenvectors of the raw Gram", err) : NULL;
            rc = U ? 0 : SB_ENOMEM;
        }
        if (!rc) {
            memcpy(Y, V, d * d * sizeof *Y);
            rc = sb_rank1_apply(&x->r1, Y, d, U, err);
        }
        free(Y);
        if (rc)
            free(U);
        else
            x->rvecs = U;
    }
    if (!rc)
        sb_xfer_eigvals_raw(x, evals, err);
    *evecs = x->rvecs;
    return rc;
}

/* Vk (D×k row-major, column j = eigenvector of the j-th largest eigenvalue, sign chosen so its
 * largest-magnitude entry, first on ties, is positive): Q applied to W's last k columns. */
static int top_vectors(sb_xfer_ctx *x, size_t k, double *Vk, sb_err *err)
{
    size_t d = x->in.d;
    double *C = sb_malloc(d * k * sizeof *C, "PCA loadings", err);
    if (!C)
        return SB_ENOMEM;
    for (size_t j = 0; j < k; j++) /* column j of C (contiguous) = w of the j-th largest */
        memcpy(C + j * d, x->tri_w + (d - 1 - j) * d, d * sizeof *C);
    int rc = apply_q(x, 'N', C, k, err);
    for (size_t j = 0; j < k && !rc; j++) {
        const double *v = C + j * d;
        size_t amax = 0;
        for (size_t a = 1; a < d; a++)
            if (fabs(v[a]) > fabs(v[amax]))
                amax = a;
        double sign = v[amax] < 0 ? -1.0 : 1.0;
        for (size_t a = 0; a < d; a++)
            Vk[a * k + j] = sign * v[a];
    }
    free(C);
    return rc;
}

/* (F − μ)·Vk into P (N×k) by blocks of centred rows, so no N×D centred copy is needed. */
static int project_rows(const sb_xfer_ctx *x, const double *mu, const double *Vk, size_t k, double *P, sb_err *err)
{
    size_t n = x->in.n, d = x->in.d, bl = n < PCA_BLOCK ? n : PCA_BLOCK;
    double *B = sb_malloc(bl * d * sizeof *B, "PCA centred block", err);
    if (!B)
        return SB_ENOMEM;
    for (size_t i0 = 0; i0 < n; i0 += bl) {
        size_t b = n - i0 < bl ? n - i0 : bl;
        for (size_t r = 0; r < b; r++)
            sb_xfer_load_row(x, i0 + r, mu, B + r * d);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)k, (int)d, 1.0, B, (int)d, Vk, (int)k,
                    0.0, P + i0 * k, (int)k);
    }
    free(B);
    return 0;
}

int sb_xfer_pca(sb_xfer_ctx *x, size_t k, const double **Z, sb_err *err)
{
    size_t d = x->in.d, n = x->in.n;
    if (k < 1 || k > d)
        return sb_fail(err, SB_EINPUT, "PCA: %zu components requested of %zu-dimensional features", k, d);
    for (size_t s = 0; s < SB_XFER_PCA_SLOTS; s++)
        if (x->pca[s].Z && x->pca[s].k == k) {
            *Z = x->pca[s].Z;
            return 0;
        }
    const double *mu;
    int rc = tri_centered(x, err);
    if (rc || (rc = sb_xfer_mean(x, &mu, err)))
        return rc;
    double *Vk = sb_malloc(d * k * sizeof *Vk, "PCA loadings", err);
    double *P = Vk ? sb_malloc(n * k * sizeof *P, "PCA projections", err) : NULL;
    rc = P ? top_vectors(x, k, Vk, err) : SB_ENOMEM;
    if (!rc)
        rc = project_rows(x, mu, Vk, k, P, err);
    free(Vk);
    if (rc) {
        free(P);
        return rc;
    }
    size_t s = x->pca_next;
    x->pca_next = (s + 1) % SB_XFER_PCA_SLOTS;
    free(x->pca[s].Z);
    x->pca[s].Z = P;
    x->pca[s].k = k;
    x->count[SB_XFER_STAT_PCA]++;
    *Z = P;
    return 0;
}
