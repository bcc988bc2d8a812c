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

#include "engine/run.h"
#include "tasks/registry.h"

static long peak_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
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
    MPI_Finalize();
    return rc ? 1 : 0;
}
