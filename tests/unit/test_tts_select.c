/* test_tts_select.c — test-time selection on one image (src/tasks/tts/tts_select.c).
 *
 * By hand, from specs/tts.md "Worked examples": the 4-channel nearest example (scores, zeroed
 * channels 1 and 3, p1 0.880797077978 and 0.731058578630 for none), the all-equal-scores case
 * (channels 0 and 1 zeroed, boundary_tie), the bilinear value 4422/223 at pixel (100, 37).
 * z = int((1 − perc)·C) as Python computes it (perc 0.9 of 10 zeroes none). Budgets take the
 * first min(b, count) keypoints; an image whose only keypoints have weight 0 is left unmasked.
 * `random` selection is a deterministic permutation per (seed, set, image).
 * Against the authors' PyTorch code (tests/reference/tts_ref.py, skin-tts@27d9477 TTActivation,
 * torch 1.13): 6 cases × 5 random images, nearest and bilinear, scores ≥ 1e-4 apart at the
 * boundary: the same zeroed channels, logits to 1e-6 (float32 there); against the spec in numpy
 * float64 on the same data: logits and p1 to 1e-12. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/tts/tts_select.h"
#include "tts_ref_data.h"

static void close_to(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fmax(1.0, fabs(want))))
        fail_msg("got %.17g, want %.17g (rel %g)", got, want, rel);
}

/* One image through sb_tts_eval_image with a single budget, α and perc. */
typedef struct one {
    sb_tts_work w;
    sb_tts_result r;
    uint32_t np[8], nn[8];
    sb_tts_cell cell[8];
} one;

static void eval_one(one *o, const sb_tts_model *m, const sb_tts_grid *g, const sb_tts_image *im)
{
    sb_err err;
    size_t kp = im->n_pos > im->n_neg ? im->n_pos : im->n_neg;
    assert_int_equal(sb_tts_work_init(&o->w, m->C, kp, &err), 0);
    o->r.n_pos_used = o->np;
    o->r.n_neg_used = o->nn;
    o->r.cell = o->cell;
    assert_int_equal(sb_tts_eval_image(m, g, im, &o->w, &o->r, &err), 0);
}

static const size_t ID[8] = {0, 1, 2, 3, 4, 5, 6, 7};

static void test_worked_example(void **st)
{
    (void)st;
    /* A0 = [[4,0],[0,0]], A1 = [[0,0],[0,6]], A2 = all 1, A3 = [[2,0],[0,2]] */
    const float A[16] = {4, 0, 0, 0, 0, 0, 0, 6, 1, 1, 1, 1, 2, 0, 0, 2};
    const int64_t pos[4] = {0, 0, 1, 1}, neg[4] = {3, 3, 2, 3};
    const double W[8] = {0, 0, 0, 0, 1, -1, 2, 0.5}, b[2] = {0, -1};
    const long budgets[1] = {SB_TTS_ALL};
    const double alpha[1] = {0.4}, perc[1] = {0.5};
    sb_tts_model m = {4, 2, 2, 4, W, b};
    sb_tts_grid g = {1, 1, 1, budgets, alpha, perc, SB_TTS_NEAREST};
    sb_tts_image im = {A, pos, neg, 2, 2, ID, ID};
    one o;
    eval_one(&o, &m, &g, &im);
    const double want_score[4] = {3.2, -7.2, -0.4, -0.8};
    for (int c = 0; c < 4; c++)
        close_to(o.w.score[c], want_score[c], 1e-15);
    assert_true(o.w.rank[1] < 2 && o.w.rank[3] < 2 && o.w.rank[0] >= 2 && o.w.rank[2] >= 2);
    assert_int_equal(o.cell[0].n_zeroed, 2);
    assert_int_equal(o.cell[0].boundary_tie, 0);
    close_to(o.cell[0].l0, 0, 1e-15);
    close_to(o.cell[0].l1, 2, 1e-15);
    close_to(o.cell[0].p1, 0.880797077978, 1e-12);
    close_to(o.r.p1_none, 0.731058578630, 1e-12);
    assert_int_equal(o.cell[0].pred, 1);
    sb_tts_work_free(&o.w);
}

static void test_all_scores_tied(void **st)
{
    (void)st;
    /* Every channel equal: every score equal, so the index decides and the boundary is a tie. */
    float A[16];
    for (int i = 0; i < 16; i++)
        A[i] = 1;
    const int64_t pos[2] = {0, 0}, neg[2] = {3, 3};
    const double W[8] = {0, 0, 0, 0, 1, 2, 4, 8}, b[2] = {0, 0};
    const long budgets[1] = {SB_TTS_ALL};
    const double alpha[1] = {0.4}, perc[1] = {0.5};
    sb_tts_model m = {4, 2, 2, 4, W, b};
    sb_tts_grid g = {1, 1, 1, budgets, alpha, perc, SB_TTS_NEAREST};
    sb_tts_image im = {A, pos, neg, 1, 1, ID, ID};
    one o;
    eval_one(&o, &m, &g, &im);
    assert_true(o.w.rank[0] == 0 && o.w.rank[1] == 1);
    assert_int_equal(o.cell[0].boundary_tie, 1);
    close_to(o.cell[0].l1, 12, 1e-15); /* channels 2 and 3 kept: 4 + 8 */
    sb_tts_work_free(&o.w);
}

static void test_bilinear_value(void **st)
{
    (void)st;
    float A[49];
    for (int r = 0; r < 7; r++)
        for (int q = 0; q < 7; q++)
            A[r * 7 + q] = (float)(7 * r + q);
    close_to(sb_tts_upsampled(A, 7, 7, 224, SB_TTS_BILINEAR, 100, 37), 4422.0 / 223.0, 1e-14);
    close_to(sb_tts_upsampled(A, 7, 7, 224, SB_TTS_BILINEAR, 100, 37), 19.829596412556, 1e-12);
    /* corners sit on corner cells (align_corners), nearest reads cell (r/32, q/32) */
    close_to(sb_tts_upsampled(A, 7, 7, 224, SB_TTS_BILINEAR, 223, 223), 48, 0);
    close_to(sb_tts_upsampled(A, 7, 7, 224, SB_TTS_NEAREST, 100, 37), 7 * 3 + 1, 0);
}

static void test_zeroed_count(void **st)
{
    (void)st;
    assert_int_equal(sb_tts_zeroed_count(0.1, 2048), 1843);
    assert_int_equal(sb_tts_zeroed_count(0.9, 10), 0); /* (1 − 0.9)·10 = 0.999…98 */
    assert_int_equal(sb_tts_zeroed_count(0.7, 10), 3); /* 3.0000000000000004 */
    assert_int_equal(sb_tts_zeroed_count(1.0, 10), 0);
    assert_int_equal(sb_tts_zeroed_count(0.5, 4), 2);
}

static void test_budgets_and_no_keypoints(void **st)
{
    (void)st;
    /* 2 channels on 1×1 maps: channel 0 = 1, channel 1 = 2; three positives, one negative. */
    const float A[2] = {1, 2};
    const int64_t pos[6] = {0, 0, 0, 0, 0, 0}, neg[2] = {0, 0};
    const double W[4] = {0, 0, 1, 1}, b[2] = {0, 0};
    const long budgets[3] = {1, 2, SB_TTS_ALL};
    const double alpha[2] = {1, 0.5}, perc[1] = {0.5};
    sb_tts_model m = {2, 1, 1, 4, W, b};
    sb_tts_grid g = {3, 2, 1, budgets, alpha, perc, SB_TTS_NEAREST};
    sb_tts_image im = {A, pos, neg, 3, 1, ID, ID};
    one o;
    eval_one(&o, &m, &g, &im);
    const uint32_t want_np[3] = {1, 2, 3};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(o.np[k], want_np[k]);
        assert_int_equal(o.nn[k], 1);
    }
    sb_tts_work_free(&o.w);
    /* α = 1 without positives: nothing usable, unmasked and flagged; α = 0.5 uses the negative. */
    sb_tts_image im2 = {A, pos, neg, 0, 1, ID, ID};
    eval_one(&o, &m, &g, &im2);
    for (int k = 0; k < 3; k++) {
        const sb_tts_cell *c1 = &o.cell[k * 2], *c2 = &o.cell[k * 2 + 1];
        assert_int_equal(c1->no_keypoints, 1);
        assert_int_equal(c1->n_zeroed, 0);
        close_to(c1->p1, o.r.p1_none, 0);
        assert_int_equal(c2->no_keypoints, 0);
        assert_int_equal(c2->n_zeroed, 1);
        close_to(c2->l1, 1, 0); /* channel 1 fires more on the negative: zeroed */
    }
    sb_tts_work_free(&o.w);
}

static void test_random_order(void **st)
{
    (void)st;
    size_t a[20], b[9], c[20], d[9];
    sb_tts_random_order(7, "set", 3, 20, 9, a, b);
    sb_tts_random_order(7, "set", 3, 20, 9, c, d);
    assert_memory_equal(a, c, sizeof a);
    assert_memory_equal(b, d, sizeof b);
    int seen[20] = {0};
    for (int i = 0; i < 20; i++)
        seen[a[i]]++;
    for (int i = 0; i < 20; i++)
        assert_int_equal(seen[i], 1);
    sb_tts_random_order(7, "set", 4, 20, 9, c, d);
    assert_true(memcmp(a, c, sizeof a) != 0);
    sb_tts_random_order(8, "set", 3, 20, 9, c, d);
    assert_true(memcmp(a, c, sizeof a) != 0);
}

static void test_against_reference(void **st)
{
    (void)st;
    const long budgets[1] = {SB_TTS_ALL};
    size_t map = (size_t)TTS_REF_C * TTS_REF_H * TTS_REF_W;
    double worst_torch = 0;
    for (int k = 0; k < TTS_REF_CASES; k++) {
        const tts_ref_case *tc = &tts_ref_cases[k];
        sb_tts_model m = {TTS_REF_C, TTS_REF_H, TTS_REF_W, TTS_REF_S, tts_ref_weight, tts_ref_bias};
        sb_tts_grid g = {1, 1, 1, budgets, &tc->alpha, &tc->perc, tc->bilinear ? SB_TTS_BILINEAR : SB_TTS_NEAREST};
        size_t z = sb_tts_zeroed_count(tc->perc, TTS_REF_C);
        for (int i = 0; i < TTS_REF_N; i++) {
            sb_tts_image im = {tts_ref_features + (size_t)i * map, tts_ref_pos + (size_t)i * TTS_REF_P * 2,
                               tts_ref_neg + (size_t)i * TTS_REF_Q * 2, (size_t)tc->amt_pos, (size_t)tc->amt_neg, ID, ID};
            one o;
            eval_one(&o, &m, &g, &im);
            size_t at = (size_t)(k * TTS_REF_N + i);
            const int *want = tts_ref_zeroed + at * TTS_REF_C;
            int zeroed[TTS_REF_C], nz = 0;
            for (int c = 0; c < TTS_REF_C; c++)
                if (o.w.rank[c] < z)
                    zeroed[nz++] = c;
            assert_int_equal((size_t)nz, z);
            assert_int_equal(o.cell[0].n_zeroed, z);
            for (int j = 0; j < nz; j++)
                assert_int_equal(zeroed[j], want[j]);
            const double l[2] = {o.cell[0].l0, o.cell[0].l1};
            for (int c = 0; c < 2; c++) {
                close_to(l[c], tts_ref_logits_torch[at * 2 + (size_t)c], 1e-6);
                close_to(l[c], tts_ref_logits_spec[at * 2 + (size_t)c], 1e-12);
                double d = fabs(l[c] - tts_ref_logits_torch[at * 2 + (size_t)c]);
                worst_torch = d > worst_torch ? d : worst_torch;
            }
            close_to(o.cell[0].p1, tts_ref_p1_spec[at], 1e-12);
            sb_tts_work_free(&o.w);
        }
    }
    print_message("largest |logit - PyTorch float32 logit|: %.3g\n", worst_torch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),    cmocka_unit_test(test_all_scores_tied),
        cmocka_unit_test(test_bilinear_value),    cmocka_unit_test(test_zeroed_count),
        cmocka_unit_test(test_budgets_and_no_keypoints), cmocka_unit_test(test_random_order),
        cmocka_unit_test(test_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
