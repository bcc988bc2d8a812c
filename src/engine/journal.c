#include "engine/journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/suite.h"
#include "store/atomic.h"
#include "store/out_io.h"

#define JOURNAL_MAGIC "SBJ1"
#define RECORD_MAGIC 0x5342524bU
#define FLUSH_BYTES (64u * 1024u)
#define FLUSH_SECONDS 0.005

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int sb_journal_create(sb_journal *j, const char *outdir, int attempt, int rank, uint64_t plan_hash,
                      sb_err *err)
{
    memset(j, 0, sizeof *j);
    j->fd = -1;
    sb_buf_init(&j->pending);
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/journal", outdir);
    int rc = sb_mkdirs(dir, err);
    if (rc)
        return rc;
    snprintf(j->path, sizeof j->path, "%s/a%04d-r%05d.sbj", dir, attempt, rank);
    j->fd = sb_out_open(j->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (j->fd < 0)
        return sb_fail(err, SB_EIO, "%s: cannot create journal: %s", j->path, strerror(errno));
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_put(&b, JOURNAL_MAGIC, 4);
    sb_buf_put_u64(&b, plan_hash);
    /* the folder too: a machine crash must not lose the new file's name */
    rc = b.oom || sb_out_write(j->fd, b.data, b.len, j->path) || sb_out_fsync(j->fd, j->path) ||
         sb_out_fsync_dir(j->path);
    sb_buf_free(&b);
    if (rc)
        return sb_fail(err, SB_EIO, "%s: cannot write journal header: %s", j->path, strerror(errno));
    j->last_sync = j->last_write = now_s();
    return 0;
}

int sb_journal_flush(sb_journal *j, sb_err *err)
{
    if (j->fd < 0 || j->pending.len == 0)
        return 0;
    int bad = sb_out_write(j->fd, j->pending.data, j->pending.len, j->path);
    j->pending.len = 0;
    if (bad)
        return sb_fail(err, SB_EIO, "%s: journal write failed: %s", j->path, strerror(errno));
    double t = now_s();
    j->last_write = t;
    if (t - j->last_sync >= 1.0) {
        if (sb_out_fsync(j->fd, j->path) != 0)
            return sb_fail(err, SB_EIO, "%s: journal fsync failed: %s", j->path, strerror(errno));
        j->last_sync = t;
    }
    return 0;
}

int sb_journal_append(sb_journal *j, uint64_t unit, int failed, const void *data, size_t len,
                      sb_err *err)
{
    sb_buf *b = &j->pending;
    size_t start = b->len;
    sb_buf_put_u64(b, RECORD_MAGIC);
    sb_buf_put_u64(b, unit);
    sb_buf_put_u64(b, (uint64_t)failed);
    sb_buf_put_u64(b, len);
    sb_buf_put(b, data, len);
    if (b->oom) {
        b->len = start;
        return sb_fail(err, SB_ENOMEM, "out of memory journaling unit %llu", (unsigned long long)unit);
    }
    sb_buf_put_u64(b, sb_fnv1a64(b->data + start, b->len - start, SB_FNV_INIT));
    if (b->oom) {
        b->len = start;
        return sb_fail(err, SB_ENOMEM, "out of memory journaling unit %llu", (unsigned long long)unit);
    }
    if (b->len >= FLUSH_BYTES || now_s() - j->last_write >= FLUSH_SECONDS)
        return sb_journal_flush(j, err);
    return 0;
}

int sb_journal_close(sb_journal *j, sb_err *err)
{
    if (j->fd < 0) {
        sb_buf_free(&j->pending);
        return 0;
    }
    int rc = sb_journal_flush(j, err);
    int bad = sb_out_fsync(j->fd, j->path) != 0;
    int e = errno;
    if (sb_out_close(j->fd, j->path) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    j->fd = -1;
    sb_buf_free(&j->pending);
    if (!rc && bad)
        rc = sb_fail(err, SB_EIO, "%s: journal could not be synced: %s", j->path, strerror(e));
    return rc;
}

/* ---- reading ---------------------------------------------------------------------- */

/* A unit's kept record: a success beats a failure; among equals the later attempt wins. */
static void keep(sb_journal_set *set, uint64_t unit, int failed, const unsigned char *p, size_t len,
                 int attempt)
{
    if (unit >= set->n_units)
        return;
    sb_record *r = &set->rec[unit];
    if (set->present[unit]) {
        int better = (r->failed && !failed) || (r->failed == failed && attempt >= set->attempt_of[unit]);
        if (!better)
            return;
    }
    r->unit = unit;
    r->failed = failed;
    r->data = p;
    r->len = len;
    set->present[unit] = 1;
    set->attempt_of[unit] = attempt;
}

/* Maps path read-only into the set; *data is NULL for an empty file. */
static int map_file(sb_journal_set *set, const char *path, const unsigned char **data, size_t *len,
                    sb_err *err)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return sb_fail(err, SB_EIO, "%s: cannot read journal: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode) || st.st_size == 0) {
        close(fd);
        return S_ISREG(st.st_mode) ? 0 : sb_fail(err, SB_EINPUT, "%s: journal is not a regular file", path);
    }
    void **nm = realloc(set->map, (set->n_maps + 1) * sizeof *nm);
    size_t *nl = nm ? realloc(set->map_len, (set->n_maps + 1) * sizeof *nl) : NULL;
    if (nm)
        set->map = nm;
    if (nl)
        set->map_len = nl;
    void *m = nl ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    int e = errno;
    close(fd);
    if (!nl)
        return sb_fail(err, SB_ENOMEM, "out of memory reading %s", path);
    if (m == MAP_FAILED)
        return sb_fail(err, SB_EIO, "%s: cannot map journal: %s", path, strerror(e));
    set->map[set->n_maps] = m;
    set->map_len[set->n_maps++] = (size_t)st.st_size;
    *data = m;
    *len = (size_t)st.st_size;
    return 0;
}

/* Walks the records of one mapped file; stops at the end or at a torn/corrupt record. */
static void scan_records(sb_journal_set *set, sb_reader *r, int attempt)
{
    for (;;) {
        const unsigned char *start = r->p;
        uint64_t magic = sb_get_u64(r);
        uint64_t unit = sb_get_u64(r);
        uint64_t failed = sb_get_u64(r);
        uint64_t n = sb_get_u64(r);
        if (r->bad || magic != RECORD_MAGIC || failed > 1)
            return;
        uint64_t left = (uint64_t)(r->end - r->p);
        if (n > left || left - n < 8)
            return; /* a torn last record (or a count no file can hold) */
        const unsigned char *payload = r->p;
        r->p += n;
        uint64_t sum = sb_fnv1a64(start, (size_t)(r->p - start), SB_FNV_INIT);
        if (sb_get_u64(r) != sum)
            return;
        keep(set, unit, (int)failed, payload, (size_t)n, attempt);
    }
}

static int load_file(sb_journal_set *set, const char *path, int attempt, uint64_t plan_hash, sb_err *err)
{
    const unsigned char *data;
    size_t len;
    int rc = map_file(set, path, &data, &len, err);
    if (rc)
        return rc;
    set->n_files++;
    if (attempt > set->max_attempt)
        set->max_attempt = attempt;
    if (len < 12 || memcmp(data, JOURNAL_MAGIC, 4))
        return 0; /* torn header: nothing was journaled there */
    sb_reader r;
    sb_reader_init(&r, data + 4, len - 4);
    if (sb_get_u64(&r) != plan_hash)
        return sb_fail(err, SB_EUSAGE,
                       "%s: journal of a different plan (suite, options or inputs changed); "
                       "run without --resume to start again", path);
    scan_records(set, &r, attempt);
    return 0;
}

static int load_dir(sb_journal_set *set, const char *outdir, uint64_t plan_hash, sb_err *err)
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
        rc = load_file(set, path, attempt, plan_hash, err);
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
    set->attempt_of = calloc(n_units ? n_units : 1, sizeof *set->attempt_of);
    if (!set->rec || !set->present || !set->attempt_of) {
        sb_journal_set_free(set);
        return sb_fail(err, SB_ENOMEM, "out of memory reading the journal of %zu units", n_units);
    }
    return sb_journal_load_more(set, outdir, plan_hash, err);
}

int sb_journal_load_more(sb_journal_set *set, const char *outdir, uint64_t plan_hash, sb_err *err)
{
    return load_dir(set, outdir, plan_hash, err);
}

void sb_journal_set_free(sb_journal_set *set)
{
    for (size_t i = 0; i < set->n_maps; i++)
        munmap(set->map[i], set->map_len[i]);
    free(set->map);
    free(set->map_len);
    free(set->rec);
    free(set->present);
    free(set->attempt_of);
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
            if (sb_out_unlink(path) != 0)
                rc = sb_fail(err, SB_EIO, "%s: cannot remove old journal: %s", path, strerror(errno));
        }
    }
    closedir(d);
    return rc;
}
