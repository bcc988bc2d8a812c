/* transfer_combine.c — cross-model min-max combination of a scorer's raw components over one
 * dataset's models (specs/scorers4.md, "Cross-model combination"): NCTI's mm(b)+mm(a)−mm(c),
 * ETran's w_E·mm(energy)+w_L·mm(lda). Exact equality decides ties: a component equal for every
 * model carries no ranking, and dividing by its zero range would invent one. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/transfer/transfer_state.h"

static int set_why(char **why, sb_err *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int set_why(char **why, sb_err *err, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(*why);
    *why = strdup(buf);
    return *why ? 0 : sb_fail(err, SB_ENOMEM, "out of memory combining scores");
}

/* Index of the first used component undefined for model i, or np when all are defined. */
static size_t first_undefined(const sb_combine_in *in, size_t i)
{
    for (size_t j = 0; j < in->np; j++)
        if (in->w[j] != 0.0 && !isfinite(in->parts[i * in->np + j]))
            return j;
    return in->np;
}

/* Marks every model of the group empty with the same reason (models outside S keep theirs). */
static int all_empty(const sb_combine_in *in, const unsigned char *in_s, double *values, char **why, const char *msg,
                     sb_err *err)
{
    int rc = 0;
    for (size_t i = 0; i < in->m && !rc; i++) {
        values[i] = NAN;
        if (in_s[i])
            rc = set_why(&why[i], err, "%s", msg);
    }
    return rc;
}

int sb_combine_minmax(const sb_combine_in *in, double *values, char **why, sb_err *err)
{
    unsigned char *in_s = calloc(in->m + 1, 1);
    if (!in_s)
        return sb_fail(err, SB_ENOMEM, "out of memory combining scores");
    size_t ns = 0, failed = 0;
    int rc = 0;
    for (size_t i = 0; i < in->m && !rc; i++) {
        values[i] = NAN;
        size_t j = in->ran[i] ? first_undefined(in, i) : 0;
        if (!in->ran[i])
            failed++;
        else if (j < in->np)
            rc = set_why(&why[i], err, "%s: component %s undefined for this model (%s)", in->scorer, in->names[j],
                         in->part_why[i] ? in->part_why[i] : "no reason given");
        else
            in_s[i] = 1, ns++;
    }
    char msg[512] = "";
    if (!rc && ns < 2)
        snprintf(msg, sizeof msg, "%s: %zu of %zu models of dataset %s have the components it needs (2 needed; %zu failed)",
                 in->scorer, ns, in->m, in->dataset, failed);
    double lo[SB_SCORER_MAX_PARTS], hi[SB_SCORER_MAX_PARTS];
    for (size_t j = 0; !rc && !msg[0] && j < in->np; j++) {
        if (in->w[j] == 0.0)
            continue;
        lo[j] = INFINITY, hi[j] = -INFINITY;
        for (size_t i = 0; i < in->m; i++)
            if (in_s[i]) {
                lo[j] = fmin(lo[j], in->parts[i * in->np + j]);
                hi[j] = fmax(hi[j], in->parts[i * in->np + j]);
            }
        if (lo[j] == hi[j])
            snprintf(msg, sizeof msg, "%s: component %s equal for all %zu models of dataset %s", in->scorer,
                     in->names[j], ns, in->dataset);
    }
    if (!rc && msg[0])
        rc = all_empty(in, in_s, values, why, msg, err);
    for (size_t i = 0; !rc && !msg[0] && i < in->m; i++) {
        if (!in_s[i])
            continue;
        double v = 0.0;
        for (size_t j = 0; j < in->np; j++)
            if (in->w[j] != 0.0)
                v += in->w[j] * ((in->parts[i * in->np + j] - lo[j]) / (hi[j] - lo[j]));
        values[i] = v;
    }
    free(in_s);
    return rc;
}
