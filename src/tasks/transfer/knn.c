/* knn.c — leave-one-out k-NN accuracy (k = 5) in percent, Euclidean distance on L2-normalised
 * features (a zero row stays zero). Neighbours are ordered by (distance, index), the sample
 * itself excluded by index; the vote goes to the most frequent label, ties to the smaller label.
 * x̂_i·x̂_j = (f_i·f_j)/(‖f_i‖‖f_j‖), so no normalised copy of F is stored.
 * Distances come from dgemm blocks of KNN_BLOCK × KNN_BLOCK over the upper block triangle, each
 * pair computed once for both rows: N²D/2 multiply-adds, KNN_BLOCK² doubles + N·k neighbours. */
#include <cblas.h>
#include <stdint.h>
#include <stdlib.h>

#include "tasks/transfer/scorer_common.h"

#define KNN_K 5
#define KNN_BLOCK 1024

/* Keeps the k best (distance, index) pairs of one row, sorted ascending. */
static inline void offer(double *dd, size_t *ii, size_t k, double dist, size_t j)
{
    if (dist > dd[k - 1] || (dist == dd[k - 1] && j > ii[k - 1]))
        return;
    size_t p = k - 1;
    while (p > 0 && (dist < dd[p - 1] || (dist == dd[p - 1] && j < ii[p - 1]))) {
        dd[p] = dd[p - 1];
        ii[p] = ii[p - 1];
        p--;
    }
    dd[p] = dist;
    ii[p] = j;
}

static int knn_score(sb_xfer_ctx *ctx, double *value, char *reason, size_t cap, sb_err *err)
{
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    SB_SCORER_NEED_TWO_CLASSES(ctx, value, reason, cap);
    size_t n = in->n, d = in->d, c = (size_t)in->c, kk = n - 1 < KNN_K ? n - 1 : KNN_K;
    const double *F;
    int rc = sb_xfer_features(ctx, &F, err);
    if (rc)
        return rc;
    size_t bl = n < KNN_BLOCK ? n : KNN_BLOCK;
    double *inv = sb_malloc(n * sizeof *inv, "knn inverse norms", err);
    double *nrm = inv ? sb_malloc(n * sizeof *nrm, "knn norms", err) : NULL;
    double *S = nrm ? sb_malloc(bl * bl * sizeof *S, "knn similarity block", err) : NULL;
    size_t *votes = S ? sb_malloc(c * sizeof *votes, "knn votes", err) : NULL;
    double *nb_d = votes ? sb_malloc(n * kk * sizeof *nb_d, "knn neighbour distances", err) : NULL;
    size_t *nb_idx = nb_d ? sb_malloc(n * kk * sizeof *nb_idx, "knn neighbours", err) : NULL;
    if (!nb_idx) {
        free(inv);
        free(nrm);
        free(S);
        free(votes);
        free(nb_d);
        return SB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < d; j++)
            s += F[i * d + j] * F[i * d + j];
        double r = s > 0 ? 1.0 / sqrt(s) : 0.0, t = 0.0;
        for (size_t j = 0; j < d; j++)
            t += (F[i * d + j] * r) * (F[i * d + j] * r);
        inv[i] = r;
        nrm[i] = t;
    }
    /* Each pair's distance is computed once (upper block triangle) and offered to both rows. */
    for (size_t i = 0; i < n * kk; i++) {
        nb_d[i] = INFINITY;
        nb_idx[i] = SIZE_MAX;
    }
    for (size_t i0 = 0; i0 < n; i0 += bl) {
        size_t bi = n - i0 < bl ? n - i0 : bl;
        for (size_t j0 = i0; j0 < n; j0 += bl) {
            size_t bj = n - j0 < bl ? n - j0 : bl;
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)bi, (int)bj, (int)d, 1.0, F + i0 * d, (int)d,
                        F + j0 * d, (int)d, 0.0, S, (int)bj);
            for (size_t r = 0; r < bi; r++) {
                size_t i = i0 + r;
                for (size_t q = (j0 == i0 ? r + 1 : 0); q < bj; q++) {
                    size_t j = j0 + q;
                    double dist = nrm[i] + nrm[j] - 2.0 * (S[r * bj + q] * inv[i] * inv[j]);
                    offer(nb_d + i * kk, nb_idx + i * kk, kk, dist, j);
                    offer(nb_d + j * kk, nb_idx + j * kk, kk, dist, i);
                }
            }
        }
    }
    size_t correct = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t a = 0; a < c; a++)
            votes[a] = 0;
        for (size_t q = 0; q < kk; q++)
            votes[in->y[nb_idx[i * kk + q]]]++;
        size_t best = 0;
        for (size_t a = 1; a < c; a++)
            if (votes[a] > votes[best])
                best = a;
        if ((int)best == in->y[i])
            correct++;
    }
    free(nb_d);
    free(nb_idx);
    free(inv);
    free(nrm);
    free(S);
    free(votes);
    *value = 100.0 * (double)correct / (double)n;
    return 0;
}

const sb_scorer sb_scorer_knn = {
    .name = "knn",
    .summary = "leave-one-out 5-NN accuracy (percent), Euclidean on L2-normalised features",
    .needs = SB_NEEDS_FEATURES,
    .score = knn_score,
};
