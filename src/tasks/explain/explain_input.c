/* explain_input.c — reading and checking /explain (specs/explain.md "Input"). */
#include "tasks/explain/explain_input.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define G "/explain"

static int read_names(sb_explain_input *in, const char *name, char ***out, size_t *n, sb_err *err)
{
    int rc = sb_h5_read_strings(&in->f, name, n, out, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < *n; i++) {
        if (!(*out)[i][0])
            return sb_fail(err, SB_EINPUT, "%s: %s[%zu] is empty", in->f.path, name, i);
        for (size_t k = 0; k < i; k++)
            if (!strcmp((*out)[i], (*out)[k]))
                return sb_fail(err, SB_EINPUT, "%s: %s[%zu] repeats %s[%zu] ('%s')", in->f.path, name, i, name, k,
                               (*out)[i]);
    }
    if (*n == 0)
        return sb_fail(err, SB_EINPUT, "%s: %s is empty", in->f.path, name);
    return 0;
}

static int read_attrs(sb_explain_input *in, sb_ex_space space, sb_err *err)
{
    char head[64], stored[64];
    int rc;
    if (!sb_h5_exists(&in->f, G))
        return sb_fail(err, SB_EINPUT, "%s: no group %s", in->f.path, G);
    if (!sb_h5_attr_exists(&in->f, G, "head") || !sb_h5_attr_exists(&in->f, G, "stored"))
        return sb_fail(err, SB_EINPUT, "%s: %s needs the attributes head (softmax|sigmoid) and stored (prob|logit)",
                       in->f.path, G);
    if ((rc = sb_h5_attr_string(&in->f, G, "head", head, sizeof head, err)) ||
        (rc = sb_h5_attr_string(&in->f, G, "stored", stored, sizeof stored, err)))
        return rc;
    if (strcmp(head, "softmax") && strcmp(head, "sigmoid"))
        return sb_fail(err, SB_EINPUT, "%s: %s attribute head is '%s', not softmax or sigmoid", in->f.path, G, head);
    if (strcmp(stored, "prob") && strcmp(stored, "logit"))
        return sb_fail(err, SB_EINPUT, "%s: %s attribute stored is '%s', not prob or logit", in->f.path, G, stored);
    in->softmax = !strcmp(head, "softmax");
    in->stored_logit = !strcmp(stored, "logit");
    in->threshold = 0.5;
    if (!in->softmax && sb_h5_attr_exists(&in->f, G, "threshold")) {
        if ((rc = sb_h5_attr_f64(&in->f, G, "threshold", &in->threshold, err)))
            return rc;
        if (!(in->threshold > 0 && in->threshold < 1))
            return sb_fail(err, SB_EINPUT, "%s: %s attribute threshold is %g, not in (0, 1)", in->f.path, G,
                           in->threshold);
    }
    if (space == SB_EX_LOGIT && in->softmax && !in->stored_logit)
        return sb_fail(err, SB_EUSAGE, "%s: --f-space logit needs logits, but this softmax head stores "
                       "probabilities (export the logits)", in->f.path);
    if (sb_h5_attr_exists(&in->f, G, "dataset") &&
        (rc = sb_h5_attr_string(&in->f, G, "dataset", in->dataset, sizeof in->dataset, err)))
        return rc;
    if (sb_h5_attr_exists(&in->f, G, "classifier") &&
        (rc = sb_h5_attr_string(&in->f, G, "classifier", in->classifier, sizeof in->classifier, err)))
        return rc;
    return 0;
}

/* A [rows, cols] (cols = 0: [rows]) integer dataset whose values lie in {lo..hi}, and are not
 * 0 if sign (a hypothesis sign is ±1). */
static int read_ints(sb_explain_input *in, const char *name, size_t rows, size_t cols, int64_t lo, int64_t hi,
                     int sign, int64_t **out, sb_err *err)
{
    size_t d[SB_H5_MAXRANK];
    int rank = cols ? 2 : 1;
    int rc = sb_h5_read_i64(&in->f, name, rank, d, out, err);
    if (rc)
        return rc;
    if (d[0] != rows || (cols && d[1] != cols))
        return cols ? sb_fail(err, SB_EINPUT, "%s: %s has shape (%zux%zu); expected (%zux%zu)", in->f.path, name,
                              d[0], d[1], rows, cols)
                    : sb_fail(err, SB_EINPUT, "%s: %s has %zu entries; expected %zu", in->f.path, name, d[0], rows);
    size_t n = rows * (cols ? cols : 1);
    for (size_t i = 0; i < n; i++)
        if ((*out)[i] < lo || (*out)[i] > hi || (sign && (*out)[i] == 0)) {
            char at[64];
            if (cols)
                snprintf(at, sizeof at, "[%zu, %zu]", i / cols, i % cols);
            else
                snprintf(at, sizeof at, "[%zu]", i);
            return sign ? sb_fail(err, SB_EINPUT, "%s: %s%s is %lld; a sign is +1 or -1", in->f.path, name, at,
                                  (long long)(*out)[i])
                        : sb_fail(err, SB_EINPUT, "%s: %s%s is %lld, not in {%lld..%lld}", in->f.path, name, at,
                                  (long long)(*out)[i], (long long)lo, (long long)hi);
        }
    return 0;
}

static int read_hypotheses(sb_explain_input *in, sb_err *err)
{
    int rc;
    if (!sb_h5_exists(&in->f, G "/hypotheses")) {
        if (sb_h5_exists(&in->f, G "/hypothesis_sign"))
            return sb_fail(err, SB_EINPUT, "%s: " G "/hypothesis_sign without " G "/hypotheses", in->f.path);
        return 0;
    }
    size_t d[SB_H5_MAXRANK];
    if ((rc = sb_h5_read_i64(&in->f, G "/hypotheses", 2, d, &in->hyp, err)))
        return rc;
    if (d[1] != 2)
        return sb_fail(err, SB_EINPUT, "%s: " G "/hypotheses has shape (%zux%zu); expected (Hx2)", in->f.path, d[0],
                       d[1]);
    in->nh = d[0];
    for (size_t h = 0; h < in->nh; h++) {
        int64_t j = in->hyp[2 * h], k = in->hyp[2 * h + 1];
        if (j < 0 || (size_t)j >= in->nj || k < 0 || (size_t)k >= in->nk)
            return sb_fail(err, SB_EINPUT, "%s: " G "/hypotheses[%zu] = (%lld, %lld) is out of range (%zu concepts, "
                           "%zu classes)", in->f.path, h, (long long)j, (long long)k, in->nj, in->nk);
        for (size_t g = 0; g < h; g++)
            if (in->hyp[2 * g] == j && in->hyp[2 * g + 1] == k)
                return sb_fail(err, SB_EINPUT, "%s: " G "/hypotheses[%zu] repeats hypotheses[%zu] (%lld, %lld)",
                               in->f.path, h, g, (long long)j, (long long)k);
    }
    if (sb_h5_exists(&in->f, G "/hypothesis_sign"))
        return read_ints(in, G "/hypothesis_sign", in->nh, 0, -1, 1, 1, &in->hsign, err);
    return 0;
}

static int read_shapes(sb_explain_input *in, sb_err *err)
{
    size_t d[SB_H5_MAXRANK];
    int rank, rc = sb_h5_shape(&in->f, G "/out_orig", &rank, d, err);
    if (rc)
        return rc;
    if (rank != 2 || d[1] != in->nk || d[0] == 0)
        return sb_fail(err, SB_EINPUT, "%s: " G "/out_orig must be (N x %zu) with N >= 1 (one column per class_names "
                       "entry)", in->f.path, in->nk);
    in->n = d[0];
    if ((rc = sb_h5_shape(&in->f, G "/out_edit", &rank, d, err)))
        return rc;
    if (rank != 3 || d[0] != in->n || d[1] != in->nj || d[2] != in->nk)
        return sb_fail(err, SB_EINPUT, "%s: " G "/out_edit must be (%zu x %zu x %zu), N x J x K", in->f.path, in->n,
                       in->nj, in->nk);
    if (sb_h5_exists(&in->f, G "/image_id")) {
        size_t ni;
        char **ids;
        if ((rc = sb_h5_read_strings(&in->f, G "/image_id", &ni, &ids, err)))
            return rc;
        sb_h5_free_strings(ids, ni);
        if (ni != in->n)
            return sb_fail(err, SB_EINPUT, "%s: " G "/image_id has %zu entries; expected %zu", in->f.path, ni, in->n);
    }
    return 0;
}

int sb_explain_open(sb_explain_input *in, const char *path, sb_ex_space space, sb_err *err)
{
    memset(in, 0, sizeof *in);
    in->f.id = -1;
    sb_h5_quiet();
    int rc = sb_h5_open(&in->f, path, err);
    if (rc)
        return rc;
    if ((rc = read_attrs(in, space, err)) ||
        (rc = read_names(in, G "/class_names", &in->classes, &in->nk, err)) ||
        (rc = read_names(in, G "/concept_names", &in->concepts, &in->nj, err)) || (rc = read_shapes(in, err)) ||
        (rc = read_ints(in, G "/edit_dir", in->n, in->nj, -1, 1, 0, &in->dir, err)))
        return rc;
    if (sb_h5_exists(&in->f, G "/edit_valid")) {
        if ((rc = read_ints(in, G "/edit_valid", in->n, in->nj, 0, 1, 0, &in->valid, err)))
            return rc;
    } else {
        if (!(in->valid = sb_malloc(in->n * in->nj * sizeof *in->valid, "edit_valid", err)))
            return SB_ENOMEM;
        for (size_t i = 0; i < in->n * in->nj; i++)
            in->valid[i] = 1;
    }
    return read_hypotheses(in, err);
}

void sb_explain_close(sb_explain_input *in)
{
    if (in->f.id >= 0)
        sb_h5_close(&in->f);
    in->f.id = -1;
    sb_h5_free_strings(in->classes, in->nk);
    sb_h5_free_strings(in->concepts, in->nj);
    free(in->dir);
    free(in->valid);
    free(in->hyp);
    free(in->hsign);
    in->classes = in->concepts = NULL;
    in->dir = in->valid = in->hyp = in->hsign = NULL;
}

int sb_explain_used(const sb_explain_input *in, size_t i, size_t j)
{
    return in->dir[i * in->nj + j] != 0 && in->valid[i * in->nj + j] == 1;
}

/* Checks one row of K stored outputs; at names it ("out_orig[3" or "out_edit[3, 1"). */
static int check_row(const sb_explain_input *in, sb_ex_space space, const double *row, const char *name,
                     const char *at, sb_err *err)
{
    double sum = 0;
    for (size_t k = 0; k < in->nk; k++) {
        double v = row[k];
        if (!isfinite(v))
            return sb_fail(err, SB_EINPUT, "%s: " G "/%s%s, %zu] holds %s", in->f.path, name, at, k,
                           isnan(v) ? "NaN" : "Inf");
        if (!in->stored_logit && !(v >= 0 && v <= 1))
            return sb_fail(err, SB_EINPUT, "%s: " G "/%s%s, %zu] = %g is not a probability in [0, 1]", in->f.path,
                           name, at, k, v);
        if (!in->stored_logit && space == SB_EX_LOGIT && (v == 0 || v == 1))
            return sb_fail(err, SB_EINPUT, "%s: " G "/%s%s, %zu] = %g has no logit (--f-space logit needs "
                           "probabilities strictly inside (0, 1))", in->f.path, name, at, k, v);
        sum += v;
    }
    if (in->softmax && !in->stored_logit && fabs(sum - 1) > 1e-3)
        return sb_fail(err, SB_EINPUT, "%s: " G "/%s%s, :] sums to %.6g, not 1 (softmax probabilities)", in->f.path,
                       name, at, sum);
    return 0;
}

int sb_explain_read_orig(sb_explain_input *in, sb_ex_space space, double **out, sb_err *err)
{
    size_t d[SB_H5_MAXRANK];
    int rc = sb_h5_read_f64(&in->f, G "/out_orig", 2, d, out, err);
    char at[48];
    for (size_t i = 0; i < in->n && !rc; i++) {
        snprintf(at, sizeof at, "[%zu", i);
        rc = check_row(in, space, *out + i * in->nk, "out_orig", at, err);
    }
    return rc;
}

int sb_explain_read_edit(sb_explain_input *in, sb_ex_space space, size_t j, double **out, sb_err *err)
{
    size_t d[SB_H5_MAXRANK];
    int rc = sb_h5_read_f64_slice(&in->f, G "/out_edit", 3, d, 1, j, out, err);
    char at[64];
    for (size_t i = 0; i < in->n && !rc; i++)
        if (sb_explain_used(in, i, j)) {
            snprintf(at, sizeof at, "[%zu, %zu", i, j);
            rc = check_row(in, space, *out + i * in->nk, "out_edit", at, err);
        }
    return rc;
}

static double sigmoid(double z) { return 1 / (1 + exp(-z)); }

void sb_explain_transform(const sb_explain_input *in, sb_ex_space space, const double *row, double *f,
                          unsigned char *d)
{
    size_t K = in->nk, top = 0;
    if (in->softmax) {
        for (size_t k = 1; k < K; k++)
            if (row[k] > row[top])
                top = k;
        for (size_t k = 0; k < K; k++)
            d[k] = k == top;
    } else {
        for (size_t k = 0; k < K; k++)
            d[k] = (in->stored_logit ? sigmoid(row[k]) : row[k]) > in->threshold;
    }
    for (size_t k = 0; k < K; k++) {
        if (space == SB_EX_DECISION)
            f[k] = d[k];
        else if (space == SB_EX_LOGIT)
            f[k] = in->stored_logit ? row[k] : log(row[k]) - log1p(-row[k]);
        else if (!in->stored_logit)
            f[k] = row[k];
        else if (!in->softmax)
            f[k] = sigmoid(row[k]);
    }
    if (space == SB_EX_PROB && in->softmax && in->stored_logit) {
        double sum = 0;
        for (size_t k = 0; k < K; k++)
            sum += (f[k] = exp(row[k] - row[top]));
        for (size_t k = 0; k < K; k++)
            f[k] /= sum;
    }
}

static int hyp_sign(const sb_explain_input *in, size_t j, size_t k)
{
    for (size_t h = 0; h < in->nh; h++)
        if ((size_t)in->hyp[2 * h] == j && (size_t)in->hyp[2 * h + 1] == k)
            return in->hsign ? (int)in->hsign[h] : 1;
    return 0;
}

int sb_explain_targets(const sb_explain_input *in, int all, sb_ex_target **out, size_t *n, sb_err *err)
{
    *n = 0;
    *out = sb_malloc((in->nj * in->nk + 1) * sizeof **out, "explain targets", err);
    if (!*out)
        return SB_ENOMEM;
    for (size_t j = 0; j < in->nj; j++)
        for (size_t k = 0; k < in->nk; k++) {
            int s = hyp_sign(in, j, k);
            int take = all ? 1 : in->nh ? s != 0 : !(in->softmax && in->nk == 2 && k == 0);
            if (take)
                (*out)[(*n)++] = (sb_ex_target){j, k, s ? s : 1};
        }
    return 0;
}
