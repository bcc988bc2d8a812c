#include "numerics/combine.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "numerics/gamma_sampler.h"

/* ---- zmean ---------------------------------------------------------------------------- */

/* z-scores of the m values v[rows[i]·stride] into z[rows[i]·stride]. */
static void zscore_rows(const double *v, size_t stride, const size_t *rows, size_t m, double *z)
{
    double mean = 0.0;
    for (size_t i = 0; i < m; i++)
        mean += v[rows[i] * stride];
    mean /= (double)(m ? m : 1);
    double ss = 0.0;
    int constant = 1;
    for (size_t i = 0; i < m; i++) {
        double d = v[rows[i] * stride] - mean;
        ss += d * d;
        if (v[rows[i] * stride] != v[rows[0] * stride])
            constant = 0;
    }
    double sd = m > 1 ? sqrt(ss / (double)(m - 1)) : 0.0;
    for (size_t i = 0; i < m; i++) {
        double x = v[rows[i] * stride];
        z[rows[i] * stride] = (constant || !(sd > 0.0)) ? 0.0 : (x - mean) / sd;
    }
}

int sb_zscore(const double *v, size_t n, double *z, sb_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return sb_fail(err, SB_EINPUT, "z-score: value [%zu] is not finite (%g)", i, v[i]);
    size_t *rows = sb_malloc(n * sizeof *rows, "z-score rows", err);
    if (!rows)
        return SB_ENOMEM;
    for (size_t i = 0; i < n; i++)
        rows[i] = i;
    zscore_rows(v, 1, rows, n, z);
    free(rows);
    return 0;
}

typedef struct grow {
    int g;
    size_t i;
} grow;

static int cmp_grow(const void *p, const void *q)
{
    const grow *u = p, *v = q;
    if (u->g != v->g)
        return u->g < v->g ? -1 : 1;
    return (u->i > v->i) - (u->i < v->i);
}

int sb_zscore_by_group(const double *X, size_t n, size_t k, const int *group, double *Z,
                       sb_err *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++)
            if (!isfinite(X[i * k + j]))
                return sb_fail(err, SB_EINPUT, "z-score by dataset: row %zu, column %zu is not "
                               "finite (%g)", i, j, X[i * k + j]);
    grow *order = sb_malloc(n * sizeof *order, "z-score row order", err);
    size_t *rows = sb_malloc(n * sizeof *rows, "z-score group rows", err);
    if (!order || !rows) {
        free(order);
        free(rows);
        return SB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (grow){group[i], i};
    qsort(order, n, sizeof *order, cmp_grow);
    for (size_t first = 0; first < n;) {
        size_t m = 0;
        while (first + m < n && order[first + m].g == order[first].g) {
            rows[m] = order[first + m].i;
            m++;
        }
        for (size_t j = 0; j < k; j++)
            zscore_rows(X + j, k, rows, m, Z + j);
        first += m;
    }
    free(order);
    free(rows);
    return 0;
}

int sb_combine_zmean(const double *S, size_t n_models, size_t n_scorers, double *out,
                     sb_err *err)
{
    if (n_scorers == 0)
        return sb_fail(err, SB_EUSAGE, "zmean: no scorer to combine");
    for (size_t i = 0; i < n_models; i++)
        for (size_t j = 0; j < n_scorers; j++)
            if (!isfinite(S[i * n_scorers + j]))
                return sb_fail(err, SB_EINPUT, "zmean: model %zu, scorer %zu is not finite (%g)",
                               i, j, S[i * n_scorers + j]);
    size_t *rows = sb_malloc(n_models * sizeof *rows, "zmean rows", err);
    double *z = sb_malloc(n_models * n_scorers * sizeof *z, "zmean z-scores", err);
    if (!rows || !z) {
        free(rows);
        free(z);
        return SB_ENOMEM;
    }
    for (size_t i = 0; i < n_models; i++)
        rows[i] = i;
    for (size_t j = 0; j < n_scorers; j++)
        zscore_rows(S + j, n_scorers, rows, n_models, z + j);
    for (size_t i = 0; i < n_models; i++) {
        double s = 0.0;
        for (size_t j = 0; j < n_scorers; j++)
            s += z[i * n_scorers + j];
        out[i] = s / (double)n_scorers;
    }
    free(rows);
    free(z);
    return 0;
}

/* ---- bayes ---------------------------------------------------------------------------- */

void sb_bayes_defaults(sb_bayes_opts *o)
{
    o->n_burn = 1000;
    o->n_keep = 2000;
    o->thin = 1;
}

/* Sufficient statistics of one fitted dataset: X = [1, z] (k = S + 1 columns). */
typedef struct bayes_group {
    int id;
    size_t n_rows;
    double *xtx; /* k × k */
    double *xta; /* k */
} bayes_group;

typedef struct bayes_state {
    size_t S, k, n_groups, n_rows;
    bayes_group *groups;
    size_t *rows;      /* fitted rows, input order */
    int *row_group;    /* group slot of each fitted row */
    double *coef;      /* n_groups × k: (b_d, w_1d..w_Sd) */
    double *w, *omega2;
    double sigma2;
    double *P, *rhs, *eps; /* k × k, k, k work */
    double *mem;
} bayes_state;

static void bayes_state_free(bayes_state *st)
{
    free(st->groups);
    free(st->rows);
    free(st->row_group);
    free(st->mem);
}

static int bayes_setup(const sb_bayes_problem *p, bayes_state *st, sb_err *err)
{
    memset(st, 0, sizeof *st);
    if (p->n_scorers == 0)
        return sb_fail(err, SB_EUSAGE, "bayes: no scorer to combine");
    if (p->n_datasets <= 0)
        return sb_fail(err, SB_EINPUT, "bayes: n_datasets = %d", p->n_datasets);
    size_t S = p->n_scorers, k = S + 1, D = (size_t)p->n_datasets;
    for (size_t r = 0; r < p->n; r++) {
        if (p->dataset[r] < 0 || p->dataset[r] >= p->n_datasets)
            return sb_fail(err, SB_EINPUT, "bayes: row %zu has dataset id %d outside [0, %d)", r,
                           p->dataset[r], p->n_datasets);
        if (!isfinite(p->a[r]))
            return sb_fail(err, SB_EINPUT, "bayes: accuracy of row %zu is not finite (%g)", r,
                           p->a[r]);
        for (size_t s = 0; s < S; s++)
            if (!isfinite(p->Z[r * S + s]))
                return sb_fail(err, SB_EINPUT, "bayes: scorer %zu of row %zu is not finite (%g)",
                               s, r, p->Z[r * S + s]);
    }
    int *slot = sb_malloc(D * sizeof *slot, "bayes dataset slots", err);
    if (!slot)
        return SB_ENOMEM;
    for (size_t d = 0; d < D; d++)
        slot[d] = -1;
    size_t G = 0, N = 0;
    for (size_t r = 0; r < p->n; r++) {
        int d = p->dataset[r];
        if (d == p->held_out)
            continue;
        N++;
        if (slot[d] < 0)
            slot[d] = (int)G++;
    }
    if (N == 0) {
        free(slot);
        return sb_fail(err, SB_EINPUT, "bayes: no row left to fit (held-out dataset %d)",
                       p->held_out);
    }
    st->S = S;
    st->k = k;
    st->n_groups = G;
    st->n_rows = N;
    st->groups = sb_calloc(G, sizeof *st->groups, "bayes datasets", err);
    st->rows = sb_malloc(N * sizeof *st->rows, "bayes rows", err);
    st->row_group = sb_malloc(N * sizeof *st->row_group, "bayes row datasets", err);
    size_t doubles = G * (k * k + k) + G * k + 2 * S + k * k + 2 * k;
    st->mem = sb_calloc(doubles, sizeof *st->mem, "bayes state", err);
    if (!st->groups || !st->rows || !st->row_group || !st->mem) {
        free(slot);
        bayes_state_free(st);
        return SB_ENOMEM;
    }
    double *m = st->mem;
    for (size_t g = 0; g < G; g++) {
        st->groups[g].xtx = m;
        m += k * k;
        st->groups[g].xta = m;
        m += k;
    }
    st->coef = m;
    m += G * k;
    st->w = m;
    m += S;
    st->omega2 = m;
    m += S;
    st->P = m;
    m += k * k;
    st->rhs = m;
    m += k;
    st->eps = m;

    size_t i = 0;
    for (size_t r = 0; r < p->n; r++) {
        int d = p->dataset[r];
        if (d == p->held_out)
            continue;
        bayes_group *g = &st->groups[slot[d]];
        g->id = d;
        g->n_rows++;
        st->rows[i] = r;
        st->row_group[i] = slot[d];
        i++;
        const double *z = p->Z + r * S;
        /* X row = (1, z): accumulate XᵀX and Xᵀa */
        g->xtx[0] += 1.0;
        for (size_t s = 0; s < S; s++) {
            g->xtx[s + 1] += z[s];
            for (size_t t = 0; t < S; t++)
                g->xtx[(s + 1) * k + t + 1] += z[s] * z[t];
        }
        g->xta[0] += p->a[r];
        for (size_t s = 0; s < S; s++)
            g->xta[s + 1] += z[s] * p->a[r];
    }
    for (size_t g = 0; g < G; g++)
        for (size_t s = 0; s < S; s++)
            st->groups[g].xtx[(s + 1) * k] = st->groups[g].xtx[s + 1];
    free(slot);
    return 0;
}

/* Draws (b_d, w_·d) of every dataset from their joint Gaussian conditional. */
static int draw_coefficients(bayes_state *st, sb_rng *rng, sb_err *err)
{
    size_t k = st->k, S = st->S;
    double inv_s2 = 1.0 / st->sigma2;
    for (size_t g = 0; g < st->n_groups; g++) {
        const bayes_group *gr = &st->groups[g];
        for (size_t i = 0; i < k * k; i++)
            st->P[i] = gr->xtx[i] * inv_s2;
        st->P[0] += 1.0;
        st->rhs[0] = gr->xta[0] * inv_s2;
        for (size_t s = 0; s < S; s++) {
            double prior_prec = 1.0 / st->omega2[s];
            st->P[(s + 1) * k + s + 1] += prior_prec;
            st->rhs[s + 1] = gr->xta[s + 1] * inv_s2 + prior_prec * st->w[s];
        }
        /* P = L Lᵀ; mean = P⁻¹ rhs; draw = mean + L⁻ᵀ ε has covariance P⁻¹. */
        lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)k, st->P,
                                         (lapack_int)k);
        if (info != 0)
            return sb_fail(err, SB_ENUMERIC, "bayes: conditional precision of dataset %d is "
                           "not positive definite (dpotrf info %d)", gr->id, (int)info);
        info = LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)k, 1, st->P, (lapack_int)k,
                              st->rhs, 1);
        if (info != 0)
            return sb_fail(err, SB_ENUMERIC, "bayes: solve for dataset %d failed (dpotrs info "
                           "%d)", gr->id, (int)info);
        for (size_t i = 0; i < k; i++)
            st->eps[i] = sb_rng_normal(rng);
        cblas_dtrsv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit, (int)k, st->P, (int)k,
                    st->eps, 1);
        for (size_t i = 0; i < k; i++)
            st->coef[g * k + i] = st->rhs[i] + st->eps[i];
    }
    return 0;
}

static void draw_population(bayes_state *st, sb_rng *rng)
{
    size_t k = st->k, S = st->S, G = st->n_groups;
    for (size_t s = 0; s < S; s++) {
        double sum = 0.0;
        for (size_t g = 0; g < G; g++)
            sum += st->coef[g * k + s + 1];
        double prec = 1.0 + (double)G / st->omega2[s];
        double mean = sum / st->omega2[s] / prec;
        st->w[s] = mean + sb_rng_normal(rng) / sqrt(prec);
    }
    for (size_t s = 0; s < S; s++) {
        double ss = 0.0;
        for (size_t g = 0; g < G; g++) {
            double d = st->coef[g * k + s + 1] - st->w[s];
            ss += d * d;
        }
        st->omega2[s] = sb_inv_gamma_draw(rng, 1.0 + 0.5 * (double)G, 1.0 + 0.5 * ss);
    }
}

static void draw_noise(bayes_state *st, const sb_bayes_problem *p, sb_rng *rng)
{
    size_t k = st->k, S = st->S;
    double rss = 0.0;
    for (size_t i = 0; i < st->n_rows; i++) {
        size_t r = st->rows[i];
        const double *c = st->coef + (size_t)st->row_group[i] * k;
        double fit = c[0];
        for (size_t s = 0; s < S; s++)
            fit += c[s + 1] * p->Z[r * S + s];
        double e = p->a[r] - fit;
        rss += e * e;
    }
    st->sigma2 = sb_inv_gamma_draw(rng, 1.0 + 0.5 * (double)st->n_rows, 1.0 + 0.5 * rss);
}

int sb_bayes_chain(const sb_bayes_problem *p, const sb_bayes_opts *o, uint64_t seed,
                   uint64_t stream, double *w_draws, double *sigma2_draws, double *omega2_draws,
                   sb_err *err)
{
    if (o->n_burn < 0 || o->n_keep < 1 || o->thin < 1)
        return sb_fail(err, SB_EUSAGE, "bayes: need n_burn >= 0, n_keep >= 1, thin >= 1 "
                       "(got %d, %d, %d)", o->n_burn, o->n_keep, o->thin);
    bayes_state st;
    int rc = bayes_setup(p, &st, err);
    if (rc)
        return rc;
    sb_rng rng;
    sb_rng_seed(&rng, seed, stream);
    for (size_t s = 0; s < st.S; s++) {
        st.w[s] = sb_rng_normal(&rng);
        st.omega2[s] = 1.0;
    }
    st.sigma2 = 1.0;
    long total = (long)o->n_burn + (long)o->n_keep * o->thin;
    size_t kept = 0;
    for (long it = 1; it <= total; it++) {
        rc = draw_coefficients(&st, &rng, err);
        if (rc)
            break;
        draw_population(&st, &rng);
        draw_noise(&st, p, &rng);
        if (it > o->n_burn && (it - o->n_burn) % o->thin == 0) {
            memcpy(w_draws + kept * st.S, st.w, st.S * sizeof *st.w);
            if (omega2_draws)
                memcpy(omega2_draws + kept * st.S, st.omega2, st.S * sizeof *st.omega2);
            if (sigma2_draws)
                sigma2_draws[kept] = st.sigma2;
            kept++;
        }
    }
    bayes_state_free(&st);
    return rc;
}

/* Mean of one half of a chain (h = 0 first, 1 last), and its variance (ddof 1) if var. */
static double half_mean(const double *chain, size_t n_draws, size_t L, size_t stride, int h,
                        double *var)
{
    size_t start = h == 0 ? 0 : n_draws - L;
    double m = 0.0;
    for (size_t t = 0; t < L; t++)
        m += chain[(start + t) * stride];
    m /= (double)L;
    if (var) {
        double v = 0.0;
        for (size_t t = 0; t < L; t++) {
            double d = chain[(start + t) * stride] - m;
            v += d * d;
        }
        *var = v / (double)(L - 1);
    }
    return m;
}

double sb_rhat_split(const double *const *chains, size_t n_chains, size_t n_draws, size_t stride)
{
    size_t L = n_draws / 2, M = 2 * n_chains;
    if (n_chains == 0 || L < 2)
        return NAN;
    double grand = 0.0, within = 0.0, between = 0.0;
    for (size_t c = 0; c < n_chains; c++) {
        for (int h = 0; h < 2; h++) {
            double v;
            grand += half_mean(chains[c], n_draws, L, stride, h, &v);
            within += v;
        }
    }
    within /= (double)M;
    grand /= (double)M;
    for (size_t c = 0; c < n_chains; c++) {
        for (int h = 0; h < 2; h++) {
            double d = half_mean(chains[c], n_draws, L, stride, h, NULL) - grand;
            between += d * d;
        }
    }
    between /= (double)(M - 1); /* this is B/L */
    if (!(within > 0.0))
        return NAN;
    double var_hat = (double)(L - 1) / (double)L * within + between;
    return sqrt(var_hat / within);
}

void sb_bayes_predict(const double *w, const double *Z, size_t n, size_t n_scorers,
                      double *score)
{
    for (size_t r = 0; r < n; r++) {
        double s = 0.0;
        for (size_t j = 0; j < n_scorers; j++)
            s += w[j] * Z[r * n_scorers + j];
        score[r] = s;
    }
}

int sb_bayes_lodo(const sb_bayes_problem *p, const sb_bayes_opts *o, uint64_t seed,
                  size_t n_chains, double *pred, double *w_mean, double *rhat, sb_err *err)
{
    size_t S = p->n_scorers, held = 0;
    if (n_chains == 0)
        return sb_fail(err, SB_EUSAGE, "bayes: leave-one-dataset-out needs at least one chain");
    if (o->n_keep < 1)
        return sb_fail(err, SB_EUSAGE, "bayes: n_keep = %d", o->n_keep);
    for (size_t r = 0; r < p->n; r++)
        held += p->dataset[r] == p->held_out;
    if (p->held_out < 0 || held == 0)
        return sb_fail(err, SB_EINPUT, "bayes: held-out dataset %d has no row", p->held_out);
    size_t per_chain = (size_t)o->n_keep * S;
    double *draws = sb_malloc(n_chains * per_chain * sizeof *draws, "bayes chain draws", err);
    double *mean = sb_calloc(S ? S : 1, sizeof *mean, "bayes posterior mean", err);
    const double **ptr = sb_malloc(n_chains * sizeof *ptr, "bayes chain pointers", err);
    if (!draws || !mean || !ptr) {
        free(draws);
        free(mean);
        free(ptr);
        return SB_ENOMEM;
    }
    int rc = 0;
    for (size_t c = 0; c < n_chains && !rc; c++)
        rc = sb_bayes_chain(p, o, seed, (uint64_t)c, draws + c * per_chain, NULL, NULL, err);
    if (!rc) {
        size_t total = n_chains * (size_t)o->n_keep;
        for (size_t i = 0; i < total; i++)
            for (size_t s = 0; s < S; s++)
                mean[s] += draws[i * S + s];
        for (size_t s = 0; s < S; s++)
            mean[s] /= (double)total;
        size_t j = 0;
        for (size_t r = 0; r < p->n; r++)
            if (p->dataset[r] == p->held_out)
                sb_bayes_predict(mean, p->Z + r * S, 1, S, pred + j++);
        if (w_mean)
            memcpy(w_mean, mean, S * sizeof *mean);
        if (rhat) {
            for (size_t s = 0; s < S; s++) {
                for (size_t c = 0; c < n_chains; c++)
                    ptr[c] = draws + c * per_chain + s;
                rhat[s] = sb_rhat_split(ptr, n_chains, (size_t)o->n_keep, S);
            }
        }
    }
    free(draws);
    free(mean);
    free(ptr);
    return rc;
}
