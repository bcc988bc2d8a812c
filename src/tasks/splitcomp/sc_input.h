/* sc_input.h — split computing inputs (specs/splitcomp.md "Inputs"): per configuration and
 * sample measurements (/splitcomp) and uplink capacity traces (/traces/<name>), read and
 * checked so that nothing past here meets a bad shape, a negative time or a NaN. */
#ifndef SB_SC_INPUT_H
#define SB_SC_INPUT_H

#include <stddef.h>

#include "core/err.h"

/* M configurations × N samples; per-sample arrays are row-major [M][N]. */
typedef struct sc_data {
    size_t M, N;
    char **name, **model;     /* M each; model defaults to "model" */
    double *encoder_bits;     /* M or NULL */
    double *t_enc_est, *bytes_est; /* M or NULL */
    int is_score;             /* 1: value holds `score`, 0: `correct` (0/1) */
    double *value, *payload, *t_enc, *t_srv; /* M×N */
    double *switch_s;         /* M×M or NULL */
} sc_data;

/* Capacity bps[i] over [t[i], t[i+1]), the last segment up to dur. */
typedef struct sc_trace {
    char *name;
    size_t L;
    double *t, *bps;
    double dur;
    double period_bits; /* bits one pass of the trace carries */
} sc_trace;

typedef struct sc_traces {
    size_t n;
    sc_trace *tr;
} sc_traces;

/* Reads and checks /splitcomp of path: SB_EINPUT naming file, dataset and first bad index. */
int sc_data_read(const char *path, sc_data *d, sb_err *err);
void sc_data_free(sc_data *d);

/* Reads and checks every /traces/<name> of path (in name order); at least one. */
int sc_traces_read(const char *path, sc_traces *ts, sb_err *err);
void sc_traces_free(sc_traces *ts);

/* Checks one trace's arrays (shared by the reader and the converter); what names it. */
int sc_trace_check(const char *file, const char *what, const double *t, const double *bps, size_t L,
                   double dur, sb_err *err);

#endif
