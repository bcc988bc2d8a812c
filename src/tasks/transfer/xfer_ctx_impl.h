/* xfer_ctx_impl.h — the context's fields, shared by xfer_ctx.c (means, Gram pass) and
 * xfer_eig.c (eigen-decompositions, projections, PCA). Internal to tasks/transfer. */
#ifndef SB_XFER_CTX_IMPL_H
#define SB_XFER_CTX_IMPL_H

#include "tasks/transfer/xfer_ctx.h"
#include "tasks/transfer/xfer_rank1.h"

#define SB_XFER_PCA_SLOTS 4

struct sb_xfer_ctx {
    sb_xfer_input in;
    const double *F; /* = in.f64, or F_own */
    double *F_own;
    double *mu, *Fc, *means, *G, *coding;
    double row4; /* Σ_i ‖x_i − μ‖⁴, summed in the Gram pass (valid once G is set) */
    /* Centred Gram = Q T Qᵀ (dsytrd: tri_a holds Q's reflectors, column-major lower, tri_tau
     * their scales), T = W Λ Wᵀ (dstedc: tri_w column-major, evals ascending). */
    double *evals, *tri_a, *tri_tau, *tri_w;
    double *evecs, *evecs_cm; /* V = Q·W, only when someone asks for all of it */
    double *Graw;
    int raw_full;             /* 1: the raw pairs come from a full dsyevd (rank-one solver failed) */
    sb_rank1 r1;              /* raw pairs as a rank-one update (r1.vals set once solved) */
    double *rvals, *rvecs;    /* raw_full: both; else rvecs only once asked for */
    size_t *counts, *order, *offset;
    struct { size_t k; double *Z; } pca[SB_XFER_PCA_SLOTS];
    size_t pca_next;
    unsigned count[SB_XFER_N_STATS];
};

/* Row i of F minus mu (mu NULL: not centred) as doubles, from whichever array the input gave. */
void sb_xfer_load_row(const sb_xfer_ctx *x, size_t i, const double *mu, double *dst);

#endif
