/* test_journal.c — the journal and plan files (engine/journal.h): records read back as
 * written; a record whose checksum does not match is not taken; the keep rule (a success
 * beats a failure, a later attempt beats an earlier one of the same kind); a torn last
 * record is dropped; counts no file can hold are refused; the plan round-trips with names
 * of any length and its hash sees the job text and every unit's name, task and index (not its
 * cost: an estimate, and the order it gives is already in the names' order). Expected values
 * are the written ones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/journal.h"

static char dir[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sb_test_journal_%d", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
    return system(cmd);
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void write_journal(int attempt, int rank, const uint64_t *unit, const int *failed, size_t n)
{
    sb_journal j;
    sb_err err;
    assert_int_equal(sb_journal_create(&j, dir, attempt, rank, 42, &err), 0);
    for (size_t i = 0; i < n; i++) {
        char payload[32];
        int len = snprintf(payload, sizeof payload, "a%d-u%llu", attempt, (unsigned long long)unit[i]);
        assert_int_equal(sb_journal_append(&j, unit[i], failed[i], payload, (size_t)len, &err), 0);
    }
    assert_int_equal(sb_journal_close(&j, &err), 0);
}

static void expect(const sb_journal_set *s, uint64_t unit, const char *payload, int failed)
{
    assert_true(s->present[unit]);
    assert_int_equal(s->rec[unit].failed, failed);
    assert_int_equal(s->rec[unit].len, strlen(payload));
    assert_memory_equal(s->rec[unit].data, payload, strlen(payload));
}

static void test_round_trip_and_keep_rule(void **state)
{
    (void)state;
    const uint64_t u1[] = {0, 1, 2, 3};
    const int f1[] = {0, 1, 0, 1};
    write_journal(1, 0, u1, f1, 4);
    const uint64_t u2[] = {0, 1, 2};
    const int f2[] = {1, 0, 0};
    write_journal(2, 1, u2, f2, 3);
    sb_journal_set s;
    sb_err err;
    assert_int_equal(sb_journal_load(dir, 42, 5, &s, &err), 0);
    expect(&s, 0, "a1-u0", 0); /* a success beats a later failure */
    expect(&s, 1, "a2-u1", 0); /* a later success beats a failure */
    expect(&s, 2, "a2-u2", 0); /* of two successes the later attempt wins */
    expect(&s, 3, "a1-u3", 1); /* a failure alone is kept */
    assert_false(s.present[4]);
    assert_int_equal(s.max_attempt, 2);
    sb_journal_set_free(&s);
    /* another plan's journal is refused by name */
    assert_int_not_equal(sb_journal_load(dir, 43, 5, &s, &err), 0);
    assert_non_null(strstr(err.msg, "different plan"));
    sb_journal_set_free(&s);
}

static void file_path(char *out, size_t cap, int attempt, int rank)
{
    snprintf(out, cap, "%s/journal/a%04d-r%05d.sbj", dir, attempt, rank);
}

static void test_checksum_and_torn_record(void **state)
{
    (void)state;
    const uint64_t u[] = {0, 1, 2};
    const int f[] = {0, 0, 0};
    write_journal(1, 0, u, f, 3);
    char path[512];
    file_path(path, sizeof path, 1, 0);
    /* Flip one payload byte of the second record (header 12 bytes, a record 32 + 5 + 8). */
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    off_t at = 12 + (32 + 5 + 8) + 32 + 1;
    char c = 'Z';
    assert_int_equal(pwrite(fd, &c, 1, at), 1);
    close(fd);
    sb_journal_set s;
    sb_err err;
    assert_int_equal(sb_journal_load(dir, 42, 3, &s, &err), 0);
    expect(&s, 0, "a1-u0", 0);
    assert_false(s.present[1]); /* the damaged record is not taken ... */
    assert_false(s.present[2]); /* ... nor anything after it in that file */
    sb_journal_set_free(&s);
    /* A torn last record: the file cut 3 bytes short keeps the records before it. */
    write_journal(1, 0, u, f, 3);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size - 3), 0);
    assert_int_equal(sb_journal_load(dir, 42, 3, &s, &err), 0);
    expect(&s, 1, "a1-u1", 0);
    assert_false(s.present[2]);
    sb_journal_set_free(&s);
}

/* A record claiming nearly 2^64 payload bytes (offset + count wraps around, pointing the
 * reader before the record) is not read outside the file. */
static void test_absurd_count(void **state)
{
    (void)state;
    const uint64_t huge[] = {UINT64_MAX - 7, UINT64_MAX - 39, UINT64_MAX};
    for (int i = 0; i < 3; i++) {
        const uint64_t u[] = {0};
        const int f[] = {0};
        write_journal(1, 0, u, f, 1);
        char path[512];
        file_path(path, sizeof path, 1, 0);
        int fd = open(path, O_RDWR);
        assert_int_equal(pwrite(fd, &huge[i], 8, 12 + 24), 8);
        close(fd);
        sb_journal_set s;
        sb_err err;
        assert_int_equal(sb_journal_load(dir, 42, 1, &s, &err), 0);
        assert_false(s.present[0]);
        sb_journal_set_free(&s);
    }
}

static void test_plan_round_trip_and_hash(void **state)
{
    (void)state;
    sb_units us = {0};
    sb_err err;
    static char big[3000];
    memset(big, 'k', sizeof big - 1);
    assert_int_equal(sb_units_add(&us, "first", 2.5, 7, &err), 0);
    assert_int_equal(sb_units_add(&us, big, 1, -3, &err), 0);
    us.u[1].task = 4;
    uint64_t h = sb_plan_hash(us.u, us.n, "[noop]\n");
    assert_int_equal(sb_plan_write(dir, us.u, us.n, h, &err), 0);
    sb_units back;
    uint64_t h2 = 0;
    assert_int_equal(sb_plan_read(dir, &back, &h2, &err), 0);
    assert_int_equal(h2, h);
    assert_int_equal(back.n, 2);
    assert_string_equal(back.u[0].key, "first");
    assert_true(back.u[0].cost == 2.5);
    assert_int_equal(back.u[0].arg, 7);
    assert_string_equal(back.u[1].key, big);
    assert_int_equal(back.u[1].task, 4);
    assert_int_equal(back.u[1].arg, -3);
    /* the hash sees the job text, a name, a task and an index, not a cost */
    assert_true(sb_plan_hash(us.u, us.n, "[noop]\nunits = 2\n") != h);
    us.u[0].key = "firsT";
    assert_true(sb_plan_hash(us.u, us.n, "[noop]\n") != h);
    us.u[0].key = back.u[0].key;
    us.u[0].cost = 99.0;
    assert_true(sb_plan_hash(us.u, us.n, "[noop]\n") == h);
    us.u[1].task = 5;
    assert_true(sb_plan_hash(us.u, us.n, "[noop]\n") != h);
    us.u[1].task = 4;
    us.u[0].arg = 8;
    assert_true(sb_plan_hash(us.u, us.n, "[noop]\n") != h);
    us.u[0].arg = 7;
    assert_true(sb_plan_hash(us.u, us.n, "[noop]\n") == h);
    sb_units_free(&back);
    sb_units_free(&us);
    /* A plan claiming more units than its bytes can hold is refused, not allocated. */
    char path[512];
    snprintf(path, sizeof path, "%s/journal/plan.sbp", dir);
    int fd = open(path, O_RDWR);
    uint64_t n = 1000000000000ULL;
    assert_int_equal(pwrite(fd, &n, 8, 12), 8);
    close(fd);
    assert_int_not_equal(sb_plan_read(dir, &back, &h2, &err), 0);
    assert_non_null(strstr(err.msg, "claims"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip_and_keep_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checksum_and_torn_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absurd_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_round_trip_and_hash, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
