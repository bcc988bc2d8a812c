/* gbc.c — GBC (Pándy et al., CVPR 2022), spherical variant of the transfer-estimation-medical
 * port: PCA to min(64, D, N−1) components (exact, from the shared eigen-decomposition), per
 * class mean and biased per-dimension variance floored at 1e-4, s_c their mean; Bhattacharyya
 * distance with scalar log terms; gbc = −Σ_{a≠b} exp(−DB(a,b)). */
#include <stdlib.h>

#include "tasks/transfer/scorer_common.h"

static int gbc_score(sb_xfer_ctx *ctx, double *value, char *reason, size_t cap, sb_err *err)
{
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    SB_SCORER_NEED_TWO_CLASSES(ctx, value, reason, cap);
    size_t n = in->n, c = (size_t)in->c, k = 64;
    if (k > in->d)
        k = in->d;
    if (k > n - 1)
        k = n - 1;
    const double *Z;
    const size_t *cnt;
    int rc = sb_xfer_pca(ctx, k, &Z, err);
    if (rc || (rc = sb_xfer_class_counts(ctx, &cnt, err)))
        return rc;
    double *m = sb_calloc(c * k, sizeof *m, "gbc class means", err);
    double *v = m ? sb_calloc(c * k, sizeof *v, "gbc class variances", err) : NULL;
    double *s = v ? sb_calloc(c, sizeof *s, "gbc spherical variances", err) : NULL;
    if (!s) {
        free(m);
        free(v);
        return SB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++)
            m[(size_t)in->y[i] * k + j] += Z[i * k + j];
    for (size_t a = 0; a < c; a++)
        for (size_t j = 0; j < k; j++)
            m[a * k + j] /= (double)cnt[a];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) {
            double e = Z[i * k + j] - m[(size_t)in->y[i] * k + j];
            v[(size_t)in->y[i] * k + j] += e * e;
        }
    for (size_t a = 0; a < c; a++) {
        for (size_t j = 0; j < k; j++)
            s[a] += fmax(v[a * k + j] / (double)cnt[a], 1e-4);
        s[a] /= (double)k;
    }
    double g = 0.0;
    for (size_t a = 0; a < c; a++)
        for (size_t b = 0; b < c; b++) {
            if (a == b)
                continue;
            double sb = (s[a] + s[b]) / 2.0, q = 0.0;
            for (size_t j = 0; j < k; j++) {
                double e = m[a * k + j] - m[b * k + j];
                q += e * e / sb;
            }
            double db = q / 8.0 + 0.5 * (log(sb) - 0.5 * log(s[a]) - 0.5 * log(s[b]));
            g += exp(-db);
        }
    free(m);
    free(v);
    free(s);
    *value = -g;
    return 0;
}

const sb_scorer sb_scorer_gbc = {
    .name = "gbc",
    .summary = "GBC: minus summed Bhattacharyya coefficients between spherical class Gaussians in PCA-64",
    .needs = SB_NEEDS_FEATURES,
    .score = gbc_score,
};
