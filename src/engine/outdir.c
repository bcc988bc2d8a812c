#include "engine/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/suite.h"
#include "store/atomic.h"
#include "store/out_io.h"
#include "store/results_h5.h"

#define LOCK_FILE ".shardbench.lock"
#define INPUTS_FILE "inputs.tsv"

/* ---- the lock ------------------------------------------------------------------------ */

int sb_outdir_lock(const char *dir, int *fd, sb_err *err)
{
    *fd = -1;
    int rc = sb_mkdirs(dir, err);
    if (rc)
        return rc;
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, LOCK_FILE);
    int f = sb_out_open(path, O_RDWR | O_CREAT, 0644);
    if (f < 0)
        return sb_fail(err, SB_EIO, "%s: cannot write in the output folder: %s", path, strerror(errno));
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    if (fcntl(f, F_SETLK, &fl) != 0) {
        char who[256] = "";
        ssize_t n = pread(f, who, sizeof who - 1, 0);
        who[n > 0 ? n : 0] = '\0';
        who[strcspn(who, "\n")] = '\0';
        close(f);
        return sb_fail(err, SB_EUSAGE, "%s is in use by another shardbench run (%s): wait for it to end or "
                       "choose another --output", dir, who[0] ? who : "holder unknown");
    }
    char host[128] = "", when[64], line[256];
    gethostname(host, sizeof host - 1);
    sb_utc_now(when, sizeof when);
    int len = snprintf(line, sizeof line, "pid %ld on %s since %s\n", (long)getpid(), host, when);
    if (ftruncate(f, 0) != 0 || lseek(f, 0, SEEK_SET) != 0 || sb_out_write(f, line, (size_t)len, path) != 0) {
        close(f);
        return sb_fail(err, SB_EIO, "%s: cannot write the lock file: %s", path, strerror(errno));
    }
    *fd = f;
    return 0;
}

void sb_outdir_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* closing releases the fcntl lock */
}

/* ---- claiming a used folder ------------------------------------------------------------- */

static const char *const MARKERS[] = {"job.ini", "journal", "results.h5", SB_COMPLETE_FILE, "shard.done",
                                      INPUTS_FILE, NULL};

static int is_output(const char *name)
{
    for (int i = 0; MARKERS[i]; i++)
        if (!strcmp(name, MARKERS[i]))
            return 1;
    size_t n = strlen(name);
    return n > 4 && !strcmp(name + n - 4, ".csv");
}

static int has_marker(const char *dir, char *which, size_t cap)
{
    for (int i = 0; MARKERS[i]; i++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, MARKERS[i]);
        if (access(path, F_OK) == 0) {
            snprintf(which, cap, "%s", MARKERS[i]);
            return 1;
        }
    }
    return 0;
}

static int move_aside(const char *dir, sb_err *err)
{
    char stamp[64], aside[1200];
    sb_utc_now(stamp, sizeof stamp);
    for (char *p = stamp; *p; p++)
        if (*p == ':')
            *p = '-';
    snprintf(aside, sizeof aside, "%s/previous-%s", dir, stamp);
    for (int k = 2; access(aside, F_OK) == 0 && k < 1000; k++)
        snprintf(aside, sizeof aside, "%s/previous-%s-%d", dir, stamp, k);
    if (sb_out_mkdir(aside, 0755) != 0)
        return sb_fail(err, SB_EIO, "%s: cannot create: %s", aside, strerror(errno));
    DIR *d = opendir(dir);
    if (!d)
        return sb_fail(err, SB_EIO, "%s: cannot list: %s", dir, strerror(errno));
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        if (!is_output(e->d_name))
            continue;
        char from[1600], to[1600];
        snprintf(from, sizeof from, "%s/%s", dir, e->d_name);
        snprintf(to, sizeof to, "%s/%s", aside, e->d_name);
        if (sb_out_rename(from, to) != 0)
            rc = sb_fail(err, SB_EIO, "%s: cannot move aside to %s: %s", from, aside, strerror(errno));
    }
    closedir(d);
    if (!rc)
        fprintf(stderr, "shardbench: --force: the earlier outputs in %s are now in %s\n", dir, aside);
    return rc;
}

int sb_outdir_claim(const char *dir, int force, sb_err *err)
{
    char which[64];
    if (!has_marker(dir, which, sizeof which))
        return 0;
    if (!force)
        return sb_fail(err, SB_EUSAGE, "%s holds the outputs of an earlier run (%s): continue it with --resume, "
                       "move them aside with --force, or choose another --output", dir, which);
    return move_aside(dir, err);
}

/* ---- the completion record ---------------------------------------------------------------- */

int sb_outdir_unpublish(const char *dir, sb_err *err)
{
    const char *names[] = {SB_COMPLETE_FILE, "shard.done"};
    for (int i = 0; i < 2; i++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (sb_out_unlink(path) != 0 && errno != ENOENT)
            return sb_fail(err, SB_EIO, "%s: cannot remove: %s", path, strerror(errno));
    }
    return 0;
}

int sb_outdir_complete(const char *dir)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, SB_COMPLETE_FILE);
    return access(path, F_OK) == 0;
}

int sb_outdir_publish(const char *dir, size_t n_units, size_t n_failed, sb_err *err)
{
    char path[1200], when[64];
    snprintf(path, sizeof path, "%s/%s", dir, SB_COMPLETE_FILE);
    sb_utc_now(when, sizeof when);
    sb_atomic a;
    int rc = sb_atomic_open(&a, path, err);
    if (rc)
        return rc;
    fprintf(a.fp, "shardbench run complete\nfinished_utc\t%s\nunits\t%zu\nfailed\t%zu\n", when, n_units, n_failed);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        int ours = (n > 4 && !strcmp(e->d_name + n - 4, ".csv")) || !strcmp(e->d_name, "results.h5");
        struct stat st;
        char f[1400];
        snprintf(f, sizeof f, "%s/%s", dir, e->d_name);
        if (ours && stat(f, &st) == 0)
            fprintf(a.fp, "file\t%s\t%lld\n", e->d_name, (long long)st.st_size);
    }
    if (d)
        closedir(d);
    return sb_atomic_commit(&a, err);
}

/* ---- input fingerprints -------------------------------------------------------------------- */

static int fingerprint(const char *path, char *line, size_t cap, sb_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        line[0] = '\0';
        return 0; /* not a file (a folder, or missing: the task reports that) */
    }
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return sb_fail(err, SB_EIO, "%s: cannot read: %s", path, strerror(errno));
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = malloc(CHUNK);
    uint64_t h = SB_FNV_INIT;
    size_t n;
    while (buf && (n = fread(buf, 1, CHUNK, fp)) > 0)
        h = sb_fnv1a64(buf, n, h);
    int bad = !buf || ferror(fp);
    free(buf);
    fclose(fp);
    if (bad)
        return sb_fail(err, SB_EIO, "%s: read failed", path);
    snprintf(line, cap, "%s\t%lld\t%lld.%09ld\t%016llx\n", path, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
             st.st_mtim.tv_nsec, (unsigned long long)h);
    return 0;
}

static int job_fingerprints(const sb_job *job, char **text, sb_err *err)
{
    size_t cap = 4096, len = 0;
    char *t = malloc(cap);
    if (!t)
        return sb_fail(err, SB_ENOMEM, "out of memory listing inputs");
    t[0] = '\0';
    int rc = 0;
    for (size_t i = 0; !rc && i < job->n; i++) {
        const sb_job_task *jt = &job->t[i];
        for (const sb_option *o = jt->task->options; !rc && o && o->key; o++) {
            char path[1100], line[1400];
            if (o->type != SB_OPT_PATH || !sb_opts_str(&jt->opts, jt->task->options, o->key))
                continue;
            if ((rc = sb_opts_path(&jt->opts, jt->task->options, o->key, path, sizeof path, err)) ||
                (rc = fingerprint(path, line, sizeof line, err)))
                break;
            size_t l = strlen(line);
            if (len + l + 1 > cap) {
                char *nt = realloc(t, cap = 2 * (len + l + 1));
                if (!nt) {
                    rc = sb_fail(err, SB_ENOMEM, "out of memory listing inputs");
                    break;
                }
                t = nt;
            }
            memcpy(t + len, line, l + 1);
            len += l;
        }
    }
    if (rc)
        free(t);
    else
        *text = t;
    return rc;
}

/* The first recorded line whose file is not as recorded, or 0. */
static int compare_inputs(const char *dir, const char *now, sb_err *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, INPUTS_FILE);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0; /* planned before inputs were recorded */
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    while (!rc && getline(&line, &cap, fp) > 0) {
        if (strstr(now, line))
            continue;
        line[strcspn(line, "\t")] = '\0';
        rc = sb_fail(err, SB_EUSAGE, "%s changed since this run was planned (size, time or content): --resume would "
                     "mix old and new numbers; run without --resume (--force keeps the old outputs aside)", line);
    }
    free(line);
    fclose(fp);
    return rc;
}

int sb_outdir_inputs(const char *dir, const sb_job *job, int check, sb_err *err)
{
    char *text = NULL;
    int rc = job_fingerprints(job, &text, err);
    if (!rc && check)
        rc = compare_inputs(dir, text, err);
    if (!rc) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, INPUTS_FILE);
        rc = sb_atomic_write_bytes(path, text, strlen(text), err);
    }
    free(text);
    return rc;
}
