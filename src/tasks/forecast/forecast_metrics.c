/* forecast_metrics.c — constants of the forecasting challenge, numpy-exact helpers and the
 * per-agent values (future length, motion profile, range) of specs/forecasting.md. */
#include "tasks/forecast/forecast_metrics.h"

#include <math.h>
#include <string.h>

const char *const sb_fc_category_names[SB_FC_NCAT] = {
    "ARTICULATED_BUS", "BICYCLE", "BICYCLIST", "BOLLARD", "BOX_TRUCK", "BUS",
    "CONSTRUCTION_BARREL", "CONSTRUCTION_CONE", "DOG", "LARGE_VEHICLE",
    "MESSAGE_BOARD_TRAILER", "MOBILE_PEDESTRIAN_CROSSING_SIGN", "MOTORCYCLE", "MOTORCYCLIST",
    "PEDESTRIAN", "REGULAR_VEHICLE", "SCHOOL_BUS", "SIGN", "STOP_SIGN", "STROLLER", "TRUCK",
    "TRUCK_CAB", "VEHICULAR_TRAILER", "WHEELCHAIR", "WHEELED_DEVICE", "WHEELED_RIDER"};

const double sb_fc_category_speed[SB_FC_NCAT] = {
    4.58, 0.97, 3.61, 0.02, 2.59, 3.10, 0.03, 0.02, 0.72, 1.56, 0.41, 0.03, 1.58,
    4.08, 0.80, 2.36, 4.44, 0.05, 0.09, 0.91, 2.76, 2.36, 1.72, 1.50, 0.37, 2.03};

const double sb_fc_thresholds[SB_FC_NTH] = {0.5, 1.0, 2.0, 4.0};

const char *const sb_fc_profile_names[SB_FC_NPROF] = {"static", "linear", "non-linear"};

#define DT 0.5 /* seconds between steps */

int sb_fc_category_index(const char *name)
{
    for (int c = 0; c < SB_FC_NCAT; c++)
        if (strcmp(name, sb_fc_category_names[c]) == 0) return c;
    return -1;
}

double sb_fc_forecast_scalar(int i)
{
    /* np.linspace multiplies by the step and pins the endpoint: 5*(1/6) != 5/6. */
    return i >= SB_FC_T ? 1.0 : (double)i * (1.0 / SB_FC_T);
}

/* numpy's pairwise summation (DOUBLE_pairwise_sum): blocks of at most 128, unrolled by 8. */
static double pairwise(const double *a, size_t n)
{
    if (n < 8) {
        double res = 0.0;
        for (size_t i = 0; i < n; i++) res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        size_t i;
        for (int j = 0; j < 8; j++) r[j] = a[j];
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise(a, n2) + pairwise(a + n2, n - n2);
}

double sb_fc_np_sum(const double *a, size_t n)
{
    /* add.reduce starts from the identity 0 and adds the pairwise sum of all items */
    return 0.0 + pairwise(a, n);
}

double sb_fc_np_round3(double x)
{
    /* np.round: multiply, rint (ties to even), divide — not Python's correctly rounded round */
    return nearbyint(x * 1000.0) / 1000.0;
}

static double norm2(double dx, double dy) { return sqrt(dx * dx + dy * dy); }

/* Profile of a trajectory ending at `fin` after `time` seconds, starting at c with first
 * step s1 (velocity (s1 - c)/dt), against threshold tau. */
static int profile_of(const double *c, const double *s1, const double *fin, double time,
                      double tau)
{
    double vx = (s1[0] - c[0]) / DT, vy = (s1[1] - c[1]) / DT;
    if (norm2(fin[0] - c[0], fin[1] - c[1]) < tau) return SB_FC_STATIC;
    double lx = c[0] + time * vx, ly = c[1] + time * vy;
    if (norm2(fin[0] - lx, fin[1] - ly) < tau) return SB_FC_LINEAR;
    return SB_FC_NONLINEAR;
}

int sb_fc_gt_derive(const sb_fc_gt *gt, size_t row, double max_range, sb_fc_gt_agent *out,
                    sb_err *err)
{
    if (row >= gt->n) return sb_fail(err, SB_EINPUT, "/gt: row %zu out of %zu rows", row, gt->n);
    int cat = gt->category[row];
    if (cat < 0 || cat >= SB_FC_NCAT)
        return sb_fail(err, SB_EINPUT, "/gt/category: row %zu has %d, not in 0..25", row, cat);
    const double *c = gt->current_xy + 2 * row, *e = gt->ego_xy + 2 * row;
    if (!isfinite(c[0]) || !isfinite(c[1]))
        return sb_fail(err, SB_EINPUT, "/gt/current_xy: row %zu is not finite", row);
    if (!isfinite(e[0]) || !isfinite(e[1]))
        return sb_fail(err, SB_EINPUT, "/gt/ego_xy: row %zu is not finite", row);
    const double *f = gt->future_xy + (size_t)2 * SB_FC_T * row;
    int len = 0, ended = 0;
    for (int s = 0; s < SB_FC_T; s++) {
        double x = f[2 * s], y = f[2 * s + 1];
        if (isnan(x) && isnan(y)) {
            ended = 1;
        } else if (isfinite(x) && isfinite(y) && !ended) {
            len++;
        } else {
            return sb_fail(err, SB_EINPUT,
                           "/gt/future_xy: row %zu step %d is %s (NaN must cover x and y "
                           "of every step from L+1 on)",
                           row, s + 1, ended ? "finite after a NaN step" : "not finite");
        }
    }
    out->len = len;
    out->in_range = norm2(c[0] - e[0], c[1] - e[1]) < max_range;
    if (len == 0) {
        out->profile = -1;
        return 0;
    }
    double tau = 1.0 + sb_fc_forecast_scalar(len) * sb_fc_category_speed[cat];
    out->profile = profile_of(c, f, f + 2 * (len - 1), len * DT, tau);
    return 0;
}

int sb_fc_pred_derive(const sb_fc_pred *pred, size_t row, const double ego_xy[2],
                      double max_range, sb_fc_pred_agent *out, sb_err *err)
{
    if (row >= pred->n)
        return sb_fail(err, SB_EINPUT, "/pred: row %zu out of %zu rows", row, pred->n);
    int K = pred->k;
    if (K < 1 || K > SB_FC_MAX_MODES)
        return sb_fail(err, SB_EINPUT, "/pred/modes_xy: %d modes, need 1..%d", K,
                       SB_FC_MAX_MODES);
    int cat = pred->category[row];
    if (cat < 0 || cat >= SB_FC_NCAT)
        return sb_fail(err, SB_EINPUT, "/pred/category: row %zu has %d, not in 0..25", row, cat);
    const double *c = pred->current_xy + 2 * row;
    if (!isfinite(c[0]) || !isfinite(c[1]))
        return sb_fail(err, SB_EINPUT, "/pred/current_xy: row %zu is not finite", row);
    if (!isfinite(pred->score[row]))
        return sb_fail(err, SB_EINPUT, "/pred/detection_score: row %zu is not finite", row);
    const double *m = pred->modes_xy + (size_t)K * SB_FC_T * 2 * row;
    for (int i = 0; i < K * SB_FC_T * 2; i++)
        if (!isfinite(m[i]))
            return sb_fail(err, SB_EINPUT, "/pred/modes_xy: row %zu mode %d step %d is not finite",
                           row, i / (SB_FC_T * 2), i % (SB_FC_T * 2) / 2 + 1);
    const double *ms = pred->mode_scores + (size_t)K * row;
    int best = 0;
    for (int k = 0; k < K; k++) {
        if (!isfinite(ms[k]))
            return sb_fail(err, SB_EINPUT, "/pred/mode_scores: row %zu mode %d is not finite",
                           row, k);
        if (ms[k] > ms[best]) best = k;
    }
    out->best_mode = best;
    /* the reference takes FORECAST_SCALAR[len(prediction_m)], i.e. indexed by K */
    double tau = 1.0 + sb_fc_forecast_scalar(K) * sb_fc_category_speed[cat];
    const double *p = m + (size_t)best * SB_FC_T * 2;
    out->profile = profile_of(c, p, p + 2 * (SB_FC_T - 1), SB_FC_T * DT, tau);
    out->in_range = norm2(c[0] - ego_xy[0], c[1] - ego_xy[1]) < max_range;
    return 0;
}
