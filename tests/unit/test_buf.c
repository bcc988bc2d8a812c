/* test_buf.c — record encoding and the checked reads that decoders use on journal bytes.
 *
 * A count is only returned when count × elem_size fits in the bytes that follow it and
 * count <= max; the cases below are at the boundary (exactly fits / one more), at a product
 * that wraps 64 bits (2^61 × 8 = 2^64 ≡ 0), and after an earlier short read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/buf.h"

/* A record: count, then k doubles. */
static void record(sb_buf *b, uint64_t count, size_t k)
{
    sb_buf_init(b);
    sb_buf_put_u64(b, count);
    for (size_t i = 0; i < k; i++)
        sb_buf_put_f64(b, (double)i);
}

static void test_round_trip(void **st)
{
    (void)st;
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_put_str(&b, "abc");
    sb_buf_put_i64(&b, -7);
    sb_buf_put_f64(&b, 0.25);
    sb_reader r;
    sb_reader_init(&r, b.data, b.len);
    char s[8];
    sb_get_str(&r, s, sizeof s);
    assert_string_equal(s, "abc");
    assert_int_equal(sb_get_i64(&r), -7);
    assert_true(sb_get_f64(&r) == 0.25);
    assert_int_equal(r.bad, 0);
    sb_get_u64(&r); /* past the end */
    assert_int_equal(r.bad, 1);
    sb_buf_free(&b);
}

static void test_count_fits_exactly(void **st)
{
    (void)st;
    sb_buf b;
    record(&b, 3, 3);
    sb_reader r;
    sb_reader_init(&r, b.data, b.len);
    assert_int_equal(sb_get_count(&r, 8, 100), 3);
    assert_int_equal(r.bad, 0);
    sb_buf_free(&b);
}

static void test_count_one_too_many(void **st)
{
    (void)st;
    sb_buf b;
    record(&b, 4, 3);
    sb_reader r;
    sb_reader_init(&r, b.data, b.len);
    assert_int_equal(sb_get_count(&r, 8, 100), 0);
    assert_int_equal(r.bad, 1);
    sb_buf_free(&b);
}

static void test_count_product_wraps(void **st)
{
    (void)st;
    sb_buf b;
    record(&b, (uint64_t)1 << 61, 1); /* 2^61 × 8 wraps to 0: must not pass as "fits" */
    sb_reader r;
    sb_reader_init(&r, b.data, b.len);
    assert_int_equal(sb_get_count(&r, 8, UINT64_MAX), 0);
    assert_int_equal(r.bad, 1);
    sb_buf_free(&b);
}

static void test_count_above_max(void **st)
{
    (void)st;
    sb_buf b;
    record(&b, 3, 3);
    sb_reader r;
    sb_reader_init(&r, b.data, b.len);
    assert_int_equal(sb_get_count(&r, 8, 2), 0);
    assert_int_equal(r.bad, 1);
    /* elem_size 0: items not in this record; only max bounds the count. */
    sb_reader_init(&r, b.data, b.len);
    assert_int_equal(sb_get_count(&r, 0, 3), 3);
    assert_int_equal(r.bad, 0);
    sb_buf_free(&b);
}

static void test_bad_reader_stays_bad(void **st)
{
    (void)st;
    sb_buf b;
    record(&b, 1, 1);
    sb_reader r;
    sb_reader_init(&r, b.data, 4); /* truncated count */
    assert_int_equal(sb_get_count(&r, 8, 100), 0);
    assert_int_equal(r.bad, 1);
    sb_reader_init(&r, b.data, b.len);
    r.bad = 1;
    assert_int_equal(sb_reader_has(&r, 0, 8), 0);
    sb_reader_init(&r, b.data, b.len);
    assert_int_equal(sb_reader_has(&r, 2, 8), 1);  /* 16 bytes left */
    assert_int_equal(sb_reader_has(&r, 3, 8), 0);
    assert_int_equal(r.bad, 1);
    sb_buf_free(&b);
}

static void test_strdup_absurd_length(void **st)
{
    (void)st;
    sb_buf b;
    record(&b, UINT64_MAX, 1); /* a string length prefix of 2^64 − 1 */
    sb_reader r;
    sb_reader_init(&r, b.data, b.len);
    assert_null(sb_get_strdup(&r));
    assert_int_equal(r.bad, 1);
    sb_buf_free(&b);
}

static void test_empty_reader(void **st)
{
    (void)st;
    sb_reader r;
    sb_reader_init(&r, NULL, 0); /* a record without data: no arithmetic on NULL (UBSan) */
    assert_int_equal(sb_get_count(&r, 8, 10), 0);
    assert_int_equal(r.bad, 1);
    char s[4] = "x";
    sb_get_str(&r, s, sizeof s);
    assert_string_equal(s, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),          cmocka_unit_test(test_count_fits_exactly),
        cmocka_unit_test(test_count_one_too_many),  cmocka_unit_test(test_count_product_wraps),
        cmocka_unit_test(test_count_above_max),     cmocka_unit_test(test_bad_reader_stays_bad),
        cmocka_unit_test(test_strdup_absurd_length), cmocka_unit_test(test_empty_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
