/* parc.h — PARC with an explicit memory bound (the registry entry uses PARC_DEFAULT_VALUES). */
#ifndef SB_PARC_H
#define SB_PARC_H

#include <stddef.h>

#include "tasks/transfer/xfer_ctx.h"

/* Pair values held in memory at once (8 bytes each, in two buffers): 2 × 2^26 = 1 GiB. */
#define SB_PARC_DEFAULT_VALUES ((size_t)1 << 26)

/* PARC holding at most max_values pair distances (16 bytes each with the radix buffer) (more sweeps when smaller; a
 * single histogram bucket that alone exceeds the bound is still held whole). */
int sb_parc_score_bounded(sb_xfer_ctx *ctx, size_t max_values, double *value, char *reason, size_t cap,
                          sb_err *err);

#endif
