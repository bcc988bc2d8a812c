#!/usr/bin/python3
"""Throughput of numpy on the pose formulas of specs/pose.md, for bench_pose to compare with.

Usage: /usr/bin/python3 bench/pose_numpy.py FRAMES [JOINTS]
Prints `name frames_per_second` lines (stream, mpjpe, p_mpjpe). Generates its own random data
(only throughput is compared with the C benchmark); the formulas are the VideoPose3D steps
(mpjpe: mean Euclidean error; p_mpjpe: centre, normalise, batched SVD of Xᵀ Y, reflection fix,
scale, translation, mean error), run vectorised over chunks of frames so the temporaries stay
within a few hundred MB.
"""
import sys
import time

import numpy as np

CHUNK = 65536


def mpjpe(pred, gt):
    return np.mean(np.linalg.norm(pred - gt, axis=-1))


def p_mpjpe(pred, gt):
    mu_x = gt.mean(axis=1, keepdims=True)
    mu_y = pred.mean(axis=1, keepdims=True)
    x0 = gt - mu_x
    y0 = pred - mu_y
    nx = np.sqrt(np.sum(x0 ** 2, axis=(1, 2), keepdims=True))
    ny = np.sqrt(np.sum(y0 ** 2, axis=(1, 2), keepdims=True))
    x0 /= nx
    y0 /= ny
    u, s, vt = np.linalg.svd(np.matmul(x0.transpose(0, 2, 1), y0))
    v = vt.transpose(0, 2, 1)
    r = np.matmul(v, u.transpose(0, 2, 1))
    sign = np.sign(np.expand_dims(np.linalg.det(r), axis=1))
    v[:, :, -1] *= sign
    s[:, -1] *= sign.flatten()
    r = np.matmul(v, u.transpose(0, 2, 1))
    a = np.expand_dims(np.sum(s, axis=1, keepdims=True), axis=2) * nx / ny
    t = mu_x - a * np.matmul(mu_y, r)
    return np.mean(np.linalg.norm(a * np.matmul(pred, r) + t - gt, axis=-1))


def timed(fn, gt, pred):
    """Best of 3 over the whole array, chunk by chunk; returns (seconds, frame-weighted mean)."""
    best, value = float("inf"), 0.0
    n = gt.shape[0]
    for _ in range(3):
        t0 = time.perf_counter()
        acc = 0.0
        for i in range(0, n, CHUNK):
            acc += fn(pred[i:i + CHUNK], gt[i:i + CHUNK]) * min(CHUNK, n - i)
        best = min(best, time.perf_counter() - t0)
        value = acc / n
    return best, value


def main():
    frames = int(sys.argv[1])
    joints = int(sys.argv[2]) if len(sys.argv) > 2 else 17
    rng = np.random.default_rng(1)
    gt = rng.normal(0.0, 300.0, (frames, joints, 3))
    pred = gt + rng.normal(0.0, 40.0, (frames, joints, 3))
    t_stream, _ = timed(lambda p, g: p.sum() + g.sum(), gt, pred)
    t_mpjpe, v1 = timed(mpjpe, gt, pred)
    t_p, v2 = timed(p_mpjpe, gt, pred)
    print("stream %.6g" % (frames / t_stream))
    print("mpjpe %.6g" % (frames / t_mpjpe))
    print("p_mpjpe %.6g" % (frames / t_p))
    print("# values mpjpe %.6f p_mpjpe %.6f" % (v1, v2))


if __name__ == "__main__":
    main()
