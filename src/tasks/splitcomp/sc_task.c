/* sc_task.c — `splitcomp eval` as a task (specs/splitcomp.md): one unit per trace × policy ×
 * deadline × seed, each replaying the trace's frames in order; the static tables and the
 * summaries over seeds and traces come from finish (sc_finish.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "engine/task.h"
#include "tasks/splitcomp/sc_finish.h"
#include "tasks/splitcomp/sc_options.h"

static int sc_open(sb_task_ctx *t, sb_err *err)
{
    sc_state *s = sb_calloc(1, sizeof *s, "splitcomp task", err);
    if (!s)
        return SB_ENOMEM;
    t->state = s;
    return sc_state_parse(t->opts, s, err);
}

static void sc_close(sb_task_ctx *t)
{
    if (t->state)
        sc_state_free(t->state);
    free(t->state);
    t->state = NULL;
}

/* Unit arg = ((trace · P + policy) · D + deadline) · S + seed. */
typedef struct unit_ix {
    size_t trace, pol, dl, seed;
} unit_ix;

static unit_ix unit_decode(const sc_state *s, int64_t arg)
{
    unit_ix u;
    uint64_t a = (uint64_t)arg;
    u.seed = a % (uint64_t)s->seeds;
    a /= (uint64_t)s->seeds;
    u.dl = a % s->nd;
    a /= s->nd;
    u.pol = a % s->npol;
    u.trace = a / s->npol;
    return u;
}

static int sc_plan(sb_task_ctx *t, sb_units *units, sb_err *err)
{
    sc_state *s = t->state;
    int rc = sc_state_load(s, err);
    int64_t arg = 0;
    for (size_t i = 0; i < s->tr.n && !rc; i++) {
        double F = (double)sc_state_frames(s, i);
        for (size_t p = 0; p < s->npol && !rc; p++)
            for (size_t d = 0; d < s->nd && !rc; d++)
                for (long r = 0; r < s->seeds && !rc; r++, arg++) {
                    char key[1024];
                    snprintf(key, sizeof key, "%s/%s/D=%g/seed=%ld", s->tr.tr[i].name, s->pol_name[p],
                             s->deadlines[d], r);
                    double cost = s->pol[p].kind == SC_POL_ORACLE ? F * (double)s->d.M : F;
                    rc = sb_units_add(units, key, cost, arg, err);
                }
    }
    return rc;
}

/* The sample each frame shows: identity (--order file) or a Fisher–Yates permutation seeded by
 * (seed, r), the same for every trace and policy so that they compare on the same frames. */
int sc_sample_order(size_t N, int shuffle, uint64_t seed, uint64_t r, size_t *order)
{
    for (size_t i = 0; i < N; i++)
        order[i] = i;
    if (!shuffle)
        return 0;
    sb_rng g;
    sb_rng_seed(&g, seed, r);
    for (size_t i = N - 1; i >= 1; i--) {
        size_t j = (size_t)sb_rng_below(&g, (uint64_t)i + 1), tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
    return 0;
}

static int sc_run_unit(sb_task_ctx *t, const sb_unit *u, sb_buf *rec, char *stage, size_t scap, sb_err *err)
{
    sc_state *s = t->state;
    snprintf(stage, scap, "read");
    int rc = sc_state_load(s, err); /* once per process: later units reuse it */
    if (rc)
        return rc;
    snprintf(stage, scap, "compute");
    unit_ix ix = unit_decode(s, u->arg);
    const sc_trace *tr = &s->tr.tr[ix.trace];
    size_t *order = malloc(s->d.N * sizeof *order);
    if (!order)
        return sb_fail(err, SB_ENOMEM, "out of memory for %zu samples", s->d.N);
    sc_sample_order(s->d.N, !s->order_file, t->seed, ix.seed, order);
    sc_replay_opts o = {s->fps, isnan(s->seconds) ? tr->dur : s->seconds, s->deadlines[ix.dl],
                        s->header_overhead, s->prop_delay, s->trace_end, (size_t)s->warmup};
    sc_run run;
    rc = sc_replay(&s->d, &s->st, tr, &s->pol[ix.pol], &o, order, &run, NULL, err);
    free(order);
    if (rc)
        return sb_wrap(err, "unit %s", u->key);
    sc_run_encode(rec, u->arg, &run);
    return 0;
}

static int sc_finish_task(sb_task_ctx *t, const sb_unit *units, const sb_record *records, size_t n,
                          sb_tables *out, sb_err *err)
{
    sc_state *s = t->state;
    int rc = sc_state_load(s, err);
    return rc ? rc : sc_finish(s, units, records, n, out, err);
}

const sb_task sb_task_splitcomp = {
    .name = "splitcomp",
    .summary = "split computing: accuracy against bytes, and deadline misses over uplink traces",
    .cli = {"splitcomp", "eval", "accuracy vs bytes and trace replay of split-computing configurations (specs/splitcomp.md)"},
    .tables = (const char *const[]){"splitcomp_configs", "splitcomp_fronts", "splitcomp_runs", "splitcomp", NULL},
    .options = sc_eval_options,
    .open = sc_open,
    .plan = sc_plan,
    .run_unit = sc_run_unit,
    .finish = sc_finish_task,
    .close = sc_close,
};
