/* bench_forecast.c — `shardbench forecast eval` on one input against the floor (reading the
 * input once) and the Argoverse 2 reference evaluation, in ground-truth agents per second.
 *
 * Usage (source scripts/env.sh first, for mpirun):
 *   shardbench gen forecast --size av2 --output /tmp/fc --seed 1     # 150 logs x 150 frames x ~60
 *   bench_forecast /tmp/fc/forecast.h5 [AV2_API_GITDIR [LOGS]]
 * bench/bench_forecast.sh runs it on both workloads of docs/forecasting.md (150 long logs and
 * 6,000 short ones). What it prints, in this order:
 * 1. The floor: every dataset of the file read once with HDF5, in its stored type, in slabs
 *    of 64 Ki rows (the page cache is warm: the generator has just written the file).
 * 2. The task in this process, without MPI or journal: plan, every unit, finish.
 * 3. The command as users run it, `mpirun -n N shardbench forecast eval`, N = 1 and 2: wall
 *    time and the CPU time of the ranks (getrusage of the children: what an unloaded machine's
 *    wall time would be for one rank). The difference to 2., divided by the units, is the cost
 *    of a unit's bookkeeping in the engine (journal, dispatch) plus MPI start-up.
 *    2. and 3. (1 rank) run again with short logs grouped into units (--group-cost 20000: about
 *    18 logs of the short workload a unit; logs of the long one stay alone).
 * 4. With an av2-api checkout: bench/forecast_ref_bench.py runs the reference's evaluate() on
 *    the first LOGS logs (default: the first logs that hold 30,000 ground-truth agents, about
 *    15 CPU seconds; the whole file takes the reference tens of CPU minutes). Its work per agent
 *    hardly depends on the number of logs (each of its 312 accumulate calls walks every
 *    prediction once), so its rate on the subset is scaled per agent to the whole file, and
 *    the ratios to it are printed (wall and CPU).
 * SB_BIN names the shardbench binary (default: ../shardbench next to this program). Nothing is
 * asserted; it prints numbers for docs/forecasting.md. */
#include <hdf5.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/task.h"
#include "io/h5read.h"
#include "tasks/forecast/forecast_input.h"

extern const sb_task sb_task_forecast;

#define REF_AGENTS 30000
#define GROUPED "20000" /* --group-cost of the grouped runs (SB_FC_BENCH_GROUP overrides) */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double self_cpu(void) { return (double)clock() / CLOCKS_PER_SEC; }

static double children_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec +
           1e-6 * (double)ru.ru_stime.tv_usec;
}

/* Reads one dataset whole, in its stored type, 64 Ki rows at a time; returns its bytes or 0. */
static double read_dataset(hid_t file, const char *name, unsigned char **buf, size_t *cap)
{
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    if (ds < 0) return 0;
    hid_t ft = H5Dget_type(ds), mt = H5Tget_native_type(ft, H5T_DIR_DEFAULT), fs = H5Dget_space(ds);
    int rank = H5Sget_simple_extent_ndims(fs);
    hsize_t dims[8], start[8] = {0}, count[8];
    double bytes = 0;
    if (rank >= 1 && rank <= 8 && H5Sget_simple_extent_dims(fs, dims, NULL) >= 0) {
        size_t row = H5Tget_size(mt);
        for (int i = 1; i < rank; i++) row *= (size_t)dims[i];
        for (int i = 0; i < rank; i++) count[i] = dims[i];
        size_t slab = 65536;
        if (slab * row > *cap) {
            free(*buf);
            *cap = slab * row;
            *buf = malloc(*cap);
        }
        for (hsize_t r = 0; *buf && r < dims[0]; r += slab) {
            start[0] = r;
            count[0] = dims[0] - r < slab ? dims[0] - r : slab;
            hsize_t m = count[0] * row / H5Tget_size(mt);
            hid_t ms = H5Screate_simple(1, &m, NULL);
            H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
            if (H5Dread(ds, mt, ms, fs, H5P_DEFAULT, *buf) >= 0) bytes += (double)(count[0] * row);
            H5Sclose(ms);
        }
    }
    H5Sclose(fs);
    H5Tclose(mt);
    H5Tclose(ft);
    H5Dclose(ds);
    return bytes;
}

/* The floor: every dataset of the layout read once. */
static int floor_read(const char *path, double *wall, double *cpu, double *bytes)
{
    static const char *names[] = {"/logs", "/categories", "/gt/log", "/gt/timestamp_ns", "/gt/category",
                                  "/gt/current_xy", "/gt/future_xy", "/gt/ego_xy", "/pred/log",
                                  "/pred/timestamp_ns", "/pred/category", "/pred/current_xy",
                                  "/pred/detection_score", "/pred/modes_xy", "/pred/mode_scores"};
    double t0 = now(), c0 = self_cpu();
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return -1;
    unsigned char *buf = NULL;
    size_t cap = 0;
    *bytes = 0;
    for (size_t i = 2; i < sizeof names / sizeof *names; i++) *bytes += read_dataset(f, names[i], &buf, &cap);
    H5Fclose(f);
    free(buf);
    *wall = now() - t0;
    *cpu = self_cpu() - c0;
    return 0;
}

typedef struct timing {
    double wall, units, finish, cpu, cpu_units, cpu_finish;
    size_t n_units;
} timing;

/* The task in this process: 0, or -1 on failure. */
static int in_process(const char *path, const char *group_cost, timing *tm)
{
    sb_err err;
    sb_err_clear(&err);
    sb_opts o;
    sb_opts_init(&o, ".", "bench_forecast");
    sb_task_ctx ctx = {.opts = &o, .label = "", .seed = 0, .state = NULL};
    sb_units units = {0};
    sb_tables tabs = {0};
    sb_record *recs = NULL;
    sb_buf *bufs = NULL;
    double t0 = now(), c0 = self_cpu();
    int rc = sb_opts_set(&o, "input", path, 0, &err);
    if (!rc) rc = sb_opts_set(&o, "group_cost", group_cost, 0, &err);
    if (!rc) rc = sb_task_forecast.open(&ctx, &err);
    if (!rc) rc = sb_task_forecast.plan(&ctx, &units, &err);
    if (!rc) {
        recs = calloc(units.n, sizeof *recs);
        bufs = calloc(units.n, sizeof *bufs);
        if (!recs || !bufs) rc = sb_fail(&err, SB_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < units.n && !rc; i++) {
        char stage[64];
        sb_buf_init(&bufs[i]);
        rc = sb_task_forecast.run_unit(&ctx, &units.u[i], &bufs[i], stage, sizeof stage, &err);
        recs[i] = (sb_record){units.u[i].id, 0, bufs[i].data, bufs[i].len};
    }
    double t1 = now(), c1 = self_cpu();
    if (!rc) rc = sb_task_forecast.finish(&ctx, units.u, recs, units.n, &tabs, &err);
    double t2 = now(), c2 = self_cpu();
    if (rc) fprintf(stderr, "bench_forecast: %s\n", err.msg);
    tm->n_units = units.n;
    for (size_t i = 0; bufs && i < units.n; i++) sb_buf_free(&bufs[i]);
    free(bufs);
    free(recs);
    sb_tables_free(&tabs);
    sb_units_free(&units);
    if (ctx.state) sb_task_forecast.close(&ctx);
    sb_opts_free(&o);
    *tm = (timing){t2 - t0, t1 - t0, t2 - t1, c2 - c0, c1 - c0, c2 - c1, tm->n_units};
    return rc ? -1 : 0;
}

static int run_cli(const char *bin, const char *path, int ranks, const char *group_cost, double *wall,
                   double *cpu)
{
    char dir[] = "/tmp/bench_forecast_XXXXXX", cmd[16384];
    if (!mkdtemp(dir)) return -1;
    snprintf(cmd, sizeof cmd,
             "mpirun -n %d '%s' forecast eval --input '%s' --output '%s/out' --quiet%s%s >/dev/null", ranks,
             bin, path, dir, strcmp(group_cost, "0") ? " --group-cost " : "", strcmp(group_cost, "0") ? group_cost : "");
    double c0 = children_cpu(), t0 = now();
    int rc = system(cmd);
    *wall = now() - t0;
    *cpu = children_cpu() - c0;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) fprintf(stderr, "bench_forecast: could not remove %s\n", dir);
    return rc;
}

/* The reference on the first `logs` logs: its wall and CPU rates, agents counted by it. */
static int reference(const char *gitdir, const char *path, size_t logs, double *rate, double *cpu_rate,
                     double *agents)
{
    char dir[4096], cmd[16384], line[512];
    snprintf(dir, sizeof dir, "%s", __FILE__); /* CMake compiles with the absolute path */
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/forecast_ref_bench.py' '%s' '%s' %zu", dir, gitdir, path, logs);
    FILE *f = popen(cmd, "r");
    if (!f) return -1;
    double secs = 0, cpu = 0;
    *rate = *agents = 0;
    while (fgets(line, sizeof line, f)) {
        fputs(line, stdout);
        sscanf(line, "ref_seconds %lf", &secs);
        sscanf(line, "ref_agents_per_s %lf", rate);
        sscanf(line, "ref_cpu_seconds %lf", &cpu);
        sscanf(line, "ref_gt_agents %lf", agents);
    }
    if (pclose(f) || *rate <= 0 || cpu <= 0) return -1;
    *cpu_rate = *rate * secs / cpu; /* its agents over the CPU time of evaluate() */
    return 0;
}

static void binary(const char *argv0, char *bin, size_t cap)
{
    if (getenv("SB_BIN")) {
        snprintf(bin, cap, "%s", getenv("SB_BIN"));
    } else {
        char self[4096];
        snprintf(self, sizeof self, "%s", argv0);
        snprintf(bin, cap, "%s/../shardbench", dirname(self));
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_forecast FILE.h5 [AV2_API_GITDIR [LOGS]]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress through a pipe or file, line by line */
    const char *path = argv[1];
    sb_err err;
    sb_fc_index ix;
    if (sb_fc_index_build(path, "", 5, &ix, &err)) {
        fprintf(stderr, "bench_forecast: %s\n", err.msg);
        return 1;
    }
    double n_gt = (double)ix.n_gt;
    size_t ref_logs = argc > 3 ? (size_t)atol(argv[3]) : 0;
    if (ref_logs == 0) /* the first logs that hold REF_AGENTS ground-truth agents */
        while (ref_logs < ix.n_logs && ix.gt_start[ref_logs] < REF_AGENTS) ref_logs++;
    printf("input %s: %zu logs, %zu ground-truth agents, %zu predictions x %d modes\n", path, ix.n_logs,
           ix.n_gt, ix.n_pred, ix.k);
    sb_fc_index_free(&ix);

    double fw = 0, fc = 0, fb = 0;
    if (!floor_read(path, &fw, &fc, &fb))
        printf("floor (every dataset read once, %.0f MB): %.3f s wall, %.3f s CPU\n", fb / 1e6, fw, fc);
    char bin[8192];
    binary(argv[0], bin, sizeof bin);
    const char *grouped = getenv("SB_FC_BENCH_GROUP") ? getenv("SB_FC_BENCH_GROUP") : GROUPED;
    const char *groups[2] = {"0", grouped};
    double wall1[2] = {0, 0}, cpu1[2] = {0, 0};
    for (int g = 0; g < 2; g++) {
        timing tm;
        if (g)
            printf("-- logs grouped into units, --group-cost %s\n", grouped);
        else
            printf("-- one log per unit (the default)\n");
        if (!in_process(path, groups[g], &tm))
            printf("in process (no MPI, no journal), %zu units: %.3f s wall (units %.3f s, finish %.3f s), "
                   "%.3f s CPU (units %.3f s, finish %.3f s) = %.0f agents per CPU second, %.1fx the floor's "
                   "CPU\n", tm.n_units, tm.wall, tm.units, tm.finish, tm.cpu, tm.cpu_units, tm.cpu_finish,
                   n_gt / tm.cpu, tm.cpu / fc);
        for (int n = 1; n <= 2 - g; n++) {
            double wall, cpu;
            if (run_cli(bin, path, n, groups[g], &wall, &cpu)) {
                fprintf(stderr, "bench_forecast: mpirun -n %d %s forecast eval failed\n", n, bin);
                continue;
            }
            printf("shardbench forecast eval, %d rank%s: %.3f s wall, %.3f s CPU = %.0f agents/s (wall), "
                   "%.0f agents/s per CPU second\n", n, n > 1 ? "s" : "", wall, cpu, n_gt / wall, n_gt / cpu);
            if (n == 1) {
                wall1[g] = wall, cpu1[g] = cpu;
                printf("  engine and MPI start-up beyond the task: %.3f s CPU, %.0f us a unit (%zu units)\n",
                       cpu - tm.cpu, 1e6 * (cpu - tm.cpu) / (double)(tm.n_units ? tm.n_units : 1), tm.n_units);
            }
        }
    }
    if (argc < 3) return 0;
    double rate, cpu_rate, ref_agents;
    if (reference(argv[2], path, ref_logs, &rate, &cpu_rate, &ref_agents)) {
        fprintf(stderr, "bench_forecast: the reference did not run\n");
        return 1;
    }
    printf("reference on the first %zu logs (%.0f agents): %.0f agents/s wall, %.0f per CPU second; "
           "scaled per agent to the whole file: %.0f s wall, %.0f s CPU\n",
           ref_logs, ref_agents, rate, cpu_rate, n_gt / rate, n_gt / cpu_rate);
    for (int g = 0; g < 2; g++)
        if (wall1[g] > 0)
            printf("ratio, 1 rank%s / reference (scaled per agent): %.0fx (wall), %.0fx (CPU)\n",
                   g ? " grouped" : "", (n_gt / wall1[g]) / rate, (n_gt / cpu1[g]) / cpu_rate);
    printf("ratio, floor / reference: %.0fx (CPU)\n", (n_gt / fc) / cpu_rate);
    return 0;
}
