/* test_pose_occlusion.c — occluded vs visible error (sb_pose_occ_*) and pose_occlusion.csv's
 * grouping (sb_pose_occ_table). Expected numbers: tests/reference/pose_occlusion_ref.py (numpy
 * from specs/pose.md), on the data built by make_data below, to 1e-12 relative. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "tasks/pose/pose_occlusion.h"

enum { F = 3, J = 4 };
static double gt[F * J * 3], pred[F * J * 3];
static int64_t mask[F * J], all_occ[F * J], none_occ[F * J];

/* {mpjpe_occ, mpjpe_vis, occ_rate}: root_relative 0, 1, and the group of this sequence with an
 * all-occluded copy */
static const double REF[3][3] = {
    /* root_relative = 0 */ {5.619135334660184, 6.073024540277417, 0.3333333333333333},
    /* root_relative = 1 */ {4.195487396109063, 5.524693123565266, 0.3333333333333333},
    /* group */ {5.846079937468801, 6.073024540277417, 0.6666666666666666},
};

static void make_data(void)
{
    for (int f = 0; f < F; f++)
        for (int j = 0; j < J; j++) {
            for (int a = 0; a < 3; a++) {
                int i = (f * J + j) * 3 + a;
                gt[i] = 10.0 * f + 3.0 * j + a;
                pred[i] = gt[i] + 5 * sin(1.3 * f + 0.7 * j + 0.4 * a + 0.2);
            }
            mask[f * J + j] = (f + 2 * j) % 3 == 0;
            all_occ[f * J + j] = 1;
            none_occ[f * J + j] = 0;
        }
}

static void near(double got, double want)
{
    if (!(fabs(got - want) <= 1e-12 * fabs(want)))
        fail_msg("got %.17g, want %.17g", got, want);
}

static sb_pose_seq seq_of(int with_pred)
{
    sb_pose_seq q;
    memset(&q, 0, sizeof q);
    q.frames = F;
    q.joints = J;
    q.gt = gt;
    q.pred = with_pred ? pred : NULL;
    return q;
}

static void test_values_against_numpy(void **st)
{
    (void)st;
    sb_pose_seq q = seq_of(1);
    for (int rr = 0; rr < 2; rr++) {
        sb_pose_occ o;
        double v[3];
        char why[64];
        sb_pose_occ_eval(&q, mask, rr, &o);
        sb_pose_occ_values(&o, v, why, sizeof why);
        for (int k = 0; k < 3; k++)
            near(v[k], REF[rr][k]);
        assert_string_equal(why, "");
        assert_true(o.n_occ == 4 && o.n_vis == 8);
    }
}

static void test_empty_cases_have_reasons(void **st)
{
    (void)st;
    sb_pose_seq q = seq_of(1);
    sb_pose_occ o;
    double v[3];
    char why[64];
    sb_pose_occ_eval(&q, none_occ, 0, &o);
    sb_pose_occ_values(&o, v, why, sizeof why);
    assert_true(isnan(v[0]) && !isnan(v[1]) && v[2] == 0.0);
    assert_string_equal(why, "no occluded entry");
    sb_pose_occ_eval(&q, all_occ, 0, &o);
    sb_pose_occ_values(&o, v, why, sizeof why);
    assert_true(!isnan(v[0]) && isnan(v[1]) && v[2] == 1.0);
    assert_string_equal(why, "no visible entry");
    q = seq_of(0); /* hypotheses only: the rate is known, the errors are not */
    sb_pose_occ_eval(&q, mask, 0, &o);
    sb_pose_occ_values(&o, v, why, sizeof why);
    assert_true(isnan(v[0]) && isnan(v[1]));
    near(v[2], 1.0 / 3.0);
    assert_string_equal(why, "no pred");
    memset(&o, 0, sizeof o);
    sb_pose_occ_values(&o, v, why, sizeof why);
    assert_true(isnan(v[0]) && isnan(v[1]) && isnan(v[2]));
    assert_string_equal(why, "no occluded mask");
}

static void test_first_bad(void **st)
{
    (void)st;
    int64_t m[5] = {0, 1, 1, 2, -1};
    assert_int_equal(sb_pose_occ_first_bad(m, 5), 3);
    assert_int_equal(sb_pose_occ_first_bad(m, 3), 3);
    m[3] = 0;
    assert_int_equal(sb_pose_occ_first_bad(m, 5), 4);
}

static const char *cell_str(const sb_table *t, size_t r, const char *col)
{
    sb_cell *c = sb_table_cell(t, r, (size_t)sb_table_col(t, col));
    return c->kind == SB_CELL_STR ? c->str : "";
}

static double cell_num(const sb_table *t, size_t r, const char *col)
{
    sb_cell *c = sb_table_cell(t, r, (size_t)sb_table_col(t, col));
    return c->kind == SB_CELL_NUM ? c->num : c->kind == SB_CELL_INT ? (double)c->i : NAN;
}

static void test_table_groups(void **st)
{
    (void)st;
    sb_pose_seq q = seq_of(1);
    sb_pose_occ_seq s[4];
    memset(s, 0, sizeof s);
    /* given out of order: random/random twice, an unnamed one, a named one without mask */
    s[0] = (sb_pose_occ_seq){.pattern = "random", .train = "random", .has_mask = 1, .frames = 3,
                             .mpjpe = {10, 3}, .p_mpjpe = {4, 3}, .pck = {0.5, 3}};
    sb_pose_occ_eval(&q, mask, 0, &s[0].occ);
    s[1] = (sb_pose_occ_seq){.pattern = NULL, .train = NULL, .has_mask = 1, .frames = 3,
                             .mpjpe = {7, 3}, .p_mpjpe = {2, 3}, .pck = {1, 3}};
    sb_pose_occ_eval(&q, none_occ, 0, &s[1].occ);
    s[2] = (sb_pose_occ_seq){.pattern = "random", .train = "random", .has_mask = 1, .frames = 6,
                             .mpjpe = {20, 6}, .p_mpjpe = {NAN, 0}, .pck = {1, 6}};
    sb_pose_occ_eval(&q, all_occ, 0, &s[2].occ);
    s[3] = (sb_pose_occ_seq){.pattern = "legs", .train = "random", .has_mask = 0, .frames = 5,
                             .mpjpe = {30, 5}, .p_mpjpe = {3, 5}, .pck = {0, 5}};
    sb_tables out = {0};
    sb_err err;
    assert_int_equal(sb_pose_occ_table(s, 4, &out, &err), 0);
    assert_int_equal(out.n, 1);
    const sb_table *t = &out.t[0];
    assert_string_equal(t->name, "pose_occlusion");
    assert_int_equal(t->nrows, 3);
    const char *pat[3] = {"legs", "random", "unnamed"}, *tr[3] = {"random", "random", "unnamed"};
    const double matched[3] = {0, 1, 0}, nseq[3] = {1, 2, 1}, frames[3] = {5, 9, 3};
    const char *why[3] = {"no occluded mask", "", "no occluded entry"};
    for (size_t r = 0; r < 3; r++) {
        assert_string_equal(cell_str(t, r, "pattern"), pat[r]);
        assert_string_equal(cell_str(t, r, "train_pattern"), tr[r]);
        assert_true(cell_num(t, r, "matched") == matched[r]);
        assert_true(cell_num(t, r, "sequences") == nseq[r]);
        assert_true(cell_num(t, r, "frames") == frames[r]);
        assert_string_equal(cell_str(t, r, "reason"), why[r]);
    }
    /* random/random: entry-weighted occlusion values, frame-weighted mpjpe/pck; p_mpjpe only
     * over the sequence that has it */
    near(cell_num(t, 1, "mpjpe_occ"), REF[2][0]);
    near(cell_num(t, 1, "mpjpe_vis"), REF[2][1]);
    near(cell_num(t, 1, "occ_rate"), REF[2][2]);
    near(cell_num(t, 1, "mpjpe"), (10.0 * 3 + 20.0 * 6) / 9);
    near(cell_num(t, 1, "pck"), (0.5 * 3 + 1.0 * 6) / 9);
    near(cell_num(t, 1, "p_mpjpe"), 4);
    assert_true(isnan(cell_num(t, 0, "occ_rate")) && isnan(cell_num(t, 0, "mpjpe_occ")));
    near(cell_num(t, 0, "mpjpe"), 30);
    assert_true(isnan(cell_num(t, 2, "mpjpe_occ")) && cell_num(t, 2, "occ_rate") == 0.0);
    sb_tables_free(&out);
}

int main(void)
{
    make_data();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_against_numpy),
        cmocka_unit_test(test_empty_cases_have_reasons),
        cmocka_unit_test(test_first_bad),
        cmocka_unit_test(test_table_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
