/* parc.c — PARC (Bolya et al., NeurIPS 2021): 100 · Spearman between the upper triangles of
 * A = 1 − corrcoef(rows of F′) and B = 1 − corrcoef(rows of onehot(y)).
 *
 * F′: exact PCA to min(32, N) components when D > 32 (sign rule of sb_xfer_pca), else F;
 * then standard-scaled per column (ddof 0, near-constant columns left unscaled as sklearn).
 * B takes two values (0 same class, 1 + 1/(C−1) otherwise), so Spearman with average ranks
 * reduces to the Mann–Whitney statistic U of the A values of different-class pairs against
 * same-class pairs, plus the tie correction Σ(t³ − t) of A:
 *   ρ = (U − n0·n1/2) / √(((M³ − M) − Σ(t³ − t))/12 · n0·n1/M).
 * The M = N(N−1)/2 values are never all stored: a first dgemm sweep histograms them into
 * PARC_BUCKETS monotone value buckets (which orders values across buckets); later sweeps
 * recompute them and keep only a range of buckets whose values fit the memory bound, ordered
 * by bucket with a two-digit radix pass (two buffers) and sorted inside each bucket for the
 * exact order and ties. Memory: 2 × 2^26 values (1 GiB) by default, plus 1 MiB of histogram
 * and PARC_BLOCK·N doubles for the dgemm block. */
#include "tasks/transfer/parc.h"

#include <cblas.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/transfer/scorer_common.h"

#define PARC_DIMS 32
#define PARC_BUCKETS ((size_t)1 << 16) /* histogram of 1 MiB: stays in cache */
#define PARC_BLOCK 256

__extension__ typedef unsigned __int128 u128;

typedef struct sweep {
    size_t n, k;
    const double *W; /* N×k rows centred and unit-norm: corr = dot */
    const int *y;
    double *S;       /* PARC_BLOCK × N */
    /* mode count: cnt[2b] same-class, cnt[2b+1] different-class pairs in bucket b */
    uint64_t *cnt;
    /* mode collect: values of buckets [b0, b1) appended to tmp (nt of them) */
    size_t b0, b1, nt, cap;
    int overflow;
    uint64_t *keys, *tmp;
} sweep;

static inline size_t bucket_of(double a)
{
    size_t b = (size_t)(a * ((double)PARC_BUCKETS / 2.0));
    return b >= PARC_BUCKETS ? PARC_BUCKETS - 1 : b;
}

/* Key: the value's bits (a ≥ +0, so integer order = value order) shifted, group in bit 0. */
static inline uint64_t key_of(double a, int diff)
{
    uint64_t u;
    memcpy(&u, &a, sizeof u);
    return (u << 1) | (uint64_t)diff;
}

static inline size_t bucket_of_key(uint64_t key)
{
    uint64_t u = key >> 1;
    double a;
    memcpy(&a, &u, sizeof a);
    return bucket_of(a);
}

/* Stable counting sort of src (m keys of buckets [b0, b1)) into dst by the digit
 * ((bucket − b0) >> shift) & 255; the digit counts come from the histogram. A two-digit radix
 * keeps the scatter to 256 write streams at a time instead of one per bucket. */
static void scatter_digit(const uint64_t *src, uint64_t *dst, size_t m, const uint64_t *cnt, size_t b0,
                          size_t b1, unsigned shift)
{
    size_t pos[256] = {0};
    for (size_t b = b0; b < b1; b++)
        pos[((b - b0) >> shift) & 255] += cnt[2 * b] + cnt[2 * b + 1];
    size_t run = 0;
    for (size_t g = 0; g < 256; g++) {
        size_t t = pos[g];
        pos[g] = run;
        run += t;
    }
    for (size_t i = 0; i < m; i++)
        dst[pos[((bucket_of_key(src[i]) - b0) >> shift) & 255]++] = src[i];
}

static void run_sweep(sweep *s, int collect)
{
    size_t n = s->n;
    for (size_t i0 = 0; i0 < n; i0 += PARC_BLOCK) {
        size_t b = n - i0 < PARC_BLOCK ? n - i0 : PARC_BLOCK, w = n - i0;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)w, (int)s->k, 1.0, s->W + i0 * s->k,
                    (int)s->k, s->W + i0 * s->k, (int)s->k, 0.0, s->S, (int)w);
        for (size_t r = 0; r < b; r++) {
            size_t i = i0 + r;
            const double *row = s->S + r * w;
            int yi = s->y[i];
            for (size_t j = i + 1; j < n; j++) {
                double cr = row[j - i0];
                cr = cr > 1.0 ? 1.0 : (cr < -1.0 ? -1.0 : cr); /* numpy.corrcoef clips */
                double a = 1.0 - cr;
                size_t bk = bucket_of(a);
                int diff = s->y[j] != yi;
                if (!collect)
                    s->cnt[2 * bk + (size_t)diff]++;
                else {
                    /* Branch-free append: the slot past the end is scratch (tmp has one spare). */
                    s->tmp[s->nt] = key_of(a, diff);
                    s->nt += (size_t)(bk >= s->b0 && bk < s->b1);
                    if (s->nt > s->cap) { /* never, unless values changed since the count */
                        s->nt = s->cap;
                        s->overflow = 1;
                    }
                }
            }
        }
    }
}

/* Quicksort (Hoare partition, median of three) with insertion sort below 24 keys. */
static void sort_u64(uint64_t *a, size_t n)
{
    while (n > 24) {
        uint64_t x = a[0], y = a[n / 2], z = a[n - 1];
        uint64_t p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < p)
                i++;
            while (a[j] > p)
                j--;
            if (i >= j)
                break;
            uint64_t t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* [0, j] ≤ p ≤ [j+1, n): recurse on the smaller side. */
        size_t left = j + 1;
        if (left < n - left) {
            sort_u64(a, left);
            a += left;
            n -= left;
        } else {
            sort_u64(a + left, n - left);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        uint64_t v = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > v) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

/* Position of a key's value inside its bucket, in 256 monotone sub-buckets: the bucket's real
 * coordinate x = a·K/2 minus its integer part (exact), times 256. */
static inline size_t sub_of_key(uint64_t key, size_t b)
{
    uint64_t u = key >> 1;
    double a;
    memcpy(&a, &u, sizeof a);
    double f = (a * ((double)PARC_BUCKETS / 2.0) - (double)b) * 256.0;
    size_t g = f <= 0.0 ? 0 : (size_t)f;
    return g > 255 ? 255 : g;
}

/* Sorts the m keys of bucket b: large buckets are first spread over 256 sub-buckets into
 * scratch (cache-resident for typical sizes), each then sorted on its own. Returns where the
 * sorted keys are (src or scratch). */
static uint64_t *sort_bucket(uint64_t *src, uint64_t *scratch, size_t m, size_t b)
{
    if (m <= 256) {
        sort_u64(src, m);
        return src;
    }
    size_t pos[257] = {0};
    for (size_t i = 0; i < m; i++)
        pos[sub_of_key(src[i], b) + 1]++;
    for (size_t g = 0; g < 256; g++)
        pos[g + 1] += pos[g];
    size_t start[256];
    memcpy(start, pos, sizeof start);
    for (size_t i = 0; i < m; i++)
        scratch[pos[sub_of_key(src[i], b)]++] = src[i];
    for (size_t g = 0; g < 256; g++)
        sort_u64(scratch + start[g], pos[g] - start[g]);
    return scratch;
}

/* F′ standardised, rows centred and normalised (N×k, caller frees). *bad = a constant row. */
static int reduced_rows(sb_xfer_ctx *ctx, double **Wout, size_t *kout, size_t *bad, sb_err *err)
{
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    size_t n = in->n, d = in->d, k;
    const double *Z;
    int rc;
    if (d > PARC_DIMS) {
        k = n < PARC_DIMS ? n : PARC_DIMS;
        rc = sb_xfer_pca(ctx, k, &Z, err);
    } else {
        k = d;
        rc = sb_xfer_features(ctx, &Z, err);
    }
    if (rc)
        return rc;
    double *W = sb_malloc(n * k * sizeof *W, "parc reduced features", err);
    if (!W)
        return SB_ENOMEM;
    const double eps = 2.220446049250313e-16;
    for (size_t j = 0; j < k; j++) {
        double m = 0.0, v = 0.0;
        for (size_t i = 0; i < n; i++)
            m += Z[i * k + j];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            v += (Z[i * k + j] - m) * (Z[i * k + j] - m);
        v /= (double)n;
        /* sklearn's _is_constant_feature bound: such a column keeps scale 1. */
        double ub = (double)n * eps * v + ((double)n * m * eps) * ((double)n * m * eps);
        double sc = v <= ub ? 1.0 : sqrt(v);
        for (size_t i = 0; i < n; i++)
            W[i * k + j] = (Z[i * k + j] - m) / sc;
    }
    *bad = n;
    for (size_t i = 0; i < n; i++) {
        double *r = W + i * k, m = 0.0, s = 0.0;
        for (size_t j = 0; j < k; j++)
            m += r[j];
        m /= (double)k;
        for (size_t j = 0; j < k; j++) {
            r[j] -= m;
            s += r[j] * r[j];
        }
        if (!(s > 0)) {
            if (*bad == n)
                *bad = i;
            continue;
        }
        s = 1.0 / sqrt(s);
        for (size_t j = 0; j < k; j++)
            r[j] *= s;
    }
    *Wout = W;
    *kout = k;
    return 0;
}

int sb_parc_score_bounded(sb_xfer_ctx *ctx, size_t max_values, double *value, char *reason, size_t cap,
                          sb_err *err)
{
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    SB_SCORER_NEED_TWO_CLASSES(ctx, value, reason, cap);
    size_t n = in->n;
    const size_t *cnt;
    int rc = sb_xfer_class_counts(ctx, &cnt, err);
    if (rc)
        return rc;
    uint64_t M = (uint64_t)n * (n - 1) / 2, n0 = 0;
    for (int a = 0; a < in->c; a++)
        n0 += (uint64_t)cnt[a] * (cnt[a] - 1) / 2;
    uint64_t n1 = M - n0;
    if (n0 == 0)
        return sb_scorer_undefined(value, reason, cap, "no two samples share a class: label distances are constant");
    double *W;
    size_t k, bad;
    if ((rc = reduced_rows(ctx, &W, &k, &bad, err)))
        return rc;
    if (bad < n) {
        free(W);
        return sb_scorer_undefined(value, reason, cap,
                                   "sample %zu has constant reduced features: its correlations are undefined", bad);
    }
    if (max_values < 1)
        max_values = 1;
    sweep s = {.n = n, .k = k, .W = W, .y = in->y};
    s.S = sb_malloc((n < PARC_BLOCK ? n : PARC_BLOCK) * n * sizeof *s.S, "parc correlation block", err);
    s.cnt = s.S ? sb_calloc(2 * PARC_BUCKETS, sizeof(uint64_t), "parc histogram", err) : NULL;
    if (!s.cnt) {
        rc = SB_ENOMEM;
        goto out;
    }
    run_sweep(&s, 0);
    /* Largest chunk: buckets are taken in order while their total fits max_values. */
    size_t chunk_max = 0;
    for (size_t b = 0, tot = 0; b < PARC_BUCKETS; b++) {
        uint64_t t = s.cnt[2 * b] + s.cnt[2 * b + 1];
        if (tot > 0 && tot + t > max_values)
            tot = 0;
        tot += t;
        if (tot > chunk_max)
            chunk_max = tot;
    }
    s.keys = sb_malloc(chunk_max * sizeof *s.keys, "parc pair values", err);
    s.tmp = s.keys ? sb_malloc((chunk_max + 1) * sizeof *s.tmp, "parc pair values (radix buffer)", err) : NULL;
    if (!s.tmp) {
        rc = SB_ENOMEM;
        goto out;
    }
    u128 U2 = 0;          /* 2·U */
    uint64_t same_below = 0;
    double ties = 0.0;    /* Σ (t³ − t) */
    for (size_t b0 = 0; b0 < PARC_BUCKETS;) {
        size_t b1 = b0, tot = 0;
        while (b1 < PARC_BUCKETS && (b1 == b0 || tot + s.cnt[2 * b1] + s.cnt[2 * b1 + 1] <= max_values)) {
            tot += s.cnt[2 * b1] + s.cnt[2 * b1 + 1];
            b1++;
        }
        if (tot > 0) {
            s.b0 = b0;
            s.b1 = b1;
            s.nt = 0;
            s.cap = tot;
            s.overflow = 0;
            run_sweep(&s, 1);
            if (s.overflow || s.nt != tot) {
                rc = sb_fail(err, SB_ENUMERIC, "parc: pair values changed between sweeps (buckets %zu..%zu)", b0, b1);
                goto out;
            }
            /* Order by bucket: low digit into keys, then high digit back into tmp (LSD, stable),
             * after which every bucket's values are contiguous, in bucket order, in tmp. */
            scatter_digit(s.tmp, s.keys, tot, s.cnt, b0, b1, 0);
            scatter_digit(s.keys, s.tmp, tot, s.cnt, b0, b1, 8);
        }
        size_t start = 0;
        for (size_t b = b0; b < b1; b++) {
            size_t m = s.cnt[2 * b] + s.cnt[2 * b + 1];
            if (!m)
                continue;
            uint64_t *a = s.tmp + start;
            if (bucket_of_key(a[0]) != b || bucket_of_key(a[m - 1]) != b) {
                rc = sb_fail(err, SB_ENUMERIC, "parc: pair values changed between sweeps (bucket %zu)", b);
                goto out;
            }
            a = sort_bucket(a, s.keys + start, m, b);
            for (size_t i = 0; i < m;) {
                size_t j = i;
                uint64_t ns = 0, nd = 0;
                while (j < m && (a[j] >> 1) == (a[i] >> 1)) {
                    if (a[j] & 1)
                        nd++;
                    else
                        ns++;
                    j++;
                }
                U2 += (u128)2 * nd * same_below + (u128)nd * ns;
                same_below += ns;
                double t = (double)(j - i);
                ties += t * t * t - t;
                i = j;
            }
            start += m;
        }
        b0 = b1;
    }
    double Md = (double)M;
    double vr = ((Md * Md * Md - Md) - ties) / 12.0;
    if (!(vr > 0)) {
        sb_scorer_undefined(value, reason, cap, "all pairwise feature distances are equal");
        goto out;
    }
    double num = ((double)U2 - (double)n0 * (double)n1) / 2.0;
    *value = 100.0 * num / sqrt(vr * (double)n0 * (double)n1 / Md);
out:
    free(W);
    free(s.S);
    free(s.cnt);
    free(s.keys);
    free(s.tmp);
    return rc;
}

static int parc_score(sb_xfer_ctx *ctx, double *value, char *reason, size_t cap, sb_err *err)
{
    return sb_parc_score_bounded(ctx, SB_PARC_DEFAULT_VALUES, value, reason, cap, err);
}

const sb_scorer sb_scorer_parc = {
    .name = "parc",
    .summary = "PARC: 100 x Spearman of feature and label dissimilarity matrices (PCA-32)",
    .needs = SB_NEEDS_FEATURES,
    .score = parc_score,
};
