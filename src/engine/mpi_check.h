/* mpi_check.h — every MPI call's return code is checked, and a failure ends the job.
 *
 * The engine's communicator returns errors instead of aborting inside MPI, so a failure
 * is reported by name, with MPI's own message. It then ends the whole job (MPI_Abort):
 * the peers of a rank that cannot communicate would otherwise wait for it forever. */
#ifndef SB_MPI_CHECK_H
#define SB_MPI_CHECK_H

#include <mpi.h>

void sb_mpi_check(int mrc, const char *what, MPI_Comm comm);

#endif
