#include "tasks/transfer/manifest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/options.h"
#include "io/csv_read.h"

void sb_manifest_free(sb_manifest *m)
{
    free(m->rows);
    memset(m, 0, sizeof *m);
}

static int optional_number(const sb_csv *t, size_t r, long col, double *out, sb_err *err)
{
    *out = NAN;
    if (col < 0 || !sb_csv_get(t, r, (size_t)col)[0])
        return 0;
    return sb_csv_number(t, r, (size_t)col, out, err);
}

int sb_manifest_read(sb_manifest *m, const char *path, sb_err *err)
{
    memset(m, 0, sizeof *m);
    snprintf(m->path, sizeof m->path, "%s", path);
    sb_csv t;
    int rc = sb_csv_read(&t, path, err);
    if (rc)
        return rc;
    size_t cd, cm, cp;
    long ca = -1, ci = -1;
    if ((rc = sb_csv_col(&t, "dataset", &cd, err)) || (rc = sb_csv_col(&t, "model", &cm, err)) ||
        (rc = sb_csv_col(&t, "path", &cp, err))) {
        sb_csv_free(&t);
        return rc;
    }
    for (size_t c = 0; c < t.ncols; c++) {
        if (!strcmp(t.header[c], "accuracy"))
            ca = (long)c;
        if (!strcmp(t.header[c], "imagenet_acc"))
            ci = (long)c;
    }
    m->has_accuracy = ca >= 0;
    m->has_imagenet = ci >= 0;
    char dir[1024];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    m->rows = calloc(t.nrows ? t.nrows : 1, sizeof *m->rows);
    if (!m->rows)
        rc = sb_fail(err, SB_ENOMEM, "%s: out of memory", path);
    for (size_t r = 0; r < t.nrows && !rc; r++) {
        sb_manifest_row *row = &m->rows[r];
        const char *d = sb_csv_get(&t, r, cd), *mo = sb_csv_get(&t, r, cm), *p = sb_csv_get(&t, r, cp);
        if (!d[0] || !mo[0] || !p[0]) {
            rc = sb_fail(err, SB_EINPUT, "%s line %zu: dataset, model and path must not be empty", path, t.line[r]);
            break;
        }
        if (strchr(d, '/') || strchr(mo, '/')) {
            rc = sb_fail(err, SB_EINPUT, "%s line %zu: dataset and model names may not contain '/'", path, t.line[r]);
            break;
        }
        snprintf(row->dataset, sizeof row->dataset, "%s", d);
        snprintf(row->model, sizeof row->model, "%s", mo);
        sb_path_join(dir, p, row->path, sizeof row->path);
        if ((rc = optional_number(&t, r, ca, &row->accuracy, err)) || (rc = optional_number(&t, r, ci, &row->imagenet_acc, err)))
            break;
        for (size_t q = 0; q < r; q++)
            if (!strcmp(m->rows[q].dataset, d) && !strcmp(m->rows[q].model, mo)) {
                rc = sb_fail(err, SB_EINPUT, "%s lines %zu and %zu: the pair (%s, %s) appears twice", path, t.line[q],
                             t.line[r], d, mo);
                break;
            }
        m->n++;
    }
    if (!rc && m->n == 0)
        rc = sb_fail(err, SB_EINPUT, "%s: the manifest lists no pair", path);
    sb_csv_free(&t);
    if (rc)
        sb_manifest_free(m);
    return rc;
}
