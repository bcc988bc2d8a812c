#include "engine/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/dispatch.h"
#include "engine/finish.h"
#include "engine/journal.h"
#include "engine/mpi_check.h"
#include "engine/outdir.h"
#include "engine/progress.h"
#include "engine/schedule.h"
#include "engine/signals.h"
#include "store/atomic.h"

/* What every rank learns from rank 0 before units run. */
enum { C_UNITS, C_ATTEMPT, C_IN_SHARD, C_ALREADY, C_TODO, C_N };

/* ---- rank 0: plan ------------------------------------------------------------------ */

static int plan_job(sb_job *job, sb_units *all, sb_err *err)
{
    memset(all, 0, sizeof *all);
    for (size_t t = 0; t < job->n; t++) {
        sb_units us = {0};
        sb_job_task *jt = &job->t[t];
        int rc = jt->task->plan(&jt->ctx, &us, err);
        if (!rc)
            rc = sb_units_move(all, &us, (uint32_t)t, err);
        sb_units_free(&us);
        if (rc)
            return rc;
    }
    return 0;
}


/* Rank 0 plans, reads the journal when resuming, writes job.ini and the plan, and
 * schedules what is left of its shard. */
static int prepare(sb_job *job, const sb_run_opts *ro, int shard_n, int workers, sb_units *units, uint64_t *hash,
                   sb_sched *sched, int64_t *counts, int *lockfd, sb_err *err)
{
    char *job_text = NULL;
    sb_journal_set set = {0};
    int rc = sb_outdir_lock(ro->outdir, lockfd, err);
    if (!rc && !ro->resume)
        rc = sb_outdir_claim(ro->outdir, ro->force, err);
    if (!rc)
        rc = sb_outdir_unpublish(ro->outdir, err);
    if (!rc)
        rc = sb_outdir_inputs(ro->outdir, job, ro->resume, err);
    if (!rc)
        rc = sb_job_canonical(job, &job_text, err);
    if (!rc)
        rc = plan_job(job, units, err);
    if (!rc) {
        *hash = sb_plan_hash(units->u, units->n, job_text);
        if (!ro->resume)
            rc = sb_journal_discard(ro->outdir, err);
    }
    if (!rc)
        rc = sb_journal_load(ro->outdir, *hash, units->n, &set, err);
    char path[1200];
    snprintf(path, sizeof path, "%s/job.ini", ro->outdir);
    if (!rc)
        rc = sb_atomic_write_bytes(path, job_text, strlen(job_text), err);
    if (!rc)
        rc = sb_plan_write(ro->outdir, units->u, units->n, *hash, err);
    unsigned char *done = rc ? NULL : calloc(units->n ? units->n : 1, 1);
    if (!rc && !done)
        rc = sb_fail(err, SB_ENOMEM, "out of memory scheduling %zu units", units->n);
    for (size_t i = 0; !rc && i < units->n; i++)
        done[i] = set.present[i] && !set.rec[i].failed;
    size_t in = 0;
    if (!rc)
        rc = sb_sched_init(sched, units->u, units->n, done, ro->shard_i, shard_n, workers, &in, err);
    counts[C_UNITS] = (int64_t)units->n;
    counts[C_ATTEMPT] = set.max_attempt + 1;
    counts[C_IN_SHARD] = (int64_t)in;
    counts[C_TODO] = (int64_t)sched->n;
    counts[C_ALREADY] = (int64_t)(in - sched->n);
    if (!rc && ro->resume && !ro->quiet && counts[C_ALREADY])
        fprintf(stderr, "shardbench: resuming: %lld of %zu units already done\n", (long long)counts[C_ALREADY], in);
    free(done);
    free(job_text);
    sb_journal_set_free(&set);
    return rc;
}

/* ---- collective helpers ---------------------------------------------------------------- */

static int agree(int rc, MPI_Comm comm)
{
    int worst = 0;
    sb_mpi_check(MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, comm), "MPI_Allreduce", comm);
    return worst;
}

/* Every rank returns rank 0's message (or its own when rank 0 has none). */
static int agree_err(int rc, sb_err *err, MPI_Comm comm)
{
    int worst = agree(rc, comm);
    if (worst) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        sb_mpi_check(MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, 0, comm), "MPI_Bcast", comm);
        if (msg[0])
            memcpy(err->msg, msg, sizeof msg);
        err->code = worst;
    }
    return worst;
}

static void host_list(MPI_Comm comm, char *out, size_t cap)
{
    int rank, size, len;
    sb_mpi_check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank", comm);
    sb_mpi_check(MPI_Comm_size(comm, &size), "MPI_Comm_size", comm);
    char name[MPI_MAX_PROCESSOR_NAME] = "";
    sb_mpi_check(MPI_Get_processor_name(name, &len), "MPI_Get_processor_name", comm);
    char *all = rank == 0 ? calloc((size_t)size, MPI_MAX_PROCESSOR_NAME) : NULL;
    sb_mpi_check(MPI_Gather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, comm),
                 "MPI_Gather (hosts)", comm);
    if (rank != 0)
        return;
    out[0] = '\0';
    for (int i = 0; all && i < size; i++) {
        const char *h = all + (size_t)i * MPI_MAX_PROCESSOR_NAME;
        int seen = 0;
        for (int k = 0; k < i && !seen; k++)
            seen = !strcmp(h, all + (size_t)k * MPI_MAX_PROCESSOR_NAME);
        if (!seen)
            snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? "," : "", h);
    }
    free(all);
}

/* ---- any rank: one unit -------------------------------------------------------------- */

typedef struct exec_ctx {
    sb_job *job;
    sb_journal *jr;
    sb_buf rec;      /* reused from unit to unit: no allocation per unit */
    long delay_ms;
    int rank;
} exec_ctx;

static int exec_unit(void *c, const sb_unit *u, sb_err *err)
{
    exec_ctx *x = c;
    sb_job_task *jt = &x->job->t[u->task];
    x->rec.len = 0;
    x->rec.oom = 0;
    char stage[64] = "compute";
    sb_err uerr;
    sb_err_clear(&uerr);
    int urc = jt->task->run_unit(&jt->ctx, u, &x->rec, stage, sizeof stage, &uerr);
    if (x->delay_ms > 0) {
        struct timespec ts = {x->delay_ms / 1000, (x->delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (!urc && x->rec.oom)
        urc = sb_fail(&uerr, SB_ENOMEM, "out of memory encoding the record");
    if (urc) {
        if (!uerr.msg[0])
            snprintf(uerr.msg, sizeof uerr.msg, "failed without a message (code %d)", urc);
        fprintf(stderr, "%sshardbench: unit %s/%s failed (%s): %s\n", x->rank == 0 && isatty(2) ? "\n" : "",
                jt->task->name, u->key, stage, uerr.msg);
        x->rec.len = 0;
        x->rec.oom = 0;
        sb_buf_put_str(&x->rec, stage);
        sb_buf_put_str(&x->rec, uerr.msg);
    }
    return sb_journal_append(x->jr, u->id, urc != 0, x->rec.data, x->rec.len, err);
}

static int exec_idle(void *c, sb_err *err)
{
    return sb_journal_flush(((exec_ctx *)c)->jr, err);
}

/* Fault-injection aid for the resume tests (docs/testing.md): each unit takes at least
 * this long, so a test can interrupt a small run mid-way. */
static long unit_delay_ms(void)
{
    const char *v = getenv("SB_TEST_UNIT_DELAY_MS");
    long ms = v ? strtol(v, NULL, 10) : 0;
    return ms > 0 && ms < 600000 ? ms : 0;
}

/* *ran is set once units are handed out (an error before that still means nothing ran). */
static int run_units(sb_job *job, sb_sched *sched, const int64_t *counts, uint64_t hash, const sb_run_opts *ro,
                     MPI_Comm comm, int rank, sb_dispatch_stats *st, int *ran, sb_err *err)
{
    sb_journal jr;
    int rc = sb_journal_create(&jr, ro->outdir, (int)counts[C_ATTEMPT], rank, hash, err);
    exec_ctx x = {.job = job, .jr = &jr, .delay_ms = unit_delay_ms(), .rank = rank};
    sb_buf_init(&x.rec);
    sb_worker_ops ops = {.run = exec_unit, .idle = exec_idle, .ctx = &x};
    memset(st, 0, sizeof *st);
    /* Every rank must take part in the dispatch (rank 0 waits for each one's goodbye):
     * a rank without a journal stops them all here, before any unit. */
    if (!(rc = agree_err(rc, err, comm))) {
        *ran = 1;
        rc = sb_dispatch_run(comm, rank == 0 ? sched : NULL, &ops, (size_t)counts[C_ALREADY],
                             (size_t)counts[C_ALREADY] + (size_t)counts[C_TODO], ro->quiet, st, err);
    }
    int crc = sb_journal_close(&jr, rc ? NULL : err);
    sb_buf_free(&x.rec);
    return rc ? rc : crc;
}

/* ---- rank 0: after the units ----------------------------------------------------------- */

static int conclude(sb_job *job, const sb_run_opts *ro, int shard_n, int size, const sb_units *units,
                    const sb_sched *sched, uint64_t hash, int stopped, sb_provenance *prov, int64_t *out,
                    sb_err *err)
{
    sb_journal_set set = {0};
    int rc = sb_journal_load(ro->outdir, hash, units->n, &set, err);
    size_t in = 0, done = 0, failed = 0;
    for (size_t i = 0; !rc && i < units->n; i++) {
        if (!sched->mine[i])
            continue;
        in++;
        done += set.present[i];
        failed += set.present[i] && set.rec[i].failed;
    }
    out[0] = (int64_t)in;
    out[1] = (int64_t)done;
    out[2] = (int64_t)failed;
    out[3] = stopped || done < in;
    if (!rc && !out[3] && shard_n > 1) {
        char path[1200], line[256];
        snprintf(path, sizeof path, "%s/shard.done", ro->outdir);
        snprintf(line, sizeof line, "shard %d/%d: %zu units, %zu failed\n", ro->shard_i + 1, shard_n, in, failed);
        rc = sb_atomic_write_bytes(path, line, strlen(line), err);
    } else if (!rc && !out[3]) {
        snprintf(prov->suite_path, sizeof prov->suite_path, "%s", job->suite_path);
        snprintf(prov->suite_hash, sizeof prov->suite_hash, "%s", job->suite_hash);
        snprintf(prov->command, sizeof prov->command, "%s", ro->command ? ro->command : "");
        prov->n_ranks = size;
        prov->seed = job->seed;
        rc = sb_finish_write(job, units, &set, ro->outdir, prov, err);
        if (!rc)
            rc = sb_outdir_publish(ro->outdir, in, failed, err);
    }
    sb_journal_set_free(&set);
    return rc;
}

/* ---- the run ------------------------------------------------------------------------- */

static int run_on(sb_job *job, const sb_run_opts *ro, MPI_Comm comm, sb_run_result *res, sb_err *err)
{
    int rank, size;
    sb_mpi_check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank", comm);
    sb_mpi_check(MPI_Comm_size(comm, &size), "MPI_Comm_size", comm);
    sb_provenance prov;
    memset(&prov, 0, sizeof prov);
    sb_utc_now(prov.started_utc, sizeof prov.started_utc);
    int shard_n = ro->shard_n > 0 ? ro->shard_n : 1;
    sb_units units = {0};
    sb_sched sched;
    memset(&sched, 0, sizeof sched);
    uint64_t hash = 0;
    int64_t counts[C_N] = {0};
    int lockfd = -1;
    double t0 = sb_now();
    int rc = sb_job_open(job, err);
    if (!(rc = agree_err(rc, err, comm)) && rank == 0)
        rc = prepare(job, ro, shard_n, size, &units, &hash, &sched, counts, &lockfd, err);
    double t1 = sb_now();
    if (!(rc = agree_err(rc, err, comm))) {
        sb_mpi_check(MPI_Bcast(counts, C_N, MPI_INT64_T, 0, comm), "MPI_Bcast (counts)", comm);
        sb_mpi_check(MPI_Bcast(&hash, 1, MPI_UINT64_T, 0, comm), "MPI_Bcast (plan hash)", comm);
        sb_dispatch_stats st;
        rc = run_units(job, &sched, counts, hash, ro, comm, rank, &st, &res->ran, err);
        double t2 = sb_now();
        host_list(comm, prov.hosts, sizeof prov.hosts);
        int worst = agree(rc, comm);
        if (worst && !rc && rank == 0)
            rc = sb_fail(err, SB_EIO, "a rank could not write its journal in %s/journal (its stderr says why)",
                         ro->outdir);
        rc = agree_err(rc ? rc : worst, err, comm);
        int stopped = st.stopped;
        sb_mpi_check(MPI_Bcast(&stopped, 1, MPI_INT, 0, comm), "MPI_Bcast (stopped)", comm);
        int64_t out[4] = {0, 0, 0, 0};
        if (!rc && rank == 0)
            rc = conclude(job, ro, shard_n, size, &units, &sched, hash, stopped, &prov, out, err);
        if (!(rc = agree_err(rc, err, comm)))
            sb_mpi_check(MPI_Bcast(out, 4, MPI_INT64_T, 0, comm), "MPI_Bcast (outcome)", comm);
        res->n_units = (size_t)out[0];
        res->n_done = (size_t)out[1];
        res->n_failed = (size_t)out[2];
        res->interrupted = (int)out[3];
        res->plan_s = t1 - t0;
        res->run_s = t2 - t1;
        res->finish_s = sb_now() - t2;
        res->handouts = st.requests;
        res->rank0_units = st.mine;
    }
    sb_outdir_unlock(lockfd);
    sb_sched_free(&sched);
    sb_units_free(&units);
    if (!rc && res->interrupted)
        rc = sb_fail(err, SB_EINTR, "stopped after %zu of %zu units; the journal in %s/journal keeps them",
                     res->n_done, res->n_units, ro->outdir);
    return rc;
}

int sb_engine_run(sb_job *job, const sb_run_opts *ro, MPI_Comm comm_in, sb_run_result *res, sb_err *err)
{
    memset(res, 0, sizeof *res);
    sb_signals_install();
    /* The engine's own communicator: its messages never meet a caller's, and its MPI
     * errors come back as codes (checked by sb_mpi_check) instead of aborting in MPI. */
    MPI_Comm comm;
    sb_mpi_check(MPI_Comm_dup(comm_in, &comm), "MPI_Comm_dup", comm_in);
    sb_mpi_check(MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler", comm);
    int rc = run_on(job, ro, comm, res, err);
    sb_mpi_check(MPI_Comm_free(&comm), "MPI_Comm_free", comm_in);
    return rc;
}
