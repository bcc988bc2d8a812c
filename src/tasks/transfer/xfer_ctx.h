/* xfer_ctx.h — the shared statistics of one transferability work unit.
 *
 * A unit is (features F, labels y, optional source softmax P). Every F-based scorer needs
 * some of: column mean, centred features, class counts/means, the centred Gram FcᵀFc, its
 * eigen-decomposition, PCA projections. The context computes each of them at most once,
 * on first request, and keeps it until sb_xfer_ctx_free; scorers only read it.
 * The input arrays are borrowed: they must outlive the context and are never modified.
 * Not thread-safe: one context per unit, used by one thread at a time. */
#ifndef SB_XFER_CTX_H
#define SB_XFER_CTX_H

#include <stddef.h>

#include "core/err.h"

typedef struct sb_xfer_input {
    size_t n, d; const float *f32; const double *f64;  /* features N×D row-major; exactly one non-NULL */
    const int *y; int c;                                 /* labels 0..c-1, every class present (validated by caller) */
    const double *probs; size_t cs;                      /* source softmax N×Cs, or NULL */
} sb_xfer_input;

typedef struct sb_xfer_ctx sb_xfer_ctx;  /* opaque */

/* ε of the TransRate coding rate R(A) = ½ logdet(I + AᵀA/(n ε)) (tllib's default). */
#define SB_XFER_CODING_EPS 1e-4

/* Checks shapes and labels (y in 0..c-1, every class present, n ≥ 1, d ≥ 1, exactly one
 * feature array) and keeps a copy of *in (the struct is copied; the arrays are borrowed). */
int sb_xfer_ctx_new(const sb_xfer_input *in, sb_xfer_ctx **out, sb_err *err);
void sb_xfer_ctx_free(sb_xfer_ctx *ctx);
const sb_xfer_input *sb_xfer_input_of(const sb_xfer_ctx *ctx);

/* Accessors: each returns 0/SB_E* and fills the pointer(s) with cached storage owned by ctx. */
int sb_xfer_features(sb_xfer_ctx *ctx, const double **F, sb_err *err);       /* N×D double */
int sb_xfer_mean(sb_xfer_ctx *ctx, const double **mu, sb_err *err);          /* D */
int sb_xfer_centered(sb_xfer_ctx *ctx, const double **Fc, sb_err *err);      /* N×D */
int sb_xfer_class_counts(sb_xfer_ctx *ctx, const size_t **counts, sb_err *err); /* C */
int sb_xfer_class_means(sb_xfer_ctx *ctx, const double **means, sb_err *err);   /* C×D */
/* Rows grouped by class: order[offset[c] .. offset[c+1]) are the rows of class c, ascending. */
int sb_xfer_class_rows(sb_xfer_ctx *ctx, const size_t **order, const size_t **offset, sb_err *err);
int sb_xfer_gram_centered(sb_xfer_ctx *ctx, const double **G, sb_err *err);  /* D×D = Fcᵀ Fc, full symmetric */
/* Eigen-decomposition of FcᵀFc (dsyevd's steps: dsytrd, dstedc, back-transformation): evals
 * ascending (D), evecs D×D row-major with eigenvector j in column j (evecs[a*D + j]). */
int sb_xfer_eig_centered(sb_xfer_ctx *ctx, const double **evals, const double **evecs, sb_err *err);
/* The same eigenvalues without the D×D eigenvector matrix. */
int sb_xfer_eigvals_centered(sb_xfer_ctx *ctx, const double **evals, sb_err *err);
/* P = B·V for B m×D (row-major, caller's arrays): P[a,j] = v_jᵀ b_a, v_j the eigenvectors of
 * sb_xfer_eig_centered, without forming V (D²·m multiply-adds instead of D³). */
int sb_xfer_project_centered(sb_xfer_ctx *ctx, const double *B, size_t m, double *P, sb_err *err);
/* N×k projections Fc·V_k on the eigenvectors of the k largest eigenvalues (column 0 = largest),
 * each eigenvector's sign chosen so its largest-magnitude entry (first such on ties) is
 * positive. Requires 1 ≤ k ≤ D. Cached per k (the last few distinct k are kept). */
int sb_xfer_pca(sb_xfer_ctx *ctx, size_t k, const double **Z, sb_err *err);
/* D×D = FᵀF = FcᵀFc + N μμᵀ (derived from the centred Gram, no second pass over F). */
int sb_xfer_gram_raw(sb_xfer_ctx *ctx, const double **G, sb_err *err);
/* Eigen-decomposition of FᵀF, same layout as sb_xfer_eig_centered: a rank-one update of the
 * centred decomposition (deflation, then LAPACK dlaed9), a full dsyevd when that cannot apply. */
int sb_xfer_eig_raw(sb_xfer_ctx *ctx, const double **evals, const double **evecs, sb_err *err);
/* Its eigenvalues, and P = B·U as sb_xfer_project_centered, without the D×D matrix U. */
int sb_xfer_eigvals_raw(sb_xfer_ctx *ctx, const double **evals, sb_err *err);
int sb_xfer_project_raw(sb_xfer_ctx *ctx, const double *B, size_t m, double *P, sb_err *err);
/* Σ_i ‖x_i − μ‖⁴ (sklearn's Ledoit–Wolf shrinkage needs it), summed in the Gram pass. */
int sb_xfer_centered_row4(sb_xfer_ctx *ctx, double *row4, sb_err *err);
/* Per class c: logdet(I_D + Z_cᵀZ_c/(n_c·SB_XFER_CODING_EPS)), Z_c the rows of Fc of class c
 * (not re-centred). Computed in the same pass over F as the centred Gram when both are
 * still missing. */
int sb_xfer_class_coding_logdets(sb_xfer_ctx *ctx, const double **logdet, sb_err *err);

/* For tests: how many times each shared statistic was computed (each must stay ≤ 1). EIG and
 * EIG_RAW count the decompositions (tridiagonal + dstedc; the rank-one solve); the eigenvector
 * matrices derived from them on request are not counted. */
typedef enum sb_xfer_stat {
    SB_XFER_STAT_FEATURES, SB_XFER_STAT_MEAN, SB_XFER_STAT_CENTERED, SB_XFER_STAT_COUNTS,
    SB_XFER_STAT_MEANS, SB_XFER_STAT_ROWS, SB_XFER_STAT_GRAM, SB_XFER_STAT_EIG,
    SB_XFER_STAT_PCA, SB_XFER_STAT_GRAM_RAW, SB_XFER_STAT_EIG_RAW, SB_XFER_STAT_CODING,
    SB_XFER_STAT_PASSES, /* dsyrk passes over F (1 when Gram and coding logdets share it) */
    SB_XFER_N_STATS
} sb_xfer_stat;
unsigned sb_xfer_stat_count(const sb_xfer_ctx *ctx, sb_xfer_stat which);

#endif
