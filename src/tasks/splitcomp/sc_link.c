/* sc_link.c — the exact send-time integral: walk the segments from u, each of rate c passing
 * c × its remaining length, until the payload's bits are through. */
#include "tasks/splitcomp/sc_link.h"

#include <math.h>

/* Index of the segment holding local time x in [0, dur): the last i with t[i] <= x. */
static size_t segment_at(const sc_trace *tr, double x)
{
    size_t lo = 0, hi = tr->L; /* t[lo] <= x < t[hi] (t[L] = dur) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tr->t[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static double seg_end(const sc_trace *tr, size_t i) { return i + 1 < tr->L ? tr->t[i + 1] : tr->dur; }

double sc_tx_time(const sc_trace *tr, int end, double u, double bits)
{
    double base = 0; /* absolute time of the current pass's start */
    if (u >= tr->dur) {
        if (end == SC_END_HOLD)
            return bits / tr->bps[tr->L - 1];
        base = floor(u / tr->dur) * tr->dur;
        if (u - base >= tr->dur) /* rounding of the division */
            base += tr->dur;
        if (u < base)
            base -= tr->dur;
    }
    size_t i = segment_at(tr, u - base);
    double now = u, rem = bits;
    for (;;) {
        double c = tr->bps[i], stop = base + seg_end(tr, i);
        double len = stop > now ? stop - now : 0;
        if (c > 0 && c * len >= rem)
            return now + rem / c - u;
        rem -= c * len;
        now = stop;
        if (++i < tr->L)
            continue;
        if (end == SC_END_HOLD)
            return now + rem / tr->bps[tr->L - 1] - u;
        /* Whole passes at once, leaving a last, partial one to walk. */
        double k = floor(rem / tr->period_bits);
        if (k > 0 && k * tr->period_bits >= rem)
            k -= 1;
        base += (k + 1) * tr->dur;
        rem -= k * tr->period_bits;
        now = base;
        i = 0;
    }
}
