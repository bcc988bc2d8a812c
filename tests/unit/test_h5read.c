/* test_h5read.c — the HDF5 readers refuse hostile shapes and files with a one-line error.
 *
 * Each test writes a small file with the HDF5 C API (declared shapes that overflow or exceed
 * SB_H5_MAX_BYTES, extendible datasets grown past what was written, rank 9, external data,
 * a FIFO) and expects SB_EINPUT naming the file, the dataset and the problem — never a crash
 * or an allocation of the declared size. The expected counts are plain arithmetic:
 * 2^22 · 2^22 · 2^22 = 2^66 overflows 64 bits; 2^40 doubles = 2^43 bytes > 2^36. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/h5read.h"

static char dir[256];

static const char *tmp_path(const char *name)
{
    static char p[400];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static int setup(void **st)
{
    (void)st;
    snprintf(dir, sizeof dir, "/tmp/sb_test_h5read_XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    sb_h5_quiet();
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A chunked dataset of doubles whose current dims are cur (rank r), nothing written. */
static void write_chunked(const char *path, int r, const hsize_t *cur, const hsize_t *chunk, int write_first)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    hsize_t maxd[SB_H5_MAXRANK];
    for (int i = 0; i < r; i++)
        maxd[i] = H5S_UNLIMITED;
    hsize_t small[SB_H5_MAXRANK];
    for (int i = 0; i < r; i++)
        small[i] = chunk[i];
    hid_t sp = H5Screate_simple(r, small, maxd);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, r, chunk);
    hid_t ds = H5Dcreate2(f, "/x", H5T_IEEE_F64LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    assert_true(ds >= 0);
    if (write_first) { /* one chunk of real data, so only the growth is unwritten */
        size_t n = 1;
        for (int i = 0; i < r; i++)
            n *= chunk[i];
        double *v = calloc(n, sizeof *v);
        assert_true(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
        free(v);
    }
    assert_true(H5Dset_extent(ds, cur) >= 0);
    H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(sp);
    H5Fclose(f);
}

/* Opens path, reads /x as doubles and expects SB_EINPUT whose message holds every needle. */
static void expect_refused(const char *path, int want_rank, const char *needle)
{
    sb_h5file f;
    sb_err err = {0};
    if (sb_h5_open(&f, path, &err))
        fail_msg("open: %s", err.msg);
    size_t dims[SB_H5_MAXRANK];
    double *v = (double *)1;
    int rc = sb_h5_read_f64(&f, "/x", want_rank, dims, &v, &err);
    sb_h5_close(&f);
    if (rc != SB_EINPUT)
        fail_msg("expected SB_EINPUT, got %d: %s", rc, err.msg);
    assert_null(v);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "/x"));
    if (!strstr(err.msg, needle))
        fail_msg("message lacks '%s': %s", needle, err.msg);
    assert_null(strchr(err.msg, '\n'));
}

static void test_rank3_product_overflows(void **st)
{
    (void)st;
    const char *p = tmp_path("overflow.h5");
    hsize_t cur[3] = {(hsize_t)1 << 22, (hsize_t)1 << 22, (hsize_t)1 << 22}, chunk[3] = {1, 1, 1};
    write_chunked(p, 3, cur, chunk, 1);
    expect_refused(p, 3, "declares shape (4194304x4194304x4194304)");
    /* The shape query (plans use it for costs) refuses it too instead of wrapping. */
    sb_h5file f;
    sb_err err = {0};
    assert_int_equal(sb_h5_open(&f, p, &err), 0);
    int rank;
    size_t dims[SB_H5_MAXRANK];
    assert_int_equal(sb_h5_shape(&f, "/x", &rank, dims, &err), SB_EINPUT);
    sb_h5_close(&f);
}

static void test_extended_past_limit(void **st)
{
    (void)st;
    const char *p = tmp_path("huge.h5");
    hsize_t cur[2] = {(hsize_t)1 << 40, 1}, chunk[2] = {4, 1};
    write_chunked(p, 2, cur, chunk, 1);
    expect_refused(p, 2, "more than the 68719476736 bytes");
}

static void test_extended_partly_written(void **st)
{
    (void)st;
    const char *p = tmp_path("partly.h5");
    /* 2^30 doubles = 8 GiB: under the limit, so only the unwritten storage can refuse it. */
    hsize_t cur[2] = {(hsize_t)1 << 30, 1}, chunk[2] = {1024, 1};
    write_chunked(p, 2, cur, chunk, 1);
    expect_refused(p, 2, "only partly written (1 of 1048576 chunks stored)");
}

static void test_never_written(void **st)
{
    (void)st;
    const char *p = tmp_path("unwritten.h5");
    hsize_t cur[1] = {(hsize_t)1 << 33}, chunk[1] = {1 << 20};
    write_chunked(p, 1, cur, chunk, 0);
    expect_refused(p, 1, "was never written");
    /* Contiguous, declared and never written: reads would be fill values. */
    p = tmp_path("unwritten_contig.h5");
    hid_t f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t d = 5;
    hid_t sp = H5Screate_simple(1, &d, NULL);
    H5Dclose(H5Dcreate2(f, "/x", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Sclose(sp);
    H5Fclose(f);
    expect_refused(p, 1, "was never written");
}

static void test_rank9(void **st)
{
    (void)st;
    const char *p = tmp_path("rank9.h5");
    hsize_t cur[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    hid_t f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t sp = H5Screate_simple(9, cur, NULL);
    hid_t ds = H5Dcreate2(f, "/x", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    double one = 1;
    H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &one);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Fclose(f);
    expect_refused(p, 0, "unsupported rank (9; at most 8)");
}

static void test_external_storage(void **st)
{
    (void)st;
    char raw[400];
    snprintf(raw, sizeof raw, "%s", tmp_path("external.raw"));
    const char *p = tmp_path("external.h5");
    hid_t f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t d = 4;
    hid_t sp = H5Screate_simple(1, &d, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_external(dcpl, raw, 0, 4 * sizeof(double));
    hid_t ds = H5Dcreate2(f, "/x", H5T_IEEE_F64LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    double v[4] = {1, 2, 3, 4};
    assert_true(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(sp);
    H5Fclose(f);
    expect_refused(p, 1, "external files");
}

static void test_good_file_still_reads(void **st)
{
    (void)st;
    const char *p = tmp_path("good.h5");
    hsize_t cur[2] = {8, 3}, chunk[2] = {4, 3};
    write_chunked(p, 2, chunk, chunk, 1); /* 4x3 written ... */
    hid_t f = H5Fopen(p, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t ds = H5Dopen2(f, "/x", H5P_DEFAULT);
    assert_true(H5Dset_extent(ds, cur) >= 0); /* ... grown to 8x3 and written in full */
    double v[24];
    for (int i = 0; i < 24; i++)
        v[i] = i;
    assert_true(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Dclose(ds);
    H5Fclose(f);
    sb_h5file h;
    sb_err err = {0};
    assert_int_equal(sb_h5_open(&h, p, &err), 0);
    size_t dims[SB_H5_MAXRANK];
    double *got = NULL;
    int rc = sb_h5_read_f64(&h, "/x", 2, dims, &got, &err);
    sb_h5_close(&h);
    if (rc)
        fail_msg("%s", err.msg);
    assert_int_equal(dims[0], 8);
    assert_int_equal(dims[1], 3);
    assert_memory_equal(got, v, sizeof v);
    free(got);
}

static void test_array_size_arithmetic(void **st)
{
    (void)st;
    size_t count, bytes;
    sb_err err = {0};
    hsize_t limit[1] = {(hsize_t)1 << 33}; /* 2^33 doubles = 2^36 bytes: exactly the limit */
    assert_int_equal(sb_h5_array_size("f.h5", "/a", 1, limit, 8, &count, &bytes, &err), 0);
    assert_int_equal(bytes, SB_H5_MAX_BYTES);
    limit[0]++;
    assert_int_equal(sb_h5_array_size("f.h5", "/a", 1, limit, 8, &count, &bytes, &err), SB_EINPUT);
    assert_int_equal(count, 0);
    hsize_t wrap[2] = {(hsize_t)1 << 32, (hsize_t)1 << 32}; /* 2^64 wraps to 0 in 64 bits */
    assert_int_equal(sb_h5_array_size("f.h5", "/a", 2, wrap, 1, &count, &bytes, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "f.h5: /a declares shape (4294967296x4294967296)"));
    hsize_t times_elem[1] = {(hsize_t)1 << 62}; /* the count fits, count × 8 does not */
    assert_int_equal(sb_h5_array_size("f.h5", "/a", 1, times_elem, 8, &count, &bytes, &err), SB_EINPUT);
    hsize_t empty[3] = {(hsize_t)1 << 63, (hsize_t)1 << 63, 0};
    assert_int_equal(sb_h5_array_size("f.h5", "/a", 3, empty, 8, &count, &bytes, &err), 0);
    assert_int_equal(count, 0);
    assert_int_equal(sb_h5_array_size("f.h5", "/a", 0, NULL, 8, &count, &bytes, &err), 0);
    assert_int_equal(count, 1); /* a scalar */
}

static void test_attribute_shapes(void **st)
{
    (void)st;
    const char *p = tmp_path("attrs.h5");
    hid_t f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t d3[3] = {2, 2, 2};
    int64_t v[8] = {0};
    hid_t sp = H5Screate_simple(3, d3, NULL);
    hid_t a = H5Acreate2(f, "cube", H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_INT64, v);
    H5Aclose(a);
    H5Sclose(sp);
    sp = H5Screate(H5S_NULL);
    H5Aclose(H5Acreate2(f, "null", H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT));
    H5Aclose(H5Acreate2(f, "nullnum", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT));
    H5Sclose(sp);
    H5Fclose(f);
    sb_h5file h;
    sb_err err = {0};
    assert_int_equal(sb_h5_open(&h, p, &err), 0);
    size_t n, dims[2];
    int64_t *out = NULL;
    assert_int_equal(sb_h5_attr_i64(&h, "/", "cube", &n, &out, dims, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "attribute 'cube' of / has 3 dimensions, at most 2 expected"));
    assert_null(out);
    assert_int_equal(sb_h5_attr_i64(&h, "/", "null", &n, &out, dims, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "null dataspace"));
    double x = 0;
    assert_int_equal(sb_h5_attr_f64(&h, "/", "nullnum", &x, &err), SB_EINPUT);
    sb_h5_close(&h);
}

/* An empty group lists as n = 0 and NULL names (the sort is skipped: qsort(NULL, 0) is
 * undefined, and UBSan in the sanitizer build stops on it). */
static void test_empty_group(void **st)
{
    (void)st;
    const char *p = tmp_path("group.h5");
    hid_t f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(H5Gcreate2(f, "/sequences", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Fclose(f);
    sb_h5file h;
    sb_err err = {0};
    assert_int_equal(sb_h5_open(&h, p, &err), 0);
    size_t n = 7;
    char **names = (char **)1;
    assert_int_equal(sb_h5_list_group(&h, "/sequences", &n, &names, &err), 0);
    assert_int_equal(n, 0);
    assert_null(names);
    sb_h5_close(&h);
}

/* A member name with a newline would split every message and CSV row that names it. */
static void test_member_name_with_newline(void **st)
{
    (void)st;
    const char *p = tmp_path("newline.h5");
    hid_t f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(H5Gcreate2(f, "/sets", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Gclose(H5Gcreate2(f, "/sets/ok", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Gclose(H5Gcreate2(f, "/sets/two\nlines", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Fclose(f);
    sb_h5file h;
    sb_err err = {0};
    assert_int_equal(sb_h5_open(&h, p, &err), 0);
    size_t n;
    char **names;
    assert_int_equal(sb_h5_list_group(&h, "/sets", &n, &names, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "/sets has a member named 'two?lines' with a control character"));
    assert_null(strchr(err.msg, '\n'));
    sb_h5_close(&h);
}

static void on_alarm(int sig)
{
    (void)sig;
    _exit(99); /* the open blocked: the FIFO reached fopen or H5Fopen */
}

static void test_fifo_refused(void **st)
{
    (void)st;
    const char *p = tmp_path("fifo.h5");
    assert_int_equal(mkfifo(p, 0600), 0);
    signal(SIGALRM, on_alarm);
    alarm(10);
    sb_h5file f;
    sb_err err = {0};
    assert_int_equal(sb_h5_open(&f, p, &err), SB_EINPUT);
    alarm(0);
    assert_non_null(strstr(err.msg, "not a regular file (a FIFO)"));
    assert_int_equal(sb_h5_open(&f, dir, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "a directory"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_array_size_arithmetic), cmocka_unit_test(test_rank3_product_overflows),
        cmocka_unit_test(test_extended_past_limit),   cmocka_unit_test(test_extended_partly_written),
        cmocka_unit_test(test_never_written),         cmocka_unit_test(test_rank9),
        cmocka_unit_test(test_external_storage),      cmocka_unit_test(test_good_file_still_reads),
        cmocka_unit_test(test_attribute_shapes),      cmocka_unit_test(test_empty_group),
        cmocka_unit_test(test_member_name_with_newline), cmocka_unit_test(test_fifo_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
