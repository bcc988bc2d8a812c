/* explain_gen.h — the planted-truth model of `shardbench gen explain` (specs/explain.md):
 * a sigmoid head whose logits are linear in binary concepts plus a nuisance, so every
 * CaCE is known analytically. */
#ifndef SB_EXPLAIN_GEN_H
#define SB_EXPLAIN_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/rng.h"

typedef struct sb_explain_model {
    size_t nj, nk;
    double *prev;  /* p_j, J */
    double *beta;  /* β_jk, J×K */
    double *bias;  /* b_k, K */
    double gamma, eta;
} sb_explain_model;

/* Draws p, β and b from r (the order of specs/explain.md). Arrays malloc'd; free with _free. */
int sb_explain_model_draw(sb_explain_model *m, size_t nj, size_t nk, double gamma, double eta, sb_rng *r,
                          sb_err *err);
void sb_explain_model_free(sb_explain_model *m);

/* Image i from its own stream: concepts c (J), logits z (K), edit logits ze (J×K, concept j
 * flipped, nuisance u + η ε_ij), invalid flags (J) drawn with rate `invalid`. */
void sb_explain_draw_image(const sb_explain_model *m, uint64_t seed, size_t i, double invalid, signed char *c,
                           double *z, double *ze, signed char *bad);

/* The true CaCE of (j, k) in prob, logit and decision space (Gauss–Hermite, 200 nodes). */
int sb_explain_truth(const sb_explain_model *m, size_t j, size_t k, double truth[3], sb_err *err);

#endif
