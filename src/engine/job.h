/* job.h — a run's configured task instances, from a suite file or one CLI command.
 *
 * The canonical text of a job (job.ini in the output folder: every option, paths made
 * absolute) is what shards and resumed runs compare, and what merge rebuilds the job from. */
#ifndef SB_JOB_H
#define SB_JOB_H

#include <stdint.h>

#include "engine/task.h"
#include "io/suite.h"

typedef const sb_task *(*sb_task_lookup)(const char *name);

typedef struct sb_job_task {
    const sb_task *task;
    sb_opts opts;
    char label[64];
    sb_task_ctx ctx;
    int opened;
} sb_job_task;

typedef struct sb_job {
    size_t n;
    sb_job_task *t;
    uint64_t seed;
    char name[128];
    char suite_path[1024];
    char suite_hash[17];
} sb_job;

/* [suite] holds name and seed; every other section is "task" or "task.label". */
int sb_job_from_suite(sb_job *j, const sb_suite *s, sb_task_lookup lookup, sb_err *err);
/* A job of one task from command-line options (ownership of opts moves to the job). */
int sb_job_single(sb_job *j, const sb_task *task, sb_opts *opts, uint64_t seed, sb_err *err);
/* Validates options and calls every task's open(). */
int sb_job_open(sb_job *j, sb_err *err);
void sb_job_free(sb_job *j);
/* The canonical INI text (malloc'd). */
int sb_job_canonical(const sb_job *j, char **text, sb_err *err);
/* A table name as written: "<table>" or "<table>-<label>". */
void sb_job_table_name(const sb_job_task *jt, const char *table, char *out, size_t cap);

#endif
