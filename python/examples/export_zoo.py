#!/usr/bin/env python3
"""Export a model zoo for `shardbench transfer score`: penultimate features of each model on
each target dataset, plus the source head's softmax outputs, as pair files and a manifest.

Works with any torchvision-style classifier whose last layer is an nn.Linear head
(ResNet `fc`, VGG/MobileNet/EfficientNet `classifier[-1]`, ViT `heads.head`, ConvNeXt
`classifier[2]`, ...): a forward hook on that last Linear captures its input (the penultimate
features) and its output (the source logits) in one pass, without editing the model.

Use from your own script (nothing is downloaded here; torchvision only if you use its models):

    import torch, torchvision
    from export_zoo import export_zoo
    models = {"resnet18": torchvision.models.resnet18(weights="DEFAULT"),
              "mobilenet_v3_small": torchvision.models.mobilenet_v3_small(weights="DEFAULT")}
    loaders = {"pets": torch.utils.data.DataLoader(my_pets_dataset, batch_size=64)}  # (image, label)
    export_zoo(models, loaders, "zoo/", accuracy={("pets", "resnet18"): 0.91})  # accuracy optional
    # then: shardbench transfer score --manifest zoo/manifest.csv --output scores/

Labels must be 0..C-1 with every class present (write_pair checks it). Features are kept as
float32 (half the size of float64; shardbench accumulates in double).

Demo on a tiny random network and random images (what tests/cli/test_python_torch.sh runs):

    PYTHONPATH=python python3 python/examples/export_zoo.py --demo OUT_DIR
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import shardbench  # noqa: E402  (python/ on the path when run from the source tree)


def last_linear(model):
    """The model's last nn.Linear module (the classification head)."""
    heads = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    if not heads:
        raise ValueError(f"{type(model).__name__} has no nn.Linear head to take features before")
    return heads[-1]


@torch.no_grad()
def penultimate_features(model, loader, device="cpu"):
    """Runs the model over loader ((inputs, labels) batches) in eval mode; returns the inputs of
    its last Linear layer (N x D float32), the labels (N int64) and the softmax of its outputs
    (N x Cs float64: the source head's probabilities)."""
    head = last_linear(model)
    got = {}

    def hook(_module, args, output):
        got["x"], got["logits"] = args[0], output

    handle = head.register_forward_hook(hook)
    model.eval().to(device)
    feats, labels, probs = [], [], []
    try:
        for inputs, y in loader:
            model(inputs.to(device))
            feats.append(torch.flatten(got["x"], 1).float().cpu().numpy())
            probs.append(torch.softmax(got["logits"].double(), dim=1).cpu().numpy())
            labels.append(np.asarray(y, dtype=np.int64))
    finally:
        handle.remove()
    return np.concatenate(feats), np.concatenate(labels), np.concatenate(probs)


def export_zoo(models, loaders, out_dir, accuracy=None, imagenet_acc=None, device="cpu"):
    """Writes out_dir/pairs/<dataset>__<model>.h5 for every (dataset, model) and
    out_dir/manifest.csv. accuracy: optional {(dataset, model): ground-truth transfer accuracy};
    imagenet_acc: optional {model: top-1}. Returns the manifest's path."""
    rows = []
    for ds, loader in loaders.items():
        for name, model in models.items():
            x, y, p = penultimate_features(model, loader, device)
            path = os.path.join(out_dir, "pairs", f"{ds}__{name}.h5")
            shardbench.write_pair(path, x, y, source_probs=p)
            row = {"dataset": ds, "model": name, "path": os.path.abspath(path)}
            if accuracy is not None:
                row["accuracy"] = accuracy.get((ds, name))
            if imagenet_acc is not None:
                row["imagenet_acc"] = imagenet_acc.get(name)
            rows.append(row)
    return shardbench.write_manifest(os.path.join(out_dir, "manifest.csv"), rows)


class TinyNet(torch.nn.Module):
    """A torchvision-ResNet-shaped toy: conv stem, global pooling, `fc` head."""

    def __init__(self, width=8, classes=10):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, width, 3, padding=1)
        self.pool = torch.nn.AdaptiveAvgPool2d(1)
        self.fc = torch.nn.Linear(width, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(torch.relu(self.conv(x))), 1))


def demo(out_dir, seed=0):
    """Two tiny random networks, two datasets of random 16x16 images: a zoo of 4 pairs."""
    torch.manual_seed(seed)
    models = {"tiny_a": TinyNet(8), "tiny_b": TinyNet(12)}
    loaders = {}
    for k, (n, c) in enumerate(((40, 3), (30, 2))):
        x = torch.randn(n, 3, 16, 16)
        y = torch.arange(n) % c  # every class present
        loaders[f"random{k}"] = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=16)
    acc = {(d, m): 0.5 + 0.1 * i for i, (d, m) in enumerate((d, m) for d in loaders for m in models)}
    return export_zoo(models, loaders, out_dir, accuracy=acc), models, loaders


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--demo", metavar="OUT_DIR", required=True,
                    help="write the demo zoo (tiny random networks, random images) to OUT_DIR")
    args = ap.parse_args()
    print(demo(args.demo)[0])
