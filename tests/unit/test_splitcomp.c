/* test_splitcomp.c — the worked examples of specs/splitcomp.md by hand, and the pieces
 * (link integral, controller, oracle, Pareto front, areas, converters) on cases small enough
 * to work out on paper. The whole replay is checked cell by cell against an independent numpy
 * implementation in tests/cli/test_splitcomp_ref.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tasks/splitcomp/sc_convert.h"
#include "tasks/splitcomp/sc_link.h"
#include "tasks/splitcomp/sc_replay.h"
#include "tasks/splitcomp/sc_static.h"

static int near(double a, double b) { return fabs(a - b) <= 1e-12 * fmax(1, fabs(b)); }
#define NEAR(a, b) assert_true(near((a), (b)))

/* The spec's link: 1.0, 0.5, 2.0 Mb/s on 1-s slots. */
static double ex_t[] = {0, 1, 2}, ex_bps[] = {1e6, 0.5e6, 2e6};
static sc_trace ex_trace = {"ex", 3, ex_t, ex_bps, 3, 3.5e6};

static void test_link_worked_example(void **state)
{
    (void)state;
    /* 100 000 B at 0.6 s: 400 kbit by 1 s, the other 400 kbit take 0.8 s at 0.5 Mb/s. */
    NEAR(sc_tx_time(&ex_trace, SC_END_LOOP, 0.6, 800000), 1.2);
    /* 50 000 B entering at 1.8 s: 100 kbit by 2 s, 300 kbit more take 0.15 s at 2 Mb/s. */
    NEAR(sc_tx_time(&ex_trace, SC_END_LOOP, 1.8, 400000), 0.35);
    /* Past the end: loop starts again at 1 Mb/s at 3 s, hold keeps 2 Mb/s. */
    NEAR(sc_tx_time(&ex_trace, SC_END_LOOP, 2.5, 2e6), 1.5);  /* 1 Mbit by 3 s, 1 Mbit in [3, 4) */
    NEAR(sc_tx_time(&ex_trace, SC_END_HOLD, 2.5, 2e6), 1.0);
    NEAR(sc_tx_time(&ex_trace, SC_END_HOLD, 10, 1e6), 0.5);
    NEAR(sc_tx_time(&ex_trace, SC_END_LOOP, 10, 1e6), 1.25); /* 10 = 3·3 + 1: 0.5 Mbit in 1 s, 0.5 at 2 Mb/s */
}

static void test_link_zero_segments(void **state)
{
    (void)state;
    double t[] = {0, 1}, on_off[] = {1e6, 0}, off_on[] = {0, 1e6};
    sc_trace a = {"a", 2, t, on_off, 2, 1e6}, b = {"b", 2, t, off_on, 2, 1e6};
    /* 3 Mbit over 1 s on / 1 s off: [0,1), [2,3), [4,5). */
    NEAR(sc_tx_time(&a, SC_END_LOOP, 0, 3e6), 5);
    /* Exactly a whole slot's bits end at the slot's end, not after the dead time. */
    NEAR(sc_tx_time(&a, SC_END_LOOP, 0, 1e6), 1);
    /* Entering in a dead slot waits for the next live one. */
    NEAR(sc_tx_time(&a, SC_END_LOOP, 1.5, 0.5e6), 1.0);
    /* Many whole passes at once: 1000 passes of 1 Mbit, the last ending 1 s into its pass. */
    NEAR(sc_tx_time(&a, SC_END_LOOP, 0, 1e9), 1999);
    /* Hold: 0 until 1 s, 1 Mb/s after, for ever. */
    NEAR(sc_tx_time(&b, SC_END_HOLD, 0, 3e6), 4);
    NEAR(sc_tx_time(&b, SC_END_LOOP, 0, 3e6), 6);
}

/* One configuration, three samples: the spec's two frames after a 1-byte warm-up frame. */
static void test_replay_worked_example(void **state)
{
    (void)state;
    double value[] = {1, 1, 1}, payload[] = {1, 100000, 50000}, t_enc[] = {0, 0.1, 0}, t_srv[] = {0, 0.05, 0};
    char *names[] = {"k"}, *models[] = {"m"};
    sc_data d = {.M = 1, .N = 3, .name = names, .model = models, .value = value, .payload = payload,
                 .t_enc = t_enc, .t_srv = t_srv};
    sc_stats st;
    assert_int_equal(sc_stats_compute(&d, &st, NULL), 0);
    sc_policy pol = {SC_POL_STATIC, 0};
    sc_replay_opts o = {.fps = 2, .seconds = 1.5, .deadline = 1.0, .trace_end = SC_END_LOOP, .warmup = 1};
    size_t order[] = {0, 1, 2}, cfg[3];
    double lat[3];
    sc_trail trail = {cfg, lat};
    sc_run run;
    assert_int_equal(sc_replay(&d, &st, &ex_trace, &pol, &o, order, &run, &trail, NULL), 0);
    NEAR(lat[0], 8 / 1e6);
    NEAR(lat[1], 1.35);         /* captured 0.5, sent 0.6 to 1.8, + 0.05 server */
    NEAR(lat[2], 2.15 - 1.0);   /* ready at 1.0, waits for the link to 1.8, done 2.15 */
    assert_int_equal(run.frames, 2);
    NEAR(run.miss_rate, 1);     /* both over D = 1 s */
    NEAR(run.accuracy, 1);
    NEAR(run.timely_accuracy, 0);
    NEAR(run.latency_mean, (1.35 + 1.15) / 2);
    NEAR(run.latency_p50, 1.25);
    NEAR(run.latency_p95, 1.15 + 0.95 * 0.2);
    NEAR(run.mean_bytes, 75000);
    o.deadline = 1.2; /* 1.15 meets it, 1.35 does not */
    assert_int_equal(sc_replay(&d, &st, &ex_trace, &pol, &o, order, &run, NULL, NULL), 0);
    NEAR(run.miss_rate, 0.5);
    NEAR(run.timely_accuracy, 0.5);
    o.warmup = 3;
    assert_int_not_equal(sc_replay(&d, &st, &ex_trace, &pol, &o, order, &run, NULL, NULL), 0);
    sc_stats_free(&st);
}

/* Assine et al.'s 16 modes with the spec's estimates. */
static void assine_stats(sc_stats *st, double *acc, double *te, double *by, double *srv)
{
    static const double map[16] = {14.5, 27.7, 32.0, 34.3, 16.5, 29.4, 34.1, 36.1,
                                   16.4, 29.4, 34.2, 36.4, 16.6, 29.7, 34.6, 36.8};
    for (int k = 0; k < 16; k++) {
        int e = k / 4 + 1, b = k % 4 + 1;
        acc[k] = map[k];
        te[k] = 0.006 * (10 * e + b);
        by[k] = 6912.0 * b;
        srv[k] = 0;
    }
    memset(st, 0, sizeof *st);
    st->M = 16;
    st->acc = acc;
    st->t_enc_hat = te;
    st->bytes_hat = by;
    st->mean_t_srv = srv;
    st->fallback = 0;
}

static void test_controller_worked_example(void **state)
{
    (void)state;
    double acc[16], te[16], by[16], srv[16];
    sc_stats st;
    assine_stats(&st, acc, te, by, srv);
    const double bhat[4] = {50, 100, 150, 200};
    const char *want03[4] = {"11", "12", "13", "14"}, *want06[4] = {"22", "24", "44", "44"};
    for (int i = 0; i < 4; i++) {
        char got[48];
        size_t k = sc_ewma_pick(&st, bhat[i], 0.3, 0);
        snprintf(got, sizeof got, "%zu%zu", k / 4 + 1, k % 4 + 1);
        assert_string_equal(got, want03[i]);
        k = sc_ewma_pick(&st, bhat[i], 0.6, 0);
        snprintf(got, sizeof got, "%zu%zu", k / 4 + 1, k % 4 + 1);
        assert_string_equal(got, want06[i]);
    }
    /* Nothing fits: the fallback. ewma-srv adds server time: 0.1 s each pushes 14 out at 200 kB/s,
     * D = 0.3 (0.084 + 0.138 + 0.1 > 0.24) but keeps 12 (0.072 + 0.069 + 0.1 = 0.241: out too) → 11. */
    assert_int_equal(sc_ewma_pick(&st, 1, 0.3, 0), 0);
    for (int k = 0; k < 16; k++)
        srv[k] = 0.1;
    assert_int_equal(sc_ewma_pick(&st, 200, 0.3, 1), 0);
    assert_int_equal(sc_ewma_pick(&st, 200, 0.3, 0), 3);
    /* EWMA from 200 with 150, 120, 90. */
    double b = SC_EWMA_START;
    b = sc_ewma_update(b, 150);
    NEAR(b, 180);
    b = sc_ewma_update(b, 120);
    NEAR(b, 156);
    b = sc_ewma_update(b, 90);
    NEAR(b, 129.6);
}

/* Oracle: two configurations on a 1 Mb/s link; the accurate one is big. */
static void test_oracle_by_hand(void **state)
{
    (void)state;
    double t[] = {0}, bps[] = {1e6};
    sc_trace tr = {"flat", 1, t, bps, 10, 1e7};
    /* config 0: 10 kB (0.08 s), correct 0/1; config 1: 100 kB (0.8 s), correct 1/1 */
    double value[] = {0, 1, 1, 1}, payload[] = {10000, 10000, 100000, 100000}, zero[4] = {0};
    char *names[] = {"small", "big"}, *models[] = {"m", "m"};
    sc_data d = {.M = 2, .N = 2, .name = names, .model = models, .value = value, .payload = payload,
                 .t_enc = zero, .t_srv = zero};
    sc_stats st;
    assert_int_equal(sc_stats_compute(&d, &st, NULL), 0);
    sc_policy pol = {SC_POL_ORACLE, 0};
    size_t order[] = {0, 1}, cfg[4];
    double lat[4];
    sc_trail trail = {cfg, lat};
    sc_run run;
    /* D = 1: big fits every frame (0.8 s < 1 s period). */
    sc_replay_opts o = {.fps = 1, .seconds = 4, .deadline = 1.0};
    assert_int_equal(sc_replay(&d, &st, &tr, &pol, &o, order, &run, &trail, NULL), 0);
    for (int n = 0; n < 4; n++)
        assert_int_equal(cfg[n], 1);
    /* D = 0.5: big never fits, small does: accuracy 0.5 (sample 0 wrong, 1 right). */
    o.deadline = 0.5;
    assert_int_equal(sc_replay(&d, &st, &tr, &pol, &o, order, &run, &trail, NULL), 0);
    for (int n = 0; n < 4; n++)
        assert_int_equal(cfg[n], 0);
    NEAR(run.accuracy, 0.5);
    NEAR(run.miss_rate, 0);
    assert_int_equal(run.switches, 0);
    /* D = 0.01: nothing fits, the quickest (small) is taken. */
    o.deadline = 0.01;
    assert_int_equal(sc_replay(&d, &st, &tr, &pol, &o, order, &run, &trail, NULL), 0);
    assert_int_equal(cfg[3], 0);
    NEAR(run.miss_rate, 1);
    sc_stats_free(&st);
}

static void test_pareto_and_areas(void **state)
{
    (void)state;
    double bytes[] = {100, 200, 200, 400, 300}, acc[] = {0.5, 0.6, 0.7, 0.65, 0.8};
    size_t idx[] = {0, 1, 2, 3, 4};
    int front[5];
    assert_int_equal(sc_pareto(acc, bytes, idx, 5, front, NULL), 0);
    int want[] = {1, 0, 1, 0, 1};
    for (int i = 0; i < 5; i++)
        assert_int_equal(front[i], want[i]);
    /* A tie in accuracy is not an improvement; equal bytes: the more accurate comes first. */
    double b2[] = {100, 100, 300}, a2[] = {0.5, 0.5, 0.5};
    int f2[3];
    assert_int_equal(sc_pareto(a2, b2, idx, 3, f2, NULL), 0);
    assert_int_equal(f2[0] + f2[1] + f2[2], 1);
    assert_int_equal(f2[0], 1);
    double x[] = {log(100), log(200), log(300)}, y[] = {0.5, 0.7, 0.8};
    NEAR(sc_auc_log_bytes(x, y, 3), (log(2) * 0.6 + log(1.5) * 0.75) / log(3));
    assert_true(isnan(sc_auc_log_bytes(x, y, 1)));
    /* [50, 600]: 0 left of 100, the curve, 0.8 right of 300. */
    NEAR(sc_auc_range(x, y, 3, log(50), log(600)), (log(2) * 0.6 + log(1.5) * 0.75 + log(2) * 0.8) / log(12));
    /* Inside one piece: [150, 250] on the line from (ln100, .5) to (ln200, .7) and on. */
    double lo = log(150), hi = log(250), ya = 0.5 + 0.2 * (lo - x[0]) / (x[1] - x[0]);
    double yb = 0.7 + 0.1 * (hi - x[1]) / (x[2] - x[1]);
    NEAR(sc_auc_range(x, y, 3, lo, hi), ((x[1] - lo) * (ya + 0.7) / 2 + (hi - x[1]) * (0.7 + yb) / 2) / (hi - lo));
}

static void test_sample_order(void **state)
{
    (void)state;
    size_t a[50], b[50], seen[50] = {0};
    sc_sample_order(50, 1, 7, 0, a);
    sc_sample_order(50, 1, 7, 0, b);
    assert_memory_equal(a, b, sizeof a);
    for (int i = 0; i < 50; i++)
        seen[a[i]]++;
    for (int i = 0; i < 50; i++)
        assert_int_equal(seen[i], 1);
    sc_sample_order(50, 1, 7, 1, b);
    assert_memory_not_equal(a, b, sizeof a);
    sc_sample_order(50, 0, 7, 1, b);
    for (int i = 0; i < 50; i++)
        assert_int_equal(b[i], i);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_mahimahi(void **state)
{
    (void)state;
    char path[] = "/tmp/sc_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    /* Period 250 ms, 100-ms bins [0,100), [100,200), [200,250): the opportunity at 250 is the
     * next period's first, in bin 0. */
    write_file(path, "0\n3\n3\n150\n250\n250\n250\n");
    sc_trace_arrays a;
    assert_int_equal(sc_mahimahi_read(path, 100, 1500, &a, NULL), 0);
    assert_int_equal(a.L, 3);
    NEAR(a.dur, 0.25);
    NEAR(a.t[1], 0.1);
    NEAR(a.bps[0], 8 * 1500 * 6 / 0.1);
    NEAR(a.bps[1], 8 * 1500 * 1 / 0.1);
    NEAR(a.bps[2], 0);
    sc_trace_arrays_free(&a);
    /* The last bin is shorter: 230 ms in 100-ms bins, one opportunity in [200, 230). */
    write_file(path, "10\n210\n230\n");
    assert_int_equal(sc_mahimahi_read(path, 100, 1000, &a, NULL), 0);
    NEAR(a.bps[2], 8 * 1000 * 1 / 0.03);
    NEAR(a.bps[0], 8 * 1000 * 2 / 0.1); /* 10 and 230 mod 230 = 0 */
    sc_trace_arrays_free(&a);
    sb_err err;
    write_file(path, "5\n3\n");
    assert_int_equal(sc_mahimahi_read(path, 100, 1500, &a, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "line 2"));
    write_file(path, "0\n0\n");
    assert_int_equal(sc_mahimahi_read(path, 100, 1500, &a, &err), SB_EINPUT);
    write_file(path, "1\n2.5\n");
    assert_int_equal(sc_mahimahi_read(path, 100, 1500, &a, &err), SB_EINPUT);
    unlink(path);
}

static void test_rate_csv(void **state)
{
    (void)state;
    char path[] = "/tmp/sc_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, "time,kbps\n10,100\n10.5,200\n12,0\n");
    sc_trace_arrays a;
    assert_int_equal(sc_rate_csv_read(path, 1e3, &a, NULL), 0);
    assert_int_equal(a.L, 3);
    NEAR(a.t[1], 0.5);
    NEAR(a.t[2], 2);
    NEAR(a.bps[1], 200000);
    NEAR(a.dur, 3.5); /* the last row holds for the interval before it, 1.5 s */
    sc_trace_arrays_free(&a);
    write_file(path, "0 1.5\n\n2\t3\n");
    assert_int_equal(sc_rate_csv_read(path, 1e6, &a, NULL), 0);
    NEAR(a.bps[1], 3e6);
    NEAR(a.dur, 4);
    sc_trace_arrays_free(&a);
    sb_err err;
    write_file(path, "t,r\n0,1\n");
    assert_int_equal(sc_rate_csv_read(path, 1e3, &a, &err), SB_EINPUT);
    write_file(path, "0,1\n1,2\n1,3\n");
    assert_int_equal(sc_rate_csv_read(path, 1e3, &a, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "line 3"));
    write_file(path, "0,1\n1,-2\n");
    assert_int_equal(sc_rate_csv_read(path, 1e3, &a, &err), SB_EINPUT);
    write_file(path, "t,r\nx,y\n0,1\n");
    assert_int_equal(sc_rate_csv_read(path, 1e3, &a, &err), SB_EINPUT);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_worked_example), cmocka_unit_test(test_link_zero_segments),
        cmocka_unit_test(test_replay_worked_example), cmocka_unit_test(test_controller_worked_example),
        cmocka_unit_test(test_oracle_by_hand), cmocka_unit_test(test_pareto_and_areas),
        cmocka_unit_test(test_sample_order), cmocka_unit_test(test_mahimahi), cmocka_unit_test(test_rate_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
