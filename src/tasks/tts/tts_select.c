#include "tasks/tts/tts_select.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "io/suite.h"

typedef struct sb_tts_scored {
    uint64_t key;
    size_t c;
} scored;

int sb_tts_work_init(sb_tts_work *w, size_t C, size_t max_kp, sb_err *err)
{
    memset(w, 0, sizeof *w);
    w->C = C;
    w->max_kp = max_kp;
    size_t k = max_kp ? max_kp : 1;
    w->g = sb_malloc(C * sizeof *w->g, "tts pooled map", err);
    w->sum_pos = sb_malloc(C * sizeof *w->sum_pos, "tts scores", err);
    w->sum_neg = sb_malloc(C * sizeof *w->sum_neg, "tts scores", err);
    w->score = sb_malloc(C * sizeof *w->score, "tts scores", err);
    w->order = sb_malloc(C * sizeof *w->order, "tts channel order", err);
    w->rank = sb_malloc(C * sizeof *w->rank, "tts channel order", err);
    w->pick = sb_malloc(k, "tts keypoints", err);
    w->sorted = sb_malloc(2 * C * sizeof *w->sorted, "tts channel order", err);
    if (!w->sorted || !w->g || !w->sum_pos || !w->sum_neg || !w->score || !w->order || !w->rank || !w->pick) {
        sb_tts_work_free(w);
        return SB_ENOMEM;
    }
    return 0;
}

void sb_tts_work_free(sb_tts_work *w)
{
    free(w->g);
    free(w->sum_pos);
    free(w->sum_neg);
    free(w->score);
    free(w->order);
    free(w->rank);
    free(w->pick);
    free(w->sorted);
    memset(w, 0, sizeof *w);
}

size_t sb_tts_zeroed_count(double perc, size_t C)
{
    double z = (1.0 - perc) * (double)C;
    return z <= 0 ? 0 : z >= (double)C ? C : (size_t)z;
}

/* Where pixel (r, q) reads the map: up to 4 cells and their weights (nearest: one, weight 1). */
typedef struct tap {
    size_t off[4];
    double wt[4];
    int n;
} tap;

static void make_tap(size_t H, size_t W, long S, int upsample, int64_t r, int64_t q, tap *t)
{
    if (upsample == SB_TTS_NEAREST) {
        size_t sy = (size_t)S / H, sx = (size_t)S / W;
        t->n = 1;
        t->off[0] = ((size_t)r / sy) * W + (size_t)q / sx;
        t->wt[0] = 1;
        return;
    }
    /* align_corners = True: the corner pixels sit on the corner cells. */
    double y = (double)r * (double)(H - 1) / (double)(S - 1), x = (double)q * (double)(W - 1) / (double)(S - 1);
    size_t y0 = (size_t)floor(y), x0 = (size_t)floor(x);
    size_t y1 = y0 + 1 < H ? y0 + 1 : H - 1, x1 = x0 + 1 < W ? x0 + 1 : W - 1;
    double ly = y - (double)y0, lx = x - (double)x0;
    t->n = 4;
    t->off[0] = y0 * W + x0;
    t->off[1] = y0 * W + x1;
    t->off[2] = y1 * W + x0;
    t->off[3] = y1 * W + x1;
    t->wt[0] = (1 - ly) * (1 - lx);
    t->wt[1] = (1 - ly) * lx;
    t->wt[2] = ly * (1 - lx);
    t->wt[3] = ly * lx;
}

static double tap_value(const float *a, const tap *t)
{
    if (t->n == 1)
        return (double)a[t->off[0]];
    return t->wt[0] * (double)a[t->off[0]] + t->wt[1] * (double)a[t->off[1]] + t->wt[2] * (double)a[t->off[2]] +
           t->wt[3] * (double)a[t->off[3]];
}

double sb_tts_upsampled(const float *a, size_t H, size_t W, long S, int upsample, int64_t r, int64_t q)
{
    tap t;
    make_tap(H, W, S, upsample, r, q, &t);
    return tap_value(a, &t);
}

/* An unsigned key in the order of the double (−0 taken as +0, which == says it equals). */
static uint64_t sort_key(double v)
{
    uint64_t b;
    if (v == 0)
        v = 0;
    memcpy(&b, &v, sizeof b);
    return b >> 63 ? ~b : b | (uint64_t)1 << 63;
}

/* A stable LSD radix sort by the scores' keys, byte by byte: channels enter in index order, so
 * equal scores stay in ascending index order (the spec's tie rule) — and it is several times
 * faster than qsort with a comparison callback on 2048 channels. tmp holds 2·C entries. */
static void order_with(const double *score, size_t C, scored *tmp, size_t *order)
{
    scored *a = tmp, *b = tmp + C;
    for (size_t c = 0; c < C; c++)
        a[c] = (scored){sort_key(score[c]), c};
    for (int shift = 0; shift < 64 && C > 1; shift += 8) {
        size_t at[257] = {0};
        for (size_t i = 0; i < C; i++)
            at[(a[i].key >> shift & 255) + 1]++;
        if (at[(a[0].key >> shift & 255) + 1] == C)
            continue; /* every key has this byte: the pass would not move anything */
        for (int d = 0; d < 256; d++)
            at[d + 1] += at[d];
        for (size_t i = 0; i < C; i++)
            b[at[a[i].key >> shift & 255]++] = a[i];
        scored *t = a;
        a = b;
        b = t;
    }
    for (size_t c = 0; c < C; c++)
        order[c] = a[c].c;
}

int sb_tts_order(const double *score, size_t C, size_t *order, sb_err *err)
{
    scored *tmp = sb_malloc((C ? 2 * C : 1) * sizeof *tmp, "tts channel order", err);
    if (!tmp)
        return SB_ENOMEM;
    order_with(score, C, tmp, order);
    free(tmp);
    return 0;
}

/* sum[c] = Σ U(c, kp) over the keypoints of list kp[0..n) whose selection position is below b,
 * added in file-index order. Returns how many were summed. */
static size_t sum_selected(const sb_tts_model *m, int upsample, const float *A, const int64_t *kp, size_t n,
                           const size_t *order, long b, unsigned char *pick, double *sum)
{
    size_t used = b == SB_TTS_ALL || (size_t)b > n ? n : (size_t)b, HW = m->H * m->W;
    memset(pick, 0, n ? n : 1);
    for (size_t i = 0; i < used; i++)
        pick[order[i]] = 1;
    for (size_t c = 0; c < m->C; c++)
        sum[c] = 0;
    for (size_t i = 0; i < n; i++) {
        if (!pick[i])
            continue;
        tap t;
        make_tap(m->H, m->W, m->S, upsample, kp[2 * i], kp[2 * i + 1], &t);
        for (size_t c = 0; c < m->C; c++)
            sum[c] += tap_value(A + c * HW, &t);
    }
    return used;
}

/* The logits of the pooled map g with channels of rank < z zeroed (rank NULL: none). */
static void logits(const sb_tts_model *m, const double *g, const size_t *rank, size_t z, double l[2])
{
    for (int k = 0; k < 2; k++) {
        const double *wk = m->weight + (size_t)k * m->C;
        double dot = 0;
        for (size_t c = 0; c < m->C; c++)
            if (!rank || rank[c] >= z)
                dot += wk[c] * g[c];
        l[k] = dot + m->bias[k];
    }
}

static double prob1(const double l[2]) { return 1.0 / (1.0 + exp(l[0] - l[1])); }

/* The cells of one (budget, α) pair: scores, order, then every kept fraction. */
static void eval_alpha(const sb_tts_model *m, const sb_tts_grid *g, double alpha, int usable, const sb_tts_result *none,
                       sb_tts_work *w, sb_tts_cell *cells)
{
    size_t C = m->C;
    if (!usable) {
        for (size_t k = 0; k < g->n_perc; k++)
            cells[k] = (sb_tts_cell){none->p1_none, none->l_none[0], none->l_none[1], none->pred_none, 0, 0, 1};
        return;
    }
    for (size_t c = 0; c < C; c++)
        w->score[c] = alpha * w->sum_pos[c] - (1 - alpha) * w->sum_neg[c];
    order_with(w->score, C, w->sorted, w->order);
    for (size_t i = 0; i < C; i++)
        w->rank[w->order[i]] = i;
    for (size_t k = 0; k < g->n_perc; k++) {
        size_t z = sb_tts_zeroed_count(g->perc[k], C);
        double l[2];
        logits(m, w->g, w->rank, z, l);
        int tie = z > 0 && z < C && w->score[w->order[z - 1]] == w->score[w->order[z]];
        cells[k] = (sb_tts_cell){prob1(l), l[0], l[1], l[1] > l[0], (uint32_t)z, tie, 0};
    }
}

int sb_tts_eval_image(const sb_tts_model *m, const sb_tts_grid *g, const sb_tts_image *im, sb_tts_work *w,
                      sb_tts_result *out, sb_err *err)
{
    size_t C = m->C, HW = m->H * m->W;
    if (C != w->C || im->n_pos > w->max_kp || im->n_neg > w->max_kp)
        return sb_fail(err, SB_EINPUT, "tts: image larger than its work space (%zu channels, %zu/%zu keypoints)", C,
                       im->n_pos, im->n_neg);
    for (size_t c = 0; c < C; c++) {
        const float *a = im->A + c * HW;
        double s = 0;
        for (size_t i = 0; i < HW; i++)
            s += (double)a[i];
        w->g[c] = s / (double)HW;
    }
    double *l = out->l_none;
    logits(m, w->g, NULL, 0, l);
    out->p1_none = prob1(l);
    out->pred_none = l[1] > l[0];
    for (size_t bi = 0; bi < g->n_budgets; bi++) {
        long b = g->budgets[bi];
        size_t np = sum_selected(m, g->upsample, im->A, im->pos, im->n_pos, im->order_pos, b, w->pick, w->sum_pos);
        size_t nn = sum_selected(m, g->upsample, im->A, im->neg, im->n_neg, im->order_neg, b, w->pick, w->sum_neg);
        out->n_pos_used[bi] = (uint32_t)np;
        out->n_neg_used[bi] = (uint32_t)nn;
        for (size_t ai = 0; ai < g->n_alpha; ai++) {
            double alpha = g->alpha[ai];
            int usable = (alpha > 0 && np > 0) || (alpha < 1 && nn > 0);
            eval_alpha(m, g, alpha, usable, out, w, out->cell + (bi * g->n_alpha + ai) * g->n_perc);
        }
    }
    return 0;
}

void sb_tts_random_order(uint64_t seed, const char *set, size_t image, size_t n_pos, size_t n_neg,
                         size_t *order_pos, size_t *order_neg)
{
    char idx[32];
    int len = snprintf(idx, sizeof idx, "/%zu", image);
    uint64_t h = sb_fnv1a64("tts/", 4, SB_FNV_INIT);
    h = sb_fnv1a64(set, strlen(set), h);
    h = sb_fnv1a64(idx, (size_t)len, h);
    sb_rng r;
    sb_rng_seed(&r, seed, h);
    size_t n[2] = {n_pos, n_neg};
    size_t *o[2] = {order_pos, order_neg};
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < n[k]; i++)
            o[k][i] = i;
        for (size_t i = n[k]; i-- > 1;) {
            size_t j = (size_t)sb_rng_below(&r, i + 1), t = o[k][i];
            o[k][i] = o[k][j];
            o[k][j] = t;
        }
    }
}
