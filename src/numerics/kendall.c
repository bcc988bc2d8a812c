#include "numerics/kendall.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct xy_item {
    double x, y;
} xy_item;

static int cmp_xy(const void *a, const void *b)
{
    const xy_item *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return 0;
}

/* Sorts v[0..n) ascending with work space tmp and returns the number of pairs i < j with
 * v[i] > v[j] strictly (equal values are taken from the left run first, so they never count). */
static int64_t count_inversions(double *v, double *tmp, size_t n)
{
    int64_t inv = 0;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                if (v[i] <= v[j]) {
                    tmp[k++] = v[i++];
                } else {
                    inv += (int64_t)(mid - i);
                    tmp[k++] = v[j++];
                }
            }
            while (i < mid)
                tmp[k++] = v[i++];
            while (j < hi)
                tmp[k++] = v[j++];
        }
        memcpy(v, tmp, n * sizeof *v);
    }
    return inv;
}

static int64_t tied_pairs(int64_t run) { return run * (run - 1) / 2; }

int sb_kendall_count(const double *x, const double *y, size_t n, sb_kendall_counts *counts,
                     sb_err *err)
{
    memset(counts, 0, sizeof *counts);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return sb_fail(err, SB_EINPUT, "kendall tau: x[%zu] is not finite (%g)", i, x[i]);
        if (!isfinite(y[i]))
            return sb_fail(err, SB_EINPUT, "kendall tau: y[%zu] is not finite (%g)", i, y[i]);
    }
    counts->pairs = (int64_t)n * ((int64_t)n - 1) / 2;
    if (n < 2)
        return 0;
    xy_item *items = sb_malloc(n * sizeof *items, "kendall tau pairs", err);
    double *ys = sb_malloc(2 * n * sizeof *ys, "kendall tau work", err);
    if (!items || !ys) {
        free(items);
        free(ys);
        return SB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        items[i].x = x[i];
        items[i].y = y[i];
    }
    qsort(items, n, sizeof *items, cmp_xy);

    /* Runs of equal x, and of equal (x, y), in the (x, y)-sorted order. */
    size_t first_x = 0, first_xy = 0;
    for (size_t i = 1; i <= n; i++) {
        int new_x = i == n || items[i].x != items[first_x].x;
        int new_xy = new_x || items[i].y != items[first_xy].y;
        if (new_xy) {
            counts->tie_xy += tied_pairs((int64_t)(i - first_xy));
            first_xy = i;
        }
        if (new_x) {
            counts->tie_x += tied_pairs((int64_t)(i - first_x));
            first_x = i;
        }
    }
    /* Within a run of equal x the y are ascending, so the strict inversions of the y sequence
     * are exactly the pairs with x_i < x_j and y_i > y_j. */
    for (size_t i = 0; i < n; i++)
        ys[i] = items[i].y;
    counts->discordant = count_inversions(ys, ys + n, n);
    /* ys is now sorted: runs of equal y. */
    size_t first_y = 0;
    for (size_t i = 1; i <= n; i++) {
        if (i == n || ys[i] != ys[first_y]) {
            counts->tie_y += tied_pairs((int64_t)(i - first_y));
            first_y = i;
        }
    }
    free(items);
    free(ys);
    return 0;
}

int sb_kendall_tau(const double *x, const double *y, size_t n, double *tau, const char **reason,
                   sb_err *err)
{
    sb_kendall_counts c;
    *tau = NAN;
    if (reason)
        *reason = NULL;
    int rc = sb_kendall_count(x, y, n, &c, err);
    if (rc)
        return rc;
    if (n < 2) {
        if (reason)
            *reason = "fewer than 2 models";
        return 0;
    }
    if (c.tie_x == c.pairs || c.tie_y == c.pairs) {
        if (reason)
            *reason = c.tie_x == c.pairs ? "x is constant" : "y is constant";
        return 0;
    }
    int64_t con_minus_dis = c.pairs - c.tie_x - c.tie_y + c.tie_xy - 2 * c.discordant;
    double t = (double)con_minus_dis / sqrt((double)(c.pairs - c.tie_x)) /
               sqrt((double)(c.pairs - c.tie_y));
    *tau = t > 1.0 ? 1.0 : (t < -1.0 ? -1.0 : t);
    return 0;
}
