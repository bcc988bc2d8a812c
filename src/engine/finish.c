#include "engine/finish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/csv_write.h"

static void decode_failure(const sb_record *r, char *stage, size_t scap, char *msg, size_t mcap)
{
    sb_reader rd;
    sb_reader_init(&rd, r->data, r->len);
    sb_get_str(&rd, stage, scap);
    sb_get_str(&rd, msg, mcap);
}

static int add_failures(sb_job *job, const sb_units *units, const sb_journal_set *set, sb_tables *all,
                        sb_err *err)
{
    sb_table *fail;
    const char *fcols[] = {"unit", "stage", "message"};
    int rc = sb_tables_add(all, "failures", 3, fcols, &fail, err);
    for (size_t i = 0; i < units->n && !rc; i++) {
        if (!set->present[i] || !set->rec[i].failed)
            continue;
        char stage[64], msg[1100];
        decode_failure(&set->rec[i], stage, sizeof stage, msg, sizeof msg);
        const sb_job_task *jt = &job->t[units->u[i].task];
        size_t need = strlen(jt->task->name) + strlen(jt->label) + strlen(units->u[i].key) + 3;
        char *name = malloc(need);
        if (!name)
            return sb_fail(err, SB_ENOMEM, "out of memory listing failures");
        snprintf(name, need, "%s%s%s/%s", jt->task->name, jt->label[0] ? "." : "", jt->label, units->u[i].key);
        size_t row;
        fail = &all->t[0];
        if (!(rc = sb_table_add_row(fail, &row, err)) && !(rc = sb_table_set_str(fail, row, 0, name, err)) &&
            !(rc = sb_table_set_str(fail, row, 1, stage, err)))
            rc = sb_table_set_str(fail, row, 2, msg, err);
        free(name);
    }
    return rc;
}

/* The units of task t are one contiguous run of the plan (plan order is task order):
 * the task reads them and their records in place, with no copy. */
static int finish_task(sb_job *job, size_t t, const sb_units *units, const sb_journal_set *set, sb_tables *all,
                       sb_err *err)
{
    sb_job_task *jt = &job->t[t];
    size_t lo = 0, hi;
    while (lo < units->n && units->u[lo].task != t)
        lo++;
    for (hi = lo; hi < units->n && units->u[hi].task == t; hi++)
        ;
    for (size_t i = hi; i < units->n; i++)
        if (units->u[i].task == t)
            return sb_fail(err, SB_EINPUT, "the plan's units of %s are not contiguous (corrupt plan?)", jt->task->name);
    sb_tables tt = {0};
    int rc = jt->task->finish(&jt->ctx, units->u + lo, set->rec + lo, hi - lo, &tt, err);
    if (rc)
        sb_wrap(err, "finishing %s", jt->task->name);
    for (size_t q = 0; !rc && q < tt.n; q++) {
        const char *const *d = jt->task->tables;
        while (d && *d && strcmp(*d, tt.t[q].name))
            d++;
        if (!d || !*d) {
            rc = sb_fail(err, SB_EINPUT, "task %s wrote table %s, which its table list does not declare",
                         jt->task->name, tt.t[q].name);
            break;
        }
        sb_table *nt = realloc(all->t, (all->n + 1) * sizeof *nt);
        if (!nt) {
            rc = sb_fail(err, SB_ENOMEM, "out of memory collecting tables");
            break;
        }
        all->t = nt;
        all->t[all->n] = tt.t[q];
        char name[64];
        sb_job_table_name(jt, tt.t[q].name, name, sizeof name);
        snprintf(all->t[all->n].name, sizeof all->t[all->n].name, "%s", name);
        all->n++;
        memset(&tt.t[q], 0, sizeof tt.t[q]);
    }
    sb_tables_free(&tt);
    return rc;
}

static int write_tables(const sb_tables *all, const char *outdir, sb_provenance *prov, sb_err *err)
{
    const sb_table **list = malloc((all->n + 1) * sizeof *list);
    if (!list)
        return sb_fail(err, SB_ENOMEM, "out of memory writing results");
    int rc = 0;
    for (size_t i = 0; i < all->n && !rc; i++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s.csv", outdir, all->t[i].name);
        rc = sb_csv_write_table(&all->t[i], path, err);
        list[i] = &all->t[i];
    }
    if (!rc) {
        char path[1200];
        snprintf(path, sizeof path, "%s/results.h5", outdir);
        sb_utc_now(prov->finished_utc, sizeof prov->finished_utc);
        rc = sb_results_h5_write(path, list, all->n, prov, err);
    }
    free(list);
    return rc;
}

int sb_finish_write(sb_job *job, const sb_units *units, const sb_journal_set *set, const char *outdir,
                    sb_provenance *prov, sb_err *err)
{
    for (size_t i = 0; i < units->n; i++)
        if (units->u[i].task >= job->n)
            return sb_fail(err, SB_EINPUT, "%s: plan unit %zu names task %u of %zu (corrupt plan?)", outdir, i,
                           (unsigned)units->u[i].task, job->n);
    sb_tables all = {0};
    int rc = add_failures(job, units, set, &all, err);
    for (size_t t = 0; t < job->n && !rc; t++)
        rc = finish_task(job, t, units, set, &all, err);
    if (!rc)
        rc = write_tables(&all, outdir, prov, err);
    sb_tables_free(&all);
    return rc;
}
