/* test_kendall.c — Kendall τ-b against scipy.stats.kendalltau.
 *
 * Expected values: tests/reference/kendall_ref.py, run with Debian's /usr/bin/python3
 * (numpy 1.24.2, scipy 1.10.1) as
 *   /usr/bin/python3 tests/reference/kendall_ref.py $SHARDBENCH_DATA/medical-transferability
 * It calls scipy.stats.kendalltau(x, y).statistic (variant 'b') on random vectors it draws
 * (RandomState(20231), printed with 17 significant digits and pasted below), on formula
 * vectors rebuilt here, and on the published medical-transferability data ("The Performance
 * of Transferability Metrics does not Translate to Medical Tasks", DART 2023): per task and
 * metric, x = metric value, y = 100·test_acc_score of the 10 models in alphabetical order,
 * joined on model name — the τ its Figure 3 prints (rounded there to 2 decimals).
 * Agreement to 1e-12 relative (in practice bit-identical). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "numerics/kendall.h"

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want) + 1e-15))
        fail_msg("got %.17g, want %.17g", got, want);
}

static double tau_of(const double *x, const double *y, size_t n)
{
    sb_err err = {0};
    double t;
    const char *why = "unset";
    assert_int_equal(sb_kendall_tau(x, y, n, &t, &why, &err), 0);
    if (isfinite(t))
        assert_null(why);
    return t;
}

/* x = (1,2,2,3), y = (1,1,2,3): 6 pairs, one tied in x, one tied in y, 4 concordant, 0
 * discordant: τ-b = 4/√(5·5) = 0.8 (by hand). */
static void test_hand_counts(void **state)
{
    (void)state;
    const double x[] = {1, 2, 2, 3}, y[] = {1, 1, 2, 3};
    sb_kendall_counts c;
    sb_err err = {0};
    assert_int_equal(sb_kendall_count(x, y, 4, &c, &err), 0);
    assert_int_equal(c.pairs, 6);
    assert_int_equal(c.tie_x, 1);
    assert_int_equal(c.tie_y, 1);
    assert_int_equal(c.tie_xy, 0);
    assert_int_equal(c.discordant, 0);
    assert_close(tau_of(x, y, 4), 0.8, 1e-15);
    const double up[] = {1, 2, 3, 4, 5}, down[] = {5, 4, 3, 2, 1};
    assert_close(tau_of(up, up, 5), 1.0, 1e-15);
    assert_close(tau_of(up, down, 5), -1.0, 1e-15);
    /* joint ties: x = (1,1,2), y = (0,0,1): 3 pairs, 1 tied in both: τ = 2/√(2·2) = 1 */
    const double jx[] = {1, 1, 2}, jy[] = {0, 0, 1};
    assert_int_equal(sb_kendall_count(jx, jy, 3, &c, &err), 0);
    assert_int_equal(c.tie_xy, 1);
    assert_close(tau_of(jx, jy, 3), 1.0, 1e-15);
}

static const double nt_x[] = {-0.75886166431350544, 1.8629860325903251, 0.31946324930185899, 0.56915868790720081, -0.96200175172549807, -1.0242382197319562, -0.77854545358746485, 0.45943599191515161, 0.0024590205797953104};
static const double nt_y[] = {-1.0678043342174359, 2.5850203887151562, 0.6514156387804857, 0.094199434545382044, 0.93192251415148852, -0.2139974518790787, -1.4327587224685399, 0.20828262619591409, -0.095982919236478129};
static const double t_x[] = {1, 1, 1, 1, 0, 3, 0, 0, 1, 3, 0, 0, 0, 0};
static const double t_y[] = {4, 3, 3, 1, 3, 3, 1, 2, 3, 0, 0, 1, 3, 3};

static void test_scipy_random(void **state)
{
    (void)state;
    assert_close(tau_of(nt_x, nt_y, 9), 0.3888888888888889, 1e-12);
    assert_close(tau_of(t_x, t_y, 14), 0.14422632445444711, 1e-12);
    /* symmetric in its arguments */
    assert_close(tau_of(t_y, t_x, 14), 0.14422632445444711, 1e-12);
}

/* x_i = (37 i) mod 101, y_i = (53 i) mod 97 + (i mod 7), i < 300: many ties in both. */
static void test_scipy_formula(void **state)
{
    (void)state;
    double x[300], y[300];
    for (int i = 0; i < 300; i++) {
        x[i] = (double)((i * 37) % 101);
        y[i] = (double)((i * 53) % 97 + (i % 7));
    }
    assert_close(tau_of(x, y, 300), 0.06081968703997663, 1e-12);
}

/* Medical transferability data; model order densenet121, densenet161, densenet169,
 * efficientnet_b0, mobilenetv2_050, mobilenetv2_100, resnet18, resnet34, resnet50,
 * vit_small_patch16_224. Row 0 is 100·test_acc_score, rows 1..7 the metrics in the order
 * hscore, nce, leep, nleep, logme, reg_hscore, gbc. */
static const double med[3][8][10] = {
/* brain_tumor_kaggle */
{ {74.821974148061102, 75.081081081081066, 78.492068155111639, 77.339894242068169, 74.997649823736779, 76.217838956969388, 74.78936545240893, 74.646298472385425, 74.821974148061102, 74.678907168037597} ,
  /* hscore_score */ {2.6058427022898045, 2.6971832985202187, 2.8580760438841755, 2.7403006980359561, 2.698187039204698, 2.685391101835235, 2.2796667788149687, 2.2619289274739049, 2.9126749708891944, 4.2502309139817953} ,
  /* nce_score */ {-1.0805488687824516, -1.0970296942850717, -1.1549442887650012, -1.1769339483026158, -1.0492233156423307, -1.1016662315166987, -1.1133784521580852, -1.0719624157633072, -1.0674906099272661, -1.2361972525653606} ,
  /* leep_score */ {-1.1879696951762839, -1.1384531778192484, -1.1643259975580948, -1.2202863423705508, -1.192279731198991, -1.2122279949440076, -1.1810759962172672, -1.1995864780727423, -1.1406366333979354, -1.2545064977400977} ,
  /* nleep_score */ {-0.75224555485845546, -0.65945767777006403, -0.70114554081742142, -0.74146366630006344, -0.66629981210495148, -0.69845241151133053, -0.72283066369665971, -0.80669680032122071, -0.7129646063506454, -0.77377001612322294} ,
  /* logme_score */ {-0.044765602539466348, -0.0082232638793858989, -0.033641258113054295, 0.025394076235113992, -0.0092802709192972392, -0.0082571974181425908, -0.0980159381038537, -0.11387659141691564, -0.052543523259402855, -0.031057885652938228} ,
  /* reg_hscore_score */ {2.4639125113699296, 2.5284100130837186, 2.4462093543085577, 2.632440884376829, 2.5678996214992704, 2.5514910483944933, 2.2161552063125298, 2.2059235127594108, 2.6632942414185239, 2.2723909639906568} ,
  /* gbc_score */ {-1.660661081716055, -1.5037252549243605, -1.5163087511945603, -1.7223741864874695, -1.6453051214730581, -1.1988129200691811, -1.5846290676209538, -2.0952464461655023, -1.6283329328686325, -1.2848235354602755} ,
},
/* breakhis */
{ {97.844831492649035, 98.086812145072372, 98.465371390455275, 97.708252899689498, 96.417870679014015, 96.937539990248283, 97.894133917712082, 97.555814151608601, 98.709617779324518, 98.848462108729962} ,
  /* hscore_score */ {0.74686935986536829, 0.78843285957391274, 0.84711292715412745, 0.75631143717507254, 0.73639338762794526, 0.75412166382858981, 0.64835301008513857, 0.64700525726988101, 0.81191582459162726, 4.0705941505730152} ,
  /* nce_score */ {-0.5440204251567452, -0.53304594571261255, -0.53783671812874378, -0.55878451653262573, -0.54271274426346694, -0.53645296258934616, -0.52501872661538895, -0.53705077121103884, -0.54256618604881357, -0.61201302985032058} ,
  /* leep_score */ {-0.57396110741747697, -0.5376744285508428, -0.54777494500128265, -0.5833845001461081, -0.58325238236538057, -0.5773045490955534, -0.5398689995365461, -0.56414153183926052, -0.55708522262765281, -0.61072972718968666} ,
  /* nleep_score */ {-0.54967969623315494, -0.47981348592113454, -0.52547295687608875, -0.5529528836137475, -0.50112565185270697, -0.51748745030388044, -0.47877877961055332, -0.52545188485376937, -0.52830133957105185, -0.5296828457171594} ,
  /* logme_score */ {-0.19161576618180415, -0.1723728761555588, -0.18441263536102881, -0.22369427783725193, -0.25653476453641177, -0.21683874528085928, -0.25147076482700226, -0.25796285210972947, -0.19959753016419635, -0.20161814295806663} ,
  /* reg_hscore_score */ {0.72357724179302263, 0.74062107778409292, 0.72753636407649269, 0.73968128486901397, 0.71409486766718777, 0.73334253355865542, 0.64170683052787192, 0.63896654458170987, 0.77458146112830017, 0.66849889196043044} ,
  /* gbc_score */ {-0.87653607925276367, -0.65051119622229991, -0.55009020508392037, -1.0351168661948722, -0.71827408992891417, -0.76801089322944815, -0.5109253997483334, -0.61472094436839686, -0.74071159534409281, -0.78947153685463423} ,
},
/* skin_splits */
{ {83.645002083133036, 85.527469678032134, 82.097474601801096, 84.716322439858644, 78.042357523897763, 81.228057908184809, 84.376975698723598, 86.98904971258591, 83.962570615296315, 82.796780903934064} ,
  /* hscore_score */ {0.38162337344475855, 0.42097176128197367, 0.46525607000374031, 0.41225115614905278, 0.39809652364854464, 0.39614661923601174, 0.33100806974273089, 0.3090497703288867, 0.44346335762562827, 40.447710987180471} ,
  /* nce_score */ {-0.4793439406764729, -0.47781892130747627, -0.47287885171203548, -0.46786389626298469, -0.47097908523590393, -0.47043372624948709, -0.46144542421857532, -0.4732734344405678, -0.47899997927489979, -0.49008240726933122} ,
  /* leep_score */ {-0.48760365621189494, -0.47716655897547278, -0.47658204268116022, -0.48162064155553042, -0.48952412400486545, -0.4846043911751487, -0.47274507089316542, -0.48286730213333895, -0.48197964263571624, -0.49013211298360282} ,
  /* nleep_score */ {-0.46879524939141903, -0.47211701222530689, -0.47746417774315425, -0.46386673702301423, -0.46727024809693041, -0.46405158026251558, -0.46785800091158958, -0.4688190270063845, -0.47497125770755172, -0.46808300029062622} ,
  /* logme_score */ {-0.36631291881724454, -0.35264276997077404, -0.36050319744806031, -0.35331285687169922, -0.36228551559468736, -0.36249436958483217, -0.36843226075835628, -0.38896318827929821, -0.36222178347282075, -0.3325433313568229} ,
  /* reg_hscore_score */ {0.3707327868821465, 0.38403044661226249, 0.37226779355471762, 0.40883911283351693, 0.39199665712981674, 0.39099017047973172, 0.32970700514065893, 0.30766556014413876, 0.43159287295797921, 0.36764023669500562} ,
  /* gbc_score */ {-1.0542675407066486, -1.1371852857268046, -1.1864868627226202, -1.031458766963858, -1.0338864995236716, -1.0056287821682801, -0.97072961403807645, -1.0167553314221369, -1.0705462526828451, -1.0041727991749148} ,
},
};

/* scipy.stats.kendalltau(metric values, accuracies).statistic, per task (rows) and metric. */
static const double med_tau[3][7] = {
/* brain_tumor_kaggle */ {0.26967994498529685, -0.1797866299901979, 0.08989331499509895, 0.4944132324730442, 0.58430654746814314, 0.40451991747794525, 0.13483997249264842},
/* breakhis */ {0.59999999999999998, -0.15555555555555553, 0.19999999999999998, -0.24444444444444444, 0.37777777777777777, 0.19999999999999998, 0.022222222222222223},
/* skin_splits */ {-0.24444444444444444, 0.022222222222222223, 0.33333333333333331, -0.1111111111111111, -0.066666666666666666, -0.28888888888888886, 0.022222222222222223},
};

static void test_medical_figure3(void **state)
{
    (void)state;
    for (int t = 0; t < 3; t++)
        for (int m = 0; m < 7; m++)
            assert_close(tau_of(med[t][m + 1], med[t][0], 10), med_tau[t][m], 1e-12);
    /* brain tumour accuracies hold a tie (densenet121 = resnet50): 44 of 45 pairs untied */
    sb_kendall_counts c;
    sb_err err = {0};
    assert_int_equal(sb_kendall_count(med[0][1], med[0][0], 10, &c, &err), 0);
    assert_int_equal(c.tie_y, 1);
}

static void test_degenerate(void **state)
{
    (void)state;
    sb_err err = {0};
    double t = 0;
    const char *why = NULL;
    const double x[] = {1, 2, 3}, c3[] = {5, 5, 5};
    assert_int_equal(sb_kendall_tau(x, x, 0, &t, &why, &err), 0);
    assert_true(isnan(t));
    assert_non_null(why);
    assert_int_equal(sb_kendall_tau(x, x, 1, &t, &why, &err), 0);
    assert_true(isnan(t));
    assert_string_equal(why, "fewer than 2 models");
    assert_int_equal(sb_kendall_tau(c3, x, 3, &t, &why, &err), 0);
    assert_true(isnan(t));
    assert_string_equal(why, "x is constant");
    assert_int_equal(sb_kendall_tau(x, c3, 3, &t, NULL, &err), 0);
    assert_true(isnan(t));
    const double bad[] = {1, NAN, 3};
    assert_int_equal(sb_kendall_tau(x, bad, 3, &t, &why, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "y[1]"));
    const double inf[] = {INFINITY, 1, 3};
    assert_int_equal(sb_kendall_tau(inf, x, 3, &t, &why, &err), SB_EINPUT);
    assert_non_null(strstr(err.msg, "x[0]"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_counts),
        cmocka_unit_test(test_scipy_random),
        cmocka_unit_test(test_scipy_formula),
        cmocka_unit_test(test_medical_figure3),
        cmocka_unit_test(test_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
