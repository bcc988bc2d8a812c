/* bench_engine.c — what the engine itself costs per unit, with the null task (units that
 * do nothing): plan, hand-out and journal, finish. Run it under mpirun with any rank count:
 *   mpirun -n 2 build/bench/bench_engine [UNITS] [OUTDIR]
 * Prints, for the whole run and per million units: seconds to plan, run and finish,
 * hand-outs answered by the dispatcher per second, units rank 0 ran itself, the plan file
 * size and rank 0's peak memory. The floor of a unit is zero work, so every microsecond
 * printed is the engine's own overhead. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "engine/dispatch.h"
#include "engine/progress.h"
#include "engine/run.h"
#include "tasks/registry.h"

static long peak_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Rank 0's own units wait 1 ms each, so the other ranks' requests are what is timed. */
static int null_run(void *ctx, const sb_unit *u, sb_err *err)
{
    (void)u, (void)err;
    if (*(const int *)ctx == 0) {
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static int null_idle(void *ctx, sb_err *err)
{
    (void)ctx, (void)err;
    return 0;
}

/* The dispatcher alone: n units of one per hand-out (no batching), nothing run. Its
 * answers per second bound how fast a very large job can hand out single long units. */
static void round_trips(size_t n, int rank, int size)
{
    if (size < 2)
        return; /* no other rank to answer */
    sb_units us = {0};
    sb_err err;
    sb_sched sc;
    memset(&sc, 0, sizeof sc);
    for (size_t i = 0; rank == 0 && i < n; i++)
        sb_units_add(&us, "u", 1, (int64_t)i, &err);
    if (rank == 0) {
        sb_sched_init(&sc, us.u, us.n, NULL, 0, 1, size, NULL, &err);
        sc.max_batch = 1;
    }
    sb_worker_ops ops = {.run = null_run, .idle = null_idle, .ctx = &rank};
    sb_dispatch_stats st;
    MPI_Barrier(MPI_COMM_WORLD);
    double t = sb_now();
    sb_dispatch_run(MPI_COMM_WORLD, rank == 0 ? &sc : NULL, &ops, 0, n, 1, &st, &err);
    t = sb_now() - t;
    if (rank == 0)
        printf("dispatcher, one unit a hand-out: %zu units on %d ranks in %.3f s: %.0f hand-outs a second, "
               "%zu of them to other ranks (%.1f us a round trip as a worker sees it)\n", n, size, t, (double)n / t,
               st.requests, st.requests ? 1e6 * t / (double)st.requests * (size > 1 ? size - 1 : 1) : 0);
    sb_sched_free(&sc);
    sb_units_free(&us);
}

int main(int argc, char **argv)
{
    int provided, rank, size;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const char *units = argc > 1 ? argv[1] : "1000000";
    const char *outdir = argc > 2 ? argv[2] : "bench-engine-out";
    sb_err err;
    sb_err_clear(&err);
    sb_opts opts;
    sb_opts_init(&opts, ".", "bench_engine");
    sb_job job;
    int rc = sb_opts_set(&opts, "units", units, 0, &err);
    if (!rc)
        rc = sb_job_single(&job, sb_task_find("noop"), &opts, 0, &err);
    sb_run_opts ro = {.outdir = outdir, .quiet = 1, .command = "bench_engine"};
    sb_run_result res;
    memset(&res, 0, sizeof res);
    if (!rc)
        rc = sb_engine_run(&job, &ro, MPI_COMM_WORLD, &res, &err);
    long kb = peak_kb(), kb0 = kb;
    MPI_Reduce(&kb, &kb0, 1, MPI_LONG, MPI_MAX, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        if (rc) {
            fprintf(stderr, "bench_engine: %s\n", err.msg);
        } else {
            char path[1200];
            struct stat st;
            snprintf(path, sizeof path, "%s/journal/plan.sbp", outdir);
            double plan_mb = stat(path, &st) == 0 ? (double)st.st_size / 1e6 : -1;
            double m = (double)res.n_units / 1e6, tot = res.plan_s + res.run_s + res.finish_s;
            printf("engine, null units: %zu units on %d ranks\n", res.n_units, size);
            printf("  %-28s %10s %14s\n", "phase", "seconds", "s per 1M units");
            printf("  %-28s %10.3f %14.3f\n", "plan (+ job.ini, plan file)", res.plan_s, res.plan_s / m);
            printf("  %-28s %10.3f %14.3f\n", "run (hand-out + journal)", res.run_s, res.run_s / m);
            printf("  %-28s %10.3f %14.3f\n", "finish (journal -> tables)", res.finish_s, res.finish_s / m);
            printf("  %-28s %10.3f %14.3f\n", "total", tot, tot / m);
            printf("  per-unit overhead: %.2f us (floor: 0, a null unit does no work)\n", 1e6 * tot / (double)res.n_units);
            printf("  hand-outs answered: %zu (%.0f per second of run); units rank 0 ran itself: %zu\n",
                   res.handouts, res.run_s > 0 ? (double)res.handouts / res.run_s : 0, res.rank0_units);
            printf("  plan file: %.1f MB (%.1f bytes a unit); peak memory of a rank: %.0f MB\n", plan_mb,
                   plan_mb * 1e6 / (double)res.n_units, (double)kb0 / 1024);
        }
    }
    sb_job_free(&job);
    sb_opts_free(&opts);
    round_trips(100000, rank, size);
    MPI_Finalize();
    return rc ? 1 : 0;
}
