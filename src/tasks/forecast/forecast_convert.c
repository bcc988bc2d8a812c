/* forecast_convert.c — per-frame tracks to forecasting ground truth: each box gets the
 * positions of its track in the next six frames of its log, up to the first frame where the
 * track is missing. Boxes are sorted once by (log, timestamp, track) so that a track's box in
 * a later frame is a binary search away; nothing is hashed or allocated per box. */
#include "tasks/forecast/forecast_convert.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/forecast/forecast_metrics.h"

typedef struct {
    int64_t ts, track;
    int32_t log;
    size_t row;
    size_t frame; /* index of its frame among all (log, timestamp) groups */
} box;

static int by_frame_track(const void *a, const void *b)
{
    const box *x = a, *y = b;
    if (x->log != y->log) return x->log < y->log ? -1 : 1;
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    if (x->track != y->track) return x->track < y->track ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static int by_frame_row(const void *a, const void *b)
{
    const box *x = a, *y = b;
    if (x->log != y->log) return x->log < y->log ? -1 : 1;
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

void sb_fc_gt_rows_free(sb_fc_gt_rows *g)
{
    free(g->log);
    free(g->timestamp);
    free(g->category);
    free(g->current_xy);
    free(g->future_xy);
    free(g->ego_xy);
    free(g->len);
    memset(g, 0, sizeof *g);
}

static const char *log_name(const sb_fc_tracks *in, int32_t log, char *buf, size_t n)
{
    if (in->log_names && log >= 0 && (size_t)log < in->n_log_names) return in->log_names[log];
    snprintf(buf, n, "#%d", (int)log);
    return buf;
}

static const char *track_name(const sb_fc_tracks *in, int64_t t, char *buf, size_t n)
{
    if (in->track_names && t >= 0 && (uint64_t)t < in->n_track_names) return in->track_names[t];
    snprintf(buf, n, "#%lld", (long long)t);
    return buf;
}

/* Position in sorted[lo, hi) of the box of `track`, or (size_t)-1. */
static size_t find_track(const box *sorted, size_t lo, size_t end, int64_t track)
{
    size_t hi = end;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid].track < track)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < end && sorted[lo].track == track ? lo : (size_t)-1;
}

int sb_fc_convert(const sb_fc_tracks *in, sb_fc_gt_rows *out, sb_err *err)
{
    memset(out, 0, sizeof *out);
    size_t n = in->n;
    char b1[32], b2[32];
    for (size_t i = 0; i < n; i++) {
        if (in->category[i] < 0 || in->category[i] >= SB_FC_NCAT)
            return sb_fail(err, SB_EINPUT, "tracks/category: row %zu has %d, not in 0..25", i,
                           (int)in->category[i]);
        if (!isfinite(in->x[i]) || !isfinite(in->y[i]) || !isfinite(in->ego_x[i]) ||
            !isfinite(in->ego_y[i]))
            return sb_fail(err, SB_EINPUT, "tracks: row %zu (log %s) has a non-finite x, y, "
                           "ego_x or ego_y", i, log_name(in, in->log[i], b1, sizeof b1));
    }
    box *s = sb_malloc((n ? n : 1) * sizeof *s, "tracks sort", err);
    size_t *start = sb_malloc((n + 1) * sizeof *start, "tracks frames", err);
    size_t *pos = sb_malloc((n ? n : 1) * sizeof *pos, "tracks index", err);
    box *o = sb_malloc((n ? n : 1) * sizeof *o, "tracks order", err);
    int rc = SB_ENOMEM;
    if (!s || !start || !pos || !o) goto done;
    for (size_t i = 0; i < n; i++)
        s[i] = (box){in->timestamp[i], in->track[i], in->log[i], i, 0};
    qsort(s, n, sizeof *s, by_frame_track);
    size_t nf = 0;
    for (size_t i = 0; i < n; i++) {
        int same_frame = i > 0 && s[i].log == s[i - 1].log && s[i].ts == s[i - 1].ts;
        if (same_frame && s[i].track == s[i - 1].track) {
            rc = sb_fail(err, SB_EINPUT,
                         "tracks: log %s timestamp %lld: track %s appears twice (rows %zu and %zu)",
                         log_name(in, s[i].log, b1, sizeof b1), (long long)s[i].ts,
                         track_name(in, s[i].track, b2, sizeof b2), s[i - 1].row, s[i].row);
            goto done;
        }
        if (!same_frame) start[nf++] = i;
        s[i].frame = nf - 1;
        pos[s[i].row] = i;
    }
    start[nf] = n;

    size_t cap = n ? n : 1;
    out->log = sb_malloc(cap * sizeof *out->log, "gt rows", err);
    out->timestamp = sb_malloc(cap * sizeof *out->timestamp, "gt rows", err);
    out->category = sb_malloc(cap * sizeof *out->category, "gt rows", err);
    out->current_xy = sb_malloc(cap * 2 * sizeof(double), "gt rows", err);
    out->future_xy = sb_malloc(cap * 2 * SB_FC_T * sizeof(double), "gt rows", err);
    out->ego_xy = sb_malloc(cap * 2 * sizeof(double), "gt rows", err);
    out->len = sb_malloc(cap * sizeof *out->len, "gt rows", err);
    if (!out->log || !out->timestamp || !out->category || !out->current_xy || !out->future_xy ||
        !out->ego_xy || !out->len)
        goto done;

    memcpy(o, s, n * sizeof *o);
    qsort(o, n, sizeof *o, by_frame_row);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t row = o[i].row, f = s[pos[row]].frame;
        double *fut = out->future_xy + (size_t)2 * SB_FC_T * m;
        int len = 0;
        for (int d = 1; d <= SB_FC_T; d++) {
            size_t g = f + (size_t)d;
            if (g >= nf || s[start[g]].log != o[i].log) break;
            size_t k = find_track(s, start[g], start[g + 1], o[i].track);
            if (k == (size_t)-1) break;
            fut[2 * len] = in->x[s[k].row];
            fut[2 * len + 1] = in->y[s[k].row];
            len++;
        }
        if (len == 0) continue;
        for (int d = len; d < SB_FC_T; d++) fut[2 * d] = fut[2 * d + 1] = NAN;
        out->log[m] = o[i].log;
        out->timestamp[m] = o[i].ts;
        out->category[m] = in->category[row];
        out->current_xy[2 * m] = in->x[row];
        out->current_xy[2 * m + 1] = in->y[row];
        out->ego_xy[2 * m] = in->ego_x[row];
        out->ego_xy[2 * m + 1] = in->ego_y[row];
        out->len[m] = len;
        m++;
    }
    out->n = m;
    rc = 0;
done:
    free(s);
    free(start);
    free(pos);
    free(o);
    if (rc) sb_fc_gt_rows_free(out);
    return rc;
}
