/* sc_options.h — `splitcomp eval` options parsed once (open) and the inputs they name, loaded
 * and checked once per process (plan on rank 0, then lazily by the first unit of each rank,
 * and by finish). */
#ifndef SB_SC_OPTIONS_H
#define SB_SC_OPTIONS_H

#include <stddef.h>

#include "engine/options.h"
#include "tasks/splitcomp/sc_input.h"
#include "tasks/splitcomp/sc_replay.h"

#define SC_MAX_LIST 64 /* deadlines or policy words */

typedef struct sc_state {
    char input[1024], traces_path[1024];
    double deadlines[SC_MAX_LIST];
    size_t nd;
    int pol_words[SC_MAX_LIST]; /* SC_POL_*, or -1 - config index for a named static */
    char pol_static_name[SC_MAX_LIST][256];
    size_t nwords;
    double fps, seconds; /* seconds NaN: each trace's duration */
    long seeds, warmup;
    int order_file, trace_end;
    double header_overhead, prop_delay;
    int has_auc_range;
    double auc_lo, auc_hi;
    /* Loaded by sc_state_load. */
    int loaded;
    sc_data d;
    sc_stats st;
    sc_traces tr;
    sc_policy *pol;
    char **pol_name;
    size_t npol;
} sc_state;

extern const sb_option sc_eval_options[];

int sc_state_parse(const sb_opts *o, sc_state *s, sb_err *err);
/* Reads and checks the input and traces, computes the summaries, expands the policies. */
int sc_state_load(sc_state *s, sb_err *err);
void sc_state_free(sc_state *s);

/* Frames of trace i (⌊T · fps⌋, T = --seconds or the trace's duration). */
size_t sc_state_frames(const sc_state *s, size_t i);

#endif
