/* tmi.c — TMI (Xu & Kang, snudatalab): class-weighted intra-class feature entropy from
 * 3rd-nearest-neighbour Chebyshev distances (specs/scorers4.md).
 *
 * Follows snudatalab/TMI@72e5747 src/trf_measurement.py::TMI with get_h(k = 3, norm 'max',
 * min_dist 1.0) (read, not copied): F is centred (the context's Fc), then per class c of n_c rows
 *  - n_c = 1: h_c = 0, kept (the reference skips the estimator);
 *  - n_c ∈ {2, 3}: its k-d tree has no 4th point to return (∞): the class is dropped;
 *  - else r_i = Chebyshev distance from row i to its 3rd nearest other row of the class
 *    (duplicates count, at distance 0: the tree returns every point, the query's own included),
 *    r_i ← max(r_i, 1.0), h_c = ψ(n_c) − ψ(3) + (D/n_c)·Σ_i ln(2 r_i) (log c_d = 0 for the max norm).
 * tmi = mean over kept classes of (n_c/N)·h_c; none kept (every class of 2 or 3 rows): undefined.
 *
 * The neighbour search is brute force within each class, D·n_c²/2 distance terms (each pair
 * once, both rows' running top-3 updated). The class is packed in panels of 8 rows stored
 * dimension-major, so a tile of 4 rows × 8 rows streams two contiguous arrays and keeps its 32
 * running maxima in registers. Subtraction, |·| and max are exact, so every kernel (AVX2 or
 * portable) gives the same distances bit for bit and the result does not depend on the CPU. */
#include <stdlib.h>
#include <string.h>

#include "tasks/transfer/scorer_common.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define TMI_HAVE_AVX2 1
#endif

#define TMI_P 8 /* rows per packed panel (tile columns) */
#define TMI_R 4 /* rows of the tile taken from one panel (tile rows) */

/* The Chebyshev distances of rows A[·, 0..R) to rows B[·, 0..P) (both panels, stride P, d
 * dimensions) into out[r·P + s]. */
typedef void tmi_tile_fn(const double *A, const double *B, size_t d, double *out);

static void tile_portable(const double *A, const double *B, size_t d, double *out)
{
    double t[TMI_R * TMI_P] = {0};
    for (size_t a = 0; a < d; a++)
        for (int r = 0; r < TMI_R; r++)
            for (int s = 0; s < TMI_P; s++) {
                double v = fabs(A[a * TMI_P + r] - B[a * TMI_P + s]);
                t[r * TMI_P + s] = v > t[r * TMI_P + s] ? v : t[r * TMI_P + s];
            }
    memcpy(out, t, sizeof t);
}

#ifdef TMI_HAVE_AVX2
/* The same tile in 8 AVX2 accumulators: |x| by clearing the sign bit, max as maxpd. */
__attribute__((target("avx2"))) static void tile_avx2(const double *A, const double *B, size_t d, double *out)
{
    const __m256d sign = _mm256_set1_pd(-0.0);
    __m256d t00 = _mm256_setzero_pd(), t01 = t00, t10 = t00, t11 = t00, t20 = t00, t21 = t00, t30 = t00,
            t31 = t00;
    for (size_t a = 0; a < d; a++) {
        __m256d b0 = _mm256_loadu_pd(B + a * TMI_P), b1 = _mm256_loadu_pd(B + a * TMI_P + 4), x;
#define TMI_ROW(r, u0, u1)                                                      \
    x = _mm256_broadcast_sd(A + a * TMI_P + (r));                               \
    u0 = _mm256_max_pd(_mm256_andnot_pd(sign, _mm256_sub_pd(x, b0)), u0);       \
    u1 = _mm256_max_pd(_mm256_andnot_pd(sign, _mm256_sub_pd(x, b1)), u1)
        TMI_ROW(0, t00, t01);
        TMI_ROW(1, t10, t11);
        TMI_ROW(2, t20, t21);
        TMI_ROW(3, t30, t31);
#undef TMI_ROW
    }
    _mm256_storeu_pd(out + 0, t00), _mm256_storeu_pd(out + 4, t01);
    _mm256_storeu_pd(out + 8, t10), _mm256_storeu_pd(out + 12, t11);
    _mm256_storeu_pd(out + 16, t20), _mm256_storeu_pd(out + 20, t21);
    _mm256_storeu_pd(out + 24, t30), _mm256_storeu_pd(out + 28, t31);
}
#endif

/* For tests (declared in the test, not in a header): nonzero forces the portable kernel. */
extern int sb_tmi_portable_kernel;
int sb_tmi_portable_kernel = 0;

static tmi_tile_fn *tmi_pick_tile(void)
{
#ifdef TMI_HAVE_AVX2
    if (!sb_tmi_portable_kernel && __builtin_cpu_supports("avx2"))
        return tile_avx2;
#endif
    return tile_portable;
}

/* Inserts v into the ascending top-3 t (a strict test: equal values are all kept, since the
 * 3 smallest of a multiset are the same whichever of equal values comes first). */
static inline void top3_push(double *t, double v)
{
    if (!(v < t[2]))
        return;
    if (v < t[1]) {
        t[2] = t[1];
        if (v < t[0]) {
            t[1] = t[0];
            t[0] = v;
        } else {
            t[1] = v;
        }
    } else {
        t[2] = v;
    }
}

/* Rows order[0..n) of Fc into panels of TMI_P rows, dimension-major (pan[p·d·P + a·P + s] =
 * row p·P + s, dimension a); the last panel's missing rows are zeros, never read back. */
static void tmi_pack(const double *Fc, size_t d, const size_t *order, size_t n, double *pan)
{
    size_t np = (n + TMI_P - 1) / TMI_P;
    memset(pan + (np - 1) * d * TMI_P, 0, d * TMI_P * sizeof *pan);
    for (size_t i = 0; i < n; i++) {
        const double *x = Fc + order[i] * d;
        double *p = pan + (i / TMI_P) * d * TMI_P + i % TMI_P;
        for (size_t a = 0; a < d; a++)
            p[a * TMI_P] = x[a];
    }
}

/* Panels per block of the j loop: the block (P·d doubles per panel) stays near 256 KiB, in L2,
 * while every tile row of the class sweeps it. */
static size_t tmi_panels_per_block(size_t d)
{
    size_t k = (256u << 10) / (TMI_P * d * sizeof(double));
    return k ? k : 1;
}

/* top[3i..3i+3) = the 3 smallest Chebyshev distances from packed row i to the other n−1 rows,
 * ascending (∞ where fewer exist). Each pair is computed once, in the tile whose rows hold the
 * smaller index. */
static void tmi_top3(tmi_tile_fn *tile, const double *pan, size_t n, size_t d, double *top)
{
    size_t np = (n + TMI_P - 1) / TMI_P, jb = tmi_panels_per_block(d);
    double out[TMI_R * TMI_P];
    for (size_t i = 0; i < 3 * n; i++)
        top[i] = INFINITY;
    for (size_t j0 = 0; j0 < np; j0 += jb) {
        size_t j1 = j0 + jb < np ? j0 + jb : np;
        for (size_t i0 = 0; i0 < n && i0 < j1 * TMI_P; i0 += TMI_R) {
            const double *A = pan + (i0 / TMI_P) * d * TMI_P + i0 % TMI_P;
            for (size_t pj = j0 > i0 / TMI_P ? j0 : i0 / TMI_P; pj < j1; pj++) {
                tile(A, pan + pj * d * TMI_P, d, out);
                for (size_t r = 0; r < TMI_R; r++)
                    for (size_t s = 0; s < TMI_P; s++) {
                        size_t i = i0 + r, j = pj * TMI_P + s;
                        if (j > i && j < n) {
                            top3_push(top + 3 * i, out[r * TMI_P + s]);
                            top3_push(top + 3 * j, out[r * TMI_P + s]);
                        }
                    }
            }
        }
    }
}

/* ψ(n) for an integer n ≥ 1: −γ + Σ_{k<n} 1/k below 20; above, the asymptotic series to the
 * n^−10 term (the next one, 691/(32760 n^12), is below 6e-18 there). */
double sb_tmi_digamma(size_t n); /* exported for the test against scipy */
double sb_tmi_digamma(size_t n)
{
    const double euler = 0.57721566490153286061;
    if (n < 20) {
        double s = -euler;
        for (size_t k = 1; k < n; k++)
            s += 1.0 / (double)k;
        return s;
    }
    double x = (double)n, z = 1.0 / (x * x);
    double series = z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (1.0 / 132)))));
    return log(x) - 0.5 / x - series;
}

/* h_c of one class of n ≥ 4 rows (order[0..n) into Fc). */
static int tmi_class_entropy(tmi_tile_fn *tile, const double *Fc, size_t d, const size_t *order, size_t n,
                             double *h, sb_err *err)
{
    size_t np = (n + TMI_P - 1) / TMI_P;
    double *pan = sb_malloc(np * TMI_P * d * sizeof *pan, "tmi class panels", err);
    double *top = pan ? sb_malloc(3 * n * sizeof *top, "tmi neighbour distances", err) : NULL;
    if (!top) {
        free(pan);
        return SB_ENOMEM;
    }
    tmi_pack(Fc, d, order, n, pan);
    tmi_top3(tile, pan, n, d, top);
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += log(2.0 * fmax(top[3 * i + 2], 1.0));
    free(pan);
    free(top);
    *h = sb_tmi_digamma(n) - sb_tmi_digamma(3) + ((double)d / (double)n) * s;
    return 0;
}

static int tmi_parts(sb_xfer_ctx *ctx, const sb_scorer_params *p, sb_scorer_parts *out, sb_err *err)
{
    (void)p;
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    size_t c = (size_t)in->c, kept = 0, dropped = 0;
    const double *Fc;
    const size_t *order, *off;
    int rc = sb_xfer_centered(ctx, &Fc, err);
    if (rc || (rc = sb_xfer_class_rows(ctx, &order, &off, err)))
        return rc;
    tmi_tile_fn *tile = tmi_pick_tile();
    double sum = 0.0;
    for (size_t k = 0; k < c; k++) {
        size_t n = off[k + 1] - off[k];
        double h = 0.0;
        if (n == 2 || n == 3) {
            dropped++;
            continue;
        }
        if (n >= 4 && (rc = tmi_class_entropy(tile, Fc, in->d, order + off[k], n, &h, err)))
            return rc;
        sum += (double)n / (double)in->n * h;
        kept++;
    }
    out->v[0] = kept ? sum / (double)kept : NAN;
    out->v[1] = (double)kept;
    out->v[2] = (double)dropped;
    if (!kept)
        snprintf(out->reason, sizeof out->reason,
                 "every class has 2 or 3 samples: no 3rd neighbour (the reference's k-d tree returns inf)");
    return 0;
}

static double tmi_value(const sb_scorer_params *p, const double *v)
{
    (void)p;
    return v[0];
}

static double tmi_cost(const sb_pair_size *sz, const sb_scorer_params *p)
{
    (void)p;
    return sz->d * sz->sum_nc2;
}

const sb_scorer sb_scorer_tmi = {
    .name = "tmi",
    .summary = "TMI: class-weighted intra-class entropy (3rd-neighbour Chebyshev distances, floor 1)",
    .needs = SB_NEEDS_FEATURES,
    .components = (const char *const[]){"tmi", "classes_kept", "classes_dropped", NULL},
    .parts = tmi_parts,
    .value_of = tmi_value,
    .cost = tmi_cost,
};
