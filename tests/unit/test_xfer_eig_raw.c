/* The eigen-decomposition of the raw Gram FᵀF that LogME uses is derived from the centred one
 * by a rank-one update (xfer_ctx.c). Checked here against LAPACK's dsyevd run directly on FᵀF
 * built in the test: eigenvalues to 1e-12 of the largest, and every returned pair satisfies
 * ‖FᵀF v − λ v‖ ≤ 1e-12 ‖FᵀF‖ with orthonormal vectors — on plain data, on data with a constant
 * column, a duplicated column and a low-rank block, and in float32. The projection accessors
 * (sb_xfer_project_centered/raw, which never form V or U) are checked against B·V and B·U from
 * the full matrices, on a fresh context that asks for the projections first. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lapacke.h>

#include "core/rng.h"
#include "tasks/transfer/xfer_ctx.h"

/* max |P − B·M| over the m×D entries, relative to max|B|·‖M‖ (M orthogonal: ‖M‖ = 1). */
static double proj_error(const double *P, const double *B, const double *M, size_t m, size_t d)
{
    double err = 0, bmax = 0;
    for (size_t k = 0; k < m * d; k++)
        bmax = fmax(bmax, fabs(B[k]));
    for (size_t a = 0; a < m; a++)
        for (size_t j = 0; j < d; j++) {
            double s = 0;
            for (size_t i = 0; i < d; i++)
                s += B[a * d + i] * M[i * d + j];
            err = fmax(err, fabs(P[a * d + j] - s));
        }
    return err / (bmax * (double)d);
}

/* Projections first on a fresh context (in), then the full matrices on another (ref). */
static void check_projections(const sb_xfer_input *in, sb_xfer_ctx *ref)
{
    size_t d = in->d, m = 3;
    sb_xfer_ctx *ctx;
    sb_err err;
    assert_int_equal(sb_xfer_ctx_new(in, &ctx, &err), 0);
    double *B = malloc(m * d * sizeof *B), *P = malloc(m * d * sizeof *P);
    sb_rng r;
    sb_rng_seed(&r, 77, 0);
    for (size_t k = 0; k < m * d; k++)
        B[k] = sb_rng_normal(&r);
    const double *w, *wr, *V, *U, *w_full, *wr_full;
    assert_int_equal(sb_xfer_project_raw(ctx, B, m, P, &err), 0);
    assert_int_equal(sb_xfer_eig_raw(ref, &wr_full, &U, &err), 0);
    assert_true(proj_error(P, B, U, m, d) <= 1e-12);
    assert_int_equal(sb_xfer_project_centered(ctx, B, m, P, &err), 0);
    assert_int_equal(sb_xfer_eig_centered(ref, &w_full, &V, &err), 0);
    assert_true(proj_error(P, B, V, m, d) <= 1e-12);
    /* The eigenvalues alone are the very numbers of the full decompositions. */
    assert_int_equal(sb_xfer_eigvals_centered(ctx, &w, &err), 0);
    assert_int_equal(sb_xfer_eigvals_raw(ctx, &wr, &err), 0);
    for (size_t j = 0; j < d; j++) {
        assert_true(w[j] == w_full[j]);
        assert_true(wr[j] == wr_full[j]);
    }
    assert_int_equal(sb_xfer_stat_count(ctx, SB_XFER_STAT_EIG), 1);
    assert_int_equal(sb_xfer_stat_count(ctx, SB_XFER_STAT_EIG_RAW), 1);
    free(B), free(P);
    sb_xfer_ctx_free(ctx);
}

static void check(const double *F, const float *F32, size_t n, size_t d, int c)
{
    int *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++)
        y[i] = (int)(i % (size_t)c);
    sb_xfer_input in = {.n = n, .d = d, .f64 = F32 ? NULL : F, .f32 = F32, .y = y, .c = c};
    sb_xfer_ctx *ctx;
    sb_err err;
    assert_int_equal(sb_xfer_ctx_new(&in, &ctx, &err), 0);
    const double *ev, *V;
    assert_int_equal(sb_xfer_eig_raw(ctx, &ev, &V, &err), 0);

    double *G = calloc(d * d, sizeof *G), *W = malloc(d * sizeof *W), *A = malloc(d * d * sizeof *A);
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b < d; b++) {
                double fa = F32 ? (double)F32[i * d + a] : F[i * d + a];
                double fb = F32 ? (double)F32[i * d + b] : F[i * d + b];
                G[a * d + b] += fa * fb;
            }
    memcpy(A, G, d * d * sizeof *A);
    assert_int_equal(LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)d, A, (lapack_int)d, W), 0);
    double gnorm = 0, top = fabs(W[d - 1]);
    for (size_t k = 0; k < d * d; k++)
        gnorm += G[k] * G[k];
    gnorm = sqrt(gnorm);
    for (size_t k = 0; k < d; k++)
        assert_true(fabs(ev[k] - W[k]) <= 1e-12 * top);
    /* Pairs: column k of V (row-major D×D, like sb_xfer_eig_centered). */
    for (size_t k = 0; k < d; k++) {
        double res = 0, norm = 0;
        for (size_t a = 0; a < d; a++) {
            double gv = 0;
            for (size_t b = 0; b < d; b++)
                gv += G[a * d + b] * V[b * d + k];
            res += (gv - ev[k] * V[a * d + k]) * (gv - ev[k] * V[a * d + k]);
            norm += V[a * d + k] * V[a * d + k];
        }
        assert_true(sqrt(res) <= 1e-12 * gnorm);
        assert_true(fabs(norm - 1) <= 1e-12);
        for (size_t j = 0; j < k; j++) {
            double dot = 0;
            for (size_t a = 0; a < d; a++)
                dot += V[a * d + k] * V[a * d + j];
            assert_true(fabs(dot) <= 1e-12);
        }
    }
    check_projections(&in, ctx);
    free(G), free(W), free(A), free(y);
    sb_xfer_ctx_free(ctx);
}

static double *random_features(size_t n, size_t d, uint64_t seed)
{
    sb_rng r;
    sb_rng_seed(&r, seed, 0);
    double *F = malloc(n * d * sizeof *F);
    for (size_t i = 0; i < n * d; i++)
        F[i] = 3.0 + sb_rng_normal(&r) * (1.0 + (double)(i % d)); /* a non-zero mean: a real update */
    return F;
}

static void plain(void **state)
{
    (void)state;
    double *F = random_features(80, 9, 1);
    check(F, NULL, 80, 9, 3);
    free(F);
}

static void degenerate_columns(void **state)
{
    (void)state;
    size_t n = 60, d = 8;
    double *F = random_features(n, d, 2);
    for (size_t i = 0; i < n; i++) {
        F[i * d + 2] = 5.0;                                  /* constant */
        F[i * d + 5] = F[i * d + 1];                         /* duplicate */
        F[i * d + 7] = 0.5 * F[i * d + 0] - 2 * F[i * d + 3]; /* in the span of others */
    }
    check(F, NULL, n, d, 4);
    free(F);
}

static void float32_input(void **state)
{
    (void)state;
    size_t n = 70, d = 6;
    double *F = random_features(n, d, 3);
    float *F32 = malloc(n * d * sizeof *F32);
    for (size_t i = 0; i < n * d; i++)
        F32[i] = (float)F[i];
    check(NULL, F32, n, d, 2);
    free(F), free(F32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(plain), cmocka_unit_test(degenerate_columns),
                                       cmocka_unit_test(float32_input)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
