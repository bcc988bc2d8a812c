/* combine_task.c — scorer combinations (transferability.md "Combining scorers"): the zmean
 * score per dataset, the hierarchical Bayesian regression fitted by Gibbs chains (one unit
 * each) and judged leave-one-dataset-out, and the tables `combination` and
 * `combination_weights` (docs/judging.md). The numerics are numerics/combine.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numerics/combine.h"
#include "numerics/scorer_eval.h"
#include "tasks/judge/judge.h"

/* The combination inputs of dataset di: X (n × C, raw values), acc (n). */
static int inputs(const sb_judge_state *s, size_t di, double *X, double *acc)
{
    const sb_judge_dataset *ds = &s->data.ds[di];
    for (size_t i = 0; i < ds->n_models; i++) {
        acc[i] = ds->acc[i];
        for (size_t k = 0; k < s->n_comb; k++)
            X[i * s->n_comb + k] = ds->value[i * s->data.n_scorers + s->comb[k]];
    }
    return 0;
}

int sb_judge_run_combine(sb_judge_state *s, size_t di, sb_buf *rec, sb_err *err)
{
    const sb_judge_dataset *ds = &s->data.ds[di];
    size_t n = ds->n_models, C = s->n_comb;
    double *X = sb_malloc(n * C * sizeof *X, "combination inputs", err);
    double *acc = sb_malloc(n * sizeof *acc, "accuracies", err);
    double *score = sb_malloc(n * sizeof *score, "zmean score", err);
    int rc = X && acc && score ? 0 : SB_ENOMEM;
    if (!rc)
        inputs(s, di, X, acc);
    sb_scorer_eval e;
    char why[600] = "";
    if (!rc && s->zmean) {
        rc = sb_combine_zmean(X, n, C, score, err);
        if (!rc)
            rc = sb_scorer_eval_dataset(score, acc, n, &e, err);
        if (rc)
            sb_wrap(err, "dataset %s, zmean: ", ds->name);
        else
            sb_judge_reasons(&e, why, sizeof why);
    }
    if (!rc) {
        sb_buf_put_str(rec, ds->name);
        sb_buf_put_u64(rec, n);
        sb_buf_put_u64(rec, C);
        for (size_t k = 0; k < C; k++)
            sb_buf_put_str(rec, s->data.scorers[s->comb[k]]);
        for (size_t i = 0; i < n; i++)
            sb_buf_put_f64(rec, acc[i]);
        for (size_t i = 0; i < n * C; i++)
            sb_buf_put_f64(rec, X[i]);
        sb_buf_put_u64(rec, (uint64_t)s->zmean);
        if (s->zmean) {
            for (size_t i = 0; i < n; i++)
                sb_buf_put_f64(rec, score[i]);
            double v[6] = {e.kendall_tau, e.weighted_tau, e.pearson, e.spearman, e.top1_regret, e.top1_relative};
            for (int k = 0; k < 6; k++)
                sb_buf_put_f64(rec, v[k]);
            sb_buf_put_str(rec, why);
        }
    }
    free(X);
    free(acc);
    free(score);
    return rc;
}

int sb_judge_run_bayes(sb_judge_state *s, long held, size_t chain, uint64_t seed, const char *key,
                       sb_buf *rec, sb_err *err)
{
    const sb_judge_data *d = &s->data;
    size_t C = s->n_comb, n = 0;
    int D = 0, held_id = -1;
    if (held >= 0 && !sb_judge_combine_ok(s, (size_t)held, NULL, 0))
        return sb_fail(err, SB_EINPUT, "%s: dataset %s cannot be combined", key, d->ds[held].name);
    for (size_t di = 0; di < d->n_datasets; di++)
        if (sb_judge_combine_ok(s, di, NULL, 0)) {
            n += d->ds[di].n_models;
            if ((long)di == held)
                held_id = D;
            D++;
        }
    double *X = sb_malloc(n * C * sizeof *X, "bayes inputs", err);
    double *Z = sb_malloc(n * C * sizeof *Z, "bayes inputs", err);
    double *acc = sb_malloc(n * sizeof *acc, "bayes accuracies", err);
    double *a = sb_malloc(n * sizeof *a, "bayes accuracies", err);
    int *g = sb_malloc(n * sizeof *g, "bayes dataset ids", err);
    double *w = sb_malloc((size_t)s->bayes_draws * C * sizeof *w, "Gibbs draws", err);
    int rc = X && Z && acc && a && g && w ? 0 : SB_ENOMEM;
    size_t r = 0;
    int id = 0;
    for (size_t di = 0; di < d->n_datasets && !rc; di++)
        if (sb_judge_combine_ok(s, di, NULL, 0)) {
            inputs(s, di, X + r * C, acc + r);
            for (size_t i = 0; i < d->ds[di].n_models; i++)
                g[r + i] = id;
            r += d->ds[di].n_models;
            id++;
        }
    if (!rc && !(rc = sb_zscore_by_group(X, n, C, g, Z, err)))
        rc = sb_zscore_by_group(acc, n, 1, g, a, err);
    sb_bayes_opts o;
    sb_bayes_defaults(&o);
    o.n_burn = (int)s->bayes_burn;
    o.n_keep = (int)s->bayes_draws;
    sb_bayes_problem p = {.Z = Z, .a = a, .dataset = g, .n = n, .n_scorers = C, .n_datasets = D,
                          .held_out = held_id};
    if (!rc && (rc = sb_bayes_chain(&p, &o, seed, sb_judge_stream(key), w, NULL, NULL, err)))
        sb_wrap(err, "%s: ", key);
    if (!rc) {
        sb_buf_put_str(rec, held >= 0 ? d->ds[held].name : "");
        sb_buf_put_u64(rec, chain);
        sb_buf_put_u64(rec, (uint64_t)o.n_keep);
        sb_buf_put_u64(rec, C);
        for (size_t k = 0; k < C; k++)
            sb_buf_put_str(rec, d->scorers[s->comb[k]]);
        for (size_t i = 0; i < (size_t)o.n_keep * C; i++)
            sb_buf_put_f64(rec, w[i]);
        size_t nho = 0;
        for (size_t i = 0; i < n; i++)
            nho += g[i] == held_id;
        sb_buf_put_u64(rec, nho);
        for (size_t i = 0; i < n; i++)
            if (g[i] == held_id)
                sb_buf_put_f64(rec, acc[i]);
        for (size_t i = 0; i < n; i++)
            if (g[i] == held_id)
                for (size_t k = 0; k < C; k++)
                    sb_buf_put_f64(rec, Z[i * C + k]);
    }
    free(X);
    free(Z);
    free(acc);
    free(a);
    free(g);
    free(w);
    return rc;
}

/* ---- finish -------------------------------------------------------------------------- */

typedef struct comb_ds {
    char *name;
    uint64_t n, C;
    char **names;    /* the C input scorers */
    double *acc, *X, *score, v[6];
    int has_zmean;
    char why[1024];
} comb_ds;

typedef struct bayes_fit {
    char *name;      /* "" for the fit on all datasets */
    size_t chains;
    uint64_t keep, C, nho;
    char **scorers;
    double **w;      /* per chain: keep × C */
    double *acc, *Z; /* held-out rows */
    int bad;
} bayes_fit;

static void free_comb(comb_ds *c)
{
    free(c->name);
    for (uint64_t k = 0; c->names && k < c->C; k++)
        free(c->names[k]);
    free(c->names);
    free(c->acc);
    free(c->X);
    free(c->score);
}

static void free_fit(bayes_fit *f)
{
    free(f->name);
    for (uint64_t k = 0; f->scorers && k < f->C; k++)
        free(f->scorers[k]);
    free(f->scorers);
    for (size_t c = 0; c < f->chains; c++)
        free(f->w[c]);
    free(f->w);
    free(f->acc);
    free(f->Z);
}

/* a × b doubles; NULL (bad set) unless all of them are in the bytes left. */
static double *get_f64s(sb_reader *r, uint64_t a, uint64_t b)
{
    if ((b && a > UINT64_MAX / b) || !sb_reader_has(r, a * b, 8)) {
        r->bad = 1;
        return NULL;
    }
    uint64_t n = a * b;
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        r->bad = 1;
        return NULL;
    }
    for (uint64_t i = 0; i < n; i++)
        v[i] = sb_get_f64(r);
    return v;
}

/* The finish code indexes every record's arrays with one C (the combined scorers) and reads the
 * zmean scores when zmean was asked for: a record that disagrees is corrupt. *C0 is the C of
 * the first record decoded (0 before it). */
static int same_c(uint64_t C, uint64_t *C0)
{
    if (C == 0 || (*C0 && C != *C0))
        return 0;
    *C0 = C;
    return 1;
}

static int decode_comb(const sb_record *rec, const sb_judge_state *s, uint64_t *C0, comb_ds *c)
{
    memset(c, 0, sizeof *c);
    sb_reader r;
    sb_reader_init(&r, rec->data, rec->len);
    c->name = sb_get_strdup(&r);
    c->n = sb_get_count(&r, 8, UINT64_MAX); /* n accuracies follow */
    c->C = sb_get_count(&r, 8, UINT64_MAX); /* C names follow, 8 bytes or more each */
    if (r.bad || !same_c(c->C, C0))
        return -1;
    if (!(c->names = calloc(c->C, sizeof *c->names)))
        return -1;
    for (uint64_t k = 0; k < c->C; k++)
        if (!(c->names[k] = sb_get_strdup(&r)))
            return -1;
    c->acc = get_f64s(&r, c->n, 1);
    c->X = get_f64s(&r, c->n, c->C);
    c->has_zmean = sb_get_u64(&r) == (uint64_t)s->zmean ? s->zmean : -1;
    if (c->has_zmean < 0)
        return -1;
    if (!r.bad && c->has_zmean) {
        c->score = get_f64s(&r, c->n, 1);
        for (int k = 0; k < 6; k++)
            c->v[k] = sb_get_f64(&r);
        sb_get_str(&r, c->why, sizeof c->why);
    }
    return r.bad ? -1 : 0;
}

/* Adds one chain record to its fit (records of a fit are consecutive in unit order). */
static int decode_chain(const sb_record *rec, const sb_judge_state *s, uint64_t *C0, bayes_fit *fits,
                        size_t *nfits)
{
    sb_reader r;
    sb_reader_init(&r, rec->data, rec->len);
    char *name = sb_get_strdup(&r);
    (void)sb_get_u64(&r);
    uint64_t keep = sb_get_u64(&r), C = sb_get_count(&r, 8, UINT64_MAX);
    if (r.bad || !name || keep != (uint64_t)s->bayes_draws || !same_c(C, C0)) {
        free(name);
        return -1;
    }
    bayes_fit *f = *nfits ? &fits[*nfits - 1] : NULL;
    if (!f || strcmp(f->name, name)) {
        f = &fits[(*nfits)++];
        memset(f, 0, sizeof *f);
        f->name = name;
        f->keep = keep;
        f->C = C;
        f->scorers = calloc(C, sizeof *f->scorers);
        f->w = calloc(64, sizeof *f->w);
        if (!f->scorers || !f->w)
            return -1;
        for (uint64_t k = 0; k < C; k++)
            f->scorers[k] = sb_get_strdup(&r);
    } else {
        free(name);
        if (f->chains >= 64)
            return -1;
        for (uint64_t k = 0; k < C; k++)
            free(sb_get_strdup(&r));
    }
    f->w[f->chains++] = get_f64s(&r, keep, C);
    uint64_t nho = sb_get_count(&r, 8, UINT64_MAX);
    double *acc = get_f64s(&r, nho, 1), *Z = get_f64s(&r, nho, C);
    if (!f->acc) {
        f->nho = nho;
        f->acc = acc;
        f->Z = Z;
    } else {
        free(acc);
        free(Z);
    }
    return r.bad ? -1 : 0;
}

enum { K_METHOD, K_DATASET, K_N, K_TAU, K_WTAU, K_PEARSON, K_SPEARMAN, K_REGRET, K_RELATIVE, K_BEST, K_BEST_TAU,
       K_RHAT, K_REASON, K_COUNT };

static int add_row(sb_table *t, const char *method, const char *dataset, uint64_t n, const double v[6],
                   const char *best, double best_tau, double rhat, const char *why, sb_err *err)
{
    size_t row;
    int rc;
    if ((rc = sb_table_add_row(t, &row, err)) || (rc = sb_table_set_str(t, row, K_METHOD, method, err)) ||
        (rc = sb_table_set_str(t, row, K_DATASET, dataset, err)) ||
        (rc = sb_table_set_str(t, row, K_BEST, best, err)) || (rc = sb_table_set_str(t, row, K_REASON, why, err)))
        return rc;
    sb_table_set_int(t, row, K_N, (int64_t)n);
    for (int k = 0; k < 6; k++)
        sb_table_set_num(t, row, K_TAU + k, v[k]);
    sb_table_set_num(t, row, K_BEST_TAU, best_tau);
    sb_table_set_num(t, row, K_RHAT, rhat);
    return 0;
}

/* The single input scorer with the highest Kendall τ on one dataset (first on ties). */
static int best_single(const comb_ds *c, const char **best, double *best_tau, sb_err *err)
{
    *best = "";
    *best_tau = NAN;
    double *x = sb_malloc((c->n ? c->n : 1) * sizeof *x, "scorer column", err);
    if (!x)
        return SB_ENOMEM;
    int rc = 0;
    for (uint64_t k = 0; k < c->C && !rc; k++) {
        for (uint64_t i = 0; i < c->n; i++)
            x[i] = c->X[i * c->C + k];
        double t, w;
        rc = sb_scorer_taus(x, c->acc, c->n, &t, &w, NULL, err);
        if (!rc && !isnan(t) && (isnan(*best_tau) || t > *best_tau)) {
            *best_tau = t;
            *best = c->names[k];
        }
    }
    free(x);
    return rc;
}

/* The same over all datasets of list (indices into cs), by the grouped τ. */
static int best_single_all(const comb_ds *cs, const size_t *list, size_t nl, const char **best,
                           double *best_tau, sb_err *err)
{
    *best = "";
    *best_tau = NAN;
    size_t total = 0;
    for (size_t j = 0; j < nl; j++)
        total += cs[list[j]].n;
    if (!nl)
        return 0;
    uint64_t C = cs[list[0]].C;
    double *x = sb_malloc((total ? total : 1) * sizeof *x, "scorer column", err);
    double *y = sb_malloc((total ? total : 1) * sizeof *y, "accuracies", err);
    int *g = sb_malloc((total ? total : 1) * sizeof *g, "dataset ids", err);
    int rc = x && y && g ? 0 : SB_ENOMEM;
    for (uint64_t k = 0; k < C && !rc; k++) {
        size_t m = 0;
        for (size_t j = 0; j < nl; j++)
            for (uint64_t i = 0; i < cs[list[j]].n; i++) {
                x[m] = cs[list[j]].X[i * C + k];
                y[m] = cs[list[j]].acc[i];
                g[m++] = (int)j;
            }
        double t, w;
        rc = sb_scorer_taus_grouped(x, y, g, m, &t, &w, NULL, err);
        if (!rc && !isnan(t) && (isnan(*best_tau) || t > *best_tau)) {
            *best_tau = t;
            *best = cs[list[0]].names[k];
        }
    }
    free(x);
    free(y);
    free(g);
    return rc;
}

/* Posterior mean, sd and split-R̂ of each w_s of a fit. */
static int summarise(const bayes_fit *f, double *mean, double *sd, double *rhat, sb_err *err)
{
    const double **ch = sb_malloc(f->chains * sizeof *ch, "chain pointers", err);
    if (!ch)
        return SB_ENOMEM;
    double cnt = (double)f->chains * (double)f->keep;
    for (uint64_t k = 0; k < f->C; k++) {
        double s = 0, ss = 0;
        for (size_t c = 0; c < f->chains; c++)
            for (uint64_t t = 0; t < f->keep; t++)
                s += f->w[c][t * f->C + k];
        mean[k] = s / cnt;
        for (size_t c = 0; c < f->chains; c++)
            for (uint64_t t = 0; t < f->keep; t++) {
                double dv = f->w[c][t * f->C + k] - mean[k];
                ss += dv * dv;
            }
        sd[k] = cnt > 1 ? sqrt(ss / (cnt - 1)) : NAN;
        for (size_t c = 0; c < f->chains; c++)
            ch[c] = f->w[c] + k;
        rhat[k] = sb_rhat_split(ch, f->chains, f->keep, f->C);
    }
    free(ch);
    return 0;
}

static double max_finite(const double *v, size_t n)
{
    double m = NAN;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]) && (isnan(m) || v[i] > m))
            m = v[i];
    return m;
}

static int bayes_tables(const sb_judge_state *s, bayes_fit *fits, size_t nf, const comb_ds *cs, size_t nc,
                        sb_table *tab, sb_table *wt, sb_err *err)
{
    int rc = 0;
    /* the aggregated row gathers the held-out predictions of every leave-one-out fit */
    size_t total = 0;
    for (size_t i = 0; i < nf; i++)
        total += fits[i].nho;
    double *px = sb_malloc((total ? total : 1) * sizeof *px, "predictions", err);
    double *py = sb_malloc((total ? total : 1) * sizeof *py, "accuracies", err);
    int *pg = sb_malloc((total ? total : 1) * sizeof *pg, "dataset ids", err);
    size_t *list = sb_malloc((nf ? nf : 1) * sizeof *list, "datasets", err);
    if (!px || !py || !pg || !list)
        rc = SB_ENOMEM;
    size_t m = 0, nl = 0;
    double rhat_all = NAN;
    for (size_t i = 0; i < nf && !rc; i++) {
        bayes_fit *f = &fits[i];
        if (f->chains != (size_t)s->chains)
            continue; /* a chain failed: failures.csv says why; no row from a partial fit */
        double *mean = sb_malloc(f->C * 3 * sizeof *mean, "posterior summaries", err);
        double *pred = sb_malloc((f->nho ? f->nho : 1) * sizeof *pred, "predictions", err);
        if (!mean || !pred) {
            free(mean);
            free(pred);
            rc = SB_ENOMEM;
            break;
        }
        double *sd = mean + f->C, *rhat = mean + 2 * f->C;
        rc = summarise(f, mean, sd, rhat, err);
        for (uint64_t k = 0; k < f->C && !rc; k++) {
            size_t row;
            if ((rc = sb_table_add_row(wt, &row, err)) ||
                (rc = sb_table_set_str(wt, row, 0, f->name[0] ? f->name : "(none)", err)) ||
                (rc = sb_table_set_str(wt, row, 1, f->scorers[k], err)))
                break;
            sb_table_set_num(wt, row, 2, mean[k]);
            sb_table_set_num(wt, row, 3, sd[k]);
            sb_table_set_num(wt, row, 4, rhat[k]);
        }
        double rmax = max_finite(rhat, f->C);
        if (!rc && f->name[0]) {
            sb_bayes_predict(mean, f->Z, f->nho, f->C, pred);
            sb_scorer_eval e;
            rc = sb_scorer_eval_dataset(pred, f->acc, f->nho, &e, err);
            if (rc)
                sb_wrap(err, "bayes, dataset %s: ", f->name);
            const char *best = "";
            double best_tau = NAN;
            for (size_t j = 0; j < nc && !rc; j++)
                if (!strcmp(cs[j].name, f->name)) {
                    rc = best_single(&cs[j], &best, &best_tau, err);
                    list[nl++] = j;
                }
            char why[600];
            if (!rc) {
                sb_judge_reasons(&e, why, sizeof why);
                double v[6] = {e.kendall_tau, e.weighted_tau, e.pearson, e.spearman, e.top1_regret,
                               e.top1_relative};
                rc = add_row(tab, "bayes", f->name, f->nho, v, best, best_tau, rmax, why, err);
            }
            for (uint64_t r = 0; r < f->nho && !rc; r++) {
                px[m] = pred[r];
                py[m] = f->acc[r];
                pg[m++] = (int)i;
            }
            if (!isnan(rmax) && (isnan(rhat_all) || rmax > rhat_all))
                rhat_all = rmax;
        }
        free(mean);
        free(pred);
    }
    if (!rc && m) {
        double v[6] = {NAN, NAN, NAN, NAN, NAN, NAN};
        const char *why = NULL, *best = "";
        double best_tau = NAN;
        rc = sb_scorer_taus_grouped(px, py, pg, m, &v[0], &v[1], &why, err);
        if (!rc)
            rc = best_single_all(cs, list, nl, &best, &best_tau, err);
        char reason[600] = "";
        if (why)
            snprintf(reason, sizeof reason, "kendall_tau, weighted_tau: %s", why);
        if (!rc)
            rc = add_row(tab, "bayes", "ALL", m, v, best, best_tau, rhat_all, reason, err);
    }
    free(px);
    free(py);
    free(pg);
    free(list);
    return rc;
}

int sb_judge_combination(const sb_judge_state *s, const sb_unit *units, const sb_record *records,
                         size_t n, sb_tables *out, sb_err *err)
{
    if (!s->zmean && !s->bayes)
        return 0;
    static const char *const cols[K_COUNT] = {"method", "dataset", "n_models", "kendall_tau", "weighted_tau",
                                              "pearson", "spearman", "top1_regret", "top1_relative",
                                              "best_scorer", "best_scorer_tau", "rhat_max", "reason"};
    static const char *const wcols[5] = {"held_out", "scorer", "w_mean", "w_sd", "rhat"};
    sb_table *tab, *wt = NULL;
    int rc = sb_tables_add(out, "combination", K_COUNT, cols, &tab, err);
    if (!rc && s->bayes && !(rc = sb_tables_add(out, "combination_weights", 5, wcols, &wt, err)))
        tab = &out->t[out->n - 2]; /* adding a table may move the others */
    comb_ds *cs = calloc(n ? n : 1, sizeof *cs);
    bayes_fit *fits = calloc(n ? n : 1, sizeof *fits);
    size_t nc = 0, nf = 0;
    uint64_t C0 = 0;
    if (!cs || !fits)
        rc = sb_fail(err, SB_ENOMEM, "out of memory finishing the combination");
    for (size_t i = 0; i < n && !rc; i++) {
        int kind = SB_JUDGE_KIND(units[i].arg);
        if (records[i].failed || !records[i].data)
            continue;
        if (kind == SB_JU_COMBINE) {
            if (decode_comb(&records[i], s, &C0, &cs[nc++]))
                rc = sb_fail(err, SB_EINPUT, "journal record of unit %s is corrupt", units[i].key);
        } else if (kind == SB_JU_BAYES) {
            if (decode_chain(&records[i], s, &C0, fits, &nf))
                rc = sb_fail(err, SB_EINPUT, "journal record of unit %s is corrupt", units[i].key);
        }
    }
    if (!rc && s->zmean) {
        size_t *list = sb_malloc((nc ? nc : 1) * sizeof *list, "datasets", err);
        if (!list)
            rc = SB_ENOMEM;
        size_t total = 0;
        for (size_t j = 0; j < nc; j++)
            total += cs[j].n;
        double *x = sb_malloc((total ? total : 1) * sizeof *x, "zmean scores", err);
        double *y = sb_malloc((total ? total : 1) * sizeof *y, "accuracies", err);
        int *g = sb_malloc((total ? total : 1) * sizeof *g, "dataset ids", err);
        if (!x || !y || !g)
            rc = SB_ENOMEM;
        size_t m = 0;
        for (size_t j = 0; j < nc && !rc; j++) {
            const char *best;
            double best_tau;
            rc = best_single(&cs[j], &best, &best_tau, err);
            if (!rc)
                rc = add_row(tab, "zmean", cs[j].name, cs[j].n, cs[j].v, best, best_tau, NAN, cs[j].why, err);
            list[j] = j;
            for (uint64_t i = 0; i < cs[j].n; i++) {
                x[m] = cs[j].score[i];
                y[m] = cs[j].acc[i];
                g[m++] = (int)j;
            }
        }
        if (!rc && nc) {
            double v[6] = {NAN, NAN, NAN, NAN, NAN, NAN}, best_tau;
            const char *why = NULL, *best;
            rc = sb_scorer_taus_grouped(x, y, g, m, &v[0], &v[1], &why, err);
            if (!rc)
                rc = best_single_all(cs, list, nc, &best, &best_tau, err);
            char reason[600] = "";
            if (why)
                snprintf(reason, sizeof reason, "kendall_tau, weighted_tau: %s", why);
            if (!rc)
                rc = add_row(tab, "zmean", "ALL", m, v, best, best_tau, NAN, reason, err);
        }
        free(list);
        free(x);
        free(y);
        free(g);
    }
    if (!rc && s->bayes)
        rc = bayes_tables(s, fits, nf, cs, nc, tab, wt, err);
    for (size_t j = 0; j < nc; j++)
        free_comb(&cs[j]);
    for (size_t j = 0; j < nf; j++)
        free_fit(&fits[j]);
    free(cs);
    free(fits);
    return rc;
}
