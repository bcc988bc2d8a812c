/* etran.c — ETran (Gholami et al., ICCV 2023) without its SVD term: energy and LDA
 * components per pair, combined across a dataset's models at finish (specs/scorers4.md).
 *
 * Follows mgholamikn/ETran@d4551ed metrics.py (read, not copied):
 *  - Energy_Score(F, 0.5, 'bot'): e_i = logsumexp_j F[i,j] (torch.logsumexp there; the spec pins
 *    scipy.special.logsumexp: max-shifted, float64); energy = mean of the q = ⌊5N/1000⌋ smallest
 *    e_i. The q smallest values form one multiset whatever the order among ties, so sorting
 *    the e_i (a total order) and summing the first q ascending is exact and deterministic.
 *    N < 200 leaves q = 0: the reference's mean of nothing is NaN, here undefined with a reason.
 *  - LDA_Score(F, y): the shrunk LDA's coefficients are means·E·Eᵀ with E the full orthogonal
 *    eigenvector matrix of np.linalg.eigh, i.e. the class means themselves, so the shrinkage
 *    cancels: lda = (1/N) Σ_i softmax_c(F_i·m_c − ½‖m_c‖² + ln π_c)[y_i].
 * The class means and counts come from the context; the scores F·Mᵀ are one dgemm (N·C·D). */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/transfer/scorer_common.h"

/* Rows per dgemm block of the LDA scores: bounds the scratch to ROWS·C doubles. */
#define ETRAN_ROWS 4096

/* Ascending, NaN last: a total order, so qsort's result is one well-defined sequence. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

/* log Σ_j exp(x_j), shifted by the row maximum as scipy.special.logsumexp does. */
static double logsumexp_row(const double *x, size_t d)
{
    double mx = x[0];
    for (size_t j = 1; j < d; j++)
        mx = x[j] > mx ? x[j] : mx;
    if (!isfinite(mx))
        mx = 0.0;
    double s = 0.0;
    for (size_t j = 0; j < d; j++)
        s += exp(x[j] - mx);
    return log(s) + mx;
}

/* Mean of the ⌊5N/1000⌋ smallest row energies; NaN (q = 0) below N = 200. */
static int etran_energy(const double *F, size_t n, size_t d, double *energy, sb_err *err)
{
    size_t q = 5 * n / 1000;
    if (q == 0) {
        *energy = NAN;
        return 0;
    }
    double *e = sb_malloc(n * sizeof *e, "etran energies", err);
    if (!e)
        return SB_ENOMEM;
    for (size_t i = 0; i < n; i++)
        e[i] = logsumexp_row(F + i * d, d);
    qsort(e, n, sizeof *e, cmp_double);
    double s = 0.0;
    for (size_t i = 0; i < q; i++)
        s += e[i];
    free(e);
    *energy = s / (double)q;
    return 0;
}

/* (1/N) Σ_i softmax of the Gaussian-LDA scores at the true class. */
static int etran_lda(sb_xfer_ctx *ctx, const double *F, double *lda, sb_err *err)
{
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    size_t n = in->n, d = in->d, c = (size_t)in->c;
    const double *M;
    const size_t *cnt;
    int rc = sb_xfer_class_means(ctx, &M, err);
    if (rc || (rc = sb_xfer_class_counts(ctx, &cnt, err)))
        return rc;
    size_t rows = n < ETRAN_ROWS ? n : ETRAN_ROWS;
    double *icpt = sb_malloc(c * sizeof *icpt, "etran intercepts", err);
    double *S = icpt ? sb_malloc(rows * c * sizeof *S, "etran LDA scores", err) : NULL;
    if (!S) {
        free(icpt);
        return SB_ENOMEM;
    }
    for (size_t k = 0; k < c; k++)
        icpt[k] = -0.5 * cblas_ddot((int)d, M + k * d, 1, M + k * d, 1) + log((double)cnt[k] / (double)n);
    double total = 0.0;
    for (size_t i0 = 0; i0 < n; i0 += rows) {
        size_t m = n - i0 < rows ? n - i0 : rows;
        for (size_t i = 0; i < m; i++)
            memcpy(S + i * c, icpt, c * sizeof *S);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)c, (int)d, 1.0, F + i0 * d,
                    (int)d, M, (int)d, 1.0, S, (int)c);
        for (size_t i = 0; i < m; i++) {
            const double *s = S + i * c;
            double mx = s[0], z = 0.0;
            for (size_t k = 1; k < c; k++)
                mx = s[k] > mx ? s[k] : mx;
            for (size_t k = 0; k < c; k++)
                z += exp(s[k] - mx);
            total += exp(s[in->y[i0 + i]] - mx) / z;
        }
    }
    free(icpt);
    free(S);
    *lda = total / (double)n;
    return 0;
}

static int etran_parts(sb_xfer_ctx *ctx, const sb_scorer_params *p, sb_scorer_parts *out, sb_err *err)
{
    (void)p;
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    const double *F;
    int rc = sb_xfer_features(ctx, &F, err);
    if (rc || (rc = etran_energy(F, in->n, in->d, &out->v[0], err)) ||
        (rc = etran_lda(ctx, F, &out->v[1], err)))
        return rc;
    if (5 * in->n / 1000 == 0)
        snprintf(out->reason, sizeof out->reason, "N < 200: no sample in the lowest 0.5%%");
    else if (isnan(out->v[0]) || isnan(out->v[1]))
        snprintf(out->reason, sizeof out->reason, "NaN in the features");
    return 0;
}

static void etran_weights(const sb_scorer_params *p, double *w)
{
    w[0] = p->etran_w[0]; /* energy */
    w[1] = p->etran_w[1]; /* lda */
}

static double etran_cost(const sb_pair_size *sz, const sb_scorer_params *p)
{
    (void)p;
    return sz->n * sz->c * sz->d;
}

const sb_scorer sb_scorer_etran = {
    .name = "etran",
    .summary = "ETran: energy (mean of the lowest 0.5% logsumexp) + LDA, min-max combined per dataset "
               "(--etran-weights)",
    .needs = SB_NEEDS_FEATURES,
    .components = (const char *const[]){"energy", "lda", NULL},
    .parts = etran_parts,
    .combine_weights = etran_weights,
    .cost = etran_cost,
};
