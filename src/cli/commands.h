/* commands.h — the subcommand table of the shardbench CLI.
 *
 * A command is a name (one or two words), a summary, and either a task it runs through
 * the engine (its options come from the task's table) or a handler of its own. */
#ifndef SB_COMMANDS_H
#define SB_COMMANDS_H

#include <mpi.h>

#include "cli/args.h"
#include "core/err.h"
#include "engine/run.h"

/* Process exit codes (formats.md): */
enum { SB_EXIT_OK = 0, SB_EXIT_FAILED_UNITS = 1, SB_EXIT_USAGE = 2, SB_EXIT_INTERRUPTED = 3, SB_EXIT_UNFINISHED = 4 };

typedef struct sb_cli {
    MPI_Comm comm;
    int rank, size;
    const char *argv0;
    char command_line[1024];
} sb_cli;

typedef struct sb_command {
    const char *group;     /* "run", "pose", "gen" ... */
    const char *verb;      /* "eval", or NULL for one-word commands */
    const char *summary;
    const char *task;      /* run this task through the engine, or NULL */
    /* Returns an SB_EXIT_* code; prints its own output (rank 0). */
    int (*handler)(sb_cli *cli, const struct sb_command *cmd, int argc, char **argv);
    void (*help)(const struct sb_command *cmd);
} sb_command;

extern const sb_command sb_commands[];
extern const size_t sb_n_commands;

/* Runs the command named by argv (after the program name). */
int sb_cli_dispatch(sb_cli *cli, int argc, char **argv);

/* Shared by handlers: maps an engine result to an exit code and prints the summary. */
int sb_cli_report_run(sb_cli *cli, int rc, const sb_err *err, const char *outdir, const char *resume_hint,
                      const sb_run_result *res);
void sb_cli_error(const sb_cli *cli, const sb_err *err);

#endif
