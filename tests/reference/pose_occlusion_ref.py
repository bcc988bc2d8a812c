#!/usr/bin/python3
"""Expected values for tests/unit/test_pose_occlusion.c, in numpy from specs/pose.md
"Occlusion robustness" (DiffHPE states the protocol but ships no code for these numbers).

Usage: /usr/bin/python3 tests/reference/pose_occlusion_ref.py  (prints C literals)

Data, rebuilt identically by the C test: F = 3 frames, J = 4 joints,
  gt[f][j][a]   = 10 f + 3 j + a
  pred[f][j][a] = gt[f][j][a] + 5 sin(1.3 f + 0.7 j + 0.4 a + 0.2)
  mask[f][j]    = (f + 2 j) % 3 == 0
Definitions: e = ||pred - gt|| (after subtracting joint 0 from both when root-relative);
mpjpe_occ / mpjpe_vis = mean of e over the occluded / visible entries; occ_rate = occluded / (F J).
Group: the sums over the entries of its sequences divided by their counts; mpjpe frame-weighted.
"""
import numpy as np

F, J = 3, 4
f, j, a = np.meshgrid(np.arange(F), np.arange(J), np.arange(3), indexing="ij")
gt = 10.0 * f + 3.0 * j + a
pred = gt + 5 * np.sin(1.3 * f + 0.7 * j + 0.4 * a + 0.2)
mask = (np.arange(F)[:, None] + 2 * np.arange(J)[None, :]) % 3 == 0


def occ(g, p, m, rr):
    if rr:
        g, p = g - g[:, :1], p - p[:, :1]
    e = np.linalg.norm(p - g, axis=-1)
    return e, e[m].mean(), e[~m].mean(), m.mean()


for rr in (0, 1):
    e, o, v, r = occ(gt, pred, mask, rr)
    print(f"/* root_relative = {rr} */ {{{o!r}, {v!r}, {r!r}}},")
# a group of two sequences: the one above (F = 3) and the same with every entry occluded (F = 3):
e, _, _, _ = occ(gt, pred, mask, 0)
all_e = np.concatenate([e.ravel(), e.ravel()])
all_m = np.concatenate([mask.ravel(), np.ones(F * J, bool)])
print(f"/* group */ {{{all_e[all_m].mean()!r}, {all_e[~all_m].mean()!r}, {all_m.mean()!r}}},")
