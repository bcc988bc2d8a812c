/* scorer_eval.h — how well a scorer's values rank models by their accuracy, on one dataset
 * and over all datasets: the numbers of a leaderboard row (transferability.md, "Judging
 * scorers"), with the benchmark's conventions for degenerate input applied.
 *
 * Conventions:
 *  - fewer than 2 models, or accuracies all equal: every correlation is NaN, with a reason;
 *  - scorer values all equal but accuracies not: kendall_tau = weighted_tau = 0, not NaN, as
 *    the "Back to the Basics" benchmark does (tmlr-transferability-benchmark,
 *    analysis/correlations_compute.py); pearson and spearman stay NaN (undefined);
 *  - top-1: the model the scorer ranks first is, when several models share the top score, the
 *    one with the LOWEST accuracy among them. A scorer that cannot tell models apart earns no
 *    credit for a lucky input order, and the result does not depend on row order (the
 *    benchmark's get_regret takes the first in input order instead).
 *    top1_regret = acc(best) − acc(chosen) ≥ 0; top1_relative = acc(chosen)/acc(best), NaN
 *    (with a reason) if acc(best) ≤ 0. Both are NaN for fewer than 2 models.
 * Over all datasets (rows dataset=ALL): the grouped τ of grouped_tau.h, plain and weighted;
 * when the scorer is tied within every dataset (in particular, constant) and the accuracies
 * are not all equal, both are 0 — the per-dataset rule, extended: the benchmark checks only
 * a globally constant scorer and would give NaN for one constant within each dataset. */
#ifndef SB_SCORER_EVAL_H
#define SB_SCORER_EVAL_H

#include <stddef.h>

#include "core/err.h"

typedef struct sb_scorer_eval {
    double kendall_tau, weighted_tau, pearson, spearman, top1_regret, top1_relative;
    /* NULL when the value is defined; otherwise a static one-line reason */
    const char *kendall_reason, *weighted_reason, *pearson_reason, *spearman_reason,
        *top1_reason;
} sb_scorer_eval;

/* top-1 regret and relative accuracy (see above). regret/relative/reason may be NULL.
 * SB_EINPUT on NaN/Inf (names the vector and index). */
int sb_top1(const double *score, const double *acc, size_t n, double *regret, double *relative,
            const char **reason, sb_err *err);

/* All per-dataset numbers of one scorer: score and acc over the same n models. SB_EINPUT on
 * NaN/Inf, SB_ENOMEM. */
int sb_scorer_eval_dataset(const double *score, const double *acc, size_t n,
                           sb_scorer_eval *out, sb_err *err);

/* Kendall τ and weighted τ with the constant-scorer rule, on one dataset. */
int sb_scorer_taus(const double *score, const double *acc, size_t n, double *tau, double *wtau,
                   const char **reason, sb_err *err);

/* Grouped (dataset=ALL) τ and weighted τ over rows (score, acc, dataset id), with the
 * extended constant-scorer rule. reason may be NULL. */
int sb_scorer_taus_grouped(const double *score, const double *acc, const int *dataset, size_t n,
                           double *tau, double *wtau, const char **reason, sb_err *err);

#endif
