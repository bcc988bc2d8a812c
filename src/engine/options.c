#include "engine/options.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void sb_opts_init(sb_opts *o, const char *base_dir, const char *where)
{
    memset(o, 0, sizeof *o);
    /* Absolute from the start, so job.ini names the same files from any folder. */
    const char *b = base_dir && base_dir[0] ? base_dir : ".";
    char cwd[512];
    if (b[0] != '/' && getcwd(cwd, sizeof cwd)) {
        if (!strcmp(b, "."))
            snprintf(o->base_dir, sizeof o->base_dir, "%s", cwd);
        else
            snprintf(o->base_dir, sizeof o->base_dir, "%s/%s", cwd, b);
    } else
        snprintf(o->base_dir, sizeof o->base_dir, "%s", b);
    snprintf(o->where, sizeof o->where, "%s", where ? where : "command line");
}

void sb_opts_free(sb_opts *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->kv[i].key);
        free(o->kv[i].value);
    }
    free(o->kv);
    o->kv = NULL;
    o->n = 0;
}

static sb_kv *find(const sb_opts *o, const char *key)
{
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->kv[i].key, key))
            return &o->kv[i];
    return NULL;
}

int sb_opts_set(sb_opts *o, const char *key, const char *value, int line, sb_err *err)
{
    sb_kv *old = find(o, key);
    if (old) {
        if (line && old->line)
            return sb_fail(err, SB_EUSAGE, "%s: key '%s' is set twice (lines %d and %d)", o->where,
                           key, old->line, line);
        return sb_fail(err, SB_EUSAGE, "%s: option '%s' is given twice", o->where, key);
    }
    sb_kv *kv = realloc(o->kv, (o->n + 1) * sizeof *kv);
    if (!kv)
        return sb_fail(err, SB_ENOMEM, "out of memory reading options");
    o->kv = kv;
    kv[o->n].key = strdup(key);
    kv[o->n].value = strdup(value ? value : "");
    kv[o->n].line = line;
    if (!kv[o->n].key || !kv[o->n].value)
        return sb_fail(err, SB_ENOMEM, "out of memory reading options");
    o->n++;
    return 0;
}

static const sb_option *lookup(const sb_option *table, const char *key)
{
    for (const sb_option *t = table; t && t->key; t++)
        if (!strcmp(t->key, key))
            return t;
    return NULL;
}

static void where_of(const sb_opts *o, const char *key, char *buf, size_t cap)
{
    sb_kv *kv = find(o, key);
    if (kv && kv->line)
        snprintf(buf, cap, "%s line %d", o->where, kv->line);
    else
        snprintf(buf, cap, "%s", o->where);
}

int sb_opts_validate(const sb_opts *o, const sb_option *table, sb_err *err)
{
    char w[1300];
    for (size_t i = 0; i < o->n; i++) {
        if (!lookup(table, o->kv[i].key)) {
            char known[512] = "";
            for (const sb_option *t = table; t && t->key; t++)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                         known[0] ? ", " : "", t->key);
            where_of(o, o->kv[i].key, w, sizeof w);
            return sb_fail(err, SB_EUSAGE, "%s: unknown key '%s' (known: %s)", w, o->kv[i].key,
                           known);
        }
    }
    for (const sb_option *t = table; t && t->key; t++) {
        const char *v = sb_opts_str(o, table, t->key);
        if (t->required && (!v || !v[0]))
            return sb_fail(err, SB_EUSAGE, "%s: '%s' is required (%s)", o->where, t->key, t->help);
        if (!v)
            continue;
        int rc = 0;
        long l;
        double d;
        int b;
        switch (t->type) {
        case SB_OPT_INT: rc = sb_opts_long(o, table, t->key, &l, err); break;
        case SB_OPT_DOUBLE: rc = sb_opts_double(o, table, t->key, &d, err); break;
        case SB_OPT_BOOL: rc = sb_opts_bool(o, table, t->key, &b, err); break;
        default: break;
        }
        if (rc)
            return rc;
    }
    return 0;
}

const char *sb_opts_str(const sb_opts *o, const sb_option *table, const char *key)
{
    sb_kv *kv = find(o, key);
    if (kv)
        return kv->value;
    const sb_option *t = lookup(table, key);
    return t ? t->def : NULL;
}

/* An optional '-' and digits only: strtoll alone would also take blanks and '+', and clamp. */
static int plain_integer(const char *s)
{
    const char *p = s + (*s == '-');
    if (!*p)
        return 0;
    for (; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

int sb_parse_int(const char *what, const char *s, long long min, long long max, long long *out, sb_err *err)
{
    int ok = s && plain_integer(s);
    errno = 0;
    long long v = ok ? strtoll(s, NULL, 10) : 0;
    if (!ok || errno == ERANGE || v < min || v > max)
        return sb_fail(err, SB_EUSAGE, "%s must be an integer from %lld to %lld, not '%.64s'", what, min, max,
                       s ? s : "");
    *out = v;
    return 0;
}

int sb_parse_u64(const char *what, const char *s, uint64_t *out, sb_err *err)
{
    int ok = s && plain_integer(s) && s[0] != '-';
    errno = 0;
    unsigned long long v = ok ? strtoull(s, NULL, 10) : 0;
    if (!ok || errno == ERANGE)
        return sb_fail(err, SB_EUSAGE, "%s must be an integer from 0 to %llu, not '%.64s'", what,
                       (unsigned long long)UINT64_MAX, s ? s : "");
    *out = (uint64_t)v;
    return 0;
}

int sb_parse_shard(const char *s, int *i, int *n, sb_err *err)
{
    const char *slash = strchr(s, '/');
    char a[32], b[32];
    long long x = 0, y = 0;
    int ok = slash && slash - s < (long)sizeof a && strlen(slash + 1) < sizeof b;
    if (ok) {
        snprintf(a, sizeof a, "%.*s", (int)(slash - s), s);
        snprintf(b, sizeof b, "%s", slash + 1);
        ok = !sb_parse_int("", b, 1, SB_MAX_SHARDS, &y, NULL) && !sb_parse_int("", a, 1, y, &x, NULL);
    }
    if (!ok)
        return sb_fail(err, SB_EUSAGE, "--shard takes i/n with 1 <= i <= n <= %d (e.g. 2/8), not '%.64s'",
                       SB_MAX_SHARDS, s);
    *i = (int)x - 1;
    *n = (int)y;
    return 0;
}

void sb_option_range_text(const sb_option *opt, char *out, size_t cap)
{
    if (opt->type == SB_OPT_INT && (opt->range.min || opt->range.max))
        snprintf(out, cap, " (%lld..%lld)", opt->range.min, opt->range.max);
    else if (cap)
        out[0] = '\0';
}

int sb_opts_long(const sb_opts *o, const sb_option *table, const char *key, long *out, sb_err *err)
{
    const char *v = sb_opts_str(o, table, key);
    char w[1300];
    where_of(o, key, w, sizeof w);
    if (!v || !v[0])
        return sb_fail(err, SB_EUSAGE, "%s: '%s' needs a value", w, key);
    const sb_option *t = lookup(table, key);
    long long min = LONG_MIN, max = LONG_MAX, x;
    if (t && (t->range.min || t->range.max)) {
        min = t->range.min;
        max = t->range.max;
    }
    char what[1400];
    snprintf(what, sizeof what, "%s: '%s'", w, key);
    int rc = sb_parse_int(what, v, min, max, &x, err);
    if (!rc)
        *out = (long)x;
    return rc;
}

int sb_opts_double(const sb_opts *o, const sb_option *table, const char *key, double *out, sb_err *err)
{
    const char *v = sb_opts_str(o, table, key);
    char w[1300];
    where_of(o, key, w, sizeof w);
    if (!v || !v[0])
        return sb_fail(err, SB_EUSAGE, "%s: '%s' needs a value", w, key);
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || *end || !isfinite(x))
        return sb_fail(err, SB_EUSAGE, "%s: '%s' must be a finite number, not '%s'", w, key, v);
    *out = x;
    return 0;
}

int sb_opts_bool(const sb_opts *o, const sb_option *table, const char *key, int *out, sb_err *err)
{
    const char *v = sb_opts_str(o, table, key);
    char w[1300];
    where_of(o, key, w, sizeof w);
    if (v && (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcmp(v, "1") || !strcasecmp(v, "on")))
        *out = 1;
    else if (v && (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcmp(v, "0") || !strcasecmp(v, "off")))
        *out = 0;
    else
        return sb_fail(err, SB_EUSAGE, "%s: '%s' must be true or false, not '%s'", w, key, v ? v : "");
    return 0;
}

void sb_path_join(const char *base, const char *path, char *out, size_t cap)
{
    if (path[0] == '/' || !base || !base[0])
        snprintf(out, cap, "%s", path);
    else
        snprintf(out, cap, "%s/%s", base, path);
}

int sb_opts_path(const sb_opts *o, const sb_option *table, const char *key, char *out, size_t cap,
                 sb_err *err)
{
    (void)err;
    const char *v = sb_opts_str(o, table, key);
    if (!v || !v[0]) {
        out[0] = '\0';
        return 0;
    }
    sb_path_join(o->base_dir, v, out, cap);
    return 0;
}
