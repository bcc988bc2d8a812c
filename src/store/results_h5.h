/* results_h5.h — the run's tables in one HDF5 file with provenance attributes.
 *
 * Written by rank 0 alone after the records are gathered (see docs/results.md for why
 * not collective parallel HDF5): each table is a group /<name> with one dataset per
 * column — float64 (NaN for empty), int64, or variable-length UTF-8 strings. */
#ifndef SB_RESULTS_H5_H
#define SB_RESULTS_H5_H

#include <stdint.h>

#include "core/err.h"
#include "store/table.h"

typedef struct sb_provenance {
    char suite_path[1024];
    char suite_hash[40];    /* FNV-1a 64 of the suite text, hex */
    char started_utc[32];
    char finished_utc[32];
    int n_ranks;
    char hosts[1024];
    uint64_t seed;
    char command[1024];
    int n_shards;           /* 0 for a plain run; number of merged shards otherwise */
} sb_provenance;

/* Writes path atomically. */
int sb_results_h5_write(const char *path, const sb_table *const *tables, size_t n,
                        const sb_provenance *p, sb_err *err);

/* UTC now as ISO 8601 (2026-11-25T12:00:00Z). */
void sb_utc_now(char *buf, size_t cap);

#endif
