/* fuzz_h5_pose.c — the pose task on pose files built from a recipe (h5_recipe.h): the skeleton
 * attributes (parents, lr_pairs, parts or part_names + part_ranges), up to three sequences with
 * gt, pred, hyp and weights of recipe shapes, types, layouts and values, and the sequence
 * attributes action and root_relative. */
#include "h5_recipe.h"

/* Root attributes: a chain skeleton of J joints (parents[j] = j − 1), a left/right pair and
 * parts, each of which the recipe may break. */
static void skeleton(hid_t f, recipe *r, size_t J)
{
    int64_t parents[16], lr[4] = {1, 2, 2, 1};
    for (size_t j = 0; j < J; j++)
        parents[j] = (int64_t)j - 1;
    rc_attr_ints(f, r, "parents", parents, J, 0);
    if (J >= 3)
        rc_attr_ints(f, r, "lr_pairs", lr, rc_pick(r, 3) * 2, 1);
    unsigned parts = rc_pick(r, 3); /* 0 none, 1 "name:first-last", 2 part_names + part_ranges */
    char a[32], b[32];
    snprintf(a, sizeof a, "head:0-%zu", J / 2);
    snprintf(b, sizeof b, "tail:%zu-%zu", J / 2, J - 1);
    const char *text[2] = {a, b}, *names[2] = {"head", "tail"};
    int64_t ranges[4] = {0, (int64_t)J / 2, (int64_t)J / 2, (int64_t)J - 1};
    if (parts == 1)
        rc_attr_strings(f, r, "parts", text, 2);
    if (parts == 2) {
        rc_attr_strings(f, r, "part_names", names, 2);
        rc_attr_ints(f, r, "part_ranges", ranges, 4, 1);
    }
}

static void sequence(hid_t f, recipe *r, const char *name, hsize_t F, hsize_t J, hsize_t M)
{
    char path[300];
    snprintf(path, sizeof path, "/sequences/%s", name);
    hid_t g = H5Gcreate2(f, path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return;
    hsize_t d3[3] = {F, J, 3}, d4[4] = {F, M, J, 3}, d2[2] = {F, M};
    rc_dataset(g, r, "gt", 3, d3, RT_F64, 0);
    unsigned which = rc_pick(r, 4); /* 0 pred, 1 hyp, 2 both, 3 hyp + weights */
    if (which != 1 && which != 3)
        rc_dataset(g, r, "pred", 3, d3, RT_F64, 0);
    if (which) {
        rc_dataset(g, r, "hyp", 4, d4, RT_F64, 0);
        if (which == 3)
            rc_dataset(g, r, "weights", 2, d2, RT_F64, 0);
    }
    const char *action = "Walking";
    if (rc_u8(r) >= 128)
        rc_attr_strings(g, r, "action", &action, 1);
    if (rc_u8(r) >= 192) {
        double v = rc_special(r);
        hid_t sp = H5Screate(H5S_SCALAR), a = H5Acreate2(g, "root_relative", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(a, H5T_NATIVE_DOUBLE, &v);
        H5Aclose(a);
        H5Sclose(sp);
    }
    H5Gclose(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    recipe r = {data, size};
    char path[600];
    snprintf(path, sizeof path, "%s/pose.h5", rc_dir());
    hid_t f = rc_create_file(path);
    size_t J = 1 + rc_pick(&r, 8);
    hsize_t F = 1 + rc_pick(&r, 4), M = 1 + rc_pick(&r, 3);
    skeleton(f, &r, J);
    if (rc_u8(&r) < 240) { /* else no /sequences at all */
        H5Gclose(H5Gcreate2(f, "/sequences", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        unsigned nseq = 1 + rc_pick(&r, 3);
        for (unsigned i = 0; i < nseq; i++) {
            char given[16], name[64];
            snprintf(given, sizeof given, "S%u", i);
            rc_name(&r, given, name, sizeof name);
            sequence(f, &r, name, F, J, M);
        }
    }
    H5Fclose(f);
    const char *clip = rc_u8(&r) >= 200 ? "3" : "0";
    rc_run_task("pose", (const char *const[]){"input", path, "clip", clip, NULL});
    return 0;
}
