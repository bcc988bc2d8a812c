/* journal.h — finished units, kept durably so a killed run resumes and shards merge.
 *
 * Each rank appends to its own file <dir>/journal/aNNNN-rNNNNN.sbj (attempt, rank): a
 * header with the plan hash, then one checksummed record per finished unit. Records are
 * gathered in memory and written with one write() when 5 ms have passed since the last
 * write or 64 KiB are waiting, when the rank has to wait for work, and at close: a killed
 * process loses at most the records of the last ~5 ms of its work (those units run again
 * on --resume), and a torn last record is dropped by the reader. fsync: at creation (the
 * header, and the folder for the name), at close, and after a write that comes at least one
 * second after the previous fsync; a machine crash can lose what was written since. Reading takes every attempt's files; a
 * unit's record is its last successful one, else its last failure. */
#ifndef SB_JOURNAL_H
#define SB_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "engine/task.h"

typedef struct sb_journal {
    int fd;
    char path[1200];
    double last_sync, last_write;
    sb_buf pending; /* encoded records not written yet */
} sb_journal;

int sb_journal_create(sb_journal *j, const char *outdir, int attempt, int rank, uint64_t plan_hash,
                      sb_err *err);
int sb_journal_append(sb_journal *j, uint64_t unit, int failed, const void *data, size_t len,
                      sb_err *err);
/* Writes the records gathered so far (a rank about to wait calls it). */
int sb_journal_flush(sb_journal *j, sb_err *err);
/* Flushes, fsyncs and closes; safe on a journal whose create failed (fd < 0). */
int sb_journal_close(sb_journal *j, sb_err *err);

/* The records of every journal file under outdir/journal for this plan. */
typedef struct sb_journal_set {
    size_t n_units;
    sb_record *rec;        /* per unit; rec[i].data == NULL && !present[i] when missing */
    unsigned char *present;
    int max_attempt;       /* highest attempt number seen (0 if none) */
    size_t n_files;
    /* The journal files stay mapped read-only and rec[i].data points into them: the
     * records are paged in as finish reads them, never all copied into memory. */
    size_t n_maps;
    void **map;
    size_t *map_len;
    int *attempt_of;       /* attempt of each kept record (the keep rule) */
} sb_journal_set;

/* A file whose header names another plan is SB_EUSAGE naming it. */
int sb_journal_load(const char *outdir, uint64_t plan_hash, size_t n_units, sb_journal_set *set,
                    sb_err *err);
/* Adds the records of another output folder (merge of shards). */
int sb_journal_load_more(sb_journal_set *set, const char *outdir, uint64_t plan_hash, sb_err *err);
void sb_journal_set_free(sb_journal_set *set);
/* Removes journal files (a fresh run in a used folder). */
int sb_journal_discard(const char *outdir, sb_err *err);

/* The plan: units and their hash, written by rank 0 beside the journal (plan_file.c).
 * Format SBP2: magic, hash, unit count, then per unit task, cost, arg and its name. */
uint64_t sb_plan_hash(const sb_unit *u, size_t n, const char *job_text);
int sb_plan_write(const char *outdir, const sb_unit *u, size_t n, uint64_t hash, sb_err *err);
int sb_plan_read(const char *outdir, sb_units *units, uint64_t *hash, sb_err *err);

#endif
