/* bench_transfer.c — cost of the transferability battery against its floor, one dsyrk.
 *
 * usage: bench_transfer [N D C Cs] [--no-numpy]   (default 20000 1024 20 50)
 * One synthetic float32 unit (features with class structure, source softmax), seeded. Prints
 * the time of one dsyrk over N×D doubles; the time of each shared statistic computed
 * explicitly, then of each scorer (reading the cached statistics); the battery's total and its
 * ratio to the dsyrk. Then, unless --no-numpy, runs bench/transfer_numpy.py with
 * /usr/bin/python3 on the same shapes (its own data: timing only) and prints the ratio. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rng.h"
#include "tasks/transfer/scorer.h"
#include "tasks/transfer/xfer_ctx.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define STEP(label, call)                                                   \
    do {                                                                    \
        double t0_ = now();                                                 \
        if ((call) != 0) {                                                  \
            fprintf(stderr, "bench_transfer: %s: %s\n", label, err.msg);    \
            return 1;                                                       \
        }                                                                   \
        double dt_ = now() - t0_;                                           \
        total += dt_;                                                       \
        printf("  %-28s %9.3f s\n", label, dt_);                            \
    } while (0)

int main(int argc, char **argv)
{
    size_t n = 20000, d = 1024, cs = 50;
    int c = 20, numpy = 1, pos = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--no-numpy")) {
            numpy = 0;
            continue;
        }
        long v = strtol(argv[i], NULL, 10);
        if (v < 1) {
            fprintf(stderr, "usage: bench_transfer [N D C Cs] [--no-numpy]\n");
            return 2;
        }
        if (pos == 0) n = (size_t)v;
        else if (pos == 1) d = (size_t)v;
        else if (pos == 2) c = (int)v;
        else cs = (size_t)v;
        pos++;
    }
    sb_rng r;
    sb_rng_seed(&r, 20240601, 0);
    float *F = malloc(n * d * sizeof *F);
    double *P = malloc(n * cs * sizeof *P), *cm = malloc((size_t)c * d * sizeof *cm);
    int *y = malloc(n * sizeof *y);
    if (!F || !P || !cm || !y)
        return 1;
    for (size_t i = 0; i < (size_t)c * d; i++)
        cm[i] = sb_rng_normal(&r);
    for (size_t i = 0; i < n; i++) {
        y[i] = i < (size_t)c ? (int)i : (int)sb_rng_below(&r, (uint64_t)c);
        double shared = sb_rng_normal(&r);
        for (size_t j = 0; j < d; j++)
            F[i * d + j] = (float)(0.5 * cm[(size_t)y[i] * d + j] + sb_rng_normal(&r) + 0.3 * shared);
        double s = 0.0;
        for (size_t z = 0; z < cs; z++) {
            double l = sb_rng_normal(&r) + (z == (size_t)y[i] % cs ? 2.0 : 0.0);
            P[i * cs + z] = exp(l);
            s += P[i * cs + z];
        }
        for (size_t z = 0; z < cs; z++)
            P[i * cs + z] /= s;
    }
    printf("transfer battery: N=%zu D=%zu C=%d Cs=%zu, float32 features\n", n, d, c, cs);

    /* The floor: one dsyrk over the N×D doubles. */
    double *X = malloc(n * d * sizeof *X), *G = malloc(d * d * sizeof *G);
    for (size_t i = 0; i < n * d; i++)
        X[i] = F[i];
    double t0 = now();
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)n, 1.0, X, (int)d, 0.0, G, (int)d);
    double t_syrk = now() - t0;
    free(X);
    free(G);
    printf("  %-28s %9.3f s\n", "one dsyrk (floor)", t_syrk);

    sb_xfer_input in = {.n = n, .d = d, .f32 = F, .y = y, .c = c, .probs = P, .cs = cs};
    sb_xfer_ctx *ctx;
    sb_err err = {0};
    if (sb_xfer_ctx_new(&in, &ctx, &err)) {
        fprintf(stderr, "bench_transfer: %s\n", err.msg);
        return 1;
    }
    double total = 0.0, shared_total;
    const double *p1, *p2;
    const size_t *q1, *q2;
    printf("shared statistics:\n");
    STEP("float32 -> float64", sb_xfer_features(ctx, &p1, &err));
    STEP("column mean", sb_xfer_mean(ctx, &p1, &err));
    STEP("class rows/counts/means", sb_xfer_class_rows(ctx, &q1, &q2, &err) || sb_xfer_class_means(ctx, &p1, &err));
    STEP("Gram pass (dsyrk+coding)", sb_xfer_gram_centered(ctx, &p1, &err));
    STEP("eig centred Gram (dsyevd)", sb_xfer_eig_centered(ctx, &p1, &p2, &err));
    STEP("raw Gram + eig (dsyevd)", sb_xfer_eig_raw(ctx, &p1, &p2, &err));
    STEP("PCA 32", sb_xfer_pca(ctx, 32 < d ? 32 : d, &p1, &err));
    STEP("PCA 64", sb_xfer_pca(ctx, 64 < d ? 64 : d, &p1, &err));
    shared_total = total;
    printf("scorers:\n");
    double quad = 0.0;
    char times[2048];
    int tl = snprintf(times, sizeof times, " shared=%.6f", shared_total);
    for (size_t i = 0; i < sb_n_scorers; i++) {
        char reason[256] = "";
        double v, before = total;
        STEP(sb_scorers[i]->name, sb_scorers[i]->score(ctx, &v, reason, sizeof reason, &err));
        printf("  %-28s = %.10g %s\n", "", v, reason);
        if (tl > 0 && (size_t)tl < sizeof times)
            tl += snprintf(times + tl, sizeof times - (size_t)tl, " %s=%.6f", sb_scorers[i]->name, total - before);
        /* Not bounded by the Gram: O(N²) pairs (parc, knn) or iterative EM (nleep). */
        if (!strcmp(sb_scorers[i]->name, "parc") || !strcmp(sb_scorers[i]->name, "knn") ||
            !strcmp(sb_scorers[i]->name, "nleep"))
            quad += total - before;
    }
    sb_xfer_ctx_free(ctx);
    printf("shared statistics total       %9.3f s\n", shared_total);
    printf("battery total                 %9.3f s   ratio to dsyrk %.2f\n", total, total / t_syrk);
    printf("without parc, knn, nleep      %9.3f s   ratio to dsyrk %.2f (the Gram-bounded part)\n", total - quad,
           (total - quad) / t_syrk);
    free(F);
    free(P);
    free(cm);
    free(y);
    if (numpy) {
        char cmd[8192], dir[2048];
        snprintf(dir, sizeof dir, "%s", __FILE__);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dir, sizeof dir, ".");
        snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/transfer_numpy.py %zu %zu %d %zu%s", dir, n, d, c, cs, times);
        printf("numpy (%s):\n", cmd);
        fflush(stdout);
        if (system(cmd) != 0)
            printf("  numpy comparison not run (python3 or numpy/scipy missing)\n");
    }
    return 0;
}
