/* pose_gen.c — `shardbench gen pose`: Human3.6M-like sequences with known structure.
 *
 * Ground truth comes from forward kinematics of a skeleton (pose_layouts.h: Human3.6M's 17
 * joints or H3WB's 133 whole-body keypoints) whose bones swing
 * smoothly in time; predictions are the truth under a small similarity transform plus
 * Gaussian noise (so P-MPJPE < MPJPE), hypotheses are further-perturbed predictions with
 * softmax plausibility weights. Everything is drawn from sb_rng (seed, sequence index). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "io/h5write.h"
#include "tasks/generator.h"
#include "tasks/pose/pose_layouts.h"

static const sb_option gen_pose_options[] = {
    {"sequences", SB_OPT_INT, "8", "number of sequences", 0, {1, 10000}},
    {"frames", SB_OPT_INT, "240", "frames per sequence", 0, {1, 100000}},
    {"hyps", SB_OPT_INT, "5", "hypotheses per frame (0: none)", 0, {0, 64}},
    {"noise", SB_OPT_DOUBLE, "25", "prediction noise standard deviation (mm)", 0, SB_NO_RANGE},
    {"file", SB_OPT_STRING, "pose.h5", "name of the file written in the output folder", 0, SB_NO_RANGE},
    {"skeleton", SB_OPT_STRING, "h36m", "h36m (17 joints) or h3wb (133 COCO-WholeBody keypoints)", 0, SB_NO_RANGE},
    {"occlusion", SB_OPT_STRING, NULL, "occlusion patterns given to the sequences in turn, comma-separated: "
                                       "none, random, right_arm, legs, frames (writes `occluded` masks)", 0, SB_NO_RANGE},
    {"train_occlusion", SB_OPT_STRING, NULL, "pattern the model was trained with (attribute train_occlusion)", 0,
     SB_NO_RANGE},
    {"occ_factor", SB_OPT_DOUBLE, "2.5", "noise on occluded entries is noise x occ_factor", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

static const char *const ACTIONS[] = {"Walking", "Sitting", "Greeting"};

static void rotate(const double axis_angle[3], const double v[3], double out[3])
{
    double th = sqrt(axis_angle[0] * axis_angle[0] + axis_angle[1] * axis_angle[1] + axis_angle[2] * axis_angle[2]);
    if (th < 1e-15) {
        memcpy(out, v, 3 * sizeof *v);
        return;
    }
    double k[3] = {axis_angle[0] / th, axis_angle[1] / th, axis_angle[2] / th};
    double c = cos(th), s = sin(th), d = k[0] * v[0] + k[1] * v[1] + k[2] * v[2];
    double x[3] = {k[1] * v[2] - k[2] * v[1], k[2] * v[0] - k[0] * v[2], k[0] * v[1] - k[1] * v[0]};
    for (int i = 0; i < 3; i++)
        out[i] = v[i] * c + x[i] * s + k[i] * d * (1 - c);
}

/* ---- occlusion patterns (specs/pose.md "Occlusion robustness") ------------------------- */

enum { OCC_NONE, OCC_RANDOM, OCC_RIGHT_ARM, OCC_LEGS, OCC_FRAMES, OCC_NPATTERNS };
static const char *const OCC_NAMES[OCC_NPATTERNS] = {"none", "random", "right_arm", "legs", "frames"};
#define OCC_MAX_LIST 64

/* Index of the pattern called name[0..len), or -1. */
static int occ_pattern(const char *name, size_t len)
{
    for (int k = 0; k < OCC_NPATTERNS; k++)
        if (strlen(OCC_NAMES[k]) == len && !strncmp(OCC_NAMES[k], name, len))
            return k;
    return -1;
}

/* Parses --occlusion's comma-separated list; right_arm and legs name Human3.6M joints. */
static int parse_occlusion(const char *list, const sb_pose_layout *l, int *pat, int *n, sb_err *err)
{
    *n = 0;
    for (const char *p = list;; p++) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        int k = occ_pattern(p, len);
        if (k < 0)
            return sb_fail(err, SB_EUSAGE, "gen pose: --occlusion item %d '%.*s' is not a pattern (none, random, "
                           "right_arm, legs, frames)", *n + 1, (int)(len > 64 ? 64 : len), p);
        if ((k == OCC_RIGHT_ARM || k == OCC_LEGS) && l->joints != SB_POSE_H36M_JOINTS)
            return sb_fail(err, SB_EUSAGE, "gen pose: --occlusion item %d '%s' names Human3.6M joints; with "
                           "--skeleton %s use none, random or frames", *n + 1, OCC_NAMES[k], l->name);
        if (*n == OCC_MAX_LIST)
            return sb_fail(err, SB_EUSAGE, "gen pose: --occlusion lists more than %d patterns", OCC_MAX_LIST);
        pat[(*n)++] = k;
        if (!e)
            return 0;
        p = e;
    }
}

/* The F×J mask of one sequence, drawn from its own stream so the motion and the noise draws
 * stay those of a sequence without occlusion. */
static void make_mask(int pattern, sb_rng *r, size_t F, size_t J, int32_t *m)
{
    memset(m, 0, F * J * sizeof *m);
    for (size_t t = 0; t < F; t++)
        for (size_t j = 0; j < J; j++)
            if ((pattern == OCC_RANDOM && sb_rng_uniform(r) < 0.2) ||
                (pattern == OCC_RIGHT_ARM && j >= 14 && j <= 16) || (pattern == OCC_LEGS && j >= 1 && j <= 6))
                m[t * J + j] = 1;
    if (pattern == OCC_FRAMES) /* blocks of 10 frames, every joint */
        for (size_t t = 0; t < F; t++)
            if (sb_rng_uniform(r) < 0.02)
                for (size_t k = t * J; k < (t + 10 <= F ? t + 10 : F) * J; k++)
                    m[k] = 1;
}

/* ---- motion -------------------------------------------------------------------------------- */

/* One sequence: gt by forward kinematics, pred = similarity transform + noise (× occ_factor
 * where mask is 1; mask NULL: none), hypotheses around pred with softmax weights. */
static void make_sequence(const sb_pose_layout *l, sb_rng *r, size_t F, size_t M, double noise, const int32_t *mask,
                          double occ_factor, double *gt, double *pred, double *hyp, double *w)
{
    const int J = l->joints;
    const size_t J3 = 3 * (size_t)J;
    double amp[SB_POSE_LAYOUT_MAX_JOINTS][3], freq[SB_POSE_LAYOUT_MAX_JOINTS], phase[SB_POSE_LAYOUT_MAX_JOINTS];
    for (int j = 0; j < J; j++) {
        for (int a = 0; a < 3; a++)
            amp[j][a] = 0.4 * (sb_rng_uniform(r) - 0.5) * l->swing[j];
        freq[j] = 0.02 + 0.08 * sb_rng_uniform(r);
        phase[j] = 6.283185307179586 * sb_rng_uniform(r);
    }
    double scale = 0.97 + 0.06 * sb_rng_uniform(r);
    double tilt[3] = {0.03 * sb_rng_normal(r), 0.03 * sb_rng_normal(r), 0.08 * sb_rng_normal(r)};
    double shift[3] = {40 * sb_rng_normal(r), 40 * sb_rng_normal(r), 20 * sb_rng_normal(r)};
    for (size_t t = 0; t < F; t++) {
        double *g = gt + t * J3;
        for (int j = 0; j < J; j++) {
            double aa[3], off[3];
            for (int a = 0; a < 3; a++)
                aa[a] = amp[j][a] * sin(freq[j] * (double)t + phase[j]);
            rotate(aa, l->offset[j], off);
            int p = l->parents[j];
            for (int a = 0; a < 3; a++)
                g[3 * j + a] = (p < 0 ? 3.0 * (double)t : g[3 * p + a]) + off[a];
        }
        double *pr = pred + t * J3;
        /* The estimator's systematic error: a small similarity transform about the root
         * (what P-MPJPE removes), then per-joint noise, larger where the input was occluded. */
        for (int j = 0; j < J; j++) {
            double rel[3] = {g[3 * j] - g[0], g[3 * j + 1] - g[1], g[3 * j + 2] - g[2]}, v[3];
            double sd = mask && mask[t * (size_t)J + (size_t)j] ? noise * occ_factor : noise;
            rotate(tilt, rel, v);
            for (int a = 0; a < 3; a++)
                pr[3 * j + a] = g[a] + scale * v[a] + shift[a] + sd * sb_rng_normal(r);
        }
        double z[64], zmax = -1e300, zsum = 0;
        for (size_t m = 0; m < M; m++) {
            double *h = hyp + (t * M + m) * J3;
            for (size_t k = 0; k < J3; k++)
                h[k] = pr[k] + 0.8 * noise * sb_rng_normal(r);
            z[m] = sb_rng_normal(r);
            if (z[m] > zmax)
                zmax = z[m];
        }
        for (size_t m = 0; m < M; m++)
            zsum += (z[m] = exp(z[m] - zmax));
        for (size_t m = 0; m < M; m++)
            w[t * M + m] = z[m] / zsum;
    }
}

/* ---- the file ------------------------------------------------------------------------------ */

typedef struct gen_cfg {
    long S, F, M;
    double noise, occ_factor;
    sb_pose_layout layout;
    int occ[OCC_MAX_LIST], n_occ; /* n_occ = 0: no --occlusion */
    const char *train;            /* NULL: no --train-occlusion */
} gen_cfg;

static int read_cfg(const sb_opts *opts, gen_cfg *c, sb_err *err)
{
    int rc;
    memset(c, 0, sizeof *c);
    if ((rc = sb_opts_long(opts, gen_pose_options, "sequences", &c->S, err)) ||
        (rc = sb_opts_long(opts, gen_pose_options, "frames", &c->F, err)) ||
        (rc = sb_opts_long(opts, gen_pose_options, "hyps", &c->M, err)) ||
        (rc = sb_opts_double(opts, gen_pose_options, "noise", &c->noise, err)) ||
        (rc = sb_opts_double(opts, gen_pose_options, "occ_factor", &c->occ_factor, err)))
        return rc;
    if (c->S < 1 || c->F < 1 || c->M < 0 || c->M > 64 || !(c->noise >= 0) || isinf(c->noise))
        return sb_fail(err, SB_EUSAGE, "gen pose: need sequences >= 1, frames >= 1, 0 <= hyps <= 64, noise >= 0");
    if (!(c->occ_factor >= 0) || isinf(c->occ_factor))
        return sb_fail(err, SB_EUSAGE, "gen pose: --occ-factor must be a finite value >= 0");
    const char *sk = sb_opts_str(opts, gen_pose_options, "skeleton");
    if (sb_pose_layout_get(sk, &c->layout))
        return sb_fail(err, SB_EUSAGE, "gen pose: --skeleton '%.64s' is not h36m or h3wb", sk);
    const char *list = sb_opts_str(opts, gen_pose_options, "occlusion");
    c->train = sb_opts_str(opts, gen_pose_options, "train_occlusion");
    if (list && (rc = parse_occlusion(list, &c->layout, c->occ, &c->n_occ, err)))
        return rc;
    if (c->train && !list)
        return sb_fail(err, SB_EUSAGE, "gen pose: --train-occlusion needs --occlusion");
    if (c->train && occ_pattern(c->train, strlen(c->train)) < 0)
        return sb_fail(err, SB_EUSAGE, "gen pose: --train-occlusion '%.64s' is not a pattern (none, random, right_arm, "
                       "legs, frames)", c->train);
    return 0;
}

static void write_skeleton(sb_h5w *w, const sb_pose_layout *l)
{
    int64_t parents[SB_POSE_LAYOUT_MAX_JOINTS];
    for (int j = 0; j < l->joints; j++)
        parents[j] = l->parents[j];
    size_t dj = (size_t)l->joints, dlr[2] = {(size_t)l->n_lr, 2};
    sb_h5w_attr_i64(w, "/", "parents", 1, &dj, parents);
    sb_h5w_attr_i64(w, "/", "lr_pairs", 2, dlr, &l->lr[0][0]);
    sb_h5w_attr_strings(w, "/", "parts", (size_t)l->n_parts, l->parts);
}

/* Sequence s's group: its arrays, action, and with --occlusion its mask and pattern names. */
static void write_sequence(sb_h5w *w, const gen_cfg *c, long s, const double *gt, const double *pred,
                           const double *hyp, const double *wt, const int32_t *mask)
{
    char g[128], name[192];
    size_t F = (size_t)c->F, M = (size_t)c->M, J = (size_t)c->layout.joints;
    snprintf(g, sizeof g, "/sequences/S%02ld_%s", s / 3 + 1, ACTIONS[s % 3]);
    sb_h5w_group(w, g);
    sb_h5w_attr_str(w, g, "action", ACTIONS[s % 3]);
    size_t d3[3] = {F, J, 3}, d4[4] = {F, M, J, 3}, d2[2] = {F, M}, dm[2] = {F, J};
    snprintf(name, sizeof name, "%s/gt", g);
    sb_h5w_f64(w, name, 3, d3, gt);
    snprintf(name, sizeof name, "%s/pred", g);
    sb_h5w_f64(w, name, 3, d3, pred);
    if (M > 0) {
        snprintf(name, sizeof name, "%s/hyp", g);
        sb_h5w_f64(w, name, 4, d4, hyp);
        snprintf(name, sizeof name, "%s/weights", g);
        sb_h5w_f64(w, name, 2, d2, wt);
    }
    if (c->n_occ) {
        snprintf(name, sizeof name, "%s/occluded", g);
        sb_h5w_i32(w, name, 2, dm, mask);
        sb_h5w_attr_str(w, g, "occlusion", OCC_NAMES[c->occ[s % c->n_occ]]);
        if (c->train)
            sb_h5w_attr_str(w, g, "train_occlusion", c->train);
    }
}

static int gen_pose(const sb_opts *opts, const char *outdir, uint64_t seed, char *wrote, size_t cap, sb_err *err)
{
    gen_cfg c;
    int rc = read_cfg(opts, &c, err);
    if (rc)
        return rc;
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", outdir, sb_opts_str(opts, gen_pose_options, "file"));
    sb_h5w w;
    if ((rc = sb_h5w_create(&w, path, err)))
        return rc;
    write_skeleton(&w, &c.layout);
    size_t J = (size_t)c.layout.joints, fj = (size_t)c.F * J * 3;
    double *gt = malloc(fj * sizeof *gt), *pred = malloc(fj * sizeof *pred);
    double *hyp = malloc((fj * (size_t)c.M + 1) * sizeof *hyp);
    double *wt = malloc(((size_t)c.F * (size_t)c.M + 1) * sizeof *wt);
    int32_t *mask = malloc((size_t)c.F * J * sizeof *mask);
    if (!gt || !pred || !hyp || !wt || !mask) {
        free(gt), free(pred), free(hyp), free(wt), free(mask);
        sb_h5w_close(&w, 0, NULL);
        return sb_fail(err, SB_ENOMEM, "gen pose: out of memory");
    }
    for (long s = 0; s < c.S; s++) {
        sb_rng r, rm;
        sb_rng_seed(&r, seed, (uint64_t)s);
        if (c.n_occ) {
            sb_rng_seed(&rm, seed, ((uint64_t)1 << 32) + (uint64_t)s);
            make_mask(c.occ[s % c.n_occ], &rm, (size_t)c.F, J, mask);
        }
        make_sequence(&c.layout, &r, (size_t)c.F, (size_t)c.M, c.noise, c.n_occ ? mask : NULL, c.occ_factor, gt, pred,
                      hyp, wt);
        write_sequence(&w, &c, s, gt, pred, hyp, wt, mask);
    }
    free(gt), free(pred), free(hyp), free(wt), free(mask);
    if ((rc = sb_h5w_close(&w, 1, err)))
        return rc;
    snprintf(wrote, cap, "%s (%ld sequences x %ld frames x %zu joints, %ld hypotheses%s)", path, c.S, c.F, J, c.M,
             c.n_occ ? ", occlusion masks" : "");
    return 0;
}

const sb_generator sb_gen_pose = {
    .name = "pose",
    .summary = "Human3.6M-like (or H3WB whole-body) pose sequences with predictions, weighted hypotheses and "
               "optional occlusion masks",
    .options = gen_pose_options,
    .generate = gen_pose,
};
