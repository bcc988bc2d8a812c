/* bench_explain.c — pairs per second of explain's per-target work, beside its floor.
 *
 * Writes a planted set (gen explain's model) of N images × J concepts × K outputs to a
 * temporary file, then times (a) the floor: reading and checking out_orig and every
 * out_edit[:, j, :] once, (b) the whole computation of every (j, k) target in prob space as a
 * unit does it: read, transform, gather pairs, estimate (t, Wilson, sign test), and (c) the
 * same with a 200-resample bootstrap. Prints pairs/s (pairs = used (i, j) × K targets).
 * Usage: bench_explain [N] [J] [K] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/options.h"
#include "tasks/explain/explain_input.h"
#include "tasks/explain/explain_stats.h"
#include "tasks/generator.h"

extern const sb_generator sb_gen_explain;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int pass(const char *path, int compute, long boot, double *pairs, sb_err *err)
{
    sb_explain_input in;
    double *orig = NULL, *edit = NULL;
    int rc = sb_explain_open(&in, path, SB_EX_PROB, err);
    if (!rc)
        rc = sb_explain_read_orig(&in, SB_EX_PROB, &orig, err);
    size_t N = in.n, K = in.nk;
    double *fo = malloc(N * K * sizeof *fo), *fe = malloc(N * K * sizeof *fe), *fp = malloc(N * sizeof *fp),
           *fm = malloc(N * sizeof *fm);
    unsigned char *dor = malloc(N * K), *de = malloc(N * K), *dp = malloc(N), *dm = malloc(N);
    signed char *dir = malloc(N);
    sb_explain_opts o = {.level = 0.95, .bootstrap = boot, .seed = 1, .accept_sign_p = 1};
    *pairs = 0;
    for (size_t i = 0; compute && !rc && i < N; i++)
        sb_explain_transform(&in, SB_EX_PROB, orig + i * K, fo + i * K, dor + i * K);
    for (size_t j = 0; j < in.nj && !rc; j++) {
        if ((rc = sb_explain_read_edit(&in, SB_EX_PROB, j, &edit, err)))
            break;
        for (size_t k = 0; k < K && compute; k++) {
            size_t m = 0;
            for (size_t i = 0; i < N; i++) {
                if (!sb_explain_used(&in, i, j))
                    continue;
                if (k == 0)
                    sb_explain_transform(&in, SB_EX_PROB, edit + i * K, fe + i * K, de + i * K);
                int add = in.dir[i * in.nj + j] > 0;
                fp[m] = add ? fe[i * K + k] : fo[i * K + k], fm[m] = add ? fo[i * K + k] : fe[i * K + k];
                dp[m] = add ? de[i * K + k] : dor[i * K + k], dm[m] = add ? dor[i * K + k] : de[i * K + k];
                dir[m++] = add ? 1 : -1;
            }
            sb_explain_pairs p = {m, fp, fm, dp, dm, dir};
            sb_explain_est e;
            rc = sb_explain_estimate(&p, 1, j * K + k, &o, &e, err);
            *pairs += (double)m;
        }
        free(edit);
        edit = NULL;
    }
    free(orig), free(fo), free(fe), free(fp), free(fm), free(dor), free(de), free(dp), free(dm), free(dir);
    sb_explain_close(&in);
    return rc;
}

int main(int argc, char **argv)
{
    const char *n = argc > 1 ? argv[1] : "20000", *j = argc > 2 ? argv[2] : "8", *k = argc > 3 ? argv[3] : "10";
    char dir[] = "/tmp/bench_explain_XXXXXX", wrote[600], path[600];
    if (!mkdtemp(dir))
        return 1;
    sb_opts o;
    sb_err err;
    sb_opts_init(&o, dir, "bench");
    if (sb_opts_set(&o, "images", n, 0, &err) || sb_opts_set(&o, "concepts", j, 0, &err) ||
        sb_opts_set(&o, "outputs", k, 0, &err) || sb_gen_explain.generate(&o, dir, 1, wrote, sizeof wrote, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    sb_opts_free(&o);
    snprintf(path, sizeof path, "%s/explain.h5", dir);
    double pairs, t0 = now(), t1, t2, t3;
    int rc = pass(path, 0, 0, &pairs, &err);
    t1 = now();
    rc = rc ? rc : pass(path, 1, 0, &pairs, &err);
    t2 = now();
    rc = rc ? rc : pass(path, 1, 200, &pairs, &err);
    t3 = now();
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    printf("explain: N=%s J=%s K=%s, %.0f (pair, class) items\n", n, j, k, pairs);
    printf("  floor (read + check once): %.3f s = %.3g items/s\n", t1 - t0, pairs / (t1 - t0));
    printf("  explain (prob space):      %.3f s = %.3g items/s\n", t2 - t1, pairs / (t2 - t1));
    printf("  with bootstrap B=200:      %.3f s = %.3g items/s\n", t3 - t2, pairs / (t3 - t2));
    snprintf(wrote, sizeof wrote, "%s/explain_truth.csv", dir);
    unlink(path), unlink(wrote), rmdir(dir);
    return 0;
}
