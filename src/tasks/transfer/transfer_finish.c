/* transfer_finish.c — the transfer task's tables from its records: scores (formats.md plus a
 * reason column), truth (when the manifest has accuracies) and components (the raw components
 * of the scorers that have them, specs/scorers4.md). Values of combined scorers (ncti, etran)
 * are made here, per dataset over its models whose components are defined: a model's value
 * depends on the dataset's other models in the run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/transfer/transfer_state.h"

typedef struct cell {
    double v, secs, parts[SB_SCORER_MAX_PARTS];
    size_t np;
    char *why;       /* why the value is empty (NULL: defined) */
    char *part_why;  /* why undefined components are (NULL: all defined) */
} cell;

typedef struct decoded {
    size_t n, k;
    cell *cells;          /* n × k */
    unsigned char *have;  /* unit i decoded (ran, record intact) */
} decoded;

static void decoded_free(decoded *d)
{
    for (size_t i = 0; d->cells && i < d->n * d->k; i++) {
        free(d->cells[i].why);
        free(d->cells[i].part_why);
    }
    free(d->cells);
    free(d->have);
}

static char *dup_or_null(const char *s)
{
    return s && s[0] ? strdup(s) : NULL;
}

/* One record into row i of d; names must match the job's scorers. */
static int decode_one(const transfer_state *s, const sb_unit *u, const sb_record *r, cell *row, sb_err *err)
{
    sb_reader rd;
    sb_reader_init(&rd, r->data, r->len);
    sb_get_u64(&rd);
    sb_get_u64(&rd);
    sb_get_u64(&rd);
    uint64_t k = sb_get_count(&rd, 40, UINT64_MAX); /* name, value, seconds, reason, count */
    if (!rd.bad && k != s->n_sel)
        return sb_fail(err, SB_EINPUT, "journal record of %s has %llu scorers, the job %zu (changed since the run?)",
                       u->key, (unsigned long long)k, s->n_sel);
    for (size_t j = 0; j < k && !rd.bad; j++) {
        char name[64], reason[256];
        cell *c = &row[j];
        sb_get_str(&rd, name, sizeof name);
        c->v = sb_get_f64(&rd);
        c->secs = sb_get_f64(&rd);
        sb_get_str(&rd, reason, sizeof reason);
        c->np = (size_t)sb_get_count(&rd, 8, SB_SCORER_MAX_PARTS);
        for (size_t p = 0; p < c->np && !rd.bad; p++)
            c->parts[p] = sb_get_f64(&rd);
        const sb_scorer *sc = s->sel[j];
        if (!rd.bad && (strcmp(name, sc ? sc->name : "imagenet_acc") || c->np != (sc ? sb_scorer_n_parts(sc) : 0)))
            return sb_fail(err, SB_EINPUT, "journal record of %s: scorer %zu is '%s', the job's is '%s'", u->key, j,
                           name, sc ? sc->name : "imagenet_acc");
        c->part_why = dup_or_null(reason);
        c->why = isfinite(c->v) ? NULL : dup_or_null(reason);
        if ((reason[0] && !c->part_why) || (reason[0] && !isfinite(c->v) && !c->why))
            return sb_fail(err, SB_ENOMEM, "out of memory decoding %s", u->key);
    }
    if (rd.bad)
        return sb_fail(err, SB_EINPUT, "journal record of %s is corrupt", u->key);
    return 0;
}

static int decode_all(const transfer_state *s, const sb_unit *units, const sb_record *records, size_t n,
                      decoded *d, sb_err *err)
{
    d->n = n;
    d->k = s->n_sel;
    d->cells = calloc(n * d->k + 1, sizeof *d->cells);
    d->have = calloc(n + 1, 1);
    if (!d->cells || !d->have)
        return sb_fail(err, SB_ENOMEM, "out of memory decoding %zu transfer records", n);
    for (size_t i = 0; i < n; i++) {
        if (units[i].arg < 0 || (uint64_t)units[i].arg >= s->m.n)
            return sb_fail(err, SB_EINPUT, "unit %s: pair %lld is not in the manifest %s (changed since the plan?)",
                           units[i].key, (long long)units[i].arg, s->m.path);
        if (!records[i].data || records[i].failed)
            continue;
        int rc = decode_one(s, &units[i], &records[i], d->cells + i * d->k, err);
        if (rc)
            return rc;
        d->have[i] = 1;
    }
    return 0;
}

typedef struct ds_ref {
    const char *ds;
    size_t i;
} ds_ref;

static int by_dataset(const void *a, const void *b)
{
    const ds_ref *x = a, *y = b;
    int c = strcmp(x->ds, y->ds);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Scorer j over the models of one dataset: group[0..m) are unit indices in unit order. */
static int combine_group(const transfer_state *s, decoded *d, size_t j, const ds_ref *group, size_t m,
                         sb_err *err)
{
    const sb_scorer *sc = s->sel[j];
    size_t np = sb_scorer_n_parts(sc);
    double w[SB_SCORER_MAX_PARTS] = {0};
    sc->combine_weights(&s->params, w);
    double *parts = calloc(m * np + 1, sizeof *parts), *values = calloc(m + 1, sizeof *values);
    unsigned char *ran = calloc(m + 1, 1);
    const char **part_why = calloc(m + 1, sizeof *part_why);
    char **why = calloc(m + 1, sizeof *why);
    int rc = parts && values && ran && part_why && why ? 0 : sb_fail(err, SB_ENOMEM, "out of memory combining %s", sc->name);
    for (size_t g = 0; !rc && g < m; g++) {
        const cell *c = &d->cells[group[g].i * d->k + j];
        ran[g] = d->have[group[g].i];
        for (size_t p = 0; p < np; p++)
            parts[g * np + p] = ran[g] ? c->parts[p] : NAN;
        part_why[g] = c->part_why;
    }
    sb_combine_in in = {sc->name, group[0].ds, sc->components, np, w, m, parts, ran, part_why};
    if (!rc)
        rc = sb_combine_minmax(&in, values, why, err);
    for (size_t g = 0; !rc && g < m; g++) {
        cell *c = &d->cells[group[g].i * d->k + j];
        c->v = values[g];
        free(c->why);
        c->why = why[g];
        why[g] = NULL;
    }
    for (size_t g = 0; why && g < m; g++)
        free(why[g]);
    free(parts), free(values), free(ran), free(part_why), free(why);
    return rc;
}

static int combine_all(const transfer_state *s, const sb_unit *units, decoded *d, sb_err *err)
{
    ds_ref *refs = malloc((d->n + 1) * sizeof *refs);
    if (!refs)
        return sb_fail(err, SB_ENOMEM, "out of memory combining scores");
    for (size_t i = 0; i < d->n; i++)
        refs[i] = (ds_ref){s->m.rows[units[i].arg].dataset, i};
    qsort(refs, d->n, sizeof *refs, by_dataset);
    int rc = 0;
    for (size_t j = 0; j < d->k && !rc; j++) {
        if (!s->sel[j] || !s->sel[j]->combine_weights)
            continue;
        for (size_t a = 0, b; a < d->n && !rc; a = b) {
            for (b = a + 1; b < d->n && !strcmp(refs[a].ds, refs[b].ds);)
                b++;
            rc = combine_group(s, d, j, refs + a, b - a, err);
        }
    }
    free(refs);
    return rc;
}

/* Appends a row that starts with the pair's dataset and model. */
static int row_start(sb_table *t, const sb_manifest_row *r, size_t *row, sb_err *err)
{
    int rc = sb_table_add_row(t, row, err);
    if (!rc)
        rc = sb_table_set_str(t, *row, 0, r->dataset, err);
    if (!rc)
        rc = sb_table_set_str(t, *row, 1, r->model, err);
    return rc;
}

static int emit_scores(const transfer_state *s, const sb_manifest_row *r, const cell *row, sb_table *t, sb_err *err)
{
    int rc = 0;
    for (size_t j = 0; j < s->n_sel && !rc; j++) {
        size_t i;
        if ((rc = row_start(t, r, &i, err)) ||
            (rc = sb_table_set_str(t, i, 2, s->sel[j] ? s->sel[j]->name : "imagenet_acc", err)))
            break;
        sb_table_set_num(t, i, 3, row[j].v);
        sb_table_set_num(t, i, 4, row[j].secs);
        if (row[j].why && !isfinite(row[j].v))
            rc = sb_table_set_str(t, i, 5, row[j].why, err);
    }
    return rc;
}

/* Components rows of one pair: scorers in table order, components in each scorer's order. */
static int emit_components(const transfer_state *s, const sb_manifest_row *r, const cell *row, sb_table *t,
                           sb_err *err)
{
    int rc = 0;
    for (size_t g = 0; g < sb_n_scorers && !rc; g++)
        for (size_t j = 0; j < s->n_sel && !rc; j++) {
            if (s->sel[j] != sb_scorers[g])
                continue;
            for (size_t p = 0; p < row[j].np && !rc; p++) {
                size_t i;
                if ((rc = row_start(t, r, &i, err)) || (rc = sb_table_set_str(t, i, 2, sb_scorers[g]->name, err)) ||
                    (rc = sb_table_set_str(t, i, 3, sb_scorers[g]->components[p], err)))
                    break;
                sb_table_set_num(t, i, 4, row[j].parts[p]);
                if (!isfinite(row[j].parts[p]) && row[j].part_why)
                    rc = sb_table_set_str(t, i, 5, row[j].part_why, err);
            }
        }
    return rc;
}

static int add_tables(const transfer_state *s, sb_tables *out, sb_table **scores, sb_table **truth,
                      sb_table **comps, sb_err *err)
{
    const char *scols[] = {"dataset", "model", "scorer", "value", "seconds", "reason"};
    const char *tcols[] = {"dataset", "model", "accuracy"};
    const char *ccols[] = {"dataset", "model", "scorer", "component", "value", "reason"};
    int any_parts = 0;
    for (size_t j = 0; j < s->n_sel; j++)
        any_parts |= s->sel[j] && s->sel[j]->components;
    *truth = *comps = NULL;
    int rc = sb_tables_add(out, "scores", 6, scols, scores, err);
    if (!rc && s->m.has_accuracy)
        rc = sb_tables_add(out, "truth", 3, tcols, truth, err);
    if (!rc && any_parts)
        rc = sb_tables_add(out, "components", 6, ccols, comps, err);
    /* adding a table may move the earlier ones */
    for (size_t i = 0; !rc && i < out->n; i++) {
        sb_table *t = &out->t[i];
        if (!strcmp(t->name, "scores"))
            *scores = t;
        else if (!strcmp(t->name, "truth"))
            *truth = t;
        else if (!strcmp(t->name, "components"))
            *comps = t;
    }
    return rc;
}

int sb_transfer_finish(sb_task_ctx *t, const sb_unit *units, const sb_record *records, size_t n, sb_tables *out,
                       sb_err *err)
{
    transfer_state *s = t->state;
    sb_table *scores, *truth, *comps;
    decoded d = {0};
    int rc = add_tables(s, out, &scores, &truth, &comps, err);
    if (!rc)
        rc = decode_all(s, units, records, n, &d, err);
    if (!rc)
        rc = combine_all(s, units, &d, err);
    for (size_t i = 0; i < n && !rc; i++) {
        const sb_manifest_row *r = &s->m.rows[units[i].arg];
        if (truth && isfinite(r->accuracy)) {
            size_t row;
            if (!(rc = row_start(truth, r, &row, err)))
                sb_table_set_num(truth, row, 2, r->accuracy);
        }
        if (!rc && d.have[i])
            rc = emit_scores(s, r, d.cells + i * d.k, scores, err);
        if (!rc && d.have[i] && comps)
            rc = emit_components(s, r, d.cells + i * d.k, comps, err);
    }
    decoded_free(&d);
    return rc;
}
