#include "engine/mpi_check.h"

#include <stdio.h>

#include "core/err.h"

void sb_mpi_check(int mrc, const char *what, MPI_Comm comm)
{
    if (mrc == MPI_SUCCESS)
        return;
    char msg[MPI_MAX_ERROR_STRING] = "";
    int len = 0, rank = -1;
    MPI_Error_string(mrc, msg, &len);
    MPI_Comm_rank(comm, &rank);
    fprintf(stderr, "shardbench: rank %d: %s failed: %s; ending the job\n", rank, what, msg);
    fflush(stderr);
    MPI_Abort(comm, SB_EMPI);
}
