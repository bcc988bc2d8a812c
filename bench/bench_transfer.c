/* bench_transfer.c — cost of the transferability battery against its floor.
 *
 * usage: bench_transfer [N D C Cs] [--reps R] [--no-extras] [--no-numpy] [--two-threads]
 *        bench_transfer [N D C Cs] --zoo P [--dir DIR] [--shardbench PATH] [--reps R] [--no-numpy]
 *        (default 20000 1024 20 50, R = 3)
 * The "battery" is the seven Gram-bounded scorers: logme, leep, nce, hscore, hscore_reg, gbc,
 * transrate. Times are CPU seconds (user + system) with 1 OpenBLAS thread, best of R: on the
 * shared machine they measure the work, not the wait for a core.
 *
 * --zoo P: the headline. P seeded float32 pair files of the given shape (in DIR, reused when it
 * already holds a manifest; else a temporary folder, removed afterwards). The floor is reading
 * each pair once (/features as float32, /labels) plus one FᵀF by dsyrk; the battery is the
 * whole process `shardbench transfer score --scorers <the seven>` over the zoo (start-up,
 * reads, every shared statistic, the CSV output). Prints both and "BATTERY / FLOOR", then
 * bench/transfer_numpy.py on one pair's shape beside shardbench's per-pair time.
 *
 * Without --zoo: one in-memory unit; per step (shared statistics, then each scorer) against
 * one dsyrk of the N×D doubles; --two-threads repeats it with 2 OpenBLAS threads (wall time).
 * Then (unless --no-extras) the scorers that cannot sit in a one-dsyrk budget, each beside its
 * own reference point: knn (N²D/2 multiply-adds: one N×N Gram at the dsyrk's rate), parc
 * (ranks N(N−1)/2 values: one comparison sort of them, timed on 2^22 and scaled by M log M),
 * sfda (one more dsyrk and two generalised D×D eigenproblems, dsygvd timed here), nleep (EM of
 * a 5C-component GMM: one EM iteration's N·K·k² multiply-adds at the dsyrk's rate); then
 * (unless --no-numpy) the numpy comparison. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/rng.h"
#include "io/h5read.h"
#include "io/h5write.h"
#include "tasks/transfer/scorer.h"
#include "tasks/transfer/xfer_ctx.h"

/* 1: now() reads this process's CPU time (1 BLAS thread: the work, not the machine's load). */
static int cpu_clock;

static double now(void)
{
    struct timespec t;
    clock_gettime(cpu_clock ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static const char *const gram7[] = {"logme", "leep", "nce", "hscore", "hscore_reg", "gbc", "transrate"};
#define N_GRAM7 7
#define N_SHARED 6
static const char *const shared_names[N_SHARED] = {
    "column + class means (1 pass)", "class rows", "Gram pass: dsyrk + Choleskys", "eigenvalues centred (dsytrd+dstedc)",
    "eigenvalues raw (rank-one upd.)", "PCA 64"};

typedef struct unit {
    size_t n, d, cs;
    int c;
    const float *F;
    const int *y;
    const double *P;
} unit;

/* One battery run on a fresh context: per-step seconds into t[N_SHARED + N_GRAM7], total returned
 * (negative on failure). */
static double battery(const unit *u, double *t, double *values)
{
    sb_xfer_input in = {.n = u->n, .d = u->d, .f32 = u->F, .y = u->y, .c = u->c, .probs = u->P, .cs = u->cs};
    sb_err err = {0};
    sb_xfer_ctx *ctx;
    double t0 = now(), ts = t0;
    if (sb_xfer_ctx_new(&in, &ctx, &err)) {
        fprintf(stderr, "bench_transfer: %s\n", err.msg);
        return -1.0;
    }
    const double *p1;
    const size_t *q1, *q2;
    size_t k64 = u->d < 64 ? u->d : 64;
    if (k64 > u->n - 1)
        k64 = u->n - 1;
    for (int s = 0; s < N_SHARED; s++) {
        int rc = s == 0   ? sb_xfer_class_means(ctx, &p1, &err) || sb_xfer_mean(ctx, &p1, &err)
                 : s == 1 ? sb_xfer_class_rows(ctx, &q1, &q2, &err)
                 : s == 2 ? sb_xfer_gram_centered(ctx, &p1, &err)
                 : s == 3 ? sb_xfer_eigvals_centered(ctx, &p1, &err)
                 : s == 4 ? (u->n > u->d ? sb_xfer_eigvals_raw(ctx, &p1, &err) : 0) /* logme's N > D path only */
                          : sb_xfer_pca(ctx, k64, &p1, &err);
        if (rc) {
            fprintf(stderr, "bench_transfer: %s: %s\n", shared_names[s], err.msg);
            sb_xfer_ctx_free(ctx);
            return -1.0;
        }
        double t1 = now();
        t[s] = t1 - ts;
        ts = t1;
    }
    for (int i = 0; i < N_GRAM7; i++) {
        char reason[256] = "";
        if (sb_scorer_find(gram7[i])->score(ctx, &values[i], reason, sizeof reason, &err)) {
            fprintf(stderr, "bench_transfer: %s: %s\n", gram7[i], err.msg);
            sb_xfer_ctx_free(ctx);
            return -1.0;
        }
        double t1 = now();
        t[N_SHARED + i] = t1 - ts;
        ts = t1;
    }
    sb_xfer_ctx_free(ctx);
    return now() - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Seconds of one comparison sort of m doubles, timed on min(m, 2^22) and scaled by m log m. */
static double sort_reference(double m, sb_rng *r)
{
    size_t s = m < 4194304.0 ? (size_t)m : 4194304;
    double *v = malloc(s * sizeof *v);
    if (!v || s < 2) {
        free(v);
        return NAN;
    }
    for (size_t i = 0; i < s; i++)
        v[i] = sb_rng_uniform(r);
    double t0 = now();
    qsort(v, s, sizeof *v, cmp_double);
    double t = now() - t0;
    free(v);
    return t * (m * log(m)) / ((double)s * log((double)s));
}

/* Max over a few columns of ‖FᵀF v − λ v‖/λ_max and of |vᵀv' − δ|: the rank-one update checked
 * at the benchmark's size against the raw Gram itself. */
static void check_raw_eig(const unit *u)
{
    sb_xfer_input in = {.n = u->n, .d = u->d, .f32 = u->F, .y = u->y, .c = u->c};
    sb_err err = {0};
    sb_xfer_ctx *ctx;
    const double *G, *w, *V;
    if (sb_xfer_ctx_new(&in, &ctx, &err) || sb_xfer_gram_raw(ctx, &G, &err) || sb_xfer_eig_raw(ctx, &w, &V, &err)) {
        fprintf(stderr, "bench_transfer: raw eigen check: %s\n", err.msg);
        return;
    }
    size_t d = u->d, step = d / 16 ? d / 16 : 1;
    double res = 0.0, orth = 0.0, lmax = fabs(w[d - 1]) > 0 ? fabs(w[d - 1]) : 1.0;
    for (size_t j = 0; j < d; j += step) {
        for (size_t a = 0; a < d; a++) {
            double s = 0.0;
            for (size_t b = 0; b < d; b++)
                s += G[a * d + b] * V[b * d + j];
            res = fmax(res, fabs(s - w[j] * V[a * d + j]) / lmax);
        }
        for (size_t k = 0; k < d; k += step / 2 ? step / 2 : 1) {
            double s = 0.0;
            for (size_t a = 0; a < d; a++)
                s += V[a * d + j] * V[a * d + k];
            orth = fmax(orth, fabs(s - (j == k ? 1.0 : 0.0)));
        }
    }
    printf("raw-Gram eigenpairs by rank-one update: max residual %.1e of lambda_max, orthogonality %.1e\n", res, orth);
    sb_xfer_ctx_free(ctx);
}

/* The seeded synthetic unit number `stream` (stream 0 is the single-unit benchmark's data):
 * features with class structure and a shared per-row offset, a source softmax that favours
 * y mod Cs. cm is C×D scratch. */
static void synth_unit(size_t n, size_t d, int c, size_t cs, uint64_t stream, float *F, int *y, double *P, double *cm)
{
    sb_rng r;
    sb_rng_seed(&r, 20240601, stream);
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
}

static double tv_sum(const struct rusage *ru)
{
    return (double)ru->ru_utime.tv_sec + 1e-6 * (double)ru->ru_utime.tv_usec + (double)ru->ru_stime.tv_sec +
           1e-6 * (double)ru->ru_stime.tv_usec;
}

/* User + system CPU seconds of this process. */
static double cpu_self(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return tv_sum(&ru);
}

typedef struct zoo {
    char dir[512], bin[1024];
    size_t pairs, n, d, cs;
    int c;
    double floor, battery; /* best CPU seconds, whole zoo */
} zoo;

/* dir/pairK.h5 (float32 /features, int64 /labels, /source_probs) and dir/manifest.csv. */
static int zoo_write(const zoo *z)
{
    float *F = malloc(z->n * z->d * sizeof *F);
    double *P = malloc(z->n * z->cs * sizeof *P), *cm = malloc((size_t)z->c * z->d * sizeof *cm);
    int *y = malloc(z->n * sizeof *y);
    int64_t *y64 = malloc(z->n * sizeof *y64);
    char path[1100];
    snprintf(path, sizeof path, "%s/manifest.csv", z->dir);
    FILE *m = fopen(path, "w");
    int rc = !F || !P || !cm || !y || !y64 || !m;
    if (m)
        fprintf(m, "dataset,model,path\n");
    for (size_t k = 0; k < z->pairs && !rc; k++) {
        synth_unit(z->n, z->d, z->c, z->cs, k + 1, F, y, P, cm);
        for (size_t i = 0; i < z->n; i++)
            y64[i] = y[i];
        snprintf(path, sizeof path, "%s/pair%zu.h5", z->dir, k);
        sb_h5w w;
        sb_err err = {0};
        size_t fd[2] = {z->n, z->d}, pd[2] = {z->n, z->cs};
        if ((rc = sb_h5w_create(&w, path, &err)) == 0) {
            sb_h5w_f32(&w, "/features", 2, fd, F);
            sb_h5w_i64(&w, "/labels", 1, fd, y64);
            sb_h5w_f64(&w, "/source_probs", 2, pd, P);
            rc = sb_h5w_close(&w, 1, &err);
        }
        if (rc)
            fprintf(stderr, "bench_transfer: %s\n", err.msg);
        fprintf(m, "data%zu,model%zu,pair%zu.h5\n", k, k, k);
    }
    if (m && fclose(m))
        rc = 1;
    free(F);
    free(P);
    free(cm);
    free(y);
    free(y64);
    return rc;
}

/* One pair of the floor: read /features (float32) and /labels once, then FᵀF by dsyrk over
 * blocks of 1024 rows widened to double (β = 1: one N·D² product, as fast as a single call,
 * without the page faults of a 160 MB float64 copy, which cost as much as the dsyrk on this
 * VM); everything freed. */
static int floor_pair(const char *path)
{
    sb_h5file f;
    sb_err err = {0};
    size_t fd[SB_H5_MAXRANK], ld[SB_H5_MAXRANK];
    float *F = NULL;
    int64_t *y = NULL;
    if (sb_h5_open(&f, path, &err))
        return 1;
    int rc = sb_h5_read_f32(&f, "/features", 2, fd, &F, &err) || sb_h5_read_i64(&f, "/labels", 1, ld, &y, &err);
    sb_h5_close(&f);
    size_t n = fd[0], d = fd[1], bl = 1024;
    double *X = rc ? NULL : malloc(bl * d * sizeof *X), *G = X ? malloc(d * d * sizeof *G) : NULL;
    for (size_t i0 = 0; G && i0 < n; i0 += bl) {
        size_t b = n - i0 < bl ? n - i0 : bl;
        for (size_t i = 0; i < b * d; i++)
            X[i] = F[i0 * d + i];
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)b, 1.0, X, (int)d, i0 ? 1.0 : 0.0, G, (int)d);
    }
    if (!G)
        fprintf(stderr, "bench_transfer: floor read of %s: %s\n", path, rc ? err.msg : "out of memory");
    free(F);
    free(y);
    free(X);
    free(G);
    return G == NULL;
}

/* The floor over the zoo, CPU seconds (1 BLAS thread). */
static double zoo_floor(const zoo *z, double *wall)
{
    double c0 = cpu_self(), w0 = now();
    for (size_t k = 0; k < z->pairs; k++) {
        char path[1100];
        snprintf(path, sizeof path, "%s/pair%zu.h5", z->dir, k);
        if (floor_pair(path))
            return -1.0;
    }
    *wall = now() - w0;
    return cpu_self() - c0;
}

/* The battery, CPU seconds of the whole process (user + system, its waited-for children
 * included): `shardbench transfer score` of the zoo with the seven scorers, one process. */
static double zoo_battery(const zoo *z, int rep, double *wall)
{
    char man[1100], out[1100], list[256] = "";
    snprintf(man, sizeof man, "%s/manifest.csv", z->dir);
    snprintf(out, sizeof out, "%s/out%d", z->dir, rep);
    for (int i = 0; i < N_GRAM7; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? "," : "", gram7[i]);
    struct rusage r0, r1;
    getrusage(RUSAGE_CHILDREN, &r0);
    double w0 = now();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        execl(z->bin, z->bin, "transfer", "score", "--manifest", man, "--scorers", list, "--output", out, "--quiet",
              (char *)NULL);
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "bench_transfer: %s transfer score failed (status %d)\n", z->bin, st);
        return -1.0;
    }
    *wall = now() - w0;
    getrusage(RUSAGE_CHILDREN, &r1);
    return tv_sum(&r1) - tv_sum(&r0);
}

/* A fresh temporary zoo, or (keep) the one in z->dir, written there if it has no manifest yet
 * (its shape is then the caller's business). */
static int zoo_prepare(zoo *z, int keep)
{
    if (!keep) {
        snprintf(z->dir, sizeof z->dir, "/tmp/sb-bench-xfer-XXXXXX");
        return !mkdtemp(z->dir) || zoo_write(z);
    }
    char man[1100];
    snprintf(man, sizeof man, "%s/manifest.csv", z->dir);
    if (access(man, R_OK) == 0)
        return 0;
    if (mkdir(z->dir, 0777) != 0 && errno != EEXIST)
        return 1;
    return zoo_write(z);
}

/* --zoo P: P pairs of the given shape on disk; best of R of floor and battery, side by side. */
static int zoo_bench(zoo *z, int reps)
{
    int keep = z->dir[0] != '\0';
    if (zoo_prepare(z, keep)) {
        fprintf(stderr, "bench_transfer: cannot write the zoo\n");
        return 1;
    }
    openblas_set_num_threads(1);
    printf("zoo: %zu pairs of N=%zu D=%zu C=%d Cs=%zu float32 in %s; %s; best of %d (CPU s = user + sys)\n",
           z->pairs, z->n, z->d, z->c, z->cs, z->dir, z->bin, reps);
    double fb = INFINITY, bb = INFINITY, fw = 0, bw = 0;
    for (int rep = 0; rep < reps; rep++) {
        double w1 = 0, w2 = 0, f = zoo_floor(z, &w1), b = f < 0 ? -1.0 : zoo_battery(z, rep, &w2);
        if (f < 0 || b < 0)
            return 1;
        printf("  rep %d: floor %.3f CPU s (%.3f wall), battery %.3f CPU s (%.3f wall), ratio %.3f\n", rep, f, w1, b,
               w2, b / f);
        fflush(stdout);
        if (f < fb)
            fb = f, fw = w1;
        if (b < bb)
            bb = b, bw = w2;
    }
    printf("  %-58s %8.3f CPU s  (%.3f s wall)\n", "floor: read each pair once + one dsyrk, 1 thread", fb, fw);
    printf("  %-58s %8.3f CPU s  (%.3f s wall)\n", "battery: shardbench transfer score, 7 scorers, 1 process", bb,
           bw);
    printf("  %-58s %8.3f\n", "BATTERY / FLOOR (best CPU)", bb / fb);
    z->floor = fb;
    z->battery = bb;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, keep ? "rm -rf '%s'/out*" : "rm -rf '%s'", z->dir);
    return system(cmd) != 0;
}

/* bench/transfer_numpy.py on data of the same shape, 1 thread; times = " name=seconds ..." of
 * shardbench's side, printed beside numpy's. */
static void run_numpy(size_t n, size_t d, int c, size_t cs, const char *times)
{
    char cmd[8192], dir[2048];
    snprintf(dir, sizeof dir, "%s", __FILE__);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    snprintf(cmd, sizeof cmd, "OPENBLAS_NUM_THREADS=1 /usr/bin/python3 %s/transfer_numpy.py %zu %zu %d %zu%s", dir, n, d,
             c, cs, times);
    printf("\nnumpy, 1 thread (%s):\n", cmd);
    fflush(stdout);
    if (system(cmd) != 0)
        printf("  numpy comparison not run (python3 or numpy/scipy/sklearn missing)\n");
}

int main(int argc, char **argv)
{
    size_t n = 20000, d = 1024, cs = 50, pairs = 0;
    int c = 20, numpy = 1, extras = 1, pos = 0, reps = 3, two = 0;
    zoo z = {0};
    snprintf(z.bin, sizeof z.bin, "%s", argv[0]);
    char *bslash = strrchr(z.bin, '/');
    size_t bl = bslash ? (size_t)(bslash + 1 - z.bin) : 0;
    snprintf(z.bin + bl, sizeof z.bin - bl, "../shardbench");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--zoo") && i + 1 < argc) {
            pairs = (size_t)atol(argv[++i]);
            continue;
        }
        if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
            snprintf(z.dir, sizeof z.dir, "%s", argv[++i]);
            continue;
        }
        if (!strcmp(argv[i], "--shardbench") && i + 1 < argc) {
            snprintf(z.bin, sizeof z.bin, "%s", argv[++i]);
            continue;
        }
        if (!strcmp(argv[i], "--no-numpy")) {
            numpy = 0;
            continue;
        }
        if (!strcmp(argv[i], "--two-threads")) {
            two = 1;
            continue;
        }
        if (!strcmp(argv[i], "--no-extras")) {
            extras = 0;
            continue;
        }
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = atoi(argv[++i]);
            if (reps < 1)
                reps = 1;
            continue;
        }
        long v = strtol(argv[i], NULL, 10);
        if (v < 1 || pos > 3) {
            fprintf(stderr, "usage: bench_transfer [N D C Cs] [--reps R] [--no-extras] [--no-numpy] [--two-threads] [--zoo P "
                            "[--dir DIR] [--shardbench PATH]]\n");
            return 2;
        }
        if (pos == 0) n = (size_t)v;
        else if (pos == 1) d = (size_t)v;
        else if (pos == 2) c = (int)v;
        else cs = (size_t)v;
        pos++;
    }
    if (n < 2 || c < 2 || (size_t)c > n) {
        fprintf(stderr, "bench_transfer: need N >= 2, 2 <= C <= N\n");
        return 2;
    }
    if (pairs) {
        z.pairs = pairs, z.n = n, z.d = d, z.c = c, z.cs = cs;
        if (zoo_bench(&z, reps))
            return 1;
        if (numpy) {
            char times[256];
            snprintf(times, sizeof times, " battery=%.6f dsyrk=%.6f", z.battery / (double)pairs,
                     z.floor / (double)pairs);
            run_numpy(n, d, c, cs, times);
        }
        return 0;
    }
    sb_rng r;
    sb_rng_seed(&r, 20240601, 0);
    float *F = malloc(n * d * sizeof *F);
    double *P = malloc(n * cs * sizeof *P), *cm = malloc((size_t)c * d * sizeof *cm);
    int *y = malloc(n * sizeof *y);
    double *X = malloc(n * d * sizeof *X), *G = malloc(d * d * sizeof *G);
    if (!F || !P || !cm || !y || !X || !G) {
        fprintf(stderr, "bench_transfer: out of memory\n");
        return 1;
    }
    synth_unit(n, d, c, cs, 0, F, y, P, cm);
    for (size_t i = 0; i < n * d; i++)
        X[i] = F[i];
    unit u = {n, d, cs, c, F, y, P};
    FILE *up = fopen("/proc/loadavg", "r");
    char load[128] = "?";
    if (up) {
        if (!fgets(load, sizeof load, up))
            snprintf(load, sizeof load, "?");
        fclose(up);
        load[strcspn(load, "\n")] = '\0';
    }
    printf("transfer battery: N=%zu D=%zu C=%d Cs=%zu, float32 features; best of %d runs; /proc/loadavg: %s\n", n,
           d, c, cs, reps, load);

    double t_syrk1 = 0.0, battery1 = 0.0, t1[N_SHARED + N_GRAM7] = {0}, values[N_GRAM7];
    for (int threads = 1; threads <= (two ? 2 : 1); threads++) {
        openblas_set_num_threads(threads);
        cpu_clock = threads == 1;
        double ts = INFINITY, tb = INFINITY, tbest[N_SHARED + N_GRAM7] = {0}, t[N_SHARED + N_GRAM7];
        for (int rep = 0; rep < reps; rep++) {
            double t0 = now();
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)n, 1.0, X, (int)d, 0.0, G, (int)d);
            ts = fmin(ts, now() - t0);
            double tt = battery(&u, t, values);
            if (tt < 0)
                return 1;
            if (tt < tb) {
                tb = tt;
                memcpy(tbest, t, sizeof t);
            }
        }
        printf("\n%d OpenBLAS thread%s (openblas_get_num_threads() = %d), %s:\n", threads, threads > 1 ? "s" : "",
               openblas_get_num_threads(), cpu_clock ? "CPU seconds" : "wall seconds");
        printf("  %-34s %8.3f s   %.1f GFLOP/s\n", "one dsyrk (the floor)", ts, (double)n * (double)d * d / ts * 1e-9);
        double sh = 0.0;
        for (int s = 0; s < N_SHARED + N_GRAM7; s++) {
            if (s == N_SHARED)
                printf("  %-34s %8.3f s   %5.2f x dsyrk\n", "shared statistics", sh, sh / ts);
            if (s < N_SHARED)
                sh += tbest[s];
            printf("    %-32s %8.3f s%s", s < N_SHARED ? shared_names[s] : gram7[s - N_SHARED], tbest[s],
                   s < N_SHARED ? "\n" : "");
            if (s >= N_SHARED)
                printf("   = %.10g\n", values[s - N_SHARED]);
        }
        printf("  %-34s %8.3f s   ratio to dsyrk %.2f\n", "BATTERY (7 scorers + shared)", tb, tb / ts);
        if (threads == 1) {
            t_syrk1 = ts;
            battery1 = tb;
            memcpy(t1, tbest, sizeof t1);
        }
        fflush(stdout);
    }
    openblas_set_num_threads(1);
    cpu_clock = 1;
    check_raw_eig(&u);

    if (extras) {
        printf("\nscorers outside the one-dsyrk budget (1 thread, on a context holding the shared statistics;\n"
               "each time includes any statistic only it needs):\n");
        sb_xfer_input in = {.n = n, .d = d, .f32 = F, .y = y, .c = c, .probs = P, .cs = cs};
        sb_err err = {0};
        sb_xfer_ctx *ctx;
        const double *w, *V;
        if (sb_xfer_ctx_new(&in, &ctx, &err) || sb_xfer_eig_centered(ctx, &w, &V, &err)) {
            fprintf(stderr, "bench_transfer: %s\n", err.msg);
            return 1;
        }
        for (int i = 0; i < N_GRAM7; i++) {
            double v;
            char reason[256];
            sb_scorer_find(gram7[i])->score(ctx, &v, reason, sizeof reason, &err);
        }
        /* Reference points. */
        double M = (double)n * (double)(n - 1) / 2.0;
        double ref_knn = t_syrk1 * (double)(n - 1) / (double)(d + 1);
        double ref_parc = sort_reference(M, &r);
        double *A = malloc(d * d * sizeof *A), *B = malloc(d * d * sizeof *B), *ev = malloc(d * sizeof *ev);
        const double *Gc;
        double ref_sfda = NAN;
        if (A && B && ev && !sb_xfer_gram_centered(ctx, &Gc, &err)) {
            for (size_t i = 0; i < d * d; i++) {
                A[i] = Gc[i] / (double)n;
                B[i] = A[i] + (i % (d + 1) == 0 ? 1.0 : 0.0);
            }
            double t0 = now();
            LAPACKE_dsygvd(LAPACK_ROW_MAJOR, 1, 'V', 'U', (lapack_int)d, A, (lapack_int)d, B, (lapack_int)d, ev);
            ref_sfda = t_syrk1 + 2.0 * (now() - t0);
        }
        free(A);
        free(B);
        free(ev);
        /* nleep's PCA keeps 80% of the variance: k from the eigenvalues; K = 5C components. */
        double tot = 0.0, acc = 0.0;
        size_t k = 0;
        for (size_t j = 0; j < d; j++)
            tot += fmax(w[j], 0.0);
        for (size_t j = d; j-- > 0 && acc < 0.8 * tot;) {
            acc += fmax(w[j], 0.0);
            k++;
        }
        double ref_nleep = t_syrk1 * (double)n * 5.0 * c * (double)k * (double)k / ((double)n * d * (d + 1) / 2.0);
        struct { const char *name, *ref; double t_ref; } ex[] = {
            {"knn", "one N x N Gram (N^2 D/2 mult-adds) at dsyrk rate", ref_knn},
            {"parc", "qsort of N(N-1)/2 doubles (scaled from 2^22)", ref_parc},
            {"sfda", "one dsyrk + two dsygvd (D x D, timed)", ref_sfda},
            {"nleep", "one EM iteration, N*5C*k^2 mult-adds at dsyrk rate", ref_nleep},
        };
        printf("  %-10s %9s %9s   %-52s %9s %8s\n", "scorer", "seconds", "x dsyrk", "reference point", "ref s",
               "x ref");
        for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
            const sb_scorer *s = sb_scorer_find(ex[i].name);
            if (!s)
                continue;
            double v = NAN, t0 = now();
            char reason[256] = "";
            if (s->score(ctx, &v, reason, sizeof reason, &err)) {
                printf("  %-10s failed: %s\n", ex[i].name, err.msg);
                continue;
            }
            double dt = now() - t0;
            printf("  %-10s %9.3f %9.1f   %-52s %9.3f %8.2f   = %.8g %s\n", ex[i].name, dt, dt / t_syrk1, ex[i].ref,
                   ex[i].t_ref, dt / ex[i].t_ref, v, reason);
            if (!strcmp(ex[i].name, "nleep"))
                printf("  %-10s (k = %zu PCA dimensions for 80%% of the variance, K = %d components)\n", "", k, 5 * c);
            fflush(stdout);
        }
        sb_xfer_ctx_free(ctx);
    }
    free(F);
    free(P);
    free(cm);
    free(y);
    free(X);
    free(G);
    if (numpy) {
        char times[1024];
        int tl = snprintf(times, sizeof times, " battery=%.6f dsyrk=%.6f", battery1, t_syrk1);
        for (int i = 0; i < N_GRAM7 && tl > 0 && (size_t)tl < sizeof times; i++)
            tl += snprintf(times + tl, sizeof times - (size_t)tl, " %s=%.6f", gram7[i], t1[N_SHARED + i]);
        run_numpy(n, d, c, cs, times);
    }
    return 0;
}
