/* merge.c — the shards of one run, combined into one run's files (one process). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/finish.h"
#include "engine/journal.h"
#include "engine/outdir.h"
#include "engine/run.h"
#include "store/atomic.h"

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s && n > 0 && fread(s, 1, (size_t)n, fp) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(fp);
    return s;
}


/* Every folder holds the same job and plan as the first. */
static int check_shards(const char *const *dirs, size_t n, const char *text0, uint64_t hash, sb_err *err)
{
    int rc = 0;
    for (size_t i = 1; !rc && i < n; i++) {
        char path[1200];
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
    return rc;
}

/* The merged folder is itself a complete run: job, plan and one journal. */
static int write_run(const char *outdir, const char *text0, const sb_units *units, uint64_t hash,
                     const sb_journal_set *set, sb_err *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/job.ini", outdir);
    int rc = sb_atomic_write_bytes(path, text0, strlen(text0), err);
    if (!rc)
        rc = sb_plan_write(outdir, units->u, units->n, hash, err);
    sb_journal jr;
    memset(&jr, 0, sizeof jr);
    jr.fd = -1;
    if (!rc && !(rc = sb_journal_discard(outdir, err)) && !(rc = sb_journal_create(&jr, outdir, 1, 0, hash, err)))
        for (size_t u = 0; !rc && u < units->n; u++)
            rc = sb_journal_append(&jr, u, set->rec[u].failed, set->rec[u].data, set->rec[u].len, err);
    int crc = sb_journal_close(&jr, rc ? NULL : err);
    return rc ? rc : crc;
}

static void merge_provenance(sb_provenance *prov, const char *dir0, const char *text0, size_t n, uint64_t seed)
{
    memset(prov, 0, sizeof *prov);
    sb_utc_now(prov->started_utc, sizeof prov->started_utc);
    snprintf(prov->suite_path, sizeof prov->suite_path, "%s/job.ini", dir0);
    sb_hash_hex(text0, strlen(text0), prov->suite_hash);
    snprintf(prov->command, sizeof prov->command, "shardbench merge (%zu shards)", n);
    prov->n_ranks = 1;
    prov->n_shards = (int)n;
    prov->seed = seed;
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    snprintf(prov->hosts, sizeof prov->hosts, "%s", host);
}

int sb_engine_merge(const char *const *dirs, size_t n, const char *outdir, int force, sb_task_lookup lookup,
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
    if (!rc)
        rc = check_shards(dirs, n, text0, hash, err);
    sb_suite suite;
    sb_job job;
    memset(&job, 0, sizeof job);
    int have_suite = 0;
    if (!rc)
        have_suite = !(rc = sb_suite_parse(&suite, path, dirs[0], text0, err));
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
    int lockfd = -1;
    if (!rc && !(rc = sb_outdir_lock(outdir, &lockfd, err)) && !(rc = sb_outdir_claim(outdir, force, err)))
        rc = write_run(outdir, text0, &units, hash, &set, err);
    if (!rc) {
        sb_provenance prov;
        merge_provenance(&prov, dirs[0], text0, n, job.seed);
        rc = sb_finish_write(&job, &units, &set, outdir, &prov, err);
        res->n_units = units.n;
        res->n_done = units.n;
        for (size_t u = 0; u < units.n; u++)
            res->n_failed += set.rec[u].failed;
        if (!rc)
            rc = sb_outdir_publish(outdir, res->n_units, res->n_failed, err);
    }
    sb_outdir_unlock(lockfd);
    sb_journal_set_free(&set);
    sb_job_free(&job);
    if (have_suite)
        sb_suite_free(&suite);
    sb_units_free(&units);
    free(text0);
    return rc;
}
