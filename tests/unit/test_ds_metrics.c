/* test_ds_metrics.c — accuracy, ROC AUC, balanced accuracy, worst-group accuracy.
 *
 * Expected values: tests/reference/ds_metrics_ref.py, run with Debian's /usr/bin/python3
 * (numpy 1.24.2, scikit-learn 1.2.1): sklearn.metrics.accuracy_score(y, s > 0.5),
 * roc_auc_score(y, s), balanced_accuracy_score(y, s > 0.5) and, with numpy, the minimum over
 * non-empty (y, a) groups of the group accuracy; printed with 17 digits and pasted below.
 * "ties": 41 samples, scores rounded to 0.1 (ties within and across classes); "thr": scores
 * exactly at the 0.5 threshold and two empty (y, a) groups; "one": one class only (sklearn's
 * roc_auc_score raises, we give NaN with a reason). Agreement to 1e-12. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "tasks/distshift/ds_metrics.h"

static const double ties_s[] = {0.10000000000000001, 0.20000000000000001, 0.80000000000000004, 0, 0.90000000000000002, 0.69999999999999996, 0.90000000000000002, 0.10000000000000001, 0.5, 0.40000000000000002, 0.20000000000000001, 0.90000000000000002, 1, 0.69999999999999996, 0.40000000000000002, 0.5, 0.90000000000000002, 0.69999999999999996, 0.5, 1, 0.40000000000000002, 0.40000000000000002, 0.59999999999999998, 0.40000000000000002, 0.20000000000000001, 0.40000000000000002, 0.80000000000000004, 0.59999999999999998, 1, 0, 0.10000000000000001, 0.90000000000000002, 0.59999999999999998, 0.90000000000000002, 0.10000000000000001, 0.80000000000000004, 0.69999999999999996, 0.69999999999999996, 0.59999999999999998, 0.80000000000000004, 0.80000000000000004};
static const int ties_y[] = {0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1};
static const int ties_a[] = {0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0};
/* accuracy, auc, balanced_accuracy, worst_group_accuracy; n_groups = 4 */
static const double ties_want[] = {0.78048780487804881, 0.90808823529411753, 0.77818627450980382, 0.75};
static const double thr_s[] = {0.5, 0.20000000000000001, 0.69999999999999996, 0.5, 0.90000000000000002, 0.59999999999999998, 0.5, 0.10000000000000001, 1, 0};
static const int thr_y[] = {0, 0, 0, 1, 1, 1, 1, 0, 1, 0};
static const int thr_a[] = {0, 0, 0, 1, 1, 1, 1, 0, 1, 0};
/* accuracy, auc, balanced_accuracy, worst_group_accuracy; n_groups = 2 */
static const double thr_want[] = {0.69999999999999996, 0.84000000000000008, 0.69999999999999996, 0.59999999999999998};
/* one: roc_auc_score raises: Only one class present in y_true. ROC AUC score is not defined in that case. */
static const double one_s[] = {0.90000000000000002, 0.40000000000000002, 0.80000000000000004, 0.80000000000000004, 0.20000000000000001, 0.55000000000000004, 0.51000000000000001};
static const int one_y[] = {1, 1, 1, 1, 1, 1, 1};
static const int one_a[] = {0, 1, 1, 0, 1, 1, 1};
/* accuracy, auc, balanced_accuracy, worst_group_accuracy; n_groups = 2 */
static const double one_want[] = {0.7142857142857143, NAN, 0.7142857142857143, 0.59999999999999998};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void near(double got, double want)
{
    if (isnan(want)) {
        assert_true(isnan(got));
        return;
    }
    if (!(fabs(got - want) <= 1e-12 * fabs(want) + 1e-15))
        fail_msg("got %.17g want %.17g", got, want);
}

static void check(const char *name, const double *s, const int *y, const int *a, size_t n,
                  const double *want, size_t ngroups)
{
    sb_ds_metrics m;
    sb_err err = {0};
    assert_int_equal(sb_ds_evaluate(name, s, y, a, NULL, n, 0.5, &m, &err), 0);
    assert_int_equal(m.n, n);
    near(m.accuracy, want[0]);
    near(m.auc, want[1]);
    near(m.balanced_accuracy, want[2]);
    near(m.worst_group_accuracy, want[3]);
    assert_int_equal(m.n_groups, ngroups);
    assert_int_equal(m.auc_reason[0] != '\0', isnan(want[1]));
}

static void test_ties(void **st)
{
    (void)st;
    check("ties", ties_s, ties_y, ties_a, N_OF(ties_s), ties_want, 4);
}

static void test_threshold_and_empty_groups(void **st)
{
    (void)st;
    check("thr", thr_s, thr_y, thr_a, N_OF(thr_s), thr_want, 2);
}

static void test_one_class(void **st)
{
    (void)st;
    check("one", one_s, one_y, one_a, N_OF(one_s), one_want, 2);
    sb_ds_metrics m;
    sb_err err = {0};
    assert_int_equal(sb_ds_evaluate("one", one_s, one_y, NULL, NULL, 7, 0.5, &m, &err), 0);
    assert_non_null(strstr(m.auc_reason, "only class 1"));
}

/* Hand-computed: all scores equal → AUC 1/2; perfect separation → 1; reversed → 0. */
static void test_auc_by_hand(void **st)
{
    (void)st;
    const int y[] = {0, 1, 0, 1};
    const double flat[] = {0.3, 0.3, 0.3, 0.3}, good[] = {0.1, 0.9, 0.2, 0.8},
                 bad[] = {0.9, 0.1, 0.8, 0.2}, half[] = {0.1, 0.5, 0.5, 0.9};
    double auc;
    sb_err err = {0};
    assert_int_equal(sb_ds_auc(flat, y, 4, &auc, &err), 0);
    assert_true(auc == 0.5);
    sb_ds_auc(good, y, 4, &auc, &err);
    assert_true(auc == 1.0);
    sb_ds_auc(bad, y, 4, &auc, &err);
    assert_true(auc == 0.0);
    /* Pairs (neg, pos): (0.1,0.5) 1, (0.1,0.9) 1, (0.5,0.5) ½, (0.5,0.9) 1 → 3.5/4. */
    sb_ds_auc(half, y, 4, &auc, &err);
    assert_true(auc == 0.875);
}

/* User groups take precedence over (y, a); ids may be any ints; n_groups counts non-empty ones.
 * Groups: 7 → {correct, wrong} = 1/2, −3 → {correct} = 1, 100 → {correct, correct, wrong} = 2/3. */
static void test_user_groups(void **st)
{
    (void)st;
    const double s[] = {0.9, 0.9, 0.1, 0.2, 0.8, 0.3};
    const int y[] = {1, 0, 0, 0, 1, 1};
    const int g[] = {7, 7, -3, 100, 100, 100};
    sb_ds_metrics m;
    sb_err err = {0};
    assert_int_equal(sb_ds_evaluate("user", s, y, NULL, g, 6, 0.5, &m, &err), 0);
    assert_int_equal(m.n_groups, 3);
    near(m.worst_group_accuracy, 0.5);
    near(m.accuracy, 4.0 / 6.0);
    /* Without groups or spurious: groups are the classes (recalls 2/3 and 2/3). */
    assert_int_equal(sb_ds_evaluate("user", s, y, NULL, NULL, 6, 0.5, &m, &err), 0);
    assert_int_equal(m.n_groups, 2);
    near(m.worst_group_accuracy, 2.0 / 3.0);
    near(m.balanced_accuracy, 2.0 / 3.0);
    /* Another threshold: 0.85 → predictions 1,1,0,0,0,0: correct 1,0,1,1,0,0. */
    assert_int_equal(sb_ds_evaluate("user", s, y, NULL, NULL, 6, 0.85, &m, &err), 0);
    near(m.accuracy, 0.5);
}

static void test_validation(void **st)
{
    (void)st;
    const double s[] = {0.1, 0.2, 1.5, NAN}, s_nan[] = {0.1, NAN, 0.3, 0.4};
    const int y[] = {0, 1, 0, 1}, y_bad[] = {0, 1, 2, 1}, a_bad[] = {0, 1, 1, -1};
    const double ok[] = {0.1, 0.2, 0.3, 0.4};
    sb_ds_metrics m;
    sb_err err = {0};
    assert_int_equal(sb_ds_evaluate("S", s, y, NULL, NULL, 4, 0.5, &m, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "score[2]"));
    assert_int_equal(sb_ds_evaluate("S", s_nan, y, NULL, NULL, 4, 0.5, &m, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "score[1]"));
    assert_int_equal(sb_ds_evaluate("S", ok, y_bad, NULL, NULL, 4, 0.5, &m, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "label[2]"));
    assert_int_equal(sb_ds_evaluate("S", ok, y, a_bad, NULL, 4, 0.5, &m, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "spurious[3]"));
    assert_non_null(strstr(err.msg, "set S"));
    assert_int_equal(sb_ds_evaluate("S", ok, y, NULL, NULL, 0, 0.5, &m, &err), SB_EINPUT);
    assert_int_equal(sb_ds_evaluate("S", ok, y, NULL, NULL, 4, NAN, &m, &err), SB_EINPUT);
    assert_int_equal(sb_ds_check_lengths("S", 4, 4, 4, 4, &err), 0);
    assert_int_equal(sb_ds_check_lengths("S", 4, 3, 4, 4, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "label"));
    assert_non_null(strstr(err.msg, "index 3"));
    assert_int_equal(sb_ds_check_lengths("S", 4, 4, 4, 6, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "group"));
}

static void test_weight_share(void **st)
{
    (void)st;
    const double w[] = {3.0, 0.0, 4.0}, zero[] = {0.0, 0.0};
    double share;
    sb_err err = {0};
    assert_int_equal(sb_ds_spurious_weight_share(w, 3, 2, &share, &err), 0);
    near(share, 0.8);
    sb_ds_spurious_weight_share(w, 3, 3, &share, &err);
    assert_true(share == 0.0);
    sb_ds_spurious_weight_share(w, 3, 0, &share, &err);
    assert_true(share == 1.0);
    sb_ds_spurious_weight_share(zero, 2, 1, &share, &err);
    assert_true(isnan(share));
    assert_int_equal(sb_ds_spurious_weight_share(w, 3, 4, &share, &err), SB_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ties),        cmocka_unit_test(test_threshold_and_empty_groups),
        cmocka_unit_test(test_one_class),   cmocka_unit_test(test_auc_by_hand),
        cmocka_unit_test(test_user_groups), cmocka_unit_test(test_validation),
        cmocka_unit_test(test_weight_share),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
