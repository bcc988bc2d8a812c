/* fuzz_h5_distshift.c — the distshift input readers on files built from a recipe (h5_recipe.h):
 * `distshift eval` (/sets/<name>/{score,label,spurious,group} and a threshold attribute, up to
 * three sets) or `distshift quantify` (/P/z, /P/y, /Q/z, /Q/y and an optional --points file),
 * with recipe shapes, types, layouts and values. */
#include "h5_recipe.h"

static void eval_file(recipe *r, const char *path)
{
    hid_t f = rc_create_file(path);
    if (rc_u8(r) < 240)
        H5Gclose(H5Gcreate2(f, "/sets", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    unsigned nsets = 1 + rc_pick(r, 3);
    for (unsigned i = 0; i < nsets; i++) {
        char given[16], name[64], group[100];
        snprintf(given, sizeof given, "set%u", i);
        rc_name(r, given, name, sizeof name);
        snprintf(group, sizeof group, "/sets/%s", name);
        hid_t g = H5Gcreate2(f, group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (g < 0)
            continue;
        hsize_t n[1] = {2 + rc_pick(r, 12)};
        rc_dataset(g, r, "score", 1, n, RT_F64, 1);
        rc_dataset(g, r, "label", 1, n, RT_I32, 2);
        if (rc_u8(r) < 128)
            rc_dataset(g, r, "spurious", 1, n, RT_I64, 2);
        if (rc_u8(r) < 128)
            rc_dataset(g, r, "group", 1, n, RT_I64, 1 + rc_pick(r, 4));
        if (rc_u8(r) >= 192) {
            double v = rc_u8(r) < 128 ? 0.3 : rc_special(r);
            hid_t sp = H5Screate(H5S_SCALAR);
            hid_t a = H5Acreate2(g, "threshold", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
            H5Awrite(a, H5T_NATIVE_DOUBLE, &v);
            H5Aclose(a);
            H5Sclose(sp);
        }
        H5Gclose(g);
    }
    H5Fclose(f);
}

static void quantify_file(recipe *r, const char *path, hsize_t d)
{
    hid_t f = rc_create_file(path);
    const char *env[2] = {"P", "Q"};
    for (int e = 0; e < 2; e++) {
        char gz[8], gy[8];
        snprintf(gz, sizeof gz, "/%s", env[e]);
        if (rc_u8(r) >= 248)
            continue; /* an environment missing */
        H5Gclose(H5Gcreate2(f, gz, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        hsize_t n = 4 + rc_pick(r, 12), dz[2] = {n, d}, dy[1] = {n};
        snprintf(gz, sizeof gz, "/%s/z", env[e]);
        snprintf(gy, sizeof gy, "/%s/y", env[e]);
        rc_dataset(f, r, gz, 2, dz, RT_F64, 0);
        rc_dataset(f, r, gy, 1, dy, RT_I64, 1 + rc_pick(r, 3));
    }
    H5Fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    recipe r = {data, size};
    char path[600], points[600];
    snprintf(path, sizeof path, "%s/distshift.h5", rc_dir());
    snprintf(points, sizeof points, "%s/points.h5", rc_dir());
    if (rc_u8(&r) < 128) {
        eval_file(&r, path);
        const char *threshold = rc_u8(&r) < 200 ? "0.5" : "1";
        rc_run_task("distshift_eval", (const char *const[]){"input", path, "threshold", threshold, NULL});
        return 0;
    }
    hsize_t d = 1 + rc_pick(&r, 3);
    quantify_file(&r, path, d);
    if (rc_u8(&r) < 192) { /* points drawn from the pooled KDE: M = 256, one block */
        rc_run_task("distshift_quantify",
                    (const char *const[]){"input", path, "samples", "256", "block", "256", NULL});
        return 0;
    }
    hid_t f = rc_create_file(points);
    hsize_t dp[2] = {1 + rc_pick(&r, 16), d};
    rc_dataset(f, &r, "points", 2, dp, RT_F64, 0);
    H5Fclose(f);
    rc_run_task("distshift_quantify",
                (const char *const[]){"input", path, "points", points, "block", "256", NULL});
    return 0;
}
