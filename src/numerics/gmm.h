/* gmm.h — full-covariance Gaussian mixture fitted by EM, as sklearn's GaussianMixture
 * (sklearn 1.2 defaults: covariance_type 'full', init_params 'kmeans', n_init 1, tol 1e-3,
 * reg_covar 1e-6, max_iter 100), and the k-means it starts from.
 *
 * Initialisation: k-means (Lloyd, at most 300 iterations, tolerance 1e-4 × mean feature
 * variance on the summed squared centre shift, an empty cluster re-seeded with the point
 * farthest from its centre) started by greedy k-means++ (2 + ⌊ln k⌋ candidates per centre,
 * the one lowering the potential most is kept); responsibilities = one-hot k-means labels.
 * EM: E-step with log-sum-exp; M-step with N_k = Σ_i r_ik + 10ε, Σ_k += reg_covar·I; stop when
 * the mean log-likelihood changes by less than tol between two iterations. Posteriors are those
 * of the parameters after the last M-step (sklearn's predict_proba after fit).
 * Randomness only from the sb_rng the caller passes; sklearn's draws differ, so results agree
 * with it in distribution, not bit for bit. Each covariance's Cholesky factor and its inverse
 * are formed in plain loops (d³/3 each, small next to the N·d² products); the E-step whitens
 * with one dgemm per component, as sklearn's precisions_cholesky. */
#ifndef SB_GMM_H
#define SB_GMM_H

#include <stddef.h>

#include "core/err.h"
#include "core/rng.h"

typedef struct sb_gmm_opts {
    double tol;          /* 1e-3, on the change of the mean log-likelihood (lower bound) */
    double reg_covar;    /* 1e-6, added to every covariance diagonal */
    int max_iter;        /* 100 EM iterations */
    int kmeans_max_iter; /* 300 */
    double kmeans_tol;   /* 1e-4, relative to the mean per-feature variance of X */
} sb_gmm_opts;

void sb_gmm_defaults(sb_gmm_opts *o);

typedef struct sb_gmm_info {
    int n_iter;          /* EM iterations run */
    int converged;       /* 1 if the change fell below tol within max_iter */
    double lower_bound;  /* mean log-likelihood at the last E-step */
} sb_gmm_info;

/* Optional outputs (any pointer may be NULL): weights (k), means (k×d), covariances (k×d×d). */
typedef struct sb_gmm_params {
    double *weights, *means, *covariances;
} sb_gmm_params;

/* X n×d row-major, 1 ≤ k ≤ n. resp (n×k) receives the posteriors P(component | x_i).
 * SB_EINPUT for k outside 1..n, d = 0 or a non-finite entry; SB_ENUMERIC when a covariance is
 * not positive definite even with reg_covar (as sklearn, which raises there). */
int sb_gmm_fit(const double *X, size_t n, size_t d, int k, const sb_gmm_opts *o, sb_rng *rng,
               double *resp, sb_gmm_params *params, sb_gmm_info *info, sb_err *err);

/* The k-means used for initialisation: centers (k×d) and labels (n). */
int sb_kmeans(const double *X, size_t n, size_t d, int k, int max_iter, double tol, sb_rng *rng,
              double *centers, int *labels, sb_err *err);

#endif
