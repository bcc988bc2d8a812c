/* schedule.h — which units a run does, in which order, and how many go in one hand-out.
 *
 * Units are handed out largest estimated cost first (ties in plan order), so the long
 * ones start early and the short ones fill the gaps at the end. A hand-out is a batch
 * of consecutive units of that order, sized as guided self-scheduling does: about
 * remaining cost / (2 × workers), at least one unit. Early batches of small units are
 * large (few messages for a million tiny units); the last ones are single units (good
 * balance at the end). Shards take every n-th unit of the order, so each shard gets a
 * similar mix. Nothing here touches MPI or files: a test can drive it by hand. */
#ifndef SB_SCHEDULE_H
#define SB_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/task.h"

/* Unit indices of us ordered largest cost first (malloc'd), NULL when out of memory. */
uint64_t *sb_cost_order(const sb_unit *u, size_t n);

typedef struct sb_sched {
    const sb_unit *u;   /* the plan (not owned) */
    uint64_t *todo;     /* unit indices still to run, in hand-out order (owned) */
    unsigned char *mine; /* mine[i]: unit i belongs to this shard (owned) */
    size_t n, next;     /* todo[next..n) are not handed out yet */
    long double left;   /* summed cost of todo[next..n) */
    int workers;
    size_t max_batch;   /* at most this many units in one hand-out */
    size_t max_bytes;   /* and about this many bytes on the wire (names included) */
    int last_big;       /* the last batch was one unit costing over twice the target:
                           a long unit, which no prefetched work should queue behind */
} sb_sched;

/* The units of shard shard_i of shard_n whose done[i] is 0 (done may be NULL), in cost
 * order. *in_shard receives how many units the shard has in all. */
int sb_sched_init(sb_sched *s, const sb_unit *u, size_t n, const unsigned char *done, int shard_i,
                  int shard_n, int workers, size_t *in_shard, sb_err *err);
/* The next batch: todo[*first .. *first + return value); 0 when nothing is left. */
size_t sb_sched_take(sb_sched *s, size_t *first);
void sb_sched_free(sb_sched *s);

#endif
