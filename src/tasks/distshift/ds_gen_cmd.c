/* ds_gen_cmd.c — `shardbench gen distshift`: the train and test sets of one grid cell, as HDF5
 * for inspection. With the same --seed as a run and the cell's rho_train, test_set, diversity and
 * replicate (--replicate), the data are exactly those of that cell of `distshift run` (the
 * same streams, ds_options.h). The layout is the one `distshift quantify` reads (train = P,
 * test = Q), plus the attribute and style of every sample:
 *   /P/z (n_train x d), /P/y, /P/a, /P/style; /Q/z (n_test x d), /Q/y, /Q/a, /Q/style;
 *   root attributes rho_train, test_set, diversity, replicate, seed, d_inv, d_sp (columns
 *   0..d_inv-1 of z are invariant, the rest spurious), styles, train_styles.
 * With --diversity-scope both also the root attribute diversity_scope = "both" and the dataset
 * /style_angle (styles): the rotation θ_g of each style's spurious mean (0 for train styles). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5write.h"
#include "tasks/distshift/ds_options.h"
#include "tasks/generator.h"

static const sb_option gen_ds_options[] = {
    {"rho_train", SB_OPT_DOUBLE, "0.9", "train bias level rho in [0,1]", 0, SB_NO_RANGE},
    {"test_set", SB_OPT_STRING, "anti_aligned", "aligned, balanced, anti_aligned or absent", 0, SB_NO_RANGE},
    {"diversity", SB_OPT_DOUBLE, "0", "share of test samples from held-out styles", 0, SB_NO_RANGE},
    {"diversity_scope", SB_OPT_STRING, "invariant", "invariant or both (held-out styles also rotate the spurious mean)", 0, SB_NO_RANGE},
    {"replicate", SB_OPT_INT, "0", "replicate (the grid's seed column)", 0, {0, 1000000000}},
    {"file", SB_OPT_STRING, "distshift.h5", "name of the file written in the output folder", 0, SB_NO_RANGE},
    SB_DS_DATA_OPTIONS,
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

static void write_set(sb_h5w *w, const char *g, const sb_ds_set *s, int32_t *tmp)
{
    char name[32];
    sb_h5w_group(w, g);
    size_t dims[2] = {s->n, s->d};
    snprintf(name, sizeof name, "%s/z", g);
    sb_h5w_f64(w, name, 2, dims, s->x);
    const int *arrays[3] = {s->y, s->a, s->style};
    const char *names[3] = {"y", "a", "style"};
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < s->n; i++)
            tmp[i] = arrays[k][i];
        snprintf(name, sizeof name, "%s/%s", g, names[k]);
        sb_h5w_i32(w, name, 1, dims, tmp);
    }
}

static int gen_distshift(const sb_opts *o, const char *outdir, uint64_t seed, char *wrote, size_t cap, sb_err *err)
{
    sb_ds_config c;
    sb_ds_preset p;
    long rep;
    const char *file = sb_opts_str(o, gen_ds_options, "file");
    int rc = sb_ds_config_from_opts(o, gen_ds_options, &c, &p, err);
    if (!rc)
        rc = sb_opts_double(o, gen_ds_options, "rho_train", &c.rho_train, err);
    if (!rc)
        rc = sb_opts_double(o, gen_ds_options, "diversity", &c.diversity, err);
    if (!rc)
        rc = sb_opts_long(o, gen_ds_options, "replicate", &rep, err);
    if (!rc)
        rc = sb_ds_test_set_parse(sb_opts_str(o, gen_ds_options, "test_set"), &c.test_set, err);
    if (!rc && sb_ds_scope_parse(sb_opts_str(o, gen_ds_options, "diversity_scope"), &c.scope, err))
        rc = sb_wrap(err, "%s: 'diversity_scope'", o->where);
    if (!rc && c.scope == SB_DS_SCOPE_BOTH && c.d_sp < 2)
        rc = sb_fail(err, SB_EUSAGE, "%s: 'diversity_scope' both needs d_sp >= 2, not %zu", o->where, c.d_sp);
    if (!rc && rep < 0)
        rc = sb_fail(err, SB_EUSAGE, "%s: replicate must be >= 0, not %ld", o->where, rep);
    if (!rc && (!file[0] || strchr(file, '/')))
        rc = sb_fail(err, SB_EUSAGE, "%s: file must be a plain file name, not '%s'", o->where, file);
    if (rc)
        return rc;
    sb_ds_set tr, te;
    memset(&tr, 0, sizeof tr);
    memset(&te, 0, sizeof te);
    rc = sb_ds_generate(&c, seed, sb_ds_style_stream((uint64_t)rep), sb_ds_sample_stream((uint64_t)rep), &tr, &te,
                        err);
    int32_t *tmp = NULL;
    double *angles = NULL;
    if (!rc && !(tmp = sb_malloc((tr.n > te.n ? tr.n : te.n) * sizeof *tmp, "labels", err)))
        rc = SB_ENOMEM;
    if (!rc && c.scope == SB_DS_SCOPE_BOTH) {
        if (!(angles = sb_malloc((size_t)c.n_styles * sizeof *angles, "style angles", err)))
            rc = SB_ENOMEM;
        else
            rc = sb_ds_style_angles(&c, seed, sb_ds_style_stream((uint64_t)rep), angles, err);
    }
    char path[1400];
    snprintf(path, sizeof path, "%s/%s", outdir, file);
    sb_h5w w;
    if (!rc && !(rc = sb_h5w_create(&w, path, err))) {
        write_set(&w, "/P", &tr, tmp);
        write_set(&w, "/Q", &te, tmp);
        sb_h5w_attr_f64(&w, "/", "rho_train", c.rho_train);
        sb_h5w_attr_str(&w, "/", "test_set", sb_ds_test_set_name(c.test_set));
        sb_h5w_attr_f64(&w, "/", "diversity", c.diversity);
        int64_t v[6] = {rep, (int64_t)seed, (int64_t)c.d_inv, (int64_t)c.d_sp, c.n_styles, c.n_train_styles};
        const char *names[6] = {"replicate", "seed", "d_inv", "d_sp", "styles", "train_styles"};
        for (int k = 0; k < 6; k++)
            sb_h5w_attr_i64(&w, "/", names[k], 0, NULL, &v[k]);
        if (angles) { /* only with scope both, so that the default file is unchanged */
            size_t ns = (size_t)c.n_styles;
            sb_h5w_attr_str(&w, "/", "diversity_scope", sb_ds_scope_name(c.scope));
            sb_h5w_f64(&w, "/style_angle", 1, &ns, angles);
        }
        rc = sb_h5w_close(&w, 1, err);
    }
    if (!rc)
        snprintf(wrote, cap, "%s (train %zu x %zu, test %zu: rho_train %g, %s, diversity %g, replicate %ld)", path,
                 tr.n, tr.d, te.n, c.rho_train, sb_ds_test_set_name(c.test_set), c.diversity, rep);
    free(tmp);
    free(angles);
    sb_ds_set_free(&tr);
    sb_ds_set_free(&te);
    return rc;
}

const sb_generator sb_gen_distshift = {
    .name = "distshift",
    .summary = "train and test sets of one distribution-shift grid cell (the layout distshift quantify reads)",
    .options = gen_ds_options,
    .generate = gen_distshift,
};
