/* outdir.h — an output folder that tells the truth about what it holds.
 *
 * - One run at a time: rank 0 holds an exclusive lock (fcntl, so it also works on NFS and
 *   is released if the process dies) on DIR/.shardbench.lock for the whole run; a second
 *   run refuses, naming the holder (pid, host, start time).
 * - No mixing: a new run refuses a folder that holds another run's outputs unless it
 *   resumes that run, or --force moves those outputs aside into DIR/previous-<UTC time>/.
 * - A completion record, DIR/run.complete, is written last, after every table and
 *   results.h5, and removed first when a run starts in the folder: outputs without it are
 *   from a run that did not finish (what `show` warns about and `merge` refuses).
 * - Inputs pinned: DIR/inputs.tsv records each input file's size, mtime and content hash
 *   when the run is planned; --resume refuses when any of them changed. */
#ifndef SB_OUTDIR_H
#define SB_OUTDIR_H

#include <stddef.h>

#include "core/err.h"
#include "engine/job.h"

#define SB_COMPLETE_FILE "run.complete"

/* Creates DIR if needed and takes its lock; *fd receives the lock's descriptor. */
int sb_outdir_lock(const char *dir, int *fd, sb_err *err);
void sb_outdir_unlock(int fd);

/* Before a new (not resumed) run: SB_EUSAGE when DIR holds another run's outputs, unless
 * force, which moves them into DIR/previous-<time>/ first. */
int sb_outdir_claim(const char *dir, int force, sb_err *err);

/* Removes the completion record (a run is starting or resuming in DIR). */
int sb_outdir_unpublish(const char *dir, sb_err *err);
/* Writes DIR/run.complete: what finished, when, and every output file's size. */
int sb_outdir_publish(const char *dir, size_t n_units, size_t n_failed, sb_err *err);
/* 1 when DIR holds a completion record. */
int sb_outdir_complete(const char *dir);

/* Fingerprints every input file the job names (path options) into DIR/inputs.tsv; with
 * check, first compares them with the recorded ones and refuses any change. */
int sb_outdir_inputs(const char *dir, const sb_job *job, int check, sb_err *err);

#endif
