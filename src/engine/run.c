#include "engine/run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/journal.h"
#include "engine/progress.h"
#include "engine/signals.h"
#include "store/atomic.h"
#include "store/csv_write.h"
#include "store/results_h5.h"

/* ---- rank 0: plan ---------------------------------------------------------------- */

static int plan_job(sb_job *job, sb_units *all, sb_err *err)
{
    memset(all, 0, sizeof *all);
    for (size_t t = 0; t < job->n; t++) {
        sb_units us = {0};
        sb_job_task *jt = &job->t[t];
        int rc = jt->task->plan(&jt->ctx, &us, err);
        if (rc) {
            sb_units_free(&us);
            return rc;
        }
        for (size_t i = 0; i < us.n; i++) {
            if ((rc = sb_units_add(all, us.u[i].key, us.u[i].cost, us.u[i].arg, err))) {
                sb_units_free(&us);
                return rc;
            }
            all->u[all->n - 1].task = (uint32_t)t;
        }
        sb_units_free(&us);
    }
    return 0;
}

/* Largest cost first; ties in plan order. Shards take every n-th unit of this order,
 * so each shard gets a similar mix of large and small units. */
static int before(const sb_unit *u, uint64_t a, uint64_t b)
{
    if (u[a].cost != u[b].cost)
        return u[a].cost > u[b].cost;
    return u[a].id < u[b].id;
}

static void sort_by_cost(const sb_unit *u, uint64_t *ord, uint64_t *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2, i = 0, j = h, k = 0;
    sort_by_cost(u, ord, tmp, h);
    sort_by_cost(u, ord + h, tmp, n - h);
    while (i < h && j < n)
        tmp[k++] = before(u, ord[j], ord[i]) ? ord[j++] : ord[i++];
    while (i < h)
        tmp[k++] = ord[i++];
    while (j < n)
        tmp[k++] = ord[j++];
    memcpy(ord, tmp, n * sizeof *ord);
}

static uint64_t *cost_order(const sb_units *us)
{
    uint64_t *ord = malloc((us->n ? us->n : 1) * sizeof *ord);
    uint64_t *tmp = malloc((us->n ? us->n : 1) * sizeof *tmp);
    if (!ord || !tmp) {
        free(ord);
        free(tmp);
        return NULL;
    }
    for (size_t i = 0; i < us->n; i++)
        ord[i] = i;
    sort_by_cost(us->u, ord, tmp, us->n);
    free(tmp);
    return ord;
}

static int in_shard(const uint64_t *ord, size_t pos, int shard_i, int shard_n)
{
    (void)ord;
    return shard_n <= 1 || (int)(pos % (size_t)shard_n) == shard_i;
}

static int write_text(const char *path, const char *text, sb_err *err)
{
    sb_atomic a;
    int rc = sb_atomic_open(&a, path, err);
    if (rc)
        return rc;
    fputs(text, a.fp);
    return sb_atomic_commit(&a, err);
}

/* ---- finishing: records → tables → files (run, resume and merge share this) ------- */

static int decode_failure(const sb_record *r, char *stage, size_t scap, char *msg, size_t mcap)
{
    sb_reader rd;
    sb_reader_init(&rd, r->data, r->len);
    sb_get_str(&rd, stage, scap);
    sb_get_str(&rd, msg, mcap);
    return rd.bad;
}

static int finish_and_write(sb_job *job, const sb_units *units, const sb_journal_set *set,
                            const char *outdir, sb_provenance *prov, sb_run_result *res, sb_err *err)
{
    sb_tables all = {0};
    sb_table *fail;
    const char *fcols[] = {"unit", "stage", "message"};
    int rc = sb_tables_add(&all, "failures", 3, fcols, &fail, err);
    if (rc)
        return rc;
    size_t fail_index = 0;
    res->n_failed = 0;
    res->n_done = 0;
    for (size_t i = 0; i < units->n && !rc; i++) {
        if (!set->present[i])
            continue;
        res->n_done++;
        if (!set->rec[i].failed)
            continue;
        res->n_failed++;
        char stage[64], msg[1100], name[300];
        decode_failure(&set->rec[i], stage, sizeof stage, msg, sizeof msg);
        const sb_job_task *jt = &job->t[units->u[i].task];
        snprintf(name, sizeof name, "%s%s%s/%s", jt->task->name, jt->label[0] ? "." : "", jt->label,
                 units->u[i].key);
        size_t row;
        fail = &all.t[fail_index];
        if (!(rc = sb_table_add_row(fail, &row, err)) && !(rc = sb_table_set_str(fail, row, 0, name, err)) &&
            !(rc = sb_table_set_str(fail, row, 1, stage, err)))
            rc = sb_table_set_str(fail, row, 2, msg, err);
    }
    for (size_t t = 0; t < job->n && !rc; t++) {
        sb_job_task *jt = &job->t[t];
        size_t n = 0;
        for (size_t i = 0; i < units->n; i++)
            n += units->u[i].task == t;
        sb_unit *tu = malloc((n ? n : 1) * sizeof *tu);
        sb_record *tr = calloc(n ? n : 1, sizeof *tr);
        if (!tu || !tr) {
            free(tu);
            free(tr);
            rc = sb_fail(err, SB_ENOMEM, "out of memory finishing %s", jt->task->name);
            break;
        }
        size_t k = 0;
        for (size_t i = 0; i < units->n; i++) {
            if (units->u[i].task != t)
                continue;
            tu[k] = units->u[i];
            tr[k] = set->rec[i];
            tr[k].unit = units->u[i].id;
            k++;
        }
        sb_tables tt = {0};
        rc = jt->task->finish(&jt->ctx, tu, tr, n, &tt, err);
        free(tu);
        free(tr);
        if (rc) {
            sb_wrap(err, "finishing %s", jt->task->name);
            sb_tables_free(&tt);
            break;
        }
        for (size_t q = 0; q < tt.n; q++) {
            sb_table *nt = realloc(all.t, (all.n + 1) * sizeof *nt);
            if (!nt) {
                rc = sb_fail(err, SB_ENOMEM, "out of memory collecting tables");
                break;
            }
            all.t = nt;
            all.t[all.n] = tt.t[q];
            char name[64];
            sb_job_table_name(jt, tt.t[q].name, name, sizeof name);
            snprintf(all.t[all.n].name, sizeof all.t[all.n].name, "%s", name);
            all.n++;
            memset(&tt.t[q], 0, sizeof tt.t[q]);
        }
        sb_tables_free(&tt);
    }
    if (!rc) {
        const sb_table **list = malloc((all.n + 1) * sizeof *list);
        if (!list)
            rc = sb_fail(err, SB_ENOMEM, "out of memory writing results");
        for (size_t i = 0; i < all.n && !rc; i++) {
            char path[1200];
            snprintf(path, sizeof path, "%s/%s.csv", outdir, all.t[i].name);
            rc = sb_csv_write_table(&all.t[i], path, err);
            list[i] = &all.t[i];
        }
        if (!rc) {
            char path[1200];
            snprintf(path, sizeof path, "%s/results.h5", outdir);
            sb_utc_now(prov->finished_utc, sizeof prov->finished_utc);
            rc = sb_results_h5_write(path, list, all.n, prov, err);
        }
        free(list);
    }
    sb_tables_free(&all);
    return rc;
}

/* ---- the distributed loop ------------------------------------------------------ */

static int encode_failure(sb_buf *b, const char *stage, const char *msg)
{
    sb_buf_free(b);
    sb_buf_put_str(b, stage);
    sb_buf_put_str(b, msg);
    return b->oom;
}

/* Runs units todo[0..n) taken from a shared counter; returns the number this rank ran. */
static int run_units(sb_job *job, const sb_units *units, const uint64_t *todo, size_t ntodo,
                     sb_journal *jr, MPI_Comm comm, int quiet, size_t already, size_t total,
                     int *stopped, sb_err *err)
{
    /* Fault-injection aid for the resume tests (docs/testing.md): each unit takes at
     * least this long, so a test can interrupt a small run mid-way. */
    const char *delay_env = getenv("SB_TEST_UNIT_DELAY_MS");
    long delay_ms = delay_env ? strtol(delay_env, NULL, 10) : 0;
    int rank;
    MPI_Comm_rank(comm, &rank);
    int64_t *base = NULL;
    MPI_Win win;
    MPI_Win_allocate(rank == 0 ? 3 * (MPI_Aint)sizeof(int64_t) : 0, sizeof(int64_t), MPI_INFO_NULL,
                     comm, &base, &win);
    if (rank == 0) {
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win);
        base[0] = base[1] = base[2] = 0;
        MPI_Win_unlock(0, win);
    }
    MPI_Barrier(comm);
    MPI_Win_lock_all(0, win);
    sb_progress prog;
    if (rank == 0)
        sb_progress_start(&prog, "run", total, quiet);
    const int64_t one = 1;
    int rc = 0;
    int64_t done = 0;
    for (;;) {
        int64_t stop = 0, idx = 0;
        if (sb_signal_pending()) {
            MPI_Accumulate(&one, 1, MPI_INT64_T, 0, 1, 1, MPI_INT64_T, MPI_REPLACE, win);
            MPI_Win_flush(0, win);
        }
        MPI_Fetch_and_op(NULL, &stop, MPI_INT64_T, 0, 1, MPI_NO_OP, win);
        MPI_Win_flush(0, win);
        if (stop)
            break;
        MPI_Fetch_and_op(&one, &idx, MPI_INT64_T, 0, 0, MPI_SUM, win);
        MPI_Win_flush(0, win);
        if (idx >= (int64_t)ntodo)
            break;
        const sb_unit *u = &units->u[todo[idx]];
        sb_job_task *jt = &job->t[u->task];
        sb_buf rec;
        sb_buf_init(&rec);
        char stage[64] = "compute";
        sb_err uerr;
        sb_err_clear(&uerr);
        int urc = jt->task->run_unit(&jt->ctx, u, &rec, stage, sizeof stage, &uerr);
        if (delay_ms > 0) {
            struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (!urc && rec.oom)
            urc = sb_fail(&uerr, SB_ENOMEM, "out of memory encoding the record");
        if (urc) {
            if (!uerr.msg[0])
                snprintf(uerr.msg, sizeof uerr.msg, "failed without a message (code %d)", urc);
            fprintf(stderr, "%sshardbench: unit %s/%s failed (%s): %s\n", rank == 0 && prog.tty && prog.drawn ? "\n" : "",
                    jt->task->name, u->key, stage, uerr.msg);
            encode_failure(&rec, stage, uerr.msg);
        }
        rc = sb_journal_append(jr, u->id, urc != 0, rec.data, rec.len, err);
        sb_buf_free(&rec);
        if (rc)
            break; /* cannot journal: stop this rank; the others finish and the run resumes later */
        MPI_Fetch_and_op(&one, &done, MPI_INT64_T, 0, 2, MPI_SUM, win);
        MPI_Win_flush(0, win);
        if (rank == 0)
            sb_progress_update(&prog, already + (size_t)done + 1);
    }
    MPI_Win_unlock_all(win);
    MPI_Barrier(comm);
    if (rank == 0) {
        *stopped = base[1] != 0;
        done = base[2];
        sb_progress_end(&prog, already + (size_t)done);
    }
    MPI_Win_free(&win);
    return rc;
}

static int agree(int rc, MPI_Comm comm)
{
    int worst = 0;
    MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, comm);
    return worst;
}

static void bcast_err(sb_err *err, int rc, MPI_Comm comm)
{
    MPI_Bcast(err->msg, (int)sizeof err->msg, MPI_CHAR, 0, comm);
    err->code = rc;
}

static void host_list(MPI_Comm comm, char *out, size_t cap)
{
    int rank, size, len;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    char name[MPI_MAX_PROCESSOR_NAME] = "";
    MPI_Get_processor_name(name, &len);
    char *all = rank == 0 ? calloc((size_t)size, MPI_MAX_PROCESSOR_NAME) : NULL;
    MPI_Gather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, comm);
    if (rank == 0) {
        out[0] = '\0';
        for (int i = 0; all && i < size; i++) {
            const char *h = all + (size_t)i * MPI_MAX_PROCESSOR_NAME;
            int seen = 0;
            for (int k = 0; k < i; k++)
                seen |= !strcmp(h, all + (size_t)k * MPI_MAX_PROCESSOR_NAME);
            if (!seen)
                snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? "," : "", h);
        }
        free(all);
    }
}

int sb_engine_run(sb_job *job, const sb_run_opts *ro, MPI_Comm comm, sb_run_result *res, sb_err *err)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    memset(res, 0, sizeof *res);
    sb_signals_install();
    sb_provenance prov;
    memset(&prov, 0, sizeof prov);
    sb_utc_now(prov.started_utc, sizeof prov.started_utc);
    int shard_n = ro->shard_n > 0 ? ro->shard_n : 1;

    int rc = sb_job_open(job, err);
    if ((rc = agree(rc, comm))) {
        bcast_err(err, rc, comm);
        return rc;
    }

    /* Rank 0 plans, reads the journal when resuming, and says what is left to do. */
    sb_units units = {0};
    uint64_t hash = 0, *todo = NULL;
    int64_t counts[4] = {0, 0, 0, 0}; /* n units, n todo, attempt, already done */
    char *job_text = NULL;
    if (rank == 0) {
        rc = sb_mkdirs(ro->outdir, err);
        if (!rc)
            rc = sb_job_canonical(job, &job_text, err);
        if (!rc)
            rc = plan_job(job, &units, err);
        if (!rc) {
            hash = sb_plan_hash(units.u, units.n, job_text);
            sb_journal_set set = {0};
            if (ro->resume)
                rc = sb_journal_load(ro->outdir, hash, units.n, &set, err);
            else if (!(rc = sb_journal_discard(ro->outdir, err)))
                rc = sb_journal_load(ro->outdir, hash, units.n, &set, err);
            char path[1200];
            snprintf(path, sizeof path, "%s/job.ini", ro->outdir);
            if (!rc)
                rc = write_text(path, job_text, err);
            if (!rc)
                rc = sb_plan_write(ro->outdir, units.u, units.n, hash, err);
            uint64_t *ord = rc ? NULL : cost_order(&units);
            todo = malloc((units.n ? units.n : 1) * sizeof *todo);
            if (!rc && (!ord || !todo))
                rc = sb_fail(err, SB_ENOMEM, "out of memory scheduling");
            size_t nt = 0, mine = 0, already = 0;
            for (size_t p = 0; !rc && p < units.n; p++) {
                if (!in_shard(ord, p, ro->shard_i, shard_n))
                    continue;
                mine++;
                uint64_t u = ord[p];
                if (set.present[u] && !set.rec[u].failed)
                    already++;
                else
                    todo[nt++] = u;
            }
            counts[0] = (int64_t)units.n;
            counts[1] = (int64_t)nt;
            counts[2] = set.max_attempt + 1;
            counts[3] = (int64_t)already;
            if (!rc && ro->resume && !ro->quiet && already)
                fprintf(stderr, "shardbench: resuming: %zu of %zu units already done\n", already, mine);
            free(ord);
            sb_journal_set_free(&set);
        }
    }
    if ((rc = agree(rc, comm))) {
        bcast_err(err, rc, comm);
        sb_units_free(&units);
        free(todo);
        free(job_text);
        return rc;
    }
    MPI_Bcast(counts, 4, MPI_INT64_T, 0, comm);
    MPI_Bcast(&hash, 1, MPI_UINT64_T, 0, comm);
    if (rank != 0) {
        units.n = units.cap = (size_t)counts[0];
        units.u = malloc((units.n ? units.n : 1) * sizeof *units.u);
        todo = malloc(((size_t)counts[1] + 1) * sizeof *todo);
        if (!units.u || !todo)
            MPI_Abort(comm, SB_ENOMEM); /* cannot hold the plan: nothing sensible to continue */
    }
    MPI_Bcast(units.u, (int)(units.n * sizeof *units.u), MPI_BYTE, 0, comm);
    MPI_Bcast(todo, (int)counts[1], MPI_UINT64_T, 0, comm);

    sb_journal jr;
    jr.fd = -1;
    rc = sb_journal_create(&jr, ro->outdir, (int)counts[2], rank, hash, err);
    int stopped = 0;
    if (!rc)
        rc = run_units(job, &units, todo, (size_t)counts[1], &jr, comm, ro->quiet,
                       (size_t)counts[3], (size_t)counts[3] + (size_t)counts[1], &stopped, err);
    int crc = sb_journal_close(&jr, rc ? NULL : err);
    if (!rc)
        rc = crc;
    host_list(comm, prov.hosts, sizeof prov.hosts);
    if ((rc = agree(rc, comm))) {
        /* A rank that could not journal has said why on its own stderr. */
        if (rank == 0 && !err->msg[0])
            sb_fail(err, SB_EIO, "a rank could not write its journal in %s/journal", ro->outdir);
        bcast_err(err, rc, comm);
        sb_units_free(&units);
        free(todo);
        free(job_text);
        return rc;
    }
    MPI_Bcast(&stopped, 1, MPI_INT, 0, comm);

    int64_t out[4] = {0, 0, 0, 0};
    if (rank == 0) {
        sb_journal_set set = {0};
        rc = sb_journal_load(ro->outdir, hash, units.n, &set, err);
        if (!rc) {
            res->n_units = units.n;
            uint64_t *ord = cost_order(&units);
            size_t in = 0, done = 0, failed = 0;
            for (size_t p = 0; ord && p < units.n; p++) {
                if (!in_shard(ord, p, ro->shard_i, shard_n))
                    continue;
                in++;
                done += set.present[ord[p]];
                failed += set.present[ord[p]] && set.rec[ord[p]].failed;
            }
            free(ord);
            out[0] = (int64_t)in;
            out[1] = (int64_t)done;
            out[2] = (int64_t)failed;
            if (stopped || done < in) {
                out[3] = 1;
            } else if (shard_n > 1) {
                char path[1200], line[256];
                snprintf(path, sizeof path, "%s/shard.done", ro->outdir);
                snprintf(line, sizeof line, "shard %d/%d: %zu units, %zu failed\n", ro->shard_i + 1,
                         shard_n, in, failed);
                rc = write_text(path, line, err);
            } else {
                snprintf(prov.suite_path, sizeof prov.suite_path, "%s", job->suite_path);
                snprintf(prov.suite_hash, sizeof prov.suite_hash, "%s", job->suite_hash);
                snprintf(prov.command, sizeof prov.command, "%s", ro->command ? ro->command : "");
                prov.n_ranks = size;
                prov.seed = job->seed;
                sb_run_result tmp;
                rc = finish_and_write(job, &units, &set, ro->outdir, &prov, &tmp, err);
            }
        }
        sb_journal_set_free(&set);
    }
    rc = agree(rc, comm);
    if (rc)
        bcast_err(err, rc, comm);
    MPI_Bcast(out, 4, MPI_INT64_T, 0, comm);
    res->n_units = (size_t)out[0];
    res->n_done = (size_t)out[1];
    res->n_failed = (size_t)out[2];
    res->interrupted = (int)out[3];
    sb_units_free(&units);
    free(todo);
    free(job_text);
    if (!rc && res->interrupted)
        rc = sb_fail(err, SB_EINTR, "stopped after %zu of %zu units; the journal in %s/journal keeps them",
                     res->n_done, res->n_units, ro->outdir);
    return rc;
}

/* ---- merge --------------------------------------------------------------------- */

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = malloc((size_t)(n > 0 ? n : 0) + 1);
    if (s && n > 0 && fread(s, 1, (size_t)n, fp) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n > 0 ? n : 0] = '\0';
    fclose(fp);
    return s;
}

int sb_engine_merge(const char *const *dirs, size_t n, const char *outdir, sb_task_lookup lookup,
                    sb_run_result *res, sb_err *err)
{
    memset(res, 0, sizeof *res);
    if (n == 0)
        return sb_fail(err, SB_EUSAGE, "merge needs at least one shard folder");
    char path[1200];
    snprintf(path, sizeof path, "%s/job.ini", dirs[0]);
    char *text0 = slurp(path);
    if (!text0)
        return sb_fail(err, SB_EUSAGE, "%s: missing: is %s the output of 'shardbench run'?", path, dirs[0]);
    sb_units units = {0};
    uint64_t hash = 0;
    int rc = sb_plan_read(dirs[0], &units, &hash, err);
    for (size_t i = 1; !rc && i < n; i++) {
        snprintf(path, sizeof path, "%s/job.ini", dirs[i]);
        char *t = slurp(path);
        if (!t)
            rc = sb_fail(err, SB_EUSAGE, "%s: missing: is %s the output of 'shardbench run'?", path, dirs[i]);
        else if (strcmp(t, text0))
            rc = sb_fail(err, SB_EUSAGE, "%s: a different job than %s/job.ini: shards of different runs", path,
                         dirs[0]);
        free(t);
        sb_units other = {0};
        uint64_t h2;
        if (!rc && !(rc = sb_plan_read(dirs[i], &other, &h2, err)) && h2 != hash)
            rc = sb_fail(err, SB_EUSAGE, "%s: planned different units than %s (inputs changed between shards?)",
                         dirs[i], dirs[0]);
        sb_units_free(&other);
    }
    sb_suite suite;
    sb_job job;
    memset(&job, 0, sizeof job);
    int have_suite = 0;
    if (!rc) {
        snprintf(path, sizeof path, "%s/job.ini", dirs[0]);
        rc = sb_suite_parse(&suite, path, dirs[0], text0, err);
        have_suite = !rc;
    }
    if (!rc)
        rc = sb_job_from_suite(&job, &suite, lookup, err);
    if (!rc)
        rc = sb_job_open(&job, err);
    sb_journal_set set = {0};
    if (!rc)
        rc = sb_journal_load(dirs[0], hash, units.n, &set, err);
    for (size_t i = 1; !rc && i < n; i++)
        rc = sb_journal_load_more(&set, dirs[i], hash, err);
    for (size_t u = 0; !rc && u < units.n; u++)
        if (!set.present[u])
            rc = sb_fail(err, SB_EUSAGE,
                         "unit %s/%s has no record in any of the %zu folders: a shard is missing or unfinished "
                         "(resume it with --resume)", job.t[units.u[u].task].task->name, units.u[u].key, n);
    if (!rc)
        rc = sb_mkdirs(outdir, err);
    if (!rc) {
        /* The merged folder is itself a complete run: job, plan and journal included. */
        snprintf(path, sizeof path, "%s/job.ini", outdir);
        rc = write_text(path, text0, err);
        if (!rc)
            rc = sb_plan_write(outdir, units.u, units.n, hash, err);
        sb_journal jr;
        jr.fd = -1;
        if (!rc && !(rc = sb_journal_discard(outdir, err)) && !(rc = sb_journal_create(&jr, outdir, 1, 0, hash, err)))
            for (size_t u = 0; !rc && u < units.n; u++)
                rc = sb_journal_append(&jr, u, set.rec[u].failed, set.rec[u].data, set.rec[u].len, err);
        int crc = sb_journal_close(&jr, rc ? NULL : err);
        if (!rc)
            rc = crc;
    }
    if (!rc) {
        sb_provenance prov;
        memset(&prov, 0, sizeof prov);
        sb_utc_now(prov.started_utc, sizeof prov.started_utc);
        snprintf(prov.suite_path, sizeof prov.suite_path, "%s/job.ini", dirs[0]);
        sb_hash_hex(text0, strlen(text0), prov.suite_hash);
        snprintf(prov.command, sizeof prov.command, "shardbench merge (%zu shards)", n);
        prov.n_ranks = 1;
        prov.n_shards = (int)n;
        prov.seed = job.seed;
        char host[256] = "";
        gethostname(host, sizeof host - 1);
        snprintf(prov.hosts, sizeof prov.hosts, "%s", host);
        rc = finish_and_write(&job, &units, &set, outdir, &prov, res, err);
        res->n_units = units.n;
    }
    sb_journal_set_free(&set);
    sb_job_free(&job);
    if (have_suite)
        sb_suite_free(&suite);
    sb_units_free(&units);
    free(text0);
    return rc;
}
