/* test_forecast_finish.c — forecasting finish from unit records (forecast_record.h layout):
 * a record built by hand decodes to the numbers derived below, the task's own encoder writes
 * the same bytes, and every corrupt record — absurd counts behind a valid journal checksum
 * (issue 12: a heap overflow on --resume), any truncation, any changed byte — is refused with
 * SB_EINPUT naming the unit, never read past its end (scripts/test.sh runs this under ASan/UBSan
 * and valgrind).
 *
 * The hand-made record: one log "L", 1 ground-truth row, 2 predictions; one ground-truth agent
 * counted in (static, REGULAR_VEHICLE); the two predictions listed (one category group,
 * REGULAR_VEHICLE) in sweep order, (0.9, /pred row 10) then (0.8, row 11); one cell, (REGULAR_VEHICLE, static, 2 m), with two records: rank
 * 0 matched and TP with ADE 0.5 and FDE 1.0, rank 1 (delta 1) unmatched. So that cell has
 * recall [1, 1] and precision [1, 0.5]: AP = mean(np.interp(np.linspace(0, 1, 101), [1, 1],
 * [1, 0.5], right=0)) = (100 + 0.5) / 101 = 0.99505; ADE 0.5, FDE 1; the other three thresholds
 * of the pair have npos 1 and no record (AP 0), so mAP_F = round(mean(0.99505, 0, 0, 0), 3) =
 * 0.249 (numpy gives the same); n_gt 1, n_pred 2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/forecast/forecast_finish.h"
#include "tasks/forecast/forecast_record.h"

#define RV 15 /* REGULAR_VEHICLE */

typedef struct spec {
    uint64_t version, nparts, name_len;
    uint64_t gt_rows, pred_rows, dropped, frames;
    uint64_t n_gt, n_pred;            /* of (static, REGULAR_VEHICLE) */
    uint64_t ntable;                  /* entries written: at most the two of the header */
    uint64_t cnt, bytes, delta1;      /* of the one cell; bytes 0: the true length */
} spec;

static const spec VALID = {SB_FC_REC_VERSION, 1, 1, 1, 2, 0, 1, 1, 2, 2, 2, 0, 1};

static void build(sb_buf *b, const spec *s)
{
    sb_buf payload;
    sb_buf_init(&payload);
    sb_fc_put_varint(&payload, 0 << 2 | SB_FC_REC_MATCHED | SB_FC_REC_TP);
    sb_buf_put_f64(&payload, 0.5);
    sb_buf_put_f64(&payload, 1.0);
    sb_fc_put_varint(&payload, s->delta1 << 2);
    sb_buf_init(b);
    sb_buf_put_u64(b, s->version);
    sb_fc_put_varint(b, s->nparts);
    sb_fc_put_varint(b, s->name_len);
    sb_buf_put(b, "L", 1);
    sb_fc_put_varint(b, s->gt_rows);
    sb_fc_put_varint(b, s->pred_rows);
    sb_fc_put_varint(b, s->dropped);
    sb_fc_put_varint(b, s->frames);
    sb_fc_put_varint(b, 1);                         /* one (profile, category) count */
    sb_fc_put_varint(b, 0 * SB_FC_NCAT + RV);
    sb_fc_put_varint(b, s->n_gt);
    sb_fc_put_varint(b, s->n_pred);
    sb_fc_put_varint(b, 1);                         /* one category group */
    sb_fc_put_varint(b, RV);
    sb_fc_put_varint(b, s->ntable);
    static const double score[2] = {0.9, 0.8};
    for (uint64_t k = 0; k < s->ntable && k < 2; k++) {
        sb_buf_put_f64(b, score[k]);
        sb_fc_put_varint(b, 10 + k);
    }
    sb_fc_put_varint(b, 1);                         /* one cell */
    sb_fc_put_varint(b, (uint64_t)sb_fc_cell(RV, 0, SB_FC_TH_ADE));
    sb_fc_put_varint(b, s->cnt);
    sb_fc_put_varint(b, s->bytes ? s->bytes : payload.len);
    sb_buf_put(b, payload.data, payload.len);
    sb_buf_free(&payload);
}

static int finish(const unsigned char *data, size_t len, sb_tables *out, sb_err *err)
{
    static const sb_unit units[1] = {{.id = 0, .key = "L"}};
    sb_record rec = {0, 0, data, len};
    memset(out, 0, sizeof *out);
    sb_err_clear(err);
    return sb_fc_finish(units, &rec, 1, out, err);
}

static void check_valid_table(const sb_tables *t)
{
    assert_int_equal(t->n, 2);
    const sb_table *f = &t->t[0], *logs = &t->t[1];
    assert_int_equal(f->nrows, 108);
    assert_string_equal(sb_table_cell(f, RV, 0)->str, "static");
    assert_string_equal(sb_table_cell(f, RV, 1)->str, "REGULAR_VEHICLE");
    assert_true(sb_table_cell(f, RV, 2)->num == 0.249);
    assert_true(sb_table_cell(f, RV, 3)->num == 0.5);
    assert_true(sb_table_cell(f, RV, 4)->num == 1.0);
    assert_int_equal(sb_table_cell(f, RV, 5)->i, 1);
    assert_int_equal(sb_table_cell(f, RV, 6)->i, 2);
    assert_int_equal(logs->nrows, 1);
    assert_string_equal(sb_table_cell(logs, 0, 0)->str, "L");
    assert_int_equal(sb_table_cell(logs, 0, 1)->i, 1);
    assert_int_equal(sb_table_cell(logs, 0, 3)->i, 2);
}

static void test_valid_record(void **state)
{
    (void)state;
    sb_buf b;
    build(&b, &VALID);
    sb_tables t;
    sb_err err;
    assert_int_equal(finish(b.data, b.len, &t, &err), 0);
    check_valid_table(&t);
    sb_tables_free(&t);
    sb_buf_free(&b);
}

/* The task's encoder, given the records the matcher would make, writes those same bytes. */
static void test_encoder_writes_the_layout(void **state)
{
    (void)state;
    static sb_fc_recset rs;
    sb_fc_recset_init(&rs);
    sb_err err;
    sb_fc_record r0 = {0.9, 0, 0.5, 1.0, 1, 1}, r1 = {0.8, 1, 0.0, 0.0, 0, 0};
    sb_fc_run *run = &rs.cell[sb_fc_cell(RV, 0, SB_FC_TH_ADE)];
    assert_int_equal(sb_fc_run_push(run, &r1, &err), 0); /* any order: the encoder sorts */
    assert_int_equal(sb_fc_run_push(run, &r0, &err), 0);
    rs.n_gt[0][RV] = 1;
    rs.n_pred[0][RV] = 2;
    rs.n_frames = 1;
    const double score[2] = {0.9, 0.8};
    const int64_t index[2] = {10, 11};
    const int32_t category[2] = {RV, RV};
    sb_fc_pred pred = {.n = 2, .k = 1, .index = index, .category = category, .score = score};
    sb_fc_enc *e;
    assert_int_equal(sb_fc_enc_new(&e, &err), 0);
    sb_buf got, want;
    sb_buf_init(&got);
    sb_buf_put_u64(&got, SB_FC_REC_VERSION);
    sb_fc_put_varint(&got, 1);
    assert_int_equal(sb_fc_part_encode(&got, e, "L", 1, &pred, 0, &rs, &err), 0);
    build(&want, &VALID);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.data, want.data, want.len);
    sb_fc_enc_free(e);
    sb_fc_recset_free(&rs);
    sb_buf_free(&got);
    sb_buf_free(&want);
}

static void expect_corrupt(const spec *s, const char *what)
{
    sb_buf b;
    build(&b, s);
    sb_tables t;
    sb_err err;
    assert_int_equal(finish(b.data, b.len, &t, &err), SB_EINPUT);
    if (!strstr(err.msg, what)) fail_msg("message '%s' lacks '%s'", err.msg, what);
    sb_tables_free(&t);
    sb_buf_free(&b);
}

static void test_absurd_counts(void **state)
{
    (void)state;
    spec s;
    s = VALID, s.version = 2;
    expect_corrupt(&s, "forecast unit L has format version 2");
    s = VALID, s.nparts = (uint64_t)1 << 62;
    expect_corrupt(&s, "journal record of forecast unit L is corrupt");
    s = VALID, s.name_len = (uint64_t)1 << 62;
    expect_corrupt(&s, "log name");
    s = VALID, s.ntable = (uint64_t)1 << 61, s.pred_rows = (uint64_t)1 << 61;
    expect_corrupt(&s, "lists 2305843009213693952 predictions of category 15");
    s = VALID, s.cnt = (uint64_t)1 << 40;
    expect_corrupt(&s, "holds 1099511627776 records");
    s = VALID, s.bytes = (uint64_t)1 << 50;
    expect_corrupt(&s, "bytes left");
    s = VALID, s.n_gt = 5;
    expect_corrupt(&s, "exceed the log's rows");
    s = VALID, s.dropped = 3;
    expect_corrupt(&s, "row counts");
    s = VALID, s.delta1 = 5; /* rank 5 of a list of 2 */
    expect_corrupt(&s, "the records of log L in cell REGULAR_VEHICLE/static/2 m do not decode");
    s = VALID, s.delta1 = 0; /* rank 0 twice */
    expect_corrupt(&s, "do not decode");
}

/* Two records whose counts are each fine but add up beyond 2^63. */
static void test_counts_overflow_across_records(void **state)
{
    (void)state;
    spec s = VALID;
    s.gt_rows = s.n_gt = (uint64_t)1 << 62;
    sb_buf a, b;
    build(&a, &s);
    s.delta1 = 1;
    build(&b, &s);
    static const sb_unit units[3] = {{.id = 0, .key = "A"}, {.id = 1, .key = "B"}, {.id = 2, .key = "C"}};
    sb_record rec[3] = {{0, 0, a.data, a.len}, {1, 0, b.data, b.len}, {2, 0, a.data, a.len}};
    sb_tables t = {0};
    sb_err err;
    assert_int_equal(sb_fc_finish(units, rec, 3, &t, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "beyond 2^63"));
    sb_tables_free(&t);
    sb_buf_free(&a);
    sb_buf_free(&b);
}

/* Every prefix is refused; every changed byte is refused or decodes to some table. */
static void test_truncated_and_changed_bytes(void **state)
{
    (void)state;
    sb_buf b;
    build(&b, &VALID);
    sb_tables t;
    sb_err err;
    for (size_t len = 0; len < b.len; len++) {
        unsigned char *copy = malloc(len ? len : 1); /* exact size: ASan sees any overrun */
        memcpy(copy, b.data, len);
        assert_int_equal(finish(copy, len, &t, &err), SB_EINPUT);
        sb_tables_free(&t);
        free(copy);
    }
    for (size_t i = 0; i < b.len; i++)
        for (int x = 1; x < 256; x <<= 1) {
            unsigned char *copy = malloc(b.len);
            memcpy(copy, b.data, b.len);
            copy[i] ^= (unsigned char)x;
            int rc = finish(copy, b.len, &t, &err);
            assert_true(rc == 0 || rc == SB_EINPUT);
            sb_tables_free(&t);
            free(copy);
        }
    sb_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_record),
        cmocka_unit_test(test_encoder_writes_the_layout),
        cmocka_unit_test(test_absurd_counts),
        cmocka_unit_test(test_counts_overflow_across_records),
        cmocka_unit_test(test_truncated_and_changed_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
