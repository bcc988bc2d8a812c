/* test_corrupt_records.c — finish() of pose, distshift, judge and transfer on journal records
 * that passed the checksum but carry absurd counts or belong to another cell.
 *
 * Each case hand-encodes a record in the layout the task's run_unit writes and expects
 * SB_EINPUT naming the unit — never a crash, an allocation of the absurd size or a number
 * read from outside an array. The counts are chosen so that unchecked arithmetic wraps:
 * 2^61 × 8 and (2^64 − 1) + 1 are 0 in 64 bits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "engine/task.h"
#include "tasks/judge/judge.h"
#include "tasks/registry.h"

typedef struct fixture {
    const sb_task *task;
    sb_opts opts;
    sb_task_ctx ctx;
    sb_units units;
    sb_buf rec[4];
    size_t n;
} fixture;

/* Opens task name with options kv (key, value, ..., NULL). */
static void open_task(fixture *f, const char *name, const char *const *kv)
{
    memset(f, 0, sizeof *f);
    sb_err err = {0};
    f->task = sb_task_find(name);
    assert_non_null(f->task);
    sb_opts_init(&f->opts, "/tmp", "test");
    for (size_t i = 0; kv[i]; i += 2)
        assert_int_equal(sb_opts_set(&f->opts, kv[i], kv[i + 1], 0, &err), 0);
    f->ctx.opts = &f->opts;
    f->ctx.label = "";
    f->ctx.seed = 1;
    int rc = sb_opts_validate(&f->opts, f->task->options, &err);
    if (!rc)
        rc = f->task->open(&f->ctx, &err);
    if (rc)
        fail_msg("open %s: %s", name, err.msg);
}

static sb_buf *add_unit(fixture *f, const char *key, int64_t arg)
{
    sb_err err = {0};
    assert_int_equal(sb_units_add(&f->units, key, 1, arg, &err), 0);
    sb_buf *b = &f->rec[f->n++];
    sb_buf_init(b);
    return b;
}

/* Runs finish on the records and expects SB_EINPUT whose message contains needle. */
static void expect_corrupt(fixture *f, const char *needle)
{
    sb_record r[4];
    for (size_t i = 0; i < f->n; i++)
        r[i] = (sb_record){.unit = i, .failed = 0, .data = f->rec[i].data, .len = f->rec[i].len};
    sb_tables out = {0};
    sb_err err = {0};
    int rc = f->task->finish(&f->ctx, f->units.u, r, f->n, &out, &err);
    sb_tables_free(&out);
    for (size_t i = 0; i < f->n; i++)
        sb_buf_free(&f->rec[i]);
    sb_units_free(&f->units);
    f->task->close(&f->ctx);
    sb_opts_free(&f->opts);
    if (rc != SB_EINPUT)
        fail_msg("expected SB_EINPUT naming '%s', got %d: %s", needle, rc, err.msg);
    if (!strstr(err.msg, needle))
        fail_msg("message lacks '%s': %s", needle, err.msg);
}

static void test_pose_column_count(void **st)
{
    (void)st;
    fixture f;
    open_task(&f, "pose", (const char *const[]){"input", "x.h5", NULL});
    sb_buf *b = add_unit(&f, "S1", 0);
    sb_buf_put_str(b, "S1");
    sb_buf_put_str(b, "");
    sb_buf_put_u64(b, 10);
    sb_buf_put_u64(b, (uint64_t)1 << 61); /* columns; 2^61 × 8 bytes wraps to 0 */
    sb_buf_put_str(b, "mpjpe");
    expect_corrupt(&f, "journal record of sequence S1 is corrupt");
}

/* A distshift grid record whose cell fields are rho, test set, diversity and seed. */
static void grid_record(sb_buf *b, double rho, int64_t test_set, int64_t seed)
{
    sb_buf_put_f64(b, rho);
    sb_buf_put_i64(b, test_set);
    sb_buf_put_f64(b, 0); /* diversity */
    sb_buf_put_i64(b, seed);
    for (int k = 0; k < 2; k++)
        sb_buf_put_u64(b, 10);
    for (int k = 0; k < 4; k++)
        sb_buf_put_f64(b, 0.5);
    sb_buf_put_u64(b, 2);
    sb_buf_put_str(b, "");
    sb_buf_put_f64(b, 0.5);
    sb_buf_put_i64(b, 0);
    sb_buf_put_f64(b, 0);
    sb_buf_put_f64(b, 0);
    sb_buf_put_u64(b, 0);
    sb_buf_put_str(b, "");
}

static const char *const GRID_OPTS[] = {"rho_train", "0", "test_sets", "aligned", "diversity", "0",
                                        "seeds", "1", "samples", "0", NULL};

static void test_distshift_grid_seed(void **st)
{
    (void)st;
    fixture f;
    open_task(&f, "distshift", GRID_OPTS);
    /* seed 2^61 − 1 made the grid 2^61 replicates deep: 4 · 2^61 cells × 8 bytes wraps. */
    grid_record(add_unit(&f, "rho=0/aligned/div=0/seed=0", 0), 0, 0, ((int64_t)1 << 61) - 1);
    expect_corrupt(&f, "journal record of distshift cell rho=0/aligned/div=0/seed=0 is corrupt");
    open_task(&f, "distshift", GRID_OPTS);
    grid_record(add_unit(&f, "rho=0/aligned/div=0/seed=0", 0), 0.5, 0, 0); /* another cell's rho */
    expect_corrupt(&f, "seed=0 is corrupt");
    open_task(&f, "distshift", GRID_OPTS);
    grid_record(add_unit(&f, "outside", 7), 0, 0, 0); /* a unit past the grid of 1 cell */
    expect_corrupt(&f, "journal record of distshift cell outside is corrupt");
}

static void test_distshift_quantify_block(void **st)
{
    (void)st;
    fixture f;
    const char *const opts[] = {"input", "x.h5", "samples", "256", "block", "256", NULL};
    open_task(&f, "distshift_quantify", opts);
    sb_buf *b = add_unit(&f, "points 0-255", 0);
    sb_buf_put_u64(b, UINT64_MAX);        /* m: m · 1 + 1 terms wrap to 0 */
    sb_buf_put_u64(b, 0);                 /* first */
    sb_buf_put_u64(b, (uint64_t)1 << 62); /* cnt: more than a block, and than the bytes */
    sb_buf_put_u64(b, 0);                 /* classes */
    sb_buf_put_str(b, "");
    sb_buf_put_f64(b, 1);
    sb_buf_put_f64(b, 2);
    expect_corrupt(&f, "journal record of points 0-255 does not fit");
    /* A plausible header whose m points cannot be in the records' bytes. */
    open_task(&f, "distshift_quantify", opts);
    b = add_unit(&f, "points 0-255", 0);
    sb_buf_put_u64(b, 1000000);
    sb_buf_put_u64(b, 0);
    sb_buf_put_u64(b, 256);
    sb_buf_put_u64(b, 0);
    sb_buf_put_str(b, "");
    expect_corrupt(&f, "journal record of points 0-255 does not fit");
}

static void test_distshift_eval_counts(void **st)
{
    (void)st;
    fixture f;
    open_task(&f, "distshift_eval", (const char *const[]){"input", "x.h5", NULL});
    sb_buf *b = add_unit(&f, "s", 0);
    sb_buf_put_str(b, "s");
    sb_buf_put_u64(b, UINT64_MAX); /* n: negative once written as an integer */
    for (int k = 0; k < 4; k++)
        sb_buf_put_f64(b, 0.5);
    sb_buf_put_u64(b, 1);
    sb_buf_put_str(b, "");
    expect_corrupt(&f, "journal record of set s is corrupt");
}

/* A combine/<dataset> record: n models, C scorer names, has_zmean. */
static void comb_record(sb_buf *b, const char *name, uint64_t n, uint64_t C, uint64_t has_zmean)
{
    sb_buf_put_str(b, name);
    sb_buf_put_u64(b, n);
    sb_buf_put_u64(b, C);
    for (uint64_t k = 0; k < C; k++)
        sb_buf_put_str(b, k ? "y" : "x");
    for (uint64_t i = 0; i < n * (1 + C); i++)
        sb_buf_put_f64(b, 0.1 * (double)i);
    sb_buf_put_u64(b, has_zmean);
    if (has_zmean) {
        for (uint64_t i = 0; i < n + 6; i++)
            sb_buf_put_f64(b, 0.5);
        sb_buf_put_str(b, "");
    }
}

static const char *const JUDGE_OPTS[] = {"scores", "s.csv", "truth", "t.csv", "combine", "zmean", NULL};

static void test_judge_combine_records(void **st)
{
    (void)st;
    fixture f;
    /* Records with different numbers of combined scorers: finish indexes them all with one C. */
    open_task(&f, "judge", JUDGE_OPTS);
    comb_record(add_unit(&f, "combine/a", SB_JUDGE_ARG(SB_JU_COMBINE, 0, 0)), "a", 3, 2, 1);
    comb_record(add_unit(&f, "combine/b", SB_JUDGE_ARG(SB_JU_COMBINE, 1, 0)), "b", 3, 1, 1);
    expect_corrupt(&f, "journal record of unit combine/b is corrupt");
    /* zmean was asked for, the record has no zmean scores. */
    open_task(&f, "judge", JUDGE_OPTS);
    comb_record(add_unit(&f, "combine/a", SB_JUDGE_ARG(SB_JU_COMBINE, 0, 0)), "a", 3, 1, 0);
    expect_corrupt(&f, "journal record of unit combine/a is corrupt");
    /* n models whose accuracies are not in the record. */
    open_task(&f, "judge", JUDGE_OPTS);
    sb_buf *b = add_unit(&f, "combine/a", SB_JUDGE_ARG(SB_JU_COMBINE, 0, 0));
    sb_buf_put_str(b, "a");
    sb_buf_put_u64(b, (uint64_t)1 << 61);
    sb_buf_put_u64(b, 1);
    sb_buf_put_str(b, "x");
    expect_corrupt(&f, "journal record of unit combine/a is corrupt");
}

static void test_judge_bootstrap_scorers(void **st)
{
    (void)st;
    fixture f;
    open_task(&f, "judge", (const char *const[]){"scores", "s.csv", "truth", "t.csv", NULL});
    sb_buf *b = add_unit(&f, "eval/a/x", SB_JUDGE_ARG(SB_JU_EVAL, 0, 0));
    sb_buf_put_str(b, "a");
    sb_buf_put_str(b, "x");
    sb_buf_put_u64(b, 3);
    for (int k = 0; k < 6; k++)
        sb_buf_put_f64(b, 0.5);
    sb_buf_put_str(b, "");
    b = add_unit(&f, "boot/a/0", SB_JUDGE_ARG(SB_JU_BOOT, 0, 0));
    sb_buf_put_str(b, "a");
    sb_buf_put_u64(b, 100);
    sb_buf_put_u64(b, (uint64_t)1 << 60); /* scorers */
    sb_buf_put_str(b, "x");
    expect_corrupt(&f, "journal record of unit boot/a/0 is corrupt");
}

static void test_transfer_records(void **st)
{
    (void)st;
    char manifest[64];
    snprintf(manifest, sizeof manifest, "/tmp/sb_test_corrupt_%d.csv", (int)getpid());
    FILE *fp = fopen(manifest, "w");
    assert_non_null(fp);
    fputs("dataset,model,path\nd,m,p.h5\n", fp);
    fclose(fp);
    const char *const opts[] = {"manifest", manifest, "scorers", "leep", NULL};
    fixture f;
    open_task(&f, "transfer", opts);
    sb_buf *b = add_unit(&f, "d/m", 0);
    for (int k = 0; k < 3; k++)
        sb_buf_put_u64(b, 10);
    sb_buf_put_u64(b, (uint64_t)1 << 60); /* scores */
    sb_buf_put_str(b, "leep");
    expect_corrupt(&f, "journal record of d/m is corrupt");
    open_task(&f, "transfer", opts);
    b = add_unit(&f, "d/x", 5); /* pair 5 of a 1-pair manifest */
    for (int k = 0; k < 4; k++)
        sb_buf_put_u64(b, 0);
    expect_corrupt(&f, "unit d/x: pair 5 is not in the manifest");
    unlink(manifest);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pose_column_count),        cmocka_unit_test(test_distshift_grid_seed),
        cmocka_unit_test(test_distshift_quantify_block), cmocka_unit_test(test_distshift_eval_counts),
        cmocka_unit_test(test_judge_combine_records),    cmocka_unit_test(test_judge_bootstrap_scorers),
        cmocka_unit_test(test_transfer_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
