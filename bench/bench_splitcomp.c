/* bench_splitcomp.c — frames replayed per second on one rank, per policy.
 *
 * Usage: bench_splitcomp [SECONDS [FPS]]   (default a 36000-s trace at 2 frames/s, the default fps)
 * Builds in memory what `gen splitcomp` writes (Assine et al.'s 16 modes, 1000 samples; a
 * 3-state Markov trace on 0.5-s slots) and times sc_replay, best of 3, for static (mode 44),
 * ewma, ewma-srv and oracle (which prices all 16 modes per frame) at D = 0.3 s. A run's units
 * are independent, so a job's throughput is this figure times the ranks (until units run out:
 * one unit is one trace × policy × deadline × seed). Nothing is asserted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/rng.h"
#include "tasks/splitcomp/sc_link.h"
#include "tasks/splitcomp/sc_replay.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define NM 16
#define NS 1000

static const double MAP[NM] = {14.5, 27.7, 32.0, 34.3, 16.5, 29.4, 34.1, 36.1,
                              16.4, 29.4, 34.2, 36.4, 16.6, 29.7, 34.6, 36.8};

static void make_data(sc_data *d, sb_rng *r, char **names, char **models)
{
    d->M = NM;
    d->N = NS;
    d->name = names;
    d->model = models;
    d->value = malloc(NM * NS * sizeof(double));
    d->payload = malloc(NM * NS * sizeof(double));
    d->t_enc = malloc(NM * NS * sizeof(double));
    d->t_srv = malloc(NM * NS * sizeof(double));
    if (!d->value || !d->payload || !d->t_enc || !d->t_srv) {
        fprintf(stderr, "bench_splitcomp: out of memory\n");
        exit(1);
    }
    for (size_t s = 0; s < NS; s++) {
        double v = sb_rng_uniform(r);
        for (size_t k = 0; k < NM; k++) {
            size_t i = k * NS + s;
            d->value[i] = v < MAP[k] / 100;
            d->payload[i] = 6912.0 * (double)(k % 4 + 1);
            d->t_enc[i] = 0.066 * (double)(k / 4 + 1) * exp(0.05 * sb_rng_normal(r));
            d->t_srv[i] = 0.02 * exp(0.1 * sb_rng_normal(r));
        }
    }
}

static void make_trace(sc_trace *tr, sb_rng *r, double seconds)
{
    static const double rates[3] = {300000, 900000, 1800000};
    tr->name = "ge";
    tr->L = (size_t)ceil(seconds / 0.5);
    tr->t = malloc(tr->L * sizeof(double));
    tr->bps = malloc(tr->L * sizeof(double));
    if (!tr->t || !tr->bps) {
        fprintf(stderr, "bench_splitcomp: out of memory\n");
        exit(1);
    }
    int st = (int)sb_rng_below(r, 3);
    tr->period_bits = 0;
    for (size_t i = 0; i < tr->L; i++) {
        if (i && sb_rng_uniform(r) >= 0.9)
            st = (st + 1 + (int)sb_rng_below(r, 2)) % 3;
        tr->t[i] = 0.5 * (double)i;
        tr->bps[i] = rates[st];
        tr->period_bits += 0.5 * rates[st];
    }
    tr->dur = seconds;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 36000, fps = argc > 2 ? atof(argv[2]) : 2;
    if (!(seconds >= 1) || !(fps > 0)) {
        fprintf(stderr, "usage: bench_splitcomp [SECONDS [FPS]]\n");
        return 2;
    }
    char *names[NM], *models[NM], buf[NM][4];
    for (int k = 0; k < NM; k++) {
        snprintf(buf[k], sizeof buf[k], "%d%d", k / 4 + 1, k % 4 + 1);
        names[k] = buf[k];
        models[k] = "slimmable";
    }
    sb_rng r;
    sb_rng_seed(&r, 1, 0);
    sc_data d = {0};
    sc_trace tr;
    make_data(&d, &r, names, models);
    make_trace(&tr, &r, seconds);
    sc_stats st;
    sb_err err;
    size_t *order = malloc(NS * sizeof *order);
    if (!order || sc_stats_compute(&d, &st, &err)) {
        fprintf(stderr, "bench_splitcomp: setup failed\n");
        return 1;
    }
    sc_sample_order(NS, 1, 1, 0, order);
    sc_replay_opts o = {.fps = fps, .seconds = seconds, .deadline = 0.3, .trace_end = SC_END_LOOP};
    size_t F = sc_frames(seconds, fps);
    printf("bench_splitcomp: %zu frames (%g s at %g fps), 16 modes, D = 0.3 s, best of 3, one rank\n", F, seconds,
           fps);
    const char *pn[4] = {"static:44", "ewma", "ewma-srv", "oracle"};
    sc_policy pol[4] = {{SC_POL_STATIC, 15}, {SC_POL_EWMA, 0}, {SC_POL_EWMA_SRV, 0}, {SC_POL_ORACLE, 0}};
    for (int p = 0; p < 4; p++) {
        double best = INFINITY;
        sc_run run;
        for (int rep = 0; rep < 3; rep++) {
            double t0 = now();
            if (sc_replay(&d, &st, &tr, &pol[p], &o, order, &run, NULL, &err)) {
                fprintf(stderr, "bench_splitcomp: %s\n", err.msg);
                return 1;
            }
            best = fmin(best, now() - t0);
        }
        printf("  %-10s %8.3f ms  %12.0f frames/s  (miss rate %.3f, accuracy %.3f)\n", pn[p], 1e3 * best,
               (double)F / best, run.miss_rate, run.accuracy);
    }
    free(order);
    free(d.value), free(d.payload), free(d.t_enc), free(d.t_srv);
    free(tr.t), free(tr.bps);
    sc_stats_free(&st);
    return 0;
}
