/* report_cmd.c — `shardbench report DIR`: one self-contained DIR/report.html.
 *
 * The page is built by analysis/report.py (Debian's python3 with jinja2 and matplotlib): HTML
 * templates and plots are Python's strengths, and the run's files are already on disk, so the
 * C side only finds the script, runs it on rank 0 and passes its exit status on. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/version.h"

#define REPORT_PYTHON "/usr/bin/python3"

void sb_help_report(const sb_command *cmd)
{
    (void)cmd;
    printf("usage: shardbench report DIR [--output FILE] [--max-rows N]\n\n"
           "Writes DIR/report.html: every table of the run (sortable, filterable), leaderboards with\n"
           "their confidence intervals, a plot per task, failures, and provenance. One file that works\n"
           "offline (plots and scripts inline).\n\n"
           "  --output FILE   write the page here instead [default: DIR/report.html]\n"
           "  --max-rows N    rows shown per table; longer tables say how many rows they hold [default: 500]\n\n"
           "Runs analysis/report.py with %s (python3-jinja2, python3-matplotlib, python3-h5py).\n"
           "The script is looked for in $SHARDBENCH_ANALYSIS, then in %s/analysis.\n",
           REPORT_PYTHON, SB_SOURCE_DIR);
}

/* The script's path: $SHARDBENCH_ANALYSIS (a folder) first, so an installed or moved binary can
 * be pointed at it, then the source tree the binary was built from. */
static int find_script(char *path, size_t cap)
{
    const char *env = getenv("SHARDBENCH_ANALYSIS");
    const char *dirs[2] = {env && env[0] ? env : NULL, SB_SOURCE_DIR "/analysis"};
    for (int i = 0; i < 2; i++) {
        if (!dirs[i])
            continue;
        int n = snprintf(path, cap, "%s/report.py", dirs[i]);
        if (n > 0 && (size_t)n < cap && access(path, R_OK) == 0)
            return 0;
    }
    return -1;
}

/* Runs python3 SCRIPT ARGS... and returns its exit status (2 when it cannot start). */
static int run_script(const char *script, int argc, char **argv)
{
    char **args = calloc((size_t)argc + 3, sizeof *args);
    if (!args) {
        fprintf(stderr, "shardbench: error: out of memory\n");
        return SB_EXIT_USAGE;
    }
    args[0] = REPORT_PYTHON;
    args[1] = (char *)script;
    for (int i = 0; i < argc; i++)
        args[i + 2] = argv[i];
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        execv(REPORT_PYTHON, args);
        fprintf(stderr, "shardbench: error: cannot run %s: %s\n", REPORT_PYTHON, strerror(errno));
        _exit(SB_EXIT_USAGE);
    }
    free(args);
    if (pid < 0) {
        fprintf(stderr, "shardbench: error: cannot start %s: %s\n", REPORT_PYTHON, strerror(errno));
        return SB_EXIT_USAGE;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "shardbench: error: waiting for %s: %s\n", REPORT_PYTHON, strerror(errno));
            return SB_EXIT_USAGE;
        }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    fprintf(stderr, "shardbench: error: analysis/report.py stopped by signal %d\n", WTERMSIG(status));
    return SB_EXIT_UNFINISHED;
}

int sb_cmd_report(sb_cli *cli, const sb_command *cmd, int argc, char **argv)
{
    int code = SB_EXIT_OK;
    if (cli->rank == 0) {
        char script[PATH_MAX];
        if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
            sb_help_report(cmd);
        } else if (argc < 1) {
            fprintf(stderr, "shardbench: error: shardbench report: name a results folder (see --help)\n");
            code = SB_EXIT_USAGE;
        } else if (find_script(script, sizeof script)) {
            fprintf(stderr, "shardbench: error: analysis/report.py not found in $SHARDBENCH_ANALYSIS or %s/analysis\n",
                    SB_SOURCE_DIR);
            code = SB_EXIT_USAGE;
        } else {
            code = run_script(script, argc, argv);
        }
    }
    /* Every rank exits with rank 0's status, so mpirun reports what happened. */
    MPI_Bcast(&code, 1, MPI_INT, 0, cli->comm);
    return code;
}
