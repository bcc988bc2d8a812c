/* pose_skeleton.h — the skeleton stored in a pose file's root attributes: parents (J),
 * lr_pairs (P×2, optional), parts (optional: strings "name:first-last", or part_names +
 * part_ranges P×2). Checked here so every sequence sees the same validated skeleton. */
#ifndef SB_POSE_SKELETON_H
#define SB_POSE_SKELETON_H

#include "io/h5read.h"
#include "tasks/pose/pose_metrics.h"

typedef struct sb_pose_skel_data {
    sb_pose_skeleton skel;
    int *parents, *lr;
    sb_pose_part *parts;
} sb_pose_skel_data;

int sb_pose_skel_read(const sb_h5file *f, sb_pose_skel_data *s, sb_err *err);
void sb_pose_skel_free(sb_pose_skel_data *s);

#endif
