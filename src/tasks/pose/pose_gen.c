/* pose_gen.c — `shardbench gen pose`: Human3.6M-like sequences with known structure.
 *
 * Ground truth comes from forward kinematics of a 17-joint skeleton whose bones swing
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

static const sb_option gen_pose_options[] = {
    {"sequences", SB_OPT_INT, "8", "number of sequences", 0, {1, 10000}},
    {"frames", SB_OPT_INT, "240", "frames per sequence", 0, {1, 100000}},
    {"hyps", SB_OPT_INT, "5", "hypotheses per frame (0: none)", 0, {0, 64}},
    {"noise", SB_OPT_DOUBLE, "25", "prediction noise standard deviation (mm)", 0, SB_NO_RANGE},
    {"file", SB_OPT_STRING, "pose.h5", "name of the file written in the output folder", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

/* Human3.6M's 17-joint tree and rest offsets (mm) from each joint's parent. */
static const int H36M_PARENTS[17] = {-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15};
static const double H36M_OFFSET[17][3] = {
    {0, 0, 900},  {-130, 0, 0}, {0, 0, -440}, {0, 0, -430}, {130, 0, 0},   {0, 0, -440},
    {0, 0, -430}, {0, 0, 230},  {0, 0, 250},  {0, 0, 120},  {0, 0, 110},   {150, 0, 0},
    {0, 0, -280}, {0, 0, -250}, {-150, 0, 0}, {0, 0, -280}, {0, 0, -250}};
/* Left/right joints whose bones pair up: (left, right). */
static const int64_t H36M_LR[6][2] = {{4, 1}, {5, 2}, {6, 3}, {11, 14}, {12, 15}, {13, 16}};
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

static void make_sequence(sb_rng *r, size_t F, size_t M, double noise, double *gt, double *pred, double *hyp,
                          double *w)
{
    double amp[17][3], freq[17], phase[17];
    for (int j = 0; j < 17; j++) {
        for (int a = 0; a < 3; a++)
            amp[j][a] = 0.4 * (sb_rng_uniform(r) - 0.5);
        freq[j] = 0.02 + 0.08 * sb_rng_uniform(r);
        phase[j] = 6.283185307179586 * sb_rng_uniform(r);
    }
    double scale = 0.97 + 0.06 * sb_rng_uniform(r);
    double tilt[3] = {0.03 * sb_rng_normal(r), 0.03 * sb_rng_normal(r), 0.08 * sb_rng_normal(r)};
    double shift[3] = {40 * sb_rng_normal(r), 40 * sb_rng_normal(r), 20 * sb_rng_normal(r)};
    for (size_t t = 0; t < F; t++) {
        double *g = gt + t * 17 * 3;
        for (int j = 0; j < 17; j++) {
            double aa[3], off[3];
            for (int a = 0; a < 3; a++)
                aa[a] = amp[j][a] * sin(freq[j] * (double)t + phase[j]);
            rotate(aa, H36M_OFFSET[j], off);
            int p = H36M_PARENTS[j];
            for (int a = 0; a < 3; a++)
                g[3 * j + a] = (p < 0 ? 3.0 * (double)t : g[3 * p + a]) + off[a];
        }
        double *pr = pred + t * 17 * 3;
        /* The estimator's systematic error: a small similarity transform about the root
         * (what P-MPJPE removes), then per-joint noise. */
        for (int j = 0; j < 17; j++) {
            double rel[3] = {g[3 * j] - g[0], g[3 * j + 1] - g[1], g[3 * j + 2] - g[2]}, v[3];
            rotate(tilt, rel, v);
            for (int a = 0; a < 3; a++)
                pr[3 * j + a] = g[a] + scale * v[a] + shift[a] + noise * sb_rng_normal(r);
        }
        double z[64], zmax = -1e300, zsum = 0;
        for (size_t m = 0; m < M; m++) {
            double *h = hyp + (t * M + m) * 17 * 3;
            for (int k = 0; k < 17 * 3; k++)
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

static int gen_pose(const sb_opts *opts, const char *outdir, uint64_t seed, char *wrote, size_t cap, sb_err *err)
{
    long S, F, M;
    double noise;
    int rc;
    if ((rc = sb_opts_long(opts, gen_pose_options, "sequences", &S, err)) ||
        (rc = sb_opts_long(opts, gen_pose_options, "frames", &F, err)) ||
        (rc = sb_opts_long(opts, gen_pose_options, "hyps", &M, err)) ||
        (rc = sb_opts_double(opts, gen_pose_options, "noise", &noise, err)))
        return rc;
    if (S < 1 || F < 1 || M < 0 || M > 64 || noise < 0)
        return sb_fail(err, SB_EUSAGE, "gen pose: need sequences >= 1, frames >= 1, 0 <= hyps <= 64, noise >= 0");
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", outdir, sb_opts_str(opts, gen_pose_options, "file"));
    sb_h5w w;
    if ((rc = sb_h5w_create(&w, path, err)))
        return rc;
    int64_t parents[17];
    for (int j = 0; j < 17; j++)
        parents[j] = H36M_PARENTS[j];
    size_t d17 = 17, dlr[2] = {6, 2};
    sb_h5w_attr_i64(&w, "/", "parents", 1, &d17, parents);
    sb_h5w_attr_i64(&w, "/", "lr_pairs", 2, dlr, &H36M_LR[0][0]);
    const char *parts[] = {"torso:0-10", "left_arm:11-13", "right_arm:14-16"};
    sb_h5w_attr_strings(&w, "/", "parts", 3, parts);
    size_t fj = (size_t)F * 17 * 3;
    double *gt = malloc(fj * sizeof *gt), *pred = malloc(fj * sizeof *pred);
    double *hyp = malloc((fj * (size_t)M + 1) * sizeof *hyp), *wt = malloc(((size_t)F * (size_t)M + 1) * sizeof *wt);
    if (!gt || !pred || !hyp || !wt) {
        free(gt), free(pred), free(hyp), free(wt);
        sb_h5w_close(&w, 0, NULL);
        return sb_fail(err, SB_ENOMEM, "gen pose: out of memory");
    }
    for (long s = 0; s < S; s++) {
        sb_rng r;
        sb_rng_seed(&r, seed, (uint64_t)s);
        make_sequence(&r, (size_t)F, (size_t)M, noise, gt, pred, hyp, wt);
        char g[128], name[192];
        snprintf(g, sizeof g, "/sequences/S%02ld_%s", s / 3 + 1, ACTIONS[s % 3]);
        sb_h5w_group(&w, g);
        sb_h5w_attr_str(&w, g, "action", ACTIONS[s % 3]);
        size_t d3[3] = {(size_t)F, 17, 3}, d4[4] = {(size_t)F, (size_t)M, 17, 3}, d2[2] = {(size_t)F, (size_t)M};
        snprintf(name, sizeof name, "%s/gt", g);
        sb_h5w_f64(&w, name, 3, d3, gt);
        snprintf(name, sizeof name, "%s/pred", g);
        sb_h5w_f64(&w, name, 3, d3, pred);
        if (M > 0) {
            snprintf(name, sizeof name, "%s/hyp", g);
            sb_h5w_f64(&w, name, 4, d4, hyp);
            snprintf(name, sizeof name, "%s/weights", g);
            sb_h5w_f64(&w, name, 2, d2, wt);
        }
    }
    free(gt), free(pred), free(hyp), free(wt);
    if ((rc = sb_h5w_close(&w, 1, err)))
        return rc;
    snprintf(wrote, cap, "%s (%ld sequences x %ld frames x 17 joints, %ld hypotheses)", path, S, F, M);
    return 0;
}

const sb_generator sb_gen_pose = {
    .name = "pose",
    .summary = "Human3.6M-like pose sequences with predictions and weighted hypotheses",
    .options = gen_pose_options,
    .generate = gen_pose,
};
