#include "numerics/linear_probe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "numerics/logreg.h"

int sb_linear_probe_split(const int *y, size_t n, int c, uint64_t seed, unsigned char *is_test,
                          size_t *n_test, sb_err *err)
{
    if (c < 1)
        return sb_fail(err, SB_EINPUT, "linear probe: %d classes", c);
    for (size_t i = 0; i < n; i++)
        if (y[i] < 0 || y[i] >= c)
            return sb_fail(err, SB_EINPUT, "linear probe: label y[%zu] = %d outside 0..%d", i, y[i],
                           c - 1);
    size_t *rows = sb_malloc((n ? n : 1) * sizeof *rows, "linear probe split", err);
    if (!rows)
        return SB_ENOMEM;
    sb_rng r;
    sb_rng_seed(&r, seed, 0);
    size_t total = 0;
    memset(is_test, 0, n);
    for (int k = 0; k < c; k++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (y[i] == k)
                rows[m++] = i;
        for (size_t i = m; i > 1; i--) {
            size_t j = (size_t)sb_rng_below(&r, i);
            size_t t = rows[i - 1];
            rows[i - 1] = rows[j];
            rows[j] = t;
        }
        size_t t = (2 * m + 5) / 10; /* round(0.2·m) in integers (0.2·m is never a half) */
        for (size_t i = 0; i < t; i++)
            is_test[rows[i]] = 1;
        total += t;
    }
    free(rows);
    *n_test = total;
    return 0;
}

int sb_linear_probe(const double *F, size_t n, size_t d, const int *y, int c, uint64_t seed,
                    double *accuracy, sb_err *err)
{
    if (c < 2)
        return sb_fail(err, SB_EINPUT, "linear probe: %d class(es), need at least 2", c);
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(F[i]))
            return sb_fail(err, SB_EINPUT, "linear probe: feature F[%zu][%zu] is not finite",
                           i / d, i % d);
    unsigned char *is_test = sb_malloc(n ? n : 1, "linear probe split", err);
    if (!is_test)
        return SB_ENOMEM;
    size_t nt = 0;
    int rc = sb_linear_probe_split(y, n, c, seed, is_test, &nt, err);
    if (rc) {
        free(is_test);
        return rc;
    }
    if (nt == 0) {
        free(is_test);
        return sb_fail(err, SB_EINPUT, "linear probe: no held-out sample (N = %zu; every class "
                                       "has fewer than 3 samples)", n);
    }
    size_t ntr = n - nt;
    double *Xtr = sb_malloc((ntr * d + 1) * sizeof(double), "linear probe training rows", err);
    double *Xte = Xtr ? sb_malloc((nt * d + 1) * sizeof(double), "linear probe test rows", err) : NULL;
    int *ytr = Xte ? sb_malloc(ntr * sizeof(int), "linear probe training labels", err) : NULL;
    double *mu = ytr ? sb_calloc(2 * d + 1, sizeof(double), "linear probe scaling", err) : NULL;
    double *W = mu ? sb_malloc(((size_t)c * d + 1) * sizeof(double), "linear probe weights", err) : NULL;
    double *b = W ? sb_malloc((size_t)c * sizeof(double), "linear probe bias", err) : NULL;
    double *P = b ? sb_malloc(nt * (size_t)c * sizeof(double), "linear probe logits", err) : NULL;
    if (!P) {
        rc = SB_ENOMEM;
        goto out;
    }
    double *sd = mu + d;
    size_t a = 0, t = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_test[i]) {
            memcpy(Xte + t++ * d, F + i * d, d * sizeof(double));
        } else {
            ytr[a] = y[i];
            memcpy(Xtr + a++ * d, F + i * d, d * sizeof(double));
        }
    }
    for (size_t i = 0; i < ntr; i++)
        for (size_t j = 0; j < d; j++)
            mu[j] += Xtr[i * d + j];
    for (size_t j = 0; j < d; j++)
        mu[j] /= (double)ntr;
    for (size_t i = 0; i < ntr; i++)
        for (size_t j = 0; j < d; j++) {
            double v = Xtr[i * d + j] - mu[j];
            sd[j] += v * v;
        }
    for (size_t j = 0; j < d; j++) {
        sd[j] = sqrt(sd[j] / (double)ntr);
        if (!(sd[j] > 0.0))
            sd[j] = 1.0;
    }
    for (size_t i = 0; i < ntr; i++)
        for (size_t j = 0; j < d; j++)
            Xtr[i * d + j] = (Xtr[i * d + j] - mu[j]) / sd[j];
    for (size_t i = 0; i < nt; i++)
        for (size_t j = 0; j < d; j++)
            Xte[i * d + j] = (Xte[i * d + j] - mu[j]) / sd[j];

    sb_logreg_opts o;
    sb_logreg_defaults(&o);
    o.l2 = 1e-4;
    o.gtol = 1e-6;
    /* A class whose only samples are all in the training set is fine; a class absent from the
     * training set cannot happen (round(0.2·m) < m for m ≥ 1). */
    if ((rc = sb_logreg_fit(Xtr, ntr, d, ytr, c, &o, W, b, NULL, err)) ||
        (rc = sb_logreg_predict_proba(Xte, nt, d, c, W, b, P, err))) {
        sb_wrap(err, "linear probe: ");
        goto out;
    }
    size_t right = 0;
    t = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_test[i])
            continue;
        const double *p = P + t++ * (size_t)c;
        int best = 0;
        for (int k = 1; k < c; k++)
            if (p[k] > p[best])
                best = k;
        right += best == y[i];
    }
    *accuracy = (double)right / (double)nt;
out:
    free(is_test);
    free(Xtr);
    free(Xte);
    free(ytr);
    free(mu);
    free(W);
    free(b);
    free(P);
    return rc;
}
