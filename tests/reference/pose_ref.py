#!/usr/bin/python3
"""Expected values for tests/unit/test_pose_metrics.c.

Usage: /usr/bin/python3 tests/reference/pose_ref.py VIDEOPOSE3D_REPO DIFFHPE_REPO
  (each a git work tree or the bare git directory made by the fetch tool, e.g.
   a clone of facebookresearch/VideoPose3D and one of valeoai/diffhpe)

Runs the reference code itself, unmodified:
  facebookresearch/VideoPose3D common/loss.py: mpjpe, n_mpjpe, p_mpjpe, mean_velocity_error,
                                               weighted_mpjpe
  valeoai/diffhpe diffhpe/metrics/regularizations.py: segments_time_consistency (mode "std"),
                                               sagittal_symmetry (mode "average", squared
                                               True/False); diffhpe/metrics/utils.py
                                               measure_bones_length; diffhpe/data/utils/skeleton.py
torch is not installed, so a small stand-in module named `torch` maps the few torch calls the
reference uses onto numpy: torch.mean/sum/norm (dim, keepdim), torch.std and torch.var with
dim -> numpy with ddof=1 (torch.std/var are UNBIASED by default), torch.empty, and a Tensor
(ndarray subclass) with .abs(), .sqrt(), .permute(), .device. p_mpjpe and mean_velocity_error
are numpy in the reference and run as they are.
Metrics the references do not define (pck, auc, min_mpjpe, jbest_mpjpe, mpjpe_of_best_weight,
part_mpjpe) are computed here with plain numpy from the spec's definitions (pose.md).
"""
import os
import subprocess
import sys
import tempfile
import types
import importlib

import numpy as np


# ---- torch stand-in (numpy) ----
class Tensor(np.ndarray):
    device = None

    def abs(self):
        return _t(np.abs(self))

    def sqrt(self):
        return _t(np.sqrt(self))

    def permute(self, *dims):
        return _t(np.transpose(self, dims))


def _t(x):
    return np.asarray(x).view(Tensor)


def _axis(dim, axis):
    return dim if dim is not None else axis


torch = types.ModuleType("torch")
torch.Tensor = Tensor
torch.mean = lambda x, dim=None, keepdim=False, axis=None: _t(
    np.mean(np.asarray(x), axis=_axis(dim, axis), keepdims=keepdim))
torch.sum = lambda x, dim=None, keepdim=False, axis=None: _t(
    np.sum(np.asarray(x), axis=_axis(dim, axis), keepdims=keepdim))
torch.norm = lambda x, dim=None: _t(np.linalg.norm(np.asarray(x), axis=dim))
# torch.std / torch.var are unbiased (divide by n-1) unless told otherwise.
torch.std = lambda x, dim=None: _t(np.std(np.asarray(x), axis=dim, ddof=1))
torch.var = lambda x, dim=None: _t(np.var(np.asarray(x), axis=dim, ddof=1))
torch.empty = lambda shape, device=None, dtype=None: np.empty(shape, dtype=dtype).view(Tensor)
sys.modules["torch"] = torch


def _materialise(repo, paths, dest):
    """Copies paths from a work tree or a bare git dir into dest."""
    for p in paths:
        out = os.path.join(dest, p)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        if os.path.exists(os.path.join(repo, p)):
            with open(os.path.join(repo, p), "rb") as f:
                data = f.read()
        else:
            data = subprocess.check_output(["git", "--git-dir", repo, "show", "HEAD:" + p])
        with open(out, "wb") as f:
            f.write(data)


def load_refs(vp3d, diffhpe):
    tmp = tempfile.mkdtemp(prefix="pose_ref_")
    _materialise(vp3d, ["common/loss.py"], os.path.join(tmp, "vp3d"))
    _materialise(diffhpe, ["diffhpe/metrics/__init__.py", "diffhpe/metrics/utils.py",
                           "diffhpe/metrics/regularizations.py",
                           "diffhpe/metrics/mean_joint_errors.py",
                           "diffhpe/data/utils/skeleton.py"], os.path.join(tmp, "dh"))
    sys.path.insert(0, os.path.join(tmp, "vp3d"))
    sys.path.insert(0, os.path.join(tmp, "dh"))
    loss = importlib.import_module("common.loss")
    reg = importlib.import_module("diffhpe.metrics.regularizations")
    utils = importlib.import_module("diffhpe.metrics.utils")
    skel = importlib.import_module("diffhpe.data.utils.skeleton")
    return loss, reg, utils, skel


def c_array(name, a):
    flat = np.asarray(a, dtype=np.float64).ravel()
    body = ", ".join(repr(float(v)) for v in flat)
    return "static const double %s[%d] = {%s};" % (name, flat.size, body)


def c_value(name, v):
    return "static const double %s = %s;" % (name, "%.17g" % v)


def main():
    loss, reg, utils, skel = load_refs(sys.argv[1], sys.argv[2])

    # The test case: F=7 frames, J=5 joints, M=3 hypotheses.
    F, J, M = 7, 5, 3
    parents = [-1, 0, 1, 0, 3]
    lr = [(1, 3), (2, 4)]                 # (left, right) joints; bone of joint j = (j, parents[j])
    parts = [("a", 0, 2), ("b", 3, 4)]
    rng = np.random.default_rng(20261125)
    gt = np.round(rng.normal(0.0, 300.0, (F, J, 3)), 3)
    pred = np.round(gt + rng.normal(0.0, 60.0, (F, J, 3)), 3)
    hyp = np.round(gt[:, None] + rng.normal(0.0, 60.0, (F, M, J, 3)), 3)
    w = rng.uniform(0.1, 1.0, (F, M))
    w[2] = [0.25, 0.5, 0.25]              # an exact row
    w = w / w.sum(axis=1, keepdims=True)

    out = {}
    # --- VideoPose3D common/loss.py ---
    out["mpjpe"] = float(loss.mpjpe(_t(pred), _t(gt)))
    out["p_mpjpe"] = float(loss.p_mpjpe(pred.copy(), gt.copy()))
    out["n_mpjpe"] = float(loss.n_mpjpe(_t(pred[None]), _t(gt[None])))     # (1, F, J, 3): scale per frame
    out["mpjve"] = float(loss.mean_velocity_error(pred, gt))
    # weighted_mpjpe(H, G, w) = mean over F*M*J of w*err = (1/M) * mean_f sum_m w_fm MPJPE_fm
    out["weighted_mpjpe"] = M * float(loss.weighted_mpjpe(_t(hyp), _t(np.broadcast_to(gt[:, None], hyp.shape)),
                                                          _t(w[:, :, None])))
    # --- numpy from the spec's definitions ---
    err = np.linalg.norm(pred - gt, axis=2)
    out["pck"] = float(np.mean(err < 150.0))
    out["auc"] = float(np.mean([np.mean(err < t) for t in np.arange(0, 151, 5)]))
    herr = np.linalg.norm(hyp - gt[:, None], axis=3)          # F, M, J
    out["min_mpjpe"] = float(np.mean(herr.mean(axis=2).min(axis=1)))
    best = np.argmax(w, axis=1)
    out["mpjpe_of_best_weight"] = float(np.mean(herr.mean(axis=2)[np.arange(F), best]))
    out["jbest_mpjpe"] = float(np.mean(herr.min(axis=1)))
    # --- diffhpe: joints_coords is (batch, 3, J, L) ---
    sk = skel.Skeleton(parents=parents, joints_left=[a for a, _ in lr], joints_right=[b for _, b in lr])

    def coords(x):                       # F,J,3 -> (1, 3, J, F)
        return _t(np.transpose(x, (2, 1, 0))[None].copy())

    out["bone_std"] = float(reg.segments_time_consistency(coords(pred), sk, mode="std"))
    lp = np.asarray(utils.measure_bones_length(coords(pred), sk.bones()))
    lg = np.asarray(utils.measure_bones_length(coords(gt), sk.bones()))
    out["bone_err"] = float(np.mean(np.abs(lp - lg)))
    out["symmetry_err"] = float(reg.sagittal_symmetry(coords(pred), sk, mode="average", squared=False))
    out["sagittal_symmetry"] = float(reg.sagittal_symmetry(coords(pred), sk, mode="average", squared=True))
    for name, a, b in parts:
        out["part_mpjpe_" + name] = float(loss.mpjpe(_t(pred[:, a:b + 1]), _t(gt[:, a:b + 1])))
        out["part_mpjpe_%s_aligned" % name] = float(loss.mpjpe(
            _t(pred[:, a:b + 1] - pred[:, a:a + 1]), _t(gt[:, a:b + 1] - gt[:, a:a + 1])))

    # bone_std per clip: each clip of >= 2 frames alone through segments_time_consistency,
    # then the plain mean over clips (clip 3: frames 0-2, 3-5, and frame 6 dropped;
    # clip 4: frames 0-3 and 4-6).
    for L in (3, 4):
        vals = [float(reg.segments_time_consistency(coords(pred[s:s + L]), sk, mode="std"))
                for s in range(0, F, L) if min(L, F - s) >= 2]
        out["bone_std_clip%d" % L] = float(np.mean(vals))

    # root-relative: joint 0 subtracted from pred and gt (and hypotheses) first
    rg, rp = gt - gt[:, :1], pred - pred[:, :1]
    rh = hyp - hyp[:, :, :1]
    out["rr_mpjpe"] = float(loss.mpjpe(_t(rp), _t(rg)))
    out["rr_p_mpjpe"] = float(loss.p_mpjpe(rp.copy(), rg.copy()))
    out["rr_mpjve"] = float(loss.mean_velocity_error(rp, rg))
    out["rr_min_mpjpe"] = float(np.mean(np.linalg.norm(rh - rg[:, None], axis=3).mean(axis=2).min(axis=1)))

    # p_mpjpe of a single frame with a reflection in the optimal orthogonal map:
    # pred = mirror image of gt (x -> -x) plus noise, so det(V U^T) < 0 and the sign fix runs.
    refl = np.round(gt[:1] * np.array([-1.0, 1.0, 1.0]) + rng.normal(0.0, 5.0, (1, J, 3)), 3)
    X0 = gt[:1] - gt[:1].mean(axis=1, keepdims=True)
    Y0 = refl - refl.mean(axis=1, keepdims=True)
    U, s, Vt = np.linalg.svd(X0[0].T @ Y0[0])
    out["refl_detR"] = float(np.linalg.det(Vt.T @ U.T))
    out["refl_p_mpjpe"] = float(loss.p_mpjpe(refl.copy(), gt[:1].copy()))

    # p_mpjpe frame by frame on increasingly flat poses (z scaled by 10^-k, k = 0..11), the
    # prediction a rotated, scaled, shifted, noisy copy: tests the SVD when s3 -> 0.
    flat_g = np.round(rng.normal(0.0, 300.0, (12, J, 3)), 3)
    flat_p = np.empty_like(flat_g)
    for k in range(12):
        flat_g[k, :, 2] *= 10.0 ** -k
        q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        noise = rng.normal(0.0, 20.0, (J, 3))
        noise[:, 2] *= 10.0 ** -k
        flat_p[k] = 1.1 * (flat_g[k] + noise) @ q + 50.0
    flat_e = [float(loss.p_mpjpe(flat_p[k:k + 1].copy(), flat_g[k:k + 1].copy())) for k in range(12)]

    print("/* generated by tests/reference/pose_ref.py */")
    print("enum { RF = %d, RJ = %d, RM = %d };" % (F, J, M))
    print(c_array("REF_GT", gt))
    print(c_array("REF_PRED", pred))
    print(c_array("REF_HYP", hyp))
    print(c_array("REF_W", w))
    print(c_array("REF_REFL", refl))
    print(c_array("FLAT_GT", flat_g))
    print(c_array("FLAT_PRED", flat_p))
    print(c_array("FLAT_P_MPJPE", flat_e))
    for k, v in out.items():
        print(c_value("EXP_" + k.upper(), v))


if __name__ == "__main__":
    main()
