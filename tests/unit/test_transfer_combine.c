/* test_transfer_combine.c — the cross-model min-max combination of NCTI and ETran
 * (specs/scorers4.md, "Cross-model combination").
 *
 * Expected values: the spec's worked combination (four models A–D of one dataset, raw a, b, c,
 * energy, lda → ncti, etran 1,1 and etran 0.15,0.85), computed there from the min-max
 * definition; 1e-9 relative here (the raw inputs are given to 10 digits, the outputs to 12).
 * Then the empty cases: a tie over S, fewer than two models in S, an undefined component, a
 * failed unit, and a zero weight that drops its component from both S and the value. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/transfer/transfer_state.h"

static const double raw[4][5] = {
    {417.2431196501, 0.1922851912, 5.0613569511, 6.8044293367, 0.3796360211},
    {431.7126855989, 0.2925475276, 5.2820894614, 6.8218824237, 0.5153188145},
    {454.3591507387, 0.4763553936, 5.3913992230, 6.7999535223, 0.6696585000},
    {424.0630781918, 0.2646637086, 5.1613246496, 5.9532690030, 0.3441042531},
};
static const double want_ncti[4] = {0, 0.073995225897, 1, 0.135644310160};
static const double want_etran11[4] = {1.089049344929, 1.525917149219, 1.974754130069, 0};
static const double want_etran_off[4] = {0.239757073454, 0.597029576836, 0.996213119510, 0};
static const char *const ncti_names[] = {"a", "b", "c", "var32", "eigen_branch", NULL};
static const char *const etran_names[] = {"energy", "lda", NULL};

static void check(const double *got, const double *want, size_t m)
{
    for (size_t i = 0; i < m; i++)
        if (!(fabs(got[i] - want[i]) <= 1e-9 * fmax(1.0, fabs(want[i]))))
            fail_msg("model %zu: got %.17g, want %.17g", i, got[i], want[i]);
}

static void free_why(char **why, size_t m)
{
    for (size_t i = 0; i < m; i++) {
        free(why[i]);
        why[i] = NULL;
    }
}

/* ncti over the four models: parts a, b, c plus var32 and branch (unused, weight 0). */
static void run_ncti(double parts[4][5], const unsigned char *ran, double *v, char **why)
{
    double w[5] = {1, 1, -1, 0, 0};
    const char *pw[4] = {NULL, NULL, NULL, "a reason of the scorer"};
    sb_combine_in in = {"ncti", "dtd", ncti_names, 5, w, 4, &parts[0][0], ran, pw};
    sb_err err = {0};
    assert_int_equal(sb_combine_minmax(&in, v, why, &err), 0);
}

static void test_worked_combination(void **state)
{
    (void)state;
    double parts[4][5], v[4], e[4][2];
    char *why[4] = {0};
    unsigned char ran[4] = {1, 1, 1, 1};
    for (size_t i = 0; i < 4; i++) {
        memcpy(parts[i], raw[i], 3 * sizeof(double));
        parts[i][3] = 1.0, parts[i][4] = 0.0; /* var32, branch: not part of the value */
        e[i][0] = raw[i][3], e[i][1] = raw[i][4];
    }
    run_ncti(parts, ran, v, why);
    check(v, want_ncti, 4);
    for (size_t i = 0; i < 4; i++)
        assert_null(why[i]);
    double w11[2] = {1, 1}, woff[2] = {0.15, 0.85};
    sb_combine_in in = {"etran", "dtd", etran_names, 2, w11, 4, &e[0][0], ran, (const char *[4]){0}};
    sb_err err = {0};
    assert_int_equal(sb_combine_minmax(&in, v, why, &err), 0);
    check(v, want_etran11, 4);
    in.w = woff;
    assert_int_equal(sb_combine_minmax(&in, v, why, &err), 0);
    check(v, want_etran_off, 4);
}

static void test_empty_cases(void **state)
{
    (void)state;
    double parts[4][5], v[4];
    char *why[4] = {0};
    unsigned char ran[4] = {1, 1, 1, 1};
    memcpy(parts, raw, sizeof parts);
    /* b tied over S (model D undefined, so S = A, B, C): every model empty, D keeps its own reason */
    parts[0][1] = parts[1][1] = parts[2][1] = 0.25;
    parts[3][0] = NAN;
    run_ncti(parts, ran, v, why);
    for (size_t i = 0; i < 4; i++)
        assert_true(isnan(v[i]));
    assert_string_equal(why[0], "ncti: component b equal for all 3 models of dataset dtd");
    assert_string_equal(why[2], why[0]);
    assert_string_equal(why[3], "ncti: component a undefined for this model (a reason of the scorer)");
    free_why(why, 4);

    /* a tie in an unused component changes nothing; a failed unit leaves three models */
    memcpy(parts, raw, sizeof parts);
    for (size_t i = 0; i < 4; i++)
        parts[i][3] = 7.0;
    run_ncti(parts, ran, v, why);
    check(v, want_ncti, 4);
    ran[2] = 0; /* C failed: A, B, D are rescaled among themselves */
    run_ncti(parts, ran, v, why);
    assert_true(isnan(v[2]));
    assert_true(isfinite(v[0]) && isfinite(v[1]) && isfinite(v[3]));
    assert_true(v[1] > 0.0 && v[1] < 2.0);

    /* one model left in S */
    ran[0] = ran[3] = 0;
    run_ncti(parts, ran, v, why);
    assert_true(isnan(v[1]));
    assert_string_equal(why[1], "ncti: 1 of 4 models of dataset dtd have the components it needs (2 needed; 3 failed)");
    free_why(why, 4);

    /* etran with weight 0 on energy: an undefined energy does not take the model out of S */
    double e[4][2];
    for (size_t i = 0; i < 4; i++)
        e[i][0] = raw[i][3], e[i][1] = raw[i][4];
    e[3][0] = NAN;
    unsigned char all[4] = {1, 1, 1, 1};
    double w[2] = {0, 1};
    sb_combine_in in = {"etran", "dtd", etran_names, 2, w, 4, &e[0][0], all, (const char *[4]){0}};
    sb_err err = {0};
    assert_int_equal(sb_combine_minmax(&in, v, why, &err), 0);
    for (size_t i = 0; i < 4; i++)
        assert_true(isfinite(v[i]));
    assert_true(v[3] == 0.0 && v[2] == 1.0);
    w[0] = 1; /* now energy is used: D is out, the others are rescaled */
    assert_int_equal(sb_combine_minmax(&in, v, why, &err), 0);
    assert_true(isnan(v[3]));
    assert_non_null(strstr(why[3], "component energy undefined"));
    free_why(why, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_combination),
        cmocka_unit_test(test_empty_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
