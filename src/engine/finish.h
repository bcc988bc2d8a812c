/* finish.h — records → tables → files: what a run, a resume and a merge all end with.
 *
 * Tables are made from the journaled records in plan order, so they never depend on
 * which rank ran what. failures.csv lists every failed unit with its stage and reason. */
#ifndef SB_FINISH_H
#define SB_FINISH_H

#include "engine/job.h"
#include "engine/journal.h"
#include "store/results_h5.h"

/* Lets each task finish its tables from set (one record per unit of units), then writes
 * every CSV and results.h5 (with prov) into outdir. */
int sb_finish_write(sb_job *job, const sb_units *units, const sb_journal_set *set, const char *outdir,
                    sb_provenance *prov, sb_err *err);

#endif
