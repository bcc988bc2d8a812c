/* tts_gen.c — `shardbench gen tts`: synthetic feature maps with a lesion channel group and an
 * artifact channel group whose presence follows the label at a chosen bias factor, keypoints on
 * the lesion (positive) and on the artifact or background (negative), and the classifier "trained
 * at bf" that leans on the artifact in proportion to bf (specs/tts.md, Generator).
 *
 * Per set (bf, split) the draws come from one stream, (seed, FNV-1a-64 of "gen-tts/<bf>/<split>",
 * bf printed with %g), in this order: the channel permutation; then per image y, a, the lesion
 * box (row, then column), the edge strip, ξ, the map noise ε channel by channel and cell by
 * cell, the positives (row, column each), the negatives (cell, then row and column in it). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/rng.h"
#include "io/h5write.h"
#include "io/suite.h"
#include "tasks/generator.h"

#define GEN_S 224
#define GEN_GROUP 8 /* lesion channels, and artifact channels */

static const sb_option gen_tts_options[] = {
    {"bias_factors", SB_OPT_STRING, "0,0.5,1", "comma-separated bias factors in [0,1]", 0, SB_NO_RANGE},
    {"splits", SB_OPT_INT, "2", "sets (splits) per bias factor", 0, {1, 1000}},
    {"test", SB_OPT_STRING, "anti", "anti (artifact on the other class), aligned or balanced", 0, SB_NO_RANGE},
    {"images", SB_OPT_INT, "2000", "images per set", 0, {1, 1000000}},
    {"channels", SB_OPT_INT, "64", "channels C (8 lesion, 8 artifact, the rest noise)", 0, {16, 100000}},
    {"map", SB_OPT_INT, "7", "map size H = W (divides 224)", 0, {5, 224}},
    {"keypoints", SB_OPT_INT, "20", "positive and negative keypoints per image", 0, {0, 10000}},
    {"dtype", SB_OPT_STRING, "float32", "float32 or float16 feature storage", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

typedef struct gen_cfg {
    size_t N, C, H, K;
    int test; /* 0 anti, 1 aligned, 2 balanced */
    int half;
} gen_cfg;

/* One set's arrays, as written. */
typedef struct gen_set {
    float *A;
    int32_t *label, *group, *artifact, *box, *edge, *role, *pos, *neg, *count;
    double *weight, bias[2];
} gen_set;

static void gen_set_free(gen_set *g)
{
    free(g->A);
    free(g->label);
    free(g->group);
    free(g->artifact);
    free(g->box);
    free(g->edge);
    free(g->role);
    free(g->pos);
    free(g->neg);
    free(g->count);
    free(g->weight);
}

static int gen_set_alloc(const gen_cfg *c, gen_set *g, sb_err *err)
{
    memset(g, 0, sizeof *g);
    size_t N = c->N, K = c->K ? c->K : 1;
    g->A = malloc(N * c->C * c->H * c->H * sizeof *g->A);
    g->label = malloc(N * sizeof(int32_t));
    g->group = malloc(N * sizeof(int32_t));
    g->artifact = malloc(N * sizeof(int32_t));
    g->box = malloc(2 * N * sizeof(int32_t));
    g->edge = malloc(N * sizeof(int32_t));
    g->count = malloc(N * sizeof(int32_t));
    g->role = malloc(c->C * sizeof(int32_t));
    g->pos = malloc(2 * N * K * sizeof(int32_t));
    g->neg = malloc(2 * N * K * sizeof(int32_t));
    g->weight = calloc(2 * c->C, sizeof(double));
    if (g->A && g->label && g->group && g->artifact && g->box && g->edge && g->count && g->role && g->pos && g->neg &&
        g->weight)
        return 0;
    gen_set_free(g);
    return sb_fail(err, SB_ENOMEM, "gen tts: out of memory for %zu images of %zux%zux%zu", N, c->C, c->H, c->H);
}

/* 1 if cell (r, q) lies in the edge strip e of an H × H map. */
static int in_strip(int e, size_t H, size_t r, size_t q)
{
    return e == 0 ? r == 0 : e == 1 ? r == H - 1 : e == 2 ? q == 0 : q == H - 1;
}

static void draw_image(const gen_cfg *c, double bf, sb_rng *r, gen_set *g, size_t i)
{
    size_t H = c->H, s = GEN_S / H, K = c->K;
    double q = c->test == 0 ? (1 - bf) / 2 : c->test == 1 ? (1 + bf) / 2 : 0.5;
    int y = sb_rng_uniform(r) < 0.25;
    int a = sb_rng_uniform(r) < q ? y : 1 - y;
    size_t br = 1 + (size_t)sb_rng_below(r, H - 4), bc = 1 + (size_t)sb_rng_below(r, H - 4);
    int e = (int)sb_rng_below(r, 4);
    double xi = sb_rng_normal(r), lesion = fmax(0, 1 + 0.5 * y + 0.5 * xi);
    g->label[i] = y;
    g->artifact[i] = a;
    g->group[i] = 2 * y + a;
    g->box[2 * i] = (int32_t)br;
    g->box[2 * i + 1] = (int32_t)bc;
    g->edge[i] = e;
    g->count[i] = (int32_t)K;
    float *A = g->A + i * c->C * H * H;
    for (size_t ch = 0; ch < c->C; ch++)
        for (size_t rr = 0; rr < H; rr++)
            for (size_t qq = 0; qq < H; qq++) {
                double mean = 0;
                int in_box = rr >= br && rr < br + 3 && qq >= bc && qq < bc + 3;
                if (g->role[ch] == 1 && in_box)
                    mean = lesion;
                else if (g->role[ch] == 2 && a && in_strip(e, H, rr, qq))
                    mean = 2;
                A[(ch * H + rr) * H + qq] = (float)fmax(0, mean + 0.5 * sb_rng_normal(r));
            }
    for (size_t k = 0; k < K; k++) {
        g->pos[(i * K + k) * 2] = (int32_t)(br * s + sb_rng_below(r, 3 * s));
        g->pos[(i * K + k) * 2 + 1] = (int32_t)(bc * s + sb_rng_below(r, 3 * s));
    }
    for (size_t k = 0; k < K; k++) {
        size_t cr, cq;
        if (a) { /* a cell of the strip: its H cells in order */
            size_t j = (size_t)sb_rng_below(r, H);
            cr = e == 0 ? 0 : e == 1 ? H - 1 : j;
            cq = e == 2 ? 0 : e == 3 ? H - 1 : j;
        } else { /* a cell outside box and strip, counted in row-major order */
            size_t j = (size_t)sb_rng_below(r, H * H - 9 - H), at = 0;
            cr = cq = 0;
            for (size_t rr = 0; rr < H; rr++)
                for (size_t qq = 0; qq < H; qq++) {
                    int in_box = rr >= br && rr < br + 3 && qq >= bc && qq < bc + 3;
                    if (!in_box && !in_strip(e, H, rr, qq) && at++ == j) {
                        cr = rr;
                        cq = qq;
                    }
                }
        }
        g->neg[(i * K + k) * 2] = (int32_t)(cr * s + sb_rng_below(r, s));
        g->neg[(i * K + k) * 2 + 1] = (int32_t)(cq * s + sb_rng_below(r, s));
    }
}

static void draw_set(const gen_cfg *c, double bf, uint64_t seed, uint64_t stream, gen_set *g)
{
    sb_rng r;
    sb_rng_seed(&r, seed, stream);
    size_t *perm = (size_t *)(void *)g->weight; /* scratch before the weights are set: C doubles ≥ C size_t */
    for (size_t k = 0; k < c->C; k++)
        perm[k] = k;
    for (size_t k = c->C; k-- > 1;) {
        size_t j = (size_t)sb_rng_below(&r, k + 1), t = perm[k];
        perm[k] = perm[j];
        perm[j] = t;
    }
    for (size_t k = 0; k < c->C; k++)
        g->role[perm[k]] = k < GEN_GROUP ? 1 : k < 2 * GEN_GROUP ? 2 : 0;
    for (size_t k = 0; k < c->C; k++) {
        g->weight[k] = 0;
        g->weight[c->C + k] = g->role[k] == 1 ? 1 : g->role[k] == 2 ? 0.5 * bf : 0;
    }
    g->bias[0] = 0;
    g->bias[1] = -8.0 * 9.0 * 1.25 / (double)(c->H * c->H);
    for (size_t i = 0; i < c->N; i++)
        draw_image(c, bf, &r, g, i);
}

static int write_set(const gen_cfg *c, const gen_set *g, double bf, long split, const char *path, sb_err *err)
{
    sb_h5w w;
    int rc = sb_h5w_create(&w, path, err);
    if (rc)
        return rc;
    size_t N = c->N, K = c->K;
    size_t fd[4] = {N, c->C, c->H, c->H}, n1[1] = {N}, kd[3] = {N, K, 2}, wd[2] = {2, c->C}, bd[1] = {2},
           cd[1] = {c->C}, bx[2] = {N, 2};
    sb_h5w_group(&w, "/tts/fc");
    sb_h5w_group(&w, "/tts/kp");
    sb_h5w_group(&w, "/tts/truth");
    if (c->half)
        sb_h5w_f16(&w, "/tts/features", 4, fd, g->A);
    else
        sb_h5w_f32(&w, "/tts/features", 4, fd, g->A);
    sb_h5w_f64(&w, "/tts/fc/weight", 2, wd, g->weight);
    sb_h5w_f64(&w, "/tts/fc/bias", 1, bd, g->bias);
    sb_h5w_i32(&w, "/tts/label", 1, n1, g->label);
    sb_h5w_i32(&w, "/tts/group", 1, n1, g->group);
    sb_h5w_i32(&w, "/tts/kp/pos", 3, kd, g->pos);
    sb_h5w_i32(&w, "/tts/kp/neg", 3, kd, g->neg);
    sb_h5w_i32(&w, "/tts/kp/pos_count", 1, n1, g->count);
    sb_h5w_i32(&w, "/tts/kp/neg_count", 1, n1, g->count);
    sb_h5w_i32(&w, "/tts/truth/channel_role", 1, cd, g->role);
    sb_h5w_i32(&w, "/tts/truth/artifact", 1, n1, g->artifact);
    sb_h5w_i32(&w, "/tts/truth/lesion_box", 2, bx, g->box);
    sb_h5w_i32(&w, "/tts/truth/edge", 1, n1, g->edge);
    int64_t S = GEN_S, sp = split;
    sb_h5w_attr_i64(&w, "/tts", "input_size", 0, NULL, &S);
    sb_h5w_attr_f64(&w, "/tts", "bias_factor", bf);
    sb_h5w_attr_i64(&w, "/tts", "split", 0, NULL, &sp);
    sb_h5w_attr_str(&w, "/tts", "arch", "synthetic");
    sb_h5w_attr_str(&w, "/tts", "augmentation", "none");
    return sb_h5w_close(&w, 1, err);
}

static int parse_cfg(const sb_opts *o, gen_cfg *c, long *splits, double *bfs, size_t *nbf, sb_err *err)
{
    long v[4];
    const char *keys[4] = {"images", "channels", "map", "keypoints"};
    int rc = 0;
    for (int k = 0; k < 4 && !rc; k++)
        rc = sb_opts_long(o, gen_tts_options, keys[k], &v[k], err);
    if (!rc)
        rc = sb_opts_long(o, gen_tts_options, "splits", splits, err);
    if (rc)
        return rc;
    *c = (gen_cfg){(size_t)v[0], (size_t)v[1], (size_t)v[2], (size_t)v[3], 0, 0};
    const char *t = sb_opts_str(o, gen_tts_options, "test"), *d = sb_opts_str(o, gen_tts_options, "dtype");
    c->test = !strcmp(t, "anti") ? 0 : !strcmp(t, "aligned") ? 1 : !strcmp(t, "balanced") ? 2 : -1;
    c->half = !strcmp(d, "float16");
    if (c->test < 0)
        return sb_fail(err, SB_EUSAGE, "%s: test must be anti, aligned or balanced, not '%s'", o->where, t);
    if (!c->half && strcmp(d, "float32"))
        return sb_fail(err, SB_EUSAGE, "%s: dtype must be float32 or float16, not '%s'", o->where, d);
    if (GEN_S % c->H)
        return sb_fail(err, SB_EUSAGE, "%s: map %zu does not divide 224", o->where, c->H);
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", sb_opts_str(o, gen_tts_options, "bias_factors"));
    *nbf = 0;
    for (char *p = buf, *end; p; p = end) {
        end = strchr(p, ',');
        if (end)
            *end++ = '\0';
        char *stop;
        double b = strtod(p, &stop);
        if (!*p || *stop || !(b >= 0 && b <= 1) || *nbf == 64)
            return sb_fail(err, SB_EUSAGE, "%s: bias_factors: '%s' is not a number in [0,1] (at most 64)", o->where, p);
        for (size_t k = 0; k < *nbf; k++)
            if (bfs[k] == b)
                return sb_fail(err, SB_EUSAGE, "%s: bias_factors: %g is given twice", o->where, b);
        bfs[(*nbf)++] = b;
    }
    return *nbf ? 0 : sb_fail(err, SB_EUSAGE, "%s: bias_factors is empty", o->where);
}

static int gen_tts(const sb_opts *o, const char *outdir, uint64_t seed, char *wrote, size_t cap, sb_err *err)
{
    gen_cfg c;
    long splits;
    double bfs[64];
    size_t nbf = 0;
    int rc = parse_cfg(o, &c, &splits, bfs, &nbf, err);
    if (rc)
        return rc;
    char dir[1200], path[1400];
    snprintf(dir, sizeof dir, "%s/tts", outdir);
    if (mkdir(dir, 0777) && errno != EEXIST)
        return sb_fail(err, SB_EIO, "%s: cannot create the folder", dir);
    snprintf(path, sizeof path, "%s/manifest.csv", dir);
    FILE *man = fopen(path, "w");
    if (!man)
        return sb_fail(err, SB_EIO, "%s: cannot write", path);
    fprintf(man, "set,path,bias_factor,split,arch\n");
    gen_set g;
    rc = gen_set_alloc(&c, &g, err);
    int allocated = !rc;
    for (size_t b = 0; b < nbf && !rc; b++)
        for (long k = 0; k < splits && !rc; k++) {
            char key[128], name[96];
            int len = snprintf(key, sizeof key, "gen-tts/%g/%ld", bfs[b], k);
            snprintf(name, sizeof name, "bf%g_split%ld", bfs[b], k);
            draw_set(&c, bfs[b], seed, sb_fnv1a64(key, (size_t)len, SB_FNV_INIT), &g);
            snprintf(path, sizeof path, "%s/%s.h5", dir, name);
            rc = write_set(&c, &g, bfs[b], k, path, err);
            fprintf(man, "%s,%s.h5,%g,%ld,synthetic\n", name, name, bfs[b], k);
        }
    if (allocated)
        gen_set_free(&g);
    if (fclose(man) && !rc)
        rc = sb_fail(err, SB_EIO, "%s/manifest.csv: write failed", dir);
    if (!rc)
        snprintf(wrote, cap, "%s/manifest.csv and %zu sets of %zu images (%zu channels, %zux%zu maps, %s)", dir,
                 nbf * (size_t)splits, c.N, c.C, c.H, c.H, c.half ? "float16" : "float32");
    return rc;
}

const sb_generator sb_gen_tts = {
    .name = "tts",
    .summary = "feature maps with a label-correlated artifact channel group at chosen bias factors (tts eval's input)",
    .options = gen_tts_options,
    .generate = gen_tts,
};
