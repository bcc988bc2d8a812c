/* xfer_ctx.c — lazily computed, cached shared statistics of one transferability unit.
 *
 * The only pass over F that costs N·D² is the centred Gram. It is built as a sum of per-class
 * dsyrk products over rows centred on the fly (the N×D centred copy is built only if someone
 * asks for it), so the same pass also yields TransRate's per-class coding rates (one
 * Cholesky each) without a second pass; the raw Gram FᵀF (LogME) is derived from it.
 * float32 input is converted row by row where it is read (means, Gram blocks, PCA blocks): the
 * N×D float64 copy is made only for a scorer that asks for it (sb_xfer_features), so the
 * Gram-bounded scorers never pay its page faults. The eigen-decomposition of FᵀF is a rank-one
 * update of the centred one (secular equation, LAPACK dlaed9), not a second dsyevd. */
#include "tasks/transfer/xfer_ctx.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PCA_SLOTS 4
#define PCA_BLOCK 512

struct sb_xfer_ctx {
    sb_xfer_input in;
    const double *F;  /* = in.f64, or F_own */
    double *F_own;
    double *mu, *Fc, *means, *G, *evals, *evecs, *evecs_cm, *Graw, *rvals, *rvecs, *coding;
    size_t *counts, *order, *offset;
    struct { size_t k; double *Z; } pca[PCA_SLOTS];
    size_t pca_next;
    unsigned count[SB_XFER_N_STATS];
};

int sb_xfer_ctx_new(const sb_xfer_input *in, sb_xfer_ctx **out, sb_err *err)
{
    *out = NULL;
    if (!in || in->n < 1 || in->d < 1)
        return sb_fail(err, SB_EINPUT, "transfer unit: features must have N >= 1 rows and D >= 1 columns");
    if ((in->f32 == NULL) == (in->f64 == NULL))
        return sb_fail(err, SB_EINPUT, "transfer unit: exactly one of the float32/float64 feature arrays must be given");
    if (!in->y || in->c < 1)
        return sb_fail(err, SB_EINPUT, "transfer unit: labels missing or class count %d < 1", in->c);
    if (in->probs && in->cs < 1)
        return sb_fail(err, SB_EINPUT, "transfer unit: probabilities given with Cs = 0 columns");
    for (size_t i = 0; i < in->n; i++)
        if (in->y[i] < 0 || in->y[i] >= in->c)
            return sb_fail(err, SB_EINPUT, "transfer unit: label %d at index %zu outside 0..%d", in->y[i], i,
                           in->c - 1);
    sb_xfer_ctx *x = sb_calloc(1, sizeof *x, "transfer context", err);
    if (!x)
        return SB_ENOMEM;
    x->in = *in;
    /* Every class present: scorers divide by class counts. */
    const size_t *k;
    int rc = sb_xfer_class_counts(x, &k, err);
    if (rc) {
        sb_xfer_ctx_free(x);
        return rc;
    }
    for (int a = 0; a < in->c; a++)
        if (k[a] == 0) {
            sb_xfer_ctx_free(x);
            return sb_fail(err, SB_EINPUT, "transfer unit: class %d of 0..%d has no sample", a, in->c - 1);
        }
    *out = x;
    return 0;
}

void sb_xfer_ctx_free(sb_xfer_ctx *x)
{
    if (!x)
        return;
    free(x->F_own);
    free(x->mu);
    free(x->Fc);
    free(x->means);
    free(x->G);
    free(x->evals);
    free(x->evecs);
    free(x->evecs_cm);
    free(x->Graw);
    free(x->rvals);
    free(x->rvecs);
    free(x->coding);
    free(x->counts);
    free(x->order);
    free(x->offset);
    for (size_t i = 0; i < PCA_SLOTS; i++)
        free(x->pca[i].Z);
    free(x);
}

/* Row i of F minus mu (mu NULL: not centred) as doubles, from whichever array the input gave. */
static void load_row(const sb_xfer_ctx *x, size_t i, const double *mu, double *dst)
{
    size_t d = x->in.d;
    if (x->in.f64) {
        const double *src = x->in.f64 + i * d;
        if (mu)
            for (size_t j = 0; j < d; j++)
                dst[j] = src[j] - mu[j];
        else
            memcpy(dst, src, d * sizeof *dst);
    } else {
        const float *src = x->in.f32 + i * d;
        if (mu)
            for (size_t j = 0; j < d; j++)
                dst[j] = (double)src[j] - mu[j];
        else
            for (size_t j = 0; j < d; j++)
                dst[j] = (double)src[j];
    }
}

const sb_xfer_input *sb_xfer_input_of(const sb_xfer_ctx *x) { return &x->in; }

unsigned sb_xfer_stat_count(const sb_xfer_ctx *x, sb_xfer_stat which)
{
    return (which >= 0 && which < SB_XFER_N_STATS) ? x->count[which] : 0;
}

int sb_xfer_features(sb_xfer_ctx *x, const double **F, sb_err *err)
{
    if (!x->F) {
        size_t nd = x->in.n * x->in.d;
        if (x->in.f64) {
            x->F = x->in.f64;
        } else {
            x->F_own = sb_malloc(nd * sizeof(double), "float64 copy of the features", err);
            if (!x->F_own)
                return SB_ENOMEM;
            for (size_t i = 0; i < nd; i++)
                x->F_own[i] = (double)x->in.f32[i];
            x->F = x->F_own;
        }
        x->count[SB_XFER_STAT_FEATURES]++;
    }
    *F = x->F;
    return 0;
}

/* Class sums in one pass over the input rows; the column mean is their sum over classes. */
static int means_pass(sb_xfer_ctx *x, sb_err *err)
{
    const size_t *k;
    int rc = sb_xfer_class_counts(x, &k, err);
    if (rc)
        return rc;
    size_t n = x->in.n, d = x->in.d, c = (size_t)x->in.c;
    double *m = sb_calloc(c * d, sizeof *m, "class means", err);
    double *mu = m ? sb_calloc(d, sizeof *mu, "feature means", err) : NULL;
    if (!mu) {
        free(m);
        return SB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        double *r = m + (size_t)x->in.y[i] * d;
        if (x->in.f64) {
            const double *src = x->in.f64 + i * d;
            for (size_t j = 0; j < d; j++)
                r[j] += src[j];
        } else {
            const float *src = x->in.f32 + i * d;
            for (size_t j = 0; j < d; j++)
                r[j] += (double)src[j];
        }
    }
    for (size_t a = 0; a < c; a++)
        for (size_t j = 0; j < d; j++) {
            mu[j] += m[a * d + j];
            m[a * d + j] = k[a] ? m[a * d + j] / (double)k[a] : 0.0;
        }
    for (size_t j = 0; j < d; j++)
        mu[j] /= (double)n;
    if (!x->mu) {
        x->mu = mu;
        x->count[SB_XFER_STAT_MEAN]++;
    } else {
        free(mu);
    }
    if (!x->means) {
        x->means = m;
        x->count[SB_XFER_STAT_MEANS]++;
    } else {
        free(m);
    }
    return 0;
}

int sb_xfer_mean(sb_xfer_ctx *x, const double **mu, sb_err *err)
{
    if (!x->mu) {
        int rc = means_pass(x, err);
        if (rc)
            return rc;
    }
    *mu = x->mu;
    return 0;
}

int sb_xfer_centered(sb_xfer_ctx *x, const double **Fc, sb_err *err)
{
    if (!x->Fc) {
        const double *mu;
        int rc = sb_xfer_mean(x, &mu, err);
        if (rc)
            return rc;
        size_t n = x->in.n, d = x->in.d;
        double *c = sb_malloc(n * d * sizeof *c, "centred features", err);
        if (!c)
            return SB_ENOMEM;
        for (size_t i = 0; i < n; i++)
            load_row(x, i, mu, c + i * d);
        x->Fc = c;
        x->count[SB_XFER_STAT_CENTERED]++;
    }
    *Fc = x->Fc;
    return 0;
}

int sb_xfer_class_counts(sb_xfer_ctx *x, const size_t **counts, sb_err *err)
{
    if (!x->counts) {
        size_t *k = sb_calloc((size_t)x->in.c, sizeof *k, "class counts", err);
        if (!k)
            return SB_ENOMEM;
        for (size_t i = 0; i < x->in.n; i++)
            k[x->in.y[i]]++;
        x->counts = k;
        x->count[SB_XFER_STAT_COUNTS]++;
    }
    *counts = x->counts;
    return 0;
}

int sb_xfer_class_rows(sb_xfer_ctx *x, const size_t **order, const size_t **offset, sb_err *err)
{
    if (!x->order) {
        const size_t *k;
        int rc = sb_xfer_class_counts(x, &k, err);
        if (rc)
            return rc;
        size_t c = (size_t)x->in.c, n = x->in.n;
        size_t *off = sb_malloc((c + 1) * sizeof *off, "class row offsets", err);
        size_t *ord = off ? sb_malloc(n * sizeof *ord, "class row order", err) : NULL;
        size_t *pos = ord ? sb_malloc(c * sizeof *pos, "class row cursor", err) : NULL;
        if (!pos) {
            free(off);
            free(ord);
            return SB_ENOMEM;
        }
        off[0] = 0;
        for (size_t j = 0; j < c; j++)
            off[j + 1] = off[j] + k[j];
        memcpy(pos, off, c * sizeof *pos);
        for (size_t i = 0; i < n; i++)
            ord[pos[x->in.y[i]]++] = i;
        free(pos);
        x->order = ord;
        x->offset = off;
        x->count[SB_XFER_STAT_ROWS]++;
    }
    *order = x->order;
    *offset = x->offset;
    return 0;
}

int sb_xfer_class_means(sb_xfer_ctx *x, const double **means, sb_err *err)
{
    if (!x->means) {
        int rc = means_pass(x, err);
        if (rc)
            return rc;
    }
    *means = x->means;
    return 0;
}

static void mirror_upper(double *A, size_t d)
{
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < i; j++)
            A[i * d + j] = A[j * d + i];
}

/* 1 when the class's coding logdet is cheaper through the n×n Sylvester form (Z Zᵀ by dsyrk,
 * n²·D/2 multiply-adds, then an n×n Cholesky, n³/6) than through the D×D one (Z_cᵀZ_c is
 * computed for the Gram anyway: only a D×D Cholesky, D³/6). At n = 1000, D = 1024 the
 * Sylvester form costs 3.8× the D×D one: it pays only below n ≈ 0.53·D. */
static int coding_by_sylvester(size_t n, size_t d)
{
    double nn = (double)n, dd = (double)d;
    return 3.0 * nn * nn * dd + nn * nn * nn < dd * dd * dd;
}

/* The one N·D² pass: per class c, gather Z_c (rows of F − μ), Gc = Z_cᵀZ_c by dsyrk, add it to
 * G, and take logdet(I + Gc/(n_c ε)) by Cholesky — of the n_c×n_c I + Z_cZ_cᵀ/(n_c ε) when that
 * is cheaper (same determinant, coding_by_sylvester). */
static int gram_pass(sb_xfer_ctx *x, sb_err *err)
{
    const double *mu;
    const size_t *ord, *off;
    int rc = sb_xfer_mean(x, &mu, err);
    if (rc || (rc = sb_xfer_class_rows(x, &ord, &off, err)))
        return rc;
    size_t d = x->in.d, c = (size_t)x->in.c, nmax = 0;
    for (size_t a = 0; a < c; a++)
        if (off[a + 1] - off[a] > nmax)
            nmax = off[a + 1] - off[a];
    double *G = sb_calloc(d * d, sizeof *G, "centred Gram", err);
    double *coding = G ? sb_malloc(c * sizeof *coding, "class coding rates", err) : NULL;
    double *Gc = coding ? sb_malloc(d * d * sizeof *Gc, "class Gram", err) : NULL;
    double *Z = Gc ? sb_malloc(nmax * d * sizeof *Z, "class feature block", err) : NULL;
    if (!Z) {
        free(G);
        free(coding);
        free(Gc);
        return SB_ENOMEM;
    }
    rc = 0;
    for (size_t a = 0; a < c && !rc; a++) {
        size_t na = off[a + 1] - off[a];
        if (na == 0) {
            coding[a] = 0.0;
            continue;
        }
        /* Centred on the fly: no N×D centred copy is kept for the Gram. */
        for (size_t r = 0; r < na; r++)
            load_row(x, ord[off[a] + r], mu, Z + r * d);
        double s = 1.0 / ((double)na * SB_XFER_CODING_EPS);
        size_t m; /* order of the matrix whose Cholesky gives the logdet */
        if (coding_by_sylvester(na, d)) {
            /* Sylvester: det(I_D + ZᵀZ/k) = det(I_n + ZZᵀ/k), an n_c×n_c Cholesky instead of a
             * D×D one; ZᵀZ then goes straight into G. */
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)na, 1.0, Z, (int)d, 1.0, G, (int)d);
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)na, (int)d, s, Z, (int)d, 0.0, Gc, (int)na);
            for (size_t i = 0; i < na; i++)
                Gc[i * na + i] += 1.0;
            m = na;
        } else {
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)na, 1.0, Z, (int)d, 0.0, Gc, (int)d);
            for (size_t i = 0; i < d; i++)
                for (size_t j = i; j < d; j++) {
                    G[i * d + j] += Gc[i * d + j];
                    Gc[i * d + j] = Gc[i * d + j] * s + (i == j ? 1.0 : 0.0);
                }
            m = d;
        }
        /* The row-major upper triangle is the column-major lower one: the _work call skips
         * LAPACKE's transposed copy and NaN scan, which cost twice the factorisation itself. */
        lapack_int info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', (lapack_int)m, Gc, (lapack_int)m);
        if (info != 0) {
            rc = sb_fail(err, SB_ENUMERIC, "coding rate of class %zu: Cholesky of I + Z_c'Z_c/(n eps) failed (info %d)",
                         a, (int)info);
            break;
        }
        double ld = 0.0;
        for (size_t i = 0; i < m; i++)
            ld += log(Gc[i * m + i]);
        coding[a] = 2.0 * ld;
    }
    free(Gc);
    free(Z);
    if (rc) {
        free(G);
        free(coding);
        return rc;
    }
    mirror_upper(G, d);
    x->G = G;
    x->coding = coding;
    x->count[SB_XFER_STAT_GRAM]++;
    x->count[SB_XFER_STAT_CODING]++;
    x->count[SB_XFER_STAT_PASSES]++;
    return 0;
}

int sb_xfer_gram_centered(sb_xfer_ctx *x, const double **G, sb_err *err)
{
    if (!x->G) {
        int rc = gram_pass(x, err);
        if (rc)
            return rc;
    }
    *G = x->G;
    return 0;
}

int sb_xfer_class_coding_logdets(sb_xfer_ctx *x, const double **logdet, sb_err *err)
{
    if (!x->coding) {
        int rc = gram_pass(x, err);
        if (rc)
            return rc;
    }
    *logdet = x->coding;
    return 0;
}

/* B (row-major c×r) = transpose of A (row-major r×c), by tiles. */
static void transpose(const double *A, size_t r, size_t c, double *B)
{
    for (size_t i0 = 0; i0 < r; i0 += 32)
        for (size_t j0 = 0; j0 < c; j0 += 32)
            for (size_t i = i0; i < r && i < i0 + 32; i++)
                for (size_t j = j0; j < c && j < j0 + 32; j++)
                    B[j * r + i] = A[i * c + j];
}

/* Eigen-decomposition of the symmetric d×d matrix A (upper triangle of the row-major array
 * read, A not modified) by dsyevd: vals ascending; vecs row-major with eigenvector j in column
 * j; vecs_cm (optional) the same eigenvectors each contiguous (vecs_cm + j*d). The column-major
 * _work call on the row-major upper triangle (= column-major lower) skips LAPACKE's copies and
 * NaN scan. */
static int eig_sym(const double *A, size_t d, double **vals, double **vecs, double **vecs_cm, const char *what,
                   sb_err *err)
{
    double *w = sb_malloc(d * sizeof *w, what, err);
    double *V = w ? sb_malloc(d * d * sizeof *V, what, err) : NULL;
    double *R = V ? sb_malloc(d * d * sizeof *R, what, err) : NULL;
    double *work = NULL;
    lapack_int *iwork = NULL;
    if (!R)
        goto nomem;
    memcpy(V, A, d * d * sizeof *V);
    double wq;
    lapack_int iq, n = (lapack_int)d;
    lapack_int info = LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, 'V', 'L', n, V, n, w, &wq, -1, &iq, -1);
    if (info == 0) {
        lapack_int lw = (lapack_int)wq;
        work = sb_malloc((size_t)lw * sizeof *work, what, err);
        iwork = work ? sb_malloc((size_t)iq * sizeof *iwork, what, err) : NULL;
        if (!iwork)
            goto nomem;
        info = LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, 'V', 'L', n, V, n, w, work, lw, iwork, iq);
    }
    free(work);
    free(iwork);
    if (info != 0) {
        free(w);
        free(V);
        free(R);
        return sb_fail(err, SB_ENUMERIC, "%s: dsyevd failed (info %d)", what, (int)info);
    }
    transpose(V, d, d, R);
    *vals = w;
    *vecs = R;
    if (vecs_cm)
        *vecs_cm = V;
    else
        free(V);
    return 0;
nomem:
    free(w);
    free(V);
    free(R);
    free(work);
    free(iwork);
    return SB_ENOMEM;
}

int sb_xfer_eig_centered(sb_xfer_ctx *x, const double **evals, const double **evecs, sb_err *err)
{
    if (!x->evals) {
        const double *G;
        int rc = sb_xfer_gram_centered(x, &G, err);
        if (rc || (rc = eig_sym(G, x->in.d, &x->evals, &x->evecs, &x->evecs_cm, "eigen-decomposition of the centred Gram", err)))
            return rc;
        x->count[SB_XFER_STAT_EIG]++;
    }
    *evals = x->evals;
    *evecs = x->evecs;
    return 0;
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

/* LAPACK auxiliary (no LAPACKE wrapper): the K roots of the secular equation of
 * diag(dlamda) + rho·w·wᵀ (dlamda strictly increasing, ‖w‖ = 1, rho ≥ 0) into d, and the
 * eigenvectors of that matrix into the columns of s (column-major K×K, orthogonal by
 * Gu–Eisenstat's recomputed w). q is K×K workspace. */
extern void dlaed9_(const int *k, const int *kstart, const int *kstop, const int *n, double *d, double *q,
                    const int *ldq, const double *rho, double *dlamda, double *w, double *s, const int *lds,
                    int *info);

typedef struct { double val; size_t idx; } eig_slot;

static int slot_cmp(const void *pa, const void *pb)
{
    const eig_slot *a = pa, *b = pb;
    if (a->val != b->val)
        return a->val < b->val ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* FᵀF = V(Λ + ρ zzᵀ)Vᵀ with FcᵀFc = VΛVᵀ, z = Vᵀμ/‖μ‖, ρ = N‖μ‖²: the eigenpairs of the
 * diagonal-plus-rank-one middle matrix, deflated as LAPACK's divide and conquer does (dlaed8:
 * components ρ|z_j| ≤ tol, and Givens rotations between poles closer than tol), then solved by
 * dlaed9; the vectors are V times them (one D×K×K dgemm). O(D²) besides the dgemm, against a
 * second O(D³) dsyevd. Returns 1 (nothing done) when dlaed9 fails, so the caller falls back. */
static int eig_rank_one(const double *lam, const double *Vcm, const double *mu, size_t d, double n, double *vals,
                        double *vecs, sb_err *err)
{
    double *Vc = sb_malloc(d * d * sizeof *Vc, "raw eigenvectors (rotated basis)", err);
    double *z = Vc ? sb_malloc(d * sizeof *z, "rank-one update vector", err) : NULL;
    double *dv = z ? sb_malloc(d * sizeof *dv, "rank-one update poles", err) : NULL;
    size_t *keep = dv ? sb_malloc(d * sizeof *keep, "rank-one undeflated indices", err) : NULL;
    char *defl = keep ? sb_calloc(d, 1, "rank-one deflation flags", err) : NULL;
    eig_slot *slot = defl ? sb_malloc(d * sizeof *slot, "raw eigenvalue order", err) : NULL;
    double *dl = NULL, *wk = NULL, *root = NULL, *Q = NULL, *S = NULL, *Vk = NULL, *R = NULL;
    int rc = 0;
    if (!slot) {
        rc = SB_ENOMEM;
        goto out;
    }
    /* Row j of Vcm = eigenvector j; z = Vᵀμ. Vc, the rotated basis, is copied from Vcm at the
     * first rotation only (rotations need close poles: rare but for null spaces). */
    const double *B = Vcm;
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)d, (int)d, 1.0, Vcm, (int)d, mu, 1, 0.0, z, 1);
    memcpy(dv, lam, d * sizeof *dv);
    double zn = cblas_dnrm2((int)d, z, 1), rho = n * zn * zn;
    size_t K = 0;
    if (zn > 0.0) {
        for (size_t j = 0; j < d; j++)
            z[j] /= zn;
        double dmax = 0.0, zmax = 0.0;
        for (size_t j = 0; j < d; j++) {
            dmax = fmax(dmax, fabs(dv[j]));
            zmax = fmax(zmax, fabs(z[j]));
        }
        double tol = 8.0 * (DBL_EPSILON / 2.0) * fmax(dmax, rho);
        if (rho * zmax > tol) {
            size_t jl = d; /* the last undeflated pole so far */
            for (size_t j = 0; j < d; j++) {
                if (rho * fabs(z[j]) <= tol) {
                    defl[j] = 1;
                    continue;
                }
                if (jl == d) {
                    jl = j;
                    continue;
                }
                double tau = hypot(z[j], z[jl]), c = z[j] / tau, s = -z[jl] / tau, t = dv[j] - dv[jl];
                if (fabs(t * c * s) <= tol) {
                    /* Close poles: rotate so z[jl] = 0; jl's pair is then an exact eigenpair. */
                    z[j] = tau;
                    z[jl] = 0.0;
                    if (B == Vcm) {
                        memcpy(Vc, Vcm, d * d * sizeof *Vc);
                        B = Vc;
                    }
                    cblas_drot((int)d, Vc + jl * d, 1, Vc + j * d, 1, c, s);
                    double djl = dv[jl] * c * c + dv[j] * s * s;
                    dv[j] = dv[jl] * s * s + dv[j] * c * c;
                    dv[jl] = djl;
                    defl[jl] = 1;
                } else {
                    keep[K++] = jl;
                }
                jl = j;
            }
            keep[K++] = jl;
        }
    }
    if (K == 0) {
        /* μ = 0 or a negligible update: the centred pairs are the raw ones. */
        memcpy(vals, lam, d * sizeof *vals);
        transpose(Vcm, d, d, vecs);
        goto out;
    }
    dl = sb_malloc(K * sizeof *dl, "secular poles", err);
    wk = dl ? sb_malloc(K * sizeof *wk, "secular weights", err) : NULL;
    root = wk ? sb_malloc(K * sizeof *root, "secular roots", err) : NULL;
    Q = root ? sb_malloc(K * K * sizeof *Q, "secular workspace", err) : NULL;
    S = Q ? sb_malloc(K * K * sizeof *S, "secular eigenvectors", err) : NULL;
    Vk = S ? sb_malloc(d * d * sizeof *Vk, "undeflated eigenvectors", err) : NULL;
    R = Vk ? sb_malloc(d * K * sizeof *R, "updated eigenvectors", err) : NULL;
    if (!R) {
        rc = SB_ENOMEM;
        goto out;
    }
    /* Poles stay ascending: deflation only removed entries, rotations kept the order. */
    for (size_t k = 0; k < K; k++) {
        dl[k] = dv[keep[k]];
        wk[k] = z[keep[k]];
    }
    /* The undeflated basis vectors: B itself when nothing was deflated, else gathered. */
    const double *Bk = B;
    if (K < d) {
        for (size_t k = 0; k < K; k++)
            memcpy(Vk + k * d, B + keep[k] * d, d * sizeof *Vk);
        Bk = Vk;
    }
    double wn = cblas_dnrm2((int)K, wk, 1);
    for (size_t k = 0; k < K; k++)
        wk[k] /= wn;
    double rho_k = rho * wn * wn;
    int ki = (int)K, one = 1, info = 0;
    dlaed9_(&ki, &one, &ki, &ki, root, Q, &ki, &rho_k, dl, wk, S, &ki, &info);
    if (info != 0) {
        rc = 1;
        goto out;
    }
    /* Column k of R (column-major D×K) = Σ_i S[i,k] · (undeflated basis vector i). */
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)d, ki, ki, 1.0, Bk, (int)d, S, ki, 0.0, R, (int)d);
    size_t m = 0;
    for (size_t j = 0; j < d; j++)
        if (defl[j])
            slot[m++] = (eig_slot){dv[j], j};
    for (size_t k = 0; k < K; k++)
        slot[m++] = (eig_slot){root[k], d + k};
    qsort(slot, d, sizeof *slot, slot_cmp);
    /* The sorted vectors, each contiguous (Vk is free again and has room for d), then row-major;
     * when nothing was deflated they are R's columns in order already. */
    if (K == d) {
        memcpy(vals, root, d * sizeof *vals);
        transpose(R, d, d, vecs);
        goto out;
    }
    for (size_t jj = 0; jj < d; jj++) {
        const double *v = slot[jj].idx < d ? B + slot[jj].idx * d : R + (slot[jj].idx - d) * d;
        vals[jj] = slot[jj].val;
        memcpy(Vk + jj * d, v, d * sizeof *Vk);
    }
    transpose(Vk, d, d, vecs);
out:
    free(Vc);
    free(z);
    free(dv);
    free(keep);
    free(defl);
    free(slot);
    free(dl);
    free(wk);
    free(root);
    free(Q);
    free(S);
    free(Vk);
    free(R);
    return rc;
}

int sb_xfer_eig_raw(sb_xfer_ctx *x, const double **evals, const double **evecs, sb_err *err)
{
    if (!x->rvals) {
        const double *G, *lam, *V, *mu;
        int rc = sb_xfer_gram_raw(x, &G, err);
        if (rc || (rc = sb_xfer_eig_centered(x, &lam, &V, err)) || (rc = sb_xfer_mean(x, &mu, err)))
            return rc;
        (void)V;
        size_t d = x->in.d;
        double *w = sb_malloc(d * sizeof *w, "eigenvalues of the raw Gram", err);
        double *U = w ? sb_malloc(d * d * sizeof *U, "eigenvectors of the raw Gram", err) : NULL;
        if (!U) {
            free(w);
            return SB_ENOMEM;
        }
        rc = eig_rank_one(lam, x->evecs_cm, mu, d, (double)x->in.n, w, U, err);
        if (rc == 1) {
            /* The secular solver gave up: a full decomposition of FᵀF instead. */
            free(w);
            free(U);
            w = U = NULL;
            rc = eig_sym(G, d, &w, &U, NULL, "eigen-decomposition of the raw Gram", err);
        }
        if (rc) {
            free(w);
            free(U);
            return rc;
        }
        x->rvals = w;
        x->rvecs = U;
        x->count[SB_XFER_STAT_EIG_RAW]++;
    }
    *evals = x->rvals;
    *evecs = x->rvecs;
    return 0;
}

int sb_xfer_pca(sb_xfer_ctx *x, size_t k, const double **Z, sb_err *err)
{
    size_t d = x->in.d, n = x->in.n;
    if (k < 1 || k > d)
        return sb_fail(err, SB_EINPUT, "PCA: %zu components requested of %zu-dimensional features", k, d);
    for (size_t s = 0; s < PCA_SLOTS; s++)
        if (x->pca[s].Z && x->pca[s].k == k) {
            *Z = x->pca[s].Z;
            return 0;
        }
    const double *w, *V, *mu;
    int rc = sb_xfer_eig_centered(x, &w, &V, err);
    if (rc || (rc = sb_xfer_mean(x, &mu, err)))
        return rc;
    size_t bl = n < PCA_BLOCK ? n : PCA_BLOCK;
    double *Vk = sb_malloc(d * k * sizeof *Vk, "PCA loadings", err);
    double *P = Vk ? sb_malloc(n * k * sizeof *P, "PCA projections", err) : NULL;
    double *B = P ? sb_malloc(bl * d * sizeof *B, "PCA centred block", err) : NULL;
    if (!B) {
        free(Vk);
        free(P);
        return SB_ENOMEM;
    }
    for (size_t j = 0; j < k; j++) {
        size_t col = d - 1 - j; /* ascending eigenvalues: largest last */
        size_t amax = 0;
        for (size_t a = 1; a < d; a++)
            if (fabs(V[a * d + col]) > fabs(V[amax * d + col]))
                amax = a;
        double sign = V[amax * d + col] < 0 ? -1.0 : 1.0;
        for (size_t a = 0; a < d; a++)
            Vk[a * k + j] = sign * V[a * d + col];
    }
    /* (F − μ)·V_k by blocks of centred rows, so no N×D centred copy is needed. */
    for (size_t i0 = 0; i0 < n; i0 += bl) {
        size_t b = n - i0 < bl ? n - i0 : bl;
        for (size_t r = 0; r < b; r++)
            load_row(x, i0 + r, mu, B + r * d);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)k, (int)d, 1.0, B, (int)d, Vk, (int)k,
                    0.0, P + i0 * k, (int)k);
    }
    free(Vk);
    free(B);
    size_t s = x->pca_next;
    x->pca_next = (s + 1) % PCA_SLOTS;
    free(x->pca[s].Z);
    x->pca[s].Z = P;
    x->pca[s].k = k;
    x->count[SB_XFER_STAT_PCA]++;
    *Z = P;
    return 0;
}
