#!/usr/bin/python3
"""The documented PyTorch example (python/examples/export_zoo.py) end to end, for
tests/cli/test_python_torch.sh.

usage: python_torch_zoo.py SHARDBENCH WORKDIR

Runs the example's demo (two tiny random torchvision-style networks, random images) and checks
that each pair file holds exactly the penultimate features, labels and softmax outputs that an
independent forward pass of the same network gives (to float32
rounding: the example runs batches of 16, the check one batch); then that `shardbench transfer score` reads
the zoo (exit 0, every scorer on every pair) and that its LEEP equals LEEP computed with numpy
from the arrays (Nguyen et al. 2020's definition, specs/transferability.md) to 1e-9 relative."""
import csv
import os
import subprocess
import sys

import h5py
import numpy as np
import torch

BIN, WORK = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python", "examples"))
import export_zoo  # noqa: E402

fails = 0


def ok(cond, what):
    global fails
    print(("ok: " if cond else "FAIL: ") + what)
    fails += 0 if cond else 1


def leep(probs, y):
    joint = np.stack([probs[y == c].sum(0) for c in range(y.max() + 1)]) / len(y)  # C x Cs
    cond = joint / joint.sum(0, keepdims=True)  # P(y | z)
    return float(np.mean(np.log(np.einsum("nz,nz->n", probs, cond[y]))))


zoo = os.path.join(WORK, "zoo")
manifest, models, loaders = export_zoo.demo(zoo)
with open(manifest, newline="") as f:
    rows = list(csv.DictReader(f))
ok(len(rows) == len(models) * len(loaders), f"manifest lists {len(rows)} pairs")
mine = {}
for r in rows:
    net, loader = models[r["model"]], loaders[r["dataset"]]
    x, y = loader.dataset.tensors
    with torch.no_grad():
        feat = torch.flatten(net.pool(torch.relu(net.conv(x))), 1).numpy()
        prob = torch.softmax(net(x).double(), 1).numpy()
    with h5py.File(os.path.join(zoo, r["path"]), "r") as f:
        same = (f["features"].dtype == np.float32 and np.allclose(f["features"][()], feat, rtol=1e-5, atol=1e-6)
                and np.array_equal(f["labels"][()], y.numpy()) and np.allclose(f["source_probs"][()], prob,
                                                                             rtol=1e-5, atol=1e-7))
        mine[(r["dataset"], r["model"])] = leep(f["source_probs"][()], f["labels"][()])
    ok(same, f"{r['path']}: features {feat.shape}, labels and softmax equal an independent forward pass")
out = os.path.join(WORK, "scores")
rc = subprocess.run([BIN, "transfer", "score", "--manifest", manifest, "--output", out, "--quiet"]).returncode
ok(rc == 0, f"shardbench transfer score on the exported zoo exits {rc}")
with open(os.path.join(out, "scores.csv"), newline="") as f:
    scores = list(csv.DictReader(f))
scorers = {s["scorer"] for s in scores}
ok(len(scorers) >= 10 and len(scores) == len(scorers) * len(rows), f"{len(scorers)} scorers x {len(rows)} pairs scored")
worst = max(abs(float(s["value"]) - mine[(s["dataset"], s["model"])]) / abs(mine[(s["dataset"], s["model"])])
            for s in scores if s["scorer"] == "leep")
ok(worst < 1e-9, f"LEEP of shardbench equals numpy's on the exported arrays (worst relative {worst:.1e})")
print(f"python_torch_zoo: {fails} failed")
sys.exit(1 if fails else 0)
