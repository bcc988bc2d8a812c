/* main.c — the shardbench program: MPI up, one subcommand from the table, MPI down. */
#include <cblas.h>
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

int main(int argc, char **argv)
{
    /* Exactly one BLAS thread per rank, whatever OPENBLAS_NUM_THREADS or OMP_NUM_THREADS
     * say: OpenBLAS splits some routines differently by thread count, which changes results
     * in the last bits (docs/engine.md), and throughput comes from more ranks instead. */
    openblas_set_num_threads(1);
    /* FUNNELED: rank 0 runs its own units on a second thread that never calls MPI, while
     * its main thread answers the other ranks (engine/dispatch.h). */
    int provided = MPI_THREAD_SINGLE;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "shardbench: error: MPI could not start (MPI_Init_thread failed)\n");
        return 2;
    }
    sb_cli cli;
    memset(&cli, 0, sizeof cli);
    cli.comm = MPI_COMM_WORLD;
    MPI_Comm_rank(cli.comm, &cli.rank);
    MPI_Comm_size(cli.comm, &cli.size);
    if (provided < MPI_THREAD_FUNNELED && cli.rank == 0)
        fprintf(stderr, "shardbench: warning: this MPI offers no MPI_THREAD_FUNNELED; rank 0's units run "
                        "beside its dispatcher thread anyway (neither thread calls MPI concurrently)\n");
    cli.argv0 = argv[0];
    for (int i = 0; i < argc; i++)
        snprintf(cli.command_line + strlen(cli.command_line), sizeof cli.command_line - strlen(cli.command_line),
                 "%s%s", i ? " " : "", i ? argv[i] : "shardbench");
    int code = sb_cli_dispatch(&cli, argc - 1, argv + 1);
    fflush(stdout);
    MPI_Finalize();
    return code;
}
