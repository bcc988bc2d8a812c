/* forecast_gen.c — `shardbench gen forecast`: synthetic driving logs in the forecasting
 * layout of formats.md, ground truth and predictions in one file.
 *
 * Each log has an ego vehicle driving slowly and tracks of several categories that appear and
 * vanish, moving statically, linearly or on a curve; frames are 0.5 s apart. /gt holds every
 * box with a future (L = 1..6 steps until the track vanishes or the log ends), so a log's last
 * frame has none. /pred holds, for every ground-truth frame, noisy detections of most agents
 * (some missed, a few with the wrong category) and false positives, each with K mode
 * trajectories (the true future plus drift of varied size) and scores rounded to 2 decimals
 * (mode scores to 1), so ties are common. /pred rows are grouped by frame in ground-truth
 * frame order (logs in /logs order, timestamps ascending): then the /pred row order, which
 * breaks score ties, is the order in which the reference visits frames. Each log draws from
 * sb_rng seeded with (seed, log index). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "io/h5write.h"
#include "tasks/forecast/forecast_metrics.h"
#include "tasks/generator.h"

static const sb_option gen_fc_options[] = {
    {"size", SB_OPT_STRING, "demo",
     "demo (4 logs x 20 frames x 12 agents), small (20 x 50 x 30) or av2 (150 x 150 x 60, "
     "the Argoverse 2 validation scale)", 0, SB_NO_RANGE},
    {"logs", SB_OPT_INT, "0", "logs (0: as the size says)", 0, {0, 10000}},
    {"frames", SB_OPT_INT, "0", "frames per log (0: as the size says)", 0, {0, 10000}},
    {"agents", SB_OPT_INT, "0", "agents per frame, about (0: as the size says)", 0, {0, 1000}},
    {"modes", SB_OPT_INT, "5", "mode trajectories per prediction, K (1..6)", 0, {1, 6}},
    {"file", SB_OPT_STRING, "forecast.h5", "name of the file written in the output folder", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

#define FRAME_NS 500000000LL
#define BASE_NS 315967376859506000LL

/* categories drawn, with weights and typical speeds of the motion (m/s) */
static const struct { const char *name; double weight, speed; } KINDS[] = {
    {"REGULAR_VEHICLE", 0.38, 8.0}, {"PEDESTRIAN", 0.22, 1.4}, {"BICYCLIST", 0.06, 4.0},
    {"BUS", 0.04, 6.0},             {"TRUCK", 0.05, 6.0},      {"BOLLARD", 0.08, 0.0},
    {"CONSTRUCTION_CONE", 0.08, 0.0}, {"MOTORCYCLIST", 0.03, 7.0}, {"DOG", 0.02, 1.5},
    {"STROLLER", 0.02, 1.0},        {"WHEELED_RIDER", 0.02, 3.0}};
#define NKINDS (sizeof KINDS / sizeof KINDS[0])

typedef struct track {
    int cat, motion; /* 0 static, 1 linear, 2 curved */
    int first, last; /* alive in frames [first, last) */
    double p0[2], v[2], w;
} track;

static void position(const track *t, double time, double out[2])
{
    if (t->motion == 0) {
        out[0] = t->p0[0];
        out[1] = t->p0[1];
    } else if (t->motion == 1 || fabs(t->w) < 1e-9) {
        out[0] = t->p0[0] + t->v[0] * time;
        out[1] = t->p0[1] + t->v[1] * time;
    } else {
        double s = sin(t->w * time), c1 = 1 - cos(t->w * time);
        out[0] = t->p0[0] + (t->v[0] * s - t->v[1] * c1) / t->w;
        out[1] = t->p0[1] + (t->v[1] * s + t->v[0] * c1) / t->w;
    }
}

/* growable arrays of the output */
typedef struct cols {
    size_t n, cap, per_mode;
    int32_t *log, *cat;
    int64_t *ts;
    double *cur, *fut, *ego, *score, *modes, *mscores;
} cols;

static int cols_grow(cols *c, int pred, int K)
{
    if (c->n < c->cap) return 0;
    size_t cap = c->cap ? 2 * c->cap : 4096;
#define GROW(f, per)                                                   \
    do {                                                               \
        void *p = realloc(c->f, cap * (per) * sizeof *c->f);           \
        if (!p) return -1;                                             \
        c->f = p;                                                      \
    } while (0)
    GROW(log, 1);
    GROW(cat, 1);
    GROW(ts, 1);
    GROW(cur, 2);
    if (!pred) {
        GROW(fut, 2 * SB_FC_T);
        GROW(ego, 2);
    } else {
        GROW(score, 1);
        GROW(modes, (size_t)K * SB_FC_T * 2);
        GROW(mscores, (size_t)K);
    }
#undef GROW
    c->cap = cap;
    return 0;
}

static void cols_free(cols *c)
{
    free(c->log), free(c->cat), free(c->ts), free(c->cur), free(c->fut), free(c->ego);
    free(c->score), free(c->modes), free(c->mscores);
}

static double round_to(double x, double unit) { return nearbyint(x / unit) * unit; }

static int pick_kind(sb_rng *r)
{
    double u = sb_rng_uniform(r), acc = 0;
    for (size_t k = 0; k < NKINDS; k++) {
        acc += KINDS[k].weight;
        if (u < acc) return (int)k;
    }
    return 0;
}

static int add_pred(cols *P, sb_rng *r, int K, int32_t log, int64_t ts, int cat, const double cur[2],
                    const double fut[SB_FC_T][2])
{
    if (cols_grow(P, 1, K)) return -1;
    size_t i = P->n++;
    P->log[i] = log;
    P->ts[i] = ts;
    P->cat[i] = cat;
    P->cur[2 * i] = round_to(cur[0], 1e-3);
    P->cur[2 * i + 1] = round_to(cur[1], 1e-3);
    P->score[i] = round_to(0.05 + 0.95 * sb_rng_uniform(r), 0.01);
    static const double drift[5] = {0.05, 0.3, 1.0, 2.5, 6.0};
    for (int k = 0; k < K; k++) {
        double sc = drift[sb_rng_below(r, 5)], dx = 0, dy = 0;
        double *m = P->modes + ((size_t)i * K + k) * SB_FC_T * 2;
        for (int s = 0; s < SB_FC_T; s++) {
            dx += sc * sb_rng_normal(r);
            dy += sc * sb_rng_normal(r);
            m[2 * s] = round_to(fut[s][0] + dx, 1e-3);
            m[2 * s + 1] = round_to(fut[s][1] + dy, 1e-3);
        }
        P->mscores[(size_t)i * K + k] = round_to(sb_rng_uniform(r), 0.1);
    }
    return 0;
}

static int make_log(sb_rng *r, int32_t log, long F, long A, int K, cols *G, cols *P)
{
    size_t ntr = (size_t)(A * 12 / 5 + 1); /* about 42% of tracks are alive in a frame */
    track *tr = calloc(ntr, sizeof *tr);
    if (!tr) return -1;
    double ev[2] = {2.0 * sb_rng_uniform(r), 1.0 - 2.0 * sb_rng_uniform(r)};
    for (size_t j = 0; j < ntr; j++) {
        track *t = &tr[j];
        int k = pick_kind(r);
        t->cat = sb_fc_category_index(KINDS[k].name);
        t->motion = KINDS[k].speed == 0 ? 0 : (int)sb_rng_below(r, 3);
        long len = 2 + (long)sb_rng_below(r, (uint64_t)F);
        t->first = sb_rng_uniform(r) < 0.5 ? 0 : (int)sb_rng_below(r, (uint64_t)F);
        t->last = t->first + len > F ? (int)F : (int)(t->first + len);
        double rad = sb_rng_uniform(r) < 0.1 ? 50 + 10 * sb_rng_uniform(r) : 2 + 45 * sb_rng_uniform(r);
        double a = 6.283185307179586 * sb_rng_uniform(r), time0 = 0.5 * t->first;
        double speed = KINDS[k].speed * (0.5 + sb_rng_uniform(r)), h = 6.283185307179586 * sb_rng_uniform(r);
        t->v[0] = t->motion ? speed * cos(h) : 0;
        t->v[1] = t->motion ? speed * sin(h) : 0;
        t->w = t->motion == 2 ? (sb_rng_uniform(r) < 0.5 ? -1 : 1) * (0.15 + 0.45 * sb_rng_uniform(r)) : 0;
        /* placed around the ego's position at the track's first frame */
        double at[2];
        t->p0[0] = t->p0[1] = 0;
        position(t, time0, at);
        t->p0[0] = ev[0] * time0 + rad * cos(a) - at[0];
        t->p0[1] = ev[1] * time0 + rad * sin(a) - at[1];
    }
    for (long f = 0; f + 1 < F; f++) {
        int64_t ts = BASE_NS + FRAME_NS * f;
        double time = 0.5 * (double)f, ego[2] = {ev[0] * time, ev[1] * time};
        for (size_t j = 0; j < ntr; j++) {
            const track *t = &tr[j];
            if (f < t->first || f >= t->last) continue;
            int L = (int)(t->last - 1 - f);
            if (L > SB_FC_T) L = SB_FC_T;
            if (L < 1) continue;
            double fut[SB_FC_T][2], cur[2];
            position(t, time, cur);
            for (int s = 0; s < SB_FC_T; s++) position(t, time + 0.5 * (s + 1), fut[s]);
            if (cols_grow(G, 0, K)) goto oom;
            size_t i = G->n++;
            G->log[i] = log;
            G->ts[i] = ts;
            G->cat[i] = t->cat;
            G->cur[2 * i] = round_to(cur[0], 1e-3);
            G->cur[2 * i + 1] = round_to(cur[1], 1e-3);
            G->ego[2 * i] = ego[0];
            G->ego[2 * i + 1] = ego[1];
            for (int s = 0; s < SB_FC_T; s++) {
                G->fut[(i * SB_FC_T + s) * 2] = s < L ? round_to(fut[s][0], 1e-3) : NAN;
                G->fut[(i * SB_FC_T + s) * 2 + 1] = s < L ? round_to(fut[s][1], 1e-3) : NAN;
            }
            if (sb_rng_uniform(r) < 0.1) continue; /* missed */
            double noise = sb_rng_uniform(r) < 0.8 ? 0.3 : 1.5, det[2];
            det[0] = cur[0] + noise * sb_rng_normal(r);
            det[1] = cur[1] + noise * sb_rng_normal(r);
            int cat = sb_rng_uniform(r) < 0.04 ? sb_fc_category_index(KINDS[pick_kind(r)].name) : t->cat;
            if (add_pred(P, r, K, log, ts, cat, det, (const double(*)[2])fut)) goto oom;
        }
        long nfp = (long)sb_rng_below(r, (uint64_t)(A / 5 + 1));
        for (long q = 0; q < nfp; q++) { /* false positives near the ego */
            double cur[2] = {ego[0] + 80 * sb_rng_uniform(r) - 40, ego[1] + 80 * sb_rng_uniform(r) - 40};
            double v[2] = {3 * sb_rng_normal(r), 3 * sb_rng_normal(r)}, fut[SB_FC_T][2];
            for (int s = 0; s < SB_FC_T; s++) {
                fut[s][0] = cur[0] + v[0] * 0.5 * (s + 1);
                fut[s][1] = cur[1] + v[1] * 0.5 * (s + 1);
            }
            int cat = sb_fc_category_index(KINDS[pick_kind(r)].name);
            if (add_pred(P, r, K, log, ts, cat, cur, (const double(*)[2])fut)) goto oom;
        }
    }
    free(tr);
    return 0;
oom:
    free(tr);
    return -1;
}

static int gen_forecast(const sb_opts *opts, const char *outdir, uint64_t seed, char *wrote,
                        size_t cap, sb_err *err)
{
    long L, F, A, K;
    int rc;
    if ((rc = sb_opts_long(opts, gen_fc_options, "logs", &L, err)) ||
        (rc = sb_opts_long(opts, gen_fc_options, "frames", &F, err)) ||
        (rc = sb_opts_long(opts, gen_fc_options, "agents", &A, err)) ||
        (rc = sb_opts_long(opts, gen_fc_options, "modes", &K, err)))
        return rc;
    const char *size = sb_opts_str(opts, gen_fc_options, "size");
    long dl, df, da;
    if (!strcmp(size, "demo"))
        dl = 4, df = 20, da = 12;
    else if (!strcmp(size, "small"))
        dl = 20, df = 50, da = 30;
    else if (!strcmp(size, "av2"))
        dl = 150, df = 150, da = 60;
    else
        return sb_fail(err, SB_EUSAGE, "gen forecast: size is demo, small or av2, not '%s'", size);
    L = L ? L : dl;
    F = F ? F : df;
    A = A ? A : da;
    if (L < 1 || F < 2 || A < 1 || K < 1 || K > SB_FC_MAX_MODES || L > 1000000 || F > 1000000)
        return sb_fail(err, SB_EUSAGE,
                       "gen forecast: need logs >= 1, frames >= 2, agents >= 1, 1 <= modes <= 6");
    cols G, P;
    memset(&G, 0, sizeof G);
    memset(&P, 0, sizeof P);
    char **names = calloc((size_t)L, sizeof *names);
    rc = names ? 0 : -1;
    for (long l = 0; l < L && !rc; l++) {
        names[l] = malloc(32);
        if (!names[l]) {
            rc = -1;
            break;
        }
        snprintf(names[l], 32, "log_%04ld", l);
        sb_rng r;
        sb_rng_seed(&r, seed, (uint64_t)l);
        rc = make_log(&r, (int32_t)l, F, A, (int)K, &G, &P);
    }
    if (rc) rc = sb_fail(err, SB_ENOMEM, "gen forecast: out of memory");
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", outdir, sb_opts_str(opts, gen_fc_options, "file"));
    sb_h5w w;
    if (!rc) rc = sb_h5w_create(&w, path, err);
    if (!rc) {
        sb_h5w_strings(&w, "/logs", (size_t)L, (const char *const *)names);
        sb_h5w_strings(&w, "/categories", SB_FC_NCAT, sb_fc_category_names);
        size_t n1[1] = {G.n}, n2[2] = {G.n, 2}, n3[3] = {G.n, SB_FC_T, 2};
        sb_h5w_group(&w, "/gt");
        sb_h5w_i32(&w, "/gt/log", 1, n1, G.log);
        sb_h5w_i64(&w, "/gt/timestamp_ns", 1, n1, G.ts);
        sb_h5w_i32(&w, "/gt/category", 1, n1, G.cat);
        sb_h5w_f64(&w, "/gt/current_xy", 2, n2, G.cur);
        sb_h5w_f64(&w, "/gt/future_xy", 3, n3, G.fut);
        sb_h5w_f64(&w, "/gt/ego_xy", 2, n2, G.ego);
        size_t p1[1] = {P.n}, p2[2] = {P.n, 2}, pk[2] = {P.n, (size_t)K},
               p4[4] = {P.n, (size_t)K, SB_FC_T, 2};
        sb_h5w_group(&w, "/pred");
        sb_h5w_i32(&w, "/pred/log", 1, p1, P.log);
        sb_h5w_i64(&w, "/pred/timestamp_ns", 1, p1, P.ts);
        sb_h5w_i32(&w, "/pred/category", 1, p1, P.cat);
        sb_h5w_f64(&w, "/pred/current_xy", 2, p2, P.cur);
        sb_h5w_f64(&w, "/pred/detection_score", 1, p1, P.score);
        sb_h5w_f64(&w, "/pred/modes_xy", 4, p4, P.modes);
        sb_h5w_f64(&w, "/pred/mode_scores", 2, pk, P.mscores);
        rc = sb_h5w_close(&w, 1, err);
    }
    if (!rc)
        snprintf(wrote, cap, "%s (%ld logs x %ld frames, %zu ground-truth agents, %zu predictions "
                 "x %ld modes)", path, L, F, G.n, P.n, K);
    if (names)
        for (long l = 0; l < L; l++) free(names[l]);
    free(names);
    cols_free(&G);
    cols_free(&P);
    return rc;
}

const sb_generator sb_gen_forecast = {
    .name = "forecast",
    .summary = "driving logs with ground-truth futures and K-mode predictions (forecasting layout)",
    .options = gen_fc_options,
    .generate = gen_forecast,
};
