/* plan_file.c — the plan beside the journal: what merge and resume compare and rebuild. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/journal.h"
#include "io/suite.h"
#include "store/atomic.h"

#define PLAN_MAGIC "SBP2"
#define PLAN_MAX_KEY (1u << 20)

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

/* Streams the units through a 1 MiB buffer into the atomic file (10M units need no
 * second copy of the plan in memory). */
int sb_plan_write(const char *outdir, const sb_unit *u, size_t n, uint64_t hash, sb_err *err)
{
    char dir[1100], path[1200];
    snprintf(dir, sizeof dir, "%s/journal", outdir);
    int rc = sb_mkdirs(dir, err);
    if (rc)
        return rc;
    snprintf(path, sizeof path, "%s/plan.sbp", dir);
    sb_atomic a;
    if ((rc = sb_atomic_open(&a, path, err)))
        return rc;
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_put(&b, PLAN_MAGIC, 4);
    sb_buf_put_u64(&b, hash);
    sb_buf_put_u64(&b, n);
    int bad = 0;
    for (size_t i = 0; i <= n && !bad; i++) {
        if (i == n || b.len >= (1u << 20)) {
            bad = b.oom || fwrite(b.data, 1, b.len, a.fp) != b.len;
            b.len = 0;
        }
        if (i == n)
            break;
        sb_buf_put_u64(&b, u[i].task);
        sb_buf_put_f64(&b, u[i].cost);
        sb_buf_put_i64(&b, u[i].arg);
        sb_buf_put_str(&b, u[i].key);
    }
    sb_buf_free(&b);
    if (bad) {
        int e = a.out.err ? a.out.err : errno;
        sb_atomic_abort(&a);
        return sb_fail(err, SB_EIO, "%s: cannot write the plan: %s", path, strerror(e));
    }
    return sb_atomic_commit(&a, err);
}

static int decode_units(sb_reader *r, uint64_t n, sb_units *units, const char *path, sb_err *err)
{
    char *key = malloc(PLAN_MAX_KEY + 1);
    if (!key)
        return sb_fail(err, SB_ENOMEM, "out of memory reading %s", path);
    int rc = 0;
    for (uint64_t i = 0; !rc && i < n; i++) {
        uint64_t task = sb_get_u64(r);
        double cost = sb_get_f64(r);
        int64_t arg = sb_get_i64(r);
        uint64_t klen = sb_get_u64(r);
        if (r->bad || task > UINT32_MAX || klen > PLAN_MAX_KEY || klen > (uint64_t)(r->end - r->p)) {
            rc = sb_fail(err, SB_EINPUT, "%s: unit %llu of %llu is truncated or corrupt", path,
                         (unsigned long long)i, (unsigned long long)n);
            break;
        }
        memcpy(key, r->p, (size_t)klen);
        key[klen] = '\0';
        r->p += klen;
        if (!(rc = sb_units_add(units, key, cost, arg, err)))
            units->u[units->n - 1].task = (uint32_t)task;
    }
    free(key);
    return rc;
}

int sb_plan_read(const char *outdir, sb_units *units, uint64_t *hash, sb_err *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/journal/plan.sbp", outdir);
    memset(units, 0, sizeof *units);
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return sb_fail(err, SB_EUSAGE, "%s: no plan here: is %s the output folder of a shardbench run?",
                       path, outdir);
    }
    size_t len = (size_t)st.st_size;
    void *m = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    close(fd);
    if (m == MAP_FAILED)
        return sb_fail(err, SB_EINPUT, "%s: empty or unreadable plan file", path);
    sb_reader r;
    sb_reader_init(&r, m, len);
    int rc = 0;
    if (len < 20 || memcmp(m, PLAN_MAGIC, 4))
        rc = sb_fail(err, SB_EINPUT, "%s: not a shardbench plan file (of this version)", path);
    r.p += 4;
    *hash = sb_get_u64(&r);
    uint64_t n = sb_get_u64(&r);
    /* every unit takes at least 32 bytes: a count beyond that is a corrupt file */
    if (!rc && n > (uint64_t)(r.end - r.p) / 32)
        rc = sb_fail(err, SB_EINPUT, "%s: plan claims %llu units in %zu bytes", path, (unsigned long long)n, len);
    if (!rc)
        rc = decode_units(&r, n, units, path, err);
    munmap(m, len);
    if (rc)
        sb_units_free(units);
    return rc;
}
