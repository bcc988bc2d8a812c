/* pose_metrics.c — the per-sequence pose metrics of pose_metrics.h in one pass over frames.
 *
 * Every metric is accumulated frame by frame from the same (optionally root-relative) frame,
 * so a sequence is read once; scratch is allocated once per sequence. */
#include "tasks/pose/pose_metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fixed_names[SB_POSE_NFIXED] = {
    "mpjpe", "p_mpjpe", "n_mpjpe", "mpjve", "pck", "auc", "min_mpjpe", "weighted_mpjpe",
    "mpjpe_of_best_weight", "jbest_mpjpe", "bone_std", "bone_err", "symmetry_err",
    "sagittal_symmetry",
};

#define AUC_STEPS 31 /* thresholds 0, 5, ..., 150 mm */

void sb_pose_opts_defaults(sb_pose_opts *o)
{
    o->pck_threshold = 150.0;
    o->clip = 0;
    o->root_relative = 0;
}

size_t sb_pose_ncolumns(const sb_pose_skeleton *sk)
{
    return SB_POSE_NFIXED + 2 * (sk ? sk->n_parts : 0);
}

const char *sb_pose_column_name(const sb_pose_skeleton *sk, size_t i, char *buf, size_t cap)
{
    int n;
    if (!buf || cap == 0 || i >= sb_pose_ncolumns(sk))
        return NULL;
    if (i < SB_POSE_NFIXED) {
        n = snprintf(buf, cap, "%s", fixed_names[i]);
    } else {
        const sb_pose_part *pt = &sk->parts[(i - SB_POSE_NFIXED) / 2];
        int aligned = (int)((i - SB_POSE_NFIXED) % 2);
        n = snprintf(buf, cap, "part_mpjpe_%.*s%s", (int)sizeof pt->name, pt->name,
                     aligned ? "_aligned" : "");
    }
    return (n < 0 || (size_t)n >= cap) ? NULL : buf;
}

static inline double dist3(const double *a, const double *b)
{
    double x = a[0] - b[0], y = a[1] - b[1], z = a[2] - b[2];
    return sqrt(x * x + y * y + z * z);
}

double sb_pose_mpjpe(const double *gt, const double *pred, size_t frames, size_t joints)
{
    size_t n = frames * joints;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += dist3(pred + 3 * i, gt + 3 * i);
    return n ? sum / (double)n : NAN;
}

/* ---- validation ------------------------------------------------------------------------ */

static int check_skeleton(const sb_pose_skeleton *sk, sb_err *err)
{
    size_t J = sk->joints;
    if (J == 0 || J > (size_t)1 << 30)
        return sb_fail(err, SB_EINPUT, "pose skeleton: %zu joints", J);
    if (!sk->parents)
        return sb_fail(err, SB_EINPUT, "pose skeleton: no parents array");
    for (size_t j = 0; j < J; j++) {
        int p = sk->parents[j];
        if (p < -1 || p >= (int)J || p == (int)j)
            return sb_fail(err, SB_EINPUT, "pose skeleton: parents[%zu] = %d is not -1 or another joint in 0..%zu",
                           j, p, J - 1);
    }
    if (sk->n_lr && !sk->lr)
        return sb_fail(err, SB_EINPUT, "pose skeleton: %zu left/right pairs but no array", sk->n_lr);
    for (size_t i = 0; i < 2 * sk->n_lr; i++) {
        int j = sk->lr[i];
        if (j < 0 || j >= (int)J)
            return sb_fail(err, SB_EINPUT, "pose skeleton: left/right pair %zu (%s) joint %d is not in 0..%zu",
                           i / 2, i % 2 ? "right" : "left", j, J - 1);
        if (sk->parents[j] < 0)
            return sb_fail(err, SB_EINPUT, "pose skeleton: left/right pair %zu (%s) joint %d is a root: it has no bone",
                           i / 2, i % 2 ? "right" : "left", j);
    }
    if (sk->n_parts && !sk->parts)
        return sb_fail(err, SB_EINPUT, "pose skeleton: %zu parts but no array", sk->n_parts);
    for (size_t i = 0; i < sk->n_parts; i++) {
        const sb_pose_part *pt = &sk->parts[i];
        size_t len = strnlen(pt->name, sizeof pt->name);
        if (len == 0 || len == sizeof pt->name)
            return sb_fail(err, SB_EINPUT, "pose skeleton: part %zu has an empty or unterminated name", i);
        for (size_t c = 0; c < len; c++) {
            char ch = pt->name[c];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '_' || ch == '-'))
                return sb_fail(err, SB_EINPUT, "pose skeleton: part %zu name '%s' has a character outside [A-Za-z0-9_-]",
                               i, pt->name);
        }
        if (pt->first < 0 || pt->last < pt->first || pt->last >= (int)J)
            return sb_fail(err, SB_EINPUT, "pose skeleton: part '%s' joints %d..%d are not a range in 0..%zu",
                           pt->name, pt->first, pt->last, J - 1);
    }
    return 0;
}

static int check_seq(const sb_pose_seq *seq, const sb_pose_skeleton *sk, const sb_pose_opts *opt, sb_err *err)
{
    if (seq->joints != sk->joints)
        return sb_fail(err, SB_EINPUT, "pose sequence has %zu joints but the skeleton has %zu", seq->joints,
                       sk->joints);
    if (seq->frames == 0)
        return sb_fail(err, SB_EINPUT, "pose sequence has no frames");
    if (!seq->gt)
        return sb_fail(err, SB_EINPUT, "pose sequence has no ground truth");
    if (seq->hyp && seq->hyps == 0)
        return sb_fail(err, SB_EINPUT, "pose sequence has a hypothesis array with 0 hypotheses");
    if (seq->weights && !seq->hyp)
        return sb_fail(err, SB_EINPUT, "pose sequence has hypothesis weights but no hypotheses");
    if (!(opt->pck_threshold >= 0.0) || isinf(opt->pck_threshold))
        return sb_fail(err, SB_EUSAGE, "pose pck threshold %g is not a finite value >= 0", opt->pck_threshold);
    if (opt->clip == 1)
        return sb_fail(err, SB_EUSAGE, "pose clip 1: a clip needs at least 2 frames for a standard deviation");
    if (seq->weights) {
        size_t M = seq->hyps;
        for (size_t f = 0; f < seq->frames; f++) {
            const double *w = seq->weights + f * M;
            double s = 0.0;
            for (size_t m = 0; m < M; m++) {
                if (!(w[m] >= 0.0) || isinf(w[m]))
                    return sb_fail(err, SB_EINPUT, "pose weights[%zu][%zu] = %g is not a finite value >= 0", f, m,
                                   w[m]);
                s += w[m];
            }
            if (fabs(s - 1.0) > 1e-6)
                return sb_fail(err, SB_EINPUT, "pose weights row %zu sums to %.17g, not 1 (within 1e-6)", f, s);
        }
    }
    return 0;
}

/* Called only when a sum came out non-finite: names the first bad input value. */
static int find_nonfinite(const sb_pose_seq *seq, sb_err *err)
{
    const char *names[3] = {"gt", "pred", "hyp"};
    const double *arrs[3] = {seq->gt, seq->pred, seq->hyp};
    size_t per[3] = {1, 1, seq->hyps};
    for (int a = 0; a < 3; a++) {
        if (!arrs[a])
            continue;
        size_t n = seq->frames * per[a] * seq->joints * 3;
        for (size_t i = 0; i < n; i++)
            if (!isfinite(arrs[a][i])) {
                size_t c = i % 3, j = (i / 3) % seq->joints, rest = i / 3 / seq->joints;
                if (a == 2)
                    return sb_fail(err, SB_EINPUT, "pose %s[%zu][%zu][%zu][%zu] is %g", names[a], rest / per[a],
                                   rest % per[a], j, c, arrs[a][i]);
                return sb_fail(err, SB_EINPUT, "pose %s[%zu][%zu][%zu] is %g", names[a], rest, j, c, arrs[a][i]);
            }
    }
    return 0;
}

/* ---- one sequence ---------------------------------------------------------------------- */

static inline unsigned auc_hits(double e)
{
    /* how many of 0, 5, ..., 150 are strictly above e (5k is exact, so the fix-up is exact) */
    if (!(e < 150.0))
        return 0;
    int k = (int)floor(e / 5.0) + 1;
    if (5.0 * (k - 1) > e)
        k--;
    else if (5.0 * k <= e)
        k++;
    return (unsigned)(AUC_STEPS - k);
}

static void copy_root_relative(double *dst, const double *src, size_t joints)
{
    double r0 = src[0], r1 = src[1], r2 = src[2];
    for (size_t j = 0; j < joints; j++) {
        dst[3 * j] = src[3 * j] - r0;
        dst[3 * j + 1] = src[3 * j + 1] - r1;
        dst[3 * j + 2] = src[3 * j + 2] - r2;
    }
}

typedef struct welford { double n, mean, m2; } welford;

int sb_pose_eval_sequence(const sb_pose_seq *seq, const sb_pose_skeleton *sk, const sb_pose_opts *opt,
                          double *values, double *pool, sb_err *err)
{
    if (!seq || !sk || !opt || !values || !pool)
        return sb_fail(err, SB_EINPUT, "pose evaluation: a required argument is NULL");
    int rc = check_skeleton(sk, err);
    if (!rc)
        rc = check_seq(seq, sk, opt, err);
    if (rc)
        return rc;

    const size_t F = seq->frames, J = sk->joints, M = seq->hyp ? seq->hyps : 0, J3 = 3 * J;
    const size_t ncol = sb_pose_ncolumns(sk), np = sk->n_parts;
    const int rr = opt->root_relative != 0;
    const double thr = opt->pck_threshold;
    const size_t clip = opt->clip ? opt->clip : F;

    size_t nb = 0;
    for (size_t j = 0; j < J; j++)
        nb += sk->parents[j] >= 0;

    /* scratch: 2 gt + 2 pred frames (root-relative, double-buffered for velocity), one frame
     * of hypotheses, per-joint diffs / best errors / bone lengths, part sums, bone stats */
    size_t nd = 4 * J3 + M * J3 + J3 + 4 * J + 2 * np;
    double *scratch = sb_calloc(nd, sizeof(double), "pose evaluation scratch", err);
    welford *bw = sb_calloc(J, sizeof(welford), "pose bone statistics", err);
    if (!scratch || !bw) {
        free(scratch);
        free(bw);
        return err ? err->code : SB_ENOMEM;
    }
    double *gb[2] = {scratch, scratch + J3}, *pb[2] = {scratch + 2 * J3, scratch + 3 * J3};
    double *hb = scratch + 4 * J3, *dv = hb + M * J3, *jmin = dv + J3, *lp = jmin + J, *lg = lp + J;
    double *ej = lg + J, *part_sum = ej + J, *part_al = part_sum + np;

    double s_mpjpe = 0, p_mean = 0, s_n = 0, s_v = 0, s_berr = 0, s_sym = 0, s_sag = 0;
    double s_min = 0, s_wt = 0, s_best = 0, s_jbest = 0, s_bstd = 0, n_clips = 0;
    unsigned long long pck = 0, auc = 0;
    const double *gprev = NULL, *pprev = NULL;

    for (size_t f = 0; f < F; f++) {
        const double *g = seq->gt + f * J3;
        if (rr) {
            copy_root_relative(gb[f & 1], g, J);
            g = gb[f & 1];
        }
        if (seq->pred) {
            const double *p = seq->pred + f * J3;
            if (rr) {
                copy_root_relative(pb[f & 1], p, J);
                p = pb[f & 1];
            }
            double gp = 0, pp = 0, fs = 0;
            for (size_t j = 0; j < J; j++) {
                const double *gj = g + 3 * j, *pj = p + 3 * j;
                double x = pj[0] - gj[0], y = pj[1] - gj[1], z = pj[2] - gj[2];
                double e = sqrt(x * x + y * y + z * z);
                dv[3 * j] = x;
                dv[3 * j + 1] = y;
                dv[3 * j + 2] = z;
                fs += e;
                pck += e < thr;
                auc += auc_hits(e);
                gp += gj[0] * pj[0] + gj[1] * pj[1] + gj[2] * pj[2];
                pp += pj[0] * pj[0] + pj[1] * pj[1] + pj[2] * pj[2];
                ej[j] = e;
            }
            s_mpjpe += fs;
            double sc = pp != 0.0 ? gp / pp : 0.0;
            for (size_t j = 0; j < J; j++) {
                const double *gj = g + 3 * j, *pj = p + 3 * j;
                double x = sc * pj[0] - gj[0], y = sc * pj[1] - gj[1], z = sc * pj[2] - gj[2];
                s_n += sqrt(x * x + y * y + z * z);
            }
            if (pprev) {
                for (size_t j = 0; j < J3; j += 3) {
                    double x = (p[j] - pprev[j]) - (g[j] - gprev[j]);
                    double y = (p[j + 1] - pprev[j + 1]) - (g[j + 1] - gprev[j + 1]);
                    double z = (p[j + 2] - pprev[j + 2]) - (g[j + 2] - gprev[j + 2]);
                    s_v += sqrt(x * x + y * y + z * z);
                }
            }
            for (size_t i = 0; i < np; i++) {
                const sb_pose_part *pt = &sk->parts[i];
                const double *d0 = dv + 3 * pt->first;
                for (int j = pt->first; j <= pt->last; j++) {
                    const double *dj = dv + 3 * j;
                    part_sum[i] += ej[j];
                    double x = dj[0] - d0[0], y = dj[1] - d0[1], z = dj[2] - d0[2];
                    part_al[i] += sqrt(x * x + y * y + z * z);
                }
            }
            /* bones: lengths by child joint; clip statistics by Welford (one pass, stable) */
            if (nb) {
                size_t pos = f % clip;
                if (pos == 0)
                    memset(bw, 0, J * sizeof *bw);
                for (size_t j = 0; j < J; j++) {
                    int par = sk->parents[j];
                    if (par < 0)
                        continue;
                    lp[j] = dist3(p + 3 * j, p + 3 * par);
                    lg[j] = dist3(g + 3 * j, g + 3 * par);
                    s_berr += fabs(lp[j] - lg[j]);
                    welford *w = &bw[j];
                    w->n += 1.0;
                    double delta = lp[j] - w->mean;
                    w->mean += delta / w->n;
                    w->m2 += delta * (lp[j] - w->mean);
                }
                if ((pos == clip - 1 || f == F - 1) && pos >= 1) {
                    double cs = 0.0;
                    for (size_t j = 0; j < J; j++)
                        if (sk->parents[j] >= 0)
                            cs += sqrt(bw[j].m2 / (bw[j].n - 1.0));
                    s_bstd += cs / (double)nb;
                    n_clips += 1.0;
                }
                for (size_t i = 0; i < sk->n_lr; i++) {
                    double dl = lp[sk->lr[2 * i]] - lp[sk->lr[2 * i + 1]];
                    s_sym += fabs(dl);
                    s_sag += dl * dl;
                }
            }
            pprev = p;
        }
        gprev = g;
        if (M) {
            const double *h = seq->hyp + f * M * J3;
            if (rr) {
                for (size_t m = 0; m < M; m++)
                    copy_root_relative(hb + m * J3, h + m * J3, J);
                h = hb;
            }
            const double *w = seq->weights ? seq->weights + f * M : NULL;
            double fmin = INFINITY;
            for (size_t m = 0; m < M; m++) {
                const double *hm = h + m * J3;
                double fs = 0.0;
                for (size_t j = 0; j < J; j++) {
                    double e = dist3(hm + 3 * j, g + 3 * j);
                    fs += e;
                    if (m == 0 || e < jmin[j])
                        jmin[j] = e;
                }
                fs /= (double)J;
                if (m == 0 || fs < fmin)
                    fmin = fs;
                if (w)
                    s_wt += w[m] * fs;
            }
            s_min += fmin;
            for (size_t j = 0; j < J; j++)
                s_jbest += jmin[j];
            if (w) { /* mpjpe of the first hypothesis with the largest weight */
                size_t mb = 0;
                for (size_t m = 1; m < M; m++)
                    if (w[m] > w[mb])
                        mb = m;
                double fs = 0.0;
                for (size_t j = 0; j < J; j++)
                    fs += dist3(h + mb * J3 + 3 * j, g + 3 * j);
                s_best += fs / (double)J;
            }
        }
    }

    /* p_mpjpe is translation invariant, so it runs on the raw frames (root-relative or not)
     * in its own blocked pass; see procrustes.c */
    if (seq->pred)
        p_mean = sb_pose_p_mpjpe(seq->gt, seq->pred, F, J);

    /* a non-finite sum means a non-finite input (or an overflow) */
    double all = s_mpjpe + p_mean + s_n + s_v + s_berr + s_sym + s_sag + s_min + s_wt + s_best + s_jbest + s_bstd;
    for (size_t i = 0; i < np; i++)
        all += part_sum[i] + part_al[i];
    if (!isfinite(all) || (!seq->pred && !M)) {
        rc = find_nonfinite(seq, err);
        if (!rc && !isfinite(all))
            rc = sb_fail(err, SB_ENUMERIC, "pose evaluation: a metric overflowed (coordinates too large)");
        if (rc) {
            free(scratch);
            free(bw);
            return rc;
        }
    }

    const double Fd = (double)F, FJ = (double)F * (double)J;
    for (size_t i = 0; i < ncol; i++) {
        values[i] = NAN;
        pool[i] = 0.0;
    }
#define SET(col, val, weight) do { values[col] = (val); pool[col] = (weight); } while (0)
    if (seq->pred) {
        SET(SB_POSE_MPJPE, s_mpjpe / FJ, Fd);
        SET(SB_POSE_P_MPJPE, p_mean, Fd);
        SET(SB_POSE_N_MPJPE, s_n / FJ, Fd);
        if (F >= 2)
            SET(SB_POSE_MPJVE, s_v / ((Fd - 1.0) * (double)J), Fd - 1.0);
        SET(SB_POSE_PCK, (double)pck / FJ, Fd);
        SET(SB_POSE_AUC, (double)auc / (FJ * AUC_STEPS), Fd);
        if (nb) {
            if (n_clips > 0)
                values[SB_POSE_BONE_STD] = s_bstd / n_clips; /* no pooled form: pool stays 0 */
            SET(SB_POSE_BONE_ERR, s_berr / (Fd * (double)nb), Fd);
            if (sk->n_lr) {
                SET(SB_POSE_SYMMETRY_ERR, s_sym / (Fd * (double)sk->n_lr), Fd);
                SET(SB_POSE_SAGITTAL_SYMMETRY, s_sag / (Fd * (double)sk->n_lr), Fd);
            }
        }
        for (size_t i = 0; i < np; i++) {
            double nj = (double)(sk->parts[i].last - sk->parts[i].first + 1);
            SET(SB_POSE_NFIXED + 2 * i, part_sum[i] / (Fd * nj), Fd);
            SET(SB_POSE_NFIXED + 2 * i + 1, part_al[i] / (Fd * nj), Fd);
        }
    }
    if (M) {
        SET(SB_POSE_MIN_MPJPE, s_min / Fd, Fd);
        SET(SB_POSE_JBEST_MPJPE, s_jbest / FJ, Fd);
        if (seq->weights) {
            SET(SB_POSE_WEIGHTED_MPJPE, s_wt / Fd, Fd);
            SET(SB_POSE_MPJPE_OF_BEST_WEIGHT, s_best / Fd, Fd);
        }
    }
#undef SET
    free(scratch);
    free(bw);
    return 0;
}
