/* tts_select.h — test-time selection on one image's feature map (specs/tts.md, Definitions).
 *
 * For every (budget, α, kept fraction) of a grid, from one read of the map: score the channels
 * by their upsampled activation at the selected keypoints, zero the lowest ⌊(1−perc)·C⌋ (ties by
 * channel index), pool, apply the classifier. Everything is computed in double from the float
 * map, with a fixed summation order, so results do not depend on blocks or ranks. */
#ifndef SB_TTS_SELECT_H
#define SB_TTS_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum { SB_TTS_NEAREST = 0, SB_TTS_BILINEAR = 1 };
#define SB_TTS_ALL (-1L) /* the budget "all" */

/* The cells every image is evaluated at. budgets ascending, SB_TTS_ALL last. */
typedef struct sb_tts_grid {
    size_t n_budgets, n_alpha, n_perc;
    const long *budgets;
    const double *alpha, *perc;
    int upsample;
} sb_tts_grid;

/* A map's geometry and the classifier after pooling: W is 2 × C row-major, b has 2. */
typedef struct sb_tts_model {
    size_t C, H, W;
    long S; /* network input size in pixels */
    const double *weight, *bias;
} sb_tts_model;

/* One image: A is C × H × W; pos/neg hold (row, col) pairs, n_pos/n_neg of them used; the
 * selection orders are permutations of 0..n_pos−1 and 0..n_neg−1 (the first b are a budget b). */
typedef struct sb_tts_image {
    const float *A;
    const int64_t *pos, *neg;
    size_t n_pos, n_neg;
    const size_t *order_pos, *order_neg;
} sb_tts_image;

/* The outcome of one cell: cells are indexed (budget, α, perc) with perc fastest. */
typedef struct sb_tts_cell {
    double p1, l0, l1; /* p1 = 1/(1 + exp(l0 − l1)) */
    int pred;          /* 1 iff l1 > l0 */
    uint32_t n_zeroed;
    int boundary_tie;
    int no_keypoints;  /* left unmasked: p1 and pred are the model's own */
} sb_tts_cell;

typedef struct sb_tts_result {
    double p1_none, l_none[2];
    int pred_none;
    uint32_t *n_pos_used, *n_neg_used; /* per budget */
    sb_tts_cell *cell;                 /* n_budgets × n_alpha × n_perc */
} sb_tts_result;

/* Scratch space sized for one model and grid; reused image after image. */
typedef struct sb_tts_work {
    size_t C, max_kp;
    double *g, *sum_pos, *sum_neg, *score;
    size_t *order, *rank;
    unsigned char *pick;
    struct sb_tts_scored *sorted;
} sb_tts_work;

int sb_tts_work_init(sb_tts_work *w, size_t C, size_t max_kp, sb_err *err);
void sb_tts_work_free(sb_tts_work *w);

/* z = ⌊(1 − perc)·C⌋ computed in double, as Python's int((1-perc)*C). */
size_t sb_tts_zeroed_count(double perc, size_t C);

/* Upsampled value U(c, r, q) of channel map a (H × W) at pixel (r, q) of an S × S input. */
double sb_tts_upsampled(const float *a, size_t H, size_t W, long S, int upsample, int64_t r, int64_t q);

/* The stable order of C scores: ascending, ties by channel index. */
int sb_tts_order(const double *score, size_t C, size_t *order, sb_err *err);

/* Evaluates one image at every cell of g into out (arrays sized by the caller). The image's
 * coordinates must already be checked to lie in [0, S−1]. Afterwards w->rank[c] is channel c's
 * position in the order of the last (budget, α) evaluated with usable keypoints (what tests read). */
int sb_tts_eval_image(const sb_tts_model *m, const sb_tts_grid *g, const sb_tts_image *im, sb_tts_work *w,
                      sb_tts_result *out, sb_err *err);

/* The `random` selection order of an image's keypoints: Fisher–Yates over each list
 * (positives, then negatives) with the generator seeded by (seed, FNV-1a-64 of
 * "tts/<set>/<image>"). */
void sb_tts_random_order(uint64_t seed, const char *set, size_t image, size_t n_pos, size_t n_neg,
                         size_t *order_pos, size_t *order_neg);

#endif
