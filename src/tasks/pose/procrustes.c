/* procrustes.c — P-MPJPE (protocol #2): VideoPose3D's similarity alignment, frame by frame.
 *
 * Per frame the cost is a 3×3 SVD. It is done by one-sided Jacobi in registers; frames are
 * processed in blocks of PB so the PB independent chains of sqrt/divide latency in the Jacobi
 * rotations overlap in the CPU, which roughly doubles throughput over one frame at a time.
 * The block only changes scheduling: each frame's arithmetic is the same as on its own (the
 * frame errors are summed per block, which may move the last bit of the mean). */
#include "tasks/pose/pose_metrics.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define PB 4

/* One-sided Jacobi on the columns of a[b] (row-major 3×3), accumulating the rotations in
 * v[b], for the frames b < n with live[b]; on return the columns of a[b] are orthogonal to
 * working precision: A V = U S, so H = U S Vᵀ. */
static void jacobi_block(double a[][9], double v[][9], int live[], int n)
{
    for (int sweep = 0; sweep < 40; sweep++) {
        int rotated[PB] = {0}, any = 0;
        for (int p = 0; p < 2; p++) {
            for (int q = p + 1; q < 3; q++) {
                for (int b = 0; b < n; b++) {
                    if (!live[b])
                        continue;
                    double *x = a[b], *y = v[b];
                    double alpha = x[p] * x[p] + x[3 + p] * x[3 + p] + x[6 + p] * x[6 + p];
                    double beta = x[q] * x[q] + x[3 + q] * x[3 + q] + x[6 + q] * x[6 + q];
                    double gamma = x[p] * x[q] + x[3 + p] * x[3 + q] + x[6 + p] * x[6 + q];
                    if (!(gamma * gamma > (DBL_EPSILON * DBL_EPSILON) * alpha * beta))
                        continue; /* orthogonal to working precision; also stops on NaN */
                    rotated[b] = 1;
                    double zeta = (beta - alpha) / (2.0 * gamma);
                    /* the smaller root of t² + 2ζt − 1 = 0; for huge ζ, t ≈ 1/(2ζ) */
                    double t = fabs(zeta) < 1e150 ? copysign(1.0, zeta) / (fabs(zeta) + sqrt(1.0 + zeta * zeta))
                                                  : 0.5 / zeta;
                    double c = 1.0 / sqrt(1.0 + t * t), s = c * t;
                    for (int i = 0; i < 3; i++) {
                        double xp = x[3 * i + p], xq = x[3 * i + q];
                        x[3 * i + p] = c * xp - s * xq;
                        x[3 * i + q] = s * xp + c * xq;
                        double yp = y[3 * i + p], yq = y[3 * i + q];
                        y[3 * i + p] = c * yp - s * yq;
                        y[3 * i + q] = s * yp + c * yq;
                    }
                }
            }
        }
        for (int b = 0; b < n; b++) {
            live[b] = live[b] && rotated[b];
            any |= live[b];
        }
        if (!any)
            break;
    }
}

/* From the converged a = U S and v = V (see jacobi_block) the proper rotation r (row-major,
 * applied as P R to row vectors) and VideoPose3D's signed trace Σ s.
 *
 * Instead of normalising the smallest column (inaccurate when s3 ≪ s1) the third left vector
 * is u1 × u2, which makes det U = +1 and leaves a signed s3; V (whose columns were reordered
 * by singular value) is made proper by flipping its third column together with s3. The result
 * is VideoPose3D's "negate the last column of V and the last singular value when
 * det(V Uᵀ) < 0", reached by a stable route. */
static void rotation_and_trace(const double a[9], const double v[9], double r[9], double *trace)
{
    double sv[3];
    for (int k = 0; k < 3; k++)
        sv[k] = sqrt(a[k] * a[k] + a[3 + k] * a[3 + k] + a[6 + k] * a[6 + k]);
    int k1 = 0, k2 = 1, k3 = 2, tmp; /* sv[k1] >= sv[k2] >= sv[k3] */
    if (sv[k1] < sv[k2]) { tmp = k1; k1 = k2; k2 = tmp; }
    if (sv[k2] < sv[k3]) { tmp = k2; k2 = k3; k3 = tmp; }
    if (sv[k1] < sv[k2]) { tmp = k1; k1 = k2; k2 = tmp; }

    if (!(sv[k1] > 0.0)) { /* H = 0 (or NaN): any rotation, trace 0 */
        static const double eye[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        memcpy(r, eye, sizeof eye);
        *trace = sv[k1] == 0.0 ? 0.0 : NAN;
        return;
    }
    double u1[3], u2[3], u3[3];
    for (int i = 0; i < 3; i++)
        u1[i] = a[3 * i + k1] / sv[k1];
    /* u2: the second column, re-orthogonalised against u1 (matters only when s2 ≪ s1) */
    double d = 0.0;
    for (int i = 0; i < 3; i++)
        d += a[3 * i + k2] * u1[i];
    for (int i = 0; i < 3; i++)
        u2[i] = a[3 * i + k2] - d * u1[i];
    double n2 = sqrt(u2[0] * u2[0] + u2[1] * u2[1] + u2[2] * u2[2]);
    if (!(n2 > 0.0)) { /* rank 1: any unit vector orthogonal to u1 (rotation not unique) */
        int m = 0;
        for (int i = 1; i < 3; i++)
            if (fabs(u1[i]) < fabs(u1[m]))
                m = i;
        double e[3] = {0, 0, 0};
        e[m] = 1.0;
        for (int i = 0; i < 3; i++)
            u2[i] = e[i] - u1[m] * u1[i];
        n2 = sqrt(u2[0] * u2[0] + u2[1] * u2[1] + u2[2] * u2[2]);
    }
    for (int i = 0; i < 3; i++)
        u2[i] /= n2;
    u3[0] = u1[1] * u2[2] - u1[2] * u2[1];
    u3[1] = u1[2] * u2[0] - u1[0] * u2[2];
    u3[2] = u1[0] * u2[1] - u1[1] * u2[0];
    double s3 = a[k3] * u3[0] + a[3 + k3] * u3[1] + a[6 + k3] * u3[2]; /* signed */

    double v1[3], v2[3], v3[3];
    for (int i = 0; i < 3; i++) {
        v1[i] = v[3 * i + k1];
        v2[i] = v[3 * i + k2];
        v3[i] = v[3 * i + k3];
    }
    double detv = v1[0] * (v2[1] * v3[2] - v2[2] * v3[1]) - v2[0] * (v1[1] * v3[2] - v1[2] * v3[1])
                + v3[0] * (v1[1] * v2[2] - v1[2] * v2[1]);
    if (detv < 0.0) {
        for (int i = 0; i < 3; i++)
            v3[i] = -v3[i];
        s3 = -s3;
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            r[3 * i + j] = v1[i] * u1[j] + v2[i] * u2[j] + v3[i] * u3[j];
    *trace = sv[k1] + sv[k2] + s3;
}

static inline double dist3(const double *a, const double *b)
{
    double x = a[0] - b[0], y = a[1] - b[1], z = a[2] - b[2];
    return sqrt(x * x + y * y + z * z);
}

/* Σ over the n (<= PB) consecutive frames at g, p of Σ_j ‖P̂_j − G_j‖. */
static double procrustes_block(const double *g, const double *p, size_t joints, int n)
{
    const size_t J3 = 3 * joints;
    double mg[PB][3], mp[PB][3], np2[PB], a[PB][9], v[PB][9];
    int live[PB];
    double total = 0.0;
    for (int b = 0; b < n; b++) {
        const double *gb = g + b * J3, *pb = p + b * J3;
        /* scalar accumulators: kept in registers (array forms went through the stack) */
        double sg0 = 0, sg1 = 0, sg2 = 0, sp0 = 0, sp1 = 0, sp2 = 0;
        for (size_t j = 0; j < J3; j += 3) {
            sg0 += gb[j];
            sg1 += gb[j + 1];
            sg2 += gb[j + 2];
            sp0 += pb[j];
            sp1 += pb[j + 1];
            sp2 += pb[j + 2];
        }
        const double nj = (double)joints;
        const double g0 = sg0 / nj, g1 = sg1 / nj, g2 = sg2 / nj;
        const double m0 = sp0 / nj, m1 = sp1 / nj, m2 = sp2 / nj;
        mg[b][0] = g0, mg[b][1] = g1, mg[b][2] = g2;
        mp[b][0] = m0, mp[b][1] = m1, mp[b][2] = m2;
        /* Unnormalised H = G0ᵀ P0: its singular values are nG·nP times VideoPose3D's, so the
         * scale a = Σs·nG/nP becomes trace / nP², and R is the same. */
        double h00 = 0, h01 = 0, h02 = 0, h10 = 0, h11 = 0, h12 = 0, h20 = 0, h21 = 0, h22 = 0;
        double ng2 = 0.0, pp = 0.0;
        for (size_t j = 0; j < J3; j += 3) {
            double x0 = gb[j] - g0, x1 = gb[j + 1] - g1, x2 = gb[j + 2] - g2;
            double y0 = pb[j] - m0, y1 = pb[j + 1] - m1, y2 = pb[j + 2] - m2;
            ng2 += x0 * x0 + x1 * x1 + x2 * x2;
            pp += y0 * y0 + y1 * y1 + y2 * y2;
            h00 += x0 * y0, h01 += x0 * y1, h02 += x0 * y2;
            h10 += x1 * y0, h11 += x1 * y1, h12 += x1 * y2;
            h20 += x2 * y0, h21 += x2 * y1, h22 += x2 * y2;
        }
        np2[b] = pp;
        live[b] = !(pp == 0.0 || ng2 == 0.0);
        if (!live[b]) {
            /* all-one-point prediction or ground truth: the best scale is 0, P̂ = μ_G */
            for (size_t j = 0; j < J3; j += 3)
                total += dist3(gb + j, mg[b]);
            continue;
        }
        double *ab = a[b], *vb = v[b];
        ab[0] = h00, ab[1] = h01, ab[2] = h02, ab[3] = h10, ab[4] = h11, ab[5] = h12;
        ab[6] = h20, ab[7] = h21, ab[8] = h22;
        vb[0] = 1, vb[1] = 0, vb[2] = 0, vb[3] = 0, vb[4] = 1, vb[5] = 0, vb[6] = 0, vb[7] = 0, vb[8] = 1;
    }
    int work[PB];
    memcpy(work, live, sizeof work);
    jacobi_block(a, v, work, n);
    for (int b = 0; b < n; b++) {
        if (!live[b])
            continue;
        const double *gb = g + b * J3, *pb = p + b * J3;
        double r[9], trace;
        rotation_and_trace(a[b], v[b], r, &trace);
        const double sc = trace / np2[b];
        const double r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3], r4 = r[4], r5 = r[5], r6 = r[6], r7 = r[7],
                     r8 = r[8];
        const double g0 = mg[b][0], g1 = mg[b][1], g2 = mg[b][2], m0 = mp[b][0], m1 = mp[b][1], m2 = mp[b][2];
        double fs = 0.0;
        /* P̂ − G = a (P − μ_P) R − (G − μ_G), since t = μ_G − a μ_P R */
        for (size_t j = 0; j < J3; j += 3) {
            double p0 = pb[j] - m0, p1 = pb[j + 1] - m1, p2 = pb[j + 2] - m2;
            double x = sc * (p0 * r0 + p1 * r3 + p2 * r6) - (gb[j] - g0);
            double y = sc * (p0 * r1 + p1 * r4 + p2 * r7) - (gb[j + 1] - g1);
            double z = sc * (p0 * r2 + p1 * r5 + p2 * r8) - (gb[j + 2] - g2);
            fs += sqrt(x * x + y * y + z * z);
        }
        total += fs;
    }
    return total;
}

double sb_pose_procrustes_frame(const double *g, const double *p, size_t joints)
{
    return joints ? procrustes_block(g, p, joints, 1) : 0.0;
}

double sb_pose_p_mpjpe(const double *gt, const double *pred, size_t frames, size_t joints)
{
    if (!frames || !joints)
        return NAN;
    double sum = 0.0;
    for (size_t f = 0; f < frames; f += PB) {
        int n = frames - f < PB ? (int)(frames - f) : PB;
        sum += procrustes_block(gt + 3 * joints * f, pred + 3 * joints * f, joints, n);
    }
    return sum / ((double)frames * (double)joints);
}
