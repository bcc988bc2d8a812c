/* test_pose_skeleton.c — the skeleton attributes of a pose file, read by sb_pose_skel_read.
 *
 * Hostile parents / lr_pairs / parts (out of range, negative, self-parent, a cycle, empty,
 * wrong shape, a number sscanf's %d could not hold) must give SB_EINPUT with one line naming
 * the file, the attribute, the first bad index and the bad value as written (the value is
 * printed from live memory: the bug was a message built from a freed array). The expected
 * indices are read off the arrays below. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/h5write.h"
#include "tasks/pose/pose_skeleton.h"

static char path[256];

static int setup(void **st)
{
    (void)st;
    snprintf(path, sizeof path, "/tmp/sb_test_pose_skel_%d.h5", (int)getpid());
    sb_h5_quiet();
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    unlink(path);
    return 0;
}

typedef struct skel_spec {
    size_t np;
    const int64_t *parents; /* np values, shape (np,) */
    int lr_rank;            /* 0: no lr_pairs */
    size_t lr_dims[2];
    const int64_t *lr;
    size_t nparts;
    const char *const *parts;
} skel_spec;

static void write_file(const skel_spec *s)
{
    sb_h5w w;
    sb_err err = {0};
    assert_int_equal(sb_h5w_create(&w, path, &err), 0);
    size_t dp[1] = {s->np};
    int64_t dummy = 0;
    sb_h5w_attr_i64(&w, "/", "parents", 1, dp, s->np ? s->parents : &dummy);
    if (s->lr_rank)
        sb_h5w_attr_i64(&w, "/", "lr_pairs", s->lr_rank, s->lr_dims, s->lr ? s->lr : &dummy);
    if (s->nparts)
        sb_h5w_attr_strings(&w, "/", "parts", s->nparts, s->parts);
    if (sb_h5w_close(&w, 1, &err))
        fail_msg("write: %s", err.msg);
}

static int read_skel(sb_pose_skel_data *sk, sb_err *err)
{
    sb_h5file f;
    int rc = sb_h5_open(&f, path, err);
    if (rc)
        return rc;
    rc = sb_pose_skel_read(&f, sk, err);
    sb_h5_close(&f);
    return rc;
}

/* Expects SB_EINPUT whose one-line message names the file and contains needle. */
static void expect_error(const skel_spec *s, const char *needle)
{
    write_file(s);
    sb_pose_skel_data sk;
    sb_err err = {0};
    int rc = read_skel(&sk, &err);
    if (rc != SB_EINPUT)
        fail_msg("expected SB_EINPUT for '%s', got %d: %s", needle, rc, err.msg);
    assert_null(sk.parents);
    assert_null(sk.lr);
    assert_null(sk.parts);
    assert_non_null(strstr(err.msg, path));
    assert_null(strchr(err.msg, '\n'));
    if (!strstr(err.msg, needle))
        fail_msg("message lacks '%s': %s", needle, err.msg);
}

static const int64_t GOOD[5] = {-1, 0, 1, 0, 3};

static void test_valid_skeleton(void **st)
{
    (void)st;
    const int64_t lr[4] = {1, 3, 2, 4};
    const char *parts[2] = {"left:1-2", "right:3-4"};
    skel_spec s = {5, GOOD, 2, {2, 2}, lr, 2, parts};
    write_file(&s);
    sb_pose_skel_data sk;
    sb_err err = {0};
    if (read_skel(&sk, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(sk.skel.joints, 5);
    assert_int_equal(sk.skel.n_lr, 2);
    assert_int_equal(sk.skel.n_parts, 2);
    assert_string_equal(sk.parts[1].name, "right");
    assert_int_equal(sk.parts[1].first, 3);
    assert_int_equal(sk.parts[1].last, 4);
    sb_pose_skel_free(&sk);
    /* An empty lr_pairs (0x2) is a skeleton without pairs, not an error. */
    skel_spec e = {5, GOOD, 2, {0, 2}, NULL, 0, NULL};
    write_file(&e);
    if (read_skel(&sk, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(sk.skel.n_lr, 0);
    sb_pose_skel_free(&sk);
}

static void test_parents_out_of_range(void **st)
{
    (void)st;
    const int64_t high[4] = {-1, 0, 77, 1}, neg[4] = {-1, 0, 1, -5}, self[4] = {-1, 1, 1, 2};
    skel_spec s = {4, high, 0, {0, 0}, NULL, 0, NULL};
    expect_error(&s, "root attribute parents[2] = 77: not -1 (a root) or a joint 0..3");
    s.parents = neg;
    expect_error(&s, "root attribute parents[3] = -5: not -1");
    s.parents = self;
    expect_error(&s, "root attribute parents[1] = 1: a joint cannot be its own parent");
}

static void test_parents_cycle_and_empty(void **st)
{
    (void)st;
    const int64_t cycle[5] = {-1, 0, 3, 4, 2}; /* 2 → 3 → 4 → 2 */
    skel_spec s = {5, cycle, 0, {0, 0}, NULL, 0, NULL};
    expect_error(&s, "root attribute parents[2]: the chain of parents from joint 2 loops");
    const int64_t no_root[2] = {1, 0};
    s.np = 2;
    s.parents = no_root;
    expect_error(&s, "root attribute parents[0]: the chain of parents from joint 0 loops");
    s.np = 0;
    expect_error(&s, "root attribute parents holds 0 values");
}

static void test_lr_pairs_bad(void **st)
{
    (void)st;
    const int64_t far[4] = {1, 3, 2, 9}, neg[4] = {1, -3, 2, 4}, root[4] = {1, 3, 0, 4}, flat[3] = {1, 3, 2};
    skel_spec s = {5, GOOD, 2, {2, 2}, far, 0, NULL};
    expect_error(&s, "root attribute lr_pairs[1][1] = 9: not a joint 0..4");
    s.lr = neg;
    expect_error(&s, "root attribute lr_pairs[0][1] = -3: not a joint 0..4");
    s.lr = root;
    expect_error(&s, "root attribute lr_pairs[1][0] = 0: a root joint has no bone");
    s.lr = flat;
    s.lr_rank = 1;
    s.lr_dims[0] = 3;
    expect_error(&s, "root attribute lr_pairs has shape (3x1): expected Px2");
}

static void test_parts_bad(void **st)
{
    (void)st;
    const char *range[1] = {"arm:2-9"};
    skel_spec s = {5, GOOD, 0, {0, 0}, NULL, 1, range};
    expect_error(&s, "root attribute parts[0] = 'arm:2-9': not 'name:first-last' with joints 0..4");
    const char *huge[1] = {"arm:99999999999-1"}; /* beyond int: sscanf's %d is undefined here */
    s.parts = huge;
    expect_error(&s, "root attribute parts[0] = 'arm:99999999999-1'");
    const char *twice[2] = {"arm:1-2", "arm:3-4"};
    s.parts = twice;
    s.nparts = 2;
    expect_error(&s, "root attribute parts[1]: the name 'arm' repeats parts[0]");
    const char *longname[1] = {"a_part_name_of_exactly_32_chars_:1-2"};
    s.parts = longname;
    s.nparts = 1;
    expect_error(&s, "root attribute parts[0]: the name must have 1..31 characters");
    const char *space[1] = {"left arm:1-2"}; /* the name becomes a CSV column */
    s.parts = space;
    expect_error(&s, "root attribute parts[0]: the name has character 4 outside [A-Za-z0-9_-]");
    const char *newline[1] = {"arm\n:9-1"};
    s.parts = newline;
    expect_error(&s, "root attribute parts[0] = 'arm?:9-1'");
    const char *noname[1] = {":1-2"};
    s.parts = noname;
    expect_error(&s, "root attribute parts[0]: the name must have 1..31 characters");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_skeleton),     cmocka_unit_test(test_parents_out_of_range),
        cmocka_unit_test(test_parents_cycle_and_empty), cmocka_unit_test(test_lr_pairs_bad),
        cmocka_unit_test(test_parts_bad),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
