/* journal.h — finished units, kept durably so a killed run resumes and shards merge.
 *
 * Each rank appends to its own file <dir>/journal/aNNNN-rNNNNN.sbj (attempt, rank): a
 * header with the plan hash, then one checksummed record per finished unit, written
 * with a single write() so a killed process leaves at most one torn record at the end,
 * which the reader drops. Records are fsync'd at most once a second and at close: a
 * killed process loses nothing (the kernel has the bytes); a machine crash loses at most
 * the last second. Reading takes every attempt's files; a unit's record is its last
 * successful one, else its last failure. */
#ifndef SB_JOURNAL_H
#define SB_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "engine/task.h"

typedef struct sb_journal {
    int fd;
    char path[1200];
    double last_sync;
} sb_journal;

int sb_journal_create(sb_journal *j, const char *outdir, int attempt, int rank, uint64_t plan_hash,
                      sb_err *err);
int sb_journal_append(sb_journal *j, uint64_t unit, int failed, const void *data, size_t len,
                      sb_err *err);
int sb_journal_close(sb_journal *j, sb_err *err);

/* The records of every journal file under outdir/journal for this plan. */
typedef struct sb_journal_set {
    size_t n_units;
    sb_record *rec;        /* per unit; rec[i].data == NULL && !present[i] when missing */
    unsigned char *present;
    int max_attempt;       /* highest attempt number seen (0 if none) */
    size_t n_files;
} sb_journal_set;

/* A file whose header names another plan is SB_EUSAGE naming it. */
int sb_journal_load(const char *outdir, uint64_t plan_hash, size_t n_units, sb_journal_set *set,
                    sb_err *err);
/* Adds the records of another output folder (merge of shards). */
int sb_journal_load_more(sb_journal_set *set, const char *outdir, uint64_t plan_hash, sb_err *err);
void sb_journal_set_free(sb_journal_set *set);
/* Removes journal files (a fresh run in a used folder). */
int sb_journal_discard(const char *outdir, sb_err *err);

/* The plan: units and their hash, written by rank 0 beside the journal. */
uint64_t sb_plan_hash(const sb_unit *u, size_t n, const char *job_text);
int sb_plan_write(const char *outdir, const sb_unit *u, size_t n, uint64_t hash, sb_err *err);
int sb_plan_read(const char *outdir, sb_units *units, uint64_t *hash, sb_err *err);

#endif
