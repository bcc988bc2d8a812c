/* run.h — running a job over MPI ranks, resuming it, and merging shards.
 *
 * Every rank calls sb_engine_run. Rank 0 plans; units are handed out largest cost first
 * from a shared counter (MPI one-sided fetch-and-add), so a rank that finishes early takes
 * the next unit; every finished unit is journaled by the rank that ran it; rank 0 then
 * reads the journal and lets each task finish its tables from the records in unit order.
 * Outputs therefore depend on the plan, never on which rank ran what. */
#ifndef SB_RUN_H
#define SB_RUN_H

#include <mpi.h>

#include "engine/job.h"

typedef struct sb_run_opts {
    const char *outdir;
    int resume;
    int shard_i, shard_n; /* shard i of n (0-based i); n = 1 for a whole run */
    const char *command;  /* for provenance */
    int quiet;            /* no progress output */
} sb_run_opts;

typedef struct sb_run_result {
    size_t n_units, n_done, n_failed;
    int interrupted;
} sb_run_result;

/* 0 when the run completed (failed units are counted in res->n_failed, not an error);
 * SB_EINTR when stopped by a signal (the journal holds the finished units); another
 * SB_E* code for configuration and input errors found before any unit ran. The same
 * value on every rank. */
int sb_engine_run(sb_job *job, const sb_run_opts *ro, MPI_Comm comm, sb_run_result *res, sb_err *err);

/* Combines the output folders of shards of one run into outdir (one process). */
int sb_engine_merge(const char *const *dirs, size_t n, const char *outdir, sb_task_lookup lookup,
                    sb_run_result *res, sb_err *err);

#endif
