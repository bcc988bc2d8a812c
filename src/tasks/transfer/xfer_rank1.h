/* xfer_rank1.h — the eigenpairs of a symmetric rank-one update (internal to tasks/transfer).
 *
 * FᵀF = FcᵀFc + N μμᵀ. With FcᵀFc = V Λ Vᵀ and z = Vᵀμ, FᵀF = V (Λ + N zzᵀ) Vᵀ: its
 * eigenvalues are those of the diagonal-plus-rank-one middle matrix, and its eigenvectors are
 * V times the middle matrix's. sb_rank1_solve finds the middle matrix's eigensystem in O(D²)
 * (deflation as LAPACK's dlaed8, then dlaed9); sb_rank1_apply maps coordinates in the basis V
 * to coordinates in the updated basis, so a caller that needs only a few projections never
 * forms the D×D eigenvector matrix. */
#ifndef SB_XFER_RANK1_H
#define SB_XFER_RANK1_H

#include <stddef.h>

#include "core/err.h"

typedef struct sb_rank1_rot {
    size_t a, b; /* basis columns a (deflated by this rotation) and b */
    double c, s;
} sb_rank1_rot;

typedef struct sb_rank1 {
    size_t d, k, nrot;
    double *vals;      /* D, ascending: the updated eigenvalues */
    size_t *src;       /* D: sorted position → j < D: (rotated) basis column j, deflated;
                        * D + i: undeflated secular vector i */
    size_t *keep;      /* k: the undeflated basis columns */
    double *s;         /* k×k column-major: the secular eigenvectors */
    sb_rank1_rot *rot; /* nrot Givens rotations, in order, between close poles */
} sb_rank1;

/* lam (D, ascending), z = Vᵀμ (D, any norm), n: the update's weight (FᵀF = FcᵀFc + n μμᵀ).
 * Returns 0, SB_ENOMEM, or 1 when dlaed9 reports failure (r is then empty; the caller falls
 * back to a full decomposition). */
int sb_rank1_solve(const double *lam, const double *z, double n, size_t d, sb_rank1 *r, sb_err *err);

/* Y (m×D row-major): row a = coordinates of a vector b_a in the basis V (Y[a,j] = v_jᵀb_a);
 * overwritten (rotated). P (m×D row-major) receives P[a,j] = u_jᵀb_a, u_j the j-th updated
 * eigenvector (ascending). With Y = V's rows (b_a = e_a), P is the updated eigenvector matrix. */
int sb_rank1_apply(const sb_rank1 *r, double *Y, size_t m, double *P, sb_err *err);

void sb_rank1_free(sb_rank1 *r);

#endif
