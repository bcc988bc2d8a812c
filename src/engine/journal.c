#include "engine/journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "io/suite.h"
#include "store/atomic.h"

#define JOURNAL_MAGIC "SBJ1"
#define RECORD_MAGIC 0x5342524bU

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int sb_journal_create(sb_journal *j, const char *outdir, int attempt, int rank, uint64_t plan_hash,
                      sb_err *err)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/journal", outdir);
    int rc = sb_mkdirs(dir, err);
    if (rc)
        return rc;
    snprintf(j->path, sizeof j->path, "%s/a%04d-r%05d.sbj", dir, attempt, rank);
    j->fd = open(j->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (j->fd < 0)
        return sb_fail(err, SB_EIO, "%s: cannot create journal: %s", j->path, strerror(errno));
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_put(&b, JOURNAL_MAGIC, 4);
    sb_buf_put_u64(&b, plan_hash);
    rc = b.oom || write_all(j->fd, b.data, b.len) || fsync(j->fd);
    sb_buf_free(&b);
    if (rc)
        return sb_fail(err, SB_EIO, "%s: cannot write journal header", j->path);
    j->last_sync = now_s();
    return 0;
}

int sb_journal_append(sb_journal *j, uint64_t unit, int failed, const void *data, size_t len,
                      sb_err *err)
{
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_put_u64(&b, RECORD_MAGIC);
    sb_buf_put_u64(&b, unit);
    sb_buf_put_u64(&b, (uint64_t)failed);
    sb_buf_put_u64(&b, len);
    sb_buf_put(&b, data, len);
    uint64_t h = sb_fnv1a64(b.data, b.len, SB_FNV_INIT);
    sb_buf_put_u64(&b, h);
    if (b.oom) {
        sb_buf_free(&b);
        return sb_fail(err, SB_ENOMEM, "out of memory journaling unit %llu", (unsigned long long)unit);
    }
    int bad = write_all(j->fd, b.data, b.len);
    sb_buf_free(&b);
    if (bad)
        return sb_fail(err, SB_EIO, "%s: journal write failed: %s", j->path, strerror(errno));
    double t = now_s();
    if (t - j->last_sync >= 1.0) {
        fsync(j->fd);
        j->last_sync = t;
    }
    return 0;
}

int sb_journal_close(sb_journal *j, sb_err *err)
{
    if (j->fd < 0)
        return 0;
    int bad = fsync(j->fd) != 0;
    bad |= close(j->fd) != 0;
    j->fd = -1;
    return bad ? sb_fail(err, SB_EIO, "%s: journal could not be synced", j->path) : 0;
}

static int read_file(const char *path, unsigned char **data, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    *data = malloc(n > 0 ? (size_t)n : 1);
    if (!*data || (n > 0 && fread(*data, 1, (size_t)n, fp) != (size_t)n)) {
        free(*data);
        fclose(fp);
        return -1;
    }
    fclose(fp);
    *len = (size_t)n;
    return 0;
}

/* A unit's kept record: a success beats a failure; among equals the later attempt wins. */
static int keep(sb_journal_set *set, uint64_t unit, int failed, const unsigned char *p, size_t len,
                int attempt, int *attempt_of)
{
    if (unit >= set->n_units)
        return 0;
    sb_record *r = &set->rec[unit];
    if (set->present[unit]) {
        int better = (r->failed && !failed) || (r->failed == failed && attempt >= attempt_of[unit]);
        if (!better)
            return 0;
        free((void *)r->data);
    }
    unsigned char *copy = malloc(len ? len : 1);
    if (!copy)
        return -1;
    memcpy(copy, p, len);
    r->unit = unit;
    r->failed = failed;
    r->data = copy;
    r->len = len;
    set->present[unit] = 1;
    attempt_of[unit] = attempt;
    return 0;
}

static int load_dir(sb_journal_set *set, const char *outdir, uint64_t plan_hash, int *attempt_of,
                    sb_err *err)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/journal", outdir);
    DIR *d = opendir(dir);
    if (!d)
        return 0; /* no journal yet */
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        int attempt, rank;
        char tail[8];
        if (sscanf(e->d_name, "a%d-r%d.%3s", &attempt, &rank, tail) != 3 || strcmp(tail, "sbj"))
            continue;
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unsigned char *data;
        size_t len;
        if (read_file(path, &data, &len)) {
            rc = sb_fail(err, SB_EIO, "%s: cannot read journal", path);
            break;
        }
        set->n_files++;
        if (attempt > set->max_attempt)
            set->max_attempt = attempt;
        sb_reader r;
        sb_reader_init(&r, data, len);
        if (len < 12 || memcmp(data, JOURNAL_MAGIC, 4)) {
            free(data);
            continue; /* torn header: nothing was journaled there */
        }
        r.p += 4;
        uint64_t h = sb_get_u64(&r);
        if (h != plan_hash) {
            free(data);
            rc = sb_fail(err, SB_EUSAGE,
                         "%s: journal of a different plan (suite, options or inputs changed); "
                         "run without --resume to start again", path);
            break;
        }
        for (;;) {
            const unsigned char *start = r.p;
            uint64_t magic = sb_get_u64(&r);
            uint64_t unit = sb_get_u64(&r);
            uint64_t failed = sb_get_u64(&r);
            uint64_t n = sb_get_u64(&r);
            if (r.bad || magic != RECORD_MAGIC || (uint64_t)(r.end - r.p) < n + 8)
                break; /* end of file or a torn last record */
            const unsigned char *payload = r.p;
            r.p += n;
            uint64_t sum = sb_fnv1a64(start, (size_t)(r.p - start), SB_FNV_INIT);
            if (sb_get_u64(&r) != sum)
                break;
            if (keep(set, unit, (int)failed, payload, (size_t)n, attempt, attempt_of)) {
                rc = sb_fail(err, SB_ENOMEM, "out of memory reading %s", path);
                break;
            }
        }
        free(data);
    }
    closedir(d);
    return rc;
}

int sb_journal_load(const char *outdir, uint64_t plan_hash, size_t n_units, sb_journal_set *set,
                    sb_err *err)
{
    memset(set, 0, sizeof *set);
    set->n_units = n_units;
    set->rec = calloc(n_units ? n_units : 1, sizeof *set->rec);
    set->present = calloc(n_units ? n_units : 1, 1);
    if (!set->rec || !set->present) {
        sb_journal_set_free(set);
        return sb_fail(err, SB_ENOMEM, "out of memory reading the journal");
    }
    return sb_journal_load_more(set, outdir, plan_hash, err);
}

int sb_journal_load_more(sb_journal_set *set, const char *outdir, uint64_t plan_hash, sb_err *err)
{
    int *attempt_of = calloc(set->n_units ? set->n_units : 1, sizeof *attempt_of);
    if (!attempt_of)
        return sb_fail(err, SB_ENOMEM, "out of memory reading the journal");
    int rc = load_dir(set, outdir, plan_hash, attempt_of, err);
    free(attempt_of);
    return rc;
}

void sb_journal_set_free(sb_journal_set *set)
{
    if (set->rec)
        for (size_t i = 0; i < set->n_units; i++)
            free((void *)set->rec[i].data);
    free(set->rec);
    free(set->present);
    memset(set, 0, sizeof *set);
}

int sb_journal_discard(const char *outdir, sb_err *err)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/journal", outdir);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 4 && (!strcmp(e->d_name + n - 4, ".sbj") || !strcmp(e->d_name + n - 4, ".sbp"))) {
            char path[1400];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (unlink(path) != 0)
                rc = sb_fail(err, SB_EIO, "%s: cannot remove old journal: %s", path, strerror(errno));
        }
    }
    closedir(d);
    return rc;
}

uint64_t sb_plan_hash(const sb_unit *u, size_t n, const char *job_text)
{
    uint64_t h = sb_fnv1a64(job_text, strlen(job_text), SB_FNV_INIT);
    for (size_t i = 0; i < n; i++) {
        h = sb_fnv1a64(u[i].key, strlen(u[i].key) + 1, h);
        h = sb_fnv1a64(&u[i].task, sizeof u[i].task, h);
        h = sb_fnv1a64(&u[i].arg, sizeof u[i].arg, h);
    }
    return h;
}

int sb_plan_write(const char *outdir, const sb_unit *u, size_t n, uint64_t hash, sb_err *err)
{
    char dir[1100], path[1200];
    snprintf(dir, sizeof dir, "%s/journal", outdir);
    int rc = sb_mkdirs(dir, err);
    if (rc)
        return rc;
    snprintf(path, sizeof path, "%s/plan.sbp", dir);
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_put(&b, "SBP1", 4);
    sb_buf_put_u64(&b, hash);
    sb_buf_put_u64(&b, n);
    for (size_t i = 0; i < n; i++) {
        sb_buf_put_u64(&b, u[i].id);
        sb_buf_put_u64(&b, u[i].task);
        sb_buf_put_str(&b, u[i].key);
        sb_buf_put_f64(&b, u[i].cost);
        sb_buf_put_i64(&b, u[i].arg);
    }
    if ((rc = sb_buf_check(&b, err))) {
        sb_buf_free(&b);
        return rc;
    }
    sb_atomic a;
    if (!(rc = sb_atomic_open(&a, path, err))) {
        fwrite(b.data, 1, b.len, a.fp);
        rc = sb_atomic_commit(&a, err);
    }
    sb_buf_free(&b);
    return rc;
}

int sb_plan_read(const char *outdir, sb_units *units, uint64_t *hash, sb_err *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/journal/plan.sbp", outdir);
    unsigned char *data;
    size_t len;
    if (read_file(path, &data, &len))
        return sb_fail(err, SB_EUSAGE, "%s: no plan here: is %s the output folder of a shardbench run?",
                       path, outdir);
    sb_reader r;
    sb_reader_init(&r, data, len);
    int rc = 0;
    if (len < 4 || memcmp(data, "SBP1", 4))
        rc = sb_fail(err, SB_EINPUT, "%s: not a shardbench plan file", path);
    r.p += 4;
    *hash = sb_get_u64(&r);
    uint64_t n = sb_get_u64(&r);
    memset(units, 0, sizeof *units);
    for (uint64_t i = 0; !rc && i < n && !r.bad; i++) {
        sb_unit u;
        memset(&u, 0, sizeof u);
        u.id = sb_get_u64(&r);
        u.task = (uint32_t)sb_get_u64(&r);
        sb_get_str(&r, u.key, sizeof u.key);
        u.cost = sb_get_f64(&r);
        u.arg = sb_get_i64(&r);
        if ((rc = sb_units_add(units, u.key, u.cost, u.arg, err)))
            break;
        units->u[units->n - 1] = u;
    }
    if (!rc && r.bad)
        rc = sb_fail(err, SB_EINPUT, "%s: plan file is truncated", path);
    free(data);
    if (rc)
        sb_units_free(units);
    return rc;
}
