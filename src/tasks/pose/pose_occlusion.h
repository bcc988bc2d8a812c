/* pose_occlusion.h — DiffHPE's occlusion protocol (specs/pose.md "Occlusion robustness"):
 * the prediction error split into occluded and visible (frame, joint) entries by a 0/1 mask,
 * and the per-(pattern, train pattern) table pose_occlusion.csv.
 *
 * Decisions the spec leaves open (also binding for the CSVs):
 *  - The error is the one mpjpe averages: after root-relative subtraction when it applies.
 *  - Sums and counts travel in the record, not means: pooled rows divide summed errors by
 *    summed counts (entry-weighted), exactly as the definition reads.
 *  - A sequence without a mask has no occlusion values (empty, reason "no occluded mask"),
 *    not "all visible": nothing says what its input saw.
 *  - matched is 1 only when both names are given and equal: two missing names (both
 *    "unnamed") say nothing about a match.
 *  - A sequence without pred has no errors to split: its values are empty. */
#ifndef SB_POSE_OCCLUSION_H
#define SB_POSE_OCCLUSION_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/table.h"
#include "tasks/pose/pose_metrics.h"

/* What one sequence contributes, additive over sequences: mask entries (n_*, for occ_rate),
 * entries with an error (e_*: the same, or 0 without pred) and their summed ‖P − G‖₂. */
typedef struct sb_pose_occ {
    double n_occ, n_vis, e_occ, e_vis, sum_occ, sum_vis;
} sb_pose_occ;

/* Index of the first value of mask[0..n) that is neither 0 nor 1, or n when all are. */
size_t sb_pose_occ_first_bad(const int64_t *mask, size_t n);

/* Counts the mask (row-major F×J, 1 = occluded) and splits the pred errors of seq into o
 * (counts only when seq->pred is NULL). root_relative as in sb_pose_opts. Never fails or
 * allocates; the mask's values were checked by sb_pose_occ_first_bad. */
void sb_pose_occ_eval(const sb_pose_seq *seq, const int64_t *mask, int root_relative, sb_pose_occ *o);
/* acc += o */
void sb_pose_occ_add(sb_pose_occ *acc, const sb_pose_occ *o);

/* mpjpe_occ, mpjpe_vis, occ_rate of o (NaN where nothing counts) and the reason for any empty
 * one ("" when none is), into reason[cap]. */
void sb_pose_occ_values(const sb_pose_occ *o, double v[3], char *reason, size_t cap);

/* One sequence as pose_occlusion.csv groups it. */
typedef struct sb_pose_occ_seq {
    const char *pattern, *train; /* NULL: the attribute is absent (group "unnamed") */
    int has_mask;
    sb_pose_occ occ;
    uint64_t frames;
    double mpjpe[2], p_mpjpe[2], pck[2]; /* value and frame weight (0 when the value is NaN) */
} sb_pose_occ_seq;

/* Adds table pose_occlusion: one row per (pattern, train pattern) over the n sequences,
 * sorted by pattern then train pattern (byte order), with a trailing reason column. */
int sb_pose_occ_table(const sb_pose_occ_seq *s, size_t n, sb_tables *out, sb_err *err);

#endif
