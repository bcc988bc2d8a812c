/* pose_metrics.h — 3D human pose metrics of one sequence (specs/pose.md).
 *
 * The MPJPE family follows facebookresearch/VideoPose3D common/loss.py; the consistency
 * metrics follow valeoai/diffhpe diffhpe/metrics/regularizations.py. Coordinates are in
 * millimetres, row vectors, laid out frame-major (F × J × 3, or F × M × J × 3 for hypotheses).
 *
 * Decisions the spec leaves open (also binding for pose.csv):
 *  - pck counts joint errors strictly BELOW the threshold (err < pck_threshold, default 150 mm).
 *  - auc is the mean of PCK (strictly below) over the 31 fixed thresholds 0, 5, ..., 150 mm,
 *    independent of pck_threshold; the threshold 0 always contributes PCK 0.
 *  - Metrics on `pred` (mpjpe .. auc, bone_*, symmetry_err, sagittal_symmetry, part_*) are NaN
 *    when pred is NULL; min_mpjpe and jbest_mpjpe are NaN when hyp is NULL; weighted_mpjpe and
 *    mpjpe_of_best_weight are NaN when hyp or weights is NULL.
 *  - mpjve needs two frames: NaN (pool 0) when F = 1.
 *  - mpjpe_of_best_weight uses, per frame, the hypothesis with the largest weight (the first
 *    one on ties).
 *  - bone_std: per bone (joint j, parents[j]), the unbiased (n-1) standard deviation of its
 *    length over the frames of a clip, averaged over bones, then averaged over clips with equal
 *    weight. clip = 0 means one clip (the whole sequence); clip = L splits the sequence into
 *    consecutive clips of L frames; a trailing clip of 2..L-1 frames is kept as a clip of its
 *    own, a trailing clip of 1 frame is dropped (its std is undefined). F = 1 gives NaN.
 *    clip = 1 is rejected (SB_EUSAGE). bone_std has no frame-pooled form: its pool is 0.
 *  - symmetry_err and sagittal_symmetry are per-frame means, so averaging equal clips equals
 *    the frame mean; they ignore clip (a short trailing clip counts by its frames).
 *  - bone_err, bone_std, symmetry metrics are NaN when the skeleton has no bone (resp. no
 *    left/right pair). A left/right joint must have a parent (diffhpe's Skeleton needs its bone).
 *  - part_mpjpe_<name>: mean error over frames and joints first..last; the _aligned variant
 *    subtracts joint `first` from P and G of that frame first, and still averages over all the
 *    part's joints (the root joint contributes 0), as MPJPE of the aligned arrays would.
 *  - root_relative: joint 0 is subtracted from gt, pred and each hypothesis of every frame
 *    before any metric.
 *  - p_mpjpe degenerate frames: VideoPose3D divides by ‖P0‖ and ‖G0‖ and returns NaN when the
 *    prediction (or the ground truth) is all one point. Here such a frame uses the least-squares
 *    similarity transform, whose scale is then 0: P̂ = μ_G for every joint, so the frame error
 *    is the mean of ‖G_j − μ_G‖ (0 when G is one point). The same holds for a zero
 *    cross-covariance. For a collinear frame (rank-1 cross-covariance) the rotation is not
 *    unique; the error is still finite but need not equal numpy's.
 *  - n_mpjpe: when Σ P·P = 0 the scaled prediction is 0 for any scale, so s = 0 is used
 *    (the reference returns NaN).
 *  - The 3×3 SVD of p_mpjpe (procrustes.c) is a one-sided (Hestenes) Jacobi iteration on the
 *    stack, 4 frames interleaved, not LAPACK (whose wrappers allocate per call): nothing is
 *    allocated per frame. It agrees with numpy's p_mpjpe to ~1e-14 relative, also on nearly
 *    planar poses (tested down to z scaled by 1e-11). p_mpjpe is translation invariant, so it
 *    is computed on the raw frames even when root_relative is set.
 *  - sb_pose_seq.joints is not in the first draft of this API: the arrays do not carry J, so
 *    the caller states it and a mismatch with the skeleton is SB_EINPUT (0 is a mismatch).
 *  - A NaN or Inf in gt, pred or hyp is SB_EINPUT naming the array and first bad index.
 */
#ifndef SB_POSE_METRICS_H
#define SB_POSE_METRICS_H

#include <stddef.h>

#include "core/err.h"

typedef struct sb_pose_part { char name[32]; int first, last; } sb_pose_part; /* inclusive joint range */

typedef struct sb_pose_skeleton {
    size_t joints; const int *parents;  /* parents[j] = -1 for a root */
    size_t n_lr; const int *lr;         /* n_lr × 2 joint indices (left, right); bone of joint j = (j, parents[j]) */
    size_t n_parts; const sb_pose_part *parts; /* names: [A-Za-z0-9_-], non-empty */
} sb_pose_skeleton;

typedef struct sb_pose_opts {
    double pck_threshold; /* mm, default 150 */
    size_t clip;          /* bone_std clip length; 0 = whole sequence */
    int root_relative;    /* subtract joint 0 first */
} sb_pose_opts;

typedef struct sb_pose_seq {
    size_t frames, hyps;
    size_t joints;         /* J of the arrays below; must equal the skeleton's joints */
    const double *gt;      /* F×J×3 */
    const double *pred;    /* F×J×3 or NULL */
    const double *hyp;     /* F×M×J×3 or NULL (M = hyps) */
    const double *weights; /* F×M or NULL (then weighted metrics are NaN) */
} sb_pose_seq;

/* Index of each fixed column in values[] / pool[]; the per-part columns follow, two per part
 * (part_mpjpe_<name>, part_mpjpe_<name>_aligned). */
enum {
    SB_POSE_MPJPE, SB_POSE_P_MPJPE, SB_POSE_N_MPJPE, SB_POSE_MPJVE, SB_POSE_PCK, SB_POSE_AUC,
    SB_POSE_MIN_MPJPE, SB_POSE_WEIGHTED_MPJPE, SB_POSE_MPJPE_OF_BEST_WEIGHT, SB_POSE_JBEST_MPJPE,
    SB_POSE_BONE_STD, SB_POSE_BONE_ERR, SB_POSE_SYMMETRY_ERR, SB_POSE_SAGITTAL_SYMMETRY,
    SB_POSE_NFIXED
};

/* Column names of pose.csv after `sequence,action,frames`: the fixed metrics in enum order,
 * then per part `part_mpjpe_<name>` and `part_mpjpe_<name>_aligned`. */
size_t sb_pose_ncolumns(const sb_pose_skeleton *sk);
/* Writes column i's name into buf and returns buf; NULL when i >= ncolumns or cap is too small. */
const char *sb_pose_column_name(const sb_pose_skeleton *sk, size_t i, char *buf, size_t cap);

/* values[i]: the metric for this sequence, NaN when it does not apply;
 * pool[i]: weight of this sequence in the frame-weighted ALL row (F for per-frame means,
 * F-1 for mpjve, 0 where the value is NaN or the metric has no pooled form, i.e. bone_std).
 * Both arrays hold sb_pose_ncolumns(sk) doubles. Validates the skeleton, the options and
 * the weights (rows non-negative, summing to 1 within 1e-6): SB_EINPUT / SB_EUSAGE naming
 * the item. Allocates O(M·J) scratch once per call, nothing per frame. */
int sb_pose_eval_sequence(const sb_pose_seq *seq, const sb_pose_skeleton *sk, const sb_pose_opts *opt,
                          double *values, double *pool, sb_err *err);

void sb_pose_opts_defaults(sb_pose_opts *o);

/* Kernels, exposed for the benchmark and tests; they never fail and never allocate. */
/* MPJPE (protocol #1) over F frames of J joints. */
double sb_pose_mpjpe(const double *gt, const double *pred, size_t frames, size_t joints);
/* P-MPJPE (protocol #2): mean over frames of sb_pose_procrustes_frame / J. */
double sb_pose_p_mpjpe(const double *gt, const double *pred, size_t frames, size_t joints);
/* One frame: Σ_j ‖P̂_j − G_j‖ after the VideoPose3D similarity alignment of P onto G. */
double sb_pose_procrustes_frame(const double *g, const double *p, size_t joints);

#endif
