/* task.h — what a task is to the engine: plan units, run one, finish tables.
 *
 * The engine never names a task and a task never calls MPI: a task turns options into
 * a list of units with costs (plan, on rank 0), turns one unit into record bytes
 * (run_unit, on any rank), and turns all records, in unit order, into tables (finish,
 * on rank 0 — also when merging shards or resuming, from journaled records). */
#ifndef SB_TASK_H
#define SB_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "engine/options.h"
#include "store/table.h"

typedef struct sb_unit {
    uint64_t id;      /* global position in the job's plan: the order of every output */
    uint32_t task;    /* index of the task instance in the job */
    const char *key;  /* what a person calls it: a sequence name, "dataset/model", a cell;
                         any length, owned by the sb_units (or message) that holds the unit */
    double cost;      /* relative cost estimate; big units are handed out first */
    int64_t arg;      /* task-private index */
} sb_unit;

/* Units and their names. Names live in blocks that never move, so a unit's key stays
 * valid while the sb_units lives, however many units are added after it. */
typedef struct sb_name_block sb_name_block;
typedef struct sb_units {
    size_t n, cap;
    sb_unit *u;
    sb_name_block *names;
} sb_units;

/* Appends a unit with id = its position; the key is copied. */
int sb_units_add(sb_units *us, const char *key, double cost, int64_t arg, sb_err *err);
/* The same with a key of klen bytes that need not end in NUL. */
int sb_units_add_n(sb_units *us, const char *key, size_t klen, double cost, int64_t arg, sb_err *err);
/* Moves every unit of from to the end of to (ids renumbered, task set, names kept
 * where they are: no copy); from is left empty. */
int sb_units_move(sb_units *to, sb_units *from, uint32_t task, sb_err *err);
void sb_units_free(sb_units *us);

/* The outcome of one unit as the journal keeps it. */
typedef struct sb_record {
    uint64_t unit;
    int failed;                /* 1: data holds stage and message strings */
    const unsigned char *data;
    size_t len;
} sb_record;

/* One configured task instance. */
typedef struct sb_task_ctx {
    const sb_opts *opts;
    const char *label;   /* "" or the suite section's label */
    uint64_t seed;
    void *state;         /* owned by the task: made by open, freed by close */
} sb_task_ctx;

/* How the CLI offers a task on its own: `shardbench GROUP VERB --output DIR [options]`. */
typedef struct sb_task_cli {
    const char *group, *verb; /* NULL group: only in suites */
    const char *summary;      /* the line `shardbench --help` prints */
} sb_task_cli;

typedef struct sb_task {
    const char *name;
    const char *summary;
    sb_task_cli cli;
    /* Every table finish() may return, NULL-terminated: two task instances of one job that
     * would write the same file are refused before any unit runs (engine/job.c). */
    const char *const *tables;
    const sb_option *options; /* terminated by an entry with key == NULL */
    int (*open)(sb_task_ctx *t, sb_err *err);
    int (*plan)(sb_task_ctx *t, sb_units *units, sb_err *err);
    /* stage names the step that failed ("read", "validate", "compute") for failures.csv. */
    int (*run_unit)(sb_task_ctx *t, const sb_unit *u, sb_buf *record, char *stage, size_t cap,
                    sb_err *err);
    /* records[i] belongs to units[i]; failed records are for the task to skip. */
    int (*finish)(sb_task_ctx *t, const sb_unit *units, const sb_record *records, size_t n,
                  sb_tables *out, sb_err *err);
    void (*close)(sb_task_ctx *t);
} sb_task;

#endif
