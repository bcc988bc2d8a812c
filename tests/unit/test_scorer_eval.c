/* test_scorer_eval.c — the per-dataset leaderboard numbers and their degenerate-input rules.
 *
 * The correlations of the 5-model example are scipy 1.10's, from
 * tests/reference/scorer_eval_ref.py run with Debian's /usr/bin/python3:
 *   x = [0.3, 0.9, 0.9, 0.1, 0.5]; y = [70., 80., 75., 60., 85.]
 *   kendalltau(x, y).statistic, weightedtau(x, y).statistic, pearsonr(x, y).statistic,
 *   spearmanr(x, y).statistic
 * (tests/reference/kendall_ref.py and friends check the same functions at length). The top-1
 * values and the rules are worked by hand below. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "numerics/scorer_eval.h"

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want) + 1e-15))
        fail_msg("got %.17g, want %.17g", got, want);
}

static const double ex_x[] = {0.3, 0.9, 0.9, 0.1, 0.5};
static const double ex_y[] = {70, 80, 75, 60, 85};

static void test_dataset_row(void **state)
{
    (void)state;
    sb_scorer_eval e;
    sb_err err = {0};
    assert_int_equal(sb_scorer_eval_dataset(ex_x, ex_y, 5, &e, &err), 0);
    assert_close(e.kendall_tau, 0.52704627669472992, 1e-12);
    assert_close(e.weighted_tau, 0.34883597675240435, 1e-12);
    assert_close(e.pearson, 0.66842392277696094, 1e-12);
    assert_close(e.spearman, 0.66688592885535025, 1e-12);
    assert_null(e.kendall_reason);
    assert_null(e.pearson_reason);
    /* top score 0.9 is shared by models 1 (80) and 2 (75): the lower accuracy counts.
     * best = 85: regret 10, relative 75/85. */
    assert_close(e.top1_regret, 10.0, 1e-15);
    assert_close(e.top1_relative, 75.0 / 85.0, 1e-15);
    assert_null(e.top1_reason);
}

static void test_top1(void **state)
{
    (void)state;
    sb_err err = {0};
    double reg, rel;
    const char *why;
    /* the scorer picks the best model: regret 0, relative 1 */
    const double s[] = {1, 3, 2}, a[] = {0.5, 0.9, 0.7};
    assert_int_equal(sb_top1(s, a, 3, &reg, &rel, &why, &err), 0);
    assert_true(reg == 0.0 && rel == 1.0 && why == NULL);
    /* tie in the top score, input order reversed: same answer (order does not matter) */
    const double s2[] = {0.9, 0.9, 0.1}, a2[] = {75, 80, 85};
    assert_int_equal(sb_top1(s2, a2, 3, &reg, &rel, &why, &err), 0);
    assert_close(reg, 10.0, 1e-15);
    /* non-positive best accuracy: relative undefined */
    const double a3[] = {-0.5, -1, -2};
    assert_int_equal(sb_top1(s, a3, 3, &reg, &rel, &why, &err), 0);
    assert_close(reg, 0.5, 1e-15);
    assert_true(isnan(rel));
    assert_non_null(why);
    assert_int_equal(sb_top1(s, a, 1, &reg, &rel, &why, &err), 0);
    assert_true(isnan(reg) && isnan(rel));
    assert_string_equal(why, "fewer than 2 models");
    const double bad[] = {1, NAN, 2};
    assert_int_equal(sb_top1(bad, a, 3, &reg, &rel, &why, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "model 1"));
}

/* The benchmark's rule (tmlr-transferability-benchmark correlations_compute.py): a constant
 * scorer against varying accuracies has τ = weighted τ = 0; Pearson/Spearman stay undefined. */
static void test_rules(void **state)
{
    (void)state;
    sb_scorer_eval e;
    sb_err err = {0};
    const double c[] = {2, 2, 2, 2, 2};
    assert_int_equal(sb_scorer_eval_dataset(c, ex_y, 5, &e, &err), 0);
    assert_true(e.kendall_tau == 0.0 && e.weighted_tau == 0.0);
    assert_null(e.kendall_reason);
    assert_true(isnan(e.pearson) && isnan(e.spearman));
    assert_string_equal(e.pearson_reason, "scorer values are all equal");
    /* every model tied at the top: the worst accuracy is chosen, regret = 85 − 60 */
    assert_close(e.top1_regret, 25.0, 1e-15);
    /* constant accuracies: everything undefined except a zero regret */
    const double ca[] = {70, 70, 70, 70, 70};
    assert_int_equal(sb_scorer_eval_dataset(ex_x, ca, 5, &e, &err), 0);
    assert_true(isnan(e.kendall_tau) && isnan(e.weighted_tau) && isnan(e.pearson));
    assert_string_equal(e.kendall_reason, "accuracies are all equal");
    assert_string_equal(e.pearson_reason, "accuracies are all equal");
    assert_true(e.top1_regret == 0.0);
    /* both constant: undefined, not 0 */
    assert_int_equal(sb_scorer_eval_dataset(c, ca, 5, &e, &err), 0);
    assert_true(isnan(e.kendall_tau));
    /* one model */
    assert_int_equal(sb_scorer_eval_dataset(ex_x, ex_y, 1, &e, &err), 0);
    assert_true(isnan(e.kendall_tau) && isnan(e.weighted_tau) && isnan(e.top1_regret));
    assert_string_equal(e.kendall_reason, "fewer than 2 models");
    const double bad[] = {70, 80, INFINITY, 60, 85};
    assert_int_equal(sb_scorer_eval_dataset(ex_x, bad, 5, &e, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "accuracy of model 2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dataset_row),
        cmocka_unit_test(test_top1),
        cmocka_unit_test(test_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
