/* test_logreg.c — multinomial logistic regression (numerics/logreg.c, lbfgs.c) and the
 * linear probe (numerics/linear_probe.c).
 *
 * Expected values: tests/reference/logreg_ref.py, run as
 *     /usr/bin/python3 tests/reference/logreg_ref.py
 * which fits sklearn 1.2.1 LogisticRegression(multi_class='multinomial', solver='newton-cg',
 * C = 1/(n*l2), tol=1e-10, max_iter=1000) on the inputs below (printed by the script with repr)
 * and prints coef_, intercept_ (binary: [-coef_, coef_]) and the project's objective
 * mean_i loss_i + l2/2 ||W||^2 evaluated with numpy at that solution. sklearn minimises
 * sum_i loss_i + ||W||^2/(2C), n times ours with C = 1/(n*l2): the script checks this by
 * printing |grad|_inf of our objective at sklearn's optimum (≤ 4e-9 for every case).
 * newton-cg rather than lbfgs because scipy's L-BFGS-B stops on a relative change of f of
 * ~2e-9 and leaves sklearn's own answer correct to only ~1e-4. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "numerics/lbfgs.h"
#include "numerics/linear_probe.h"
#include "numerics/logreg.h"

/* A: n=45 d=4 l2=0.02; sklearn newton-cg tol 1e-10, sum(b) = 3.3e-16, project objective at sklearn optimum, |grad|_inf = 2.822e-11 */
static const double A_X[] = {-2.670748, 1.239285, -11.232894, -1.730617, 1.805486, 1.664634, 2.749381, 0.630564, 1.571899, -1.712908, -2.883054, 1.819829, 0.01663, 1.561353, -11.416497, -2.327905, 2.263646, 3.108099, 5.350938, -1.267969, 2.754409, -3.055019, -18.068986, 2.034141, -5.597476, 2.158496, -2.971144, -0.327318, -0.112665, 3.68003, 14.734991, 0.064154, -0.114651, 0.788653, -7.853531, -1.129386, -1.163488, 0.808857, -11.927478, 1.214965, 2.461034, -0.259903, 14.055431, -1.487996, 0.390144, -0.013295, -21.668485, 1.91913, 0.854505, 1.584867, 2.682787, -2.3258, 1.689824, 0.902094, 9.23473, -2.181815, -0.905389, -0.743898, -5.696464, 0.897667, -1.814231, -0.981481, -10.118421, -1.234575, 0.89171, 0.015793, 16.529577, -2.164758, 1.67474, -1.300451, -12.612494, 2.066553, -1.750969, 0.865807, 10.895952, 1.647013, -1.080721, 1.17821, 0.471149, -1.359503, 0.334416, 0.487785, -4.933168, -0.338956, -1.043004, 1.55803, -20.359382, -1.974697, 0.315635, 0.560043, 6.435941, -0.845896, -0.744647, 1.199067, -19.152685, 0.987914, -0.931589, 1.120131, -5.820107, -1.93233, -0.349015, 1.010895, 1.206954, 0.57381, -1.603712, -0.267925, -5.068335, 0.128764, -3.105246, 0.420741, -9.696295, -0.021443, 0.206516, 1.126831, 14.435476, -0.202825, 1.21921, -0.2049, -11.963, -1.432853, 0.426285, -0.035316, -3.824854, -1.715886, 2.623239, 0.688399, -5.5779, 0.664865, 3.005352, 0.904284, -22.35656, 1.392719, -0.577163, 1.177806, -17.146009, -0.242483, 2.143416, 1.612729, 4.688783, 0.820446, -0.203245, -1.863689, -12.428531, -1.432425, -1.452375, -0.127612, -5.805647, -2.124629, 0.844108, 0.62854, -14.278169, 0.054281, -1.999184, -0.07069, -7.470718, -0.907134, -1.775081, -0.058627, -10.329002, 0.920661, 1.571538, -0.011368, -1.975794, -1.739766, -2.487081, 0.091116, -5.085723, -0.124441, 1.576956, -1.030272, -1.304424, 2.365919, -1.281829, -0.66666, 0.755449, -0.198711, 0.949975, -0.660718, -2.85887, 1.51388};
static const int A_y[] = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2};
static const double A_W[] = {-0.42982315189664316, 0.30448460297874, -0.02296141395949917, -0.14763343788734487, 0.48144208738250027, 0.4144623903879161, 0.12830365191130394, -0.07112031474549019, -0.05161893548585596, -0.7189469933666561, -0.10534223795180651, 0.21875375263283525};
static const double A_b[] = {-0.012106892677488048, 0.268595326963892, -0.2564884342864036};
static const double A_loss = 0.6155960496518696;

/* B: n=40 d=3 l2=0.001; sklearn newton-cg tol 1e-10, sum(b) = -4.9e-14, project objective at sklearn optimum, |grad|_inf = 3.803e-10 */
static const double B_X[] = {-2.473041, 3.177615, -0.114306, 0.481981, 1.156906, 0.787674, 2.372169, -1.290073, 2.12613, -1.165006, -1.036885, 2.101637, -3.762539, 2.335246, -0.085067, -1.618501, 2.124291, 1.199498, 0.729379, 0.931923, 1.700083, -1.94403, 0.399265, 1.15458, -1.885212, 4.299286, -0.99733, -1.420241, 2.071302, 2.525447, -0.134577, -1.264298, 0.134042, -1.578261, -0.903184, -0.74627, -1.220412, 4.378611, -0.634568, 0.040165, 0.71652, 1.481085, 1.51994, -0.250962, 2.02319, -1.027937, 0.556056, 1.879858, -0.12984, 4.103288, -2.037932, -1.513779, 2.615655, 2.204044, -0.037304, -0.498225, 4.178089, -0.664454, -1.320077, 0.159782, -1.063164, 3.201168, -0.735786, -1.900637, 1.28477, 1.813776, 0.976906, -0.230833, 0.522182, -1.32526, -0.658657, 1.14597, -1.624, 3.738191, -0.461472, -1.447588, 1.464315, 1.677251, 0.084948, 1.055102, 1.103989, -2.576974, 0.102787, 1.032935, -0.405695, 2.955351, -0.454615, 1.317426, 1.287097, 0.380905, -0.207107, -1.426155, 2.215033, -1.789915, -0.60372, -0.237887, -0.170581, 2.271293, -0.409396, -0.132736, 0.724278, 0.154595, 1.435189, 0.943404, 3.087082, -0.199498, 0.03708, 0.618762, -0.367349, 1.901582, -2.044096, -0.052842, -0.795127, 2.009108, 0.129008, 0.082696, 1.728035, -3.01601, -0.847098, 1.666491};
static const int B_y[] = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3};
static const double B_W[] = {-0.8580831265991244, 2.6665547338693485, -3.144474399390086, 0.24369057317620677, 0.5880478837202211, 0.9938932720798742, 2.297910754481099, -1.5845538094261502, 1.600470919345645, -1.683518201058189, -1.6700488081634048, 0.5501102079645538};
static const double B_b[] = {-2.8624653527364408, 1.1308098740189094, 0.9703900192239401, 0.7612654594935425};
static const double B_loss = 0.325981894098449;

/* C: n=30 d=2 l2=0.01; sklearn newton-cg tol 1e-10, sum(b) = 0.0e+00, project objective at sklearn optimum, |grad|_inf = 1.693e-14 */
static const double C_X[] = {0.814632, 1.04521, 1.513216, -0.649838, 1.704968, -0.849902, 1.232604, -0.678138, -0.959786, 3.465736, 2.375173, -1.423014, 1.19919, 2.190869, 1.61215, 0.044004, 2.214723, -0.580194, 0.935654, -0.452694, -0.988866, -1.799689, 0.795434, -0.168518, -0.687931, -1.30895, 1.296904, 0.079584, -0.272488, 1.11472, 0.648352, -0.159409, -0.226869, 1.651536, 1.393701, -0.140718, -0.43329, -0.727408, -0.325382, 0.718033, 0.647441, -0.868097, 0.490159, 0.804733, 0.396693, -0.330489, 1.558675, 1.83248, 2.182202, 0.078983, 1.169677, -2.871204, -0.863575, -0.135165, -0.017477, -1.494685, -1.098446, -1.455235, 0.418501, -1.59936};
static const int C_y[] = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
static const double C_W[] = {-0.4173744900106515, 0.1657264126775608, 0.4173744900106515, -0.1657264126775608};
static const double C_b[] = {0.292658325659789, -0.292658325659789};
static const double C_loss = 0.6007523330422481;

/* S: n=6 d=2 l2=0.001; sklearn newton-cg tol 1e-10, sum(b) = 0.0e+00, project objective at sklearn optimum, |grad|_inf = 4.023e-09 */
static const double S_X[] = {-3.0, 0.5, -2.0, -0.5, -1.0, 0.0, 1.0, 0.25, 2.0, -0.25, 3.0, 1.0};
static const int S_y[] = {0, 0, 0, 1, 1, 1};
static const double S_W[] = {-2.4283013972623495, -0.29823677983171704, 2.4283013972623495, 0.29823677983171704};
static const double S_b[] = {0.03610586371340861, -0.03610586371340861};
static const double S_loss = 0.008402674996260072;


#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Parameters agree to 1e-5 relative entrywise, with entries below floor·max|θ_ref| compared
 * against that floor instead. */
static void check_case(const double *X, size_t n, size_t d, const int *y, int c, double l2,
                       const double *Wref, const double *bref, double loss_ref, double floor)
{
    sb_logreg_opts o;
    sb_logreg_defaults(&o);
    o.l2 = l2;
    o.gtol = 1e-10;
    double W[64], b[8], loss, ginf;
    int iters = -1;
    sb_err err;
    assert_int_equal(sb_logreg_fit(X, n, d, y, c, &o, W, b, &iters, &err), 0);
    assert_true(iters > 0 && iters < o.max_iter);
    assert_int_equal(sb_logreg_objective(X, n, d, y, c, l2, W, b, &loss, &ginf, &err), 0);
    assert_true(fabs(loss - loss_ref) <= 1e-6 * fabs(loss_ref));
    assert_true(loss <= loss_ref + 1e-14);  /* at least as low as sklearn's point */
    double scale = 0.0;
    for (size_t i = 0; i < (size_t)c * d; i++)
        scale = fmax(scale, fabs(Wref[i]));
    for (int k = 0; k < c; k++)
        scale = fmax(scale, fabs(bref[k]));
    for (size_t i = 0; i < (size_t)c * d; i++)
        assert_true(fabs(W[i] - Wref[i]) <= 1e-5 * fmax(fabs(Wref[i]), floor * scale));
    for (int k = 0; k < c; k++)
        assert_true(fabs(b[k] - bref[k]) <= 1e-5 * fmax(fabs(bref[k]), floor * scale));

    /* The project defaults (gtol 1e-6) already give the loss to 1e-6. */
    o.gtol = 1e-6;
    assert_int_equal(sb_logreg_fit(X, n, d, y, c, &o, W, b, NULL, &err), 0);
    assert_int_equal(sb_logreg_objective(X, n, d, y, c, l2, W, b, &loss, &ginf, &err), 0);
    assert_true(ginf <= 1e-6);
    assert_true(fabs(loss - loss_ref) <= 1e-6 * fabs(loss_ref));
}

static void test_sklearn_three_classes(void **state)
{
    (void)state;
    check_case(A_X, LEN(A_y), 4, A_y, 3, 0.02, A_W, A_b, A_loss, 1e-2);
}

static void test_sklearn_four_classes_weak_l2(void **state)
{
    (void)state;
    check_case(B_X, LEN(B_y), 3, B_y, 4, 1e-3, B_W, B_b, B_loss, 1e-2);
}

static void test_sklearn_binary(void **state)
{
    (void)state;
    check_case(C_X, LEN(C_y), 2, C_y, 2, 0.01, C_W, C_b, C_loss, 1e-2);
}

/* Separable data: without the penalty ‖W‖ would grow without bound; with it the fit is finite,
 * classifies every row right, and matches sklearn's optimum. */
static void test_separable_stays_finite(void **state)
{
    (void)state;
    /* sklearn's own point has |grad|_inf 4e-9 here, and the curvature along b is only ~1e-3
     * (every p ≈ 0 or 1), so its b is good to ~4e-6 absolute: compare against max|θ| (2.43). */
    check_case(S_X, LEN(S_y), 2, S_y, 2, 1e-3, S_W, S_b, S_loss, 1.0);
    sb_logreg_opts o;
    sb_logreg_defaults(&o); /* l2 1e-4: far weaker, still finite */
    double W[4], b[2], P[12];
    sb_err err;
    assert_int_equal(sb_logreg_fit(S_X, 6, 2, S_y, 2, &o, W, b, NULL, &err), 0);
    for (int i = 0; i < 4; i++)
        assert_true(isfinite(W[i]) && fabs(W[i]) < 100.0);
    assert_int_equal(sb_logreg_predict_proba(S_X, 6, 2, 2, W, b, P, &err), 0);
    for (int i = 0; i < 6; i++)
        assert_true(P[i * 2 + S_y[i]] > 0.99);
}

/* Hand-computable: with no features the optimum is b_k = log n_k − mean_j log n_j. */
static void test_no_features_gives_log_frequencies(void **state)
{
    (void)state;
    int y[10] = {0, 1, 2, 2, 1, 2, 0, 2, 1, 2}; /* counts 2, 3, 5 */
    double b[3], W[1];
    sb_err err;
    sb_logreg_opts o;
    sb_logreg_defaults(&o);
    o.gtol = 1e-12; /* below the objective's rounding floor: the solver stops there (~1e-9) */
    assert_int_equal(sb_logreg_fit(NULL, 10, 0, y, 3, &o, W, b, NULL, &err), 0);
    double m = (log(2.0) + log(3.0) + log(5.0)) / 3.0;
    assert_true(fabs(b[0] - (log(2.0) - m)) < 1e-8);
    assert_true(fabs(b[1] - (log(3.0) - m)) < 1e-8);
    assert_true(fabs(b[2] - (log(5.0) - m)) < 1e-8);
}

static void test_deterministic(void **state)
{
    (void)state;
    sb_logreg_opts o;
    sb_logreg_defaults(&o);
    double W1[12], b1[3], W2[12], b2[3];
    int i1, i2;
    sb_err err;
    assert_int_equal(sb_logreg_fit(A_X, 45, 4, A_y, 3, &o, W1, b1, &i1, &err), 0);
    assert_int_equal(sb_logreg_fit(A_X, 45, 4, A_y, 3, &o, W2, b2, &i2, &err), 0);
    assert_int_equal(i1, i2);
    assert_memory_equal(W1, W2, sizeof W1);
    assert_memory_equal(b1, b2, sizeof b1);
}

/* Logits of ±1e4 overflow a naive softmax; the shifted log-softmax stays exact. */
static void test_predict_proba_stable(void **state)
{
    (void)state;
    double X[2] = {1e4, -1e4}, W[3] = {1.0, 0.0, -1.0}, b[3] = {0.0, 0.0, 0.0}, P[6];
    sb_err err;
    assert_int_equal(sb_logreg_predict_proba(X, 2, 1, 3, W, b, P, &err), 0);
    assert_true(P[0] == 1.0 && P[1] == 0.0 && P[2] == 0.0);
    assert_true(P[3] == 0.0 && P[4] == 0.0 && P[5] == 1.0);
    double X2[1] = {0.0}, P2[3];
    assert_int_equal(sb_logreg_predict_proba(X2, 1, 1, 3, W, b, P2, &err), 0);
    for (int k = 0; k < 3; k++)
        assert_true(fabs(P2[k] - 1.0 / 3.0) < 1e-15);
}

static void test_bad_input(void **state)
{
    (void)state;
    double W[12], b[3];
    sb_err err;
    int y1[3] = {0, 0, 0};
    double X[3] = {1, 2, 3};
    assert_int_equal(sb_logreg_fit(X, 3, 1, y1, 1, NULL, W, b, NULL, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "class"));
    int y2[3] = {0, 3, 1};
    assert_int_equal(sb_logreg_fit(X, 3, 1, y2, 3, NULL, W, b, NULL, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "y[1]"));
    double Xn[3] = {1, NAN, 3};
    int y3[3] = {0, 1, 0};
    assert_int_equal(sb_logreg_fit(Xn, 3, 1, y3, 2, NULL, W, b, NULL, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "X[1][0]"));
}

/* The optimiser alone, by hand: Rosenbrock's valley from (−1.2, 1) ends at (1, 1). */
static double rosenbrock(const double *x, double *g, void *ctx)
{
    (void)ctx;
    double a = 1.0 - x[0], b = x[1] - x[0] * x[0];
    g[0] = -2.0 * a - 400.0 * x[0] * b;
    g[1] = 200.0 * b;
    return a * a + 100.0 * b * b;
}

static void test_lbfgs_rosenbrock(void **state)
{
    (void)state;
    double x[2] = {-1.2, 1.0}, f;
    int it;
    sb_lbfgs_status st;
    sb_lbfgs_opts o = {5, 500, 1e-10, 30};
    sb_err err;
    assert_int_equal(sb_lbfgs_minimize(rosenbrock, NULL, 2, x, &o, &f, &it, &st, &err), 0);
    assert_int_equal(st, SB_LBFGS_CONVERGED);
    assert_true(it > 10 && it < 200);
    assert_true(fabs(x[0] - 1.0) < 1e-8 && fabs(x[1] - 1.0) < 1e-8);
    assert_true(f < 1e-16);
    /* max_iter reached: reported, not an error */
    double x2[2] = {-1.2, 1.0};
    o.max_iter = 3;
    assert_int_equal(sb_lbfgs_minimize(rosenbrock, NULL, 2, x2, &o, &f, &it, &st, &err), 0);
    assert_int_equal(st, SB_LBFGS_MAX_ITER);
    assert_int_equal(it, 3);
}

/* ---- linear probe ---- */

static void test_split_stratified(void **state)
{
    (void)state;
    int y[19];
    for (int i = 0; i < 19; i++)
        y[i] = i < 10 ? 0 : (i < 17 ? 1 : 2); /* class sizes 10, 7, 2 */
    unsigned char t1[19], t2[19], t3[19];
    size_t n1, n2, n3;
    sb_err err;
    assert_int_equal(sb_linear_probe_split(y, 19, 3, 7, t1, &n1, &err), 0);
    size_t per[3] = {0, 0, 0};
    for (int i = 0; i < 19; i++)
        per[y[i]] += t1[i];
    /* round(0.2·n_c): 2, round(1.4) = 1, round(0.4) = 0 */
    assert_int_equal(per[0], 2);
    assert_int_equal(per[1], 1);
    assert_int_equal(per[2], 0);
    assert_int_equal(n1, 3);
    assert_int_equal(sb_linear_probe_split(y, 19, 3, 7, t2, &n2, &err), 0);
    assert_memory_equal(t1, t2, sizeof t1);
    int differs = 0;
    for (uint64_t s = 8; s < 12 && !differs; s++) {
        assert_int_equal(sb_linear_probe_split(y, 19, 3, s, t3, &n3, &err), 0);
        differs = memcmp(t1, t3, sizeof t1) != 0;
    }
    assert_true(differs);
}

/* Two well-separated blobs in 3-D (third feature pure, deterministic noise): accuracy 1; the
 * same with one column multiplied by 1e6 (standardisation makes the fit scale-free). */
static void test_probe_separated_and_scale_free(void **state)
{
    (void)state;
    enum { N = 50, D = 3 };
    double F[N * D], G[N * D];
    int y[N];
    for (int i = 0; i < N; i++) {
        y[i] = i % 2;
        F[i * D + 0] = (y[i] ? 4.0 : -4.0) + sin(1.7 * i);
        F[i * D + 1] = cos(0.9 * i);
        F[i * D + 2] = sin(0.3 * i * i);
    }
    memcpy(G, F, sizeof F);
    for (int i = 0; i < N; i++)
        G[i * D + 1] *= 1e6;
    double acc = -1, acc2 = -1, acc3 = -1;
    sb_err err;
    assert_int_equal(sb_linear_probe(F, N, D, y, 2, 42, &acc, &err), 0);
    assert_true(acc == 1.0);
    assert_int_equal(sb_linear_probe(G, N, D, y, 2, 42, &acc2, &err), 0);
    assert_true(acc2 == 1.0);
    /* Pure-noise labels: accuracy is a multiple of 1/10 (10 held-out rows) in [0, 1]. */
    for (int i = 0; i < N; i++)
        y[i] = (int)(fabs(sin(3.1 * i * i + 0.5)) * 3.0) % 3;
    unsigned char t[N];
    size_t nt;
    assert_int_equal(sb_linear_probe_split(y, N, 3, 42, t, &nt, &err), 0);
    assert_int_equal(sb_linear_probe(F, N, D, y, 3, 42, &acc3, &err), 0);
    assert_true(acc3 >= 0.0 && acc3 <= 1.0);
    double k = acc3 * (double)nt;
    assert_true(fabs(k - round(k)) < 1e-12);
}

static void test_probe_degenerate(void **state)
{
    (void)state;
    double F[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    int y1[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    double acc;
    sb_err err;
    assert_int_equal(sb_linear_probe(F, 8, 1, y1, 1, 1, &acc, &err), SB_EINPUT);
    int y2[4] = {0, 1, 1, 0}; /* two samples per class: nothing held out */
    assert_int_equal(sb_linear_probe(F, 4, 2, y2, 2, 1, &acc, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "held-out"));
    /* A constant column and a duplicate column are fine. */
    double G[30];
    int y3[10];
    for (int i = 0; i < 10; i++) {
        y3[i] = i % 2;
        G[i * 3] = 5.0;
        G[i * 3 + 1] = y3[i] + 0.1 * sin(i);
        G[i * 3 + 2] = G[i * 3 + 1];
    }
    assert_int_equal(sb_linear_probe(G, 10, 3, y3, 2, 3, &acc, &err), 0);
    assert_true(acc == 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sklearn_three_classes),
        cmocka_unit_test(test_sklearn_four_classes_weak_l2),
        cmocka_unit_test(test_sklearn_binary),
        cmocka_unit_test(test_separable_stays_finite),
        cmocka_unit_test(test_no_features_gives_log_frequencies),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_predict_proba_stable),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_lbfgs_rosenbrock),
        cmocka_unit_test(test_split_stratified),
        cmocka_unit_test(test_probe_separated_and_scale_free),
        cmocka_unit_test(test_probe_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
