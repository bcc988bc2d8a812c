/* test_forecast_match.c — per-frame matching, frames, merging of shards, and the conversion of
 * tracks, on cases small enough to follow by hand (each expected value is derived in the
 * comment above it), plus partition invariance on a larger seeded synthetic set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "tasks/forecast/forecast_convert.h"
#include "tasks/forecast/forecast_metrics.h"

#define RV 15  /* REGULAR_VEHICLE, 2.36 m/s */
#define PED 14 /* PEDESTRIAN */

/* ---- one hand-made frame -------------------------------------------------------------------
 * GT (frame 7, ego (0,0)), REGULAR_VEHICLE:
 *   G0 (0,0) standing still, L=6                  -> static
 *   G1 (5,0) moving +1 m per step, L=6            -> |f6-c| = 6 >= tau 1+1*2.36; on its line: linear
 *   G2 (20,0) +1 m/step in y, L=3 (NaN after)     -> |f3-c| = 3 >= tau 1+0.5*2.36 = 2.18; linear
 *   G3 (60,0) beyond 50 m; G4 (1,1) with no future (L=0): neither counts
 * Predictions, K=2, top_k=1 (mode 0 has the higher mode score in Q0, Q1):
 *   Q0 RV (0.3,0) score 0.9, mode 0 = (0,0) x6   -> best-mode profile static (0.3 < 1+(2/6)*2.36)
 *   Q1 RV (5,0.6) score 0.9, mode 0 = G1's future -> linear target (11,-3) is 3 m off: non-linear
 *   Q2 PED (2,2) score 0.5, static; Q3 RV (55,0) beyond range
 * Q1 is matched first (equal score, later row). Static cells: Q1 is 5.04 m from G0 (no match,
 * not static: no record); Q0 matches G0 at 0.3 m for every threshold, ADE = FDE = 0, TP.
 * Linear cells: Q1 is 0.6 m from G1: unmatched at 0.5 (non-linear: no record), matched TP at
 * 1, 2, 4; Q0 (4.7 m from G1, taken at 4 m) gets nothing and is static: no record.
 * Non-linear cells have no GT: Q1 unmatched in all four. PEDESTRIAN static: Q2 unmatched. */
static const double G_CUR[5][2] = {{0, 0}, {5, 0}, {20, 0}, {60, 0}, {1, 1}};
static double g_fut[5][6][2];
static const int32_t G_CAT[5] = {RV, RV, RV, RV, RV};
static const double G_EGO[5][2] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}};
static const int64_t G_FRAME[5] = {7, 7, 7, 7, 7};
static const double P_CUR[4][2] = {{0.3, 0}, {5, 0.6}, {2, 2}, {55, 0}};
static double p_modes[4][2][6][2];
static const double P_MS[4][2] = {{0.8, 0.2}, {0.6, 0.1}, {0.5, 0.5}, {0.5, 0.5}};
static const double P_SCORE[4] = {0.9, 0.9, 0.5, 0.7};
static const int32_t P_CAT[4] = {RV, RV, PED, RV};
static const int64_t P_FRAME[4] = {7, 7, 7, 7};

static void fill_hand_frame(void)
{
    for (int s = 0; s < 6; s++) {
        g_fut[0][s][0] = 0, g_fut[0][s][1] = 0;
        g_fut[1][s][0] = 6 + s, g_fut[1][s][1] = 0;
        g_fut[2][s][0] = s < 3 ? 20 : NAN, g_fut[2][s][1] = s < 3 ? 1 + s : NAN;
        g_fut[3][s][0] = 60, g_fut[3][s][1] = 0;
        g_fut[4][s][0] = g_fut[4][s][1] = NAN;
        for (int p = 0; p < 4; p++) {
            p_modes[p][1][s][0] = 30, p_modes[p][1][s][1] = 30;
        }
        p_modes[0][0][s][0] = 0, p_modes[0][0][s][1] = 0;
        p_modes[1][0][s][0] = 6 + s, p_modes[1][0][s][1] = 0;
        p_modes[2][0][s][0] = 2, p_modes[2][0][s][1] = 2;
        p_modes[2][1][s][0] = 2, p_modes[2][1][s][1] = 2;
        p_modes[3][0][s][0] = 55, p_modes[3][0][s][1] = 0;
    }
}

static sb_fc_gt hand_gt(void)
{
    fill_hand_frame();
    return (sb_fc_gt){5, G_FRAME, G_CAT, &G_CUR[0][0], &g_fut[0][0][0], &G_EGO[0][0]};
}

static sb_fc_pred hand_pred(void)
{
    return (sb_fc_pred){4, 2, P_FRAME, NULL, P_CAT, &P_CUR[0][0], P_SCORE, &p_modes[0][0][0][0],
                        &P_MS[0][0]};
}

static const size_t ALL_G[5] = {0, 1, 2, 3, 4}, ALL_P[4] = {0, 1, 2, 3};

static void test_hand_frame_records(void **state)
{
    (void)state;
    sb_fc_gt gt = hand_gt();
    sb_fc_pred pr = hand_pred();
    sb_fc_options opt = {1, 50.0};
    sb_fc_work *w;
    sb_err err = {0};
    static sb_fc_recset rs;
    sb_fc_recset_init(&rs);
    assert_int_equal(sb_fc_work_new(&w, &err), 0);
    assert_int_equal(sb_fc_match_frame(&gt, ALL_G, 5, &pr, ALL_P, 4, &opt, w, &rs, &err), 0);
    assert_int_equal(rs.n_frames, 1);
    assert_int_equal(rs.n_gt[SB_FC_STATIC][RV], 1);
    assert_int_equal(rs.n_gt[SB_FC_LINEAR][RV], 2);
    assert_int_equal(rs.n_gt[SB_FC_NONLINEAR][RV], 0);
    assert_int_equal(rs.n_pred[SB_FC_STATIC][RV], 1);
    assert_int_equal(rs.n_pred[SB_FC_NONLINEAR][RV], 1);
    assert_int_equal(rs.n_pred[SB_FC_STATIC][PED], 1);
    size_t total = 0;
    for (int i = 0; i < SB_FC_NCELL; i++) total += rs.cell[i].n;
    assert_int_equal(total, 4 + 3 + 4 + 4);
    for (int h = 0; h < 4; h++) {
        const sb_fc_run *st = &rs.cell[sb_fc_cell(RV, SB_FC_STATIC, h)];
        assert_int_equal(st->n, 1);
        assert_true(st->rec[0].index == 0 && st->rec[0].matched && st->rec[0].tp &&
                    st->rec[0].ade == 0 && st->rec[0].fde == 0);
        const sb_fc_run *li = &rs.cell[sb_fc_cell(RV, SB_FC_LINEAR, h)];
        assert_int_equal(li->n, h == 0 ? 0 : 1);
        if (h) assert_true(li->rec[0].index == 1 && li->rec[0].matched && li->rec[0].tp);
        const sb_fc_run *nl = &rs.cell[sb_fc_cell(RV, SB_FC_NONLINEAR, h)];
        assert_int_equal(nl->n, 1);
        assert_true(nl->rec[0].index == 1 && !nl->rec[0].matched && !nl->rec[0].tp);
        const sb_fc_run *pd = &rs.cell[sb_fc_cell(PED, SB_FC_STATIC, h)];
        assert_int_equal(pd->n, 1);
        assert_true(pd->rec[0].index == 2 && !pd->rec[0].matched);
    }
    /* table: static RV AP 1 everywhere -> 1.0, ADE 0; linear RV AP 0, 51/101 x3 -> 0.379 */
    static sb_fc_table t;
    sb_fc_cell_result cells[SB_FC_NCELL];
    sb_fc_recset_sort(&rs);
    assert_int_equal(sb_fc_summarize(&rs, cells, &t, &err), 0);
    assert_true(cells[sb_fc_cell(RV, SB_FC_LINEAR, 1)].ap == 51.0 / 101);
    assert_true(cells[sb_fc_cell(RV, SB_FC_LINEAR, 0)].ade == 50.0);
    assert_true(t.map_f[SB_FC_STATIC][RV] == 1.0 && t.ade[SB_FC_STATIC][RV] == 0.0);
    assert_true(t.map_f[SB_FC_LINEAR][RV] == 0.379 && t.fde[SB_FC_LINEAR][RV] == 0.0);
    assert_true(isnan(t.map_f[SB_FC_NONLINEAR][RV]) && isnan(t.map_f[SB_FC_STATIC][PED]));
    assert_true(t.mean_map_f == (1.0 + 0.379) / 2 && t.mean_ade == 0.0);
    sb_fc_recset_free(&rs);
    sb_fc_work_free(w);
}

/* The per-agent values behind the hand frame. */
static void test_derived_profiles_and_range(void **state)
{
    (void)state;
    sb_fc_gt gt = hand_gt();
    sb_fc_pred pr = hand_pred();
    sb_err err = {0};
    sb_fc_gt_agent a;
    const int len[5] = {6, 6, 3, 6, 0}, prof[5] = {SB_FC_STATIC, SB_FC_LINEAR, SB_FC_LINEAR,
                                                   SB_FC_STATIC, -1};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(sb_fc_gt_derive(&gt, i, 50.0, &a, &err), 0);
        assert_int_equal(a.len, len[i]);
        assert_int_equal(a.profile, prof[i]);
        assert_int_equal(a.in_range, i != 3);
    }
    sb_fc_pred_agent q;
    const double ego[2] = {0, 0};
    const int pprof[4] = {SB_FC_STATIC, SB_FC_NONLINEAR, SB_FC_STATIC, SB_FC_STATIC};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(sb_fc_pred_derive(&pr, i, ego, 50.0, &q, &err), 0);
        assert_int_equal(q.profile, pprof[i]);
        assert_int_equal(q.best_mode, 0); /* Q2: equal mode scores, the first wins */
        assert_int_equal(q.in_range, i != 3);
    }
    /* exactly at max_range is out (strict <) */
    assert_int_equal(sb_fc_gt_derive(&gt, 3, 60.0, &a, &err), 0);
    assert_int_equal(a.in_range, 0);
}

/* A frame whose GT has no future: the reference never sees it, nor its predictions. */
static void test_frame_without_future_adds_nothing(void **state)
{
    (void)state;
    sb_fc_gt gt = hand_gt();
    sb_fc_pred pr = hand_pred();
    sb_fc_options opt = {1, 50.0};
    sb_fc_work *w;
    sb_err err = {0};
    static sb_fc_recset rs;
    sb_fc_recset_init(&rs);
    assert_int_equal(sb_fc_work_new(&w, &err), 0);
    const size_t only_g4[1] = {4};
    assert_int_equal(sb_fc_match_frame(&gt, only_g4, 1, &pr, ALL_P, 4, &opt, w, &rs, &err), 0);
    assert_int_equal(rs.n_frames, 0);
    for (int i = 0; i < SB_FC_NCELL; i++) assert_int_equal(rs.cell[i].n, 0);
    assert_int_equal(rs.n_pred[SB_FC_STATIC][RV], 0);
    /* and an empty evaluation is all NaN */
    static sb_fc_table t;
    assert_int_equal(sb_fc_summarize(&rs, NULL, &t, &err), 0);
    assert_true(isnan(t.mean_map_f) && isnan(t.mean_ade) && isnan(t.mean_fde));
    assert_true(isnan(t.map_f[0][0]) && t.n_gt[0][0] == 0);
    sb_fc_recset_free(&rs);
    sb_fc_work_free(w);
}

static void test_bad_input_is_reported(void **state)
{
    (void)state;
    sb_fc_gt gt = hand_gt();
    sb_fc_pred pr = hand_pred();
    sb_fc_options opt = {1, 50.0};
    sb_fc_work *w;
    sb_err err = {0};
    static sb_fc_recset rs;
    sb_fc_recset_init(&rs);
    assert_int_equal(sb_fc_work_new(&w, &err), 0);

    opt.top_k = 3;
    assert_int_equal(sb_fc_match_frame(&gt, ALL_G, 5, &pr, ALL_P, 4, &opt, w, &rs, &err), SB_EUSAGE);
    opt.top_k = 5; /* 2 modes */
    assert_int_equal(sb_fc_match_frame(&gt, ALL_G, 5, &pr, ALL_P, 4, &opt, w, &rs, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "top_k 5"));
    opt.top_k = 1;

    g_fut[1][2][0] = NAN; /* x only */
    assert_int_equal(sb_fc_match_frame(&gt, ALL_G, 5, &pr, ALL_P, 4, &opt, w, &rs, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "/gt/future_xy: row 1 step 3"));
    g_fut[1][2][1] = NAN; /* now a NaN step followed by finite ones */
    assert_int_equal(sb_fc_match_frame(&gt, ALL_G, 5, &pr, ALL_P, 4, &opt, w, &rs, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "row 1 step 4"));
    gt = hand_gt();

    double score[4] = {0.9, NAN, 0.5, 0.7};
    pr.score = score;
    assert_int_equal(sb_fc_match_frame(&gt, ALL_G, 5, &pr, ALL_P, 4, &opt, w, &rs, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "/pred/detection_score: row 1"));
    pr = hand_pred();
    pr.k = 7;
    assert_int_equal(sb_fc_match_frame(&gt, ALL_G, 5, &pr, ALL_P, 4, &opt, w, &rs, &err), SB_EINPUT);
    pr = hand_pred();
    int32_t cat[5] = {RV, RV, 26, RV, RV};
    gt.category = cat;
    assert_int_equal(sb_fc_match_frame(&gt, ALL_G, 5, &pr, ALL_P, 4, &opt, w, &rs, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "/gt/category: row 2"));
    sb_fc_recset_free(&rs);
    sb_fc_work_free(w);
}

/* Predictions take the ego position of the first in-range GT agent (the reference copies
 * ground_truth[log][ts][0] after its range filter). Row 0 is out of range (60 m from its ego
 * (0,0)), row 1 is in range with ego (10,0): a prediction at (58,0) is 48 m from (10,0), in;
 * it would be 58 m from (0,0), out. */
static void test_predictions_take_ego_of_first_in_range_gt(void **state)
{
    (void)state;
    fill_hand_frame();
    const double cur[2][2] = {{60, 0}, {5, 0}}, ego[2][2] = {{0, 0}, {10, 0}};
    const int32_t cat[2] = {RV, RV};
    const int64_t fr[2] = {0, 0};
    sb_fc_gt gt = {2, fr, cat, &cur[0][0], &g_fut[0][0][0], &ego[0][0]};
    const double pcur[2] = {58, 0}, score[1] = {0.5}, ms[2] = {1, 0};
    const int64_t pfr[1] = {0};
    sb_fc_pred pr = {1, 2, pfr, NULL, cat, pcur, score, &p_modes[3][0][0][0], ms};
    sb_fc_options opt = {1, 50.0};
    sb_fc_work *w;
    sb_err err = {0};
    static sb_fc_recset rs;
    sb_fc_recset_init(&rs);
    assert_int_equal(sb_fc_work_new(&w, &err), 0);
    const size_t gr[2] = {0, 1}, pr_rows[1] = {0};
    assert_int_equal(sb_fc_match_frame(&gt, gr, 2, &pr, pr_rows, 1, &opt, w, &rs, &err), 0);
    /* its best mode ends 3 m back and is not on its line: non-linear */
    assert_int_equal(rs.n_pred[SB_FC_NONLINEAR][RV], 1);
    sb_fc_recset_free(&rs);
    sb_fc_work_free(w);
}

/* ---- frames ---------------------------------------------------------------------------------- */
static void test_frame_ids_and_grouping(void **state)
{
    (void)state;
    /* GT keys (log, ts): (1,20) (0,10) (1,20) (0,30); predictions: (0,30) (2,5) (1,20) (0,10) */
    const int32_t gl[4] = {1, 0, 1, 0}, pl[4] = {0, 2, 1, 0};
    const int64_t gts[4] = {20, 10, 20, 30}, pts[4] = {30, 5, 20, 10};
    int64_t gf[4], pf[4];
    sb_err err = {0};
    assert_int_equal(sb_fc_frame_ids(4, gl, gts, 4, pl, pts, gf, pf, &err), 0);
    const int64_t want_g[4] = {2, 0, 2, 1}, want_p[4] = {1, -1, 2, 0};
    for (int i = 0; i < 4; i++) {
        assert_true(gf[i] == want_g[i]);
        assert_true(pf[i] == want_p[i]);
    }
    sb_fc_gt gt = {4, gf, NULL, NULL, NULL, NULL};
    sb_fc_pred pr = {4, 1, pf, NULL, NULL, NULL, NULL, NULL, NULL};
    sb_fc_frames f;
    assert_int_equal(sb_fc_frames_build(&gt, &pr, &f, &err), 0);
    assert_int_equal(f.n_frames, 3);
    assert_int_equal(f.n_pred_dropped, 1);
    /* frame 2 holds GT rows 0 and 2 in row order and prediction row 2 */
    assert_int_equal(f.gt_start[2], 2);
    assert_int_equal(f.gt_rows[2], 0);
    assert_int_equal(f.gt_rows[3], 2);
    assert_int_equal(f.pred_start[2], 2);
    assert_int_equal(f.pred_start[3], 3);
    assert_int_equal(f.pred_rows[2], 2);
    assert_int_equal(f.pred_rows[0], 3); /* frame 0 <- prediction row 3 */
    sb_fc_frames_free(&f);
    sb_fc_gt none = {0, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(sb_fc_frames_build(&none, &pr, &f, &err), 0);
    assert_int_equal(f.n_frames, 0);
    assert_int_equal(f.n_pred_dropped, 4);
    sb_fc_frames_free(&f);
}

/* ---- partition invariance on a larger seeded set ---------------------------------------------- */
#define NF 300
#define GPF 14
#define PK 5

typedef struct {
    size_t ng, np;
    int64_t *gframe, *pframe, *pindex;
    int32_t *gcat, *pcat;
    double *gcur, *gfut, *gego, *pcur, *pscore, *pmodes, *pms;
} synth;

static void make_synth(synth *s, uint64_t seed)
{
    sb_rng r;
    sb_rng_seed(&r, seed, 1);
    const int cats[4] = {RV, PED, 5, 3};
    size_t capg = NF * GPF, capp = NF * (GPF + 4);
    s->gframe = malloc(capg * sizeof(int64_t));
    s->gcat = malloc(capg * sizeof(int32_t));
    s->gcur = malloc(capg * 2 * sizeof(double));
    s->gfut = malloc(capg * 12 * sizeof(double));
    s->gego = malloc(capg * 2 * sizeof(double));
    s->pframe = malloc(capp * sizeof(int64_t));
    s->pindex = malloc(capp * sizeof(int64_t));
    s->pcat = malloc(capp * sizeof(int32_t));
    s->pcur = malloc(capp * 2 * sizeof(double));
    s->pscore = malloc(capp * sizeof(double));
    s->pmodes = malloc(capp * PK * 12 * sizeof(double));
    s->pms = malloc(capp * PK * sizeof(double));
    s->ng = s->np = 0;
    for (int f = 0; f < NF; f++) {
        for (int g = 0; g < GPF; g++) {
            size_t i = s->ng++;
            s->gframe[i] = f;
            s->gcat[i] = cats[sb_rng_below(&r, 4)];
            double cx = 90 * sb_rng_uniform(&r) - 45, cy = 90 * sb_rng_uniform(&r) - 45;
            double vx = 0, vy = 0;
            int kind = (int)sb_rng_below(&r, 3);
            if (kind) vx = 3 * sb_rng_normal(&r), vy = 3 * sb_rng_normal(&r);
            int len = sb_rng_uniform(&r) < 0.2 ? 1 + (int)sb_rng_below(&r, 6) : 6;
            s->gcur[2 * i] = cx, s->gcur[2 * i + 1] = cy;
            s->gego[2 * i] = 0, s->gego[2 * i + 1] = 0;
            double x = cx, y = cy;
            for (int st = 0; st < 6; st++) {
                if (kind == 2) vx += sb_rng_normal(&r), vy += sb_rng_normal(&r);
                x += 0.5 * vx, y += 0.5 * vy;
                s->gfut[12 * i + 2 * st] = st < len ? x : NAN;
                s->gfut[12 * i + 2 * st + 1] = st < len ? y : NAN;
            }
            int copies = sb_rng_uniform(&r) < 0.8 ? 1 : (sb_rng_uniform(&r) < 0.5 ? 0 : 2);
            for (int c = 0; c < copies; c++) {
                size_t j = s->np++;
                s->pframe[j] = f;
                s->pcat[j] = s->gcat[i];
                s->pcur[2 * j] = cx + 0.7 * sb_rng_normal(&r);
                s->pcur[2 * j + 1] = cy + 0.7 * sb_rng_normal(&r);
                s->pscore[j] = floor(10 * sb_rng_uniform(&r)) / 10; /* ties */
                for (int k = 0; k < PK; k++) {
                    double ex = 0, ey = 0, sc = 0.2 * (k + 1);
                    s->pms[PK * j + k] = floor(4 * sb_rng_uniform(&r)) / 4;
                    for (int st = 0; st < 6; st++) {
                        ex += sc * sb_rng_normal(&r), ey += sc * sb_rng_normal(&r);
                        double tx = cx + 0.5 * (st + 1) * vx, ty = cy + 0.5 * (st + 1) * vy;
                        s->pmodes[(PK * j + k) * 12 + 2 * st] = tx + ex;
                        s->pmodes[(PK * j + k) * 12 + 2 * st + 1] = ty + ey;
                    }
                }
            }
        }
        for (int e = 0; e < 4; e++) { /* false positives */
            size_t j = s->np++;
            s->pframe[j] = f;
            s->pcat[j] = cats[sb_rng_below(&r, 4)];
            s->pcur[2 * j] = 90 * sb_rng_uniform(&r) - 45;
            s->pcur[2 * j + 1] = 90 * sb_rng_uniform(&r) - 45;
            s->pscore[j] = floor(10 * sb_rng_uniform(&r)) / 10;
            for (int k = 0; k < PK; k++) {
                s->pms[PK * j + k] = sb_rng_uniform(&r);
                for (int st = 0; st < 12; st++)
                    s->pmodes[(PK * j + k) * 12 + st] = s->pcur[2 * j + st % 2] + sb_rng_normal(&r);
            }
        }
    }
    for (size_t j = 0; j < s->np; j++) s->pindex[j] = (int64_t)j;
}

static void free_synth(synth *s)
{
    free(s->gframe), free(s->gcat), free(s->gcur), free(s->gfut), free(s->gego);
    free(s->pframe), free(s->pindex), free(s->pcat), free(s->pcur), free(s->pscore);
    free(s->pmodes), free(s->pms);
}

/* Merges sorted runs a and b into out (the k-way merge a rank-0 would do, two at a time). */
static size_t merge2(const sb_fc_record *a, size_t na, const sb_fc_record *b, size_t nb,
                     sb_fc_record *out)
{
    size_t i = 0, j = 0, k = 0;
    while (i < na || j < nb)
        out[k++] = j == nb || (i < na && sb_fc_record_cmp(&a[i], &b[j]) <= 0) ? a[i++] : b[j++];
    return k;
}

static int same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static void check_partitions(int top_k)
{
    synth s;
    make_synth(&s, 99);
    sb_fc_gt gt = {s.ng, s.gframe, s.gcat, s.gcur, s.gfut, s.gego};
    sb_fc_pred pr = {s.np, PK, s.pframe, s.pindex, s.pcat, s.pcur, s.pscore, s.pmodes, s.pms};
    sb_fc_frames f;
    sb_err err = {0};
    assert_int_equal(sb_fc_frames_build(&gt, &pr, &f, &err), 0);
    sb_fc_options opt = {top_k, 50.0};
    sb_fc_recset *whole = malloc(sizeof *whole), *sh = malloc(3 * sizeof *sh);
    sb_fc_recset_init(whole);
    assert_int_equal(sb_fc_match_frames(&gt, &pr, &f, 0, f.n_frames, &opt, whole, &err), 0);
    sb_fc_recset_sort(whole);
    sb_fc_cell_result *c0 = malloc(SB_FC_NCELL * sizeof *c0), *c1 = malloc(SB_FC_NCELL * sizeof *c1);
    sb_fc_table *t0 = malloc(sizeof *t0), *t1 = malloc(sizeof *t1);
    assert_int_equal(sb_fc_summarize(whole, c0, t0, &err), 0);

    /* three shards of contiguous frame ranges (as logs would be), each sorted on its own */
    size_t cut[4] = {0, f.n_frames / 5, f.n_frames / 2, f.n_frames};
    for (int k = 0; k < 3; k++) {
        sb_fc_recset_init(&sh[k]);
        assert_int_equal(sb_fc_match_frames(&gt, &pr, &f, cut[k], cut[k + 1], &opt, &sh[k], &err), 0);
        sb_fc_recset_sort(&sh[k]);
    }
    /* k-way merge per cell by sb_fc_record_cmp */
    sb_fc_recset *merged = malloc(sizeof *merged);
    sb_fc_recset_init(merged);
    int ties = 0;
    for (int c = 0; c < SB_FC_NCELL; c++) {
        size_t n = sh[0].cell[c].n + sh[1].cell[c].n + sh[2].cell[c].n;
        sb_fc_record *tmp = malloc((n ? n : 1) * sizeof *tmp), *out = malloc((n ? n : 1) * sizeof *out);
        size_t m = merge2(sh[0].cell[c].rec, sh[0].cell[c].n, sh[1].cell[c].rec, sh[1].cell[c].n, tmp);
        m = merge2(tmp, m, sh[2].cell[c].rec, sh[2].cell[c].n, out);
        assert_int_equal(m, whole->cell[c].n);
        for (size_t i = 0; i < m; i++) {
            const sb_fc_record *a = &out[i], *b = &whole->cell[c].rec[i];
            assert_true(a->score == b->score && a->index == b->index && a->ade == b->ade &&
                        a->fde == b->fde && a->matched == b->matched && a->tp == b->tp);
            ties += i > 0 && out[i].score == out[i - 1].score;
            assert_int_equal(sb_fc_run_push(&merged->cell[c], &out[i], &err), 0);
        }
        free(tmp), free(out);
    }
    assert_true(ties > 1000); /* the scores really tie */
    for (int k = 0; k < 3; k++) {
        for (int p = 0; p < SB_FC_NPROF; p++)
            for (int c = 0; c < SB_FC_NCAT; c++) {
                merged->n_gt[p][c] += sh[k].n_gt[p][c];
                merged->n_pred[p][c] += sh[k].n_pred[p][c];
            }
        sb_fc_recset_free(&sh[k]);
    }
    assert_int_equal(sb_fc_summarize(merged, c1, t1, &err), 0);
    int with_tp = 0;
    for (int i = 0; i < SB_FC_NCELL; i++) {
        assert_true(same(c1[i].ap, c0[i].ap) && same(c1[i].ade, c0[i].ade) && same(c1[i].fde, c0[i].fde));
        with_tp += c0[i].n_tp > 0;
    }
    assert_true(with_tp >= 24);
    assert_memory_equal(t0, t1, sizeof *t0);
    sb_fc_recset_free(merged), sb_fc_recset_free(whole);
    free(merged), free(whole), free(sh), free(c0), free(c1), free(t0), free(t1);
    sb_fc_frames_free(&f);
    free_synth(&s);
}

static void test_partitions_top5(void **state) { (void)state; check_partitions(5); }
static void test_partitions_top1(void **state) { (void)state; check_partitions(1); }

/* ---- convert --------------------------------------------------------------------------------
 * log 0: timestamps 30, 10, 20 given out of order; track 1 in all three frames, track 2 at 10
 * and 30 only (its future stops at the gap). log 1 reuses track id 1 at 10 and 20, track 3 at 20.
 * Expected, by hand: (log 0, ts 10, track 1, future [pos@20, pos@30], L 2), (log 0, ts 20,
 * track 1, [pos@30], L 1), (log 1, ts 10, track 1, [its pos@20], L 1). Track 2 at 10, every box
 * of the last frames and track 3 have L = 0 and go. */
static void test_convert_by_hand(void **state)
{
    (void)state;
    const int32_t log[8] = {0, 0, 0, 0, 0, 1, 1, 1};
    const int64_t ts[8] = {30, 10, 20, 10, 30, 20, 10, 20};
    const int64_t tr[8] = {1, 2, 1, 1, 2, 1, 1, 3};
    const int32_t cat[8] = {RV, PED, RV, RV, PED, 5, 5, 3};
    const double x[8] = {3, 10, 2, 1, 12, 21, 20, 50}, y[8] = {0.5, 1, 0.25, 0.125, 3, 1, 2, 5};
    const double ex[8] = {0, 0, 0, 0.5, 0, 0, 7, 0}, ey[8] = {0, 0, 0, 0.25, 0, 0, 8, 0};
    sb_fc_tracks in = {8, log, ts, tr, cat, x, y, ex, ey, NULL, 0, NULL, 0};
    sb_fc_gt_rows g;
    sb_err err = {0};
    assert_int_equal(sb_fc_convert(&in, &g, &err), 0);
    assert_int_equal(g.n, 3);
    assert_true(g.log[0] == 0 && g.timestamp[0] == 10 && g.category[0] == RV && g.len[0] == 2);
    assert_true(g.current_xy[0] == 1 && g.current_xy[1] == 0.125);
    assert_true(g.ego_xy[0] == 0.5 && g.ego_xy[1] == 0.25);
    assert_true(g.future_xy[0] == 2 && g.future_xy[1] == 0.25 && g.future_xy[2] == 3 &&
                g.future_xy[3] == 0.5 && isnan(g.future_xy[4]) && isnan(g.future_xy[11]));
    assert_true(g.log[1] == 0 && g.timestamp[1] == 20 && g.len[1] == 1);
    assert_true(g.future_xy[12] == 3 && g.future_xy[13] == 0.5 && isnan(g.future_xy[14]));
    assert_true(g.log[2] == 1 && g.timestamp[2] == 10 && g.category[2] == 5 && g.len[2] == 1);
    assert_true(g.future_xy[24] == 21 && g.future_xy[25] == 1 && g.ego_xy[4] == 7);
    sb_fc_gt_rows_free(&g);
}

static void test_convert_rejects_duplicate_track(void **state)
{
    (void)state;
    const int32_t log[3] = {0, 1, 1};
    const int64_t ts[3] = {5, 7, 7};
    const int64_t tr[3] = {0, 1, 1};
    const int32_t cat[3] = {RV, RV, RV};
    const double v[3] = {0, 1, 2};
    const char *const logs[2] = {"log-a", "log-b"}, *const tracks[2] = {"t-x", "t-y"};
    sb_fc_tracks in = {3, log, ts, tr, cat, v, v, v, v, logs, 2, tracks, 2};
    sb_fc_gt_rows g;
    sb_err err = {0};
    assert_int_equal(sb_fc_convert(&in, &g, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "log log-b timestamp 7: track t-y appears twice (rows 1 and 2)"));
    in.log_names = NULL, in.track_names = NULL;
    assert_int_equal(sb_fc_convert(&in, &g, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "log #1 timestamp 7: track #1"));
    const double bad[3] = {0, NAN, 2};
    in.x = bad;
    in.track = (const int64_t[3]){0, 1, 2};
    assert_int_equal(sb_fc_convert(&in, &g, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "row 1"));
    in.n = 0;
    assert_int_equal(sb_fc_convert(&in, &g, &err), 0);
    assert_int_equal(g.n, 0);
    sb_fc_gt_rows_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_frame_records),
        cmocka_unit_test(test_derived_profiles_and_range),
        cmocka_unit_test(test_frame_without_future_adds_nothing),
        cmocka_unit_test(test_bad_input_is_reported),
        cmocka_unit_test(test_predictions_take_ego_of_first_in_range_gt),
        cmocka_unit_test(test_frame_ids_and_grouping),
        cmocka_unit_test(test_partitions_top5),
        cmocka_unit_test(test_partitions_top1),
        cmocka_unit_test(test_convert_by_hand),
        cmocka_unit_test(test_convert_rejects_duplicate_track),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
