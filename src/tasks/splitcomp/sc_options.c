/* sc_options.c — the option table of `splitcomp eval`, its lists (deadlines, policies,
 * --auc-range) and the one-time loading of inputs that every unit shares. */
#include "tasks/splitcomp/sc_options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/splitcomp/sc_link.h"

const sb_option sc_eval_options[] = {
    {"input", SB_OPT_PATH, NULL, "HDF5 file with /splitcomp (per configuration and sample measurements)", 1, SB_NO_RANGE},
    {"traces", SB_OPT_PATH, NULL, "HDF5 file with /traces/<name>/{time_s,bps} (default: the input)", 0, SB_NO_RANGE},
    {"deadlines", SB_OPT_STRING, "0.3,0.6", "deadlines D in seconds, comma-separated", 0, SB_NO_RANGE},
    {"fps", SB_OPT_DOUBLE, "2", "frames per second", 0, SB_NO_RANGE},
    {"seconds", SB_OPT_DOUBLE, NULL, "replayed seconds of each trace (default: its duration)", 0, SB_NO_RANGE},
    {"policies", SB_OPT_STRING, "static,ewma,ewma-srv,oracle",
     "static (every configuration), static:NAME, ewma, ewma-srv, oracle; comma-separated", 0, SB_NO_RANGE},
    {"seeds", SB_OPT_INT, "1", "sample orders (shuffle seeds) per trace, policy and deadline", 0, {1, 100000}},
    {"order", SB_OPT_STRING, "shuffle", "shuffle (a seeded permutation of the samples) or file (their order)", 0, SB_NO_RANGE},
    {"header_overhead", SB_OPT_DOUBLE, "0", "extra share of bits sent per payload byte", 0, SB_NO_RANGE},
    {"prop_delay", SB_OPT_DOUBLE, "0", "propagation delay added to every frame, seconds", 0, SB_NO_RANGE},
    {"trace_end", SB_OPT_STRING, "loop", "past the trace: loop (repeat it) or hold (keep the last rate)", 0, SB_NO_RANGE},
    {"warmup", SB_OPT_INT, "0", "first frames simulated but not measured", 0, {0, 1000000000}},
    {"auc_range", SB_OPT_STRING, NULL, "LO,HI bytes: also the area over [ln LO, ln HI]", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

/* "a,b,c" of positive finite numbers. */
static int parse_numbers(const char *where, const char *key, const char *text, double *out, size_t cap, size_t *n,
                         sb_err *err)
{
    *n = 0;
    const char *p = text;
    for (;;) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v) || !(v > 0) || (*end && *end != ','))
            return sb_fail(err, SB_EUSAGE, "%s: %s must be positive numbers separated by commas, not '%s'", where,
                           key, text);
        if (*n == cap)
            return sb_fail(err, SB_EUSAGE, "%s: %s lists more than %zu values", where, key, cap);
        out[(*n)++] = v;
        if (!*end)
            return 0;
        p = end + 1;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int parse_deadlines(const char *where, const char *text, sc_state *s, sb_err *err)
{
    int rc = parse_numbers(where, "deadlines", text, s->deadlines, SC_MAX_LIST, &s->nd, err);
    if (rc)
        return rc;
    qsort(s->deadlines, s->nd, sizeof *s->deadlines, cmp_double); /* rows are sorted by deadline */
    for (size_t i = 1; i < s->nd; i++)
        if (s->deadlines[i] == s->deadlines[i - 1])
            return sb_fail(err, SB_EUSAGE, "%s: deadline %g is listed twice", where, s->deadlines[i]);
    return 0;
}

static int parse_policies(const char *where, const char *text, sc_state *s, sb_err *err)
{
    char buf[4096];
    if (strlen(text) >= sizeof buf)
        return sb_fail(err, SB_EUSAGE, "%s: policies is too long", where);
    strcpy(buf, text);
    s->nwords = 0;
    for (char *w = buf, *next; w; w = next) {
        next = strchr(w, ',');
        if (next)
            *next++ = '\0';
        if (s->nwords == SC_MAX_LIST)
            return sb_fail(err, SB_EUSAGE, "%s: policies lists more than %d words", where, SC_MAX_LIST);
        size_t i = s->nwords++;
        s->pol_static_name[i][0] = '\0';
        if (!strcmp(w, "static"))
            s->pol_words[i] = SC_POL_STATIC;
        else if (!strcmp(w, "ewma"))
            s->pol_words[i] = SC_POL_EWMA;
        else if (!strcmp(w, "ewma-srv"))
            s->pol_words[i] = SC_POL_EWMA_SRV;
        else if (!strcmp(w, "oracle"))
            s->pol_words[i] = SC_POL_ORACLE;
        else if (!strncmp(w, "static:", 7) && w[7] && strlen(w + 7) < sizeof s->pol_static_name[i]) {
            s->pol_words[i] = -1;
            strcpy(s->pol_static_name[i], w + 7);
        } else
            return sb_fail(err, SB_EUSAGE, "%s: unknown policy '%s' (static, static:NAME, ewma, ewma-srv, oracle)",
                           where, w);
    }
    return 0;
}

static int parse_auc_range(const char *where, const char *text, sc_state *s, sb_err *err)
{
    double v[2];
    size_t n;
    int rc = parse_numbers(where, "auc_range", text, v, 2, &n, err);
    if (!rc && (n != 2 || !(v[0] < v[1])))
        rc = sb_fail(err, SB_EUSAGE, "%s: auc_range must be LO,HI bytes with 0 < LO < HI, not '%s'", where, text);
    if (rc)
        return rc;
    s->has_auc_range = 1;
    s->auc_lo = v[0];
    s->auc_hi = v[1];
    return 0;
}

static int parse_words(const sb_opts *o, sc_state *s, sb_err *err)
{
    const sb_option *T = sc_eval_options;
    const char *order = sb_opts_str(o, T, "order"), *end = sb_opts_str(o, T, "trace_end");
    if (strcmp(order, "shuffle") && strcmp(order, "file"))
        return sb_fail(err, SB_EUSAGE, "%s: order must be shuffle or file, not '%s'", o->where, order);
    s->order_file = !strcmp(order, "file");
    if (strcmp(end, "loop") && strcmp(end, "hold"))
        return sb_fail(err, SB_EUSAGE, "%s: trace_end must be loop or hold, not '%s'", o->where, end);
    s->trace_end = strcmp(end, "loop") ? SC_END_HOLD : SC_END_LOOP;
    int rc = parse_deadlines(o->where, sb_opts_str(o, T, "deadlines"), s, err);
    if (!rc)
        rc = parse_policies(o->where, sb_opts_str(o, T, "policies"), s, err);
    const char *auc = sb_opts_str(o, T, "auc_range");
    if (!rc && auc)
        rc = parse_auc_range(o->where, auc, s, err);
    return rc;
}

int sc_state_parse(const sb_opts *o, sc_state *s, sb_err *err)
{
    const sb_option *T = sc_eval_options;
    int rc;
    if ((rc = sb_opts_path(o, T, "input", s->input, sizeof s->input, err)) ||
        (rc = sb_opts_path(o, T, "traces", s->traces_path, sizeof s->traces_path, err)) ||
        (rc = sb_opts_double(o, T, "fps", &s->fps, err)) || (rc = sb_opts_long(o, T, "seeds", &s->seeds, err)) ||
        (rc = sb_opts_long(o, T, "warmup", &s->warmup, err)) ||
        (rc = sb_opts_double(o, T, "header_overhead", &s->header_overhead, err)) ||
        (rc = sb_opts_double(o, T, "prop_delay", &s->prop_delay, err)))
        return rc;
    if (!s->traces_path[0])
        strcpy(s->traces_path, s->input);
    s->seconds = NAN;
    if (sb_opts_str(o, T, "seconds") && (rc = sb_opts_double(o, T, "seconds", &s->seconds, err)))
        return rc;
    if (!(s->fps > 0) || !isfinite(s->fps))
        return sb_fail(err, SB_EUSAGE, "%s: fps must be positive", o->where);
    if (!isnan(s->seconds) && !(s->seconds > 0 && isfinite(s->seconds)))
        return sb_fail(err, SB_EUSAGE, "%s: seconds must be positive", o->where);
    if (!(s->header_overhead >= 0) || !isfinite(s->header_overhead))
        return sb_fail(err, SB_EUSAGE, "%s: header_overhead must be >= 0", o->where);
    if (!(s->prop_delay >= 0) || !isfinite(s->prop_delay))
        return sb_fail(err, SB_EUSAGE, "%s: prop_delay must be >= 0", o->where);
    return parse_words(o, s, err);
}

size_t sc_state_frames(const sc_state *s, size_t i)
{
    return sc_frames(isnan(s->seconds) ? s->tr.tr[i].dur : s->seconds, s->fps);
}

static int add_policy(sc_state *s, int kind, size_t cfg, const char *name, sb_err *err)
{
    for (size_t i = 0; i < s->npol; i++)
        if (!strcmp(s->pol_name[i], name))
            return sb_fail(err, SB_EUSAGE, "policy %s is listed twice", name);
    if (!(s->pol_name[s->npol] = strdup(name)))
        return sb_fail(err, SB_ENOMEM, "out of memory listing policies");
    s->pol[s->npol++] = (sc_policy){kind, cfg};
    return 0;
}

/* Words to policies: `static` becomes one per configuration, in configuration order. */
static int expand_policies(sc_state *s, sb_err *err)
{
    size_t cap = s->nwords * s->d.M;
    s->pol = calloc(cap, sizeof *s->pol);
    s->pol_name = calloc(cap, sizeof *s->pol_name);
    if (!s->pol || !s->pol_name)
        return sb_fail(err, SB_ENOMEM, "out of memory listing policies");
    static const char *const names[] = {"static", "ewma", "ewma-srv", "oracle"};
    char name[300];
    int rc = 0;
    for (size_t w = 0; w < s->nwords && !rc; w++) {
        int kind = s->pol_words[w];
        if (kind == SC_POL_STATIC)
            for (size_t k = 0; k < s->d.M && !rc; k++) {
                snprintf(name, sizeof name, "static:%s", s->d.name[k]);
                rc = add_policy(s, SC_POL_STATIC, k, name, err);
            }
        else if (kind >= 0)
            rc = add_policy(s, kind, 0, names[kind], err);
        else {
            size_t k = 0;
            while (k < s->d.M && strcmp(s->d.name[k], s->pol_static_name[w]))
                k++;
            if (k == s->d.M)
                return sb_fail(err, SB_EUSAGE, "policy static:%s: %s has no configuration named '%s'",
                               s->pol_static_name[w], s->input, s->pol_static_name[w]);
            snprintf(name, sizeof name, "static:%s", s->d.name[k]);
            rc = add_policy(s, SC_POL_STATIC, k, name, err);
        }
    }
    return rc;
}

/* What the replay assumes of every trace: it ends (hold needs a last rate > 0) and measures. */
static int check_traces(const sc_state *s, sb_err *err)
{
    for (size_t i = 0; i < s->tr.n; i++) {
        const sc_trace *t = &s->tr.tr[i];
        if (s->trace_end == SC_END_HOLD && !(t->bps[t->L - 1] > 0))
            return sb_fail(err, SB_EINPUT, "%s: /traces/%s/bps[%zu] = 0: with trace_end hold the last rate "
                           "must be > 0", s->traces_path, t->name, t->L - 1);
        size_t F = sc_state_frames(s, i);
        if (F <= (size_t)s->warmup)
            return sb_fail(err, SB_EINPUT, "%s: /traces/%s gives %zu frames, all of them warm-up (%ld): none "
                           "is measured", s->traces_path, t->name, F, s->warmup);
    }
    return 0;
}

int sc_state_load(sc_state *s, sb_err *err)
{
    if (s->loaded)
        return 0;
    int rc = sc_data_read(s->input, &s->d, err);
    if (!rc)
        rc = sc_traces_read(s->traces_path, &s->tr, err);
    if (!rc)
        rc = sc_stats_compute(&s->d, &s->st, err);
    if (!rc)
        rc = expand_policies(s, err);
    if (!rc)
        rc = check_traces(s, err);
    if (rc)
        sc_state_free(s);
    else
        s->loaded = 1;
    return rc;
}

void sc_state_free(sc_state *s)
{
    if (s->pol_name)
        for (size_t i = 0; i < s->npol; i++)
            free(s->pol_name[i]);
    free(s->pol_name);
    free(s->pol);
    s->pol_name = NULL;
    s->pol = NULL;
    s->npol = 0;
    sc_data_free(&s->d);
    sc_stats_free(&s->st);
    sc_traces_free(&s->tr);
    s->loaded = 0;
}
