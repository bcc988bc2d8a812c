/* numpy_sum.c — see numpy_sum.h (the order of numpy's pairwise_sum in loops_utils.h.src). */
#include "numerics/numpy_sum.h"

#define NP_BUFSIZE 8192 /* numpy's default ufunc buffer, the block of a reduction */
#define NP_PW_BLOCK 128

static inline double term(const double *a, size_t i, int square)
{
    return square ? a[i] * a[i] : a[i];
}

static double pairwise(const double *a, size_t n, int square)
{
    if (n < 8) {
        double res = 0.0;
        for (size_t i = 0; i < n; i++)
            res += term(a, i, square);
        return res;
    }
    if (n <= NP_PW_BLOCK) {
        double r[8];
        for (size_t j = 0; j < 8; j++)
            r[j] = term(a, j, square);
        size_t i = 8;
        for (; i < n - n % 8; i += 8)
            for (size_t j = 0; j < 8; j++)
                r[j] += term(a, i + j, square);
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += term(a, i, square);
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise(a, n2, square) + pairwise(a + n2, n - n2, square);
}

static double blocked(const double *a, size_t n, int square)
{
    double acc = 0.0;
    for (size_t i = 0; i < n; i += NP_BUFSIZE)
        acc += pairwise(a + i, n - i < NP_BUFSIZE ? n - i : NP_BUFSIZE, square);
    return acc;
}

double sb_numpy_sum(const double *a, size_t n)
{
    return blocked(a, n, 0);
}

double sb_numpy_sumsq(const double *a, size_t n)
{
    return blocked(a, n, 1);
}
