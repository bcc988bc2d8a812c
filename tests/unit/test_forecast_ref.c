/* test_forecast_ref.c — the whole forecasting pipeline (convert, frames, matching, merge,
 * sweep, table) against the Argoverse 2 reference on committed synthetic data.
 *
 * Inputs and expected values in tests/data/forecast/ were made by
 *   /usr/bin/python3 tests/reference/forecast_ref.py AV2_API_GIT_DIR \
 *       tests/data/forecast
 * which runs argoverse/av2-api (commit b7321d1f71f6ce0ecdd151f4f2b648338c191edd)
 * src/av2/evaluation/forecasting/eval.py unchanged: convert_forecast_labels(labels) gives
 * gt_expected.csv, evaluate(preds, labels, top_k, 50, None) for top_k 1 and 5 gives
 * expected.csv (every accumulate() result unrounded as "cell", the rounded per-(profile,
 * category) table as "table", the runner's np.nanmean summaries as "mean"). The data has 3
 * random logs (9 frames, 13 tracks, shuffled rows, gaps, agents beyond 50 m, rounded detection
 * and mode scores so ties are common, duplicates, false positives, a DOG class with predictions
 * only, a STROLLER class with GT only, a GT frame with no prediction, predictions in each log's
 * last frame, which has no GT) and a hand-made log_tie (equal distances, a distance exactly at
 * the 0.5 m threshold, equal ADE across modes, equal mode scores). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "tasks/forecast/forecast_convert.h"
#include "tasks/forecast/forecast_metrics.h"

#define K 5
#define TOL 1e-9

static void data_path(char *out, size_t n, const char *name)
{
    const char *f = __FILE__, *slash = strrchr(f, '/');
    int dir = slash ? (int)(slash - f) : 1;
    snprintf(out, n, "%.*s/../data/forecast/%s", dir, slash ? f : ".", name);
}

/* ---- a small CSV reader: comma separated, no quoting, first line a header -------------- */
typedef struct {
    char ***cells;
    size_t rows, cols;
} table;

static table read_csv(const char *name)
{
    char path[4096];
    data_path(path, sizeof path, name);
    FILE *fp = fopen(path, "r");
    if (!fp) fail_msg("cannot open %s", path);
    table t = {0};
    size_t cap = 0;
    char line[16384];
    int header = 1;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = 0;
        size_t nc = 1;
        for (char *c = line; *c; c++) nc += *c == ',';
        if (header) {
            t.cols = nc;
            header = 0;
            continue;
        }
        assert_int_equal(nc, t.cols);
        if (t.rows == cap) {
            cap = cap ? 2 * cap : 256;
            t.cells = realloc(t.cells, cap * sizeof *t.cells);
        }
        char **row = malloc(nc * sizeof *row);
        char *p = line;
        for (size_t i = 0; i < nc; i++) {
            char *e = strchr(p, ',');
            if (e) *e = 0;
            row[i] = strdup(p);
            p = e ? e + 1 : p + strlen(p);
        }
        t.cells[t.rows++] = row;
    }
    fclose(fp);
    return t;
}

static void free_csv(table *t)
{
    for (size_t r = 0; r < t->rows; r++) {
        for (size_t c = 0; c < t->cols; c++) free(t->cells[r][c]);
        free(t->cells[r]);
    }
    free(t->cells);
}

static double num(const char *s) { return strtod(s, NULL); }

/* string interning: ids by sorted order of the distinct names */
static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

typedef struct {
    char **names;
    size_t n;
} dict;

static dict make_dict(const table *t, size_t col)
{
    dict d = {malloc(t->rows * sizeof(char *)), 0};
    for (size_t r = 0; r < t->rows; r++) d.names[d.n++] = t->cells[r][col];
    qsort(d.names, d.n, sizeof(char *), str_cmp);
    size_t m = 0;
    for (size_t i = 0; i < d.n; i++)
        if (m == 0 || strcmp(d.names[i], d.names[m - 1])) d.names[m++] = d.names[i];
    d.n = m;
    return d;
}

static int64_t lookup(const dict *d, const char *s)
{
    char **hit = bsearch(&s, d->names, d->n, sizeof(char *), str_cmp);
    return hit ? hit - d->names : -1;
}

/* ---- fixture: everything read and converted once ------------------------------------- */
typedef struct {
    table tracks, preds, gt_exp, expected;
    dict logs, track_ids;
    sb_fc_gt_rows gt;
    int64_t *gt_frame;
    /* predictions */
    size_t np;
    int32_t *p_log, *p_cat;
    int64_t *p_ts, *p_frame, *p_index;
    double *p_cur, *p_score, *p_modes, *p_ms;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    fx->tracks = read_csv("tracks.csv");
    fx->preds = read_csv("preds.csv");
    fx->gt_exp = read_csv("gt_expected.csv");
    fx->expected = read_csv("expected.csv");
    fx->logs = make_dict(&fx->tracks, 0);
    fx->track_ids = make_dict(&fx->tracks, 2);

    size_t n = fx->tracks.rows;
    int32_t *log = malloc(n * sizeof *log), *cat = malloc(n * sizeof *cat);
    int64_t *ts = malloc(n * sizeof *ts), *tr = malloc(n * sizeof *tr);
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *ex = malloc(n * sizeof *ex),
           *ey = malloc(n * sizeof *ey);
    for (size_t r = 0; r < n; r++) {
        char **c = fx->tracks.cells[r];
        log[r] = (int32_t)lookup(&fx->logs, c[0]);
        ts[r] = strtoll(c[1], NULL, 10);
        tr[r] = lookup(&fx->track_ids, c[2]);
        cat[r] = sb_fc_category_index(c[3]);
        assert_true(cat[r] >= 0);
        x[r] = num(c[4]);
        y[r] = num(c[5]);
        ex[r] = num(c[6]);
        ey[r] = num(c[7]);
    }
    sb_fc_tracks in = {n, log, ts, tr, cat, x, y, ex, ey,
                       (const char *const *)fx->logs.names, fx->logs.n,
                       (const char *const *)fx->track_ids.names, fx->track_ids.n};
    sb_err err = {0};
    assert_int_equal(sb_fc_convert(&in, &fx->gt, &err), 0);
    free(log), free(cat), free(ts), free(tr), free(x), free(y), free(ex), free(ey);

    size_t np = fx->np = fx->preds.rows;
    fx->p_log = malloc(np * sizeof(int32_t));
    fx->p_cat = malloc(np * sizeof(int32_t));
    fx->p_ts = malloc(np * sizeof(int64_t));
    fx->p_frame = malloc(np * sizeof(int64_t));
    fx->p_index = malloc(np * sizeof(int64_t));
    fx->p_cur = malloc(np * 2 * sizeof(double));
    fx->p_score = malloc(np * sizeof(double));
    fx->p_modes = malloc(np * K * 12 * sizeof(double));
    fx->p_ms = malloc(np * K * sizeof(double));
    for (size_t r = 0; r < np; r++) {
        char **c = fx->preds.cells[r];
        fx->p_log[r] = (int32_t)lookup(&fx->logs, c[0]);
        fx->p_ts[r] = strtoll(c[1], NULL, 10);
        fx->p_cat[r] = sb_fc_category_index(c[2]);
        assert_true(fx->p_cat[r] >= 0);
        fx->p_cur[2 * r] = num(c[3]);
        fx->p_cur[2 * r + 1] = num(c[4]);
        fx->p_score[r] = num(c[5]);
        for (int i = 0; i < K * 12; i++) fx->p_modes[r * K * 12 + i] = num(c[6 + i]);
        for (int i = 0; i < K; i++) fx->p_ms[r * K + i] = num(c[6 + K * 12 + i]);
        fx->p_index[r] = (int64_t)r;
    }
    fx->gt_frame = malloc((fx->gt.n ? fx->gt.n : 1) * sizeof(int64_t));
    assert_int_equal(sb_fc_frame_ids(fx->gt.n, fx->gt.log, fx->gt.timestamp, np, fx->p_log,
                                     fx->p_ts, fx->gt_frame, fx->p_frame, &err),
                     0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    if (!fx) return 0;
    free_csv(&fx->tracks), free_csv(&fx->preds), free_csv(&fx->gt_exp), free_csv(&fx->expected);
    free(fx->logs.names), free(fx->track_ids.names);
    sb_fc_gt_rows_free(&fx->gt);
    free(fx->gt_frame), free(fx->p_log), free(fx->p_cat), free(fx->p_ts), free(fx->p_frame);
    free(fx->p_index), free(fx->p_cur), free(fx->p_score), free(fx->p_modes), free(fx->p_ms);
    free(fx);
    return 0;
}

static sb_fc_gt gt_view(const fixture *fx)
{
    return (sb_fc_gt){fx->gt.n, fx->gt_frame, fx->gt.category, fx->gt.current_xy,
                      fx->gt.future_xy, fx->gt.ego_xy};
}

static sb_fc_pred pred_view(const fixture *fx)
{
    return (sb_fc_pred){fx->np, K, fx->p_frame, fx->p_index, fx->p_cat, fx->p_cur,
                        fx->p_score, fx->p_modes, fx->p_ms};
}

static int same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }
static int close_to(double a, double b, double tol)
{
    return (isnan(a) && isnan(b)) || fabs(a - b) <= tol * (1.0 + fabs(b));
}

/* ---- convert ---------------------------------------------------------------------------- */
static void test_convert_matches_reference(void **state)
{
    fixture *fx = *state;
    assert_int_equal(fx->gt.n, fx->gt_exp.rows);
    for (size_t r = 0; r < fx->gt.n; r++) {
        char **c = fx->gt_exp.cells[r];
        assert_string_equal(fx->logs.names[fx->gt.log[r]], c[0]);
        assert_true(fx->gt.timestamp[r] == strtoll(c[1], NULL, 10));
        assert_string_equal(sb_fc_category_names[fx->gt.category[r]], c[2]);
        assert_true(fx->gt.current_xy[2 * r] == num(c[3]) && fx->gt.current_xy[2 * r + 1] == num(c[4]));
        assert_true(fx->gt.ego_xy[2 * r] == num(c[5]) && fx->gt.ego_xy[2 * r + 1] == num(c[6]));
        assert_int_equal(fx->gt.len[r], atoi(c[7]));
        for (int i = 0; i < 12; i++) assert_true(same(fx->gt.future_xy[12 * r + i], num(c[8 + i])));
    }
}

/* ---- evaluation --------------------------------------------------------------------------- */
static void run_eval(const fixture *fx, int top_k, sb_fc_cell_result *cells, sb_fc_table *t,
                     sb_fc_recset *rs_out)
{
    sb_fc_gt gt = gt_view(fx);
    sb_fc_pred pr = pred_view(fx);
    sb_fc_frames fr;
    sb_err err = {0};
    assert_int_equal(sb_fc_frames_build(&gt, &pr, &fr, &err), 0);
    sb_fc_options opt = {top_k, 50.0};
    sb_fc_recset_init(rs_out);
    int rc = sb_fc_match_frames(&gt, &pr, &fr, 0, fr.n_frames, &opt, rs_out, &err);
    if (rc) fail_msg("%s", err.msg);
    sb_fc_recset_sort(rs_out);
    rc = sb_fc_summarize(rs_out, cells, t, &err);
    if (rc) fail_msg("%s", err.msg);
    sb_fc_frames_free(&fr);
}

static void check_against_reference(const fixture *fx, int top_k)
{
    sb_fc_cell_result *cells = malloc(SB_FC_NCELL * sizeof *cells);
    sb_fc_table *t = malloc(sizeof *t);
    sb_fc_recset *rs = malloc(sizeof *rs);
    run_eval(fx, top_k, cells, t, rs);
    size_t n_cell = 0, n_table = 0, n_mean = 0;
    for (size_t r = 0; r < fx->expected.rows; r++) {
        char **c = fx->expected.cells[r];
        if (atoi(c[1]) != top_k) continue;
        double a = num(c[5]), b = num(c[6]), d = num(c[7]);
        if (!strcmp(c[0], "mean")) {
            assert_true(close_to(t->mean_map_f, a, TOL));
            assert_true(close_to(t->mean_ade, b, TOL));
            assert_true(close_to(t->mean_fde, d, TOL));
            n_mean++;
            continue;
        }
        int cat = sb_fc_category_index(c[2]), prof = -1, th = -1;
        for (int p = 0; p < SB_FC_NPROF; p++)
            if (!strcmp(c[3], sb_fc_profile_names[p])) prof = p;
        assert_true(cat >= 0 && prof >= 0);
        if (!strcmp(c[0], "cell")) {
            for (int h = 0; h < SB_FC_NTH; h++)
                if (sb_fc_thresholds[h] == num(c[4])) th = h;
            assert_true(th >= 0);
            const sb_fc_cell_result *x = &cells[sb_fc_cell(cat, prof, th)];
            if (!close_to(x->ap, a, TOL) || !close_to(x->ade, b, TOL) || !close_to(x->fde, d, TOL))
                fail_msg("top_k %d %s/%s/%s: C %.17g %.17g %.17g, reference %.17g %.17g %.17g",
                         top_k, c[2], c[3], c[4], x->ap, x->ade, x->fde, a, b, d);
            n_cell++;
        } else {
            /* the rounded table agrees exactly: same sums in numpy's order, same rint */
            if (!same(t->map_f[prof][cat], a) || !same(t->ade[prof][cat], b) ||
                !same(t->fde[prof][cat], d))
                fail_msg("top_k %d table %s/%s: C %.17g %.17g %.17g, reference %s %s %s", top_k,
                         c[2], c[3], t->map_f[prof][cat], t->ade[prof][cat], t->fde[prof][cat],
                         c[5], c[6], c[7]);
            n_table++;
        }
    }
    assert_int_equal(n_cell, SB_FC_NCELL);
    assert_int_equal(n_table, SB_FC_NPROF * SB_FC_NCAT);
    assert_int_equal(n_mean, 1);
    /* the data exercises what it claims: some cells with TP, some without GT, some with none */
    int with_tp = 0, no_gt = 0, no_tp = 0;
    for (int i = 0; i < SB_FC_NCELL; i++) {
        with_tp += cells[i].n_tp > 0;
        no_gt += cells[i].npos == 0;
        no_tp += cells[i].npos > 0 && cells[i].n_tp == 0;
    }
    assert_true(with_tp > 20 && no_gt > 100 && no_tp > 3);
    assert_true(rs->n_gt[SB_FC_STATIC][sb_fc_category_index("STROLLER")] > 0);
    assert_true(isnan(t->map_f[SB_FC_STATIC][sb_fc_category_index("DOG")]));
    int64_t dog = 0;
    for (int p = 0; p < SB_FC_NPROF; p++) dog += rs->n_pred[p][sb_fc_category_index("DOG")];
    assert_true(dog > 0);
    sb_fc_recset_free(rs);
    free(rs), free(cells), free(t);
}

static void test_eval_top1_matches_reference(void **state) { check_against_reference(*state, 1); }
static void test_eval_top5_matches_reference(void **state) { check_against_reference(*state, 5); }

/* ---- partition invariance on the same data ------------------------------------------------ */
static void test_any_partition_of_frames_gives_the_same_result(void **state)
{
    fixture *fx = *state;
    sb_fc_gt gt = gt_view(fx);
    sb_fc_pred pr = pred_view(fx);
    sb_fc_frames fr;
    sb_err err = {0};
    assert_int_equal(sb_fc_frames_build(&gt, &pr, &fr, &err), 0);
    sb_fc_options opt = {5, 50.0};
    sb_fc_cell_result *c0 = malloc(SB_FC_NCELL * sizeof *c0), *c1 = malloc(SB_FC_NCELL * sizeof *c1);
    sb_fc_table *t0 = malloc(sizeof *t0), *t1 = malloc(sizeof *t1);
    sb_fc_recset *whole = malloc(sizeof *whole);
    run_eval(fx, 5, c0, t0, whole);

    sb_rng rng;
    sb_rng_seed(&rng, 7, 0);
    for (int trial = 0; trial < 5; trial++) {
        int nshards = 2 + trial;
        sb_fc_recset *shard = malloc(nshards * sizeof *shard), *merged = malloc(sizeof *merged);
        sb_fc_work *w;
        assert_int_equal(sb_fc_work_new(&w, &err), 0);
        for (int s = 0; s < nshards; s++) sb_fc_recset_init(&shard[s]);
        /* frames dealt to shards at random and matched in reverse order */
        for (size_t f = fr.n_frames; f-- > 0;) {
            int s = (int)sb_rng_below(&rng, (uint64_t)nshards);
            assert_int_equal(sb_fc_match_frame(&gt, fr.gt_rows + fr.gt_start[f],
                                               fr.gt_start[f + 1] - fr.gt_start[f], &pr,
                                               fr.pred_rows + fr.pred_start[f],
                                               fr.pred_start[f + 1] - fr.pred_start[f], &opt, w,
                                               &shard[s], &err),
                             0);
        }
        sb_fc_recset_init(merged);
        for (int s = 0; s < nshards; s++) {
            sb_fc_recset_sort(&shard[s]); /* each shard sorted, as a rank would send it */
            assert_int_equal(sb_fc_recset_append(merged, &shard[s], &err), 0);
        }
        sb_fc_recset_sort(merged);
        assert_int_equal(sb_fc_summarize(merged, c1, t1, &err), 0);
        for (int i = 0; i < SB_FC_NCELL; i++) {
            assert_int_equal(merged->cell[i].n, whole->cell[i].n);
            for (size_t j = 0; j < whole->cell[i].n; j++) {
                const sb_fc_record *a = &merged->cell[i].rec[j], *b = &whole->cell[i].rec[j];
                assert_true(a->score == b->score && a->index == b->index && a->ade == b->ade &&
                            a->fde == b->fde && a->matched == b->matched && a->tp == b->tp);
            }
            assert_true(same(c1[i].ap, c0[i].ap) && same(c1[i].ade, c0[i].ade) &&
                        same(c1[i].fde, c0[i].fde));
        }
        assert_memory_equal(t1, t0, sizeof *t0);
        for (int s = 0; s < nshards; s++) sb_fc_recset_free(&shard[s]);
        sb_fc_recset_free(merged);
        free(shard), free(merged);
        sb_fc_work_free(w);
    }
    sb_fc_recset_free(whole);
    free(whole), free(c0), free(c1), free(t0), free(t1);
    sb_fc_frames_free(&fr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convert_matches_reference),
        cmocka_unit_test(test_eval_top1_matches_reference),
        cmocka_unit_test(test_eval_top5_matches_reference),
        cmocka_unit_test(test_any_partition_of_frames_gives_the_same_result),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
