/* sc_finish.h — the tables of `splitcomp eval`: splitcomp_configs and splitcomp_fronts from the
 * input alone, splitcomp_runs from the unit records, splitcomp the means over seeds and then
 * over traces. */
#ifndef SB_SC_FINISH_H
#define SB_SC_FINISH_H

#include "core/buf.h"
#include "engine/task.h"
#include "tasks/splitcomp/sc_options.h"

/* A unit's record: its arg and the run's values. */
void sc_run_encode(sb_buf *rec, int64_t arg, const sc_run *run);

int sc_finish(const sc_state *s, const sb_unit *units, const sb_record *records, size_t n, sb_tables *out,
              sb_err *err);

#endif
