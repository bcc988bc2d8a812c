/* bench_tts.c — images per second of test-time selection against reading the maps once.
 *
 * Usage: bench_tts [IMAGES [DIR]]     (default 256 images of 2048×7×7, files in /tmp)
 * Writes one set file with float32 maps and one with float16 (20 positive and 20 negative
 * keypoints per image), then times, best of 3, over blocks of 64 images as `tts eval` reads them:
 * (a) reading and checking the block (sb_tts_block_read: the floor any evaluation is held to), and
 * (b) the same plus every cell of the default grid (budgets 1,5,20,all, α 0.4, perc 0.1) for
 * every image, nearest and bilinear. Nothing is asserted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rng.h"
#include "io/h5write.h"
#include "tasks/tts/tts_input.h"
#include "tasks/tts/tts_select.h"

#define NC 2048
#define NHW 7
#define K 20
#define BLOCK 64

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int write_file(const char *path, size_t n, int half)
{
    sb_err err;
    sb_rng r;
    sb_rng_seed(&r, 1, 2);
    size_t map = (size_t)NC * NHW * NHW;
    float *A = malloc(n * map * sizeof *A);
    int32_t *kp = malloc(n * K * 2 * sizeof *kp), *cnt = malloc(n * sizeof *cnt), *lab = malloc(n * sizeof *lab);
    double *w = malloc(2 * NC * sizeof *w), b[2] = {0, 0};
    if (!A || !kp || !cnt || !lab || !w)
        return 1;
    for (size_t i = 0; i < n * map; i++)
        A[i] = (float)(sb_rng_uniform(&r) * 2);
    for (size_t i = 0; i < n * K * 2; i++)
        kp[i] = (int32_t)sb_rng_below(&r, 224);
    for (size_t i = 0; i < n; i++) {
        cnt[i] = K;
        lab[i] = (int32_t)(i & 1);
    }
    for (size_t i = 0; i < 2 * NC; i++)
        w[i] = sb_rng_normal(&r) * 0.01;
    sb_h5w h;
    if (sb_h5w_create(&h, path, &err))
        return 1;
    size_t fd[4] = {n, NC, NHW, NHW}, n1[1] = {n}, kd[3] = {n, K, 2}, wd[2] = {2, NC}, bd[1] = {2};
    sb_h5w_group(&h, "/tts/fc");
    sb_h5w_group(&h, "/tts/kp");
    if (half)
        sb_h5w_f16(&h, "/tts/features", 4, fd, A);
    else
        sb_h5w_f32(&h, "/tts/features", 4, fd, A);
    sb_h5w_f64(&h, "/tts/fc/weight", 2, wd, w);
    sb_h5w_f64(&h, "/tts/fc/bias", 1, bd, b);
    sb_h5w_i32(&h, "/tts/label", 1, n1, lab);
    sb_h5w_i32(&h, "/tts/kp/pos", 3, kd, kp);
    sb_h5w_i32(&h, "/tts/kp/neg", 3, kd, kp);
    sb_h5w_i32(&h, "/tts/kp/pos_count", 1, n1, cnt);
    sb_h5w_i32(&h, "/tts/kp/neg_count", 1, n1, cnt);
    int rc = sb_h5w_close(&h, 1, &err);
    free(A);
    free(kp);
    free(cnt);
    free(lab);
    free(w);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    return rc;
}

/* One pass over the file; returns seconds (negative on error). */
static double pass(const char *path, int upsample, int compute)
{
    static const long budgets[4] = {1, 5, 20, SB_TTS_ALL};
    static const double alpha[1] = {0.4}, perc[1] = {0.1};
    static const size_t order[K] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
    sb_err err;
    sb_tts_set_spec spec;
    sb_tts_single_set(path, &spec);
    sb_tts_set s;
    sb_tts_block b;
    sb_tts_work w;
    memset(&b, 0, sizeof b);
    double t0 = now();
    if (sb_tts_set_open(&spec, upsample, &s, &err) || sb_tts_work_init(&w, NC, K, &err))
        return -1;
    sb_tts_model m = {s.C, s.H, s.W, s.S, s.weight, s.bias};
    sb_tts_grid g = {4, 1, 1, budgets, alpha, perc, upsample};
    uint32_t np[4], nn[4];
    sb_tts_cell cell[4];
    sb_tts_result res = {0, {0, 0}, 0, np, nn, cell};
    int rc = 0;
    for (size_t first = 0; first < s.N && !rc; first += BLOCK) {
        size_t n = s.N - first < BLOCK ? s.N - first : BLOCK;
        rc = sb_tts_block_read(&s, first, n, 1, &b, &err);
        for (size_t i = 0; i < n && compute && !rc; i++) {
            sb_tts_image im = {b.A + i * (size_t)NC * NHW * NHW, b.pos + i * K * 2, b.neg + i * K * 2, K, K, order, order};
            rc = sb_tts_eval_image(&m, &g, &im, &w, &res, &err);
        }
    }
    sb_tts_block_free(&b);
    sb_tts_work_free(&w);
    sb_tts_set_close(&s);
    return rc ? -1 : now() - t0;
}

static double best(const char *path, int upsample, int compute)
{
    double t = 1e300;
    for (int k = 0; k < 3; k++) {
        double s = pass(path, upsample, compute);
        if (s < 0)
            return -1;
        t = s < t ? s : t;
    }
    return t;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 256;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    printf("bench_tts: %zu images of %dx%dx%d, %d+%d keypoints, blocks of %d; best of 3\n", n, NC, NHW, NHW, K, K, BLOCK);
    for (int half = 0; half < 2; half++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/bench_tts_%s.h5", dir, half ? "f16" : "f32");
        if (write_file(path, n, half))
            return 1;
        double rd = best(path, SB_TTS_NEAREST, 0), tn = best(path, SB_TTS_NEAREST, 1), tb = best(path, SB_TTS_BILINEAR, 1);
        if (rd < 0 || tn < 0 || tb < 0)
            return 1;
        printf("%-8s read once %9.0f img/s | tts nearest %9.0f img/s (%.2fx read) | tts bilinear %9.0f img/s (%.2fx)\n",
               half ? "float16" : "float32", (double)n / rd, (double)n / tn, tn / rd, (double)n / tb, tb / rd);
        remove(path);
    }
    return 0;
}
