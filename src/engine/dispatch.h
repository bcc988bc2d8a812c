/* dispatch.h — handing units to ranks, with a dispatcher that is never inside a unit.
 *
 * Rank 0's main thread is the dispatcher and rank 0's own units run on a second thread,
 * so a request is answered within about a millisecond whatever rank 0 is computing, on
 * any transport: shared memory, TCP, UCX or InfiniBand, with Open MPI's stock settings
 * (no one-sided window, whose passive-target progress on TCP waits for the owner to
 * enter MPI). The other ranks ask with two-sided messages and ask for their next batch
 * when half of the current one's cost is done, so a worker does not wait a round trip
 * between units; a batch holding one long unit is not followed by a prefetch, so short
 * units are never queued behind a long one. Only the dispatcher holds the plan: a batch
 * carries its units (ids, names, arguments), never the whole plan.
 *
 * Needs MPI_THREAD_FUNNELED: only the main thread of rank 0 calls MPI; rank 0's unit
 * thread calls no MPI (tasks never do). */
#ifndef SB_DISPATCH_H
#define SB_DISPATCH_H

#include <mpi.h>
#include <stddef.h>

#include "core/err.h"
#include "engine/schedule.h"

/* What a rank does with a unit. run returns nonzero when this rank must stop taking
 * units (its journal cannot be written); idle is called before a rank waits for work. */
typedef struct sb_worker_ops {
    int (*run)(void *ctx, const sb_unit *u, sb_err *err);
    int (*idle)(void *ctx, sb_err *err);
    void *ctx;
} sb_worker_ops;

typedef struct sb_dispatch_stats {
    size_t done;      /* units this run finished (on all ranks; rank 0's count) */
    size_t mine;      /* units this rank ran */
    size_t requests;  /* hand-outs this rank asked for (rank 0: answered) */
    int stopped;      /* a stop was asked for (signal) before the work ran out */
} sb_dispatch_stats;

/* Runs every unit of sched (rank 0; NULL elsewhere) over the ranks of comm. progress_base
 * and progress_total feed rank 0's progress line (quiet: none). Returns 0, or the code
 * of this rank's own failure (ops->run's); an MPI failure aborts the job (a peer that
 * cannot be reached would otherwise leave the others waiting forever). */
int sb_dispatch_run(MPI_Comm comm, sb_sched *sched, const sb_worker_ops *ops, size_t progress_base,
                    size_t progress_total, int quiet, sb_dispatch_stats *st, sb_err *err);

#endif
