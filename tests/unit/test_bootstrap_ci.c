/* test_bootstrap_ci.c — the leaderboard's confidence interval is the 2.5th and 97.5th
 * percentile of the bootstrap replicates (numpy.percentile's linear method), gathered from
 * every block's journal record of one dataset and scorer; a failed record's replicates are
 * left out.
 *
 * Replicates 0/1000, 1/1000, ..., 999/1000 are spread over 10 records of 100 (the block size),
 * shuffled by a fixed stride, with another scorer's and another dataset's replicates beside
 * them. By hand: h = 999 · 0.025 = 24.975, so lo = (24 + 0.975)/1000 = 0.024975; h = 999 ·
 * 0.975 = 974.025, hi = 0.974025. A 90% interval would give 0.04995 and 0.94905, a 95% interval
 * of the wrong scorer or dataset other values: each is caught. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "tasks/judge/judge.h"

static void put_record(sb_buf *b, const char *dataset, size_t block)
{
    sb_buf_put_str(b, dataset);
    sb_buf_put_u64(b, SB_JUDGE_BOOT_BLOCK);
    sb_buf_put_u64(b, 2); /* two scorers */
    sb_buf_put_str(b, "other");
    for (size_t r = 0; r < SB_JUDGE_BOOT_BLOCK; r++)
        sb_buf_put_f64(b, -5.0); /* far outside: would move any percentile */
    sb_buf_put_str(b, "logme");
    for (size_t r = 0; r < SB_JUDGE_BOOT_BLOCK; r++) {
        size_t i = (block * SB_JUDGE_BOOT_BLOCK + r) * 337 % 1000; /* a permutation of 0..999 */
        sb_buf_put_f64(b, strcmp(dataset, "d1") ? 7.0 : (double)i / 1000.0);
    }
}

static void test_percentile_interval(void **state)
{
    (void)state;
    enum { NB = 10 };
    sb_buf bufs[NB + 1];
    sb_unit units[NB + 1];
    sb_record recs[NB + 1];
    memset(units, 0, sizeof units);
    memset(recs, 0, sizeof recs);
    for (size_t k = 0; k <= NB; k++) {
        sb_buf_init(&bufs[k]);
        put_record(&bufs[k], k < NB ? "d1" : "d2", k);
        units[k].id = k;
        units[k].key = "boot";
        units[k].arg = SB_JUDGE_ARG(SB_JU_BOOT, 0, k);
        recs[k].unit = k;
        recs[k].data = bufs[k].data;
        recs[k].len = bufs[k].len;
    }
    double lo, hi;
    size_t used;
    sb_err err;
    assert_int_equal(sb_judge_boot_ci(units, recs, NB + 1, "d1", "logme", &lo, &hi, &used, &err), 0);
    assert_int_equal(used, 1000);
    assert_true(fabs(lo - 0.024975) < 1e-15);
    assert_true(fabs(hi - 0.974025) < 1e-15);
    /* a failed record is left out */
    recs[0].failed = 1;
    assert_int_equal(sb_judge_boot_ci(units, recs, NB + 1, "d1", "logme", &lo, &hi, &used, &err), 0);
    assert_int_equal(used, 900);
    for (size_t k = 0; k <= NB; k++)
        sb_buf_free(&bufs[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentile_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
