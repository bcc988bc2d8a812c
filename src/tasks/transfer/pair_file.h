/* pair_file.h — one (model, dataset) pair's arrays: /features N×D (float32 kept as float32),
 * /labels N (0..C−1, every class present), optional /source_probs N×Cs (rows sum to 1). */
#ifndef SB_PAIR_FILE_H
#define SB_PAIR_FILE_H

#include <stddef.h>

#include "core/err.h"

typedef struct sb_pair {
    size_t n, d, cs;
    float *f32;
    double *f64;
    int *y;
    int c;
    double *probs;
} sb_pair;

/* Every check names the file and dataset: shapes, label range and contiguity, NaN/Inf,
 * probability rows (non-negative, summing to 1 within 1e-3). */
int sb_pair_read(sb_pair *p, const char *path, sb_err *err);
void sb_pair_free(sb_pair *p);
/* N and D from the file's metadata only (for cost estimates); 0 on any problem. */
void sb_pair_shape(const char *path, size_t *n, size_t *d);
/* C and Σ_c n_c² from /labels (first n_max entries; for cost estimates); 0 on any problem. */
void sb_pair_label_sizes(const char *path, size_t n_max, double *c, double *sum_nc2);

#endif
