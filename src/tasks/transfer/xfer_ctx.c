/* xfer_ctx.c — lazily computed, cached shared statistics of one transferability unit: means,
 * class rows, and the Gram pass (eigen-decompositions, projections and PCA: xfer_eig.c).
 *
 * The only pass over F that costs N·D² is the centred Gram. It is built as a sum of per-class
 * dsyrk products over rows centred on the fly (the N×D centred copy is built only if someone
 * asks for it), so the same pass also yields TransRate's per-class coding rates (one
 * Cholesky each) and Σ‖x_i − μ‖⁴ without a second pass; the raw Gram FᵀF (LogME) is derived
 * from it. float32 input is converted row by row where it is read (means, Gram blocks, PCA
 * blocks): the N×D float64 copy is made only for a scorer that asks for it (sb_xfer_features),
 * so the Gram-bounded scorers never pay its page faults. */
#include "tasks/transfer/xfer_ctx_impl.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


/* A unit allocates and frees about ten D×D buffers (8 MB each at D = 1024); glibc maps such
 * blocks fresh and unmaps them on free, and its adaptive threshold does not cover thread
 * arenas, so every unit paid their page faults again: 0.6 s of system time over four
 * N = 20000, D = 1024 units on the benchmark VM (docs/transfer.md). Blocks up to 32 MB now
 * stay in the heap once freed and are reused; the process keeps the largest unit's working
 * set, which is the bound docs/transfer.md gives anyway. Idempotent, so set on every unit. */
static void keep_freed_blocks(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

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
    keep_freed_blocks();
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
    free(x->tri_a);
    free(x->tri_tau);
    free(x->tri_w);
    free(x->evecs);
    free(x->evecs_cm);
    free(x->Graw);
    free(x->rvals);
    free(x->rvecs);
    sb_rank1_free(&x->r1);
    free(x->coding);
    free(x->counts);
    free(x->order);
    free(x->offset);
    for (size_t i = 0; i < SB_XFER_PCA_SLOTS; i++)
        free(x->pca[i].Z);
    free(x);
}

void sb_xfer_load_row(const sb_xfer_ctx *x, size_t i, const double *mu, double *dst)
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
            sb_xfer_load_row(x, i, mu, c + i * d);
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

/* One class block Z (n×D, centred rows): Z'Z added to G (upper triangle), and *logdet =
 * logdet(I + Z'Z/(n ε)) by one Cholesky, of the n×n Sylvester form when that is cheaper. Gc is
 * D×D scratch. */
static int class_block(const double *Z, size_t na, size_t d, double *G, double *Gc, double *logdet, size_t a,
                       sb_err *err)
{
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
    if (info != 0)
        return sb_fail(err, SB_ENUMERIC, "coding rate of class %zu: Cholesky of I + Z_c'Z_c/(n eps) failed (info %d)",
                       a, (int)info);
    double ld = 0.0;
    for (size_t i = 0; i < m; i++)
        ld += log(Gc[i * m + i]);
    *logdet = 2.0 * ld;
    return 0;
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
    double row4 = 0.0;
    for (size_t a = 0; a < c && !rc; a++) {
        size_t na = off[a + 1] - off[a];
        if (na == 0) {
            coding[a] = 0.0;
            continue;
        }
        /* Centred on the fly: no N×D centred copy is kept for the Gram. The row's squared
         * norm is taken while it is in cache (the shrinkage H-score's Σ‖x_i − μ‖⁴). */
        for (size_t r = 0; r < na; r++) {
            double *z = Z + r * d, q = 0.0;
            sb_xfer_load_row(x, ord[off[a] + r], mu, z);
            for (size_t j = 0; j < d; j++)
                q += z[j] * z[j];
            row4 += q * q;
        }
        rc = class_block(Z, na, d, G, Gc, &coding[a], a, err);
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
    x->row4 = row4;
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

int sb_xfer_centered_row4(sb_xfer_ctx *x, double *row4, sb_err *err)
{
    const double *G;
    int rc = sb_xfer_gram_centered(x, &G, err);
    *row4 = x->row4;
    return rc;
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

