/* explain_gen_cmd.c — `shardbench gen explain`: writes DIR/explain.h5 (the /explain layout plus
 * /explain/truth) and DIR/explain_truth.csv from the model of explain_gen.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5write.h"
#include "tasks/explain/explain_gen.h"
#include "tasks/generator.h"

static const sb_option gen_explain_options[] = {
    {"images", SB_OPT_INT, "2000", "images N", 0, {1, 10000000}},
    {"concepts", SB_OPT_INT, "6", "concepts J", 0, {1, 16}},
    {"outputs", SB_OPT_INT, "3", "sigmoid outputs K", 0, {1, 1000}},
    {"nuisance", SB_OPT_DOUBLE, "1.0", "gamma: weight of the per-image nuisance", 0, SB_NO_RANGE},
    {"edit_noise", SB_OPT_DOUBLE, "0.3", "eta: editor side effects on the nuisance", 0, SB_NO_RANGE},
    {"invalid_rate", SB_OPT_DOUBLE, "0.05", "share of edits flagged invalid", 0, SB_NO_RANGE},
    {"store", SB_OPT_STRING, "logit", "what is stored: logit or prob", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

typedef struct gen_arrays {
    double *orig, *edit;
    int8_t *dir, *valid, *concept;
} gen_arrays;

static void draw_all(const sb_explain_model *m, uint64_t seed, size_t n, double invalid, int prob, gen_arrays *a,
                     signed char *c, signed char *bad)
{
    size_t J = m->nj, K = m->nk;
    for (size_t i = 0; i < n; i++) {
        double *z = a->orig + i * K, *ze = a->edit + i * J * K;
        sb_explain_draw_image(m, seed, i, invalid, c, z, ze, bad);
        for (size_t j = 0; j < J; j++) {
            a->concept[i * J + j] = c[j];
            a->dir[i * J + j] = c[j] ? -1 : 1;
            a->valid[i * J + j] = !bad[j];
        }
        if (prob) {
            for (size_t k = 0; k < K; k++)
                z[k] = 1 / (1 + exp(-z[k]));
            for (size_t x = 0; x < J * K; x++)
                ze[x] = 1 / (1 + exp(-ze[x]));
        }
    }
}

static int write_truth_csv(const char *path, const sb_explain_model *m, const double *t3, sb_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return sb_fail(err, SB_EIO, "gen explain: cannot write %s", path);
    fprintf(f, "concept,target_class,beta,cace_prob,cace_logit,cace_decision\n");
    for (size_t j = 0; j < m->nj; j++)
        for (size_t k = 0; k < m->nk; k++) {
            const double *t = t3 + 3 * (j * m->nk + k);
            fprintf(f, "c%zu,k%zu,%.17g,%.17g,%.17g,%.17g\n", j, k, m->beta[j * m->nk + k], t[0], t[1], t[2]);
        }
    return fclose(f) ? sb_fail(err, SB_EIO, "gen explain: cannot write %s", path) : 0;
}

static void write_h5(sb_h5w *w, const sb_explain_model *m, size_t n, int prob, const gen_arrays *a, const double *t3)
{
    size_t J = m->nj, K = m->nk, d2[2] = {n, K}, d3[3] = {n, J, K}, dnj[2] = {n, J}, djk[2] = {J, K};
    sb_h5w_group(w, "/explain/truth");
    sb_h5w_attr_str(w, "/explain", "head", "sigmoid");
    sb_h5w_attr_str(w, "/explain", "stored", prob ? "prob" : "logit");
    sb_h5w_attr_f64(w, "/explain", "threshold", 0.5);
    sb_h5w_attr_str(w, "/explain", "dataset", "planted");
    sb_h5w_attr_str(w, "/explain", "classifier", "linear-sigmoid");
    char **names = calloc(J + K, sizeof *names);
    for (size_t x = 0; names && x < J + K; x++)
        if ((names[x] = malloc(16)))
            snprintf(names[x], 16, x < J ? "c%zu" : "k%zu", x < J ? x : x - J);
    if (names) {
        sb_h5w_strings(w, "/explain/concept_names", J, (const char *const *)names);
        sb_h5w_strings(w, "/explain/class_names", K, (const char *const *)names + J);
        for (size_t x = 0; x < J + K; x++)
            free(names[x]);
        free(names);
    } else {
        w->bad = 1;
    }
    sb_h5w_f64(w, "/explain/out_orig", 2, d2, a->orig);
    sb_h5w_f64(w, "/explain/out_edit", 3, d3, a->edit);
    sb_h5w_i8(w, "/explain/edit_dir", 2, dnj, a->dir);
    sb_h5w_i8(w, "/explain/edit_valid", 2, dnj, a->valid);
    sb_h5w_i8(w, "/explain/truth/concept", 2, dnj, a->concept);
    sb_h5w_f64(w, "/explain/truth/beta", 2, djk, m->beta);
    sb_h5w_f64(w, "/explain/truth/prevalence", 1, &J, m->prev);
    sb_h5w_f64(w, "/explain/truth/bias", 1, &K, m->bias);
    sb_h5w_attr_f64(w, "/explain/truth", "nuisance", m->gamma);
    sb_h5w_attr_f64(w, "/explain/truth", "edit_noise", m->eta);
    double *col = malloc(J * K * sizeof *col);
    const char *names3[3] = {"/explain/truth/cace_prob", "/explain/truth/cace_logit", "/explain/truth/cace_decision"};
    for (int s = 0; col && s < 3; s++) {
        for (size_t x = 0; x < J * K; x++)
            col[x] = t3[3 * x + (size_t)s];
        sb_h5w_f64(w, names3[s], 2, djk, col);
    }
    if (!col)
        w->bad = 1;
    free(col);
}

static int gen_explain(const sb_opts *o, const char *outdir, uint64_t seed, char *wrote, size_t cap, sb_err *err)
{
    long n, nj, nk;
    double gamma, eta, inv;
    int rc;
    const sb_option *t = gen_explain_options;
    if ((rc = sb_opts_long(o, t, "images", &n, err)) || (rc = sb_opts_long(o, t, "concepts", &nj, err)) ||
        (rc = sb_opts_long(o, t, "outputs", &nk, err)) || (rc = sb_opts_double(o, t, "nuisance", &gamma, err)) ||
        (rc = sb_opts_double(o, t, "edit_noise", &eta, err)) || (rc = sb_opts_double(o, t, "invalid_rate", &inv, err)))
        return rc;
    const char *store = sb_opts_str(o, t, "store");
    if (strcmp(store, "logit") && strcmp(store, "prob"))
        return sb_fail(err, SB_EUSAGE, "gen explain: store is '%s'; expected logit or prob", store);
    if (!(gamma >= 0) || !(eta >= 0) || !(inv >= 0 && inv <= 1))
        return sb_fail(err, SB_EUSAGE, "gen explain: need nuisance >= 0, edit_noise >= 0, 0 <= invalid_rate <= 1");
    int prob = !strcmp(store, "prob");
    sb_explain_model m;
    sb_rng r;
    sb_rng_seed(&r, seed, 0);
    if ((rc = sb_explain_model_draw(&m, (size_t)nj, (size_t)nk, gamma, eta, &r, err)))
        return rc;
    size_t N = (size_t)n, J = (size_t)nj, K = (size_t)nk;
    gen_arrays a = {malloc(N * K * sizeof(double)), malloc(N * J * K * sizeof(double)), malloc(N * J),
                    malloc(N * J), malloc(N * J)};
    double *t3 = malloc(3 * J * K * sizeof *t3);
    signed char c[16], bad[16];
    if (!a.orig || !a.edit || !a.dir || !a.valid || !a.concept || !t3)
        rc = sb_fail(err, SB_ENOMEM, "gen explain: out of memory for %zu images", N);
    for (size_t x = 0; x < J * K && !rc; x++)
        rc = sb_explain_truth(&m, x / K, x % K, t3 + 3 * x, err);
    char path[1200];
    if (!rc) {
        draw_all(&m, seed, N, inv, prob, &a, c, bad);
        snprintf(path, sizeof path, "%s/explain.h5", outdir);
        sb_h5w w;
        if (!(rc = sb_h5w_create(&w, path, err))) {
            write_h5(&w, &m, N, prob, &a, t3);
            rc = sb_h5w_close(&w, 1, err);
        }
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/explain_truth.csv", outdir);
        rc = write_truth_csv(path, &m, t3, err);
    }
    if (!rc)
        snprintf(wrote, cap, "%s/explain.h5 and explain_truth.csv (%zu images, %zu concepts, %zu outputs)", outdir,
                 N, J, K);
    free(a.orig), free(a.edit), free(a.dir), free(a.valid), free(a.concept), free(t3);
    sb_explain_model_free(&m);
    return rc;
}

const sb_generator sb_gen_explain = {
    .name = "explain",
    .summary = "planted-truth concept edits: a linear sigmoid head with known CaCE (specs/explain.md)",
    .options = gen_explain_options,
    .generate = gen_explain,
};
