/* test_explain_stats.c — the per-target estimates of specs/explain.md.
 *
 * 1. The spec's worked example (4 images, sigmoid head) in prob, logit and decision spaces,
 *    against the values the spec prints (12 digits).
 * 2. 60 random targets (M in {0,1,2,3,4,5,8,13,40}; continuous, tied and decision-valued Δ;
 *    both signs, three levels, thresholds) against tests/reference/explain_ref.py, numpy code
 *    written from the definitions (pair-order sums; quantiles from mpmath-checked scipy; exact
 *    rational sign test): every field to 1e-9 relative, counts, accepted, empties and reasons
 *    exactly.
 * 3. The bootstrap: deterministic per (seed, stream), other seeds differ, B = 1 and M = 1. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "explain_ref_data.h"
#include "tasks/explain/explain_stats.h"

static sb_explain_opts defaults(void)
{
    sb_explain_opts o = {.level = 0.95, .bootstrap = 0, .seed = 1, .accept_cace = 0, .accept_pns = 0,
                         .accept_sign_p = 1, .accept_boot = 0};
    return o;
}

static void close_to(double got, double want, double rel, const char *what)
{
    if (isnan(want) && isnan(got))
        return;
    double tol = rel * fmax(fabs(want), 1e-300);
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: %.17g, expected %.17g", what, got, want);
}

/* Worked example: images 1..4 with dir −1, +1, −1, +1. */
static const double ORIG[4] = {0.90, 0.30, 0.70, 0.10}, EDIT[4] = {0.20, 0.80, 0.60, 0.30};
static const signed char DIR4[4] = {-1, 1, -1, 1};

static void worked_pairs(double *fp, double *fm, unsigned char *dp, unsigned char *dm, int space)
{
    for (int i = 0; i < 4; i++) {
        double p = DIR4[i] < 0 ? ORIG[i] : EDIT[i], m = DIR4[i] < 0 ? EDIT[i] : ORIG[i];
        dp[i] = p > 0.5;
        dm[i] = m > 0.5;
        fp[i] = space == 0 ? p : space == 1 ? log(p) - log1p(-p) : dp[i];
        fm[i] = space == 0 ? m : space == 1 ? log(m) - log1p(-m) : dm[i];
    }
}

static void worked_example(void **state)
{
    (void)state;
    double fp[4], fm[4];
    unsigned char dp[4], dm[4];
    sb_explain_pairs pr = {4, fp, fm, dp, dm, DIR4};
    sb_explain_opts o = defaults();
    sb_explain_est e;
    worked_pairs(fp, fm, dp, dm, 0);
    assert_int_equal(sb_explain_estimate(&pr, 1, 0, &o, &e, NULL), 0);
    const double r = 1e-11;
    close_to(e.cace, 0.375, r, "cace");
    close_to(e.cace_add, 0.35, r, "cace_add");
    close_to(e.cace_remove, 0.40, r, "cace_remove");
    close_to(e.cace_sd, 0.275378527364, r, "cace_sd");
    close_to(e.ci_lo, -0.063188688483, r, "ci_lo");
    close_to(e.ci_hi, 0.813188688483, r, "ci_hi");
    close_to(e.p_plus, 0.75, r, "p_plus");
    close_to(e.p_minus, 0.25, r, "p_minus");
    close_to(e.pns, 0.5, r, "pns");
    close_to(e.pns_ci_lo, 0.150038989152, r, "wilson lo");
    close_to(e.pns_ci_hi, 0.849961010848, r, "wilson hi");
    assert_true(e.pns_rev == 0 && e.pns_lb == 0.5 && e.pns_ub == 0.75);
    assert_true(e.sign_n_pos == 4 && e.sign_n_neg == 0 && e.sign_p == 0.0625);
    assert_int_equal(e.accepted, 0);
    assert_true(isnan(e.boot_lo) && isnan(e.boot_hi));
    assert_int_equal(e.n_add, 2);
    assert_int_equal(e.n_remove, 2);
    assert_int_equal(e.reasons, 0);

    worked_pairs(fp, fm, dp, dm, 1);
    const double lg[4] = {3.583518938456, 2.233592221507, 0.441832752279, 1.349926716949};
    for (int i = 0; i < 4; i++)
        close_to(fp[i] - fm[i], lg[i], 1e-11, "logit delta");
    assert_int_equal(sb_explain_estimate(&pr, 1, 0, &o, &e, NULL), 0);
    close_to(e.cace, 1.902217657298, r, "logit cace");
    close_to(e.ci_lo, -0.227552444230, r, "logit ci_lo");
    close_to(e.ci_hi, 4.031987758826, r, "logit ci_hi");

    worked_pairs(fp, fm, dp, dm, 2);
    assert_int_equal(sb_explain_estimate(&pr, 1, 0, &o, &e, NULL), 0);
    assert_true(e.cace == 0.5 && e.cace == e.pns_lb && e.cace == e.p_plus - e.p_minus);
}

static void reference_cases(void **state)
{
    (void)state;
    char what[96];
    for (size_t c = 0; c < sizeof REF_CASES / sizeof REF_CASES[0]; c++) {
        const ref_case *rc = &REF_CASES[c];
        sb_explain_pairs pr = {rc->m, REF_FP + rc->off, REF_FM + rc->off, REF_DP + rc->off, REF_DM + rc->off,
                               REF_DIR + rc->off};
        sb_explain_opts o = defaults();
        o.level = rc->level;
        o.accept_cace = rc->tc;
        o.accept_pns = rc->tp;
        o.accept_sign_p = rc->pmax;
        sb_explain_est e;
        assert_int_equal(sb_explain_estimate(&pr, rc->sign, c, &o, &e, NULL), 0);
        const int64_t counts[5] = {e.n_pairs, e.n_add, e.n_remove, e.sign_n_pos, e.sign_n_neg};
        const double v[15] = {e.cace, e.cace_sd, e.ci_lo, e.ci_hi, e.cace_add, e.cace_remove, e.p_plus,
                              e.p_minus, e.pns, e.pns_ci_lo, e.pns_ci_hi, e.pns_rev, e.pns_lb, e.pns_ub,
                              e.sign_p};
        for (int k = 0; k < 5; k++)
            if (counts[k] != rc->counts[k])
                fail_msg("case %zu count %d: %lld, expected %lld", c, k, (long long)counts[k], rc->counts[k]);
        for (int k = 0; k < 15; k++) {
            snprintf(what, sizeof what, "case %zu field %d", c, k);
            if (isnan(v[k]) != isnan(rc->v[k]))
                fail_msg("%s: empty %d, expected empty %d", what, isnan(v[k]), isnan(rc->v[k]));
            /* a Δ mean of exactly cancelling terms is 0 ± rounding: compare those absolutely */
            if (fabs(rc->v[k]) < 1e-12)
                assert_true(fabs(v[k] - rc->v[k]) < 1e-12);
            else
                close_to(v[k], rc->v[k], 1e-9, what);
        }
        if (e.accepted != rc->accepted)
            fail_msg("case %zu accepted %d, expected %d", c, e.accepted, rc->accepted);
        if (e.reasons != rc->reasons)
            fail_msg("case %zu reasons %u, expected %u", c, e.reasons, rc->reasons);
    }
}

static void bootstrap(void **state)
{
    (void)state;
    double fp[4], fm[4];
    unsigned char dp[4], dm[4];
    worked_pairs(fp, fm, dp, dm, 0);
    sb_explain_pairs pr = {4, fp, fm, dp, dm, DIR4};
    sb_explain_opts o = defaults();
    o.bootstrap = 2000;
    sb_explain_est a, b, c;
    assert_int_equal(sb_explain_estimate(&pr, 1, 7, &o, &a, NULL), 0);
    assert_int_equal(sb_explain_estimate(&pr, 1, 7, &o, &b, NULL), 0);
    assert_true(a.boot_lo == b.boot_lo && a.boot_hi == b.boot_hi);
    /* resample means lie between the smallest and largest Δ (0.1, 0.7) */
    assert_true(a.boot_lo >= 0.1 && a.boot_lo < a.cace && a.boot_hi > a.cace && a.boot_hi <= 0.7);
    /* another stream gives other resamples (40 continuous pairs: the quantiles move) */
    const ref_case *big = &REF_CASES[9];
    assert_int_equal(big->m, 40);
    sb_explain_pairs p40 = {big->m, REF_FP + big->off, REF_FM + big->off, REF_DP + big->off,
                            REF_DM + big->off, REF_DIR + big->off};
    assert_int_equal(sb_explain_estimate(&p40, 1, 7, &o, &a, NULL), 0);
    assert_int_equal(sb_explain_estimate(&p40, 1, 8, &o, &c, NULL), 0);
    assert_true(c.boot_lo != a.boot_lo && c.boot_hi != a.boot_hi);
    /* and the percentile interval is close to the t one for 40 pairs */
    assert_true(fabs(a.boot_lo - a.ci_lo) < 0.2 * (a.ci_hi - a.ci_lo));
    worked_pairs(fp, fm, dp, dm, 0);
    /* acceptance on the bootstrap interval: lo > 0 here, pns 0.5 */
    o.accept_boot = 1;
    assert_int_equal(sb_explain_estimate(&pr, 1, 7, &o, &c, NULL), 0);
    assert_int_equal(c.accepted, 1);
    pr.m = 1;
    assert_int_equal(sb_explain_estimate(&pr, 1, 7, &o, &c, NULL), 0);
    assert_true(c.boot_lo == fp[0] - fm[0] && c.boot_hi == c.boot_lo && c.accepted == -1);
    assert_true(c.reasons == (SB_EX_ONE_PAIR | SB_EX_NO_ADD) && isnan(c.ci_lo) && isnan(c.cace_sd));
}

static void reasons(void **state)
{
    (void)state;
    char t[200];
    sb_explain_reason_text(SB_EX_NO_PAIR, t, sizeof t);
    assert_string_equal(t, "no valid pair");
    sb_explain_reason_text(SB_EX_ONE_PAIR | SB_EX_NO_REMOVE | SB_EX_ALL_ZERO, t, sizeof t);
    assert_string_equal(t, "fewer than 2 pairs; no remove pair; all differences zero");
    sb_explain_reason_text(0, t, sizeof t);
    assert_string_equal(t, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worked_example),
        cmocka_unit_test(reference_cases),
        cmocka_unit_test(bootstrap),
        cmocka_unit_test(reasons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
