/* explain_gen.c — `shardbench gen explain`: the planted-truth generator of specs/explain.md.
 * Draw order (not fixed by the spec): the model from stream 0 (per concept p_j, then per
 * (j, k) the zero coin, magnitude and sign of β), image i from stream i + 1 (c_i·, u_i, then
 * per concept ε_ij and the invalid draw). */
#include "tasks/explain/explain_gen.h"

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5write.h"
#include "tasks/generator.h"

#define GH_NODES 200

int sb_explain_model_draw(sb_explain_model *m, size_t nj, size_t nk, double gamma, double eta, sb_rng *r,
                          sb_err *err)
{
    memset(m, 0, sizeof *m);
    m->nj = nj, m->nk = nk, m->gamma = gamma, m->eta = eta;
    m->prev = malloc(nj * sizeof *m->prev);
    m->beta = malloc(nj * nk * sizeof *m->beta);
    m->bias = calloc(nk, sizeof *m->bias);
    if (!m->prev || !m->beta || !m->bias) {
        sb_explain_model_free(m);
        return sb_fail(err, SB_ENOMEM, "gen explain: out of memory");
    }
    for (size_t j = 0; j < nj; j++)
        m->prev[j] = 0.2 + 0.6 * sb_rng_uniform(r);
    for (size_t x = 0; x < nj * nk; x++) {
        int zero = sb_rng_uniform(r) < 0.5;
        double mag = 0.5 + 2.5 * sb_rng_uniform(r);
        int neg = sb_rng_uniform(r) < 0.5;
        m->beta[x] = zero ? 0 : neg ? -mag : mag;
    }
    for (size_t k = 0; k < nk; k++)
        for (size_t j = 0; j < nj; j++)
            m->bias[k] -= m->prev[j] * m->beta[j * nk + k];
    return 0;
}

void sb_explain_model_free(sb_explain_model *m)
{
    free(m->prev), free(m->beta), free(m->bias);
    m->prev = m->beta = m->bias = NULL;
}

void sb_explain_draw_image(const sb_explain_model *m, uint64_t seed, size_t i, double invalid, signed char *c,
                           double *z, double *ze, signed char *bad)
{
    sb_rng r;
    sb_rng_seed(&r, seed, (uint64_t)i + 1);
    size_t J = m->nj, K = m->nk;
    for (size_t j = 0; j < J; j++)
        c[j] = sb_rng_uniform(&r) < m->prev[j];
    double u = sb_rng_normal(&r);
    for (size_t k = 0; k < K; k++) {
        z[k] = m->bias[k] + m->gamma * u;
        for (size_t j = 0; j < J; j++)
            z[k] += m->beta[j * K + k] * c[j];
    }
    for (size_t j = 0; j < J; j++) {
        double ue = u + m->eta * sb_rng_normal(&r), flip = c[j] ? -1 : 1;
        bad[j] = sb_rng_uniform(&r) < invalid;
        for (size_t k = 0; k < K; k++)
            ze[j * K + k] = z[k] + m->gamma * (ue - u) + flip * m->beta[j * K + k];
    }
}

/* Probabilists' Gauss–Hermite nodes and weights (Golub–Welsch): E g(v) = Σ w_i g(x_i). */
static int gauss_hermite(double *x, double *w, sb_err *err)
{
    double e[GH_NODES], z[GH_NODES * GH_NODES];
    for (int i = 0; i < GH_NODES; i++)
        x[i] = 0, e[i] = sqrt((double)(i + 1));
    if (LAPACKE_dstev(LAPACK_COL_MAJOR, 'V', GH_NODES, x, e, z, GH_NODES))
        return sb_fail(err, SB_ENUMERIC, "gen explain: Gauss-Hermite eigenproblem failed");
    for (int i = 0; i < GH_NODES; i++)
        w[i] = z[(size_t)i * GH_NODES] * z[(size_t)i * GH_NODES];
    return 0;
}

static double g_prob(double mu, double s, const double *x, const double *w)
{
    double sum = 0;
    for (int i = 0; i < GH_NODES; i++)
        sum += w[i] / (1 + exp(-(mu + s * x[i])));
    return sum;
}

static double g_dec(double mu, double s) { return s > 0 ? 0.5 * erfc(-mu / s * 0.70710678118654752440) : mu > 0; }

int sb_explain_truth(const sb_explain_model *m, size_t j, size_t k, double truth[3], sb_err *err)
{
    double x[GH_NODES], w[GH_NODES];
    int rc = gauss_hermite(x, w, err);
    if (rc)
        return rc;
    size_t J = m->nj, K = m->nk;
    double g = m->gamma, g2 = m->gamma * sqrt(1 + m->eta * m->eta), pj = m->prev[j], bj = m->beta[j * K + k];
    double tp = 0, td = 0;
    for (uint64_t r = 0; r < ((uint64_t)1 << (J - 1)); r++) {
        double pr = 1, am = m->bias[k];
        for (size_t l = 0, bit = 0; l < J; l++) {
            if (l == j)
                continue;
            int on = (r >> bit++) & 1;
            pr *= on ? m->prev[l] : 1 - m->prev[l];
            am += on ? m->beta[l * K + k] : 0;
        }
        double ap = am + bj;
        tp += pr * (pj * (g_prob(ap, g, x, w) - g_prob(am, g2, x, w)) +
                    (1 - pj) * (g_prob(ap, g2, x, w) - g_prob(am, g, x, w)));
        td += pr * (pj * (g_dec(ap, g) - g_dec(am, g2)) + (1 - pj) * (g_dec(ap, g2) - g_dec(am, g)));
    }
    truth[0] = tp, truth[1] = bj, truth[2] = td;
    return 0;
}
