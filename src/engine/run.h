/* run.h — running a job over MPI ranks, resuming it, and merging shards.
 *
 * Every rank calls sb_engine_run. Rank 0 plans; its main thread hands units out largest
 * cost first in guided batches (engine/schedule.h, engine/dispatch.h) while its second
 * thread and every other rank run them, so a rank that finishes early takes the next
 * batch; every finished unit is journaled by the rank that ran it; rank 0 then reads the
 * journals and lets each task finish its tables from the records in plan order. Outputs
 * therefore depend on the plan, never on which rank ran what. Needs MPI initialised with
 * at least MPI_THREAD_FUNNELED. */
#ifndef SB_RUN_H
#define SB_RUN_H

#include <mpi.h>

#include "engine/job.h"

typedef struct sb_run_opts {
    const char *outdir;
    int resume;
    int force;            /* a new run moves an earlier run's outputs aside (outdir.h) */
    int shard_i, shard_n; /* shard i of n (0-based i); n = 1 for a whole run */
    const char *command;  /* for provenance */
    int quiet;            /* no progress output */
} sb_run_opts;

typedef struct sb_run_result {
    size_t n_units, n_done, n_failed;
    int interrupted;
    int ran;              /* units were handed out: an error now is not "nothing ran" */
    /* Measured on rank 0 (bench/bench_engine prints them): seconds to plan (and read the
     * journal, write job.ini and the plan), to run the units, to finish and write the
     * outputs; hand-outs answered; units rank 0 ran itself. */
    double plan_s, run_s, finish_s;
    size_t handouts, rank0_units;
} sb_run_result;

/* 0 when the run completed (failed units are counted in res->n_failed, not an error);
 * SB_EINTR when stopped by a signal (the journal holds the finished units); another
 * SB_E* code for configuration and input errors found before any unit ran. The same
 * value on every rank. */
int sb_engine_run(sb_job *job, const sb_run_opts *ro, MPI_Comm comm, sb_run_result *res, sb_err *err);

/* Combines the output folders of shards of one run into outdir (one process); force
 * moves an earlier run's outputs in outdir aside (engine/outdir.h). */
int sb_engine_merge(const char *const *dirs, size_t n, const char *outdir, int force, sb_task_lookup lookup,
                    sb_run_result *res, sb_err *err);

#endif
