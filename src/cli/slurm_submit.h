/* slurm_submit.h — `shardbench slurm submit SUITE`: a suite as a Slurm batch job.
 *
 * Writes the sbatch script (an MPI job, or a job array whose task i runs shard i+1 of n plus
 * a dependent job that merges the shards), then submits it with sbatch; --dry-run prints it.
 * The script traps the TERM Slurm sends before the time limit, forwards it to the ranks, and
 * requeues the job when the run stopped early; every run uses --resume, so a requeued job
 * continues from the journal. docs/cluster.md explains the choices. */
#ifndef SB_SLURM_SUBMIT_H
#define SB_SLURM_SUBMIT_H

#include "cli/commands.h"

/* The handler and help of {"slurm", "submit", ...} in the command table. */
int sb_cli_slurm_submit(sb_cli *cli, const sb_command *cmd, int argc, char **argv);
void sb_cli_help_slurm_submit(const sb_command *cmd);

#endif
