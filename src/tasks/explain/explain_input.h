/* explain_input.h — the /explain group of specs/explain.md: read, check, transform.
 *
 * Every check names the file, the dataset and the first bad index. The header (attributes,
 * names, edit_dir, edit_valid, hypotheses) is small and read whole; out_orig is read whole
 * (N×K) and out_edit one concept's slice out_edit[:, j, :] at a time. */
#ifndef SB_EXPLAIN_INPUT_H
#define SB_EXPLAIN_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "io/h5read.h"

typedef enum { SB_EX_PROB = 0, SB_EX_LOGIT, SB_EX_DECISION } sb_ex_space;

typedef struct sb_explain_input {
    sb_h5file f;
    int softmax, stored_logit;
    double threshold;
    char dataset[256], classifier[256];
    size_t n, nj, nk, nh;      /* images, concepts, classes, hypotheses */
    char **classes, **concepts;
    int64_t *dir, *valid;      /* N×J; valid all 1 when the file has no edit_valid */
    int64_t *hyp, *hsign;      /* H×2 (concept, class) and H signs; NULL when H = 0 */
} sb_explain_input;

/* One (concept, class) target and its claimed sign. */
typedef struct sb_ex_target {
    size_t j, k;
    int sign;
} sb_ex_target;

/* Opens path and reads and checks the header for f-space `space`. */
int sb_explain_open(sb_explain_input *in, const char *path, sb_ex_space space, sb_err *err);
void sb_explain_close(sb_explain_input *in);

/* 1 if pair (i, j) is used: edit_dir ≠ 0 and edit_valid = 1. */
int sb_explain_used(const sb_explain_input *in, size_t i, size_t j);

/* out_orig (N×K), checked: finite, probabilities in [0,1], softmax rows summing to 1, no 0/1 for
 * a logit f-space. Caller frees *out. */
int sb_explain_read_orig(sb_explain_input *in, sb_ex_space space, double **out, sb_err *err);
/* out_edit[:, j, :] (N×K), the used rows checked as out_orig's. Caller frees *out. */
int sb_explain_read_edit(sb_explain_input *in, sb_ex_space space, size_t j, double **out, sb_err *err);

/* f_k and D_k of one row of K stored outputs (specs/explain.md "The compared output"). */
void sb_explain_transform(const sb_explain_input *in, sb_ex_space space, const double *row, double *f,
                          unsigned char *d);

/* The targets, sorted by (concept, class): the hypotheses, or every (j, k) (all = 1 or no
 * hypotheses; a softmax head with K = 2 then only k = 1 unless all). Caller frees *out. */
int sb_explain_targets(const sb_explain_input *in, int all, sb_ex_target **out, size_t *n, sb_err *err);

#endif
