#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/task.h"

/* Names are packed into blocks of at least 1 MiB; a block is never reallocated, so the
 * keys handed out stay put. 10M short names cost ~10 bytes each, not a 160-byte slot. */
struct sb_name_block {
    sb_name_block *next;
    size_t used, cap;
    char data[];
};

static const char *name_copy(sb_units *us, const char *key, size_t klen, sb_err *err)
{
    size_t len = klen + 1;
    sb_name_block *b = us->names;
    if (!b || b->cap - b->used < len) {
        size_t cap = len > (1u << 20) ? len : (1u << 20);
        sb_name_block *nb = malloc(sizeof *nb + cap);
        if (!nb) {
            sb_fail(err, SB_ENOMEM, "out of memory planning units (names)");
            return NULL;
        }
        nb->next = b;
        nb->used = 0;
        nb->cap = cap;
        us->names = b = nb;
    }
    char *p = b->data + b->used;
    memcpy(p, key, klen);
    p[klen] = '\0';
    b->used += len;
    return p;
}

int sb_units_add(sb_units *us, const char *key, double cost, int64_t arg, sb_err *err)
{
    return sb_units_add_n(us, key, strlen(key), cost, arg, err);
}

int sb_units_add_n(sb_units *us, const char *key, size_t klen, double cost, int64_t arg, sb_err *err)
{
    if (us->n == us->cap) {
        size_t cap = us->cap ? 2 * us->cap : 64;
        sb_unit *u = realloc(us->u, cap * sizeof *u);
        if (!u)
            return sb_fail(err, SB_ENOMEM, "out of memory planning units");
        us->u = u;
        us->cap = cap;
    }
    const char *name = name_copy(us, key, klen, err);
    if (!name)
        return SB_ENOMEM;
    sb_unit *u = &us->u[us->n];
    memset(u, 0, sizeof *u);
    u->id = us->n;
    u->key = name;
    u->cost = cost > 0 ? cost : 1;
    u->arg = arg;
    us->n++;
    return 0;
}

int sb_units_move(sb_units *to, sb_units *from, uint32_t task, sb_err *err)
{
    if (to->cap - to->n < from->n) {
        size_t cap = to->n + from->n;
        sb_unit *u = realloc(to->u, (cap ? cap : 1) * sizeof *u);
        if (!u)
            return sb_fail(err, SB_ENOMEM, "out of memory planning %zu units", cap);
        to->u = u;
        to->cap = cap;
    }
    for (size_t i = 0; i < from->n; i++) {
        to->u[to->n] = from->u[i];
        to->u[to->n].id = to->n;
        to->u[to->n].task = task;
        to->n++;
    }
    /* from's name blocks join to's list (behind to's current block, which stays the one
     * new names go into). */
    sb_name_block **tail = &from->names;
    while (*tail)
        tail = &(*tail)->next;
    if (to->names) {
        *tail = to->names->next;
        to->names->next = from->names;
    } else {
        to->names = from->names;
    }
    from->names = NULL;
    sb_units_free(from);
    return 0;
}

void sb_units_free(sb_units *us)
{
    free(us->u);
    for (sb_name_block *b = us->names, *nx; b; b = nx) {
        nx = b->next;
        free(b);
    }
    memset(us, 0, sizeof *us);
}
