/* pose_layouts.c — rest poses and trees of the generated skeletons (pose_layouts.h).
 *
 * Coordinates: millimetres, z up, +x the subject's left, −y forward. */
#include "tasks/pose/pose_layouts.h"

#include <math.h>
#include <string.h>

/* Human3.6M's 17-joint tree and rest offsets from each joint's parent. */
static const int H36M_PARENTS[17] = {-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15};
static const double H36M_OFFSET[17][3] = {
    {0, 0, 900},  {-130, 0, 0}, {0, 0, -440}, {0, 0, -430}, {130, 0, 0},   {0, 0, -440},
    {0, 0, -430}, {0, 0, 230},  {0, 0, 250},  {0, 0, 120},  {0, 0, 110},   {150, 0, 0},
    {0, 0, -280}, {0, 0, -250}, {-150, 0, 0}, {0, 0, -280}, {0, 0, -250}};
static const int64_t H36M_LR[6][2] = {{4, 1}, {5, 2}, {6, 3}, {11, 14}, {12, 15}, {13, 16}};

static void h36m(sb_pose_layout *l)
{
    l->joints = 17;
    for (int j = 0; j < 17; j++) {
        l->parents[j] = H36M_PARENTS[j];
        memcpy(l->offset[j], H36M_OFFSET[j], sizeof l->offset[j]);
        l->swing[j] = 1.0;
    }
    l->n_lr = 6;
    memcpy(l->lr, H36M_LR, sizeof H36M_LR);
    l->n_parts = 3;
    l->parts[0] = "torso:0-10";
    l->parts[1] = "left_arm:11-13";
    l->parts[2] = "right_arm:14-16";
}

/* ---- H3WB: COCO-WholeBody order ---------------------------------------------------------- */

/* COCO's 17 body keypoints (nose, eyes, ears, shoulders, elbows, wrists, hips, knees, ankles;
 * left before right) at rest, and the tree the spec asks for: COCO's limbs rooted at the nose
 * (a breadth-first tree of the limb graph, which drops the limbs eye–eye, shoulder–shoulder and
 * hip–hip that close its loops). */
static const double BODY_REST[17][3] = {
    {0, -90, 1650},   {35, -70, 1690},  {-35, -70, 1690}, {75, 0, 1660},    {-75, 0, 1660},  {180, 0, 1420},
    {-180, 0, 1420},  {200, 0, 1140},   {-200, 0, 1140},  {210, 0, 890},    {-210, 0, 890},  {110, 0, 950},
    {-110, 0, 950},   {115, 0, 510},    {-115, 0, 510},   {120, 0, 80},     {-120, 0, 80}};
static const int BODY_PARENTS[17] = {-1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 11, 12, 13, 14};
/* Left foot (big toe, small toe, heel) relative to the left ankle; the right one mirrors it. */
static const double FOOT_REST[3][3] = {{20, -170, -70}, {50, -140, -70}, {0, 40, -70}};

/* The 68 face landmarks (jaw, brows, nose, eyes, mouth) on the face plane y = −95 around
 * (0, 1660), listed right to left as the 68-point convention does. */
static void face_rest(double out[68][3])
{
    const double pi = 3.141592653589793;
    int k = 0;
    for (int i = 0; i < 17; i++, k++) { /* jaw, right ear to left ear under the chin */
        double a = pi * i / 16.0;
        out[k][0] = -70 * cos(a);
        out[k][2] = 1660 - 80 * sin(a);
    }
    for (int i = 0; i < 10; i++, k++) { /* brows */
        out[k][0] = i < 5 ? -55 + 10 * i : 15 + 10 * (i - 5);
        out[k][2] = 1700;
    }
    for (int i = 0; i < 4; i++, k++) /* nose bridge */
        out[k][2] = 1690 - 12 * i;
    for (int i = 0; i < 5; i++, k++) { /* nostrils */
        out[k][0] = -20 + 10 * i;
        out[k][2] = 1640;
    }
    for (int e = 0; e < 2; e++) /* right eye, then left: six points around an ellipse */
        for (int i = 0; i < 6; i++, k++) {
            double a = pi * i / 3.0;
            out[k][0] = (e ? 35 : -35) - 12 * cos(a);
            out[k][2] = 1685 + 5 * sin(a);
        }
    for (int i = 0; i < 12; i++, k++) { /* outer lip */
        double a = pi * i / 6.0;
        out[k][0] = -25 * cos(a);
        out[k][2] = 1610 + 10 * sin(a);
    }
    for (int i = 0; i < 8; i++, k++) { /* inner lip */
        double a = pi * i / 4.0;
        out[k][0] = -18 * cos(a);
        out[k][2] = 1610 + 5 * sin(a);
    }
    for (int i = 0; i < 68; i++)
        out[i][1] = -95 - 5 * (i >= 27 && i <= 35); /* the nose stands out */
}

/* One hand of 21 keypoints: wrist, then thumb, index, middle, ring, pinky, four each, each
 * finger chained from the wrist (joint first), itself the child of the body wrist.
 * side = +1 left, −1 right. */
static void hand(sb_pose_layout *l, double rest[][3], int first, int body_wrist, double side)
{
    l->parents[first] = body_wrist;
    memcpy(rest[first], rest[body_wrist], sizeof rest[first]);
    rest[first][2] -= 15;
    for (int f = 0; f < 5; f++)
        for (int s = 0; s < 4; s++) {
            int j = first + 1 + 4 * f + s;
            l->parents[j] = s ? j - 1 : first;
            const double *from = rest[l->parents[j]];
            double step[3] = {side * (f ? 3.0 * (f - 2) : -8.0), f ? -6.0 + 3.0 * f : -15.0, f ? -(s ? 25.0 : 45.0) : -20.0};
            for (int a = 0; a < 3; a++)
                rest[j][a] = from[a] + step[a];
        }
}

static void h3wb(sb_pose_layout *l)
{
    double rest[133][3], face[68][3];
    l->joints = 133;
    for (int j = 0; j < 17; j++) {
        memcpy(rest[j], BODY_REST[j], sizeof rest[j]);
        l->parents[j] = BODY_PARENTS[j];
    }
    for (int side = 0; side < 2; side++)
        for (int i = 0; i < 3; i++) {
            int j = 17 + 3 * side + i, ankle = 15 + side;
            l->parents[j] = ankle;
            for (int a = 0; a < 3; a++)
                rest[j][a] = rest[ankle][a] + (a == 0 && side ? -1 : 1) * FOOT_REST[i][a];
        }
    face_rest(face);
    for (int i = 0; i < 68; i++) {
        memcpy(rest[23 + i], face[i], sizeof rest[0]);
        l->parents[23 + i] = i ? 23 + i - 1 : 0;
    }
    hand(l, rest, 91, 9, 1.0);
    hand(l, rest, 112, 10, -1.0);
    for (int j = 0; j < 133; j++) {
        int p = l->parents[j];
        for (int a = 0; a < 3; a++)
            l->offset[j][a] = rest[j][a] - (p < 0 ? 0.0 : rest[p][a]);
        /* fine parts move smaller distances: their offsets are short and their swing small */
        l->swing[j] = j < 17 ? 1.0 : j < 23 ? 0.5 : j < 91 ? 0.2 : 0.5;
    }
    int n = 0;
    for (int j = 1; j < 17; j += 2, n++) { /* body: (1,2), (3,4), ..., (15,16) */
        l->lr[n][0] = j;
        l->lr[n][1] = j + 1;
    }
    for (int i = 0; i < 3; i++, n++) {
        l->lr[n][0] = 17 + i;
        l->lr[n][1] = 20 + i;
    }
    for (int i = 0; i < 21; i++, n++) {
        l->lr[n][0] = 91 + i;
        l->lr[n][1] = 112 + i;
    }
    l->n_lr = n;
    l->n_parts = 5;
    l->parts[0] = "body:0-16";
    l->parts[1] = "feet:17-22";
    l->parts[2] = "face:23-90";
    l->parts[3] = "left_hand:91-111";
    l->parts[4] = "right_hand:112-132";
}

int sb_pose_layout_get(const char *name, sb_pose_layout *l)
{
    memset(l, 0, sizeof *l);
    if (!strcmp(name, "h36m"))
        h36m(l);
    else if (!strcmp(name, "h3wb"))
        h3wb(l);
    else
        return -1;
    l->name = !strcmp(name, "h36m") ? "h36m" : "h3wb";
    return 0;
}
