#include "tasks/distshift/ds_shift.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numerics/kde.h"

struct sb_shift {
    size_t d;
    sb_shift_opts o;
    double *mean, *sd;      /* step 2 */
    sb_kde r, p, q;
    size_t nc;
    int *label;             /* nc class labels, increasing */
    size_t *count;          /* paired count, 0 when skipped */
    sb_kde *py, *qy;        /* nc each; empty (n == 0) when skipped */
    char warning[512];
};

void sb_shift_defaults(sb_shift_opts *o)
{
    o->eps_div = 1e-12;
    o->eps_cor = 5e-4;
    o->hellinger = 0;
}

void sb_shift_free(sb_shift *s)
{
    if (!s)
        return;
    free(s->mean);
    free(s->sd);
    sb_kde_free(&s->r);
    sb_kde_free(&s->p);
    sb_kde_free(&s->q);
    for (size_t c = 0; s->py && c < s->nc; c++)
        sb_kde_free(&s->py[c]);
    for (size_t c = 0; s->qy && c < s->nc; c++)
        sb_kde_free(&s->qy[c]);
    free(s->py);
    free(s->qy);
    free(s->label);
    free(s->count);
    free(s);
}

size_t sb_shift_dim(const sb_shift *s) { return s->d; }
size_t sb_shift_n_classes(const sb_shift *s) { return s->nc; }
int sb_shift_class_label(const sb_shift *s, size_t c) { return s->label[c]; }
size_t sb_shift_class_count(const sb_shift *s, size_t c) { return s->count[c]; }
const char *sb_shift_warning(const sb_shift *s) { return s->warning; }
size_t sb_shift_terms_width(const sb_shift *s) { return 1 + s->nc; }

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int check_env(const char *env, const double *z, const int *y, size_t n, size_t d,
                     sb_err *err)
{
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(z[i]))
            return sb_fail(err, SB_EINPUT, "%s/z: non-finite value at row %zu, column %zu", env,
                           i / d, i % d);
    for (size_t i = 0; i < n; i++)
        if (y[i] < 0)
            return sb_fail(err, SB_EINPUT, "%s/y: negative label %d at index %zu", env, y[i], i);
    return 0;
}

static size_t class_index(const int *label, size_t nc, int y)
{
    const int *hit = bsearch(&y, label, nc, sizeof *label, cmp_int);
    return hit ? (size_t)(hit - label) : nc;
}

/* Copies the first count[c] rows of each class c of z (file order) into out; returns rows. */
static size_t pair_rows(const double *z, const int *y, size_t n, size_t d, const int *label,
                        const size_t *count, size_t nc, size_t *taken, double *out, int *yout)
{
    size_t k = 0;
    memset(taken, 0, nc * sizeof *taken);
    for (size_t i = 0; i < n; i++) {
        size_t c = class_index(label, nc, y[i]);
        if (c == nc || taken[c] == count[c])
            continue;
        taken[c]++;
        memcpy(out + k * d, z + i * d, d * sizeof(double));
        yout[k++] = y[i];
    }
    return k;
}

static void rows_of_class(const double *z, const int *y, size_t n, size_t d, int label,
                          double *out, size_t *rows)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (y[i] == label)
            memcpy(out + (k++) * d, z + i * d, d * sizeof(double));
    *rows = k;
}

int sb_shift_prepare(const double *zP, const int *yP, size_t nP, const double *zQ, const int *yQ,
                     size_t nQ, size_t d, const sb_shift_opts *opts, sb_shift **out,
                     sb_err *err)
{
    *out = NULL;
    if (d == 0)
        return sb_fail(err, SB_EINPUT, "shift: feature dimension is 0");
    int rc = check_env("P", zP, yP, nP, d, err);
    if (!rc)
        rc = check_env("Q", zQ, yQ, nQ, d, err);
    if (rc)
        return rc;
    sb_shift *s = sb_calloc(1, sizeof *s, "shift estimator", err);
    if (!s)
        return SB_ENOMEM;
    s->d = d;
    if (opts)
        s->o = *opts;
    else
        sb_shift_defaults(&s->o);
    double *pz = NULL, *qz = NULL, *buf = NULL;
    int *py = NULL, *qy = NULL, *sorted = NULL;
    size_t *cntP = NULL, *cntQ = NULL, *taken = NULL;

    /* Step 1: classes present in both environments, paired counts. */
    sorted = sb_malloc((nP + 1) * sizeof *sorted, "labels", err);
    if (!sorted)
        goto nomem;
    memcpy(sorted, yP, nP * sizeof *sorted);
    qsort(sorted, nP, sizeof *sorted, cmp_int);
    size_t nu = 0;
    for (size_t i = 0; i < nP; i++)
        if (nu == 0 || sorted[nu - 1] != sorted[i])
            sorted[nu++] = sorted[i];
    cntP = sb_calloc(nu + 1, sizeof *cntP, "class counts", err);
    cntQ = sb_calloc(nu + 1, sizeof *cntQ, "class counts", err);
    if (!cntP || !cntQ)
        goto nomem;
    for (size_t i = 0; i < nP; i++)
        cntP[class_index(sorted, nu, yP[i])]++;
    for (size_t i = 0; i < nQ; i++)
        cntQ[class_index(sorted, nu, yQ[i])]++; /* labels absent from P land in slot nu */
    s->label = sb_malloc((nu + 1) * sizeof *s->label, "class labels", err);
    s->count = sb_calloc(nu + 1, sizeof *s->count, "class counts", err);
    taken = sb_calloc(nu + 1, sizeof *taken, "class counts", err);
    if (!s->label || !s->count || !taken)
        goto nomem;
    for (size_t c = 0; c < nu; c++) {
        size_t m = cntP[c] < cntQ[c] ? cntP[c] : cntQ[c];
        if (m > 0) {
            s->label[s->nc] = sorted[c];
            s->count[s->nc++] = m;
        }
    }
    if (s->nc == 0) {
        sb_shift_free(s);
        free(sorted);
        free(cntP);
        free(cntQ);
        free(taken);
        return sb_fail(err, SB_ENUMERIC, "shift: P and Q share no class, nothing to compare");
    }
    size_t np = 0;
    for (size_t c = 0; c < s->nc; c++)
        np += s->count[c];
    pz = sb_malloc(np * d * sizeof(double), "paired P", err);
    qz = sb_malloc(np * d * sizeof(double), "paired Q", err);
    buf = sb_malloc(2 * np * d * sizeof(double), "pooled features", err);
    py = sb_malloc(np * sizeof(int), "paired P labels", err);
    qy = sb_malloc(np * sizeof(int), "paired Q labels", err);
    s->mean = sb_calloc(d, sizeof(double), "standardisation mean", err);
    s->sd = sb_calloc(d, sizeof(double), "standardisation sd", err);
    if (!pz || !qz || !buf || !py || !qy || !s->mean || !s->sd)
        goto nomem;
    pair_rows(zP, yP, nP, d, s->label, s->count, s->nc, taken, pz, py);
    pair_rows(zQ, yQ, nQ, d, s->label, s->count, s->nc, taken, qz, qy);

    /* Step 2: mean and population sd of concat(P, Q); a constant column keeps scale 1 (as
     * sklearn's StandardScaler), its KDE then fails as singular below. */
    for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < d; j++)
            s->mean[j] += pz[i * d + j];
    for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < d; j++)
            s->mean[j] += qz[i * d + j];
    for (size_t j = 0; j < d; j++)
        s->mean[j] /= (double)(2 * np);
    for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < d; j++) {
            double a = pz[i * d + j] - s->mean[j], b = qz[i * d + j] - s->mean[j];
            s->sd[j] += a * a + b * b;
        }
    for (size_t j = 0; j < d; j++) {
        s->sd[j] = sqrt(s->sd[j] / (double)(2 * np));
        if (!(s->sd[j] > 0.0))
            s->sd[j] = 1.0;
    }
    sb_shift_standardise(s, pz, np);
    sb_shift_standardise(s, qz, np);
    memcpy(buf, pz, np * d * sizeof(double));
    memcpy(buf + np * d, qz, np * d * sizeof(double));

    /* Step 3: KDEs. */
    rc = sb_kde_fit(&s->r, buf, 2 * np, d, "r (pooled P and Q)", err);
    if (!rc)
        rc = sb_kde_fit(&s->p, pz, np, d, "P", err);
    if (!rc)
        rc = sb_kde_fit(&s->q, qz, np, d, "Q", err);
    if (rc)
        goto fail;
    s->py = sb_calloc(s->nc, sizeof(sb_kde), "class KDEs", err);
    s->qy = sb_calloc(s->nc, sizeof(sb_kde), "class KDEs", err);
    if (!s->py || !s->qy)
        goto nomem;
    size_t wlen = 0;
    for (size_t c = 0; c < s->nc; c++) {
        char name[64];
        size_t rows;
        sb_err kerr = {0};
        rows_of_class(pz, py, np, d, s->label[c], buf, &rows);
        snprintf(name, sizeof name, "class %d of P", s->label[c]);
        rc = sb_kde_fit(&s->py[c], buf, rows, d, name, &kerr);
        if (!rc) {
            rows_of_class(qz, qy, np, d, s->label[c], buf, &rows);
            snprintf(name, sizeof name, "class %d of Q", s->label[c]);
            rc = sb_kde_fit(&s->qy[c], buf, rows, d, name, &kerr);
        }
        if (rc == SB_ENUMERIC) {
            sb_kde_free(&s->py[c]);
            sb_kde_free(&s->qy[c]);
            if (wlen < sizeof s->warning)
                wlen += (size_t)snprintf(s->warning + wlen, sizeof s->warning - wlen,
                                         "%sskipped class %d (%zu paired points): %s",
                                         wlen ? "; " : "", s->label[c], s->count[c], kerr.msg);
            s->count[c] = 0;
        } else if (rc) {
            sb_fail(err, rc, "%s", kerr.msg);
            goto fail;
        }
    }
    free(pz);
    free(qz);
    free(buf);
    free(py);
    free(qy);
    free(sorted);
    free(cntP);
    free(cntQ);
    free(taken);
    *out = s;
    return 0;
nomem:
    rc = SB_ENOMEM;
fail:
    free(pz);
    free(qz);
    free(buf);
    free(py);
    free(qy);
    free(sorted);
    free(cntP);
    free(cntQ);
    free(taken);
    sb_shift_free(s);
    return rc;
}

void sb_shift_standardise(const sb_shift *s, double *points, size_t m)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < s->d; j++)
            points[i * s->d + j] = (points[i * s->d + j] - s->mean[j]) / s->sd[j];
}

void sb_shift_sample_points(const sb_shift *s, size_t m, sb_rng *rng, double *points)
{
    sb_kde_resample(&s->r, m, rng, points);
}

int sb_shift_terms(const sb_shift *s, const double *points, size_t m, size_t first, size_t count,
                   double *terms, sb_err *err)
{
    if (first > m || count > m - first)
        return sb_fail(err, SB_EINPUT, "shift: point range %zu+%zu outside %zu points", first,
                       count, m);
    size_t w = 1 + s->nc;
    double *v = sb_malloc(5 * (count + 1) * sizeof(double), "KDE values", err);
    if (!v)
        return SB_ENOMEM;
    double *r = v, *p = v + count, *q = v + 2 * count, *pyv = v + 3 * count,
           *qyv = v + 4 * count;
    int rc = sb_kde_eval_range(&s->r, points, m, first, count, r, err);
    if (!rc)
        rc = sb_kde_eval_range(&s->p, points, m, first, count, p, err);
    if (!rc)
        rc = sb_kde_eval_range(&s->q, points, m, first, count, q, err);
    for (size_t j = 0; !rc && j < count; j++)
        if (!(r[j] > 0.0))
            rc = sb_fail(err, SB_ENUMERIC,
                         "shift: r (pooled KDE) is 0 at point %zu: the point is too far from "
                         "the data",
                         first + j);
    const double ed = s->o.eps_div, ec = s->o.eps_cor;
    for (size_t j = 0; !rc && j < count; j++) {
        double t = 0.0;
        if (p[j] < ed || q[j] < ed) {
            if (s->o.hellinger) {
                double h = sqrt(p[j]) - sqrt(q[j]);
                t = h * h / r[j];
            } else {
                t = fabs(p[j] - q[j]) / r[j];
            }
        }
        terms[j * w] = t;
    }
    for (size_t c = 0; !rc && c < s->nc; c++) {
        if (s->count[c] == 0) {
            for (size_t j = 0; j < count; j++)
                terms[j * w + 1 + c] = 0.0;
            continue;
        }
        rc = sb_kde_eval_range(&s->py[c], points, m, first, count, pyv, err);
        if (!rc)
            rc = sb_kde_eval_range(&s->qy[c], points, m, first, count, qyv, err);
        for (size_t j = 0; !rc && j < count; j++) {
            double t = 0.0;
            if (p[j] > ec && q[j] > ec) {
                double a = pyv[j] * sqrt(q[j]) / sqrt(p[j]);
                double b = qyv[j] * sqrt(p[j]) / sqrt(q[j]);
                if (s->o.hellinger)
                    t = (a + b - 2.0 * sqrt(pyv[j]) * sqrt(qyv[j])) / r[j];
                else
                    t = fabs(a - b) / r[j];
            }
            terms[j * w + 1 + c] = t;
        }
    }
    free(v);
    return rc;
}

int sb_shift_combine(const sb_shift *s, const double *terms, size_t m, sb_shift_result *res,
                     double *cor_y, sb_err *err)
{
    return sb_shift_combine_counts(s->count, s->nc, terms, m, res, cor_y, err);
}

int sb_shift_combine_counts(const size_t *count, size_t nc, const double *terms, size_t m,
                            sb_shift_result *res, double *cor_y, sb_err *err)
{
    memset(res, 0, sizeof *res);
    if (m == 0)
        return sb_fail(err, SB_EINPUT, "shift: no evaluation points");
    size_t w = 1 + nc;
    double div = 0.0;
    for (size_t j = 0; j < m; j++)
        div += terms[j * w];
    res->div = div / (double)(2 * m);
    res->n_points = m;
    double num = 0.0;
    size_t den = 0;
    for (size_t c = 0; c < nc; c++) {
        double cy = 0.0;
        for (size_t j = 0; j < m; j++)
            cy += terms[j * w + 1 + c];
        cy /= (double)(2 * m);
        if (cor_y)
            cor_y[c] = count[c] ? cy : NAN;
        num += (double)count[c] * cy;
        den += count[c];
    }
    if (den == 0) {
        res->cor = NAN;
        snprintf(res->reason, sizeof res->reason,
                 "every class was skipped (singular class KDEs)");
    } else {
        res->cor = num / (double)den;
    }
    return 0;
}
