/* test_gmm.c — Gaussian mixture by EM and its k-means start (numerics/gmm.c).
 *
 * Expected values: tests/reference/gmm_ref.py, run as /usr/bin/python3 tests/reference/gmm_ref.py:
 * sklearn 1.2.1 GaussianMixture(n_components=3, random_state=0).fit(X) with its defaults
 * (full covariances, k-means init, tol 1e-3, reg_covar 1e-6, max_iter 100); weights_, means_,
 * covariances_, lower_bound_ and predict_proba rows, components sorted by the first mean
 * coordinate. The clusters are far apart, so k-means finds the same partition from sklearn's
 * random start and from ours, and EM then runs the same iterations. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/rng.h"
#include "numerics/gmm.h"

/* sklearn n_iter_ = 2, converged_ = True */
static const double X[] = {-6.589037, -0.232969, -7.72267, 0.203758, -8.787684, 0.001033, -9.053725, -0.877362, -6.622043, 0.300249, -8.728358, -0.085774, -7.651514, -0.130678, -9.114694, -0.726621, -7.371091, 0.06194, -8.641455, -0.763262, -6.256699, 0.077168, -7.169697, 1.014536, -8.915793, -0.725339, -9.778217, -1.144158, -7.200488, -0.208237, -8.099071, 0.536235, -9.329818, 0.267715, -10.46171, -0.33108, -8.327034, 0.730988, -6.431487, -0.164707, -7.267259, -0.089993, -7.88364, -0.376419, -10.790198, -0.901549, -6.268321, 1.123798, -8.045351, -0.262302, -5.9456, 0.118651, -7.747019, 0.126289, -8.318063, -0.154738, -9.133989, 0.250812, -7.378924, 0.596543, -0.147527, 3.140445, -0.039844, 8.549306, -0.153369, 4.665215, -0.477437, 4.424975, -0.120077, 4.230027, 0.599056, 5.576047, 0.043459, 8.157359, 0.601327, 5.680901, 0.13279, 7.10254, -0.077142, 3.332981, 0.261882, 7.341528, 0.166201, 4.614683, -0.078411, 5.113845, -0.119884, 7.945328, 0.611832, 7.004127, 0.219498, 7.014943, -0.004897, 5.886505, -0.269458, 5.916199, 0.903979, 7.303559, -0.136847, 5.29211, -0.345796, 6.561556, 0.156618, 3.835318, 0.194534, 5.145792, 0.570688, 6.235266, 0.687092, 5.31281, -0.115194, 6.449713, 0.422379, 6.848824, -0.49341, 6.274351, 0.008898, 5.356397, -0.259242, 8.621366, 8.531536, -3.234283, 9.764535, -3.367605, 8.909023, -2.478149, 9.58635, -3.124724, 10.157041, -3.504758, 8.259694, -2.785524, 8.374833, -2.509486, 7.706418, -3.344866, 9.105786, -3.863621, 6.657626, -1.409617, 8.146736, -2.204588, 8.362975, -3.30158, 7.507779, -2.438494, 8.671941, -3.302708, 8.662671, -3.724886, 9.017387, -4.086332, 8.767372, -2.445924, 10.310327, -2.735729, 7.132455, -1.455364, 10.447539, -3.256063, 7.884811, -2.102395, 11.232067, -5.200403, 9.571605, -2.666062, 8.164091, -2.162604, 7.714929, -2.7377, 8.019504, -2.312659, 8.890822, -2.363844, 7.871665, -2.42057, 10.153292, -3.336287, 7.41043, -1.673629, -4.6, 2.2};
static const double ref_weights[] = {0.3406593427742624, 0.3296703275554079, 0.32967032967032966};
static const double ref_means[] = {-7.92356927418032, 0.014017019771376845, 0.09138993473773266, 5.964467217743277, 8.699774666666666, -2.8516817999999993};
static const double ref_covs[] = {1.8046905213762596, 0.5825768602421281, 0.5825768602421281, 0.4399881322915808, 0.12381867243123447, 0.07095461548542109, 0.07095461548542109, 2.0795647316972286, 1.128109529868557, -0.6021831780471344, -0.6021831780471344, 0.634404578318094};
static const double ref_lower_bound = -3.4035905618051374;
static const double ref_resp_row0[] = {1.0, 7.233466675141424e-79, 2.204546154523168e-66};
static const double ref_resp_row45[] = {3.6377473827346497e-25, 1.0, 2.6934537222982697e-34};
static const double ref_resp_row90[] = {1.0, 6.147005103831429e-37, 3.02210218387552e-35};
static const int ref_n_iter = 2;

#define NX 91

static void assert_rel(double a, double b, double tol)
{
    if (!(fabs(a - b) <= tol * fabs(b))) {
        print_error("got %.17g, expected %.17g\n", a, b);
        fail();
    }
}

static void test_matches_sklearn(void **state)
{
    (void)state;
    double resp[NX * 3], w[3], mu[6], cov[12];
    sb_gmm_params prm = {w, mu, cov};
    sb_gmm_info info;
    sb_rng r;
    sb_err err;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        sb_rng_seed(&r, seed, 0);
        assert_int_equal(sb_gmm_fit(X, NX, 2, 3, NULL, &r, resp, &prm, &info, &err), 0);
        assert_int_equal(info.n_iter, ref_n_iter);
        assert_true(info.converged);
        assert_rel(info.lower_bound, ref_lower_bound, 1e-9);
        int ord[3] = {0, 1, 2};
        for (int a = 0; a < 3; a++)
            for (int b = a + 1; b < 3; b++)
                if (mu[ord[b] * 2] < mu[ord[a] * 2]) {
                    int t = ord[a];
                    ord[a] = ord[b];
                    ord[b] = t;
                }
        for (int j = 0; j < 3; j++) {
            int c = ord[j];
            assert_rel(w[c], ref_weights[j], 1e-9);
            for (int a = 0; a < 2; a++)
                assert_rel(mu[c * 2 + a], ref_means[j * 2 + a], 1e-9);
            for (int a = 0; a < 4; a++)
                assert_rel(cov[c * 4 + a], ref_covs[j * 4 + a], 1e-9);
            /* posteriors down to 1e-79: the log-domain E-step keeps them relative-exact */
            assert_rel(resp[0 * 3 + c], ref_resp_row0[j], 1e-6);
            assert_rel(resp[45 * 3 + c], ref_resp_row45[j], 1e-6);
            assert_rel(resp[90 * 3 + c], ref_resp_row90[j], 1e-6);
        }
        for (int i = 0; i < NX; i++)
            assert_rel(resp[i * 3] + resp[i * 3 + 1] + resp[i * 3 + 2], 1.0, 1e-12);
    }
}

/* One component, by hand: sample mean, biased covariance + reg_covar, posteriors 1, and the
 * mean Gaussian log-likelihood as the lower bound. */
static void test_one_component(void **state)
{
    (void)state;
    enum { N = 7 };
    double x[N * 2];
    for (int i = 0; i < N; i++) {
        x[2 * i] = sin(1.3 * i) * 2.0 + 1.0;
        x[2 * i + 1] = cos(0.7 * i * i) - 0.5 * x[2 * i];
    }
    double m0 = 0, m1 = 0, s00 = 0, s01 = 0, s11 = 0;
    for (int i = 0; i < N; i++) {
        m0 += x[2 * i] / N;
        m1 += x[2 * i + 1] / N;
    }
    for (int i = 0; i < N; i++) {
        double a = x[2 * i] - m0, b = x[2 * i + 1] - m1;
        s00 += a * a / N;
        s01 += a * b / N;
        s11 += b * b / N;
    }
    s00 += 1e-6;
    s11 += 1e-6;
    double det = s00 * s11 - s01 * s01, ll = 0;
    for (int i = 0; i < N; i++) {
        double a = x[2 * i] - m0, b = x[2 * i + 1] - m1;
        double q = (s11 * a * a - 2 * s01 * a * b + s00 * b * b) / det;
        ll += (-0.5 * (2 * log(2 * 3.14159265358979323846) + q) - 0.5 * log(det)) / N;
    }
    double resp[N], w, mu[2], cov[4];
    sb_gmm_params prm = {&w, mu, cov};
    sb_gmm_info info;
    sb_rng r;
    sb_err err;
    sb_rng_seed(&r, 5, 0);
    assert_int_equal(sb_gmm_fit(x, N, 2, 1, NULL, &r, resp, &prm, &info, &err), 0);
    assert_rel(w, 1.0, 1e-14);
    assert_rel(mu[0], m0, 1e-12);
    assert_rel(mu[1], m1, 1e-12);
    assert_rel(cov[0], s00, 1e-12);
    assert_rel(cov[1], s01, 1e-12);
    assert_rel(cov[2], s01, 1e-12);
    assert_rel(cov[3], s11, 1e-12);
    assert_rel(info.lower_bound, ll, 1e-12);
    assert_int_equal(info.n_iter, 2); /* the second iteration repeats the first exactly */
    for (int i = 0; i < N; i++)
        assert_true(resp[i] == 1.0);
}

static void test_deterministic_and_kmeans(void **state)
{
    (void)state;
    double r1[NX * 3], r2[NX * 3], C[6];
    int lab[NX];
    sb_rng r;
    sb_err err;
    sb_rng_seed(&r, 11, 3);
    assert_int_equal(sb_gmm_fit(X, NX, 2, 3, NULL, &r, r1, NULL, NULL, &err), 0);
    sb_rng_seed(&r, 11, 3);
    assert_int_equal(sb_gmm_fit(X, NX, 2, 3, NULL, &r, r2, NULL, NULL, &err), 0);
    assert_memory_equal(r1, r2, sizeof r1);
    /* k-means recovers the three blocks of 30 rows */
    sb_rng_seed(&r, 2, 0);
    assert_int_equal(sb_kmeans(X, 90, 2, 3, 300, 1e-4, &r, C, lab, &err), 0);
    for (int b = 0; b < 3; b++)
        for (int i = 0; i < 30; i++)
            assert_int_equal(lab[b * 30 + i], lab[b * 30]);
    assert_true(lab[0] != lab[30] && lab[30] != lab[60] && lab[0] != lab[60]);
}

static void test_degenerate(void **state)
{
    (void)state;
    double resp[12];
    sb_rng r;
    sb_err err;
    sb_rng_seed(&r, 1, 0);
    /* more components than samples */
    assert_int_equal(sb_gmm_fit(X, 3, 2, 4, NULL, &r, resp, NULL, NULL, &err), SB_EINPUT);
    /* identical points: every covariance is reg_covar·I, the fit stays finite */
    double same[12] = {1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2};
    assert_int_equal(sb_gmm_fit(same, 6, 2, 2, NULL, &r, resp, NULL, NULL, &err), 0);
    for (int i = 0; i < 12; i++)
        assert_true(isfinite(resp[i]) && resp[i] >= 0.0 && resp[i] <= 1.0);
    /* duplicate column (rank-deficient data): reg_covar keeps the covariances definite */
    double dup[NX * 2];
    for (int i = 0; i < NX; i++)
        dup[2 * i] = dup[2 * i + 1] = X[2 * i];
    double rr[NX * 3];
    assert_int_equal(sb_gmm_fit(dup, NX, 2, 3, NULL, &r, rr, NULL, NULL, &err), 0);
    for (int i = 0; i < NX * 3; i++)
        assert_true(isfinite(rr[i]));
    double bad[4] = {0, 1, NAN, 2};
    assert_int_equal(sb_gmm_fit(bad, 2, 2, 1, NULL, &r, resp, NULL, NULL, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "X[1][0]"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_sklearn),
        cmocka_unit_test(test_one_component),
        cmocka_unit_test(test_deterministic_and_kmeans),
        cmocka_unit_test(test_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
