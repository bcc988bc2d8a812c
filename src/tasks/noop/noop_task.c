/* noop_task.c — the null task: units that only wait, to test and time the engine itself
 * (IOR's DUMMY backend plays this part there).
 *
 * `long` units of long_ms each come first in the plan, then `units` units of short_ms;
 * each unit's estimated cost is its duration (1 when 0), so the scheduler sees the truth.
 * Every fail_every-th unit fails (its stage is "compute"), to exercise failures.csv.
 * A record holds the unit's argument and record_bytes filler bytes; finish writes one row
 * (units done, failed, sum of the arguments read back from the records), which is the
 * same for any rank count, shard split or resume. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/task.h"

static const sb_option noop_options[] = {
    {"units", SB_OPT_INT, "1000", "number of short units", 0, {0, 100000000}},
    {"long", SB_OPT_INT, "0", "number of long units, planned before the short ones", 0, {0, 1000000}},
    {"short_ms", SB_OPT_DOUBLE, "0", "how long each short unit waits, in milliseconds (0..3600000)", 0, SB_NO_RANGE},
    {"long_ms", SB_OPT_DOUBLE, "0", "how long each long unit waits, in milliseconds (0..3600000)", 0, SB_NO_RANGE},
    {"record_bytes", SB_OPT_INT, "0", "filler bytes in each unit's record", 0, {0, 1048576}},
    {"fail_every", SB_OPT_INT, "0", "every n-th unit fails (0: none)", 0, {0, 100000000}},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

typedef struct noop_state {
    long units, nlong, record_bytes, fail_every;
    double short_ms, long_ms;
} noop_state;

static int noop_open(sb_task_ctx *t, sb_err *err)
{
    noop_state *s = sb_calloc(1, sizeof *s, "noop task", err);
    if (!s)
        return SB_ENOMEM;
    t->state = s;
    int rc = sb_opts_long(t->opts, noop_options, "units", &s->units, err);
    if (!rc)
        rc = sb_opts_long(t->opts, noop_options, "long", &s->nlong, err);
    if (!rc)
        rc = sb_opts_long(t->opts, noop_options, "record_bytes", &s->record_bytes, err);
    if (!rc)
        rc = sb_opts_long(t->opts, noop_options, "fail_every", &s->fail_every, err);
    if (!rc)
        rc = sb_opts_double(t->opts, noop_options, "short_ms", &s->short_ms, err);
    if (!rc)
        rc = sb_opts_double(t->opts, noop_options, "long_ms", &s->long_ms, err);
    if (!rc && !(s->short_ms >= 0 && s->short_ms <= 3.6e6 && s->long_ms >= 0 && s->long_ms <= 3.6e6))
        rc = sb_fail(err, SB_EUSAGE, "%s: short_ms and long_ms must be in 0..3600000", t->opts->where);
    return rc;
}

static void noop_close(sb_task_ctx *t)
{
    free(t->state);
    t->state = NULL;
}

static int noop_plan(sb_task_ctx *t, sb_units *units, sb_err *err)
{
    noop_state *s = t->state;
    int rc = 0;
    char key[32];
    for (long i = 0; !rc && i < s->nlong + s->units; i++) {
        int is_long = i < s->nlong;
        snprintf(key, sizeof key, is_long ? "long%ld" : "u%ld", i);
        double ms = is_long ? s->long_ms : s->short_ms;
        rc = sb_units_add(units, key, ms > 0 ? ms : 1, i, err);
    }
    return rc;
}

static void wait_ms(double ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms * 1e6) % 1000000000L};
    nanosleep(&ts, NULL);
}

static int noop_run_unit(sb_task_ctx *t, const sb_unit *u, sb_buf *rec, char *stage, size_t cap, sb_err *err)
{
    noop_state *s = t->state;
    wait_ms(u->arg < s->nlong ? s->long_ms : s->short_ms);
    if (s->fail_every && (u->arg + 1) % s->fail_every == 0) {
        snprintf(stage, cap, "compute");
        return sb_fail(err, SB_EINPUT, "unit %s fails on purpose (fail_every = %ld)", u->key, s->fail_every);
    }
    sb_buf_put_i64(rec, u->arg);
    for (long i = 0; i < s->record_bytes; i++) {
        unsigned char c = (unsigned char)(u->arg + i);
        sb_buf_put(rec, &c, 1);
    }
    return 0;
}

static int noop_finish(sb_task_ctx *t, const sb_unit *units, const sb_record *recs, size_t n, sb_tables *out,
                       sb_err *err)
{
    (void)t;
    int64_t done = 0, failed = 0, sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (recs[i].failed) {
            failed++;
            continue;
        }
        sb_reader r;
        sb_reader_init(&r, recs[i].data, recs[i].len);
        int64_t arg = sb_get_i64(&r);
        if (r.bad || arg != units[i].arg)
            return sb_fail(err, SB_EINPUT, "journal record of unit %s is corrupt", units[i].key);
        done++;
        sum += arg;
    }
    const char *cols[] = {"units", "failed", "arg_sum"};
    sb_table *tab;
    size_t row;
    int rc = sb_tables_add(out, "noop", 3, cols, &tab, err);
    if (!rc && !(rc = sb_table_add_row(tab, &row, err))) {
        sb_table_set_int(tab, row, 0, done);
        sb_table_set_int(tab, row, 1, failed);
        sb_table_set_int(tab, row, 2, sum);
    }
    return rc;
}

const sb_task sb_task_noop = {
    .name = "noop",
    .summary = "the null task: units that only wait, to test and time the engine",
    .tables = (const char *const[]){"noop", NULL},
    .options = noop_options,
    .open = noop_open,
    .plan = noop_plan,
    .run_unit = noop_run_unit,
    .finish = noop_finish,
    .close = noop_close,
};
