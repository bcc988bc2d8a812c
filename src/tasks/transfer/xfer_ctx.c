/* xfer_ctx.c — lazily computed, cached shared statistics of one transferability unit.
 *
 * The only pass over F that costs N·D² is the centred Gram. It is built as a sum of per-class
 * dsyrk products over rows centred on the fly (the N×D centred copy is built only if someone
 * asks for it), so the same pass also yields TransRate's per-class coding rates (one
 * Cholesky each) without a second pass; the raw Gram FᵀF (LogME) is derived from it. */
#include "tasks/transfer/xfer_ctx.h"

#include <cblas.h>
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
    double *mu, *Fc, *means, *G, *evals, *evecs, *Graw, *rvals, *rvecs, *coding;
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

int sb_xfer_mean(sb_xfer_ctx *x, const double **mu, sb_err *err)
{
    if (!x->mu) {
        const double *F;
        int rc = sb_xfer_features(x, &F, err);
        if (rc)
            return rc;
        size_t n = x->in.n, d = x->in.d;
        double *m = sb_calloc(d, sizeof *m, "feature means", err);
        if (!m)
            return SB_ENOMEM;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++)
                m[j] += F[i * d + j];
        for (size_t j = 0; j < d; j++)
            m[j] /= (double)n;
        x->mu = m;
        x->count[SB_XFER_STAT_MEAN]++;
    }
    *mu = x->mu;
    return 0;
}

int sb_xfer_centered(sb_xfer_ctx *x, const double **Fc, sb_err *err)
{
    if (!x->Fc) {
        const double *F, *mu;
        int rc = sb_xfer_mean(x, &mu, err);
        if (rc || (rc = sb_xfer_features(x, &F, err)))
            return rc;
        size_t n = x->in.n, d = x->in.d;
        double *c = sb_malloc(n * d * sizeof *c, "centred features", err);
        if (!c)
            return SB_ENOMEM;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++)
                c[i * d + j] = F[i * d + j] - mu[j];
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
        const double *F;
        const size_t *k;
        int rc = sb_xfer_features(x, &F, err);
        if (rc || (rc = sb_xfer_class_counts(x, &k, err)))
            return rc;
        size_t n = x->in.n, d = x->in.d, c = (size_t)x->in.c;
        double *m = sb_calloc(c * d, sizeof *m, "class means", err);
        if (!m)
            return SB_ENOMEM;
        for (size_t i = 0; i < n; i++) {
            double *r = m + (size_t)x->in.y[i] * d;
            for (size_t j = 0; j < d; j++)
                r[j] += F[i * d + j];
        }
        for (size_t a = 0; a < c; a++)
            for (size_t j = 0; j < d; j++)
                m[a * d + j] = k[a] ? m[a * d + j] / (double)k[a] : 0.0;
        x->means = m;
        x->count[SB_XFER_STAT_MEANS]++;
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

/* The one N·D² pass: per class c, gather Z_c (rows of F − μ), Gc = Z_cᵀZ_c by dsyrk, add it to
 * G, and take logdet(I + Gc/(n_c ε)) by Cholesky. */
static int gram_pass(sb_xfer_ctx *x, sb_err *err)
{
    const double *F, *mu;
    const size_t *ord, *off;
    int rc = sb_xfer_mean(x, &mu, err);
    if (rc || (rc = sb_xfer_features(x, &F, err)) || (rc = sb_xfer_class_rows(x, &ord, &off, err)))
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
        for (size_t r = 0; r < na; r++) {
            const double *src = F + ord[off[a] + r] * d;
            double *dst = Z + r * d;
            for (size_t j = 0; j < d; j++)
                dst[j] = src[j] - mu[j];
        }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)na, 1.0, Z, (int)d, 0.0, Gc, (int)d);
        double s = 1.0 / ((double)na * SB_XFER_CODING_EPS);
        for (size_t i = 0; i < d; i++)
            for (size_t j = i; j < d; j++) {
                G[i * d + j] += Gc[i * d + j];
                Gc[i * d + j] = Gc[i * d + j] * s + (i == j ? 1.0 : 0.0);
            }
        lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', (lapack_int)d, Gc, (lapack_int)d);
        if (info != 0) {
            rc = sb_fail(err, SB_ENUMERIC, "coding rate of class %zu: Cholesky of I + Z_c'Z_c/(n eps) failed (info %d)",
                         a, (int)info);
            break;
        }
        double ld = 0.0;
        for (size_t i = 0; i < d; i++)
            ld += log(Gc[i * d + i]);
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

/* Eigen-decomposition of the symmetric d×d matrix A (copied) by dsyevd. */
static int eig_sym(const double *A, size_t d, double **vals, double **vecs, const char *what, sb_err *err)
{
    double *w = sb_malloc(d * sizeof *w, what, err);
    double *V = w ? sb_malloc(d * d * sizeof *V, what, err) : NULL;
    if (!V) {
        free(w);
        return SB_ENOMEM;
    }
    memcpy(V, A, d * d * sizeof *V);
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)d, V, (lapack_int)d, w);
    if (info != 0) {
        free(w);
        free(V);
        return sb_fail(err, SB_ENUMERIC, "%s: dsyevd failed (info %d)", what, (int)info);
    }
    *vals = w;
    *vecs = V;
    return 0;
}

int sb_xfer_eig_centered(sb_xfer_ctx *x, const double **evals, const double **evecs, sb_err *err)
{
    if (!x->evals) {
        const double *G;
        int rc = sb_xfer_gram_centered(x, &G, err);
        if (rc || (rc = eig_sym(G, x->in.d, &x->evals, &x->evecs, "eigen-decomposition of the centred Gram", err)))
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

int sb_xfer_eig_raw(sb_xfer_ctx *x, const double **evals, const double **evecs, sb_err *err)
{
    if (!x->rvals) {
        const double *G;
        int rc = sb_xfer_gram_raw(x, &G, err);
        if (rc || (rc = eig_sym(G, x->in.d, &x->rvals, &x->rvecs, "eigen-decomposition of the raw Gram", err)))
            return rc;
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
    const double *w, *V, *F, *mu;
    int rc = sb_xfer_eig_centered(x, &w, &V, err);
    if (rc || (rc = sb_xfer_features(x, &F, err)) || (rc = sb_xfer_mean(x, &mu, err)))
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
            for (size_t j = 0; j < d; j++)
                B[r * d + j] = F[(i0 + r) * d + j] - mu[j];
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
