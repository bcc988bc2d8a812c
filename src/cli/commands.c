#include "cli/commands.h"
#include "cli/slurm_submit.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/version.h"
#include "engine/mpi_check.h"
#include "engine/outdir.h"
#include "engine/run.h"
#include "io/csv_read.h"
#include "store/atomic.h"
#include "tasks/registry.h"

static const char *const RUN_FLAGS[] = {"resume", "force", "quiet", "help", NULL};

void sb_cli_error(const sb_cli *cli, const sb_err *err)
{
    if (cli->rank == 0)
        fprintf(stderr, "shardbench: error: %s\n", err->msg[0] ? err->msg : "failed");
}

int sb_cli_report_run(sb_cli *cli, int rc, const sb_err *err, const char *outdir, const char *resume_hint,
                      const sb_run_result *res)
{
    size_t n_units = res->n_units, n_failed = res->n_failed;
    if (rc == SB_EINTR) {
        if (cli->rank == 0)
            fprintf(stderr, "shardbench: %s\nshardbench: resume with: %s --resume\n", err->msg, resume_hint);
        return SB_EXIT_INTERRUPTED;
    }
    if (rc && res->ran) {
        /* Units ran and are journaled: exit 2 would say "nothing ran". */
        sb_cli_error(cli, err);
        if (cli->rank == 0)
            fprintf(stderr, "shardbench: the units that finished are kept in %s/journal; once the cause is fixed, "
                            "finish with: %s --resume\n", outdir, resume_hint);
        return SB_EXIT_UNFINISHED;
    }
    if (rc) {
        sb_cli_error(cli, err);
        return SB_EXIT_USAGE;
    }
    if (cli->rank == 0) {
        printf("shardbench: %zu units, %zu failed; results in %s/\n", n_units, n_failed, outdir);
        if (n_failed)
            printf("shardbench: failed units and why: %s/failures.csv\n", outdir);
        fflush(stdout);
    }
    return n_failed ? SB_EXIT_FAILED_UNITS : SB_EXIT_OK;
}

/* "--shard i/n" with 1 <= i <= n, as people count array tasks from the command line. */
static int parse_shard(const char *s, int *i, int *n, sb_err *err)
{
    *i = 0;
    *n = 1;
    return s ? sb_parse_shard(s, i, n, err) : 0;
}

static int parse_seed(const char *s, uint64_t *seed, sb_err *err)
{
    *seed = 0;
    return s ? sb_parse_u64("--seed", s, seed, err) : 0;
}

static void print_options(const sb_option *o)
{
    for (; o && o->key; o++) {
        char name[80];
        snprintf(name, sizeof name, "--%s", o->key);
        for (char *p = name + 2; *p; p++)
            if (*p == '_')
                *p = '-';
        char def[128] = "", range[64];
        if (o->def)
            snprintf(def, sizeof def, " [default: %s]", o->def);
        sb_option_range_text(o, range, sizeof range);
        printf("  %-22s %s%s%s%s\n", name, o->help, range, o->required ? " (required)" : "", def);
    }
}

/* Parses a command's arguments. Returns -1 when the handler should go on, or else the exit code
 * to return at once: 0 after printing --help, 2 after printing why the arguments do not parse. */
static int parse_or_help(sb_cli *cli, const sb_command *cmd, int argc, char **argv, sb_args *a, sb_err *err)
{
    /* A task's boolean options are flags too: `--per-image` alone, or `--per-image false`. */
    const char *flags[64];
    size_t nf = 0;
    for (const char *const *f = RUN_FLAGS; *f; f++)
        flags[nf++] = *f;
    const sb_task *t = cmd->task ? sb_task_find(cmd->task) : NULL;
    for (const sb_option *o = t ? t->options : NULL; o && o->key && nf + 1 < sizeof flags / sizeof *flags; o++)
        if (o->type == SB_OPT_BOOL)
            flags[nf++] = o->key;
    flags[nf] = NULL;
    if (sb_args_parse(a, argc, argv, flags, err)) {
        sb_cli_error(cli, err);
        return SB_EXIT_USAGE;
    }
    if (sb_args_flag(a, "help")) {
        if (cli->rank == 0)
            cmd->help(cmd);
        return SB_EXIT_OK;
    }
    return -1;
}

/* ---- task commands: a task run through the engine ------------------------------ */

static void help_task(const sb_command *cmd)
{
    const sb_task *t = sb_task_find(cmd->task);
    printf("usage: shardbench %s %s --output DIR [options]\n\n%s\n\noptions of the task:\n", cmd->group, cmd->verb,
           cmd->summary);
    print_options(t->options);
    printf("\nrun options:\n"
           "  --output DIR           folder for the CSVs, results.h5 and the journal (required)\n"
           "  --resume               skip units an interrupted run in DIR already finished\n"
           "  --force                move an earlier run's outputs in DIR aside (DIR/previous-<time>/)\n"
           "  --shard i/n            run shard i of n (merge the shard folders with 'shardbench merge')\n"
           "  --seed S               seed of every random draw [default: 0]\n"
           "  --quiet                no progress output\n"
           "\nWorks alone or under mpirun -n N with the same output files.\n"
           "Exit status: 0 all units succeeded, 1 some failed (failures.csv), 2 usage or input error\n"
           "(nothing ran), 3 stopped by a signal (resume with --resume), 4 units ran but the outputs\n"
           "could not be written (finish with --resume).\n");
}

static int run_task_command(sb_cli *cli, const sb_command *cmd, int argc, char **argv)
{
    const sb_task *task = sb_task_find(cmd->task);
    sb_err err;
    sb_err_clear(&err);
    sb_args a;
    char name[64];
    snprintf(name, sizeof name, "shardbench %s %s", cmd->group, cmd->verb);
    int early = parse_or_help(cli, cmd, argc, argv, &a, &err);
    if (early >= 0)
        return early;
    const char *outdir = sb_args_get(&a, "output");
    int resume = sb_args_flag(&a, "resume"), quiet = sb_args_flag(&a, "quiet"), force = sb_args_flag(&a, "force");
    int si, sn;
    uint64_t seed;
    sb_opts opts;
    sb_opts_init(&opts, ".", "command line");
    int rc = parse_shard(sb_args_get(&a, "shard"), &si, &sn, &err);
    if (!rc)
        rc = parse_seed(sb_args_get(&a, "seed"), &seed, &err);
    for (const sb_option *o = task->options; !rc && o->key; o++) {
        const char *v = sb_args_get(&a, o->key);
        if (v)
            rc = sb_opts_set(&opts, o->key, v, 0, &err);
    }
    if (!rc && a.npos)
        rc = sb_fail(&err, SB_EUSAGE, "%s: unexpected argument '%s'", name, a.pos[0]);
    if (!rc)
        rc = sb_args_check_used(&a, name, &err);
    if (!rc && !outdir)
        rc = sb_fail(&err, SB_EUSAGE, "%s: --output DIR is required", name);
    if (rc) {
        sb_opts_free(&opts);
        sb_cli_error(cli, &err);
        return SB_EXIT_USAGE;
    }
    sb_job job;
    rc = sb_job_single(&job, task, &opts, seed, &err);
    sb_run_opts ro = {.outdir = outdir, .resume = resume, .force = force, .shard_i = si, .shard_n = sn,
                      .command = cli->command_line, .quiet = quiet};
    sb_run_result res;
    memset(&res, 0, sizeof res);
    if (!rc)
        rc = sb_engine_run(&job, &ro, cli->comm, &res, &err);
    sb_job_free(&job);
    sb_opts_free(&opts);
    return sb_cli_report_run(cli, rc, &err, outdir, cli->command_line, &res);
}

/* ---- run SUITE ----------------------------------------------------------------- */

static void help_run(const sb_command *cmd)
{
    (void)cmd;
    printf("usage: shardbench run SUITE.ini [--output DIR] [--resume] [--shard i/n] [--quiet]\n\n"
           "Runs every task section of a suite file (INI; see docs/suites.md) as one job.\n"
           "  --output DIR    results folder [default: results/<suite file name>]\n"
           "  --resume        continue an interrupted run from its journal in DIR\n"
           "  --force         move an earlier run's outputs in DIR aside (DIR/previous-<time>/)\n"
           "  --shard i/n     run shard i of n only (Slurm array task); then 'shardbench merge'\n"
           "  --quiet         no progress output\n\n"
           "Tasks a suite may name:\n");
    for (size_t i = 0; i < sb_n_tasks; i++)
        printf("  [%s]%*s %s\n", sb_tasks[i]->name, (int)(14 - strlen(sb_tasks[i]->name)), "", sb_tasks[i]->summary);
}

static int cmd_run(sb_cli *cli, const sb_command *cmd, int argc, char **argv)
{
    sb_err err;
    sb_err_clear(&err);
    sb_args a;
    int early = parse_or_help(cli, cmd, argc, argv, &a, &err);
    if (early >= 0)
        return early;
    const char *out = sb_args_get(&a, "output");
    int resume = sb_args_flag(&a, "resume"), quiet = sb_args_flag(&a, "quiet"), si, sn;
    int force = sb_args_flag(&a, "force");
    int rc = parse_shard(sb_args_get(&a, "shard"), &si, &sn, &err);
    if (!rc && a.npos != 1)
        rc = sb_fail(&err, SB_EUSAGE, "shardbench run: give exactly one suite file (see shardbench run --help)");
    if (!rc)
        rc = sb_args_check_used(&a, "shardbench run", &err);
    if (rc) {
        sb_cli_error(cli, &err);
        return SB_EXIT_USAGE;
    }
    char outdir[1024];
    if (out)
        snprintf(outdir, sizeof outdir, "%s", out);
    else {
        const char *base = strrchr(a.pos[0], '/');
        base = base ? base + 1 : a.pos[0];
        const char *dot = strrchr(base, '.');
        snprintf(outdir, sizeof outdir, "results/%.*s", dot ? (int)(dot - base) : (int)strlen(base), base);
    }
    sb_suite suite;
    sb_job job;
    memset(&job, 0, sizeof job);
    rc = sb_suite_load(&suite, a.pos[0], &err);
    int have_suite = !rc;
    if (!rc)
        rc = sb_job_from_suite(&job, &suite, sb_task_find, &err);
    sb_run_opts ro = {.outdir = outdir, .resume = resume, .force = force, .shard_i = si, .shard_n = sn,
                      .command = cli->command_line, .quiet = quiet};
    sb_run_result res;
    memset(&res, 0, sizeof res);
    if (!rc)
        rc = sb_engine_run(&job, &ro, cli->comm, &res, &err);
    sb_job_free(&job);
    if (have_suite)
        sb_suite_free(&suite);
    char hint[1200];
    snprintf(hint, sizeof hint, "shardbench run %s --output %s%s", a.pos[0], outdir,
             sn > 1 ? " --shard i/n" : "");
    if (sn > 1 && !rc && cli->rank == 0)
        printf("shardbench: shard %d/%d done; combine all shards with: shardbench merge DIR... --output DIR\n",
               si + 1, sn);
    return sb_cli_report_run(cli, rc, &err, outdir, hint, &res);
}

/* ---- merge DIR... --output DIR ------------------------------------------------- */

static void help_merge(const sb_command *cmd)
{
    (void)cmd;
    printf("usage: shardbench merge SHARD_DIR... --output DIR [--force]\n\n"
           "Combines the output folders of 'shardbench run SUITE --shard i/n' (all n of them) into the\n"
           "files of one run: the same CSVs, byte for byte, as an unsharded run of the suite.\n"
           "A DIR holding another run's outputs is refused; --force moves them into DIR/previous-<time>/.\n");
}

static int cmd_merge(sb_cli *cli, const sb_command *cmd, int argc, char **argv)
{
    sb_err err;
    sb_err_clear(&err);
    sb_args a;
    int early = parse_or_help(cli, cmd, argc, argv, &a, &err), rc = 0;
    if (early >= 0)
        return early;
    const char *out = rc ? NULL : sb_args_get(&a, "output");
    sb_args_flag(&a, "quiet"); /* merge prints no progress anyway */
    int force = sb_args_flag(&a, "force");
    if (!rc && !out)
        rc = sb_fail(&err, SB_EUSAGE, "shardbench merge: --output DIR is required");
    if (!rc && !a.npos)
        rc = sb_fail(&err, SB_EUSAGE, "shardbench merge: name the shard folders to merge");
    if (!rc)
        rc = sb_args_check_used(&a, "shardbench merge", &err);
    if (rc) {
        sb_cli_error(cli, &err);
        return SB_EXIT_USAGE;
    }
    sb_run_result res;
    memset(&res, 0, sizeof res);
    if (cli->rank == 0)
        rc = sb_engine_merge(a.pos, a.npos, out, force, sb_task_find, &res, &err);
    sb_mpi_check(MPI_Bcast(&rc, 1, MPI_INT, 0, cli->comm), "MPI_Bcast (status)", cli->comm);
    return sb_cli_report_run(cli, rc, &err, out, "shardbench merge", &res);
}

/* ---- gen NAME ------------------------------------------------------------------ */

static void help_gen(const sb_command *cmd)
{
    (void)cmd;
    printf("usage: shardbench gen NAME --output DIR [--seed S] [options]\n\nGenerators:\n");
    for (size_t i = 0; i < sb_n_generators; i++) {
        printf("\n  %s: %s\n", sb_generators[i]->name, sb_generators[i]->summary);
        print_options(sb_generators[i]->options);
    }
}

static int cmd_gen(sb_cli *cli, const sb_command *cmd, int argc, char **argv)
{
    sb_err err;
    sb_err_clear(&err);
    sb_args a;
    int early = parse_or_help(cli, cmd, argc, argv, &a, &err), rc = 0;
    if (early >= 0)
        return early;
    if (!a.npos) {
        if (cli->rank == 0)
            help_gen(cmd);
        return SB_EXIT_USAGE;
    }
    const sb_generator *g = rc ? NULL : sb_generator_find(a.pos[0]);
    if (!rc && !g)
        rc = sb_fail(&err, SB_EUSAGE, "shardbench gen: no generator '%s' (see shardbench gen --help)", a.pos[0]);
    const char *out = rc ? NULL : sb_args_get(&a, "output");
    uint64_t seed = 0;
    if (!rc && !out)
        rc = sb_fail(&err, SB_EUSAGE, "shardbench gen %s: --output DIR is required", a.pos[0]);
    if (!rc)
        rc = parse_seed(sb_args_get(&a, "seed"), &seed, &err);
    sb_args_flag(&a, "quiet");
    sb_opts opts;
    sb_opts_init(&opts, ".", "command line");
    for (const sb_option *o = g ? g->options : NULL; !rc && o && o->key; o++) {
        const char *v = sb_args_get(&a, o->key);
        if (v)
            rc = sb_opts_set(&opts, o->key, v, 0, &err);
    }
    char name[80];
    snprintf(name, sizeof name, "shardbench gen %s", g ? g->name : "");
    if (!rc && a.npos > 1)
        rc = sb_fail(&err, SB_EUSAGE, "%s: unexpected argument '%s'", name, a.pos[1]);
    if (!rc)
        rc = sb_args_check_used(&a, name, &err);
    if (!rc)
        rc = sb_opts_validate(&opts, g->options, &err);
    char wrote[1400] = "";
    if (!rc && cli->rank == 0 && !(rc = sb_mkdirs(out, &err)))
        rc = g->generate(&opts, out, seed, wrote, sizeof wrote, &err);
    sb_opts_free(&opts);
    sb_mpi_check(MPI_Bcast(&rc, 1, MPI_INT, 0, cli->comm), "MPI_Bcast (status)", cli->comm);
    if (rc) {
        sb_cli_error(cli, &err);
        return SB_EXIT_USAGE;
    }
    if (cli->rank == 0)
        printf("shardbench: wrote %s\n", wrote);
    return SB_EXIT_OK;
}

/* ---- show FILE.csv: a CSV as an aligned table ----------------------------------- */

static void help_show(const sb_command *cmd)
{
    (void)cmd;
    printf("usage: shardbench show FILE.csv [--columns a,b,c] [--rows N] [--where COL=VALUE[,COL=VALUE...]]\n\n"
           "Prints a results CSV as an aligned table (numbers to 4 significant digits).\n");
}

/* A table beside a job.ini but without run.complete is from a run that did not finish
 * (engine/outdir.h): say so, once, on stderr; the table is still shown. */
static void warn_unfinished(const char *csv)
{
    char dir[1024];
    const char *slash = strrchr(csv, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - csv) : 1, slash ? csv : ".");
    char job[1100];
    snprintf(job, sizeof job, "%s/job.ini", dir);
    if (access(job, F_OK) == 0 && !sb_outdir_complete(dir))
        fprintf(stderr, "shardbench: warning: %s has no %s: these results are from a run that did not finish\n", dir,
                SB_COMPLETE_FILE);
}

static int cmd_show(sb_cli *cli, const sb_command *cmd, int argc, char **argv)
{
    sb_err err;
    sb_err_clear(&err);
    sb_args a;
    int early = parse_or_help(cli, cmd, argc, argv, &a, &err), rc = 0;
    if (early >= 0)
        return early;
    if (!rc && a.npos != 1)
        rc = sb_fail(&err, SB_EUSAGE, "shardbench show: name one CSV file");
    const char *cols = rc ? NULL : sb_args_get(&a, "columns");
    const char *rows = rc ? NULL : sb_args_get(&a, "rows");
    const char *where = rc ? NULL : sb_args_get(&a, "where");
    long long limit = LLONG_MAX;
    if (!rc && rows)
        rc = sb_parse_int("shardbench show: --rows", rows, 0, LLONG_MAX, &limit, &err);
    if (!rc)
        rc = sb_args_check_used(&a, "shardbench show", &err);
    sb_csv t;
    memset(&t, 0, sizeof t);
    if (!rc && cli->rank == 0)
        rc = sb_csv_read(&t, a.pos[0], &err);
    if (!rc && cli->rank == 0)
        warn_unfinished(a.pos[0]);
    size_t sel[64], ns = 0, wcol[16], nw = 0;
    char wbuf[512], *wval[16];
    if (!rc && cli->rank == 0) {
        if (cols) {
            char buf[1024];
            snprintf(buf, sizeof buf, "%s", cols);
            for (char *tok = strtok(buf, ","); tok && !rc && ns < 64; tok = strtok(NULL, ","))
                rc = sb_csv_col(&t, tok, &sel[ns++], &err);
        } else
            for (ns = 0; ns < t.ncols && ns < 64; ns++)
                sel[ns] = ns;
        if (!rc && where) {
            snprintf(wbuf, sizeof wbuf, "%s", where);
            char *save = NULL;
            for (char *cond = strtok_r(wbuf, ",", &save); cond && !rc && nw < 16; cond = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(cond, '=');
                if (!eq) {
                    rc = sb_fail(&err, SB_EUSAGE, "shardbench show: --where takes COL=VALUE[,COL=VALUE...]");
                    break;
                }
                *eq = '\0';
                rc = sb_csv_col(&t, cond, &wcol[nw], &err);
                wval[nw++] = eq + 1;
            }
        }
    }
    if (!rc && cli->rank == 0) {
        size_t width[64];
        char cell[64];
        for (size_t pass = 0; pass < 2; pass++) {
            for (size_t c = 0; c < ns; c++) {
                if (!pass)
                    width[c] = strlen(t.header[sel[c]]);
                else
                    printf("%s%-*s", c ? "  " : "", (int)width[c], t.header[sel[c]]);
            }
            if (pass)
                printf("\n");
            size_t shown = 0;
            for (size_t r = 0; r < t.nrows && shown < (unsigned long long)limit; r++) {
                int keep = 1;
                for (size_t w = 0; w < nw; w++)
                    keep &= !strcmp(sb_csv_get(&t, r, wcol[w]), wval[w]);
                if (!keep)
                    continue;
                shown++;
                for (size_t c = 0; c < ns; c++) {
                    const char *s = sb_csv_get(&t, r, sel[c]);
                    char *end;
                    double v = strtod(s, &end);
                    if (s[0] && !*end && strchr(s, '.'))
                        snprintf(cell, sizeof cell, "%.4g", v);
                    else
                        snprintf(cell, sizeof cell, "%s", s);
                    if (!pass && strlen(cell) > width[c])
                        width[c] = strlen(cell);
                    if (pass)
                        printf("%s%-*s", c ? "  " : "", (int)width[c], cell);
                }
                if (pass)
                    printf("\n");
            }
        }
    }
    sb_csv_free(&t);
    sb_mpi_check(MPI_Bcast(&rc, 1, MPI_INT, 0, cli->comm), "MPI_Bcast (status)", cli->comm);
    if (rc) {
        sb_cli_error(cli, &err);
        return SB_EXIT_USAGE;
    }
    return SB_EXIT_OK;
}

/* ---- the table ----------------------------------------------------------------- */

/* forecast convert: a one-process command of its own (cli/forecast_convert_cmd.c) */
int sb_cmd_forecast_convert(sb_cli *cli, const sb_command *cmd, int argc, char **argv);
void sb_help_forecast_convert(const sb_command *cmd);
/* splitcomp convert: trace converters (cli/splitcomp_convert_cmd.c) */
int sb_cmd_splitcomp_convert(sb_cli *cli, const sb_command *cmd, int argc, char **argv);
void sb_help_splitcomp_convert(const sb_command *cmd);
/* report: the HTML page of a run (cli/report_cmd.c) */
int sb_cmd_report(sb_cli *cli, const sb_command *cmd, int argc, char **argv);
void sb_help_report(const sb_command *cmd);

const sb_command sb_commands[] = {
    {"run", NULL, "run a suite file (the main entry, under mpirun or srun)", NULL, cmd_run, help_run},
    {"merge", NULL, "combine the output folders of shards into one run's files", NULL, cmd_merge, help_merge},
    {"gen", NULL, "generate synthetic inputs (pose, ...)", NULL, cmd_gen, help_gen},
    {"show", NULL, "print a results CSV as an aligned table", NULL, cmd_show, help_show},
    {"report", NULL, "write DIR/report.html: tables, plots, failures and provenance of a run", NULL, sb_cmd_report, sb_help_report},
    {"slurm", "submit", "write and submit the Slurm batch job of a suite (docs/cluster.md)", NULL, sb_cli_slurm_submit, sb_cli_help_slurm_submit},
    {"forecast", "convert", "forecasting ground truth from per-frame tracks (reference convert_forecast_labels)", NULL, sb_cmd_forecast_convert, sb_help_forecast_convert},
    {"splitcomp", "convert", "uplink capacity traces from Mahimahi or time,rate logs (specs/splitcomp.md)", NULL, sb_cmd_splitcomp_convert, sb_help_splitcomp_convert},
};
const size_t sb_n_commands = sizeof sb_commands / sizeof sb_commands[0];

/* Every command: the table above, then each task that names a CLI group (engine/task.h),
 * so a new task needs no line here. Returns 0 past the last one. */
static int command_at(size_t i, sb_command *out)
{
    if (i < sb_n_commands) {
        *out = sb_commands[i];
        return 1;
    }
    for (size_t t = 0, k = sb_n_commands; t < sb_n_tasks; t++) {
        const sb_task *task = sb_tasks[t];
        if (!task->cli.group)
            continue;
        if (k++ == i) {
            *out = (sb_command){task->cli.group, task->cli.verb, task->cli.summary, task->name, run_task_command,
                                help_task};
            return 1;
        }
    }
    return 0;
}

static void help_top(void)
{
    printf("shardbench %s — distributed benchmarking of vision and driving models\n\n"
           "usage: shardbench COMMAND [SUBCOMMAND] [options]   (alone or under mpirun/srun)\n\n"
           "commands:\n", SB_VERSION);
    sb_command c;
    for (size_t i = 0; command_at(i, &c); i++) {
        char name[64];
        snprintf(name, sizeof name, "%s%s%s", c.group, c.verb ? " " : "", c.verb ? c.verb : "");
        printf("  %-20s %s\n", name, c.summary);
    }
    printf("\n'shardbench COMMAND --help' tells more. --version prints the version.\n");
}

/* The subcommands of GROUP: on stdout when asked for (bad == NULL), else on stderr after
 * naming the bad or missing ("") subcommand. */
static void help_group(const char *group, const char *bad)
{
    if (bad)
        fprintf(stderr, "shardbench: error: '%s' needs a subcommand%s%s\n", group, bad[0] ? ", not " : "", bad);
    FILE *o = bad ? stderr : stdout;
    fprintf(o, "usage: shardbench %s SUBCOMMAND [options]\n", group);
    sb_command c;
    for (size_t i = 0; command_at(i, &c); i++)
        if (c.verb && !strcmp(c.group, group))
            fprintf(o, "  %-12s %s\n", c.verb, c.summary);
}

int sb_cli_dispatch(sb_cli *cli, int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h") || !strcmp(argv[0], "help")) {
        if (cli->rank == 0)
            help_top();
        return argc < 1 ? SB_EXIT_USAGE : SB_EXIT_OK;
    }
    if (!strcmp(argv[0], "--version")) {
        if (cli->rank == 0)
            printf("shardbench %s (git %s)\n", SB_VERSION, SB_GIT_COMMIT);
        return SB_EXIT_OK;
    }
    int group_known = 0;
    sb_command c;
    for (size_t i = 0; command_at(i, &c); i++) {
        if (strcmp(c.group, argv[0]))
            continue;
        group_known = 1;
        if (!c.verb)
            return c.handler(cli, &c, argc - 1, argv + 1);
        if (argc > 1 && !strcmp(c.verb, argv[1]))
            return c.handler(cli, &c, argc - 2, argv + 2);
    }
    /* Every rank reaches the same verdict (only rank 0 prints): a "--help" that ranks > 0
     * answered with a usage error made mpirun report the whole run as failed. */
    if (group_known) {
        int asked = argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
        if (cli->rank == 0)
            help_group(argv[0], asked ? NULL : argc > 1 ? argv[1] : "");
        return asked ? SB_EXIT_OK : SB_EXIT_USAGE;
    }
    if (cli->rank == 0)
        fprintf(stderr, "shardbench: error: unknown command '%s' (see shardbench --help)\n", argv[0]);
    return SB_EXIT_USAGE;
}
