/* sc_convert.h — `splitcomp convert`: real uplink logs into the trace format of
 * specs/splitcomp.md (/traces/<name>/{time_s,bps}, attribute duration_s). */
#ifndef SB_SC_CONVERT_H
#define SB_SC_CONVERT_H

#include <stddef.h>

#include "core/err.h"

/* A trace being built: capacity bps[i] over [t[i], t[i+1]), the last up to dur. */
typedef struct sc_trace_arrays {
    size_t L;
    double *t, *bps, dur;
} sc_trace_arrays;

void sc_trace_arrays_free(sc_trace_arrays *a);

/* A Mahimahi delivery-opportunity file (one integer millisecond per packet_bytes packet,
 * nondecreasing, last > 0) binned into bin_ms bins over one period P = last timestamp. */
int sc_mahimahi_read(const char *path, long bin_ms, long packet_bytes, sc_trace_arrays *out, sb_err *err);

/* A two-column time (s), rate file (comma or blanks; optional header) with rates in units of
 * unit_bps bit/s; times shifted to start at 0, the last row held for the previous interval. */
int sc_rate_csv_read(const char *path, double unit_bps, sc_trace_arrays *out, sb_err *err);

/* Adds /traces/<name> to path (created when missing; a trace of that name already there is
 * SB_EINPUT). */
int sc_trace_write(const char *path, const char *name, const sc_trace_arrays *a, sb_err *err);

#endif
