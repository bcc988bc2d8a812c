#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/task.h"

int sb_units_add(sb_units *us, const char *key, double cost, int64_t arg, sb_err *err)
{
    if (us->n == us->cap) {
        size_t cap = us->cap ? 2 * us->cap : 64;
        sb_unit *u = realloc(us->u, cap * sizeof *u);
        if (!u)
            return sb_fail(err, SB_ENOMEM, "out of memory planning units");
        us->u = u;
        us->cap = cap;
    }
    sb_unit *u = &us->u[us->n];
    memset(u, 0, sizeof *u);
    u->id = us->n;
    snprintf(u->key, sizeof u->key, "%s", key);
    u->cost = cost > 0 ? cost : 1;
    u->arg = arg;
    us->n++;
    return 0;
}

void sb_units_free(sb_units *us)
{
    free(us->u);
    memset(us, 0, sizeof *us);
}
