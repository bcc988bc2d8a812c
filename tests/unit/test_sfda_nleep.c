/* test_sfda_nleep.c — the SFDA and N-LEEP scorers (tasks/transfer/sfda.c, nleep.c).
 *
 * Expected values: tests/reference/sfda_nleep_ref.py, run as
 *     /usr/bin/python3 tests/reference/sfda_nleep_ref.py <TencentARC/SFDA> <transfer-estimation-medical>
 * (the fetched mirrors; torch and the model zoo that SFDA's files import are stubbed, SFDA_Score
 * gets a copy of X). SFDA: TencentARC/SFDA metrics.py::SFDA_Score(X, y) on the literal inputs
 * below (printed with repr), compared to 1e-6 relative. N-LEEP: transfer-estimation-medical
 * transfer_metrics/leep.py::gaussian_log_expected_empirical_prediction(X, y) on the closed-form
 * data of nleep_data() (the same formula in the script), compared within 0.05 absolute as the
 * spec allows for a seeded EM (there sklearn reaches the same value from 41 different seeds). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tasks/transfer/scorer.h"
#include "tasks/transfer/xfer_ctx.h"

extern const sb_scorer sb_scorer_sfda, sb_scorer_nleep;

/* main: N=60 D=6 C=3 */
static const double M_X[] = {-1.223074, 1.026528, -0.368346, -0.992186, 1.444305, 0.13753, 0.601748, -1.487582, 0.401578, -2.090523, -2.184408, -0.449045, -3.567247, 1.173485, -2.8993, -2.720897, 2.314105, -1.022127, -0.099548, 3.287561, 1.023312, -0.445906, 1.919499, 3.134925, -0.345323, -1.694461, -1.057931, 0.172497, -2.264715, -0.539947, 0.735432, -0.640708, 1.241161, 0.695801, 0.351596, 0.584868, -3.690189, 0.880487, -3.833079, -4.269393, 0.454508, -0.052601, -0.737347, -1.205165, -0.711046, -0.278887, -0.735921, -1.574076, -1.017708, -0.750094, -0.951543, -2.242613, 0.388806, -0.705425, -0.649594, 0.600303, -1.417155, 0.03117, 0.839399, 0.298748, -2.036489, -0.863635, -1.953143, -3.384609, -0.354, -2.01433, -2.310896, 1.916828, -0.34331, -0.580797, 3.292365, 0.480558, -0.505199, 0.787946, -0.357643, 0.337966, 1.296047, 0.460396, 0.550572, -1.378723, -1.434532, -0.151103, -3.709319, 0.833885, -2.051566, 0.350363, -1.957228, -2.533484, -0.037784, 0.903176, -2.078104, 0.936236, -2.642114, -1.077503, 0.369202, 0.537859, 1.218186, -1.08565, 0.288577, 0.619232, -2.756379, 0.908786, -0.195672, 0.893405, 0.100111, -0.167381, 0.91453, 1.419945, -2.707349, 0.146187, -3.11706, -0.251055, 0.499168, -0.502419, 0.416232, -1.64655, 0.220193, -0.17789, -0.812637, -1.638955, -2.556135, 2.494066, -1.024719, -0.736332, 2.503551, 1.469328, 0.099732, -0.248588, -0.118463, -1.425685, -0.703449, 0.921688, -0.487034, -0.90769, -2.140299, 1.480757, -2.560411, 0.182398, -1.029608, 0.097625, -1.062185, -0.417531, 1.113549, -0.286614, 0.943452, 1.342585, -0.083233, 2.282363, -0.336958, 2.77488, 1.502372, -0.811567, 1.109532, 1.082996, -1.190654, 0.392141, 0.552286, -0.418776, 0.041368, -0.213563, -0.365838, 0.928732, -3.076093, 0.457182, -3.069229, -1.697524, 1.273167, -0.453107, 0.674673, -0.340372, 1.107087, -0.168375, -0.527358, -0.118284, 0.47124, 0.451172, 1.091282, 0.016708, -0.142406, 1.886653, -2.111823, 0.928544, -1.693417, -2.043033, 1.477034, -0.34746, 0.654222, 0.046605, 0.799114, 1.436887, -0.599102, 0.706094, -2.363166, 0.085664, -1.794175, -2.91848, 1.059431, -0.429757, 0.13912, 1.619358, 0.412249, 1.423994, 2.140494, 0.755611, 0.812674, -0.603157, 0.340464, 1.278389, -1.843087, 0.710997, -0.336677, 0.034777, 0.52989, -1.144412, 0.16856, 0.731382, -0.405097, 0.723409, -2.387298, 1.88455, -0.508051, 1.656373, -0.242325, -0.496206, -0.354516, -0.191942, -2.015249, 0.76155, -0.642265, -0.05335, 0.401675, -1.086756, 1.049806, 0.123171, -0.648332, -0.797659, -0.811132, -2.068032, -1.22094, 0.189609, -0.655613, 1.098363, -0.437306, 2.370783, 0.94469, 0.37358, -1.521167, -0.213458, -1.295775, -1.517306, 0.344878, -0.261565, -0.955958, 0.597385, -1.832127, -0.612616, -0.606879, 1.485295, 0.113892, -0.585935, -0.124058, 0.043413, -1.471621, 0.042446, -0.19706, 0.253814, -0.48329, 0.98454, -0.34036, 1.432291, -1.365621, 0.211485, -0.968854, -0.349294, 0.650779, 0.301475, 0.426295, 0.084241, -0.672553, 2.536811, -0.420223, 0.240773, -2.048701, -0.526, -1.976317, -0.719594, 0.683497, -0.737253, -1.288507, 1.055837, -0.491784, 0.87629, 1.258638, 0.911007, -1.393575, -0.887119, -2.62551, -3.137981, -2.668787, 0.145518, -1.298649, 0.810561, -1.511476, -0.330426, 0.487597, 0.937188, -0.328442, -0.126344, -0.036924, 0.965499, 0.544307, 0.027512, 2.411496, -1.348946, 2.689932, 1.210358, -1.675235, 0.916942, 0.168538, -0.968068, 1.489088, 0.901315, 0.313065, 0.025654, -1.216364, 0.467754, -2.33869, -1.171708, -0.532449, 0.746062, 0.438137, 0.176645, 0.650761, -1.185258, -0.179971, 0.24975, 0.056476, 0.320311, 1.138169, -0.595381, 0.740418, 1.242702, 0.44294, 0.271399, -0.063077, 0.468772, -0.000421, 1.27639, 0.710402, 0.050619, 1.515515, -1.528669, -1.093111, 0.846964, -3.17444, -0.805677, -3.952809, -2.306339, -0.338759, -1.235092};
static const int M_y[] = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2};
static const double M_sfda = 0.7285054352642809;

/* the same features ×40: lambda reaches its floor 1e-10 */
static const double M40_sfda = 0.7285054392765009;
/* the same features ×0.05: lambda near 1, strong shrinkage */
static const double M005_sfda = 0.4488174732964017;
/* column 0 repeated as column 6: Sw singular, only the shrinkage keeps it definite */
static const double Mdup_sfda = 0.7285054392912987;

/* D > N: N=12, D=20, C=3 */
static const double W_X[] = {0.763767, 0.485657, -0.455237, -0.086995, -0.209005, -0.685894, -0.106047, -0.325766, -1.977733, 1.345554, -1.284089, 0.675672, 0.752937, -1.587114, 1.183355, 1.59338, 1.40788, 0.393661, -0.795075, 2.098123, -0.745629, 4.002575, -0.248997, 0.462596, -1.17037, -1.014741, 2.612357, 0.918186, -4.093337, -2.569462, 0.134795, -0.297378, 2.795054, 0.093978, 0.864904, -1.455209, -0.489278, 0.637721, -0.291172, -1.148417, -1.960276, -2.375364, -0.286492, 2.590633, 1.947659, 0.796496, -0.793454, 1.159364, 0.648222, -1.915887, 0.618928, -1.393173, -1.39341, -0.114077, 2.189598, -0.886869, 1.131086, -0.764354, 0.574367, -0.92975, 0.834142, -0.453903, -1.524498, 0.839117, -1.801727, -1.650022, 0.150599, 0.492065, -0.266423, 1.036894, -1.609813, 0.706458, 1.388365, 0.171541, 0.23784, -0.070074, 1.06164, -0.49808, 1.233236, 1.877248, 0.071561, 1.140639, -2.007989, -1.005535, 1.281422, -0.028678, 0.911983, -1.080679, -1.007922, -3.150316, -0.330693, 0.352172, 2.25366, -0.393613, 0.633251, 0.707503, 0.035841, 0.862084, 0.211915, 1.227059, -2.374746, -1.009548, -0.465546, 1.095415, -1.192336, 0.183066, -1.194369, -0.148979, 0.495172, 1.663727, 2.083792, -0.084383, -2.788979, 2.22018, 0.630777, -0.893897, 1.364055, -1.155491, 0.321301, 0.319053, 0.190595, -0.803457, 0.717631, -0.368819, 1.284439, -0.925642, -0.201014, -1.806208, -3.239726, 0.941261, -1.755044, 1.404126, 1.309274, -0.024916, -0.837908, 1.151942, 1.448572, -1.440963, -0.761136, 1.088804, 0.409776, 3.006213, -0.854592, -0.977941, 0.626106, -0.884965, 2.601865, 0.149672, 0.05596, -0.95067, 1.766523, 0.299925, 1.816895, -0.569863, 1.3451, -0.589893, -1.729248, 0.910087, -0.133553, -0.79807, -1.498385, -0.51131, -2.320993, 0.686862, -0.621458, -1.576778, -0.507116, 2.671672, 1.525985, -1.703202, 1.252199, 0.907893, 0.215984, 0.008054, 4.283552, -2.033083, 0.550823, -1.814021, -1.803131, -0.200187, -0.394145, -0.573564, -1.056486, 0.528533, 0.50702, 0.080584, 1.238286, -0.246926, -3.284693, 0.370429, -2.47275, 0.807312, 1.58984, -0.605398, -0.028055, 2.643639, 0.164275, 0.00123, 0.765329, 1.284045, 0.809545, 2.489186, 0.282767, -0.062848, -0.87652, 0.805811, 0.29966, 1.086667, -4.342683, -1.711919, 0.439338, 0.669099, 0.418218, -0.090656, 3.122888, -0.045281, 1.918964, 0.486435, 1.795429, 0.672747, -1.486737, -2.262386, -0.618752, 2.861229, 0.195763, -0.318545, -0.354367, 1.184104, 0.977974, -0.833449, 1.202191, 0.803215, -1.92672, 2.026294, 1.269075, 0.209161, 0.52844, -1.751237, 0.442425, -1.402621};
static const int W_y[] = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2};
static const double W_sfda = 1.0;

/* one sample in class 2: N=21, D=4 */
static const double O_X[] = {2.790873, -0.250998, -1.361727, -1.260818, -3.81933, 0.710495, 0.118573, -2.127634, 2.106285, -0.863425, -2.186594, -0.880146, -4.070579, 2.823749, -0.63233, -0.653978, 0.791007, -1.625401, -2.571015, 0.793984, -4.733508, 1.01913, -0.52328, -0.830026, 1.2746, -0.957519, -0.664499, 1.164661, -1.479152, -0.967708, 0.495321, -0.324464, 0.948032, -3.092095, -2.36435, -0.218799, -4.919676, -0.22771, 1.452325, 1.613643, 1.375125, -0.490976, -2.670796, -0.639841, -4.887713, -0.549385, -0.639597, -0.392508, 2.454659, -0.432863, -2.035689, 0.298578, -3.91955, 1.347396, -1.34877, 0.367881, 1.649497, -1.595605, 0.213778, -2.231156, -3.511179, -1.08156, 0.272854, -0.151861, 2.284472, -1.563574, -0.971593, -0.714074, -4.5057, 1.509561, 0.749683, -2.021748, 3.321494, -0.014368, -1.205892, -1.608177, -2.727141, 1.285615, 1.5203, 0.024996, 0.855571, -1.541071, -0.115713, 2.5409};
static const int O_y[] = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 2};
static const double O_sfda = 0.9044800863320087;

/* N-LEEP data of nleep_data() (N=450, D=6, C=3); medical transfer_metrics/leep.py::gaussian_log_expected_empirical_prediction(X, y) */
static const double nleep_ref = -0.8436761645086731;
static const double nleep_data_sfda = 0.394902800365457;

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Scores F (n×d) with one scorer through a fresh context; *reason gets the undefined reason. */
static double run(const sb_scorer *s, const double *F, size_t n, size_t d, const int *y, int c,
                  char *reason, size_t cap)
{
    sb_xfer_input in = {n, d, NULL, F, y, c, NULL, 0};
    sb_xfer_ctx *ctx = NULL;
    sb_err err;
    assert_int_equal(sb_xfer_ctx_new(&in, &ctx, &err), 0);
    double v = -12345.0;
    reason[0] = '\0';
    int rc = s->score(ctx, &v, reason, cap, &err);
    if (rc)
        print_error("%s: %s\n", s->name, err.msg);
    assert_int_equal(rc, 0);
    sb_xfer_ctx_free(ctx);
    return v;
}

static void assert_rel(double a, double b, double tol)
{
    if (!(fabs(a - b) <= tol * fabs(b))) {
        print_error("got %.17g, expected %.17g\n", a, b);
        fail();
    }
}

static double *scaled_copy(const double *X, size_t len, double f)
{
    double *Y = malloc(len * sizeof *Y);
    assert_non_null(Y);
    for (size_t i = 0; i < len; i++)
        Y[i] = X[i] * f;
    return Y;
}

static void test_sfda_reference(void **state)
{
    (void)state;
    char why[256];
    double copy[LEN(M_X)];
    memcpy(copy, M_X, sizeof copy);
    assert_rel(run(&sb_scorer_sfda, M_X, 60, 6, M_y, 3, why, sizeof why), M_sfda, 1e-6);
    assert_memory_equal(copy, M_X, sizeof copy); /* unlike the reference, F is left alone */
    double *X40 = scaled_copy(M_X, LEN(M_X), 40.0), *X005 = scaled_copy(M_X, LEN(M_X), 0.05);
    assert_rel(run(&sb_scorer_sfda, X40, 60, 6, M_y, 3, why, sizeof why), M40_sfda, 1e-6);
    assert_rel(run(&sb_scorer_sfda, X005, 60, 6, M_y, 3, why, sizeof why), M005_sfda, 1e-6);
    free(X40);
    free(X005);
    double dup[60 * 7];
    for (int i = 0; i < 60; i++) {
        memcpy(dup + i * 7, M_X + i * 6, 6 * sizeof(double));
        dup[i * 7 + 6] = M_X[i * 6];
    }
    assert_rel(run(&sb_scorer_sfda, dup, 60, 7, M_y, 3, why, sizeof why), Mdup_sfda, 1e-6);
}

static void test_sfda_wide_and_singleton(void **state)
{
    (void)state;
    char why[256];
    assert_rel(run(&sb_scorer_sfda, W_X, 12, 20, W_y, 3, why, sizeof why), W_sfda, 1e-6);
    assert_rel(run(&sb_scorer_sfda, O_X, 21, 4, O_y, 3, why, sizeof why), O_sfda, 1e-6);
}

/* The closed form of tests/reference/sfda_nleep_ref.py::nleep_data (N=450, D=6, C=3). */
static void nleep_data(double *X, int *y)
{
    const int N = 450, D = 6, K = 15;
    for (int i = 0; i < N; i++) {
        int k = i % K;
        for (int j = 0; j < D; j++)
            X[i * D + j] = 6.0 * cos(1.7 * k * (j + 1.0) + 0.3 * j) +
                           0.3 * sin(0.61 * i * (j + 1.0) + 0.013 * (double)i * i + 1.3 * j);
        double u = (double)((i * 7919) % 1000) / 1000.0, p = (k + 1.0) / (K + 1.0);
        y[i] = u < p ? 0 : 1 + ((i * 104729) % 1000 >= 500);
    }
}

static void test_nleep_reference(void **state)
{
    (void)state;
    double *X = malloc(450 * 6 * sizeof *X);
    int y[450];
    assert_non_null(X);
    nleep_data(X, y);
    char why[256];
    double v = run(&sb_scorer_nleep, X, 450, 6, y, 3, why, sizeof why);
    print_message("nleep %.17g, medical reference %.17g\n", v, nleep_ref);
    assert_true(fabs(v - nleep_ref) <= 0.05);
    /* a function of the input alone: the same value again */
    assert_true(run(&sb_scorer_nleep, X, 450, 6, y, 3, why, sizeof why) == v);
    /* SFDA on the same, larger problem */
    assert_rel(run(&sb_scorer_sfda, X, 450, 6, y, 3, why, sizeof why), nleep_data_sfda, 1e-6);
    free(X);
}

static void test_degenerate(void **state)
{
    (void)state;
    char why[256];
    int y1[60] = {0};
    double v = run(&sb_scorer_sfda, M_X, 60, 6, y1, 1, why, sizeof why);
    assert_true(isnan(v) && strstr(why, "one class"));
    v = run(&sb_scorer_nleep, M_X, 60, 6, y1, 1, why, sizeof why);
    assert_true(isnan(v) && strstr(why, "one class"));
    /* N-LEEP needs 5·C ≤ N samples */
    v = run(&sb_scorer_nleep, M_X, 12, 6, M_y, 3, why, sizeof why);
    assert_true(isnan(v) && strstr(why, "mixture"));
    /* constant features */
    double cst[40];
    int y2[20];
    for (int i = 0; i < 20; i++) {
        cst[2 * i] = 3.0;
        cst[2 * i + 1] = -1.0;
        y2[i] = i % 2;
    }
    v = run(&sb_scorer_sfda, cst, 20, 2, y2, 2, why, sizeof why);
    assert_true(isnan(v) && why[0] != '\0');
    v = run(&sb_scorer_nleep, cst, 20, 2, y2, 2, why, sizeof why);
    assert_true(isnan(v) && strstr(why, "constant"));
    /* every class one point: the within-class scatter is zero */
    double two[4] = {0.0, 1.0, 2.0, 5.0};
    int y3[2] = {0, 1};
    v = run(&sb_scorer_sfda, two, 2, 2, y3, 2, why, sizeof why);
    assert_true(isnan(v) && why[0] != '\0');
    /* D > N and duplicate columns for N-LEEP: finite */
    double *X = malloc(450 * 6 * sizeof *X), *Xd = malloc(450 * 8 * sizeof *Xd);
    int y[450];
    assert_non_null(X);
    assert_non_null(Xd);
    nleep_data(X, y);
    for (int i = 0; i < 450; i++) {
        memcpy(Xd + i * 8, X + i * 6, 6 * sizeof(double));
        Xd[i * 8 + 6] = Xd[i * 8 + 7] = X[i * 6];
    }
    v = run(&sb_scorer_nleep, Xd, 450, 8, y, 3, why, sizeof why);
    assert_true(isfinite(v) && v < 0.0);
    double wide[40 * 50];
    int yw[40];
    for (int i = 0; i < 40; i++) {
        yw[i] = i % 2;
        for (int j = 0; j < 50; j++)
            wide[i * 50 + j] = sin(0.37 * i * (j + 1.0) + j) + (j < 5 ? 2.0 * yw[i] : 0.0);
    }
    v = run(&sb_scorer_nleep, wide, 40, 50, yw, 2, why, sizeof why); /* 10 components */
    assert_true(isfinite(v) && v <= 0.0);
    v = run(&sb_scorer_sfda, wide, 40, 50, yw, 2, why, sizeof why);
    assert_true(isfinite(v) && v > 0.5 && v <= 1.0);
    free(X);
    free(Xd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sfda_reference),
        cmocka_unit_test(test_sfda_wide_and_singleton),
        cmocka_unit_test(test_nleep_reference),
        cmocka_unit_test(test_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
