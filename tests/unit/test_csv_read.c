/* test_csv_read.c — the CSV reader (src/io/csv_read.c): line numbers, ragged rows, NUL bytes,
 * size limits, repeated header names, number and integer fields, non-regular files. Every
 * refusal must be one line naming file, line, row and column. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/csv_read.h"

static sb_csv read_ok(const char *bytes, size_t len)
{
    sb_csv t;
    sb_err err = {0};
    if (sb_csv_read_bytes(&t, "t.csv", bytes, len, &err))
        fail_msg("read failed: %s", err.msg);
    return t;
}

static void read_bad(const char *bytes, size_t len, const char *want)
{
    sb_csv t;
    sb_err err = {0};
    int rc = sb_csv_read_bytes(&t, "t.csv", bytes, len, &err);
    if (!rc)
        fail_msg("read, but should fail with '%s'", want);
    assert_int_equal(rc, SB_EINPUT);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' lacks '%s'", err.msg, want);
    assert_null(strchr(err.msg, '\n'));
    assert_null(t.header);
    assert_int_equal(t.nrows, 0);
}

#define OK(lit) read_ok(lit, sizeof(lit) - 1)
#define BAD(lit, want) read_bad(lit, sizeof(lit) - 1, want)

static void test_lines_and_quotes(void **state)
{
    (void)state;
    sb_csv t = OK("a,b\n\n1,\"x,\ny\"\r\n2,3");
    assert_int_equal(t.ncols, 2);
    assert_int_equal(t.nrows, 2);
    assert_string_equal(sb_csv_get(&t, 0, 1), "x,\ny");
    assert_int_equal(t.line[0], 4); /* the row starts on line 3 and ends on line 4 */
    assert_int_equal(t.line[1], 5);
    assert_string_equal(sb_csv_get(&t, 1, 1), "3");
    sb_csv_free(&t);
}

static void test_ragged_rows(void **state)
{
    (void)state;
    BAD("a,b,c\n1,2,3\n\n4,5\n", "t.csv line 4 (row 2), column c: 2 fields, but the header has 3");
    BAD("a,b\n1,2,3\n", "t.csv line 2 (row 1), field 3: 3 fields, but the header has 2");
}

static void test_nul_bytes(void **state)
{
    (void)state;
    BAD("a,b\n1,x\0y\n", "t.csv line 2 (row 1), column b: a NUL byte");
    BAD("a,\0\n", "t.csv line 1 (header), field 2: a NUL byte");
}

static void test_header(void **state)
{
    (void)state;
    BAD("", "t.csv: empty file (no header line)");
    BAD("\n\n", "t.csv: empty file");
    BAD("x,y,x\n1,2,3\n", "t.csv line 1: column 'x' appears twice in the header (fields 1 and 3)");
    BAD("a,\"b\nc\"\n1,2\n", "t.csv line 2 (header), field 2: a column name with a control character");
}

/* Text of the file quoted in a message never breaks it over lines. */
static void test_one_line_messages(void **state)
{
    (void)state;
    sb_csv t = OK("v\n\"1\n2\"\n");
    double v;
    sb_err err = {0};
    assert_int_equal(sb_csv_number(&t, 0, 0, &v, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "column v: '1?2' is not a finite number"));
    size_t col;
    assert_int_equal(sb_csv_col(&t, "a\nb", &col, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "no column 'a?b'"));
    sb_csv_free(&t);
}

/* A field may be 1 MiB, not one byte more, quoted or not; a row up to 10000 fields. */
static void test_limits(void **state)
{
    (void)state;
    size_t big = SB_CSV_MAX_FIELD + 2;
    char *buf = malloc(big + 64);
    for (int quoted = 0; quoted < 2; quoted++) {
        for (size_t extra = 0; extra < 2; extra++) {
            size_t n = SB_CSV_MAX_FIELD + extra, k = 0;
            k += (size_t)sprintf(buf, "a\n%s", quoted ? "\"" : "");
            memset(buf + k, 'x', n);
            k += n;
            k += (size_t)sprintf(buf + k, "%s\n", quoted ? "\"" : "");
            sb_csv t;
            sb_err err = {0};
            int rc = sb_csv_read_bytes(&t, "t.csv", buf, k, &err);
            if (extra) {
                assert_int_equal(rc, SB_EINPUT);
                assert_non_null(strstr(err.msg, "t.csv line 2 (row 1), column a: a field longer than"));
            } else {
                assert_int_equal(rc, 0);
                assert_int_equal(strlen(sb_csv_get(&t, 0, 0)), n);
                sb_csv_free(&t);
            }
        }
    }
    free(buf);
    /* A header of 10000 distinct names is read; one name more is refused. */
    size_t cols = SB_CSV_MAX_COLS + 1, k = 0, at_limit = 0;
    buf = malloc(8 * cols);
    for (size_t i = 0; i < cols; i++) {
        k += (size_t)sprintf(buf + k, "c%zu%s", i, i + 1 < cols ? "," : "\n");
        if (i + 2 == cols)
            at_limit = k;
    }
    sb_csv t;
    sb_err err = {0};
    assert_int_equal(sb_csv_read_bytes(&t, "t.csv", buf, at_limit - 1, &err), 0);
    assert_int_equal(t.ncols, SB_CSV_MAX_COLS);
    sb_csv_free(&t);
    assert_int_equal(sb_csv_read_bytes(&t, "t.csv", buf, k, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "t.csv line 1 (header), field 10001: more fields in one row than"));
    free(buf);
}

static void test_numbers(void **state)
{
    (void)state;
    sb_csv t = OK("v\n1.5\nnan\ninf\n1e999\n-1e999\nabc\n\n1x\n1e-400\n\"2.5 \"\n0x10\n");
    double v;
    sb_err err = {0};
    assert_int_equal(sb_csv_number(&t, 0, 0, &v, &err), 0);
    assert_true(v == 1.5);
    for (size_t r = 1; r <= 6; r++) {
        assert_int_equal(sb_csv_number(&t, r, 0, &v, &err), SB_EINPUT);
        char want[64];
        snprintf(want, sizeof want, "(row %zu), column v: '", r + 1);
        assert_non_null(strstr(err.msg, want));
        assert_non_null(strstr(err.msg, "' is not a finite number"));
    }
    assert_non_null(strstr(err.msg, "t.csv line 9 (row 7), column v: '1x'"));
    assert_int_equal(sb_csv_number(&t, 7, 0, &v, &err), 0); /* an underflow is the number 0 */
    assert_true(fabs(v) < 1e-300);
    assert_int_equal(sb_csv_number(&t, 8, 0, &v, &err), 0);
    assert_true(v == 2.5);
    sb_csv_free(&t);
}

static void test_integers(void **state)
{
    (void)state;
    sb_csv t = OK("n\n12\n-1\n9223372036854775807\n9223372036854775808\n1.5\n1e3\n");
    long long v;
    sb_err err = {0};
    assert_int_equal(t.nrows, 6);
    assert_int_equal(sb_csv_int64(&t, 0, 0, 0, 100, &v, &err), 0);
    assert_int_equal(v, 12);
    assert_int_equal(sb_csv_int64(&t, 1, 0, 0, 100, &v, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "t.csv line 3 (row 2), column n: '-1' is not an integer in [0, 100]"));
    assert_int_equal(sb_csv_int64(&t, 2, 0, LLONG_MIN, LLONG_MAX, &v, &err), 0);
    assert_true(v == LLONG_MAX);
    for (size_t r = 3; r < 6; r++)
        assert_int_equal(sb_csv_int64(&t, r, 0, LLONG_MIN, LLONG_MAX, &v, &err), SB_EINPUT);
    sb_csv_free(&t);
}

static void test_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/sb_csv_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], fifo[128];
    snprintf(path, sizeof path, "%s/a.csv", dir);
    snprintf(fifo, sizeof fifo, "%s/f.csv", dir);
    FILE *fp = fopen(path, "wb");
    fputs("a,b\n1,2\n", fp);
    fclose(fp);
    sb_csv t;
    sb_err err = {0};
    assert_int_equal(sb_csv_read(&t, path, &err), 0);
    assert_int_equal(t.nrows, 1);
    sb_csv_free(&t);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(sb_csv_read(&t, fifo, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "not a regular file (a FIFO)"));
    assert_int_equal(sb_csv_read(&t, dir, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "a directory"));
    unlink(path);
    unlink(fifo);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_and_quotes), cmocka_unit_test(test_ragged_rows),
        cmocka_unit_test(test_nul_bytes),        cmocka_unit_test(test_header),
        cmocka_unit_test(test_limits),           cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_integers),         cmocka_unit_test(test_files),
        cmocka_unit_test(test_one_line_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
