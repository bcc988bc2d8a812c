/* sc_gen.c — `shardbench gen splitcomp` (specs/splitcomp.md "Generator"): Assine et al.'s 16
 * slimmable modes with synthetic per-sample outcomes and times, and Markov-chain uplink traces.
 * Draws: generator (seed, 0) gives, per sample s, v_s then per mode (list order) ξ and ζ;
 * generator (seed, 1 + i) gives trace i's start state and then one uniform per slot. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "io/h5write.h"
#include "tasks/generator.h"

static const sb_option gen_sc_options[] = {
    {"samples", SB_OPT_INT, "1000", "samples per mode", 0, {1, 10000000}},
    {"traces", SB_OPT_INT, "3", "uplink traces ge1, ge2, ...", 0, {1, 10000}},
    {"trace_seconds", SB_OPT_DOUBLE, "120", "duration of each trace, seconds", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

#define NMODES 16
/* mAP of mode eb (ensemble e, bits b), modes 11, 12, ..., 44 (Assine et al.). */
static const double MODE_MAP[NMODES] = {14.5, 27.7, 32.0, 34.3, 16.5, 29.4, 34.1, 36.1,
                                        16.4, 29.4, 34.2, 36.4, 16.6, 29.7, 34.6, 36.8};
static const double GE_RATES[3] = {300000, 900000, 1800000};

static int write_modes(sb_h5w *w, sb_rng *r, size_t N, sb_err *err)
{
    size_t MN = NMODES * N;
    int32_t *correct = malloc(MN * sizeof *correct);
    int64_t *payload = malloc(MN * sizeof *payload);
    double *t_enc = malloc(MN * sizeof *t_enc), *t_srv = malloc(MN * sizeof *t_srv);
    if (!correct || !payload || !t_enc || !t_srv) {
        free(correct), free(payload), free(t_enc), free(t_srv);
        return sb_fail(err, SB_ENOMEM, "gen splitcomp: out of memory for %zu samples", N);
    }
    char names[NMODES][4];
    const char *name_p[NMODES], *model_p[NMODES];
    double bits[NMODES], t_est[NMODES], b_est[NMODES];
    for (int k = 0; k < NMODES; k++) {
        int e = k / 4 + 1, b = k % 4 + 1;
        snprintf(names[k], sizeof names[k], "%d%d", e, b);
        name_p[k] = names[k];
        model_p[k] = "slimmable";
        bits[k] = e * 1e7;
        t_est[k] = 0.006 * (10 * e + b);
        b_est[k] = 6912.0 * b;
    }
    for (size_t s = 0; s < N; s++) {
        double v = sb_rng_uniform(r);
        for (int k = 0; k < NMODES; k++) {
            size_t i = (size_t)k * N + s;
            int e = k / 4 + 1, b = k % 4 + 1;
            correct[i] = v < MODE_MAP[k] / 100;
            payload[i] = 6912 * b;
            t_enc[i] = 0.066 * e * exp(0.05 * sb_rng_normal(r));
            t_srv[i] = 0.02 * exp(0.1 * sb_rng_normal(r));
        }
    }
    size_t dm = NMODES, d2[2] = {NMODES, N};
    sb_h5w_group(w, "/splitcomp/configs");
    sb_h5w_strings(w, "/splitcomp/configs/name", NMODES, name_p);
    sb_h5w_strings(w, "/splitcomp/configs/model", NMODES, model_p);
    sb_h5w_f64(w, "/splitcomp/configs/encoder_bits", 1, &dm, bits);
    sb_h5w_f64(w, "/splitcomp/configs/t_enc_est", 1, &dm, t_est);
    sb_h5w_f64(w, "/splitcomp/configs/bytes_est", 1, &dm, b_est);
    sb_h5w_i32(w, "/splitcomp/correct", 2, d2, correct);
    sb_h5w_i64(w, "/splitcomp/payload_bytes", 2, d2, payload);
    sb_h5w_f64(w, "/splitcomp/t_enc", 2, d2, t_enc);
    sb_h5w_f64(w, "/splitcomp/t_srv", 2, d2, t_srv);
    free(correct), free(payload), free(t_enc), free(t_srv);
    return 0;
}

/* A 3-state chain on 0.5-s slots: uniform start, stay with 0.9, else one of the other two. */
static int write_trace(sb_h5w *w, sb_rng *r, const char *name, double seconds, sb_err *err)
{
    size_t L = (size_t)ceil(seconds / 0.5);
    double *t = malloc(L * sizeof *t), *bps = malloc(L * sizeof *bps);
    if (!t || !bps) {
        free(t), free(bps);
        return sb_fail(err, SB_ENOMEM, "gen splitcomp: out of memory for %zu slots", L);
    }
    int state = (int)sb_rng_below(r, 3);
    for (size_t i = 0; i < L; i++) {
        if (i > 0 && sb_rng_uniform(r) >= 0.9)
            state = (state + 1 + (int)sb_rng_below(r, 2)) % 3;
        t[i] = 0.5 * (double)i;
        bps[i] = GE_RATES[state];
    }
    char g[128], p[160];
    snprintf(g, sizeof g, "/traces/%s", name);
    sb_h5w_group(w, g);
    snprintf(p, sizeof p, "%s/time_s", g);
    sb_h5w_f64(w, p, 1, &L, t);
    snprintf(p, sizeof p, "%s/bps", g);
    sb_h5w_f64(w, p, 1, &L, bps);
    sb_h5w_attr_f64(w, g, "duration_s", seconds);
    free(t), free(bps);
    return 0;
}

static int gen_splitcomp(const sb_opts *opts, const char *outdir, uint64_t seed, char *wrote, size_t cap,
                         sb_err *err)
{
    long N, T;
    double secs;
    int rc;
    if ((rc = sb_opts_long(opts, gen_sc_options, "samples", &N, err)) ||
        (rc = sb_opts_long(opts, gen_sc_options, "traces", &T, err)) ||
        (rc = sb_opts_double(opts, gen_sc_options, "trace_seconds", &secs, err)))
        return rc;
    if (!(secs > 0 && secs <= 1e7))
        return sb_fail(err, SB_EUSAGE, "gen splitcomp: trace_seconds must be in (0, 1e7], not %g", secs);
    char path[1200], tpath[1200];
    snprintf(path, sizeof path, "%s/splitcomp.h5", outdir);
    snprintf(tpath, sizeof tpath, "%s/traces.h5", outdir);
    sb_h5w w;
    sb_rng r;
    sb_rng_seed(&r, seed, 0);
    if ((rc = sb_h5w_create(&w, path, err)))
        return rc;
    rc = write_modes(&w, &r, (size_t)N, err);
    if ((rc = rc ? (sb_h5w_close(&w, 0, NULL), rc) : sb_h5w_close(&w, 1, err)))
        return rc;
    if ((rc = sb_h5w_create(&w, tpath, err)))
        return rc;
    for (long i = 0; i < T && !rc; i++) {
        char name[32];
        snprintf(name, sizeof name, "ge%ld", i + 1);
        sb_rng_seed(&r, seed, 1 + (uint64_t)i);
        rc = write_trace(&w, &r, name, secs, err);
    }
    if ((rc = rc ? (sb_h5w_close(&w, 0, NULL), rc) : sb_h5w_close(&w, 1, err)))
        return rc;
    snprintf(wrote, cap, "%s (16 modes x %ld samples) and %s (%ld traces of %g s)", path, N, tpath, T, secs);
    return 0;
}

const sb_generator sb_gen_splitcomp = {
    .name = "splitcomp",
    .summary = "Assine et al.'s 16 slimmable modes with synthetic outcomes, and Markov uplink traces",
    .options = gen_sc_options,
    .generate = gen_splitcomp,
};
