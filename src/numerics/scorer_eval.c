#include "numerics/scorer_eval.h"

#include <math.h>

#include "numerics/correlation.h"
#include "numerics/grouped_tau.h"
#include "numerics/kendall.h"
#include "numerics/weightedtau.h"

static int check(const double *score, const double *acc, size_t n, sb_err *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(score[i]))
            return sb_fail(err, SB_EINPUT, "scorer value of model %zu is not finite (%g)", i,
                           score[i]);
        if (!isfinite(acc[i]))
            return sb_fail(err, SB_EINPUT, "accuracy of model %zu is not finite (%g)", i, acc[i]);
    }
    return 0;
}

static int all_equal(const double *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[0])
            return 0;
    return 1;
}

int sb_top1(const double *score, const double *acc, size_t n, double *regret, double *relative,
            const char **reason, sb_err *err)
{
    const char *why = NULL;
    double reg = NAN, rel = NAN;
    int rc = check(score, acc, n, err);
    if (rc)
        return rc;
    if (n < 2) {
        why = "fewer than 2 models";
    } else {
        size_t best = 0, chosen = 0;
        for (size_t i = 1; i < n; i++) {
            if (acc[i] > acc[best])
                best = i;
            if (score[i] > score[chosen] || (score[i] == score[chosen] && acc[i] < acc[chosen]))
                chosen = i;
        }
        reg = acc[best] - acc[chosen];
        if (acc[best] > 0.0)
            rel = acc[chosen] / acc[best];
        else
            why = "best accuracy is not positive: relative top-1 undefined";
    }
    if (regret)
        *regret = reg;
    if (relative)
        *relative = rel;
    if (reason)
        *reason = why;
    return 0;
}

int sb_scorer_taus(const double *score, const double *acc, size_t n, double *tau, double *wtau,
                   const char **reason, sb_err *err)
{
    *tau = *wtau = NAN;
    if (reason)
        *reason = NULL;
    int rc = check(score, acc, n, err);
    if (rc)
        return rc;
    if (n < 2) {
        if (reason)
            *reason = "fewer than 2 models";
        return 0;
    }
    if (all_equal(acc, n)) {
        if (reason)
            *reason = "accuracies are all equal";
        return 0;
    }
    if (all_equal(score, n)) {
        *tau = *wtau = 0.0;
        return 0;
    }
    rc = sb_kendall_tau(score, acc, n, tau, reason, err);
    if (!rc)
        rc = sb_weighted_tau(score, acc, n, wtau, reason, err);
    return rc;
}

int sb_scorer_eval_dataset(const double *score, const double *acc, size_t n,
                           sb_scorer_eval *out, sb_err *err)
{
    *out = (sb_scorer_eval){NAN, NAN, NAN, NAN, NAN, NAN, NULL, NULL, NULL, NULL, NULL};
    int rc = sb_scorer_taus(score, acc, n, &out->kendall_tau, &out->weighted_tau,
                            &out->kendall_reason, err);
    if (rc)
        return rc;
    out->weighted_reason = out->kendall_reason;
    rc = sb_pearson(score, acc, n, &out->pearson, &out->pearson_reason, err);
    if (!rc)
        rc = sb_spearman(score, acc, n, &out->spearman, &out->spearman_reason, err);
    if (!rc) {
        /* name the accuracies first: they make every correlation undefined */
        if (n >= 2 && all_equal(acc, n))
            out->pearson_reason = out->spearman_reason = "accuracies are all equal";
        else if (n >= 2 && all_equal(score, n))
            out->pearson_reason = out->spearman_reason = "scorer values are all equal";
        rc = sb_top1(score, acc, n, &out->top1_regret, &out->top1_relative, &out->top1_reason,
                     err);
    }
    return rc;
}

int sb_scorer_taus_grouped(const double *score, const double *acc, const int *dataset, size_t n,
                           double *tau, double *wtau, const char **reason, sb_err *err)
{
    *tau = *wtau = NAN;
    if (reason)
        *reason = NULL;
    int rc = check(score, acc, n, err);
    if (rc)
        return rc;
    sb_grouped_tau_sums plain, weighted;
    rc = sb_grouped_tau_sums_compute(score, acc, dataset, n, SB_TAU_PLAIN, &plain, err);
    if (!rc)
        rc = sb_grouped_tau_sums_compute(score, acc, dataset, n, SB_TAU_HYPERBOLIC, &weighted,
                                         err);
    if (rc)
        return rc;
    if (plain.all > 0.0 && plain.tie_x == plain.all && !all_equal(acc, n)) {
        *tau = *wtau = 0.0;
        return 0;
    }
    *tau = sb_grouped_tau_from_sums(&plain, reason);
    *wtau = sb_grouped_tau_from_sums(&weighted, reason);
    return 0;
}
