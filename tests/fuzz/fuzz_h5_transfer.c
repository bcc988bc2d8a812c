/* fuzz_h5_transfer.c — the transfer task on a model zoo built from a recipe (h5_recipe.h): a
 * manifest (dataset, model, path, accuracy, imagenet_acc; numbers from the recipe, a path that
 * may be missing) and up to three pair files with /features (float32 or float64), /labels and
 * /source_probs of recipe shapes, types, layouts and values. Every scorer runs. */
#include "h5_recipe.h"

/* Writes one pair file: N samples, D features, C classes, Cs source classes. */
static void pair_file(recipe *r, const char *path)
{
    hid_t f = rc_create_file(path);
    hsize_t N = 4 + rc_pick(r, 9), D = 1 + rc_pick(r, 5), C = 2 + rc_pick(r, 3), Cs = 2 + rc_pick(r, 3);
    hsize_t df[2] = {N, D}, dl[1] = {N}, dp[2] = {N, Cs};
    rc_dataset(f, r, "features", 2, df, rc_u8(r) < 128 ? RT_F32 : RT_F64, 0);
    rc_dataset(f, r, "labels", 1, dl, RT_I64, (int64_t)C);
    if (rc_u8(r) < 160) {
        /* Rows of a softmax are what a source model gives; the recipe may change any of them. */
        hsize_t d[3] = {dp[0], dp[1], 0}; /* rc_shape may add an axis */
        int rank = rc_shape(r, 2, d), huge;
        size_t n = rc_count(rank, d, &huge);
        if (rank == 2 && !huge && rc_u8(r) < 200) {
            double *p = malloc((n ? n : 1) * sizeof *p);
            for (size_t i = 0; p && i < n; i++)
                p[i] = 1.0 / (double)d[1];
            if (p && n && rc_u8(r) >= 128)
                p[rc_u8(r) % n] = rc_special(r);
            hid_t sp = H5Screate_simple(2, d, NULL);
            hid_t ds = H5Dcreate2(f, "source_probs", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            if (ds >= 0 && p)
                H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, p);
            if (ds >= 0)
                H5Dclose(ds);
            H5Sclose(sp);
            free(p);
        } else
            rc_create(f, r, "source_probs", rank, d, RT_F64, 0);
    }
    H5Fclose(f);
}

/* A manifest number: usually a plain accuracy, else a special written as text, or empty. */
static void number(recipe *r, char *out, size_t cap, int row)
{
    uint8_t b = rc_u8(r);
    if (b < 200)
        snprintf(out, cap, "%.3f", 0.5 + 0.1 * row);
    else if (b < 230)
        snprintf(out, cap, "%.17g", rc_special(r));
    else if (b < 240)
        out[0] = '\0';
    else {
        /* Control characters in CSV cells are the CSV reader's matter (fuzz_manifest, fuzz_csv). */
        rc_text(r, out, cap);
        for (char *c = out; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == '"' || *c == 0x7f)
                *c = 'x';
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    recipe r = {data, size};
    const char *dir = rc_dir();
    char manifest[600];
    snprintf(manifest, sizeof manifest, "%s/manifest.csv", dir);
    FILE *fp = fopen(manifest, "w");
    if (!fp)
        abort();
    int with_imagenet = rc_u8(&r) >= 200;
    fprintf(fp, "dataset,model,path,accuracy%s\n", with_imagenet ? ",imagenet_acc" : "");
    unsigned pairs = 1 + rc_pick(&r, 3);
    for (unsigned i = 0; i < pairs; i++) {
        char path[700], acc[64], inet[64];
        snprintf(path, sizeof path, "%s/pair%u.h5", dir, i);
        if (rc_u8(&r) < 240)
            pair_file(&r, path);
        else
            unlink(path); /* a manifest row whose file is missing */
        number(&r, acc, sizeof acc, (int)i);
        number(&r, inet, sizeof inet, (int)i);
        /* Text fields are quoted so recipe text stays one field (the CSV reader has its own fuzzer). */
        fprintf(fp, "d%u,m%u,pair%u.h5,\"%s\"%s%s%s\n", i % 2, i, i, acc, with_imagenet ? ",\"" : "",
                with_imagenet ? inet : "", with_imagenet ? "\"" : "");
    }
    fclose(fp);
    rc_run_task("transfer", (const char *const[]){"manifest", manifest, NULL});
    return 0;
}
