/* transfer_state.h — what the transfer task keeps between open, run_unit and finish
 * (internal to tasks/transfer: transfer_task.c plans and runs, transfer_finish.c builds the tables).
 *
 * A unit's record: N, D, C, k, then per chosen scorer: name, value, seconds, reason, the number
 * of raw components and their values (0 for one-value scorers and imagenet_acc). */
#ifndef SB_TRANSFER_STATE_H
#define SB_TRANSFER_STATE_H

#include "engine/task.h"
#include "tasks/transfer/manifest.h"
#include "tasks/transfer/scorer.h"

#define SB_TRANSFER_MAX_SCORERS 64

typedef struct transfer_state {
    sb_manifest m;
    sb_scorer_params params;
    size_t n_sel;
    const sb_scorer *sel[SB_TRANSFER_MAX_SCORERS]; /* NULL entry = imagenet_acc from the manifest */
} transfer_state;

/* One combined scorer over the m models of one dataset (transfer_combine.c). */
typedef struct sb_combine_in {
    const char *scorer, *dataset;
    const char *const *names;        /* component names (np) */
    size_t np;
    const double *w;                 /* weight per component; 0 = not used */
    size_t m;
    const double *parts;             /* m × np */
    const unsigned char *ran;        /* model i's unit ran and its record is intact */
    const char *const *part_why;     /* why model i's undefined components are (or NULL) */
} sb_combine_in;

/* values[i] = Σ_j w_j·(v_ij − min_S v_j)/(max_S v_j − min_S v_j) over S, the models that ran
 * with every used component defined; NaN with why[i] (malloc'd, replacing any old one) when
 * i is outside S, |S| < 2 or a used component is equal over S. */
int sb_combine_minmax(const sb_combine_in *in, double *values, char **why, sb_err *err);

int sb_transfer_finish(sb_task_ctx *t, const sb_unit *units, const sb_record *records, size_t n,
                       sb_tables *out, sb_err *err);

#endif
