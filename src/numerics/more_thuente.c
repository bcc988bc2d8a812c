/* more_thuente.c — see more_thuente.h. The arithmetic keeps MINPACK-2's order of operations
 * (e.g. 3(f_x − f_t)/(t − x) + d_x + d_t summed left to right) because a replay must round the
 * same way to take the same decisions; hence no algebraic tidying below. */
#include "numerics/more_thuente.h"

#include <math.h>

typedef struct mt_pt {
    double st, f, d; /* step, φ, φ' */
} mt_pt;

/* Step to the minimiser of the cubic interpolating (a, da) and (b, db), theta being
 * 3(φ_a − φ_b)/(b − a) + da + db as the caller summed it. */
static double cubic_min(double a, double da, double b, double db, double theta)
{
    double s = fmax(fabs(theta), fmax(fabs(da), fabs(db)));
    double gamma = s * sqrt((theta / s) * (theta / s) - (da / s) * (db / s));
    if (b < a)
        gamma = -gamma;
    double p = (gamma - da) + theta, q = ((gamma - da) + gamma) + db;
    return a + p / q * (b - a);
}

/* Lower value, slopes of one sign, |φ'| decreasing: the cubic step only if the cubic tends to
 * infinity in the step's direction or its minimiser lies beyond t; else the bound on that side. */
static double step_decreasing_slope(const mt_pt *x, const mt_pt *y, mt_pt t, int brackt, double lo,
                                    double hi)
{
    double theta = 3.0 * (x->f - t.f) / (t.st - x->st) + x->d + t.d;
    double s = fmax(fabs(theta), fmax(fabs(x->d), fabs(t.d)));
    double gamma = s * sqrt(fmax(0.0, (theta / s) * (theta / s) - (x->d / s) * (t.d / s)));
    if (t.st > x->st)
        gamma = -gamma;
    double p = (gamma - t.d) + theta, q = (gamma + (x->d - t.d)) + gamma, r = p / q;
    double stpc = (r < 0.0 && gamma != 0.0) ? t.st + r * (x->st - t.st) : (t.st > x->st ? hi : lo);
    double stpq = t.st + (t.d / (t.d - x->d)) * (x->st - t.st), stpf;
    if (brackt) {
        /* the closer of the two, but no further than 0.66 of the way to y */
        stpf = fabs(stpc - t.st) < fabs(stpq - t.st) ? stpc : stpq;
        double cap = t.st + 0.66 * (y->st - t.st);
        stpf = t.st > x->st ? fmin(cap, stpf) : fmax(cap, stpf);
    } else {
        stpf = fabs(stpc - t.st) > fabs(stpq - t.st) ? stpc : stpq;
        stpf = fmax(lo, fmin(hi, stpf));
    }
    return stpf;
}

/* dcstep: the next trial from the best point x, the other end y and the new trial t (the
 * paper's four cases), then the interval update; lo, hi bound the trial when not bracketed. */
static double mt_step(mt_pt *x, mt_pt *y, mt_pt t, int *brackt, double lo, double hi)
{
    double sgnd = t.d * (x->d / fabs(x->d)), stpf;
    if (t.f > x->f) {
        /* higher value: bracketed; the cubic step if closer to x than the quadratic one,
         * else their mean */
        double theta = 3.0 * (x->f - t.f) / (t.st - x->st) + x->d + t.d;
        double stpc = cubic_min(x->st, x->d, t.st, t.d, theta);
        double stpq = x->st + ((x->d / ((x->f - t.f) / (t.st - x->st) + x->d)) / 2.0) * (t.st - x->st);
        stpf = fabs(stpc - x->st) < fabs(stpq - x->st) ? stpc : stpc + (stpq - stpc) / 2.0;
        *brackt = 1;
    } else if (sgnd < 0.0) {
        /* lower value, slopes of opposite sign: bracketed; the farther of cubic and secant */
        double theta = 3.0 * (x->f - t.f) / (t.st - x->st) + x->d + t.d;
        double stpc = cubic_min(t.st, t.d, x->st, x->d, theta);
        double stpq = t.st + (t.d / (t.d - x->d)) * (x->st - t.st);
        stpf = fabs(stpc - t.st) > fabs(stpq - t.st) ? stpc : stpq;
        *brackt = 1;
    } else if (fabs(t.d) < fabs(x->d)) {
        stpf = step_decreasing_slope(x, y, t, *brackt, lo, hi);
    } else if (*brackt) {
        /* |φ'| not decreasing: the cubic through t and y */
        double theta = 3.0 * (t.f - y->f) / (y->st - t.st) + y->d + t.d;
        stpf = cubic_min(t.st, t.d, y->st, y->d, theta);
    } else {
        stpf = t.st > x->st ? hi : lo;
    }
    if (t.f > x->f) {
        *y = t;
    } else {
        if (sgnd < 0.0)
            *y = *x;
        *x = t;
    }
    return stpf;
}

void sb_mt_start(sb_mt_search *s, double f, double g, double stp)
{
    s->brackt = 0;
    s->stage = 1;
    s->finit = f;
    s->ginit = g;
    s->gtest = s->ftol * g;
    s->width = s->stpmax - s->stpmin;
    s->width1 = s->width / 0.5;
    s->stx = s->sty = 0.0;
    s->fx = s->fy = f;
    s->gx = s->gy = g;
    s->stmin = 0.0;
    s->stmax = stp + 4.0 * stp;
}

/* dcsrch's tests on the trial just evaluated: 1 = stop there. */
static int mt_accepts(const sb_mt_search *s, double f, double g, double stp, double ftest)
{
    if (s->brackt && (stp <= s->stmin || stp >= s->stmax))
        return 1; /* rounding errors prevent progress */
    if (s->brackt && s->stmax - s->stmin <= s->xtol * s->stmax)
        return 1; /* interval below xtol */
    if (stp == s->stpmax && f <= ftest && g <= s->gtest)
        return 1;
    if (stp == s->stpmin && (f > ftest || g >= s->gtest))
        return 1;
    return f <= ftest && fabs(g) <= s->gtol * (-s->ginit); /* both Wolfe conditions */
}

int sb_mt_next(sb_mt_search *s, double f, double g, double *stp_io)
{
    double stp = *stp_io, ftest = s->finit + stp * s->gtest;
    if (s->stage == 1 && f <= ftest && g >= 0.0)
        s->stage = 2;
    if (mt_accepts(s, f, g, stp, ftest))
        return 1;
    mt_pt x = {s->stx, s->fx, s->gx}, y = {s->sty, s->fy, s->gy}, t = {stp, f, g};
    if (s->stage == 1 && f <= s->fx && f > ftest) {
        /* lower but not sufficiently lower: step on the modified function φ(a) − a·gtest */
        double gt = s->gtest;
        mt_pt xm = {x.st, x.f - x.st * gt, x.d - gt}, ym = {y.st, y.f - y.st * gt, y.d - gt};
        mt_pt tm = {stp, f - stp * gt, g - gt};
        stp = mt_step(&xm, &ym, tm, &s->brackt, s->stmin, s->stmax);
        x = (mt_pt){xm.st, xm.f + xm.st * gt, xm.d + gt};
        y = (mt_pt){ym.st, ym.f + ym.st * gt, ym.d + gt};
    } else {
        stp = mt_step(&x, &y, t, &s->brackt, s->stmin, s->stmax);
    }
    s->stx = x.st, s->fx = x.f, s->gx = x.d;
    s->sty = y.st, s->fy = y.f, s->gy = y.d;
    if (s->brackt) {
        /* bisect when the bracket did not shrink to 2/3 over the last two steps */
        if (fabs(s->sty - s->stx) >= 0.66 * s->width1)
            stp = s->stx + 0.5 * (s->sty - s->stx);
        s->width1 = s->width;
        s->width = fabs(s->sty - s->stx);
        s->stmin = fmin(s->stx, s->sty);
        s->stmax = fmax(s->stx, s->sty);
    } else {
        s->stmin = stp + 1.1 * (stp - s->stx);
        s->stmax = stp + 4.0 * (stp - s->stx);
    }
    stp = fmin(fmax(stp, s->stpmin), s->stpmax);
    if (s->brackt && (stp <= s->stmin || stp >= s->stmax || s->stmax - s->stmin <= s->xtol * s->stmax))
        stp = s->stx; /* no progress possible: back to the best step */
    *stp_io = stp;
    return 0;
}
