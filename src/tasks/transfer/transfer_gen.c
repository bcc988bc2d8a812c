/* transfer_gen.c — `shardbench gen transfer`: a synthetic model zoo.
 *
 * Each dataset has C classes with prototypes in a k-dimensional latent space; each model
 * embeds the latent space into its own D dimensions (a random matrix) with a signal strength
 * set by the model's quality, adds isotropic noise, and has a source head (softmax over Cs
 * source classes of a random linear map of its features). The ground-truth accuracy of a pair
 * is a real linear probe (numerics/linear_probe.h) on a seeded split; ImageNet accuracy is a
 * noisy increasing function of quality. So scorers have signal to find, and it is not trivial. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "io/h5write.h"
#include "numerics/linear_probe.h"
#include "store/atomic.h"
#include "store/table.h"
#include "tasks/generator.h"

static const sb_option gen_transfer_options[] = {
    {"size", SB_OPT_STRING, "demo", "demo (3 datasets x 5 models, seconds) or large (6 x 40, N to 20k, D to 2048; ~4 GB)", 0, SB_NO_RANGE},
    {"datasets", SB_OPT_INT, "0", "override the number of datasets (0: the preset's)", 0, {0, 64}},
    {"models", SB_OPT_INT, "0", "override the number of models (0: the preset's)", 0, {0, 1000}},
    {"source_classes", SB_OPT_INT, "20", "classes of the source head (source_probs columns)", 0, {2, 1000}},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

typedef struct zoo_shape {
    int n_datasets, n_models;
    size_t n[16];      /* samples per dataset (cycled) */
    int c[16];         /* classes per dataset (cycled) */
    size_t d_min, d_max;
} zoo_shape;

static void make_pair(sb_rng *r, size_t N, int C, size_t D, size_t k, const double *proto, double strength,
                      int Cs, float *F, int32_t *y, double *P)
{
    double *A = malloc(D * k * sizeof *A), *B = malloc((size_t)Cs * D * sizeof *B);
    double *row = malloc(D * sizeof *row), *z = malloc((size_t)Cs * sizeof *z);
    if (!A || !B || !row || !z) {
        free(A), free(B), free(row), free(z);
        return;
    }
    for (size_t i = 0; i < D * k; i++)
        A[i] = sb_rng_normal(r) / sqrt((double)k);
    for (size_t i = 0; i < (size_t)Cs * D; i++)
        B[i] = sb_rng_normal(r) * 2.0 / sqrt((double)D);
    for (size_t i = 0; i < N; i++) {
        int c = (int)(i % (size_t)C); /* balanced classes, every class present */
        y[i] = c;
        for (size_t j = 0; j < D; j++) {
            double v = 0;
            for (size_t q = 0; q < k; q++)
                v += A[j * k + q] * proto[(size_t)c * k + q];
            row[j] = strength * v + sb_rng_normal(r);
            F[i * D + j] = (float)row[j];
        }
        double zmax = -1e300, zs = 0;
        for (int s = 0; s < Cs; s++) {
            double v = 0;
            for (size_t j = 0; j < D; j++)
                v += B[(size_t)s * D + j] * (double)F[i * D + j];
            z[s] = v;
            zmax = v > zmax ? v : zmax;
        }
        for (int s = 0; s < Cs; s++)
            zs += (z[s] = exp(z[s] - zmax));
        for (int s = 0; s < Cs; s++)
            P[i * (size_t)Cs + (size_t)s] = z[s] / zs;
    }
    free(A), free(B), free(row), free(z);
}

static int gen_transfer(const sb_opts *opts, const char *outdir, uint64_t seed, char *wrote, size_t cap, sb_err *err)
{
    const char *size = sb_opts_str(opts, gen_transfer_options, "size");
    long nd, nm, cs;
    int rc;
    if ((rc = sb_opts_long(opts, gen_transfer_options, "datasets", &nd, err)) ||
        (rc = sb_opts_long(opts, gen_transfer_options, "models", &nm, err)) ||
        (rc = sb_opts_long(opts, gen_transfer_options, "source_classes", &cs, err)))
        return rc;
    zoo_shape z;
    memset(&z, 0, sizeof z);
    if (!strcmp(size, "demo")) {
        z = (zoo_shape){3, 5, {300, 450, 600}, {3, 5, 8}, 16, 96};
    } else if (!strcmp(size, "large")) {
        z = (zoo_shape){6, 40, {1000, 2000, 4000, 8000, 12000, 20000}, {10, 20, 37, 47, 100, 200}, 64, 2048};
    } else
        return sb_fail(err, SB_EUSAGE, "gen transfer: --size is demo or large, not '%s'", size);
    if (nd > 0)
        z.n_datasets = (int)nd;
    if (nm > 0)
        z.n_models = (int)nm;
    if (nd < 0 || nm < 0 || z.n_datasets > 64 || z.n_models > 1000 || cs < 2 || cs > 1000)
        return sb_fail(err, SB_EUSAGE, "gen transfer: need 0 <= datasets <= 64, 0 <= models <= 1000, 2 <= source_classes <= 1000");
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/pairs", outdir);
    if ((rc = sb_mkdirs(dir, err)))
        return rc;
    char mpath[1200];
    snprintf(mpath, sizeof mpath, "%s/manifest.csv", outdir);
    sb_atomic man;
    if ((rc = sb_atomic_open(&man, mpath, err)))
        return rc;
    fputs("dataset,model,path,accuracy,imagenet_acc\n", man.fp);
    /* Model qualities spread over [0.2, 1.4] in a seeded order; D grows geometrically. */
    double *quality = malloc((size_t)z.n_models * sizeof *quality);
    sb_rng mr;
    sb_rng_seed(&mr, seed, 0x6d6f64656c73ULL);
    for (int m = 0; m < z.n_models; m++)
        quality[m] = 0.2 + 1.2 * (z.n_models > 1 ? (double)m / (z.n_models - 1) : 0.5);
    for (int m = z.n_models - 1; m > 0; m--) {
        int j = (int)sb_rng_below(&mr, (uint64_t)m + 1);
        double t = quality[m];
        quality[m] = quality[j];
        quality[j] = t;
    }
    size_t k = 8;
    for (int d = 0; d < z.n_datasets && !rc; d++) {
        size_t N = z.n[d % 16] ? z.n[d % 16] : 500;
        int C = z.c[d % 16] ? z.c[d % 16] : 5;
        sb_rng dr;
        sb_rng_seed(&dr, seed, 1000 + (uint64_t)d);
        double *proto = malloc((size_t)C * k * sizeof *proto);
        for (size_t i = 0; proto && i < (size_t)C * k; i++)
            proto[i] = sb_rng_normal(&dr);
        for (int m = 0; m < z.n_models && !rc && proto; m++) {
            double t = z.n_models > 1 ? (double)m / (z.n_models - 1) : 0;
            size_t D = (size_t)llround((double)z.d_min * pow((double)z.d_max / (double)z.d_min, t));
            sb_rng pr;
            sb_rng_seed(&pr, seed, 100000 + (uint64_t)d * 1000 + (uint64_t)m);
            /* Pair affinity: some models suit some datasets better than quality alone says. */
            double strength = quality[m] * (0.75 + 0.5 * sb_rng_uniform(&pr));
            float *F = malloc(N * D * sizeof *F);
            int32_t *y = malloc(N * sizeof *y);
            double *P = malloc(N * (size_t)cs * sizeof *P), *F64 = malloc(N * D * sizeof *F64);
            int *yi = malloc(N * sizeof *yi);
            if (!F || !y || !P || !F64 || !yi) {
                rc = sb_fail(err, SB_ENOMEM, "gen transfer: out of memory for a %zu x %zu pair", N, D);
            } else {
                make_pair(&pr, N, C, D, k, proto, strength, (int)cs, F, y, P);
                for (size_t i = 0; i < N * D; i++)
                    F64[i] = F[i];
                for (size_t i = 0; i < N; i++)
                    yi[i] = y[i];
                double acc;
                char dname[32], mname[32], fname[1300], rel[128];
                snprintf(dname, sizeof dname, "dataset%02d", d);
                snprintf(mname, sizeof mname, "model%03d", m);
                rc = sb_linear_probe(F64, N, D, yi, C, seed ^ (uint64_t)(d * 1000 + m), &acc, err);
                snprintf(rel, sizeof rel, "pairs/%s__%s.h5", dname, mname);
                snprintf(fname, sizeof fname, "%s/%s", outdir, rel);
                sb_h5w w;
                if (!rc && !(rc = sb_h5w_create(&w, fname, err))) {
                    size_t df[2] = {N, D}, dp[2] = {N, (size_t)cs};
                    sb_h5w_f32(&w, "/features", 2, df, F);
                    sb_h5w_i32(&w, "/labels", 1, &N, y);
                    sb_h5w_f64(&w, "/source_probs", 2, dp, P);
                    rc = sb_h5w_close(&w, 1, err);
                }
                double imagenet = 0.62 + 0.15 * (quality[m] - 0.2) / 1.2 + 0.02 * sb_rng_normal(&mr);
                char accs[64];
                sb_format_double(acc, accs, sizeof accs);
                if (!rc)
                    fprintf(man.fp, "%s,%s,%s,%s,%.6f\n", dname, mname, rel, accs, imagenet);
            }
            free(F), free(y), free(P), free(F64), free(yi);
        }
        free(proto);
    }
    free(quality);
    if (rc) {
        sb_atomic_abort(&man);
        return rc;
    }
    if ((rc = sb_atomic_commit(&man, err)))
        return rc;
    snprintf(wrote, cap, "%s (%d datasets x %d models, pair files in %s)", mpath, z.n_datasets, z.n_models, dir);
    return 0;
}

const sb_generator sb_gen_transfer = {
    .name = "transfer",
    .summary = "a model zoo: features with controlled class signal, source probabilities, linear-probe accuracies",
    .options = gen_transfer_options,
    .generate = gen_transfer,
};
