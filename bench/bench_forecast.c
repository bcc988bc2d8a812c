/* bench_forecast.c — throughput of `shardbench forecast eval` in ground-truth agents per second,
 * and its ratio to the Argoverse 2 reference evaluation on the same input.
 *
 * Usage (source scripts/env.sh first, for mpirun):
 *   shardbench gen forecast --size av2 --output /tmp/fc --seed 1     # 150 logs x 150 frames x ~60
 *   bench_forecast /tmp/fc/forecast.h5 [AV2_API_GITDIR [LOGS]]
 * 1. The task in this process, without MPI or journal: plan, every unit, finish (the kernel).
 * 2. The command as users run it, `mpirun -n N shardbench forecast eval`, N = 1 and 2: wall time
 *    and the CPU time of the ranks (getrusage of the children: what an unloaded machine's wall
 *    time would be for one rank).
 * 3. With an av2-api checkout: bench/forecast_ref_bench.py runs the reference's evaluate() on
 *    the first LOGS logs (default 15: the whole AV2-scale file takes the reference over ten CPU
 *    minutes), and the ratios of agents per second are printed (wall and CPU). Its work per
 *    agent hardly depends on the number of logs, so a rate taken on a subset stands for the
 *    whole file.
 * SB_BIN names the shardbench binary (default: ../shardbench next to this program). Nothing is
 * asserted; it prints numbers for docs/forecasting.md. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/task.h"
#include "tasks/forecast/forecast_input.h"

extern const sb_task sb_task_forecast;

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

/* The task in this process: returns seconds, or a negative number on failure. */
static double in_process(const char *path, double *t_units, double *t_finish, double *c_units,
                         double *c_finish)
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
    double t0 = now(), t1 = t0, t2 = t0, c0 = self_cpu(), c1 = c0, c2 = c0;
    int rc = sb_opts_set(&o, "input", path, 0, &err);
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
    t1 = now();
    c1 = self_cpu();
    if (!rc) rc = sb_task_forecast.finish(&ctx, units.u, recs, units.n, &tabs, &err);
    t2 = now();
    c2 = self_cpu();
    if (rc) fprintf(stderr, "bench_forecast: %s\n", err.msg);
    for (size_t i = 0; bufs && i < units.n; i++) sb_buf_free(&bufs[i]);
    free(bufs);
    free(recs);
    sb_tables_free(&tabs);
    sb_units_free(&units);
    if (ctx.state) sb_task_forecast.close(&ctx);
    sb_opts_free(&o);
    *t_units = t1 - t0;
    *t_finish = t2 - t1;
    *c_units = c1 - c0;
    *c_finish = c2 - c1;
    return rc ? -1.0 : t2 - t0;
}

static int run_cli(const char *bin, const char *path, int ranks, double *wall, double *cpu)
{
    char dir[] = "/tmp/bench_forecast_XXXXXX", cmd[16384];
    if (!mkdtemp(dir)) return -1;
    snprintf(cmd, sizeof cmd, "mpirun -n %d '%s' forecast eval --input '%s' --output '%s/out' --quiet >/dev/null",
             ranks, bin, path, dir);
    double c0 = children_cpu(), t0 = now();
    int rc = system(cmd);
    *wall = now() - t0;
    *cpu = children_cpu() - c0;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) fprintf(stderr, "bench_forecast: could not remove %s\n", dir);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_forecast FILE.h5 [AV2_API_GITDIR [LOGS]]\n");
        return 2;
    }
    const char *path = argv[1];
    sb_err err;
    sb_fc_index ix;
    if (sb_fc_index_build(path, "", 5, &ix, &err)) {
        fprintf(stderr, "bench_forecast: %s\n", err.msg);
        return 1;
    }
    double n_gt = (double)ix.n_gt, n_pred = (double)ix.n_pred;
    printf("input %s: %zu logs, %zu ground-truth agents, %zu predictions x %d modes\n", path, ix.n_logs,
           ix.n_gt, ix.n_pred, ix.k);
    sb_fc_index_free(&ix);

    double tu, tf, cu, cf, t = in_process(path, &tu, &tf, &cu, &cf);
    if (t > 0)
        printf("in process (no MPI, no journal): %.3f s wall (units %.3f s, finish %.3f s), %.3f s CPU (units "
               "%.3f s, finish %.3f s) = %.0f agents/s (wall), %.0f per CPU second\n",
               t, tu, tf, cu + cf, cu, cf, n_gt / t, n_gt / (cu + cf));

    char bin[8192];
    if (getenv("SB_BIN")) {
        snprintf(bin, sizeof bin, "%s", getenv("SB_BIN"));
    } else {
        char self[4096];
        snprintf(self, sizeof self, "%s", argv[0]);
        snprintf(bin, sizeof bin, "%s/../shardbench", dirname(self));
    }
    double rate1 = 0, cpu_rate1 = 0;
    for (int n = 1; n <= 2; n++) {
        double wall, cpu;
        if (run_cli(bin, path, n, &wall, &cpu)) {
            fprintf(stderr, "bench_forecast: mpirun -n %d %s forecast eval failed\n", n, bin);
            continue;
        }
        printf("shardbench forecast eval, %d rank%s: %.3f s wall, %.3f s CPU = %.0f agents/s (wall), "
               "%.0f agents/s per CPU second\n", n, n > 1 ? "s" : "", wall, cpu, n_gt / wall, n_gt / cpu);
        if (n == 1) {
            rate1 = n_gt / wall;
            cpu_rate1 = n_gt / cpu;
        }
    }
    (void)n_pred;
    if (argc < 3) return 0;

    char dir[4096], cmd[16384], line[512];
    snprintf(dir, sizeof dir, "%s", __FILE__); /* CMake compiles with the absolute path */
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    int logs = argc > 3 ? atoi(argv[3]) : 15;
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/forecast_ref_bench.py' '%s' '%s' %d", dir, argv[2], path, logs);
    FILE *f = popen(cmd, "r");
    if (!f) return 1;
    double secs = 0, rate = 0, cpu = 0;
    while (fgets(line, sizeof line, f)) {
        fputs(line, stdout);
        sscanf(line, "ref_seconds %lf", &secs);
        sscanf(line, "ref_agents_per_s %lf", &rate);
        sscanf(line, "ref_cpu_seconds %lf", &cpu);
    }
    int prc = pclose(f);
    if (prc || rate <= 0 || cpu <= 0) {
        fprintf(stderr, "bench_forecast: the reference did not run\n");
        return 1;
    }
    double ref_cpu_rate = rate * secs / cpu; /* its agents over the CPU time of evaluate() */
    printf("reference (first %d logs): %.0f agents/s wall, %.0f agents/s per CPU second\n", logs, rate,
           ref_cpu_rate);
    printf("ratio, 1 rank / reference: %.0fx (wall), %.0fx (CPU)\n", rate1 / rate, cpu_rate1 / ref_cpu_rate);
    return 0;
}
