/* test_out_io.c — the output seam (store/out_io.h) and what the writers above it do when
 * a call fails: for every call N of writing a CSV, results.h5 or a generator's HDF5 file,
 * the N-th call fails (ENOSPC or EIO) and the writer must return an error, leave no
 * temporary file and no file under the final name, and succeed once N is past its last
 * call (the CSV with the same bytes as an unfaulted write; the HDF5 files read back). A
 * journal gets one failed write and one failed fsync. Also: fault specs, sticky
 * faults, a failed fsync alone (the rule "no rename without a successful fsync"), folder
 * creation, and a journal whose write fails keeping the records written before. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/journal.h"
#include "io/h5read.h"
#include "io/h5write.h"
#include "store/atomic.h"
#include "store/csv_write.h"
#include "store/out_io.h"
#include "store/results_h5.h"

static char dir[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sb_test_out_io_%d", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
    sb_out_fault_set(NULL);
    sb_h5_quiet();
    return system(cmd);
}

static int teardown(void **state)
{
    (void)state;
    sb_out_fault_set(NULL);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Files in dir whose name holds ".tmp.": what a failed write must not leave. */
static int temp_files(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *s = malloc(1 << 20);
    *len = fread(s, 1, 1 << 20, fp);
    fclose(fp);
    return s;
}

static void make_table(sb_table *t)
{
    const char *cols[] = {"name", "value", "count"};
    assert_int_equal(sb_table_init(t, "scores", 3, cols, NULL), 0);
    /* 500 rows: more than one stdio buffer, so a CSV takes several writes */
    for (size_t r = 0; r < 500; r++) {
        char name[32];
        snprintf(name, sizeof name, "row, %zu", r);
        size_t row;
        assert_int_equal(sb_table_add_row(t, &row, NULL), 0);
        assert_int_equal(sb_table_set_str(t, row, 0, name, NULL), 0);
        sb_table_set_num(t, row, 1, (double)r / 7.0);
        sb_table_set_int(t, row, 2, (int64_t)r);
    }
}

typedef int (*writer_fn)(const char *path, sb_err *err);

static sb_table table;

static int write_csv(const char *path, sb_err *err)
{
    return sb_csv_write_table(&table, path, err);
}

static int write_h5(const char *path, sb_err *err)
{
    const sb_table *list[1] = {&table};
    sb_provenance p;
    memset(&p, 0, sizeof p);
    snprintf(p.suite_path, sizeof p.suite_path, "suite.ini");
    return sb_results_h5_write(path, list, 1, &p, err);
}

static int write_gen(const char *path, sb_err *err)
{
    sb_h5w w;
    int rc = sb_h5w_create(&w, path, err);
    if (rc)
        return rc;
    double v[300];
    for (int i = 0; i < 300; i++)
        v[i] = i * 0.5;
    size_t dims[2] = {100, 3};
    sb_h5w_group(&w, "/a/b");
    sb_h5w_f64(&w, "/a/b/x", 2, dims, v);
    sb_h5w_attr_str(&w, "/a", "note", "hello");
    return sb_h5w_close(&w, 1, err);
}

/* The walk: a clean write counts its calls (C); then call N fails for every N in 1..C
 * (ENOSPC and EIO in turn): each must end in an error naming the errno, no temporary
 * file and no file under the final name. Returns C. */
static long walk(writer_fn fn, const char *name, int check_bytes)
{
    char path[256], ref[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(ref, sizeof ref, "%s/ref-%s", dir, name);
    sb_err err;
    sb_out_fault_set(NULL);
    assert_int_equal(fn(ref, &err), 0);
    long calls = sb_out_calls();
    for (long n = 1; n <= calls; n++) {
        char spec[64];
        snprintf(spec, sizeof spec, "any:%ld:%s", n, n % 2 ? "ENOSPC" : "EIO");
        assert_int_equal(sb_out_fault_set(spec), 0);
        sb_err_clear(&err);
        int rc = fn(path, &err);
        sb_out_fault_set(NULL);
        if (rc == 0)
            fail_msg("%s: call %ld of %ld failed and the write still succeeded", name, n, calls);
        assert_true(strstr(err.msg, n % 2 ? "No space left" : "Input/output error") != NULL);
        assert_null(strchr(err.msg, '\n'));
        /* only the folder's fsync comes after the rename: the file is whole then */
        if (exists(path))
            assert_non_null(strstr(err.msg, "folder could not be synced"));
        unlink(path);
        assert_int_equal(temp_files(), 0);
    }
    assert_int_equal(fn(path, &err), 0);
    if (check_bytes) {
        size_t la, lb;
        char *a = slurp(path, &la), *b = slurp(ref, &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
        free(a);
        free(b);
    }
    unlink(path);
    unlink(ref);
    print_message("%s: walked all %ld calls\n", name, calls);
    return calls;
}

static void test_fault_specs(void **state)
{
    (void)state;
    assert_int_equal(sb_out_fault_set("write:2:ENOSPC"), 0);
    assert_int_equal(sb_out_fault_set("any:1:EIO:sticky"), 0);
    const char *bad[] = {"write:0:EIO", "nope:1:EIO", "write:1:EPERM", "write:1:EIO:forever", "write", "write:x:EIO",
                         "write:1:EIOx", "write:1:EIO:", "write:1:EIO:stickyx", "write:1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(sb_out_fault_set(bad[i]), -1);
    sb_out_fault_set(NULL);
}

/* A CSV: open, writes, fsync, close, rename, folder open/fsync/close. */
static void test_csv_walk(void **state)
{
    (void)state;
    make_table(&table);
    long calls = walk(write_csv, "scores.csv", 1);
    assert_true(calls >= 8);
    sb_table_free(&table);
}

/* results.h5 through the in-memory image: the same guarantees, and the file reads back. */
static void test_results_h5_walk(void **state)
{
    (void)state;
    make_table(&table);
    long calls = walk(write_h5, "results.h5", 0);
    assert_true(calls >= 8);
    char path[256];
    snprintf(path, sizeof path, "%s/results.h5", dir);
    assert_int_equal(write_h5(path, NULL), 0);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t ds = H5Dopen2(f, "/scores/value", H5P_DEFAULT);
    double v[500];
    assert_true(ds >= 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    assert_true(v[499] == 499 / 7.0);
    H5Dclose(ds);
    H5Fclose(f);
    sb_table_free(&table);
}

static void test_generator_h5_walk(void **state)
{
    (void)state;
    /* (not bytes: HDF5 stamps object headers with the time, so two writes can differ) */
    assert_true(walk(write_gen, "gen.h5", 0) >= 8);
    char path[256];
    snprintf(path, sizeof path, "%s/gen.h5", dir);
    assert_int_equal(write_gen(path, NULL), 0);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t ds = H5Dopen2(f, "/a/b/x", H5P_DEFAULT);
    double v[300];
    assert_true(ds >= 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    assert_true(v[299] == 149.5);
    H5Dclose(ds);
    H5Fclose(f);
}

/* The rule the CLI fault walk guards too: a failed fsync alone stops the commit. */
static void test_failed_fsync_is_an_error(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/one.csv", dir);
    sb_atomic a;
    sb_err err;
    assert_int_equal(sb_atomic_open(&a, path, &err), 0);
    fputs("x\n1\n", a.fp);
    assert_int_equal(sb_out_fault_set("fsync:1:EIO"), 0);
    assert_int_equal(sb_atomic_commit(&a, &err), SB_EIO);
    sb_out_fault_set(NULL);
    assert_false(exists(path));
    assert_int_equal(temp_files(), 0);
}

/* Sticky: every later write fails too (a full disk), and close still closes. */
static void test_sticky(void **state)
{
    (void)state;
    make_table(&table);
    char path[256];
    snprintf(path, sizeof path, "%s/sticky.csv", dir);
    sb_err err;
    assert_int_equal(sb_out_fault_set("any:2:ENOSPC:sticky"), 0);
    assert_int_equal(sb_csv_write_table(&table, path, &err), SB_EIO);
    assert_int_equal(sb_csv_write_table(&table, path, &err), SB_EIO);
    sb_out_fault_set(NULL);
    assert_false(exists(path));
    assert_int_equal(temp_files(), 0);
    sb_table_free(&table);
}

static void test_mkdirs(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    sb_err err;
    assert_int_equal(sb_out_fault_set("mkdir:2:EIO"), 0);
    assert_int_equal(sb_mkdirs(path, &err), SB_EIO);
    assert_non_null(strstr(err.msg, "/a/b: cannot create folder"));
    sb_out_fault_set(NULL);
    assert_int_equal(sb_mkdirs(path, &err), 0);
    assert_true(exists(path));
}

/* A journal write that fails loses only the records it carried: the header and the
 * records of earlier writes read back. */
static void test_journal_write_fault(void **state)
{
    (void)state;
    sb_journal j;
    sb_err err;
    assert_int_equal(sb_journal_create(&j, dir, 1, 0, 7, &err), 0);
    assert_int_equal(sb_journal_append(&j, 0, 0, "zero", 4, &err), 0);
    assert_int_equal(sb_journal_flush(&j, &err), 0);
    assert_int_equal(sb_out_fault_set("write:1:ENOSPC"), 0);
    assert_int_equal(sb_journal_append(&j, 1, 0, "one", 3, &err), 0);
    assert_int_equal(sb_journal_flush(&j, &err), SB_EIO);
    assert_non_null(strstr(err.msg, "journal write failed: No space left"));
    sb_out_fault_set(NULL);
    assert_int_equal(sb_journal_close(&j, &err), 0);
    sb_journal_set s;
    assert_int_equal(sb_journal_load(dir, 7, 2, &s, &err), 0);
    assert_true(s.present[0]);
    assert_false(s.present[1]);
    sb_journal_set_free(&s);
    /* a failed fsync at close is reported, and the descriptor is closed all the same */
    assert_int_equal(sb_journal_create(&j, dir, 2, 0, 7, &err), 0);
    assert_int_equal(sb_out_fault_set("fsync:1:EIO"), 0);
    assert_int_equal(sb_journal_close(&j, &err), SB_EIO);
    sb_out_fault_set(NULL);
    assert_int_equal(j.fd, -1);
}

/* Removing an old journal (a new run in a used folder) that fails is an error naming it. */
static void test_discard_fault(void **state)
{
    (void)state;
    sb_journal j;
    sb_err err;
    assert_int_equal(sb_journal_create(&j, dir, 1, 0, 7, &err), 0);
    assert_int_equal(sb_journal_close(&j, &err), 0);
    assert_int_equal(sb_out_fault_set("unlink:1:EIO"), 0);
    assert_int_equal(sb_journal_discard(dir, &err), SB_EIO);
    assert_non_null(strstr(err.msg, "a0001-r00000.sbj: cannot remove old journal: Input/output error"));
    sb_out_fault_set(NULL);
    assert_int_equal(sb_journal_discard(dir, &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fault_specs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_walk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_results_h5_walk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generator_h5_walk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_fsync_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sticky, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mkdirs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_write_fault, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discard_fault, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
