#include "engine/schedule.h"

#include <stdlib.h>
#include <string.h>

static int before(const sb_unit *u, uint64_t a, uint64_t b)
{
    if (u[a].cost != u[b].cost)
        return u[a].cost > u[b].cost;
    return u[a].id < u[b].id;
}

/* A stable merge sort: qsort has no context argument and is not stable. */
static void sort_by_cost(const sb_unit *u, uint64_t *ord, uint64_t *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2, i = 0, j = h, k = 0;
    sort_by_cost(u, ord, tmp, h);
    sort_by_cost(u, ord + h, tmp, n - h);
    if (!before(u, ord[h], ord[h - 1]))
        return; /* already in order: the common case of equal costs costs O(n) */
    while (i < h && j < n)
        tmp[k++] = before(u, ord[j], ord[i]) ? ord[j++] : ord[i++];
    while (i < h)
        tmp[k++] = ord[i++];
    while (j < n)
        tmp[k++] = ord[j++];
    memcpy(ord, tmp, n * sizeof *ord);
}

uint64_t *sb_cost_order(const sb_unit *u, size_t n)
{
    uint64_t *ord = malloc((n ? n : 1) * sizeof *ord);
    uint64_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!ord || !tmp) {
        free(ord);
        free(tmp);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        ord[i] = i;
    sort_by_cost(u, ord, tmp, n);
    free(tmp);
    return ord;
}

int sb_sched_init(sb_sched *s, const sb_unit *u, size_t n, const unsigned char *done, int shard_i,
                  int shard_n, int workers, size_t *in_shard, sb_err *err)
{
    memset(s, 0, sizeof *s);
    s->u = u;
    s->workers = workers > 0 ? workers : 1;
    s->max_batch = 16384;
    s->max_bytes = 16u << 20; /* far below MPI's int count limit, whatever the names */
    s->todo = sb_cost_order(u, n);
    s->mine = calloc(n ? n : 1, 1);
    if (!s->todo || !s->mine) {
        sb_sched_free(s);
        return sb_fail(err, SB_ENOMEM, "out of memory ordering %zu units", n);
    }
    size_t k = 0, mine = 0;
    for (size_t p = 0; p < n; p++) {
        if (shard_n > 1 && (int)(p % (size_t)shard_n) != shard_i)
            continue;
        mine++;
        uint64_t i = s->todo[p];
        s->mine[i] = 1;
        if (done && done[i])
            continue;
        s->todo[k++] = i;
        s->left += u[i].cost;
    }
    s->n = k;
    if (in_shard)
        *in_shard = mine;
    return 0;
}

size_t sb_sched_take(sb_sched *s, size_t *first)
{
    *first = s->next;
    if (s->next >= s->n)
        return 0;
    long double target = s->left / (2.0L * (long double)s->workers), acc = 0;
    size_t k = 0, bytes = 0;
    while (s->next + k < s->n && k < s->max_batch) {
        const sb_unit *u = &s->u[s->todo[s->next + k]];
        size_t b = 48 + strlen(u->key);
        if (k > 0 && (acc + u->cost > target || bytes + b > s->max_bytes))
            break;
        acc += u->cost;
        bytes += b;
        k++;
    }
    s->last_big = k == 1 && acc > 2 * target;
    s->next += k;
    s->left = s->next < s->n ? s->left - acc : 0;
    if (s->left < 0)
        s->left = 0;
    return k;
}

void sb_sched_free(sb_sched *s)
{
    free(s->todo);
    free(s->mine);
    memset(s, 0, sizeof *s);
}
