/* pactran.c — PACTran-Gaussian (Ding et al., ECCV 2022), specs/scorers4.md "pactran".
 *
 * Follows google-research/pactran_metrics@a5e4997 compute_metrics.py::calculate_pac_gauss (read,
 * not copied): a softmax probe θ = [W (D×C); b (1×C)] on the centred features Xc minimises
 *     L(θ) = (1/N) Σ_i [ln(1 + 1e-10) − ln softmax(Xc_i W + b)_{y_i}] + ‖W‖²_F / (2λN)
 * by scipy's L-BFGS-B (maxiter --pactran-maxiter, tol 1e-6; numerics/lbfgsb_replay), from θ = 0
 * where the reference draws W ~ 0.03·N(0, 1) (the pin that makes it reproducible).
 * pac_opt = L(θ*); h = the diagonal of the Hessian of the data term plus 1/(λN) on W's entries,
 * sigma2_inv = Σh·λN/(D·C) + 1e-10; pac_gauss = pac_opt + ½·(D·C)/(λN)·(s2f/D)·ln sigma2_inv with
 * s2f = --pactran-s2. Only Σh is needed, so it is taken as Σ_i (‖Xc_i‖² + 1)·Σ_c q_ic(1 − q_ic)
 * + D·C/(λN) in O(N·C) per evaluation instead of the reference's (Xc∘Xc)ᵀ(Q − Q∘Q) product.
 * The context's centred features are read, never modified (the reference centres in place).
 * The softmax denominators and f's two sums follow numpy's summation order (numerics/numpy_sum):
 * on well-separated classes 1 − q of a sample is the rounding of its denominator, and nit/nfev
 * then hinge on that rounding. */
#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numerics/lbfgsb_replay.h"
#include "numerics/numpy_sum.h"
#include "tasks/transfer/scorer_common.h"

typedef struct pac_obj {
    const double *Xc;
    const int *y;
    size_t n, d, c;
    double lam_n;      /* λN */
    double *G;         /* N×C: logits, then (Q − Y)/N */
    double *rowsq;     /* ‖Xc_i‖² + 1 */
    double *loss;      /* the rows' loss terms */
    double *theta_at;  /* the θ of the last evaluation ... */
    double hsum;       /* ... and Σh there, without the D·C/(λN) of the prior */
} pac_obj;

/* Per row of logits: the row's loss term, its softmax's (Q − Y)/N in place, and the row's
 * Σ_c q(1 − q) weighted by ‖Xc_i‖² + 1 added to *hsum. The softmax denominator is summed in
 * numpy's order: for a well-classified row it is 1 + tiny terms, and its rounding is all
 * that 1 − q, the row's gradient, is made of. */
static double pac_row(double *row, size_t c, int yi, double n, double w, double *hsum)
{
    double mx = row[0], h = 0.0;
    for (size_t k = 1; k < c; k++)
        mx = fmax(mx, row[k]);
    double ly = row[yi];
    for (size_t k = 0; k < c; k++)
        row[k] = exp(row[k] - mx);
    double s = sb_numpy_sum(row, c), lse = log(s) + mx;
    for (size_t k = 0; k < c; k++) {
        double q = row[k] / s;
        h += q - q * q;
        row[k] = (q - (k == (size_t)yi ? 1.0 : 0.0)) / n;
    }
    *hsum += w * h;
    return log(1.0 + 1e-10) - (ly - lse); /* the reference's ln(1 + 1e-10) on the label */
}

static int pac_fg(const double *theta, double *f, double *g, void *vctx, sb_err *err)
{
    (void)err;
    pac_obj *o = vctx;
    size_t n = o->n, d = o->d, c = o->c;
    const double *W = theta, *b = theta + d * c;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)c, (int)d, 1.0, o->Xc, (int)d,
                W, (int)c, 0.0, o->G, (int)c);
    double hsum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double *row = o->G + i * c;
        for (size_t k = 0; k < c; k++)
            row[k] += b[k];
        o->loss[i] = pac_row(row, c, o->y[i], (double)n, o->rowsq[i], &hsum);
    }
    /* f's sums in numpy's order too: the line search compares nearby values of f */
    *f = sb_numpy_sum(o->loss, n) / (double)n + 0.5 * sb_numpy_sumsq(W, d * c) / o->lam_n;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)c, (int)n, 1.0, o->Xc, (int)d,
                o->G, (int)c, 0.0, g, (int)c);
    for (size_t a = 0; a < d * c; a++)
        g[a] += W[a] / o->lam_n;
    double *gb = g + d * c;
    memset(gb, 0, c * sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < c; k++)
            gb[k] += o->G[i * c + k];
    memcpy(o->theta_at, theta, (d + 1) * c * sizeof(double));
    o->hsum = hsum;
    return 0;
}

static int pac_alloc(pac_obj *o, double **theta, double **gscratch, sb_err *err)
{
    size_t p = (o->d + 1) * o->c;
    o->G = sb_malloc(o->n * o->c * sizeof(double), "pactran logits", err);
    o->rowsq = o->G ? sb_malloc(2 * o->n * sizeof(double), "pactran row terms", err) : NULL;
    o->loss = o->rowsq ? o->rowsq + o->n : NULL;
    o->theta_at = o->rowsq ? sb_malloc(p * sizeof(double), "pactran parameters", err) : NULL;
    *theta = o->theta_at ? sb_calloc(2 * p, sizeof(double), "pactran parameters", err) : NULL;
    *gscratch = *theta ? *theta + p : NULL;
    return *theta ? 0 : SB_ENOMEM;
}

/* Fills pac_opt, pac_gauss, sigma2_inv from the minimiser θ* and L(θ*). */
static int pac_finish(pac_obj *o, const sb_scorer_params *p, const double *theta, double *gscratch,
                      double f, sb_scorer_parts *out, sb_err *err)
{
    size_t np = (o->d + 1) * o->c;
    double kd = (double)(o->d * o->c);
    if (memcmp(theta, o->theta_at, np * sizeof(double)) != 0) {
        /* θ* is not the last point evaluated (a failed last line search): Σh at θ* */
        double f2;
        int rc = pac_fg(theta, &f2, gscratch, o, err);
        if (rc)
            return rc;
    }
    double sigma2_inv = (o->hsum + kd / o->lam_n) * o->lam_n / kd + 1e-10;
    double s2 = p->pactran_s2 * (1.0 / (double)o->d);
    double gauss = f + 0.5 * kd / o->lam_n * s2 * log(sigma2_inv);
    if (!isfinite(gauss)) {
        snprintf(out->reason, sizeof out->reason,
                 "non-finite PAC bound (pac_opt %g, sigma2_inv %g): the probe's logits overflow", f,
                 sigma2_inv);
        return 0;
    }
    out->v[0] = f;
    out->v[1] = gauss;
    out->v[2] = sigma2_inv;
    return 0;
}

static int pactran_parts(sb_xfer_ctx *ctx, const sb_scorer_params *p, sb_scorer_parts *out, sb_err *err)
{
    const sb_xfer_input *in = sb_xfer_input_of(ctx);
    for (size_t i = 0; i < SB_SCORER_MAX_PARTS; i++)
        out->v[i] = NAN;
    if (!(p->pactran_maxiter >= 1 && p->pactran_lambda > 0.0 && p->pactran_s2 > 0.0))
        return sb_fail(err, SB_EUSAGE, "pactran: bad options (maxiter %ld, lambda %g, s2 %g)",
                       p->pactran_maxiter, p->pactran_lambda, p->pactran_s2);
    size_t n = in->n, d = in->d, c = (size_t)in->c;
    if (n > INT_MAX || d >= INT_MAX / c)
        return sb_fail(err, SB_EINPUT, "pactran: %zu×%zu features, %zu classes exceed the 32-bit BLAS range",
                       n, d, c);
    pac_obj o = {.y = in->y, .n = n, .d = d, .c = c, .lam_n = p->pactran_lambda * (double)n};
    int rc = sb_xfer_centered(ctx, &o.Xc, err);
    if (rc)
        return rc;
    double *theta = NULL, *gscratch = NULL;
    if (!(rc = pac_alloc(&o, &theta, &gscratch, err))) {
        for (size_t i = 0; i < n; i++)
            o.rowsq[i] = cblas_ddot((int)d, o.Xc + i * d, 1, o.Xc + i * d, 1) + 1.0;
        sb_lbfgsb_opts opt = sb_lbfgsb_scipy_opts(1e-6, p->pactran_maxiter);
        sb_lbfgsb_result r;
        rc = sb_lbfgsb_minimize(pac_fg, &o, (d + 1) * c, theta, &opt, &r, err);
        if (!rc)
            rc = pac_finish(&o, p, theta, gscratch, r.f, out, err);
        if (!rc) {
            out->v[3] = (double)r.nit;
            out->v[4] = (double)r.nfev;
        }
    }
    free(o.G);
    free(o.rowsq);
    free(o.theta_at);
    free(theta);
    return rc;
}

/* Benchmark sign: higher is better. */
static double pactran_value(const sb_scorer_params *p, const double *v)
{
    (void)p;
    return -v[1];
}

static double pactran_cost(const sb_pair_size *sz, const sb_scorer_params *p)
{
    return 2.0 * ((double)p->pactran_maxiter + 2.0) * sz->n * sz->d * sz->c;
}

const sb_scorer sb_scorer_pactran = {
    .name = "pactran",
    .summary = "PACTran-Gaussian: PAC-Bayes bound of a softmax probe (L-BFGS-B as scipy 1.10), negated",
    .needs = SB_NEEDS_FEATURES,
    .components = (const char *const[]){"pac_opt", "pac_gauss", "sigma2_inv", "nit", "nfev", NULL},
    .parts = pactran_parts,
    .value_of = pactran_value,
    .cost = pactran_cost,
};
