/* test_options.c — integer parsing of options and command-line numbers (src/engine/options.c):
 * whole strings only, no overflow, no silent clamping; every integer option of every task and
 * generator has a range that holds its default. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "engine/options.h"
#include "tasks/registry.h"

static void test_parse_int(void **state)
{
    (void)state;
    long long v;
    sb_err err = {0};
    assert_int_equal(sb_parse_int("--n", "12", 0, 100, &v, &err), 0);
    assert_int_equal(v, 12);
    assert_int_equal(sb_parse_int("--n", "-5", -10, 100, &v, &err), 0);
    assert_int_equal(v, -5);
    assert_int_equal(sb_parse_int("--n", "9223372036854775807", 0, INT64_MAX, &v, &err), 0);
    assert_true(v == INT64_MAX);
    const char *bad[] = {"", " 1", "1 ", "+1", "0x10", "1e3", "1.0", "-", "--1", "9223372036854775808",
                         "-9223372036854775809", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 77;
        if (!sb_parse_int("--n", bad[i], INT64_MIN, INT64_MAX, &v, &err))
            fail_msg("'%s' was accepted", bad[i]);
        assert_int_equal(v, 77); /* untouched on failure */
    }
    assert_int_equal(sb_parse_int("--rows", "-1", 0, 100, &v, &err), SB_EUSAGE);
    assert_string_equal(err.msg, "--rows must be an integer from 0 to 100, not '-1'");
    assert_int_equal(sb_parse_int("--n", "101", 0, 100, &v, &err), SB_EUSAGE);
}

static void test_parse_u64(void **state)
{
    (void)state;
    uint64_t v;
    sb_err err = {0};
    assert_int_equal(sb_parse_u64("--seed", "18446744073709551615", &v, &err), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(sb_parse_u64("--seed", "0", &v, &err), 0);
    assert_true(v == 0);
    const char *bad[] = {"18446744073709551616", "-1", "-0", " 1", "1x", "", "+5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (!sb_parse_u64("--seed", bad[i], &v, &err))
            fail_msg("'%s' was accepted", bad[i]);
    assert_string_equal(err.msg, "--seed must be an integer from 0 to 18446744073709551615, not '+5'");
}

static void test_parse_shard(void **state)
{
    (void)state;
    int i, n;
    sb_err err = {0};
    assert_int_equal(sb_parse_shard("2/8", &i, &n, &err), 0);
    assert_int_equal(i, 1);
    assert_int_equal(n, 8);
    assert_int_equal(sb_parse_shard("100000/100000", &i, &n, &err), 0);
    const char *bad[] = {"0/1", "2/1", "1/99999999999", "1/100001", "4294967297/4294967297", "1/", "/2", "1/2x",
                         "a/b", "1//2", "-1/2", "1", " 1/2", "1/ 2", ""};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        if (!sb_parse_shard(bad[k], &i, &n, &err))
            fail_msg("'%s' was accepted", bad[k]);
    assert_non_null(strstr(err.msg, "--shard takes i/n with 1 <= i <= n <= 100000"));
}

static const sb_option table[] = {
    {"count", SB_OPT_INT, "5", "a count", 0, {1, 1000}},
    {"name", SB_OPT_STRING, NULL, "a name", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

static void test_table_range(void **state)
{
    (void)state;
    sb_opts o;
    sb_err err = {0};
    long v;
    sb_opts_init(&o, "/tmp", "s.ini [x]");
    assert_int_equal(sb_opts_long(&o, table, "count", &v, &err), 0); /* the default */
    assert_int_equal(v, 5);
    assert_int_equal(sb_opts_set(&o, "count", "1001", 7, &err), 0);
    assert_int_equal(sb_opts_long(&o, table, "count", &v, &err), SB_EUSAGE);
    assert_string_equal(err.msg, "s.ini [x] line 7: 'count' must be an integer from 1 to 1000, not '1001'");
    assert_int_equal(sb_opts_validate(&o, table, &err), SB_EUSAGE);
    sb_opts_free(&o);
    sb_opts_init(&o, "/tmp", "command line");
    assert_int_equal(sb_opts_set(&o, "count", "1000", 0, &err), 0);
    assert_int_equal(sb_opts_validate(&o, table, &err), 0);
    assert_int_equal(sb_opts_long(&o, table, "count", &v, &err), 0);
    assert_int_equal(v, 1000);
    sb_opts_free(&o);
    char text[64];
    sb_option_range_text(&table[0], text, sizeof text);
    assert_string_equal(text, " (1..1000)");
    sb_option_range_text(&table[1], text, sizeof text);
    assert_string_equal(text, "");
}

/* Each integer option has a range holding its default; other options have none. */
static void check_table(const char *owner, const sb_option *t)
{
    for (; t && t->key; t++) {
        if (t->type != SB_OPT_INT) {
            if (t->range.min || t->range.max)
                fail_msg("%s: %s is not an integer but has a range", owner, t->key);
            continue;
        }
        if (!(t->range.min <= t->range.max && t->range.max > 0))
            fail_msg("%s: integer option %s has no range", owner, t->key);
        long long v;
        if (t->def && sb_parse_int(t->key, t->def, t->range.min, t->range.max, &v, NULL))
            fail_msg("%s: the default %s of %s is outside its range", owner, t->def, t->key);
    }
}

static void test_every_table(void **state)
{
    (void)state;
    size_t n_int = 0;
    for (size_t i = 0; i < sb_n_tasks; i++) {
        check_table(sb_tasks[i]->name, sb_tasks[i]->options);
        for (const sb_option *t = sb_tasks[i]->options; t && t->key; t++)
            n_int += t->type == SB_OPT_INT;
    }
    for (size_t i = 0; i < sb_n_generators; i++)
        check_table(sb_generators[i]->name, sb_generators[i]->options);
    assert_true(n_int >= 10); /* the walk did reach the tables */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_int),   cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_parse_shard), cmocka_unit_test(test_table_range),
        cmocka_unit_test(test_every_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
