/* ds_options.c — data options, size presets, seed streams and list parsing of distshift. */
#include "tasks/distshift/ds_options.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t sb_ds_style_stream(uint64_t replicate) { return 0x5354594c45000000ull ^ replicate; }
uint64_t sb_ds_sample_stream(uint64_t replicate) { return 0x53414d504c000000ull ^ replicate; }

uint64_t sb_ds_key_stream(const char *key)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    return h;
}

static int get_size(const sb_opts *o, const sb_option *t, const char *key, long def, long min,
                    size_t *out, sb_err *err)
{
    long v = def;
    if (sb_opts_str(o, t, key)) {
        int rc = sb_opts_long(o, t, key, &v, err);
        if (rc)
            return rc;
    }
    if (v < min)
        return sb_fail(err, SB_EUSAGE, "%s: '%s' must be at least %ld, not %ld", o->where, key,
                       min, v);
    *out = (size_t)v;
    return 0;
}

int sb_ds_config_from_opts(const sb_opts *o, const sb_option *t, sb_ds_config *c,
                           sb_ds_preset *p, sb_err *err)
{
    sb_ds_config_defaults(c);
    const char *size = sb_opts_str(o, t, "size");
    memset(p, 0, sizeof *p);
    if (!size || !strcmp(size, "default"))
        p->large = 0;
    else if (!strcmp(size, "large"))
        p->large = 1;
    else
        return sb_fail(err, SB_EUSAGE, "%s: 'size' must be default or large, not '%s'", o->where,
                       size);
    p->seeds = p->large ? 10 : 5;
    p->samples = p->large ? 2000 : 1000;
    long styles, train_styles;
    int wide, rc;
    if ((rc = get_size(o, t, "n_train", p->large ? 5000 : 2000, 2, &c->n_train, err)) ||
        (rc = get_size(o, t, "n_test", p->large ? 5000 : 2000, 1, &c->n_test, err)) ||
        (rc = get_size(o, t, "d_inv", p->large ? 5 : 4, 1, &c->d_inv, err)) ||
        (rc = get_size(o, t, "d_sp", p->large ? 3 : 2, 1, &c->d_sp, err)) ||
        (rc = sb_opts_double(o, t, "mu_inv", &c->mu_inv, err)) ||
        (rc = sb_opts_double(o, t, "mu_sp", &c->mu_sp, err)) ||
        (rc = sb_opts_double(o, t, "sigma_inv", &c->sigma_inv, err)) ||
        (rc = sb_opts_double(o, t, "sigma_sp", &c->sigma_sp, err)) ||
        (rc = sb_opts_long(o, t, "styles", &styles, err)) ||
        (rc = sb_opts_long(o, t, "train_styles", &train_styles, err)) ||
        (rc = sb_opts_double(o, t, "style_spread", &c->style_spread, err)) ||
        (rc = sb_opts_double(o, t, "style_tilt", &c->style_tilt, err)) ||
        (rc = sb_opts_bool(o, t, "allow_wide", &wide, err)))
        return rc;
    if (styles < 1 || styles > 1000 || train_styles < 1 || train_styles > styles)
        return sb_fail(err, SB_EUSAGE,
                       "%s: need 1 <= train_styles <= styles <= 1000 (train_styles = %ld, "
                       "styles = %ld)",
                       o->where, train_styles, styles);
    c->n_styles = (int)styles;
    c->n_train_styles = (int)train_styles;
    c->allow_wide = wide;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int sb_ds_parse_list(const char *where, const char *key, const char *text, double lo, double hi,
                     double **out, size_t *n, sb_err *err)
{
    *out = NULL;
    *n = 0;
    size_t cap = 1;
    for (const char *q = text ? text : ""; *q; q++)
        cap += *q == ',';
    double *v = sb_malloc(cap * sizeof *v, "grid list", err);
    if (!v)
        return SB_ENOMEM;
    const char *s = text ? text : "";
    if (strspn(s, ", \t") == strlen(s)) {
        free(v);
        return sb_fail(err, SB_EUSAGE, "%s: '%s' is empty: the grid has no cell", where, key);
    }
    size_t k = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        char *end;
        errno = 0;
        double x = strtod(s, &end);
        const char *e = end;
        while (*e == ' ' || *e == '\t')
            e++;
        if (end == s || errno || (*e && *e != ',')) {
            free(v);
            return sb_fail(err, SB_EUSAGE, "%s: '%s' must be a comma-separated list of numbers, "
                           "not '%s'", where, key, text);
        }
        if (!(x >= lo && x <= hi)) {
            free(v);
            return sb_fail(err, SB_EUSAGE, "%s: '%s' holds %g, outside [%g, %g]", where, key, x,
                           lo, hi);
        }
        v[k++] = x;
        s = *e ? e + 1 : e;
    }
    if (k == 0) {
        free(v);
        return sb_fail(err, SB_EUSAGE, "%s: '%s' is empty: the grid has no cell", where, key);
    }
    qsort(v, k, sizeof *v, cmp_double);
    for (size_t i = 1; i < k; i++)
        if (v[i] == v[i - 1]) {
            double dup = v[i];
            free(v);
            return sb_fail(err, SB_EUSAGE, "%s: '%s' lists %g twice", where, key, dup);
        }
    *out = v;
    *n = k;
    return 0;
}
