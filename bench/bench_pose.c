/* bench_pose.c — throughput of the pose kernels against the memory-bandwidth bound and numpy.
 *
 * Usage: bench_pose [FRAMES [JOINTS]]     (default 1000000 frames × 17 joints)
 * Times, best of 3: a streaming sum over gt and pred (reading both arrays once: the bound any
 * per-frame metric is held to), sb_pose_mpjpe, sb_pose_p_mpjpe and a full
 * sb_pose_eval_sequence on a Human3.6M-like 17-joint skeleton. Then, if
 * `/usr/bin/python3 <source>/bench/pose_numpy.py FRAMES JOINTS` runs, the same formulas in
 * numpy on data of the same size, and prints the ratios. Nothing is asserted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rng.h"
#include "tasks/pose/pose_metrics.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Kept out of line so the compiler cannot fold the sum into the generator loop. */
static double __attribute__((noinline)) stream_sum(const double *a, const double *b, size_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] + b[i];
        s1 += a[i + 1] + b[i + 1];
        s2 += a[i + 2] + b[i + 2];
        s3 += a[i + 3] + b[i + 3];
    }
    for (; i < n; i++)
        s0 += a[i] + b[i];
    return s0 + s1 + s2 + s3;
}

typedef struct ctx { const double *gt, *pred; size_t frames, joints; const sb_pose_skeleton *sk; } ctx;

static double run_stream(const ctx *c) { return stream_sum(c->gt, c->pred, c->frames * c->joints * 3); }
static double run_mpjpe(const ctx *c) { return sb_pose_mpjpe(c->gt, c->pred, c->frames, c->joints); }
static double run_p_mpjpe(const ctx *c) { return sb_pose_p_mpjpe(c->gt, c->pred, c->frames, c->joints); }
static double run_eval(const ctx *c)
{
    sb_pose_opts o;
    sb_pose_opts_defaults(&o);
    o.clip = 27;
    sb_pose_seq s = {.frames = c->frames, .joints = c->joints, .gt = c->gt, .pred = c->pred};
    double v[SB_POSE_NFIXED + 16], p[SB_POSE_NFIXED + 16];
    sb_err e;
    if (sb_pose_eval_sequence(&s, c->sk, &o, v, p, &e)) {
        fprintf(stderr, "bench_pose: %s\n", e.msg);
        return -1.0;
    }
    return v[SB_POSE_MPJPE];
}

static double best_of_3(double (*fn)(const ctx *), const ctx *c, double *value)
{
    double best = 1e300;
    for (int r = 0; r < 3; r++) {
        double t0 = now();
        *value = fn(c);
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    return best;
}

/* numpy's frames/s by name from pose_numpy.py, or 0 when it did not run */
static int run_numpy(size_t frames, size_t joints, double *np_stream, double *np_mpjpe, double *np_p)
{
    char dir[4096], cmd[8192], line[256];
    const char *src = getenv("SB_SOURCE_DIR");
    if (src) {
        snprintf(dir, sizeof dir, "%s/bench", src);
    } else { /* CMake compiles with the absolute path of this file */
        snprintf(dir, sizeof dir, "%s", __FILE__);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dir, sizeof dir, "bench");
    }
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/pose_numpy.py' %zu %zu 2>/dev/null", dir, frames, joints);
    FILE *f = popen(cmd, "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        double x;
        if (sscanf(line, "stream %lf", &x) == 1) *np_stream = x;
        else if (sscanf(line, "mpjpe %lf", &x) == 1) *np_mpjpe = x;
        else if (sscanf(line, "p_mpjpe %lf", &x) == 1) *np_p = x;
    }
    return pclose(f) == 0 && *np_mpjpe > 0 && *np_p > 0;
}

int main(int argc, char **argv)
{
    size_t frames = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    size_t joints = argc > 2 ? strtoull(argv[2], NULL, 10) : 17;
    if (frames < 2 || joints < 2 || joints > 1024) {
        fprintf(stderr, "usage: bench_pose [FRAMES>=2 [JOINTS 2..1024]]\n");
        return 2;
    }
    size_t n = frames * joints * 3;
    double *gt = malloc(n * sizeof *gt), *pred = malloc(n * sizeof *pred);
    if (!gt || !pred) {
        fprintf(stderr, "bench_pose: cannot allocate 2 × %zu doubles\n", n);
        return 1;
    }
    sb_rng rng;
    sb_rng_seed(&rng, 2026, 1);
    for (size_t i = 0; i < n; i++) {
        gt[i] = 300.0 * sb_rng_normal(&rng);
        pred[i] = gt[i] + 40.0 * sb_rng_normal(&rng);
    }
    /* Human3.6M 17-joint parents and left/right limbs, extended as a chain past 17 joints */
    int *parents = malloc(joints * sizeof *parents);
    static const int h36m[17] = {-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15};
    static const int lr[12] = {4, 1, 5, 2, 6, 3, 11, 14, 12, 15, 13, 16};
    for (size_t j = 0; j < joints; j++)
        parents[j] = j < 17 ? h36m[j] : (int)j - 1;
    if (joints < 17) /* a chain: every joint hangs off the previous one */
        for (size_t j = 0; j < joints; j++)
            parents[j] = (int)j - 1;
    sb_pose_part parts[1] = {{"body", 0, (int)(joints < 17 ? joints : 17) - 1}};
    sb_pose_skeleton sk = {.joints = joints, .parents = parents, .n_lr = joints >= 17 ? 6 : 0, .lr = lr,
                           .n_parts = 1, .parts = parts};
    ctx c = {gt, pred, frames, joints, &sk};

    double v_stream, v_mpjpe, v_p, v_eval;
    double t_stream = best_of_3(run_stream, &c, &v_stream);
    double t_mpjpe = best_of_3(run_mpjpe, &c, &v_mpjpe);
    double t_p = best_of_3(run_p_mpjpe, &c, &v_p);
    double t_eval = best_of_3(run_eval, &c, &v_eval);
    double fs = (double)frames;
    double gbps = 2.0 * (double)n * sizeof(double) / t_stream / 1e9;

    printf("pose bench: %zu frames x %zu joints (gt + pred %.1f MB), best of 3\n", frames, joints,
           2.0 * (double)n * sizeof(double) / 1e6);
    printf("  stream bound: %.2f GB/s (checksum %.6g)\n", gbps, v_stream);
    printf("  values: mpjpe %.6f  p_mpjpe %.6f  (eval mpjpe %.6f)\n", v_mpjpe, v_p, v_eval);

    double np_stream = 0, np_mpjpe = 0, np_p = 0;
    int have_np = run_numpy(frames, joints, &np_stream, &np_mpjpe, &np_p);

    printf("\n%-22s %14s %12s %14s %10s\n", "kernel", "C frames/s", "C/stream", "numpy frames/s", "C/numpy");
    struct { const char *name; double t, np; } rows[] = {
        {"stream (gt+pred sum)", t_stream, np_stream},
        {"mpjpe", t_mpjpe, np_mpjpe},
        {"p_mpjpe", t_p, np_p},
        {"eval_sequence (all)", t_eval, 0.0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        double rate = fs / rows[i].t;
        char npb[32] = "-", rb[32] = "-";
        if (have_np && rows[i].np > 0) {
            snprintf(npb, sizeof npb, "%.4g", rows[i].np);
            snprintf(rb, sizeof rb, "%.2f", rate / rows[i].np);
        }
        printf("%-22s %14.4g %12.3f %14s %10s\n", rows[i].name, rate, t_stream / rows[i].t, npb, rb);
    }
    if (!have_np)
        printf("(numpy comparison skipped: /usr/bin/python3 bench/pose_numpy.py did not run)\n");
    free(parents);
    free(gt);
    free(pred);
    return 0;
}
