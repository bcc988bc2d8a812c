/* combine.h — combining several transferability scorers into one score.
 *
 * zmean: per dataset, each scorer is z-scored across that dataset's models and the combined
 * score of a model is the mean of its z-scores. The standard deviation uses ddof = 1 (the
 * sample standard deviation), as pandas' Series.std in the "Back to the Basics" benchmark's
 * `normalize`/`normalize_columns` (analysis/utils.py), which standardises per dataset the same
 * way. Within one dataset every scorer has the same n, so ddof only rescales all z by the same
 * factor and no ranking or τ depends on it. A scorer constant on a dataset (or a dataset with
 * one model) gets z = 0 there: it carries no ranking information (pandas would give NaN).
 *
 * bayes: the three-level hierarchical linear regression of transferability.md. For row r of
 * dataset d (one model), with standardised accuracy a_r and standardised scorer values z_rs:
 *   a_r ~ N(b_d + Σ_s w_sd z_rs, σ²),   w_sd ~ N(w_s, ω_s²),   w_s ~ N(0, 1),   b_d ~ N(0, 1),
 *   σ² ~ inverse-gamma(1, 1),   ω_s² ~ inverse-gamma(1, 1)  (shape 1, scale 1; density ∝
 *   x^(−2) e^(−1/x)). Inverse-gamma rather than half-Cauchy so that every conditional is
 * conjugate and the Gibbs sampler needs no inner slice sampling. The IG(1,1) prior is not
 * vague at small scales: with few datasets it holds ω² near 0.1 even when the slopes barely
 * vary, which widens the posterior of w_s (it does not bias its mean).
 * Gibbs sweep, in this order:
 *   1. per dataset, (b_d, w_·d) jointly from their Gaussian conditional (precision
 *      diag(1, 1/ω²) + XᵀX/σ², X = [1, z]; Cholesky with LAPACKE_dpotrf) — drawing the intercept
 *      with the slopes avoids the slow mixing of one-at-a-time updates;
 *   2. w_s | w_s· ~ N(m, 1/p), p = 1 + D/ω_s², m = (Σ_d w_sd/ω_s²)/p;
 *   3. ω_s² ~ IG(1 + D/2, 1 + ½ Σ_d (w_sd − w_s)²);
 *   4. σ² ~ IG(1 + N/2, 1 + ½ Σ_r residual_r²).
 * A chain starts from w_s drawn from its N(0,1) prior (so chains are overdispersed and R̂ is
 * meaningful), ω² = σ² = 1, and is seeded by (seed, stream) alone: chains can run on any rank.
 * R̂ is the split-R̂ of Gelman et al. (BDA3, §11.4), without rank normalisation. */
#ifndef SB_COMBINE_H
#define SB_COMBINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* z-scores of v[0..n) (ddof 1); all zeros if n < 2 or v is constant. SB_EINPUT on NaN/Inf. */
int sb_zscore(const double *v, size_t n, double *z, sb_err *err);

/* For each column of X (n × k, row-major), z-scores within each group (rows with the same
 * group id, any order) into Z (n × k; may alias X). SB_EINPUT on NaN/Inf (names row, column),
 * SB_ENOMEM. */
int sb_zscore_by_group(const double *X, size_t n, size_t k, const int *group, double *Z,
                       sb_err *err);

/* zmean on one dataset: S is n_models × n_scorers row-major (raw values), out (n_models) the
 * mean over scorers of the per-scorer z-scores. n_scorers ≥ 1. */
int sb_combine_zmean(const double *S, size_t n_models, size_t n_scorers, double *out,
                     sb_err *err);

typedef struct sb_bayes_problem {
    const double *Z;    /* n × n_scorers row-major, scorer values standardised per dataset */
    const double *a;    /* n accuracies standardised per dataset */
    const int *dataset; /* n dataset ids in [0, n_datasets) */
    size_t n;
    size_t n_scorers;
    int n_datasets;
    int held_out;       /* rows of this dataset are left out of the fit; −1 for none */
} sb_bayes_problem;

typedef struct sb_bayes_opts {
    int n_burn; /* sweeps discarded; default 1000 */
    int n_keep; /* draws kept; default 2000 */
    int thin;   /* sweeps per kept draw; default 1 */
} sb_bayes_opts;

void sb_bayes_defaults(sb_bayes_opts *o);

/* One Gibbs chain seeded by (seed, stream). Kept draws go to w_draws (n_keep × n_scorers,
 * row-major), and if not NULL sigma2_draws (n_keep) and omega2_draws (n_keep × n_scorers).
 * SB_EINPUT if the problem is malformed (dataset id out of range, NaN, no row left to fit —
 * the message names the row), SB_ENUMERIC if a conditional precision is not positive
 * definite, SB_ENOMEM. */
int sb_bayes_chain(const sb_bayes_problem *p, const sb_bayes_opts *o, uint64_t seed,
                   uint64_t stream, double *w_draws, double *sigma2_draws, double *omega2_draws,
                   sb_err *err);

/* Split-R̂ of one scalar over n_chains chains of n_draws draws: chain c's t-th draw is
 * chains[c][t·stride]. Each chain is cut into a first and a last half of ⌊n_draws/2⌋ draws
 * (the middle draw of an odd count is dropped); with M = 2·n_chains halves of L draws,
 * W = mean within-half variance (ddof 1), B/L = variance of the half means (ddof 1),
 * R̂ = √(((L−1)/L·W + B/L)/W). NaN if n_draws < 4 or W = 0. */
double sb_rhat_split(const double *const *chains, size_t n_chains, size_t n_draws, size_t stride);

/* score[r] = Σ_s w[s]·Z[r, s] for n rows. */
void sb_bayes_predict(const double *w, const double *Z, size_t n, size_t n_scorers,
                      double *score);

/* Leave-one-dataset-out: fits p with p->held_out (must be a dataset id with rows) left out,
 * n_chains chains (streams 0..n_chains−1 of seed) run one after the other, and writes for
 * each held-out row, in input order, the posterior mean of Σ_s w_s z_rs into pred (as many
 * entries as held-out rows). w_mean (n_scorers) and rhat (n_scorers, NaN when n_chains·n_keep
 * is too small) may be NULL. */
int sb_bayes_lodo(const sb_bayes_problem *p, const sb_bayes_opts *o, uint64_t seed,
                  size_t n_chains, double *pred, double *w_mean, double *rhat, sb_err *err);

#endif
