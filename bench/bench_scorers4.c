/* bench_scorers4.c — NCTI, ETran, PACTran and TMI, each beside its floor, and the battery of
 * the eleven scorers that draw on the centred Gram (issue 13, item 5).
 *
 * usage: bench_scorers4 [N D C] [--reps R]   (default 20000 1024 20, R = 1)
 * One synthetic pair (the worked problem's recipe of specs/scorers4.md at this size: class
 * means N(0, 0.15), F = max(M[y] + N(0, 1.5²) + 0.5, 0), a source head for LEEP/NCE/NLEEP). Times
 * are CPU seconds of this process with 1 OpenBLAS thread, best of R; each scorer runs on a fresh
 * context, so the shared statistics it needs are part of its time. Floors:
 *   ncti     the exact PCA it needs: centred Gram (dsyrk), its eigen-decomposition, the N×64
 *            projection (the same context calls, alone);
 *   etran    one pass of N·C·D: the dgemm F·Mᵀ of the double features with the class means;
 *   pactran  one objective-and-gradient evaluation (two N×D×C dgemms and a softmax) times the
 *            evaluations the run used (its nfev component);
 *   tmi      its neighbour search as a plain loop: the Chebyshev distance of every same-class
 *            pair once (D·Σ n_c²/2 max-abs steps) — the same work done naively, not a lower
 *            bound: the scorer's blocked, vectorised search beats it;
 *   battery  the eleven: the seven of bench_transfer's battery (logme, leep, nce, hscore,
 *            hscore_reg, gbc, transrate) and the four above, in table order on one context,
 *            against one dsyrk of the N×D doubles; also without pactran and tmi, whose work
 *            (an optimisation, a neighbour search) no shared statistic can absorb. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rng.h"
#include "tasks/transfer/scorer.h"
#include "tasks/transfer/xfer_ctx.h"

typedef struct pair {
    size_t n, d, cs;
    int c;
    double *F, *P;
    int *y;
} pair;

static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int make_pair(pair *p)
{
    sb_rng r;
    sb_rng_seed(&r, 20261205, 4);
    double *M = malloc((size_t)p->c * p->d * sizeof *M);
    p->F = malloc(p->n * p->d * sizeof *p->F);
    p->P = malloc(p->n * p->cs * sizeof *p->P);
    p->y = malloc(p->n * sizeof *p->y);
    if (!M || !p->F || !p->P || !p->y) {
        free(M);
        return -1;
    }
    for (size_t i = 0; i < (size_t)p->c * p->d; i++)
        M[i] = 0.15 * sb_rng_normal(&r);
    for (size_t i = 0; i < p->n; i++) {
        int k = p->y[i] = i < (size_t)p->c ? (int)i : (int)sb_rng_below(&r, (uint64_t)p->c);
        for (size_t j = 0; j < p->d; j++)
            p->F[i * p->d + j] = fmax(M[(size_t)k * p->d + j] + 1.5 * sb_rng_normal(&r) + 0.5, 0.0);
        double s = 0.0;
        for (size_t z = 0; z < p->cs; z++)
            s += (p->P[i * p->cs + z] = exp(sb_rng_normal(&r) + (z == (size_t)k % p->cs ? 2.0 : 0.0)));
        for (size_t z = 0; z < p->cs; z++)
            p->P[i * p->cs + z] /= s;
    }
    free(M);
    return 0;
}

static sb_xfer_ctx *fresh(const pair *p)
{
    sb_xfer_input in = {.n = p->n, .d = p->d, .f64 = p->F, .y = p->y, .c = p->c, .probs = p->P, .cs = p->cs};
    sb_xfer_ctx *ctx = NULL;
    sb_err err = {0};
    if (sb_xfer_ctx_new(&in, &ctx, &err))
        fprintf(stderr, "bench_scorers4: %s\n", err.msg);
    return ctx;
}

/* Seconds of scorer name on a fresh context; its components into parts. */
static double time_scorer(const pair *p, const char *name, sb_scorer_parts *parts)
{
    sb_xfer_ctx *ctx = fresh(p);
    const sb_scorer *s = sb_scorer_find(name);
    if (!ctx || !s)
        return NAN;
    sb_err err = {0};
    double v, t0 = cpu();
    int rc = sb_scorer_run(s, ctx, &sb_scorer_params_default, &v, parts, &err);
    double t = cpu() - t0;
    sb_xfer_ctx_free(ctx);
    if (rc)
        fprintf(stderr, "bench_scorers4: %s: %s\n", name, err.msg);
    return rc ? NAN : t;
}

static double floor_ncti(const pair *p)
{
    sb_xfer_ctx *ctx = fresh(p);
    const double *Z;
    sb_err err = {0};
    size_t k = p->d < 64 ? p->d : 64;
    if (k > p->n - 1)
        k = p->n - 1;
    double t0 = cpu();
    int rc = sb_xfer_pca(ctx, k, &Z, &err);
    double t = cpu() - t0;
    sb_xfer_ctx_free(ctx);
    return rc ? NAN : t;
}

static double floor_etran(const pair *p, double *M, double *out)
{
    memset(M, 0, (size_t)p->c * p->d * sizeof *M);
    for (size_t i = 0; i < p->n; i++)
        cblas_daxpy((int)p->d, 1.0, p->F + i * p->d, 1, M + (size_t)p->y[i] * p->d, 1);
    double t0 = cpu();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)p->n, p->c, (int)p->d, 1.0, p->F, (int)p->d, M,
                (int)p->d, 0.0, out, p->c);
    return cpu() - t0;
}

/* One PACTran-shaped evaluation: logits Xc·W + b, row softmax, Q − Y, Xcᵀ(Q − Y). */
static double floor_pactran_eval(const pair *p, const double *Xc, double *W, double *Q, double *G)
{
    size_t n = p->n, c = (size_t)p->c;
    for (size_t i = 0; i < p->d * c; i++)
        W[i] = 1e-3 * (double)(i % 7);
    double t0 = cpu();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)c, (int)p->d, 1.0, Xc, (int)p->d, W, (int)c,
                0.0, Q, (int)c);
    for (size_t i = 0; i < n; i++) {
        double *q = Q + i * c, mx = q[0], s = 0.0;
        for (size_t k = 1; k < c; k++)
            mx = fmax(mx, q[k]);
        for (size_t k = 0; k < c; k++)
            s += (q[k] = exp(q[k] - mx));
        for (size_t k = 0; k < c; k++)
            q[k] /= s;
        q[p->y[i]] -= 1.0;
    }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p->d, (int)c, (int)n, 1.0 / (double)n, Xc, (int)p->d, Q,
                (int)c, 0.0, G, (int)c);
    return cpu() - t0;
}

/* Every same-class pair's Chebyshev distance once, rows grouped by class beforehand. */
static double floor_tmi(const pair *p, double *sink)
{
    sb_xfer_ctx *ctx = fresh(p);
    const size_t *order, *off;
    sb_err err = {0};
    double *X = malloc(p->n * p->d * sizeof *X), acc = 0.0;
    if (!ctx || !X || sb_xfer_class_rows(ctx, &order, &off, &err)) {
        free(X);
        sb_xfer_ctx_free(ctx);
        return NAN;
    }
    for (size_t i = 0; i < p->n; i++)
        memcpy(X + i * p->d, p->F + order[i] * p->d, p->d * sizeof *X);
    double t0 = cpu();
    for (int k = 0; k < p->c; k++)
        for (size_t a = off[k]; a < off[k + 1]; a++)
            for (size_t b = a + 1; b < off[k + 1]; b++) {
                const double *u = X + a * p->d, *v = X + b * p->d;
                double m = 0.0;
                for (size_t j = 0; j < p->d; j++)
                    m = fmax(m, fabs(u[j] - v[j]));
                acc += m;
            }
    double t = cpu() - t0;
    *sink = acc;
    free(X);
    sb_xfer_ctx_free(ctx);
    return t;
}

static const char *const eleven[] = {"logme", "leep", "nce", "hscore", "hscore_reg", "gbc",
                                     "transrate", "ncti", "etran", "pactran", "tmi"};
#define N_ELEVEN 11

static double battery(const pair *p, double *each)
{
    sb_xfer_ctx *ctx = fresh(p);
    if (!ctx)
        return NAN;
    double t0 = cpu(), ts = t0;
    for (int i = 0; i < N_ELEVEN; i++) {
        sb_scorer_parts parts;
        sb_err err = {0};
        double v;
        if (sb_scorer_run(sb_scorer_find(eleven[i]), ctx, &sb_scorer_params_default, &v, &parts, &err)) {
            fprintf(stderr, "bench_scorers4: %s: %s\n", eleven[i], err.msg);
            sb_xfer_ctx_free(ctx);
            return NAN;
        }
        double t1 = cpu();
        each[i] = t1 - ts;
        ts = t1;
    }
    sb_xfer_ctx_free(ctx);
    return cpu() - t0;
}

static double floor_dsyrk(const pair *p, double *G)
{
    double t0 = cpu();
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p->d, (int)p->n, 1.0, p->F, (int)p->d, 0.0, G, (int)p->d);
    return cpu() - t0;
}

#define BEST(dst, expr) do { double t_ = (expr); if (!(t_ >= dst)) dst = t_; } while (0)

int main(int argc, char **argv)
{
    pair p = {20000, 1024, 50, 20, NULL, NULL, NULL};
    int reps = 1, pos = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = atoi(argv[++i]) > 0 ? atoi(argv[i]) : 1;
            continue;
        }
        long v = strtol(argv[i], NULL, 10);
        if (v < 2 || pos > 2) {
            fprintf(stderr, "usage: bench_scorers4 [N D C] [--reps R]\n");
            return 2;
        }
        if (pos == 0) p.n = (size_t)v;
        else if (pos == 1) p.d = (size_t)v;
        else p.c = (int)v;
        pos++;
    }
    if ((size_t)p.c > p.n || make_pair(&p))
        return 2;
    size_t nd = p.n * p.d, dc = p.d * (size_t)p.c, nc = p.n * (size_t)p.c;
    double *Xc = malloc(nd * sizeof *Xc), *W = malloc(dc * sizeof *W), *Q = malloc(nc * sizeof *Q);
    double *G = malloc((p.d * p.d > dc ? p.d * p.d : dc) * sizeof *G), *M = malloc(dc * sizeof *M);
    if (!Xc || !W || !Q || !G || !M)
        return 1;
    for (size_t j = 0; j < p.d; j++) {
        double m = 0.0;
        for (size_t i = 0; i < p.n; i++)
            m += p.F[i * p.d + j];
        for (size_t i = 0; i < p.n; i++)
            Xc[i * p.d + j] = p.F[i * p.d + j] - m / (double)p.n;
    }
    const char *names[4] = {"ncti", "etran", "pactran", "tmi"};
    double t[4] = {INFINITY, INFINITY, INFINITY, INFINITY}, f[4] = {INFINITY, INFINITY, INFINITY, INFINITY};
    double bat = INFINITY, dsyrk = INFINITY, each[N_ELEVEN], sink = 0.0, nfev = NAN;
    sb_scorer_parts parts[4];
    for (int r = 0; r < reps; r++) {
        for (int s = 0; s < 4; s++)
            BEST(t[s], time_scorer(&p, names[s], &parts[s]));
        nfev = parts[2].v[4];
        BEST(f[0], floor_ncti(&p));
        BEST(f[1], floor_etran(&p, M, Q));
        BEST(f[2], nfev * floor_pactran_eval(&p, Xc, W, Q, G));
        BEST(f[3], floor_tmi(&p, &sink));
        BEST(bat, battery(&p, each));
        BEST(dsyrk, floor_dsyrk(&p, G));
    }
    printf("N=%zu D=%zu C=%d, CPU seconds, 1 BLAS thread, best of %d\n", p.n, p.d, p.c, reps);
    printf("%-9s %10s %10s %8s  %s\n", "scorer", "ours", "floor", "ratio", "floor is");
    const char *what[4] = {"exact PCA (Gram + eigen + N×64 projection)", "one N·C·D dgemm",
                           "one evaluation × nfev", "plain same-class Chebyshev loop"};
    for (int s = 0; s < 4; s++)
        printf("%-9s %10.3f %10.3f %8.2f  %s\n", names[s], t[s], f[s], t[s] / f[s], what[s]);
    printf("pactran: nit %.0f, nfev %.0f\n", parts[2].v[3], nfev);
    double nine = bat - each[9] - each[10];
    printf("battery of eleven (one context): %.3f s = %.2f x one dsyrk (%.3f s)\n", bat, bat / dsyrk, dsyrk);
    printf("  without pactran and tmi (the nine on the Gram and class means): %.3f s = %.2f x one dsyrk\n", nine,
           nine / dsyrk);
    printf("  pactran %.3f s beside its floor %.3f s; tmi %.3f s (its plain loop: %.3f s)\n", each[9], f[2], each[10],
           f[3]);
    for (int i = 0; i < N_ELEVEN; i++)
        printf("  %-10s %8.3f\n", eleven[i], each[i]);
    printf("(tmi floor checksum %g)\n", sink);
    free(Xc), free(W), free(Q), free(G), free(M), free(p.F), free(p.P), free(p.y);
    return 0;
}
