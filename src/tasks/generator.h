/* generator.h — `shardbench gen NAME`: seeded synthetic inputs in the formats users bring.
 *
 * A generator runs in one process (rank 0) and writes its files into a folder; its
 * options are declared in a table beside it, like a task's. */
#ifndef SB_GENERATOR_H
#define SB_GENERATOR_H

#include <stdint.h>

#include "engine/options.h"

typedef struct sb_generator {
    const char *name;
    const char *summary;
    const sb_option *options;
    /* Writes into outdir (which exists); tells what it wrote through `wrote` (one line). */
    int (*generate)(const sb_opts *opts, const char *outdir, uint64_t seed, char *wrote, size_t cap,
                    sb_err *err);
} sb_generator;

#endif
