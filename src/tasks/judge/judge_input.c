/* judge_input.c — reads the scores and truth CSVs and joins them cell by cell. */
#include "tasks/judge/judge_input.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv_read.h"

/* One row of either table, after the lookup of its dataset and scorer. */
typedef struct entry {
    size_t d;          /* dataset index */
    const char *model;
    size_t s;          /* scorer index (scores) or 0 (truth) */
    size_t row;        /* row of its table, for the line in messages */
    double v;          /* NaN when the field is not a finite number */
} entry;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_entry(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    if (a->d != b->d)
        return a->d < b->d ? -1 : 1;
    int c = strcmp(a->model, b->model);
    if (c)
        return c;
    if (a->s != b->s)
        return a->s < b->s ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

static long find_name(char *const *names, size_t n, const char *name)
{
    char *const *p = bsearch(&name, names, n, sizeof *names, cmp_str);
    return p ? (long)(p - names) : -1;
}

long sb_judge_scorer_index(const sb_judge_data *d, const char *name)
{
    return find_name(d->scorers, d->n_scorers, name);
}

long sb_judge_dataset_index(const sb_judge_data *d, const char *name)
{
    for (size_t i = 0; i < d->n_datasets; i++)
        if (!strcmp(d->ds[i].name, name))
            return (long)i;
    return -1;
}

static int add_note(sb_judge_dataset *ds, sb_err *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int add_note(sb_judge_dataset *ds, sb_err *err, const char *fmt, ...)
{
    char buf[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **n = realloc(ds->notes, (ds->n_notes + 1) * sizeof *n);
    if (!n)
        return sb_fail(err, SB_ENOMEM, "out of memory noting input problems");
    ds->notes = n;
    if (!(n[ds->n_notes] = strdup(buf)))
        return sb_fail(err, SB_ENOMEM, "out of memory noting input problems");
    ds->n_notes++;
    return 0;
}

/* Sorted distinct copies of the strings of column col of one or two tables. */
static int distinct(const sb_csv *a, size_t ca, const sb_csv *b, size_t cb, char ***out, size_t *n,
                    sb_err *err)
{
    size_t total = a->nrows + (b ? b->nrows : 0), k = 0;
    char **v = sb_malloc((total ? total : 1) * sizeof *v, "distinct names", err);
    if (!v)
        return SB_ENOMEM;
    for (size_t r = 0; r < a->nrows; r++)
        v[k++] = (char *)sb_csv_get(a, r, ca);
    for (size_t r = 0; b && r < b->nrows; r++)
        v[k++] = (char *)sb_csv_get(b, r, cb);
    qsort(v, k, sizeof *v, cmp_str);
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (!m || strcmp(v[m - 1], v[i]))
            v[m++] = v[i];
    for (size_t i = 0; i < m; i++)
        if (!(v[i] = strdup(v[i]))) {
            for (size_t j = 0; j < i; j++)
                free(v[j]);
            free(v);
            return sb_fail(err, SB_ENOMEM, "out of memory copying names");
        }
    *out = v;
    *n = m;
    return 0;
}

static int nonempty(const sb_csv *t, size_t col, const char *what, sb_err *err)
{
    for (size_t r = 0; r < t->nrows; r++)
        if (!sb_csv_get(t, r, col)[0])
            return sb_fail(err, SB_EINPUT, "%s line %zu: the %s field (column %s) is empty", t->path,
                           t->line[r], what, t->header[col]);
    return 0;
}

/* Reads column vcol of the rows of t into entries, noting fields that are not numbers. */
static void fill_entries(const sb_csv *t, size_t dcol, size_t mcol, long scol, size_t vcol,
                         const sb_judge_data *d, entry *e)
{
    for (size_t r = 0; r < t->nrows; r++) {
        e[r].d = (size_t)sb_judge_dataset_index(d, sb_csv_get(t, r, dcol));
        e[r].model = sb_csv_get(t, r, mcol);
        e[r].s = scol < 0 ? 0 : (size_t)sb_judge_scorer_index(d, sb_csv_get(t, r, (size_t)scol));
        e[r].row = r;
        sb_err ignore;
        if (sb_csv_number(t, r, vcol, &e[r].v, &ignore))
            e[r].v = NAN;
    }
}

/* Walks a run [first, last) of entries of one cell: returns the agreed finite value, or NaN
 * after noting why there is none. */
static int resolve_cell(const sb_csv *t, const entry *e, size_t first, size_t last, size_t vcol,
                        sb_judge_dataset *ds, const char *what, double *out, sb_err *err)
{
    *out = NAN;
    for (size_t i = first; i < last; i++)
        if (!isfinite(e[i].v))
            return add_note(ds, err, "%s line %zu: %s '%s' is not a finite number; %s of model %s "
                            "left out", t->path, t->line[e[i].row], t->header[vcol],
                            sb_csv_get(t, e[i].row, vcol), what, e[i].model);
    for (size_t i = first + 1; i < last; i++)
        if (e[i].v != e[first].v)
            return add_note(ds, err, "%s lines %zu and %zu disagree on %s of model %s (%s vs %s); "
                            "left out", t->path, t->line[e[first].row], t->line[e[i].row], what,
                            e[i].model, sb_csv_get(t, e[first].row, vcol), sb_csv_get(t, e[i].row, vcol));
    *out = e[first].v;
    return 0;
}

typedef struct cell_acc {
    const char *model;
    double acc; /* NaN: noted as bad */
} cell_acc;

static int join_dataset(sb_judge_data *d, size_t di, const sb_csv *S, const entry *se, size_t s0, size_t s1,
                        size_t vcol, const sb_csv *T, const entry *te, size_t t0, size_t t1, size_t acol,
                        sb_err *err)
{
    sb_judge_dataset *ds = &d->ds[di];
    size_t ns = d->n_scorers;
    int rc = 0;
    ds->n_values = sb_calloc(ns ? ns : 1, sizeof *ds->n_values, "scorer counts", err);
    ds->has_rows = sb_calloc(ns ? ns : 1, sizeof *ds->has_rows, "scorer presence", err);
    if (!ds->n_values || !ds->has_rows)
        return SB_ENOMEM;
    for (size_t i = s0; i < s1; i++)
        ds->has_rows[se[i].s] = 1;
    if (s0 == s1)
        return add_note(ds, err, "dataset %s has accuracies in %s but no scores in %s", ds->name, T->path,
                        S->path);
    if (t0 == t1)
        return add_note(ds, err, "dataset %s has scores in %s but no accuracies in %s", ds->name, S->path,
                        T->path);
    /* accuracies, one per model */
    size_t nt = 0;
    cell_acc *acc = sb_malloc((t1 - t0) * sizeof *acc, "accuracies", err);
    size_t cap = s1 - s0;
    ds->models = sb_calloc(cap, sizeof *ds->models, "model names", err);
    ds->acc = sb_malloc(cap * sizeof *ds->acc, "accuracies", err);
    ds->value = sb_malloc(cap * (ns ? ns : 1) * sizeof *ds->value, "scorer values", err);
    if (!acc || !ds->models || !ds->acc || !ds->value) {
        free(acc);
        return SB_ENOMEM;
    }
    char what[600];
    snprintf(what, sizeof what, "the accuracy (dataset %s)", ds->name);
    for (size_t i = t0; i < t1 && !rc;) {
        size_t j = i;
        while (j < t1 && !strcmp(te[j].model, te[i].model))
            j++;
        acc[nt].model = te[i].model;
        rc = resolve_cell(T, te, i, j, acol, ds, what, &acc[nt].acc, err);
        nt++;
        i = j;
    }
    /* models of the scores, merged with the accuracies (both sorted by model) */
    size_t ti = 0;
    double *row = sb_malloc((ns ? ns : 1) * sizeof *row, "scorer values", err);
    if (!row)
        rc = SB_ENOMEM;
    for (size_t i = s0; i < s1 && !rc;) {
        size_t j = i;
        while (j < s1 && !strcmp(se[j].model, se[i].model))
            j++;
        const char *model = se[i].model;
        for (; ti < nt && strcmp(acc[ti].model, model) < 0 && !rc; ti++)
            if (isfinite(acc[ti].acc))
                rc = add_note(ds, err, "%s: model %s of dataset %s has an accuracy but no scores in %s; left out",
                              T->path, acc[ti].model, ds->name, S->path);
        int have_acc = ti < nt && !strcmp(acc[ti].model, model);
        double a = have_acc ? acc[ti].acc : NAN;
        if (have_acc)
            ti++;
        else if (!rc)
            rc = add_note(ds, err, "%s line %zu: model %s of dataset %s has scores but no accuracy in %s; left out",
                          S->path, S->line[se[i].row], model, ds->name, T->path);
        for (size_t s = 0; s < ns; s++)
            row[s] = NAN;
        int any = 0;
        for (size_t k = i; k < j && !rc;) {
            size_t l = k;
            while (l < j && se[l].s == se[k].s)
                l++;
            char w[600];
            snprintf(w, sizeof w, "the %s value (dataset %s)", d->scorers[se[k].s], ds->name);
            rc = resolve_cell(S, se, k, l, vcol, ds, w, &row[se[k].s], err);
            any |= isfinite(row[se[k].s]);
            k = l;
        }
        if (!rc && any && isfinite(a)) {
            size_t m = ds->n_models++;
            if (!(ds->models[m] = strdup(model)))
                rc = sb_fail(err, SB_ENOMEM, "out of memory copying model names");
            ds->acc[m] = a;
            for (size_t s = 0; s < ns; s++) {
                ds->value[m * ns + s] = row[s];
                if (isfinite(row[s]))
                    ds->n_values[s]++;
            }
            /* a scorer the dataset has but this model lacks (a bad value is noted already) */
            for (size_t s = 0; s < ns && !rc; s++) {
                int listed = 0;
                for (size_t k = i; k < j; k++)
                    listed |= se[k].s == s;
                if (ds->has_rows[s] && !listed)
                    rc = add_note(ds, err, "%s: dataset %s, model %s has no %s value (other models have one)",
                                  S->path, ds->name, model, d->scorers[s]);
            }
        }
        i = j;
    }
    for (; ti < nt && !rc; ti++)
        if (isfinite(acc[ti].acc))
            rc = add_note(ds, err, "%s: model %s of dataset %s has an accuracy but no scores in %s; left out",
                          T->path, acc[ti].model, ds->name, S->path);
    free(row);
    free(acc);
    return rc;
}

int sb_judge_read(sb_judge_data *d, const char *scores_path, const char *truth_path,
                  const sb_judge_cols *c, sb_err *err)
{
    memset(d, 0, sizeof *d);
    sb_csv S, T;
    memset(&S, 0, sizeof S);
    memset(&T, 0, sizeof T);
    entry *se = NULL, *te = NULL;
    size_t sd, sm, ss, sv, td, tm, ta;
    int rc = sb_csv_read(&S, scores_path, err);
    if (!rc)
        rc = sb_csv_read(&T, truth_path, err);
    if (!rc && ((rc = sb_csv_col(&S, c->dataset, &sd, err)) || (rc = sb_csv_col(&S, c->model, &sm, err)) ||
                (rc = sb_csv_col(&S, c->scorer, &ss, err)) || (rc = sb_csv_col(&S, c->value, &sv, err)) ||
                (rc = sb_csv_col(&T, c->dataset, &td, err)) || (rc = sb_csv_col(&T, c->model, &tm, err)) ||
                (rc = sb_csv_col(&T, c->accuracy, &ta, err))))
        sb_wrap(err, "the column options (--dataset-col, --model-col, --scorer-col, --value-col, "
                     "--accuracy-col) name columns that are missing: ");
    if (!rc && S.nrows == 0)
        rc = sb_fail(err, SB_EINPUT, "%s has no data rows", S.path);
    if (!rc && T.nrows == 0)
        rc = sb_fail(err, SB_EINPUT, "%s has no data rows", T.path);
    if (!rc && !(rc = nonempty(&S, sd, "dataset", err)) && !(rc = nonempty(&S, sm, "model", err)) &&
        !(rc = nonempty(&S, ss, "scorer", err)) && !(rc = nonempty(&T, td, "dataset", err)))
        rc = nonempty(&T, tm, "model", err);
    char **dn = NULL;
    size_t nd = 0;
    if (!rc)
        rc = distinct(&S, sd, &T, td, &dn, &nd, err);
    if (!rc)
        rc = distinct(&S, ss, NULL, 0, &d->scorers, &d->n_scorers, err);
    if (!rc) {
        d->ds = sb_calloc(nd, sizeof *d->ds, "datasets", err);
        if (!d->ds) {
            for (size_t i = 0; i < nd; i++)
                free(dn[i]);
            rc = SB_ENOMEM;
        } else {
            d->n_datasets = nd;
            for (size_t i = 0; i < nd; i++)
                d->ds[i].name = dn[i];
        }
        free(dn);
    }
    for (size_t i = 0; !rc && i < d->n_datasets; i++)
        if (!strcmp(d->ds[i].name, "ALL"))
            rc = sb_fail(err, SB_EINPUT, "%s: a dataset is named ALL, which the leaderboard reserves for the "
                         "aggregated rows; rename it", S.path);
    if (!rc) {
        se = sb_malloc(S.nrows * sizeof *se, "score rows", err);
        te = sb_malloc(T.nrows * sizeof *te, "truth rows", err);
        if (!se || !te)
            rc = SB_ENOMEM;
    }
    if (!rc) {
        fill_entries(&S, sd, sm, (long)ss, sv, d, se);
        fill_entries(&T, td, tm, -1, ta, d, te);
        qsort(se, S.nrows, sizeof *se, cmp_entry);
        qsort(te, T.nrows, sizeof *te, cmp_entry);
    }
    size_t s0 = 0, t0 = 0;
    for (size_t di = 0; !rc && di < d->n_datasets; di++) {
        size_t s1 = s0, t1 = t0;
        while (s1 < S.nrows && se[s1].d == di)
            s1++;
        while (t1 < T.nrows && te[t1].d == di)
            t1++;
        rc = join_dataset(d, di, &S, se, s0, s1, sv, &T, te, t0, t1, ta, err);
        s0 = s1;
        t0 = t1;
    }
    free(se);
    free(te);
    sb_csv_free(&S);
    sb_csv_free(&T);
    if (rc)
        sb_judge_data_free(d);
    return rc;
}

void sb_judge_data_free(sb_judge_data *d)
{
    for (size_t i = 0; i < d->n_datasets; i++) {
        sb_judge_dataset *ds = &d->ds[i];
        free(ds->name);
        for (size_t m = 0; m < ds->n_models; m++)
            free(ds->models[m]);
        free(ds->models);
        free(ds->acc);
        free(ds->value);
        free(ds->n_values);
        free(ds->has_rows);
        for (size_t k = 0; k < ds->n_notes; k++)
            free(ds->notes[k]);
        free(ds->notes);
    }
    free(d->ds);
    for (size_t s = 0; s < d->n_scorers; s++)
        free(d->scorers[s]);
    free(d->scorers);
    memset(d, 0, sizeof *d);
}
