/* slurm_submit.c — `shardbench slurm submit SUITE`: write the sbatch script(s) of a suite and
 * submit them. The script text follows slurm/mpi.sbatch and slurm/array.sbatch, with the
 * values of this submission filled in; docs/cluster.md explains each choice. */
/* realpath() is an X/Open (XSI) function; the build asks only for POSIX 2008. */
#define _XOPEN_SOURCE 700

#include "cli/slurm_submit.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/mpi_check.h"
#include "core/version.h"
#include "engine/job.h"
#include "io/suite.h"
#include "store/atomic.h"
#include "tasks/registry.h"

extern char **environ;

enum {
    SIGNAL_LEAD_DEFAULT = 120, /* seconds of warning before the time limit: a few units' time */
    MAX_REQUEUES_DEFAULT = 10, /* a run that never gets anywhere must not requeue forever */
    SIGNAL_LEAD_MAX = 65535    /* Slurm's largest --signal time */
};

static const char *const SUBMIT_FLAGS[] = {"dry-run", "parsable", "help", NULL};

/* One submission, every path absolute. */
typedef struct slurm_spec {
    char sb[PATH_MAX];     /* this shardbench binary */
    char suite[PATH_MAX];
    char out[PATH_MAX];
    char script[PATH_MAX + 16];
    char merge_script[PATH_MAX + 16];
    char env_file[PATH_MAX]; /* "" when none */
    char job_name[128];
    const char *partition, *account, *time, *launcher;
    long time_s;             /* the time limit in seconds, -1 when not given or unlimited */
    int nodes, ntasks, cpus_per_task, array, signal_s, max_requeues;
} slurm_spec;

/* ---- checking the options ------------------------------------------------------------- */

static int parse_count(const char *opt, const char *s, int min, int max, int *out, sb_err *err)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || !s[0] || *end || errno || v < min || v > max)
        return sb_fail(err, SB_EUSAGE, "shardbench slurm submit: --%s takes an integer from %d to %d, not '%s'", opt,
                       min, max, s ? s : "");
    *out = (int)v;
    return 0;
}

/* Digits only, into *v; returns the end or NULL. */
static const char *take_number(const char *p, long *v)
{
    if (*p < '0' || *p > '9')
        return NULL;
    *v = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (*v > 100000000L)
            return NULL;
        *v = *v * 10 + (*p - '0');
    }
    return p;
}

/* Slurm's --time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S; UNLIMITED/INFINITE give -1. */
static int parse_time(const char *s, long *sec, sb_err *err)
{
    *sec = -1;
    if (!strcasecmp(s, "unlimited") || !strcasecmp(s, "infinite"))
        return 0;
    long days = -1, v[3] = {0, 0, 0};
    int n = 0;
    const char *p = s;
    if (strchr(s, '-')) {
        p = take_number(s, &days);
        if (!p || *p != '-')
            goto bad;
        p++;
    }
    for (;;) {
        p = take_number(p, &v[n++]);
        if (!p)
            goto bad;
        if (!*p)
            break;
        if (*p != ':' || n == 3)
            goto bad;
        p++;
    }
    long t;
    if (days >= 0) /* D-H, D-H:M, D-H:M:S */
        t = days * 86400 + v[0] * 3600 + (n > 1 ? v[1] * 60 : 0) + (n > 2 ? v[2] : 0);
    else if (n == 1) /* M */
        t = v[0] * 60;
    else if (n == 2) /* M:S */
        t = v[0] * 60 + v[1];
    else /* H:M:S */
        t = v[0] * 3600 + v[1] * 60 + v[2];
    if (t <= 0)
        goto bad;
    *sec = t;
    return 0;
bad:
    return sb_fail(err, SB_EUSAGE,
                   "shardbench slurm submit: --time takes a Slurm time limit (minutes, M:S, H:M:S, D-H, D-H:M or "
                   "D-H:M:S, above zero), not '%s'",
                   s);
}

/* Values written into #SBATCH lines and shell assignments: refuse what would need quoting
 * there (white space, quotes, $, `, \) and '%', which #SBATCH --output would expand. */
static int check_path(const char *what, const char *s, sb_err *err)
{
    const char *bad = strpbrk(s, " \t\n'\"\\$`%");
    if (bad)
        return sb_fail(err, SB_EUSAGE,
                       "shardbench slurm submit: %s '%s' contains '%c', which a batch script cannot carry "
                       "unquoted; use a path without it",
                       what, s, *bad);
    return 0;
}

static int check_name(const char *opt, const char *s, sb_err *err)
{
    if (!s)
        return 0;
    if (!s[0] || s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._,:+=@-")])
        return sb_fail(err, SB_EUSAGE,
                       "shardbench slurm submit: --%s takes a Slurm name (letters, digits and ._,:+=@-), not '%s'",
                       opt, s);
    return 0;
}

/* path made absolute against the current folder (it may not exist yet). */
static int absolute(const char *what, const char *path, char *out, size_t cap, sb_err *err)
{
    char cwd[PATH_MAX];
    int n;
    if (path[0] == '/')
        n = snprintf(out, cap, "%s", path);
    else if (!getcwd(cwd, sizeof cwd))
        return sb_fail(err, SB_EIO, "shardbench slurm submit: cannot read the current folder: %s", strerror(errno));
    else {
        while (path[0] == '.' && path[1] == '/')
            path += 2;
        n = snprintf(out, cap, "%s/%s", cwd, path);
    }
    if (n < 0 || (size_t)n >= cap)
        return sb_fail(err, SB_EUSAGE, "shardbench slurm submit: %s path '%s' is too long", what, path);
    size_t len = strlen(out);
    while (len > 1 && out[len - 1] == '/')
        out[--len] = '\0';
    return check_path(what, out, err);
}

static int existing_file(const char *what, const char *path, char *out, sb_err *err)
{
    char tmp[PATH_MAX];
    if (!realpath(path, tmp))
        return sb_fail(err, SB_EUSAGE, "shardbench slurm submit: %s '%s': %s", what, path, strerror(errno));
    snprintf(out, PATH_MAX, "%s", tmp);
    return check_path(what, out, err);
}

/* The suite must load and name known tasks with valid options before anything is queued. */
static int check_suite(const char *path, sb_err *err)
{
    sb_suite suite;
    sb_job job;
    memset(&job, 0, sizeof job);
    int rc = sb_suite_load(&suite, path, err);
    if (rc)
        return rc;
    rc = sb_job_from_suite(&job, &suite, sb_task_find, err);
    sb_job_free(&job);
    sb_suite_free(&suite);
    return rc;
}

static int self_path(const char *argv0, char *out, sb_err *err)
{
    ssize_t n = readlink("/proc/self/exe", out, PATH_MAX - 1);
    if (n > 0) {
        out[n] = '\0';
        return check_path("the shardbench binary", out, err);
    }
    if (strchr(argv0, '/') && realpath(argv0, out))
        return check_path("the shardbench binary", out, err);
    snprintf(out, PATH_MAX, "shardbench"); /* from PATH on the compute nodes */
    return 0;
}

static int build_spec(slurm_spec *s, sb_args *a, const char *suite_arg, const char *argv0, sb_err *err)
{
    memset(s, 0, sizeof *s);
    s->time_s = -1;
    s->ntasks = 1;
    s->max_requeues = MAX_REQUEUES_DEFAULT;
    const char *v;
    int rc = 0;
    if ((v = sb_args_get(a, "nodes")))
        rc = parse_count("nodes", v, 1, 100000, &s->nodes, err);
    if (!rc && (v = sb_args_get(a, "ntasks")))
        rc = parse_count("ntasks", v, 1, 10000000, &s->ntasks, err);
    if (!rc && (v = sb_args_get(a, "cpus-per-task")))
        rc = parse_count("cpus-per-task", v, 1, 4096, &s->cpus_per_task, err);
    if (!rc && (v = sb_args_get(a, "array")))
        rc = parse_count("array", v, 1, 100000, &s->array, err);
    if (!rc && (v = sb_args_get(a, "max-requeues")))
        rc = parse_count("max-requeues", v, 0, 10000, &s->max_requeues, err);
    if (!rc && (s->time = sb_args_get(a, "time")))
        rc = parse_time(s->time, &s->time_s, err);
    s->partition = sb_args_get(a, "partition");
    s->account = sb_args_get(a, "account");
    const char *name = sb_args_get(a, "job-name");
    if (!rc)
        rc = check_name("partition", s->partition, err);
    if (!rc)
        rc = check_name("account", s->account, err);
    if (!rc)
        rc = check_name("job-name", name, err);
    if (!rc && s->nodes && s->ntasks < s->nodes)
        rc = sb_fail(err, SB_EUSAGE, "shardbench slurm submit: --ntasks %d is fewer than --nodes %d", s->ntasks,
                     s->nodes);

    /* Warning before the time limit: --signal, else 120 s but at most half the limit. */
    s->signal_s = SIGNAL_LEAD_DEFAULT;
    if (!rc && s->time_s > 0 && s->time_s / 2 < SIGNAL_LEAD_DEFAULT)
        s->signal_s = s->time_s / 2 > 0 ? (int)(s->time_s / 2) : 1;
    if (!rc && (v = sb_args_get(a, "signal")))
        rc = parse_count("signal", v, 1, SIGNAL_LEAD_MAX, &s->signal_s, err);
    if (!rc && s->time_s > 0 && s->signal_s >= s->time_s)
        rc = sb_fail(err, SB_EUSAGE,
                     "shardbench slurm submit: --signal %d s must be shorter than the time limit --time %s (%ld s)",
                     s->signal_s, s->time, s->time_s);

    s->launcher = sb_args_get(a, "launcher");
    if (!s->launcher)
        s->launcher = "srun";
    if (!rc && strcmp(s->launcher, "srun") && strcmp(s->launcher, "mpirun"))
        rc = sb_fail(err, SB_EUSAGE, "shardbench slurm submit: --launcher takes srun or mpirun, not '%s'",
                     s->launcher);

    if (!rc)
        rc = existing_file("suite file", suite_arg, s->suite, err);
    if (!rc && (v = sb_args_get(a, "env-file")))
        rc = existing_file("--env-file", v, s->env_file, err);

    /* Names from the suite file: results/<name> as `shardbench run` does, job "sb-<name>". */
    const char *base = strrchr(suite_arg, '/');
    base = base ? base + 1 : suite_arg;
    const char *dot = strrchr(base, '.');
    int blen = dot && dot > base ? (int)(dot - base) : (int)strlen(base);
    char def_out[PATH_MAX];
    snprintf(def_out, sizeof def_out, "results/%.*s", blen, base);
    const char *out = sb_args_get(a, "output");
    if (!rc)
        rc = absolute("--output", out ? out : def_out, s->out, sizeof s->out, err);
    if (name)
        snprintf(s->job_name, sizeof s->job_name, "%s", name);
    else {
        snprintf(s->job_name, sizeof s->job_name, "sb-%.*s", blen > 100 ? 100 : blen, base);
        for (char *p = s->job_name; *p; p++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p))
                *p = '_';
    }

    /* The scripts sit next to the output folder: DIR.sbatch (and DIR.merge.sbatch). */
    const char *script = sb_args_get(a, "script");
    if (!rc && script)
        rc = absolute("--script", script, s->script, sizeof s->script, err);
    else if (!rc)
        snprintf(s->script, sizeof s->script, "%s.sbatch", s->out);
    if (!rc) {
        size_t len = strlen(s->script);
        int has_ext = len > 7 && !strcmp(s->script + len - 7, ".sbatch");
        snprintf(s->merge_script, sizeof s->merge_script, "%.*s.merge.sbatch", (int)(has_ext ? len - 7 : len),
                 s->script);
    }
    if (!rc)
        rc = self_path(argv0, s->sb, err);
    return rc;
}

/* ---- the scripts ---------------------------------------------------------------------- */

static void emit_common_sbatch(FILE *f, const slurm_spec *s)
{
    if (s->time)
        fprintf(f, "#SBATCH --time=%s\n", s->time);
    if (s->partition)
        fprintf(f, "#SBATCH --partition=%s\n", s->partition);
    if (s->account)
        fprintf(f, "#SBATCH --account=%s\n", s->account);
}

static void emit_env(FILE *f, const slurm_spec *s)
{
    fprintf(f,
            "\n# The environment of every rank (docs/cluster.md).\n"
            "export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1  # one BLAS thread per rank: same results on any --cpus-per-task\n"
            "export HDF5_USE_FILE_LOCKING=${HDF5_USE_FILE_LOCKING:-FALSE}  # locks fail on many shared filesystems\n"
            "if [ \"$(id -u)\" -eq 0 ]; then  # Open MPI refuses to run as root unless told\n"
            "  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1\n"
            "fi\n");
    if (s->env_file[0])
        fprintf(f, "source '%s'  # --env-file: site settings (module load, PATH, ...)\n", s->env_file);
}

static void emit_run_script(FILE *f, const slurm_spec *s)
{
    fprintf(f,
            "#!/bin/bash\n"
            "# %s as a Slurm job, written by `shardbench slurm submit` (shardbench %s).\n"
            "# Submit it again with: sbatch %s\n",
            s->suite, SB_VERSION, s->script);
    if (s->array)
        fprintf(f, "# Array task i runs shard i+1 of %d; the job in %s merges them.\n", s->array, s->merge_script);
    fprintf(f, "#SBATCH --job-name=%s\n", s->job_name);
    if (s->nodes)
        fprintf(f, "#SBATCH --nodes=%d\n", s->nodes);
    fprintf(f, "#SBATCH --ntasks=%d\n", s->ntasks);
    if (s->cpus_per_task)
        fprintf(f, "#SBATCH --cpus-per-task=%d\n", s->cpus_per_task);
    emit_common_sbatch(f, s);
    if (s->array)
        fprintf(f, "#SBATCH --array=0-%d\n", s->array - 1);
    fprintf(f,
            "#SBATCH --signal=B:TERM@%d\n"
            "#SBATCH --requeue\n"
            "#SBATCH --open-mode=append\n"
            "#SBATCH --output=%s/slurm-%s.out\n",
            s->signal_s, s->out, s->array ? "%A_%a" : "%j");
    fprintf(f,
            "\n# What to run: absolute paths, since the job may start in any folder.\n"
            "SB='%s'\n"
            "SUITE='%s'\n"
            "OUT='%s'\n"
            "LAUNCHER=%s  # srun --mpi=pmix, or mpirun (Open MPI reads the allocation from SLURM_*)\n"
            "MAX_REQUEUES=%d\n",
            s->sb, s->suite, s->out, s->launcher, s->max_requeues);
    emit_env(f, s);
    fputs("\n"
          "# Array task i runs shard i+1 of n into $OUT/shard-<i+1>; otherwise the whole suite into $OUT.\n"
          "if [ -n \"${SLURM_ARRAY_TASK_ID:-}\" ]; then\n"
          "  if [ \"${SLURM_ARRAY_TASK_MIN:-0}\" -ne 0 ] || [ \"$SLURM_ARRAY_TASK_MAX\" -ne $((SLURM_ARRAY_TASK_COUNT - 1)) ]; then\n"
          "    echo \"shardbench job: the array must be 0-(n-1), not ${SLURM_ARRAY_TASK_MIN}-${SLURM_ARRAY_TASK_MAX}\" >&2\n"
          "    exit 2\n"
          "  fi\n"
          "  shard=$((SLURM_ARRAY_TASK_ID + 1))\n"
          "  set -- --shard \"$shard/$SLURM_ARRAY_TASK_COUNT\" --output \"$OUT/shard-$shard\"\n"
          "  JOB=${SLURM_ARRAY_JOB_ID}_$SLURM_ARRAY_TASK_ID  # this task alone: one task's SLURM_JOB_ID names the whole array\n"
          "else\n"
          "  set -- --output \"$OUT\"\n"
          "  JOB=$SLURM_JOB_ID\n"
          "fi\n"
          "\n"
          "# Open MPI 4 names its shared-memory files (/dev/shm/vader_segment.*) after a job id that two\n"
          "# srun-launched jobs on one node can share, and they then crash: give each job a folder of its\n"
          "# own on each of its nodes, removed at the end.\n"
          "on_nodes() {\n"
          "  if [ \"${SLURM_JOB_NUM_NODES:-1}\" -gt 1 ]; then srun --mpi=none --ntasks-per-node=1 --ntasks=\"$SLURM_JOB_NUM_NODES\" \"$@\"; else \"$@\"; fi\n"
          "}\n"
          "shm=\n"
          "if [ -z \"${OMPI_MCA_btl_vader_backing_directory:-}\" ]; then\n"
          "  shm=/dev/shm\n"
          "  [ -d \"$shm\" ] || shm=${TMPDIR:-/tmp}\n"
          "  shm=$shm/shardbench-$JOB\n"
          "  on_nodes mkdir -p \"$shm\" && export OMPI_MCA_btl_vader_backing_directory=$shm\n"
          "fi\n"
          "\n"
          "# Slurm sends TERM to this shell alone (--signal=B:...) before the time limit. Pass it on:\n"
          "# the ranks finish and journal their current unit, then exit 3. With srun, signal the job's\n"
          "# steps (scancel --signal) once srun has created one, never srun itself: a TERM to srun\n"
          "# makes it kill the ranks at once. The trap is set before the launch, so no TERM is lost.\n"
          "stopping=0\n"
          "step=\n"
          "forward_term() {\n"
          "  if [ \"$LAUNCHER\" != srun ]; then kill -TERM \"$step\"; return; fi\n"
          "  for _ in $(seq 60); do\n"
          "    squeue -h -s -j \"$JOB\" -o %i 2>/dev/null | grep -q '\\.[0-9]' && break\n"
          "    kill -0 \"$step\" 2>/dev/null || return 0\n"
          "    sleep 0.5\n"
          "  done\n"
          "  scancel --signal=TERM \"$JOB\"\n"
          "}\n"
          "on_term() {\n"
          "  stopping=$((stopping + 1))\n"
          "  echo \"shardbench job $JOB: TERM received (time limit near); the ranks stop after their current unit\"\n"
          "  if [ -n \"$step\" ]; then forward_term; fi\n"
          "}\n"
          "trap on_term TERM\n"
          "\n"
          "# Always --resume: a requeued job continues from the journal (a first run finds it empty).\n"
          "echo \"shardbench job $JOB: $LAUNCHER: $SB run $SUITE $* --resume (restart ${SLURM_RESTART_COUNT:-0})\"\n"
          "case $LAUNCHER in\n"
          "  srun) srun --mpi=pmix \"$SB\" run \"$SUITE\" \"$@\" --resume & ;;\n"
          "  *) mpirun \"$SB\" run \"$SUITE\" \"$@\" --resume & ;;\n"
          "esac\n"
          "step=$!\n"
          "if [ \"$stopping\" -gt 0 ]; then forward_term; fi  # TERM came before the launch\n"
          "while :; do\n"
          "  seen=$stopping\n"
          "  rc=0\n"
          "  wait \"$step\" || rc=$?\n"
          "  [ \"$stopping\" -ne \"$seen\" ] || break  # else the trap cut wait short: wait for the step's own status\n"
          "done\n"
          "trap - TERM\n"
          "if [ -n \"$shm\" ]; then on_nodes rm -rf \"$shm\"; fi\n"
          "echo \"shardbench job $JOB: the run exited with status $rc\"\n"
          "\n"
          "# Stopped early (exit 3; mpirun reports its ranks' 3 as 1): requeue the job, which resumes.\n"
          "if [ \"$rc\" -eq 3 ] || { [ \"$stopping\" -gt 0 ] && [ \"$rc\" -ne 0 ] && [ \"$rc\" -ne 2 ]; }; then\n"
          "  restarts=${SLURM_RESTART_COUNT:-0}\n"
          "  if [ \"$restarts\" -ge \"$MAX_REQUEUES\" ]; then\n"
          "    echo \"shardbench job $JOB: stopped early after $restarts requeues; not requeueing again (sbatch this script to continue)\" >&2\n"
          "    exit 3\n"
          "  fi\n"
          "  echo \"shardbench job $JOB: interrupted; requeueing (restart $((restarts + 1)), at most $MAX_REQUEUES) to resume from the journal\"\n"
          "  scontrol requeue \"$JOB\" && exit 0\n"
          "  echo \"shardbench job $JOB: scontrol requeue failed; sbatch this script again to continue\" >&2\n"
          "  exit 3\n"
          "fi\n"
          "# A shard with failed units is still complete (merge lists them in failures.csv): let the merge run.\n"
          "if [ -n \"${SLURM_ARRAY_TASK_ID:-}\" ] && [ \"$rc\" -eq 1 ]; then exit 0; fi\n"
          "exit \"$rc\"\n",
          f);
}

static void emit_merge_script(FILE *f, const slurm_spec *s)
{
    fprintf(f,
            "#!/bin/bash\n"
            "# Merges the %d shards of the job array in %s into %s,\n"
            "# written by `shardbench slurm submit` (shardbench %s). It waits for the array:\n"
            "#   sbatch --dependency=afterok:<array job id> --kill-on-invalid-dep=yes %s\n"
            "#SBATCH --job-name=%s-merge\n"
            "#SBATCH --ntasks=1\n",
            s->array, s->script, s->out, SB_VERSION, s->merge_script, s->job_name);
    emit_common_sbatch(f, s);
    fprintf(f,
            "#SBATCH --open-mode=append\n"
            "#SBATCH --output=%s/slurm-%%j.out\n"
            "\n"
            "SB='%s'\n"
            "OUT='%s'\n"
            "N=%d\n",
            s->out, s->sb, s->out, s->array);
    emit_env(f, s);
    fputs("\nshards=()\n"
          "for i in $(seq 1 \"$N\"); do shards+=(\"$OUT/shard-$i\"); done\n"
          "echo \"shardbench job $SLURM_JOB_ID: $SB merge ${shards[*]} --output $OUT\"\n"
          "exec \"$SB\" merge \"${shards[@]}\" --output \"$OUT\"\n",
          f);
}

/* The script text in a malloc'd string. */
static int render(void (*emit)(FILE *, const slurm_spec *), const slurm_spec *s, char **text, sb_err *err)
{
    size_t len;
    FILE *f = open_memstream(text, &len);
    if (!f)
        return sb_fail(err, SB_ENOMEM, "shardbench slurm submit: out of memory writing the batch script");
    emit(f, s);
    if (fclose(f))
        return sb_fail(err, SB_ENOMEM, "shardbench slurm submit: out of memory writing the batch script");
    return 0;
}

static int write_script(const char *path, const char *text, sb_err *err)
{
    sb_atomic a;
    int rc = sb_atomic_open(&a, path, err);
    if (rc)
        return rc;
    if (fputs(text, a.fp) == EOF) {
        sb_atomic_abort(&a);
        return sb_fail(err, SB_EIO, "writing %s: %s", path, strerror(errno));
    }
    return sb_atomic_commit(&a, err);
}

/* ---- sbatch --------------------------------------------------------------------------- */

/* Runs argv (from PATH) with stdout captured into out; stderr passes through. */
static int run_capture(char *const argv[], char *out, size_t cap, sb_err *err)
{
    int fd[2];
    if (pipe(fd))
        return sb_fail(err, SB_EIO, "shardbench slurm submit: pipe: %s", strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fd[0]);
    posix_spawn_file_actions_addclose(&fa, fd[1]);
    pid_t pid;
    int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd[1]);
    if (e) {
        close(fd[0]);
        return sb_fail(err, SB_EUSAGE, "shardbench slurm submit: cannot run %s: %s (is Slurm installed here?)",
                       argv[0], strerror(e));
    }
    size_t n = 0;
    ssize_t r;
    while ((r = read(fd[0], out + n, cap - 1 - n)) > 0 || (r < 0 && errno == EINTR))
        if (r > 0 && (n += (size_t)r) == cap - 1)
            break;
    out[n] = '\0';
    close(fd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return sb_fail(err, SB_EIO, "shardbench slurm submit: waiting for %s: %s", argv[0], strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status))
        return sb_fail(err, SB_EUSAGE, "shardbench slurm submit: %s %s failed (exit status %d; its message is above)",
                       argv[0], argv[1], WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return 0;
}

/* sbatch --parsable [--dependency=afterok:ID --kill-on-invalid-dep=yes] SCRIPT → job id. */
static int sbatch(const char *script, const char *after, char *id, size_t cap, sb_err *err)
{
    char dep[96];
    char *argv[6];
    int n = 0;
    argv[n++] = (char *)"sbatch";
    argv[n++] = (char *)"--parsable";
    if (after) {
        snprintf(dep, sizeof dep, "--dependency=afterok:%s", after);
        argv[n++] = dep;
        argv[n++] = (char *)"--kill-on-invalid-dep=yes";
    }
    argv[n++] = (char *)script;
    argv[n] = NULL;
    char out[4096];
    int rc = run_capture(argv, out, sizeof out, err);
    if (rc)
        return rc;
    /* --parsable prints "jobid" or "jobid;cluster" on its last line. */
    char *line = out, *nl;
    while ((nl = strchr(line, '\n')) && nl[1])
        line = nl + 1;
    size_t len = strspn(line, "0123456789");
    if (!len || len >= cap)
        return sb_fail(err, SB_EUSAGE, "shardbench slurm submit: sbatch %s printed no job id ('%s')", script, out);
    memcpy(id, line, len);
    id[len] = '\0';
    return 0;
}

/* ---- the command ---------------------------------------------------------------------- */

void sb_cli_help_slurm_submit(const sb_command *cmd)
{
    (void)cmd;
    printf("usage: shardbench slurm submit SUITE.ini [options] [--dry-run]\n\n"
           "Writes the Slurm batch script that runs the suite (DIR.sbatch beside the output folder) and\n"
           "submits it with sbatch, printing the job id. The job runs every rank with srun --mpi=pmix\n"
           "(or mpirun), always with --resume. Before the time limit Slurm sends TERM; the script\n"
           "forwards it to the ranks, which journal their current unit and exit 3, and the job requeues\n"
           "itself (scontrol requeue) to continue from the journal until the suite is done.\n"
           "With --array N, array task i runs shard i+1 of N into DIR/shard-<i+1>, and a second job\n"
           "(DIR.merge.sbatch, sbatch --dependency=afterok:<array job>) merges them into DIR.\n\n"
           "  --output DIR          results folder [default: results/<suite file name>]\n"
           "  --nodes N             nodes (#SBATCH --nodes) [default: Slurm's]\n"
           "  --ntasks N            MPI ranks of the job, or of each array task [default: 1]\n"
           "  --cpus-per-task C     cores reserved per rank (BLAS uses one thread; more ranks give more\n"
           "                        throughput) [default: Slurm's]\n"
           "  --time T              time limit, as Slurm writes it (30, 2:00:00, 1-12) [default: the partition's]\n"
           "  --array N             split the suite into N shards, one array task each\n"
           "  --partition P         partition (#SBATCH --partition)\n"
           "  --account A           account to charge (#SBATCH --account)\n"
           "  --job-name NAME       [default: sb-<suite file name>]\n"
           "  --signal S            send TERM S seconds before the time limit [default: %d, at most half of --time]\n"
           "  --launcher L          srun (srun --mpi=pmix) or mpirun [default: srun]\n"
           "  --max-requeues K      stop requeueing after K restarts [default: %d]\n"
           "  --env-file FILE       a shell file the job sources first (module load, PATH, ...)\n"
           "  --script PATH         where to write the script [default: DIR.sbatch]\n"
           "  --dry-run             print the script(s); write and submit nothing\n"
           "  --parsable            print only the job id(s), one a line\n\n"
           "See docs/cluster.md for the environment, file systems and sizing --ntasks.\n",
           SIGNAL_LEAD_DEFAULT, MAX_REQUEUES_DEFAULT);
}

static int submit(sb_cli *cli, sb_args *a, sb_err *err)
{
    int dry = sb_args_flag(a, "dry-run"), parsable = sb_args_flag(a, "parsable");
    slurm_spec s;
    int rc = 0;
    if (a->npos != 1)
        rc = sb_fail(err, SB_EUSAGE, "shardbench slurm submit: give exactly one suite file (see --help)");
    if (!rc)
        rc = build_spec(&s, a, a->pos[0], cli->argv0, err);
    if (!rc)
        rc = sb_args_check_used(a, "shardbench slurm submit", err);
    if (!rc)
        rc = check_suite(s.suite, err);
    char *run = NULL, *merge = NULL;
    if (!rc)
        rc = render(emit_run_script, &s, &run, err);
    if (!rc && s.array)
        rc = render(emit_merge_script, &s, &merge, err);
    if (!rc && dry) {
        fputs(run, stdout);
        if (merge)
            printf("\n# ---- %s ----\n%s", s.merge_script, merge);
    } else if (!rc) {
        /* Slurm opens the log in DIR before the job starts: the folder must exist. */
        rc = sb_mkdirs(s.out, err);
        if (!rc)
            rc = write_script(s.script, run, err);
        if (!rc && merge)
            rc = write_script(s.merge_script, merge, err);
        char id[64] = "", merge_id[64] = "";
        if (!rc)
            rc = sbatch(s.script, NULL, id, sizeof id, err);
        if (!rc && merge) {
            rc = sbatch(s.merge_script, id, merge_id, sizeof merge_id, err);
            if (rc)
                sb_wrap(err, "array job %s is queued but its merge job is not (merge by hand: %s): ", id,
                        s.merge_script);
        }
        if (!rc && parsable)
            printf("%s\n%s%s", id, merge_id, merge_id[0] ? "\n" : "");
        else if (!rc) {
            printf("shardbench: submitted job %s: %s\n", id, s.script);
            if (merge_id[0])
                printf("shardbench: submitted merge job %s (starts when all %d array tasks succeed): %s\n", merge_id,
                       s.array, s.merge_script);
            printf("shardbench: logs and results in %s/\n", s.out);
        }
    }
    free(run);
    free(merge);
    return rc;
}

int sb_cli_slurm_submit(sb_cli *cli, const sb_command *cmd, int argc, char **argv)
{
    sb_err err;
    sb_err_clear(&err);
    sb_args a;
    int rc = sb_args_parse(&a, argc, argv, SUBMIT_FLAGS, &err);
    if (!rc && sb_args_flag(&a, "help")) {
        if (cli->rank == 0)
            sb_cli_help_slurm_submit(cmd);
        return SB_EXIT_OK;
    }
    if (!rc && cli->rank == 0)
        rc = submit(cli, &a, &err);
    sb_mpi_check(MPI_Bcast(&rc, 1, MPI_INT, 0, cli->comm), "MPI_Bcast (status)", cli->comm);
    if (rc) {
        sb_cli_error(cli, &err);
        return SB_EXIT_USAGE;
    }
    fflush(stdout);
    return SB_EXIT_OK;
}
