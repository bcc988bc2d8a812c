/* sc_replay.c — frames through the device encoder and the FIFO uplink, one after another,
 * under a selection policy; the measured frames' accuracy, misses, latencies and switches. */
#include "tasks/splitcomp/sc_replay.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numerics/percentile.h"
#include "tasks/splitcomp/sc_link.h"

size_t sc_frames(double seconds, double fps)
{
    double f = floor(seconds * fps);
    return f > 0 ? (size_t)f : 0;
}

size_t sc_ewma_pick(const sc_stats *st, double bhat, double D, int srv)
{
    size_t best = st->fallback;
    for (size_t k = 0; k < st->M; k++) {
        double need = st->t_enc_hat[k] + (srv ? st->mean_t_srv[k] : 0) + st->bytes_hat[k] / (1000 * bhat);
        if (need < SC_EWMA_MARGIN * D && st->acc[k] > st->acc[best])
            best = k;
    }
    return best;
}

double sc_ewma_update(double bhat, double measured)
{
    return SC_EWMA_NEW * measured + (1 - SC_EWMA_NEW) * bhat;
}

/* Feedback of a sent frame: it reaches the controller at t_done. */
typedef struct feedback {
    double t_done;
    size_t frame;
    double kbps; /* the measured rate, kB/s */
} feedback;

typedef struct ewma_state {
    double bhat;
    feedback *pend; /* sent, not yet seen, in frame order */
    size_t np;
} ewma_state;

static int cmp_feedback(const void *a, const void *b)
{
    const feedback *x = a, *y = b;
    if (x->t_done != y->t_done)
        return x->t_done < y->t_done ? -1 : 1;
    return (x->frame > y->frame) - (x->frame < y->frame);
}

/* Folds every feedback with t_done <= now into the estimate, in (t_done, frame) order. Each
 * pending one arrives after every one folded earlier (it was sent after that decision), so the
 * estimate sees feedback in t_done order overall. */
static void ewma_catch_up(ewma_state *e, double now, feedback *tmp)
{
    size_t nt = 0, keep = 0;
    for (size_t i = 0; i < e->np; i++) {
        if (e->pend[i].t_done <= now)
            tmp[nt++] = e->pend[i];
        else
            e->pend[keep++] = e->pend[i];
    }
    e->np = keep;
    qsort(tmp, nt, sizeof *tmp, cmp_feedback);
    for (size_t i = 0; i < nt; i++)
        e->bhat = sc_ewma_update(e->bhat, tmp[i].kbps);
}

/* The device and link state between frames. */
typedef struct link_state {
    double dev_free, link_free;
    size_t prev; /* configuration of the previous frame; SIZE_MAX before frame 0 */
} link_state;

/* One frame's timeline with configuration k. */
typedef struct frame_times {
    double t_e, u, t_tx, t_done, sw;
} frame_times;

static void frame_with(const sc_data *d, const sc_trace *tr, const sc_replay_opts *o, const link_state *ls,
                       double t_s, size_t k, size_t s, frame_times *ft)
{
    ft->sw = (d->switch_s && ls->prev != SIZE_MAX && ls->prev != k) ? d->switch_s[ls->prev * d->M + k] : 0;
    ft->t_e = t_s + ft->sw + d->t_enc[k * d->N + s];
    ft->u = ft->t_e > ls->link_free ? ft->t_e : ls->link_free;
    double bits = 8 * d->payload[k * d->N + s] * (1 + o->header_overhead);
    ft->t_tx = sc_tx_time(tr, o->trace_end, ft->u, bits);
    ft->t_done = ft->u + ft->t_tx + o->prop_delay + d->t_srv[k * d->N + s];
}

/* Greedy per frame: the most accurate configuration meeting the deadline (ties: fewer bytes of
 * this frame, then list order), else the quickest (ties: list order). */
static size_t oracle_pick(const sc_data *d, const sc_stats *st, const sc_trace *tr, const sc_replay_opts *o,
                          const link_state *ls, double t_c, double t_s, size_t s)
{
    size_t best_ok = SIZE_MAX, quickest = 0;
    double best_lat = INFINITY;
    for (size_t k = 0; k < d->M; k++) {
        frame_times ft;
        frame_with(d, tr, o, ls, t_s, k, s, &ft);
        double L = ft.t_done - t_c;
        if (L < best_lat) {
            best_lat = L;
            quickest = k;
        }
        if (!(L <= o->deadline))
            continue;
        if (best_ok == SIZE_MAX || st->acc[k] > st->acc[best_ok] ||
            (st->acc[k] == st->acc[best_ok] && d->payload[k * d->N + s] < d->payload[best_ok * d->N + s]))
            best_ok = k;
    }
    return best_ok != SIZE_MAX ? best_ok : quickest;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sums over measured frames, turned into sc_run at the end. */
typedef struct run_sums {
    double value, timely, misses, lat, bytes, sw_time;
    uint64_t switches;
} run_sums;

static int summarise(const run_sums *r, double *lat, size_t n, sc_run *out, sb_err *err)
{
    qsort(lat, n, sizeof *lat, cmp_double);
    double dn = (double)n;
    out->frames = n;
    out->accuracy = r->value / dn;
    out->timely_accuracy = r->timely / dn;
    out->miss_rate = r->misses / dn;
    out->latency_mean = r->lat / dn;
    out->mean_bytes = r->bytes / dn;
    out->switches = r->switches;
    out->switch_time_s = r->sw_time;
    int rc = sb_percentile_sorted(lat, n, 50, &out->latency_p50, err);
    if (!rc)
        rc = sb_percentile_sorted(lat, n, 95, &out->latency_p95, err);
    if (!rc)
        rc = sb_percentile_sorted(lat, n, 99, &out->latency_p99, err);
    return rc;
}

int sc_replay(const sc_data *d, const sc_stats *st, const sc_trace *tr, const sc_policy *pol,
              const sc_replay_opts *o, const size_t *order, sc_run *out, sc_trail *trail, sb_err *err)
{
    size_t F = sc_frames(o->seconds, o->fps);
    if (F <= o->warmup)
        return sb_fail(err, SB_EINPUT, "trace %s: %zu frames, all of them warm-up (%zu): none is measured",
                       tr->name, F, o->warmup);
    int ewma = pol->kind == SC_POL_EWMA || pol->kind == SC_POL_EWMA_SRV;
    double *lat = malloc((F - o->warmup) * sizeof *lat);
    feedback *pend = ewma ? malloc(2 * F * sizeof *pend) : NULL;
    if (!lat || (ewma && !pend)) {
        free(lat), free(pend);
        return sb_fail(err, SB_ENOMEM, "out of memory replaying %zu frames", F);
    }
    ewma_state e = {SC_EWMA_START, pend, 0};
    link_state ls = {0, 0, SIZE_MAX};
    run_sums r;
    memset(&r, 0, sizeof r);
    for (size_t n = 0; n < F; n++) {
        double t_c = (double)n / o->fps;
        size_t s = order[n % d->N];
        double t_s = t_c > ls.dev_free ? t_c : ls.dev_free;
        size_t k = pol->cfg;
        if (ewma) {
            k = st->fallback;
            if (n > 0) {
                ewma_catch_up(&e, t_s, pend + F);
                k = sc_ewma_pick(st, e.bhat, o->deadline, pol->kind == SC_POL_EWMA_SRV);
            }
        } else if (pol->kind == SC_POL_ORACLE) {
            k = oracle_pick(d, st, tr, o, &ls, t_c, t_s, s);
        }
        frame_times ft;
        frame_with(d, tr, o, &ls, t_s, k, s, &ft);
        double L = ft.t_done - t_c, srv = d->t_srv[k * d->N + s];
        if (ewma)
            e.pend[e.np++] = (feedback){ft.t_done, n, (d->payload[k * d->N + s] / 1000) / (ft.t_done - ft.t_e - srv)};
        if (n >= o->warmup) {
            double v = d->value[k * d->N + s];
            int late = L > o->deadline;
            r.value += v;
            r.timely += late ? 0 : v;
            r.misses += late;
            r.lat += L;
            r.bytes += d->payload[k * d->N + s];
            r.switches += ls.prev != SIZE_MAX && ls.prev != k;
            r.sw_time += ft.sw;
            lat[n - o->warmup] = L;
        }
        if (trail && trail->cfg)
            trail->cfg[n] = k;
        if (trail && trail->latency)
            trail->latency[n] = L;
        ls.dev_free = ft.t_e;
        ls.link_free = ft.u + ft.t_tx;
        ls.prev = k;
    }
    int rc = summarise(&r, lat, F - o->warmup, out, err);
    free(lat);
    free(pend);
    return rc;
}
