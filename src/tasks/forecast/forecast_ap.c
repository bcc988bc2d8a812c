/* forecast_ap.c — forecasting AP, ADE and FDE of one (category, profile, threshold) cell from
 * its sorted match records, and the per-(profile, category) table with the challenge's means.
 * The 101-point interpolation reproduces np.interp(recall_grid, recall, precision, right=0)
 * step by step, walking the records once instead of materialising the curves. */
#include "tasks/forecast/forecast_metrics.h"

#include <math.h>
#include <stdlib.h>

#define NUM_RECALL 101

/* 101-point interpolated precision at recall i/100 (np.interp(grid, recall, precision, right=0)),
 * averaged in numpy's pairwise order; flags of the records in sweep order, at least one TP. */
static double average_precision(const uint8_t *flags, size_t n, double dpos)
{
    /* j = number of records whose recall is <= x: np.interp's search index is j - 1 */
    double vals[NUM_RECALL];
    double ctp = 0.0, cfp = 0.0; /* cumulative counts over records [0, j) */
    size_t j = 0;
    for (int s = 0; s < NUM_RECALL; s++) {
        double x = s == NUM_RECALL - 1 ? 1.0 : (double)s * (1.0 / (NUM_RECALL - 1));
        while (j < n) {
            double tp = (flags[j] & SB_FC_SWEEP_TP) ? 1.0 : 0.0, ntp = ctp + tp;
            if (ntp / dpos > x) break;
            ctp = ntp;
            cfp += 1.0 - tp;
            j++;
        }
        if (j == 0) { /* left of the first recall: np.interp's default left = precision[0] */
            double t0 = (flags[0] & SB_FC_SWEEP_TP) ? 1.0 : 0.0, f0 = 1.0 - t0;
            vals[s] = t0 / (f0 + t0);
            continue;
        }
        double rj = ctp / dpos, pj = ctp / (cfp + ctp);
        if (j == n) {
            vals[s] = x > rj ? 0.0 : pj;
        } else if (rj == x) {
            vals[s] = pj;
        } else {
            double tp = (flags[j] & SB_FC_SWEEP_TP) ? 1.0 : 0.0, ntp = ctp + tp, nfp = cfp + 1.0 - tp;
            double rn = ntp / dpos, pn = ntp / (nfp + ntp);
            double slope = (pn - pj) / (rn - rj);
            vals[s] = slope * (x - rj) + pj;
        }
    }
    return sb_fc_np_sum(vals, NUM_RECALL) / NUM_RECALL;
}

int sb_fc_sweep(const sb_fc_record *rec, size_t n, int64_t npos, sb_fc_cell_result *out,
                sb_err *err)
{
    *out = (sb_fc_cell_result){NAN, NAN, NAN, npos, (int64_t)n, 0, 0};
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && sb_fc_record_cmp(&rec[i - 1], &rec[i]) >= 0)
            return sb_fail(err, SB_EINPUT,
                           "forecast sweep: record %zu (score %.17g, index %lld) is not after "
                           "record %zu in (score desc, index desc) order",
                           i, rec[i].score, (long long)rec[i].index, i - 1);
        m += rec[i].matched != 0;
    }
    uint8_t *flags = sb_malloc(n ? n : 1, "forecast sweep flags", err);
    double *ef = sb_malloc(2 * (m ? m : 1) * sizeof *ef, "forecast ADE/FDE list", err);
    int rc = flags && ef ? 0 : SB_ENOMEM;
    for (size_t i = 0, k = 0; i < n && !rc; i++) {
        flags[i] = (uint8_t)((rec[i].matched ? SB_FC_SWEEP_MATCHED : 0) | (rec[i].tp ? SB_FC_SWEEP_TP : 0));
        if (rec[i].matched) {
            ef[k] = rec[i].ade;
            ef[m + k++] = rec[i].fde;
        }
    }
    if (!rc) rc = sb_fc_sweep_flags(flags, n, ef, ef + m, npos, out, err);
    free(flags);
    free(ef);
    return rc;
}

int sb_fc_sweep_flags(const uint8_t *flags, size_t n, const double *ade, const double *fde,
                      int64_t npos, sb_fc_cell_result *out, sb_err *err)
{
    *out = (sb_fc_cell_result){NAN, NAN, NAN, npos, (int64_t)n, 0, 0};
    if (npos < 0) return sb_fail(err, SB_EINPUT, "forecast sweep: npos %lld < 0", (long long)npos);
    for (size_t i = 0; i < n; i++) {
        int tp = (flags[i] & SB_FC_SWEEP_TP) != 0, matched = (flags[i] & SB_FC_SWEEP_MATCHED) != 0;
        out->n_tp += tp;
        out->n_matched += matched;
        if (tp && !matched)
            return sb_fail(err, SB_EINPUT, "forecast sweep: record %zu is a TP but unmatched", i);
    }
    if (npos == 0) return 0;
    if (out->n_tp == 0) {
        out->ap = 0.0;
        out->ade = out->fde = SB_FC_MAX_DISPLACEMENT;
        return 0;
    }
    out->ap = average_precision(flags, n, (double)npos);
    /* ADE/FDE: np.mean over the matched records in sweep order, then capped */
    size_t m = (size_t)out->n_matched;
    double a = sb_fc_np_sum(ade, m) / (double)m, f = sb_fc_np_sum(fde, m) / (double)m;
    out->ade = SB_FC_MAX_DISPLACEMENT < a ? SB_FC_MAX_DISPLACEMENT : a;
    out->fde = SB_FC_MAX_DISPLACEMENT < f ? SB_FC_MAX_DISPLACEMENT : f;
    return 0;
}

/* np.nanmean of n values spaced by stride: NaN -> 0, pairwise sum, divided by the count. */
static double nanmean(const double *a, size_t n, size_t stride)
{
    double v[SB_FC_NPROF * SB_FC_NCAT];
    size_t cnt = 0;
    for (size_t i = 0; i < n; i++) {
        double x = a[i * stride];
        v[i] = isnan(x) ? 0.0 : x;
        cnt += !isnan(x);
    }
    return cnt ? sb_fc_np_sum(v, n) / (double)cnt : NAN;
}

void sb_fc_aggregate(const sb_fc_cell_result cell[SB_FC_NCELL],
                     const int64_t n_gt[SB_FC_NPROF][SB_FC_NCAT],
                     const int64_t n_pred[SB_FC_NPROF][SB_FC_NCAT], sb_fc_table *t)
{
    for (int p = 0; p < SB_FC_NPROF; p++)
        for (int c = 0; c < SB_FC_NCAT; c++) {
            double ap[SB_FC_NTH];
            for (int h = 0; h < SB_FC_NTH; h++) ap[h] = cell[sb_fc_cell(c, p, h)].ap;
            const sb_fc_cell_result *c2 = &cell[sb_fc_cell(c, p, SB_FC_TH_ADE)];
            t->map_f[p][c] = sb_fc_np_round3(sb_fc_np_sum(ap, SB_FC_NTH) / SB_FC_NTH);
            t->ade[p][c] = sb_fc_np_round3(sb_fc_np_sum(&c2->ade, 1));
            t->fde[p][c] = sb_fc_np_round3(sb_fc_np_sum(&c2->fde, 1));
            t->n_gt[p][c] = n_gt[p][c];
            t->n_pred[p][c] = n_pred[p][c];
        }
    const size_t all = SB_FC_NPROF * SB_FC_NCAT;
    t->mean_map_f = nanmean(&t->map_f[0][0], all, 1);
    t->mean_ade = nanmean(&t->ade[0][0], all, 1);
    t->mean_fde = nanmean(&t->fde[0][0], all, 1);
    for (int p = 0; p < SB_FC_NPROF; p++) {
        t->profile_map_f[p] = nanmean(t->map_f[p], SB_FC_NCAT, 1);
        t->profile_ade[p] = nanmean(t->ade[p], SB_FC_NCAT, 1);
        t->profile_fde[p] = nanmean(t->fde[p], SB_FC_NCAT, 1);
    }
    for (int c = 0; c < SB_FC_NCAT; c++) {
        t->category_map_f[c] = nanmean(&t->map_f[0][c], SB_FC_NPROF, SB_FC_NCAT);
        t->category_ade[c] = nanmean(&t->ade[0][c], SB_FC_NPROF, SB_FC_NCAT);
        t->category_fde[c] = nanmean(&t->fde[0][c], SB_FC_NPROF, SB_FC_NCAT);
    }
}

int sb_fc_summarize(const sb_fc_recset *sorted, sb_fc_cell_result cells[SB_FC_NCELL],
                    sb_fc_table *t, sb_err *err)
{
    sb_fc_cell_result *res = sb_malloc(SB_FC_NCELL * sizeof *res, "forecast cells", err);
    if (!res) return SB_ENOMEM;
    for (int c = 0; c < SB_FC_NCAT; c++)
        for (int p = 0; p < SB_FC_NPROF; p++)
            for (int h = 0; h < SB_FC_NTH; h++) {
                int i = sb_fc_cell(c, p, h);
                int rc = sb_fc_sweep(sorted->cell[i].rec, sorted->cell[i].n, sorted->n_gt[p][c],
                                     &res[i], err);
                if (rc) {
                    free(res);
                    sb_wrap(err, "cell %s/%s/%g m", sb_fc_category_names[c],
                            sb_fc_profile_names[p], sb_fc_thresholds[h]);
                    return rc;
                }
            }
    sb_fc_aggregate(res, sorted->n_gt, sorted->n_pred, t);
    if (cells)
        for (int i = 0; i < SB_FC_NCELL; i++) cells[i] = res[i];
    free(res);
    return 0;
}
