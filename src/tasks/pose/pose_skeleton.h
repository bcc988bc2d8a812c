/* pose_skeleton.h — the skeleton stored in a pose file's root attributes: parents (J),
 * lr_pairs (P×2, optional), parts (optional: strings "name:first-last", or part_names +
 * part_ranges P×2). Checked here so every sequence sees the same validated skeleton. */
#ifndef SB_POSE_SKELETON_H
#define SB_POSE_SKELETON_H

#include "io/h5read.h"
#include "tasks/pose/pose_metrics.h"

/* More joints than any body, hand or face model has (SMPL-X: 127); joint indices stay ints. */
#define SB_POSE_MAX_JOINTS (1 << 20)

typedef struct sb_pose_skel_data {
    sb_pose_skeleton skel;
    int *parents, *lr;
    sb_pose_part *parts;
} sb_pose_skel_data;

/* SB_EINPUT, one line naming the file, the attribute and the first bad index, for: no or
 * more than SB_POSE_MAX_JOINTS joints, a parent outside -1..J-1 or equal to its joint, a
 * chain of parents that loops, lr_pairs not Px2 or naming a joint outside 0..J-1 or a root,
 * a part whose range is not first <= last in 0..J-1, whose name is empty, longer than 31
 * characters or repeated. On error s holds nothing to free. */
int sb_pose_skel_read(const sb_h5file *f, sb_pose_skel_data *s, sb_err *err);
void sb_pose_skel_free(sb_pose_skel_data *s);

#endif
