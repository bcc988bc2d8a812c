#!/usr/bin/python3
"""Expected values of test-time selection (specs/tts.md) for tests/unit/test_tts_select.c.

Runs the authors' code, alceubissoto/skin-tts@27d9477 `algorithms_resnet_keypoints.py`
(`TTActivation.forward(adapt=True)` with its `masked_forward`), on random float32 feature maps,
with a stand-in model whose avgpool and fc are those of a ResNet head (the network before
`layer4` is replaced by the identity: the maps are the input). Also evaluates the spec's
definitions in numpy float64 on the same data. Writes a C header on stdout.

    git --git-dir=/work/.mirror/alceubissoto+skin-tts/repo show \
        27d9477:algorithms_resnet_keypoints.py > /tmp/algorithms_resnet_keypoints.py
    /usr/bin/python3 tests/reference/tts_ref.py /tmp/algorithms_resnet_keypoints.py \
        > tests/unit/tts_ref_data.h

Needs Debian's python3-torch (1.13) and numpy. Maps are drawn again until every image's scores
are at least 1e-4 apart at the selection boundary, so float32 (the reference) and float64
(shardbench) select the same channels.
"""
import importlib.util
import sys
import types

import numpy as np
import torch

C, H, W, S = 24, 7, 7, 224
N_IMG, P, Q = 5, 6, 5
# (upsample, amt_pos, amt_neg, alpha, perc kept)
CASES = [("nearest", 3, 2, 0.4, 0.1), ("nearest", 6, 5, 0.7, 0.25), ("nearest", 1, 1, 0.5, 0.5),
         ("bilinear", 3, 2, 0.4, 0.1), ("bilinear", 6, 5, 0.3, 0.5), ("bilinear", 2, 4, 0.6, 0.75)]


def load_reference(path):
    sys.modules.setdefault("matplotlib", types.ModuleType("matplotlib"))
    sys.modules.setdefault("matplotlib.pyplot", types.ModuleType("matplotlib.pyplot"))
    spec = importlib.util.spec_from_file_location("tts_reference", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Head(torch.nn.Module):
    def __init__(self, w, b):
        super().__init__()
        self.avgpool = torch.nn.AdaptiveAvgPool2d((1, 1))
        self.fc = torch.nn.Linear(C, 2)
        with torch.no_grad():
            self.fc.weight.copy_(torch.from_numpy(w))
            self.fc.bias.copy_(torch.from_numpy(b))


def upsampled(a, mode, r, q):
    """U(c, r, q) of specs/tts.md, float64, for all channels."""
    if mode == "nearest":
        return a[:, r // (S // H), q // (S // W)].astype(np.float64)
    y, x = r * (H - 1) / (S - 1), q * (W - 1) / (S - 1)
    y0, x0 = int(np.floor(y)), int(np.floor(x))
    y1, x1 = min(y0 + 1, H - 1), min(x0 + 1, W - 1)
    ly, lx = y - y0, x - x0
    a = a.astype(np.float64)
    return ((1 - ly) * (1 - lx) * a[:, y0, x0] + (1 - ly) * lx * a[:, y0, x1] + ly * (1 - lx) * a[:, y1, x0]
            + ly * lx * a[:, y1, x1])


def spec_eval(a, pos, neg, mode, alpha, perc, w, b):
    sp = np.zeros(C)
    for r, q in pos:
        sp += upsampled(a, mode, r, q)
    sn = np.zeros(C)
    for r, q in neg:
        sn += upsampled(a, mode, r, q)
    s = alpha * sp - (1 - alpha) * sn
    order = np.argsort(s, kind="stable")
    z = int((1 - perc) * C)
    g = a.astype(np.float64).reshape(C, -1).mean(axis=1)
    g[order[:z]] = 0
    l = w.astype(np.float64) @ g + b.astype(np.float64)
    gap = abs(s[order[z - 1]] - s[order[z]]) if 0 < z < C else np.inf
    return sorted(order[:z].tolist()), l, 1 / (1 + np.exp(l[0] - l[1])), gap


def main():
    ref = load_reference(sys.argv[1])
    rng = np.random.default_rng(20230805)
    w = rng.normal(0, 0.5, (2, C)).astype(np.float32)
    b = rng.normal(0, 0.5, 2).astype(np.float32)
    pos = rng.integers(0, S, (N_IMG, P, 2))
    neg = rng.integers(0, S, (N_IMG, Q, 2))
    while True:
        feats = np.maximum(rng.normal(0.3, 1.0, (N_IMG, C, H, W)), 0).astype(np.float32)
        gaps = [spec_eval(feats[i], pos[i, :ap], neg[i, :an], m, al, pc, w, b)[3]
                for m, ap, an, al, pc in CASES for i in range(N_IMG)]
        if min(gaps) > 1e-4:
            break
    head = Head(w, b)
    out = ["/* tts_ref_data.h — written by tests/reference/tts_ref.py (skin-tts@27d9477 TTActivation under",
           " * torch %s, and the spec's definitions in numpy float64); do not edit. */" % torch.__version__,
           "#define TTS_REF_C %d" % C, "#define TTS_REF_H %d" % H, "#define TTS_REF_W %d" % W,
           "#define TTS_REF_S %d" % S, "#define TTS_REF_N %d" % N_IMG, "#define TTS_REF_P %d" % P,
           "#define TTS_REF_Q %d" % Q, "#define TTS_REF_CASES %d" % len(CASES)]
    fl = lambda v: ", ".join("%.9g" % x for x in np.ravel(v))
    dl = lambda v: ", ".join("%.17g" % x for x in np.ravel(v))
    il = lambda v: ", ".join("%d" % x for x in np.ravel(v))
    out.append("static const float tts_ref_features[] = {%s};" % fl(feats))
    out.append("static const double tts_ref_weight[] = {%s};" % dl(w.astype(np.float64)))
    out.append("static const double tts_ref_bias[] = {%s};" % dl(b.astype(np.float64)))
    out.append("static const int64_t tts_ref_pos[] = {%s};" % il(pos))
    out.append("static const int64_t tts_ref_neg[] = {%s};" % il(neg))
    out.append("typedef struct tts_ref_case { int bilinear, amt_pos, amt_neg; double alpha, perc; } tts_ref_case;")
    out.append("static const tts_ref_case tts_ref_cases[] = {%s};" % ", ".join(
        "{%d, %d, %d, %.17g, %.17g}" % (m == "bilinear", ap, an, al, pc) for m, ap, an, al, pc in CASES))
    zero_t, logit_t, zero_n, logit_n, p1_n = [], [], [], [], []
    for m, ap, an, al, pc in CASES:
        hp = {"amt_pos": ap, "amt_neg": an, "alpha": al, "perc_feature_mask": pc}
        tta = ref.TTActivation(2, head, hp, lambda model, x: x, ref.masked_forward, mode_up=m, img_size=S)
        with torch.no_grad():
            logits, masks = tta(torch.from_numpy(feats), torch.from_numpy(pos[:, :ap]),
                                torch.from_numpy(neg[:, :an]), adapt=True)
        z = int((1 - pc) * C)
        for i in range(N_IMG):
            zs, l, p1, _ = spec_eval(feats[i], pos[i, :ap], neg[i, :an], m, al, pc, w, b)
            zt = sorted(masks[i].tolist())
            assert zt == zs, (m, i, zt, zs)
            zero_t.append(zt + [-1] * (C - z))
            logit_t.append(logits[i].double().numpy())
            zero_n.append(zs + [-1] * (C - z))
            logit_n.append(l)
            p1_n.append(p1)
    out.append("/* Per case and image: the zeroed channels, ascending, padded with -1 to C. */")
    out.append("static const int tts_ref_zeroed[] = {%s};" % il(zero_t))
    out.append("/* Logits l0, l1 from the reference (float32) and from the spec (float64), and p1 of the spec. */")
    out.append("static const double tts_ref_logits_torch[] = {%s};" % dl(np.array(logit_t)))
    out.append("static const double tts_ref_logits_spec[] = {%s};" % dl(np.array(logit_n)))
    out.append("static const double tts_ref_p1_spec[] = {%s};" % dl(np.array(p1_n)))
    print("\n".join(out))


if __name__ == "__main__":
    main()
