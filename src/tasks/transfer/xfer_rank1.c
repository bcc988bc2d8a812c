/* xfer_rank1.c — eigenpairs of Λ + ρ zzᵀ and the change of basis they define (xfer_rank1.h).
 *
 * Deflation follows LAPACK's divide and conquer (dlaed8): a component with ρ|z_j| ≤ tol leaves
 * its pole an eigenpair; two poles closer than tol are rotated so one of them deflates;
 * tol = 8·ε·max(|λ|max, ρ). The rest is solved by dlaed9 (secular equation by dlaed4,
 * Gu–Eisenstat vectors, orthogonal to working precision). */
#include "tasks/transfer/xfer_rank1.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* LAPACK auxiliary (no LAPACKE wrapper): the K roots of the secular equation of
 * diag(dlamda) + rho·w·wᵀ (dlamda strictly increasing, ‖w‖ = 1, rho ≥ 0) into d, and the
 * eigenvectors of that matrix into the columns of s (column-major K×K). q is K×K workspace. */
extern void dlaed9_(const int *k, const int *kstart, const int *kstop, const int *n, double *d, double *q,
                    const int *ldq, const double *rho, double *dlamda, double *w, double *s, const int *lds,
                    int *info);

void sb_rank1_free(sb_rank1 *r)
{
    free(r->vals);
    free(r->src);
    free(r->keep);
    free(r->s);
    free(r->rot);
    memset(r, 0, sizeof *r);
}

/* Deflation of diag(dv) + rho·zzᵀ (‖z‖ = 1), dv and z updated in place by the rotations:
 * keep[] receives the undeflated indices (ascending), defl[j] = 1 for the deflated ones. */
static size_t deflate(double *dv, double *z, double rho, size_t d, size_t *keep, char *defl, sb_rank1 *r)
{
    double dmax = 0.0, zmax = 0.0;
    for (size_t j = 0; j < d; j++) {
        dmax = fmax(dmax, fabs(dv[j]));
        zmax = fmax(zmax, fabs(z[j]));
    }
    double tol = 8.0 * (DBL_EPSILON / 2.0) * fmax(dmax, rho);
    if (!(rho * zmax > tol)) {
        memset(defl, 1, d);
        return 0;
    }
    size_t k = 0, jl = d; /* jl: the last undeflated pole so far */
    for (size_t j = 0; j < d; j++) {
        if (rho * fabs(z[j]) <= tol) {
            defl[j] = 1;
            continue;
        }
        if (jl == d) {
            jl = j;
            continue;
        }
        double tau = hypot(z[j], z[jl]), c = z[j] / tau, s = -z[jl] / tau, t = dv[j] - dv[jl];
        if (fabs(t * c * s) <= tol) {
            /* Close poles: rotate so z[jl] = 0; jl's pair is then an exact eigenpair. */
            z[j] = tau;
            z[jl] = 0.0;
            r->rot[r->nrot++] = (sb_rank1_rot){jl, j, c, s};
            double djl = dv[jl] * c * c + dv[j] * s * s;
            dv[j] = dv[jl] * s * s + dv[j] * c * c;
            dv[jl] = djl;
            defl[jl] = 1;
        } else {
            keep[k++] = jl;
        }
        jl = j;
    }
    keep[k++] = jl;
    return k;
}

typedef struct { double val; size_t idx; } eig_slot;

static int slot_cmp(const void *pa, const void *pb)
{
    const eig_slot *a = pa, *b = pb;
    if (a->val != b->val)
        return a->val < b->val ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* The secular problem of the k undeflated poles (dlaed9), then every eigenvalue sorted with
 * its source into r->vals / r->src. Returns 1 if dlaed9 fails. */
static int secular(const double *dv, const double *z, double rho, const char *defl, sb_rank1 *r, sb_err *err)
{
    size_t d = r->d, k = r->k;
    double *dl = sb_malloc((k + 1) * sizeof *dl, "secular poles", err);
    double *wk = dl ? sb_malloc((k + 1) * sizeof *wk, "secular weights", err) : NULL;
    double *root = wk ? sb_malloc((k + 1) * sizeof *root, "secular roots", err) : NULL;
    double *q = root ? sb_malloc((k * k + 1) * sizeof *q, "secular workspace", err) : NULL;
    eig_slot *slot = q ? sb_malloc(d * sizeof *slot, "updated eigenvalue order", err) : NULL;
    int rc = slot ? 0 : SB_ENOMEM;
    if (!rc && k > 0) {
        /* Poles stay ascending: deflation only removed entries, rotations kept the order. */
        for (size_t i = 0; i < k; i++) {
            dl[i] = dv[r->keep[i]];
            wk[i] = z[r->keep[i]];
        }
        double wn = cblas_dnrm2((int)k, wk, 1);
        for (size_t i = 0; i < k; i++)
            wk[i] /= wn;
        double rho_k = rho * wn * wn;
        int ki = (int)k, one = 1, info = 0;
        dlaed9_(&ki, &one, &ki, &ki, root, q, &ki, &rho_k, dl, wk, r->s, &ki, &info);
        rc = info != 0;
    }
    if (!rc) {
        size_t m = 0;
        for (size_t j = 0; j < d; j++)
            if (defl[j])
                slot[m++] = (eig_slot){dv[j], j};
        for (size_t i = 0; i < k; i++)
            slot[m++] = (eig_slot){root[i], d + i};
        qsort(slot, d, sizeof *slot, slot_cmp);
        for (size_t j = 0; j < d; j++) {
            r->vals[j] = slot[j].val;
            r->src[j] = slot[j].idx;
        }
    }
    free(dl);
    free(wk);
    free(root);
    free(q);
    free(slot);
    return rc;
}

int sb_rank1_solve(const double *lam, const double *zin, double n, size_t d, sb_rank1 *r, sb_err *err)
{
    memset(r, 0, sizeof *r);
    r->d = d;
    double *dv = sb_malloc(d * sizeof *dv, "rank-one update poles", err);
    double *z = dv ? sb_malloc(d * sizeof *z, "rank-one update vector", err) : NULL;
    char *defl = z ? sb_calloc(d, 1, "rank-one deflation flags", err) : NULL;
    r->vals = defl ? sb_malloc(d * sizeof *r->vals, "updated eigenvalues", err) : NULL;
    r->src = r->vals ? sb_malloc(d * sizeof *r->src, "updated eigenvalue sources", err) : NULL;
    r->keep = r->src ? sb_malloc(d * sizeof *r->keep, "rank-one undeflated indices", err) : NULL;
    r->rot = r->keep ? sb_malloc(d * sizeof *r->rot, "rank-one rotations", err) : NULL;
    int rc = r->rot ? 0 : SB_ENOMEM;
    if (!rc) {
        memcpy(dv, lam, d * sizeof *dv);
        double zn = cblas_dnrm2((int)d, zin, 1), rho = n * zn * zn;
        for (size_t j = 0; j < d; j++)
            z[j] = zn > 0.0 ? zin[j] / zn : 0.0;
        /* μ = 0 or a negligible update: every pole deflates, the centred pairs are the raw ones. */
        if (zn > 0.0)
            r->k = deflate(dv, z, rho, d, r->keep, defl, r);
        else
            memset(defl, 1, d);
        r->s = sb_malloc((r->k * r->k + 1) * sizeof *r->s, "secular eigenvectors", err);
        rc = r->s ? secular(dv, z, rho, defl, r, err) : SB_ENOMEM;
    }
    free(dv);
    free(z);
    free(defl);
    if (rc)
        sb_rank1_free(r);
    return rc;
}

int sb_rank1_apply(const sb_rank1 *r, double *Y, size_t m, double *P, sb_err *err)
{
    size_t d = r->d, k = r->k;
    /* The rotations act on basis columns, so on the coordinates' columns alike. */
    for (size_t i = 0; i < r->nrot; i++)
        cblas_drot((int)m, Y + r->rot[i].a, (int)d, Y + r->rot[i].b, (int)d, r->rot[i].c, r->rot[i].s);
    double *Yk = sb_malloc((m * k + 1) * sizeof *Yk, "undeflated coordinates", err);
    double *R = Yk ? sb_malloc((m * k + 1) * sizeof *R, "updated coordinates", err) : NULL;
    if (!R) {
        free(Yk);
        return SB_ENOMEM;
    }
    for (size_t a = 0; a < m; a++)
        for (size_t i = 0; i < k; i++)
            Yk[a * k + i] = Y[a * d + r->keep[i]];
    /* R = Yk·S; S column-major is Sᵀ row-major. */
    if (k > 0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)k, (int)k, 1.0, Yk, (int)k, r->s, (int)k,
                    0.0, R, (int)k);
    for (size_t a = 0; a < m; a++)
        for (size_t j = 0; j < d; j++)
            P[a * d + j] = r->src[j] < d ? Y[a * d + r->src[j]] : R[a * k + (r->src[j] - d)];
    free(Yk);
    free(R);
    return 0;
}
