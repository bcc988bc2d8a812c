/* sc_replay.h — one trace replayed under one policy and deadline (specs/splitcomp.md "Link and
 * device model", "Policies"): frames at a fixed rate through one encoder and a FIFO uplink. */
#ifndef SB_SC_REPLAY_H
#define SB_SC_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "tasks/splitcomp/sc_input.h"

enum { SC_POL_STATIC = 0, SC_POL_EWMA, SC_POL_EWMA_SRV, SC_POL_ORACLE };

typedef struct sc_policy {
    int kind;
    size_t cfg; /* SC_POL_STATIC: the configuration */
} sc_policy;

/* Per-configuration summaries the policies rank by (sc_stats_compute). */
typedef struct sc_stats {
    size_t M;
    double *acc, *mean_bytes, *sd_bytes, *mean_t_enc, *mean_t_srv;
    double *t_enc_hat, *bytes_hat; /* the controller's estimates: *_est, else the means */
    size_t fallback;               /* least mean bytes, first in list order */
} sc_stats;

int sc_stats_compute(const sc_data *d, sc_stats *st, sb_err *err);
void sc_stats_free(sc_stats *st);

/* Assine et al.'s controller constants. */
#define SC_EWMA_START 200.0 /* kB/s before any feedback */
#define SC_EWMA_NEW 0.4     /* weight of a new measurement */
#define SC_EWMA_MARGIN 0.8  /* a mode must fit in this share of the deadline */

/* The controller's choice at bandwidth estimate bhat (kB/s) and deadline D: the most accurate
 * configuration (strictly, in list order, starting from the fallback) whose estimated encoder
 * time (+ mean server time when srv) + bytes / (1000 bhat) is below 0.8 D. */
size_t sc_ewma_pick(const sc_stats *st, double bhat, double D, int srv);
/* B̂ ← 0.4 m̂ + 0.6 B̂ */
double sc_ewma_update(double bhat, double measured);

typedef struct sc_replay_opts {
    double fps, seconds; /* seconds: the replayed span of the trace */
    double deadline, header_overhead, prop_delay;
    int trace_end;       /* SC_END_LOOP or SC_END_HOLD */
    size_t warmup;
} sc_replay_opts;

/* Frames F = ⌊seconds · fps⌋. */
size_t sc_frames(double seconds, double fps);

typedef struct sc_run {
    uint64_t frames; /* measured */
    double accuracy, timely_accuracy, miss_rate;
    double latency_mean, latency_p50, latency_p95, latency_p99;
    double mean_bytes;
    uint64_t switches;
    double switch_time_s;
} sc_run;

/* Optional per-frame trail (tests, the bench): arrays of F entries, any may be NULL. */
typedef struct sc_trail {
    size_t *cfg;
    double *latency;
} sc_trail;

/* Replays F frames; frame n shows sample order[n mod N]. SB_EINPUT when no frame is measured. */
int sc_replay(const sc_data *d, const sc_stats *st, const sc_trace *tr, const sc_policy *pol,
              const sc_replay_opts *o, const size_t *order, sc_run *out, sc_trail *trail, sb_err *err);

/* order[i] = the sample frame i (mod N) shows: identity, or (shuffle) a Fisher–Yates
 * permutation (i = N−1…1: j = below(i+1)) drawn from the generator seeded (seed, r). */
int sc_sample_order(size_t N, int shuffle, uint64_t seed, uint64_t r, size_t *order);

#endif
