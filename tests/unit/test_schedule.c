/* test_schedule.c — the order units are handed out in, shard selection, and batch sizes
 * (engine/schedule.h). Expected values are worked out by hand in each test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/schedule.h"

static void plan_of(sb_units *us, const double *cost, size_t n)
{
    memset(us, 0, sizeof *us);
    sb_err err;
    char key[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "u%zu", i);
        assert_int_equal(sb_units_add(us, key, cost[i], (int64_t)i, &err), 0);
    }
}

/* Largest cost first; equal costs keep plan order (a stable order: shards and resumes of one
 * plan must agree on it). */
static void test_cost_order(void **state)
{
    (void)state;
    const double cost[] = {1, 5, 2, 5, 1, 9, 2};
    sb_units us;
    plan_of(&us, cost, 7);
    uint64_t *ord = sb_cost_order(us.u, us.n);
    const uint64_t want[] = {5, 1, 3, 2, 6, 0, 4};
    for (int i = 0; i < 7; i++)
        assert_int_equal(ord[i], want[i]);
    free(ord);
    sb_units_free(&us);
}

/* Shard 2 of 3 (0-based 1) takes positions 1, 4 of the cost order; done units are skipped
 * but still counted in the shard. */
static void test_shard_and_done(void **state)
{
    (void)state;
    const double cost[] = {1, 5, 2, 5, 1, 9, 2};
    sb_units us;
    plan_of(&us, cost, 7);
    sb_sched s;
    sb_err err;
    size_t in = 0;
    assert_int_equal(sb_sched_init(&s, us.u, us.n, NULL, 1, 3, 2, &in, &err), 0);
    assert_int_equal(in, 2);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.todo[0], 1); /* position 1 */
    assert_int_equal(s.todo[1], 6); /* position 4 */
    for (int i = 0; i < 7; i++)
        assert_int_equal(s.mine[i], i == 1 || i == 6);
    sb_sched_free(&s);
    unsigned char done[7] = {0, 1, 0, 0, 0, 0, 0};
    assert_int_equal(sb_sched_init(&s, us.u, us.n, done, 1, 3, 2, &in, &err), 0);
    assert_int_equal(in, 2);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.todo[0], 6);
    sb_sched_free(&s);
    sb_units_free(&us);
}

/* 100 units of cost 1 on 2 workers: a batch is at most (cost left) / 4 but at least one
 * unit: 25, then 18 (75/4 = 18.75), 14 (57/4), 10, 8, 6, 4, 3, 3, 2, 1, ... every unit
 * exactly once. */
static void test_guided_batches(void **state)
{
    (void)state;
    double cost[100];
    for (int i = 0; i < 100; i++)
        cost[i] = 1;
    sb_units us;
    plan_of(&us, cost, 100);
    sb_sched s;
    sb_err err;
    assert_int_equal(sb_sched_init(&s, us.u, us.n, NULL, 0, 1, 2, NULL, &err), 0);
    const size_t want[] = {25, 18, 14, 10, 8, 6, 4, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1};
    size_t first, k, total = 0, i = 0, expect_first = 0;
    while ((k = sb_sched_take(&s, &first)) > 0) {
        if (i < sizeof want / sizeof want[0])
            assert_int_equal(k, want[i]);
        assert_int_equal(first, expect_first);
        expect_first += k;
        total += k;
        i++;
    }
    assert_int_equal(total, 100);
    sb_sched_free(&s);
    sb_units_free(&us);
}

/* A unit costlier than the target goes alone; batch caps in units and bytes hold. */
static void test_big_unit_alone_and_caps(void **state)
{
    (void)state;
    double cost[50];
    cost[0] = 1000;
    for (int i = 1; i < 50; i++)
        cost[i] = 1;
    sb_units us;
    plan_of(&us, cost, 50);
    sb_sched s;
    sb_err err;
    assert_int_equal(sb_sched_init(&s, us.u, us.n, NULL, 0, 1, 1, NULL, &err), 0);
    size_t first;
    assert_int_equal(sb_sched_take(&s, &first), 1);
    assert_int_equal(s.todo[first], 0);
    s.max_batch = 3;
    assert_int_equal(sb_sched_take(&s, &first), 3);
    s.max_batch = 100;
    s.max_bytes = 2 * (48 + 3); /* names "uNN": two units' worth */
    assert_int_equal(sb_sched_take(&s, &first), 2);
    sb_sched_free(&s);
    sb_units_free(&us);
}

/* Names of any length survive, and keep their address while more units are added. */
static void test_long_names_stay(void **state)
{
    (void)state;
    sb_units us = {0};
    sb_err err;
    static char big[5000];
    memset(big, 'x', sizeof big - 1);
    assert_int_equal(sb_units_add(&us, big, 1, 0, &err), 0);
    const char *k0 = us.u[0].key;
    for (int i = 0; i < 300000; i++)
        assert_int_equal(sb_units_add(&us, "a-name-of-some-length", 1, i, &err), 0);
    assert_ptr_equal(us.u[0].key, k0);
    assert_int_equal(strlen(us.u[0].key), sizeof big - 1);
    sb_units other = {0};
    assert_int_equal(sb_units_add(&other, "moved", 2, 7, &err), 0);
    assert_int_equal(sb_units_move(&us, &other, 3, &err), 0);
    assert_string_equal(us.u[us.n - 1].key, "moved");
    assert_int_equal(us.u[us.n - 1].id, us.n - 1);
    assert_int_equal(us.u[us.n - 1].task, 3);
    assert_string_equal(us.u[0].key, big);
    sb_units_free(&us);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cost_order),
        cmocka_unit_test(test_shard_and_done),
        cmocka_unit_test(test_guided_batches),
        cmocka_unit_test(test_big_unit_alone_and_caps),
        cmocka_unit_test(test_long_names_stay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
