/* test_forecast_ap.c — the sweep of one cell (AP by 101-point interpolation, ADE/FDE), the
 * aggregation into the table, and the numpy-exact helpers behind them.
 *
 * Expected values: by hand where stated; the numpy literals were printed by
 * /usr/bin/python3 (numpy 1.24.2) with the one-liners quoted next to them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "tasks/forecast/forecast_metrics.h"

static sb_fc_record rec(double score, int64_t index, int matched, int tp, double ade, double fde)
{
    sb_fc_record r;
    memset(&r, 0, sizeof r);
    r.score = score;
    r.index = index;
    r.matched = (uint8_t)matched;
    r.tp = (uint8_t)tp;
    r.ade = ade;
    r.fde = fde;
    return r;
}

/* 2 GT, 3 predictions TP, FP, TP: precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1. np.interp
 * gives 1 left of 0.5 (50 points), 1/2 at 0.5 (the last of equal recalls), the line from
 * (0.5, 1/2) to (1, 2/3) in between (49 points, sum 24.5 + 12.25/3) and 2/3 at 1:
 * AP = 79.75 / 101 by hand. numpy: np.mean(np.interp(np.linspace(0,1,101), [.5,.5,1.],
 * [1.,.5,2/3], right=0)) = 0.7896039603960394. The FP is a matched FP, so ADE/FDE average
 * all three: (1+5+3)/3 = 3, (2+8+1)/3 = 11/3 (np.mean: 3.6666666666666665). */
static void test_hand_ap_two_gt_three_predictions(void **state)
{
    (void)state;
    sb_fc_record r[3] = {rec(0.9, 0, 1, 1, 1.0, 2.0), rec(0.8, 5, 1, 0, 5.0, 8.0),
                         rec(0.7, 2, 1, 1, 3.0, 1.0)};
    sb_fc_cell_result out;
    sb_err err = {0};
    assert_int_equal(sb_fc_sweep(r, 3, 2, &out, &err), 0);
    assert_true(out.ap == 0.7896039603960394);
    assert_true(fabs(out.ap - 79.75 / 101) < 1e-15);
    assert_true(out.ade == 3.0);
    assert_true(out.fde == 3.6666666666666665);
    assert_int_equal(out.n_tp, 2);
    assert_int_equal(out.n_matched, 3);
}

/* An unmatched FP counts for AP but not for ADE/FDE; recall never reaching 1 gives 0 to the
 * right (np.interp right=0): TP at recall 1/3 only -> 34 points of 1 (s = 0..33) -> 34/101. */
static void test_right_of_last_recall_is_zero_and_unmatched_skip_ade(void **state)
{
    (void)state;
    sb_fc_record r[2] = {rec(0.5, 1, 1, 1, 2.0, 4.0), rec(0.5, 0, 0, 0, 0.0, 0.0)};
    sb_fc_cell_result out;
    sb_err err = {0};
    assert_int_equal(sb_fc_sweep(r, 2, 3, &out, &err), 0);
    assert_true(fabs(out.ap - 34.0 / 101) < 1e-15);
    assert_true(out.ade == 2.0 && out.fde == 4.0);
}

/* FP first: recall 0 hits the first point exactly (precision 0), then the line to (1, 1/2). */
static void test_fp_first_interpolates_from_zero_precision(void **state)
{
    (void)state;
    sb_fc_record r[2] = {rec(0.9, 0, 0, 0, 0, 0), rec(0.8, 1, 1, 1, 1.0, 1.0)};
    sb_fc_cell_result out;
    sb_err err = {0};
    assert_int_equal(sb_fc_sweep(r, 2, 1, &out, &err), 0);
    /* recall 0, 1; precision 0, 1/2: points s = 0..99 on the line 0.5*x, s = 100 -> 0.5 */
    double sum = 0;
    for (int s = 0; s <= 100; s++) sum += 0.5 * s / 100.0;
    assert_true(fabs(out.ap - sum / 101) < 1e-15);
}

static void test_no_gt_is_nan_and_no_tp_is_zero_and_50(void **state)
{
    (void)state;
    sb_fc_record r[1] = {rec(0.9, 0, 1, 0, 3.0, 4.0)};
    sb_fc_cell_result out;
    sb_err err = {0};
    assert_int_equal(sb_fc_sweep(r, 1, 0, &out, &err), 0);
    assert_true(isnan(out.ap) && isnan(out.ade) && isnan(out.fde));
    assert_int_equal(sb_fc_sweep(r, 1, 4, &out, &err), 0);
    assert_true(out.ap == 0.0 && out.ade == 50.0 && out.fde == 50.0);
    assert_int_equal(sb_fc_sweep(NULL, 0, 4, &out, &err), 0);
    assert_true(out.ap == 0.0 && out.ade == 50.0 && out.fde == 50.0);
}

static void test_ade_fde_capped_at_50(void **state)
{
    (void)state;
    sb_fc_record r[2] = {rec(0.9, 0, 1, 1, 120.0, 30.0), rec(0.8, 1, 1, 1, 20.0, 30.0)};
    sb_fc_cell_result out;
    sb_err err = {0};
    assert_int_equal(sb_fc_sweep(r, 2, 2, &out, &err), 0);
    assert_true(out.ap == 1.0);
    assert_true(out.ade == 50.0 && out.fde == 30.0);
}

static void test_unsorted_or_inconsistent_records_are_input_errors(void **state)
{
    (void)state;
    sb_fc_cell_result out;
    sb_err err = {0};
    sb_fc_record a[2] = {rec(0.5, 0, 1, 1, 0, 0), rec(0.5, 1, 1, 1, 0, 0)}; /* index ascending */
    assert_int_equal(sb_fc_sweep(a, 2, 1, &out, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "record 1"));
    sb_fc_record b[2] = {rec(0.5, 1, 1, 1, 0, 0), rec(0.5, 1, 1, 1, 0, 0)}; /* duplicate */
    assert_int_equal(sb_fc_sweep(b, 2, 1, &out, &err), SB_EINPUT);
    sb_fc_record c[1] = {rec(0.5, 1, 0, 1, 0, 0)}; /* TP without a match */
    assert_int_equal(sb_fc_sweep(c, 1, 1, &out, &err), SB_EINPUT);
    assert_int_equal(sb_fc_sweep(c, 1, -1, &out, &err), SB_EINPUT);
}

static void test_record_order(void **state)
{
    (void)state;
    sb_fc_record a = rec(0.5, 3, 0, 0, 0, 0), b = rec(0.5, 7, 0, 0, 0, 0), c = rec(0.6, 1, 0, 0, 0, 0);
    assert_true(sb_fc_record_cmp(&b, &a) < 0); /* equal score: later row first */
    assert_true(sb_fc_record_cmp(&c, &b) < 0); /* higher score first */
    assert_true(sb_fc_record_cmp(&a, &a) == 0);
    sb_fc_record z = rec(0.0, 1, 0, 0, 0, 0), nz = rec(-0.0, 2, 0, 0, 0, 0);
    assert_true(sb_fc_record_cmp(&nz, &z) < 0); /* -0 == 0 as in Python's tuple order */
}

/* np.linspace(0, 1, 7): ['0.0', '0.16666666666666666', '0.3333333333333333', '0.5',
 * '0.6666666666666666', '0.8333333333333333', '1.0'] — element 5 is not 5/6. */
static void test_forecast_scalar_is_numpy_linspace(void **state)
{
    (void)state;
    const double want[7] = {0.0, 0.16666666666666666, 0.3333333333333333, 0.5,
                            0.6666666666666666, 0.8333333333333333, 1.0};
    for (int i = 0; i <= 6; i++) assert_true(sb_fc_forecast_scalar(i) == want[i]);
    assert_true(sb_fc_forecast_scalar(5) != 5.0 / 6.0);
}

/* round(np.float64(x), 3) for x = 0.0625, 0.0015, 2.0005, 0.1235, 1/3, 49.99951, 0.0005:
 * 0.062, 0.002, 2.001, 0.124, 0.333, 50.0, 0.0 (Python's own round gives 0.123 and 0.001
 * for 0.1235 and 0.0005: numpy multiplies, rints half to even, divides). */
static void test_round3_is_numpy_round(void **state)
{
    (void)state;
    const double x[7] = {0.0625, 0.0015, 2.0005, 0.1235, 1.0 / 3, 49.99951, 0.0005};
    const double want[7] = {0.062, 0.002, 2.001, 0.124, 0.333, 50.0, 0.0};
    for (int i = 0; i < 7; i++) assert_true(sb_fc_np_round3(x[i]) == want[i]);
    assert_true(isnan(sb_fc_np_round3(NAN)));
}

/* a[i] = (-1)**i / (i+1) + 1e-3*i; np.add.reduce(a) for n = 5, 101, 1000:
 * 0.7933333333333334, 5.748073169409206, 500.1926474305599 (a left-to-right sum of the
 * n = 1000 vector gives 500.19264743056004: the pairwise order matters). */
static void test_np_sum_is_pairwise(void **state)
{
    (void)state;
    static double a[1000];
    for (int i = 0; i < 1000; i++) a[i] = (i % 2 ? -1.0 : 1.0) * 1.0 / (i + 1) + 1e-3 * i;
    assert_true(sb_fc_np_sum(a, 5) == 0.7933333333333334);
    assert_true(sb_fc_np_sum(a, 101) == 5.748073169409206);
    assert_true(sb_fc_np_sum(a, 1000) == 500.1926474305599);
    assert_true(sb_fc_np_sum(a, 0) == 0.0);
}

/* Aggregation by hand: one cell (BUS, linear) with AP 0, 51/101, 51/101, 51/101 -> mAP_F
 * round3(153/404 = 0.3787...) = 0.379; ADE/FDE from th = 2; every other cell NaN; the means
 * ignore NaN; a category with all-NaN profiles has NaN means. */
static void test_aggregate_by_hand(void **state)
{
    (void)state;
    static sb_fc_cell_result cell[SB_FC_NCELL];
    static int64_t n_gt[SB_FC_NPROF][SB_FC_NCAT], n_pred[SB_FC_NPROF][SB_FC_NCAT];
    static sb_fc_table t;
    for (int i = 0; i < SB_FC_NCELL; i++) cell[i] = (sb_fc_cell_result){NAN, NAN, NAN, 0, 0, 0, 0};
    int bus = sb_fc_category_index("BUS"), ped = sb_fc_category_index("PEDESTRIAN");
    assert_int_equal(bus, 5);
    assert_int_equal(sb_fc_category_index("NOT_A_CLASS"), -1);
    double ap[4] = {0.0, 51.0 / 101, 51.0 / 101, 51.0 / 101};
    for (int h = 0; h < 4; h++)
        cell[sb_fc_cell(bus, SB_FC_LINEAR, h)] = (sb_fc_cell_result){ap[h], 1.23449, 2.0006, 2, 1, 1, 1};
    for (int h = 0; h < 4; h++)
        cell[sb_fc_cell(ped, SB_FC_STATIC, h)] = (sb_fc_cell_result){0.0, 50.0, 50.0, 1, 0, 0, 0};
    n_gt[SB_FC_LINEAR][bus] = 2;
    n_pred[SB_FC_NONLINEAR][bus] = 4;
    sb_fc_aggregate(cell, n_gt, n_pred, &t);
    assert_true(t.map_f[SB_FC_LINEAR][bus] == 0.379);
    assert_true(t.ade[SB_FC_LINEAR][bus] == 1.234 && t.fde[SB_FC_LINEAR][bus] == 2.001);
    assert_true(t.map_f[SB_FC_STATIC][ped] == 0.0 && t.ade[SB_FC_STATIC][ped] == 50.0);
    assert_true(isnan(t.map_f[SB_FC_STATIC][bus]));
    assert_true(t.n_gt[SB_FC_LINEAR][bus] == 2 && t.n_pred[SB_FC_NONLINEAR][bus] == 4);
    assert_true(t.mean_map_f == (0.379 + 0.0) / 2);
    assert_true(t.mean_ade == (1.234 + 50.0) / 2);
    assert_true(t.profile_map_f[SB_FC_LINEAR] == 0.379 && isnan(t.profile_ade[SB_FC_NONLINEAR]));
    assert_true(t.category_fde[bus] == 2.001 && isnan(t.category_map_f[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_ap_two_gt_three_predictions),
        cmocka_unit_test(test_right_of_last_recall_is_zero_and_unmatched_skip_ade),
        cmocka_unit_test(test_fp_first_interpolates_from_zero_precision),
        cmocka_unit_test(test_no_gt_is_nan_and_no_tp_is_zero_and_50),
        cmocka_unit_test(test_ade_fde_capped_at_50),
        cmocka_unit_test(test_unsorted_or_inconsistent_records_are_input_errors),
        cmocka_unit_test(test_record_order),
        cmocka_unit_test(test_forecast_scalar_is_numpy_linspace),
        cmocka_unit_test(test_round3_is_numpy_round),
        cmocka_unit_test(test_np_sum_is_pairwise),
        cmocka_unit_test(test_aggregate_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
