/* pose_layouts.h — the skeletons `gen pose` writes: Human3.6M's 17 joints and the 133-keypoint
 * COCO-WholeBody layout of H3WB (specs/pose.md "Whole-body data"), each with a rest pose from
 * which forward kinematics builds the motion. */
#ifndef SB_POSE_LAYOUTS_H
#define SB_POSE_LAYOUTS_H

#include <stdint.h>

#define SB_POSE_H36M_JOINTS 17
#define SB_POSE_H3WB_JOINTS 133
#define SB_POSE_LAYOUT_MAX_JOINTS SB_POSE_H3WB_JOINTS

typedef struct sb_pose_layout {
    const char *name;
    int joints;
    int parents[SB_POSE_LAYOUT_MAX_JOINTS];      /* every parent index is below its joint */
    double offset[SB_POSE_LAYOUT_MAX_JOINTS][3]; /* rest offset from the parent (root: position), mm */
    double swing[SB_POSE_LAYOUT_MAX_JOINTS];     /* scale of the joint's swing angle (1: body) */
    int n_lr;
    int64_t lr[64][2]; /* (left, right) joints whose bones mirror each other */
    int n_parts;
    const char *parts[5]; /* "name:first-last" */
} sb_pose_layout;

/* Fills l with the named layout ("h36m" or "h3wb"); -1 for another name. */
int sb_pose_layout_get(const char *name, sb_pose_layout *l);

#endif
