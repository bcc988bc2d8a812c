#!/usr/bin/python3
"""Bad inputs refused by the Python bridge, for tests/cli/test_python_bad.sh.

usage: python_bad.py SHARDBENCH WORKDIR

Each case starts from valid arrays, breaks one thing (a shape, a dtype, a range, a name) and
checks that the writer raises shardbench.FormatError whose message names the array (and the
first bad index where there is one), and that no file (nor temporary file) is left behind.
For a sample of cases the same defect is written raw with h5py and shardbench must refuse it
too (a non-zero exit naming the same dataset), so the bridge refuses what the C readers refuse.
A valid call of every writer must succeed (the cases are not refused for another reason)."""
import copy
import os
import subprocess
import sys

import h5py
import numpy as np

import shardbench as sb

BIN, WORK = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(3)
fails = 0


def ok(cond, what):
    global fails
    print(("ok: " if cond else "FAIL: ") + what)
    fails += 0 if cond else 1


def pair():
    return dict(features=rng.standard_normal((6, 3)), labels=np.array([0, 1, 2, 0, 1, 2]),
                source_probs=np.full((6, 4), 0.25))


def pose():
    J = 4
    gt = rng.standard_normal((5, J, 3))
    return dict(sequences={"s1": {"gt": gt, "pred": gt + 1, "hyp": np.stack([gt, gt], 1),
                                  "weights": np.full((5, 2), 0.5), "action": "walk"}},
                parents=[-1, 0, 1, 1], lr_pairs=[[2, 3]], parts={"arm": (1, 3)})


def forecast():
    M, P, K = 3, 4, 2
    fut = rng.standard_normal((M, 6, 2))
    fut[0, 4:] = np.nan
    return dict(logs=["a", "b"],
                gt=dict(log=[0, 1, 1], timestamp_ns=np.arange(M), category=[15, 14, 15],
                        current_xy=rng.standard_normal((M, 2)), future_xy=fut, ego_xy=np.zeros((M, 2))),
                pred=dict(log=["a", "b", "b", "a"], timestamp_ns=np.arange(P), category=["BUS"] * P,
                          current_xy=rng.standard_normal((P, 2)), detection_score=rng.random(P),
                          modes_xy=rng.standard_normal((P, K, 6, 2)), mode_scores=rng.random((P, K))))


def sets():
    return dict(sets={"s": dict(score=rng.random(8), label=[0, 1] * 4, spurious=[1, 0] * 4, group=[0, 1, 2, 3] * 2,
                                threshold=0.4)})


def envs():
    return dict(z_p=rng.standard_normal((5, 2)), y_p=[0, 1, 0, 1, 1], z_q=rng.standard_normal((4, 2)),
                y_q=[1, 0, 1, 0])


def explain():
    N, J, K = 4, 2, 3
    p = rng.random((N, K)) + 0.1
    p /= p.sum(1, keepdims=True)
    e = np.repeat(p[:, None, :], J, 1)
    e[0, 1] = np.nan  # unused: edit_dir 0 there
    return dict(head="softmax", stored="prob", class_names=["x", "y", "z"], concept_names=["c0", "c1"],
                out_orig=p, out_edit=e, edit_dir=[[1, 0], [-1, 1], [1, 1], [0, -1]],
                edit_valid=[[1, 1], [1, 0], [1, 1], [1, 1]], image_id=["i0", "i1", "i2", "i3"],
                hypotheses=[[0, 1], [1, 2]], hypothesis_sign=[1, -1])


def splitcomp():
    M, N = 2, 5
    return dict(names=["m1", "m2"], model=["a", "a"], correct=rng.integers(0, 2, (M, N)),
                payload_bytes=np.full((M, N), 100), t_enc=np.full((M, N), 0.01), t_srv=np.full((M, N), 0.02),
                encoder_bits=[8.0, 16.0], switch_s=[[9.0, 0.1], [0.1, 0.0]],
                traces={"t": ([0.0, 1.0], [1e6, 0.0], 2.0)})


def tts():
    N, C, P = 3, 4, 2
    return dict(features=rng.standard_normal((N, C, 2, 2)).astype(np.float32), fc_weight=rng.standard_normal((2, C)),
                fc_bias=[0.0, 0.1], label=[0, 1, 1], kp_pos=np.full((N, P, 2), 5), kp_pos_count=[2, 1, 0],
                kp_neg=np.full((N, 1, 2), 7), kp_neg_count=[1, 1, 1], input_size=8, group=[0, 1, 0],
                image_id=["a", "b", "c"], bias_factor=0.5, split=1, arch="toy")


WRITERS = {
    "tts": (sb.write_tts, tts),
    "pair": (sb.write_pair, pair), "pose": (sb.write_pose, pose), "forecast": (sb.write_forecast, forecast),
    "sets": (sb.write_distshift_sets, sets), "envs": (sb.write_distshift_envs, envs),
    "explain": (sb.write_explain, explain), "splitcomp": (sb.write_splitcomp, splitcomp),
}


def setp(d, path, v):
    *head, last = path
    for k in head:
        d = d[k]
    if v is DELETE:
        del d[last]
    else:
        d[last] = v


DELETE = object()
# (writer, path into the kwargs, new value, words the message must hold)
CASES = [
    ("pair", ["features"], rng.standard_normal(6), "features has shape (6)"),
    ("pair", ["features"], np.array([["a"] * 3] * 6), "features has dtype"),
    ("pair", ["features"], np.where(np.eye(6, 3) > 0, np.nan, 1.0), "features[0, 0] is NaN"),
    ("pair", ["labels"], np.array([0.0, 1, 2, 0, 1, 2]), "labels has dtype float64; expected integers"),
    ("pair", ["labels"], np.array([0, 1, 3, 0, 1, 3]), "class 2 of 0..3 has no sample"),
    ("pair", ["labels"], np.array([0, 1, 2, 0, 1]), "labels has shape (5)"),
    ("pair", ["labels"], np.array([0, -1, 2, 0, 1, 2]), "labels[1] = -1"),
    ("pair", ["source_probs"], np.full((6, 4), 0.3), "source_probs row 0 sums to 1.2"),
    ("pair", ["source_probs"], np.full((5, 4), 0.25), "source_probs has shape (5x4)"),
    ("pose", ["parents"], [-1, 2, 1, 1], "chain of parents from joint 1 loops"),
    ("pose", ["parents"], [-1, 1, 1, 1], "parents[1] = 1: a joint cannot be its own parent"),
    ("pose", ["parents"], [-1, 0, 1, 7], "parents[3] = 7"),
    ("pose", ["lr_pairs"], [[0, 3]], "lr_pairs[0][0] = 0: a root joint"),
    ("pose", ["parts"], {"a b": (0, 1)}, "parts[0]: the name 'a b'"),
    ("pose", ["parts"], {"arm": (2, 9)}, "joints 2..9 are not a range"),
    ("pose", ["sequences", "s1", "gt"], np.zeros((5, 3, 3)), "sequences['s1']['gt'] has shape (5x3x3)"),
    ("pose", ["sequences", "s1", "pred"], np.zeros((4, 4, 3)), "sequences['s1']['pred'] has shape (4x4x3)"),
    ("pose", ["sequences", "s1", "weights"], np.full((5, 2), 0.6), "['weights'] row 0 sums to 1.2"),
    ("pose", ["sequences", "s1", "hyp"], DELETE, "has weights but no hyp"),
    ("pose", ["sequences", "bad/name"], {}, "'bad/name' is not a usable name"),
    ("forecast", ["logs"], ["a", "a"], "logs[1] repeats logs[0]"),
    ("forecast", ["gt", "category"], [15, 26, 0], "gt['category'][1] = 26"),
    ("forecast", ["pred", "category"], ["BUS", "CAR", "BUS", "BUS"], "pred['category'][1] is 'CAR'"),
    ("forecast", ["pred", "log"], [0, 1, 2, 0], "pred['log'][2] = 2"),
    ("forecast", ["gt", "timestamp_ns"], np.arange(3) * 1.0, "gt['timestamp_ns'] has dtype float64"),
    ("forecast", ["gt", "ego_xy"], np.zeros((2, 2)), "gt['ego_xy'] has 2 rows but gt['log'] has 3"),
    ("forecast", ["gt", "future_xy"], np.zeros((3, 5, 2)), "gt['future_xy'] has shape (3x5x2)"),
    ("forecast", ["pred", "modes_xy"], np.zeros((4, 7, 6, 2)), "mode_scores'] has 2 modes"),
    ("forecast", ["pred", "detection_score"], np.array([0.1, np.inf, 0.2, 0.3]), "detection_score'][1] is Inf"),
    ("sets", ["sets", "s", "score"], np.linspace(0, 1.4, 8), "['score'][6] = 1.2 is not a probability"),
    ("sets", ["sets", "s", "label"], [0, 1, 2, 0, 1, 0, 1, 0], "['label'][2] = 2 is not in {0, 1}"),
    ("sets", ["sets", "s", "spurious"], [0, 1], "['spurious'] has shape (2); expected (8)"),
    ("sets", ["sets", "s", "threshold"], 1.5, "threshold 1.5 is outside [0,1]"),
    ("sets", ["sets", "s", "label"], DELETE, "has no label"),
    ("envs", ["z_q"], np.zeros((4, 3)), "P_z has 2 feature columns but Q_z has 3"),
    ("envs", ["y_p"], [0, 1, 0, -1, 1], "P_y[3] = -1"),
    ("envs", ["z_p"], np.zeros((1, 2)), "environment P has 1 samples"),
    ("explain", ["head"], "relu", "head is 'relu'"),
    ("explain", ["edit_dir"], [[1, 0], [2, 1], [1, 1], [0, -1]], "edit_dir[1, 0] = 2 is not in {-1, 0, 1}"),
    ("explain", ["edit_valid"], [[1, 1], [1, 0], [1, 3], [1, 1]], "edit_valid[2, 1] = 3"),
    ("explain", ["out_orig"], np.full((4, 3), 0.5), "out_orig[0, :] sums to 1.5"),
    ("explain", ["out_edit"], np.full((4, 2, 2), 0.5), "out_edit has shape (4x2x2); expected (4x2x3)"),
    ("explain", ["class_names"], ["x", "y", "x"], "class_names[2] repeats class_names[0]"),
    ("explain", ["hypotheses"], [[0, 1], [0, 1]], "hypotheses[1] repeats hypotheses[0]"),
    ("explain", ["hypotheses"], [[0, 1], [2, 0]], "hypotheses[1] = (2, 0) is out of range"),
    ("explain", ["hypothesis_sign"], [1, 0], "hypothesis_sign[1] = 0"),
    ("explain", ["image_id"], ["a"], "image_id has 1 entries; expected 4"),
    ("tts", ["features"], np.zeros((3, 4, 2)), "features has shape (3x4x2)"),
    ("tts", ["features"], np.full((3, 4, 2, 2), np.nan), "features[0, 0, 0, 0] is NaN"),
    ("tts", ["fc_weight"], np.zeros((3, 4)), "fc_weight has shape (3x4); expected (2x4)"),
    ("tts", ["label"], [0, 2, 1], "label[1] = 2 is not in {0, 1}"),
    ("tts", ["kp_pos_count"], [2, 3, 0], "kp_pos_count[1] = 3 is outside 0..2"),
    ("tts", ["kp_neg"], np.full((3, 1, 2), 8), "kp_neg[0, 0] = (8, 8) is outside [0, 7]"),
    ("tts", ["kp_pos"], np.full((3, 2, 2), 1.0), "kp_pos has dtype float64"),
    ("tts", ["input_size"], 0, "input_size = 0 is not a positive integer"),
    ("splitcomp", ["names"], ["m1", "m1"], "configs/name[1] repeats configs/name[0]"),
    ("splitcomp", ["payload_bytes"], np.zeros((2, 5), int), "payload_bytes[0, 0] = 0 is outside 1..inf"),
    ("splitcomp", ["payload_bytes"], np.full((2, 5), 100.0), "payload_bytes has dtype float64"),
    ("splitcomp", ["correct"], np.full((2, 5), 2), "correct[0, 0] = 2 is not in {0, 1}"),
    ("splitcomp", ["t_srv"], np.full((2, 4), 0.1), "t_srv has shape (2x4); expected (2x5)"),
    ("splitcomp", ["t_enc"], np.full((2, 5), -0.1), "t_enc[0, 0] = -0.1 is not >= 0"),
    ("splitcomp", ["switch_s"], [[0, -1], [0, 0]], "switch_s[0, 1] = -1"),
    ("splitcomp", ["score"], np.zeros((2, 5)), "exactly one of correct and score"),
    ("splitcomp", ["traces", "t"], ([0.0, 1.0], [0.0, 0.0], 2.0), "carries no bits"),
    ("splitcomp", ["traces", "t"], ([0.5, 1.0], [1.0, 1.0], 2.0), "time_s[0] = 0.5"),
    ("splitcomp", ["traces", "t"], ([0.0, 1.0], [1.0, 1.0], 1.0), "duration_s = 1 must be after"),
]


def leftovers():
    return [n for n in os.listdir(WORK) if n.startswith(".sb-") or n == "bad.h5"]


for name, (fn, make) in WRITERS.items():
    try:
        fn(os.path.join(WORK, f"good_{name}.h5"), **make())
        ok(True, f"valid {fn.__name__} call succeeds")
    except Exception as e:
        ok(False, f"valid {fn.__name__} call raised {e}")
for name, path, value, words in CASES:
    fn, make = WRITERS[name]
    kw = copy.deepcopy(make())
    setp(kw, path, value)
    try:
        fn(os.path.join(WORK, "bad.h5"), **kw)
        ok(False, f"{fn.__name__} accepted {'/'.join(path)} (expected '{words}')")
        os.unlink(os.path.join(WORK, "bad.h5"))
    except sb.FormatError as e:
        ok(words in str(e) and str(e).startswith(fn.__name__ + ":") and not leftovers(),
           f"{fn.__name__} refuses {'/'.join(path)}: {e}")
    except Exception as e:
        ok(False, f"{fn.__name__} raised {type(e).__name__} instead of FormatError: {e}")
for p in leftovers():
    os.unlink(os.path.join(WORK, p))

try:
    sb.write_manifest(os.path.join(WORK, "m.csv"), [dict(dataset="d", model="m", path="p.h5"),
                                                    dict(dataset="d", model="m", path="q.h5")])
    ok(False, "write_manifest accepted a repeated pair")
except sb.FormatError as e:
    ok("rows 0 and 1: the pair (d, m) appears twice" in str(e), f"write_manifest refuses a repeated pair: {e}")
try:
    sb.write_manifest(os.path.join(WORK, "m.csv"), [dict(dataset="d", model="m", path="p.h5", accuracy="high")])
    ok(False, "write_manifest accepted accuracy 'high'")
except sb.FormatError as e:
    ok("accuracy = 'high' is not a number" in str(e), f"write_manifest refuses a non-numeric accuracy: {e}")


try:
    sb.write_tts_manifest(os.path.join(WORK, "t.csv"), [dict(set="s", path="a.h5"), dict(set="s", path="b.h5")])
    ok(False, "write_tts_manifest accepted a repeated set")
except sb.FormatError as e:
    ok("set 's' is named twice" in str(e), f"write_tts_manifest refuses a repeated set: {e}")


# The C readers refuse the same defects when written raw (bypassing the bridge).
def raw(fname, fill):
    p = os.path.join(WORK, fname)
    with h5py.File(p, "w") as f:
        fill(f)
    return p


def refused(args, words, what):
    r = subprocess.run([BIN, *args, "--output", os.path.join(WORK, "o_" + what.replace(" ", "_")), "--quiet"],
                       capture_output=True, text=True)
    ok(r.returncode != 0 and words in r.stderr, f"shardbench refuses raw {what} too (exit {r.returncode}): "
       + r.stderr.strip().splitlines()[-1][:200] if r.stderr.strip() else "")


def raw_pair(f):
    f["features"], f["labels"] = rng.standard_normal((6, 3)), np.array([0, 1, 3, 0, 1, 3])


pp = raw("raw_pair.h5", raw_pair)
with open(os.path.join(WORK, "raw_manifest.csv"), "w") as f:
    f.write("dataset,model,path\nd,m,raw_pair.h5\n")
refused(["transfer", "score", "--manifest", os.path.join(WORK, "raw_manifest.csv"), "--scorers", "leep"],
        "class 2 of 0..3 has no sample", "pair labels with a gap")


def raw_pose(f):
    f.attrs["parents"] = np.array([-1, 2, 1, 1])
    f["sequences/s1/gt"] = np.zeros((5, 4, 3))
    f["sequences/s1/pred"] = np.zeros((5, 4, 3))


refused(["pose", "eval", "--input", raw("raw_pose.h5", raw_pose)], "loops", "pose parents loop")


def raw_explain(f):
    kw = explain()
    g = f.create_group("explain")
    g.attrs["head"], g.attrs["stored"] = "softmax", "prob"
    for k in ("class_names", "concept_names"):
        g[k] = np.array(kw[k], dtype=object)
    g["out_orig"], g["out_edit"] = kw["out_orig"], kw["out_edit"]
    g["edit_dir"] = np.array([[1, 0], [2, 1], [1, 1], [0, -1]])


refused(["explain", "verify", "--input", raw("raw_explain.h5", raw_explain)], "/explain/edit_dir[1, 0] is 2", "explain edit_dir 2")


def raw_sc(f):
    kw = splitcomp()
    f["splitcomp/configs/name"] = np.array(kw["names"], dtype=object)
    f["splitcomp/correct"] = kw["correct"]
    f["splitcomp/payload_bytes"] = np.zeros((2, 5), int)
    f["splitcomp/t_enc"], f["splitcomp/t_srv"] = kw["t_enc"], kw["t_srv"]
    f["traces/t/time_s"], f["traces/t/bps"] = [0.0, 1.0], [1e6, 1e6]
    f["traces/t"].attrs["duration_s"] = 2.0


refused(["splitcomp", "eval", "--input", raw("raw_sc.h5", raw_sc)], "payload_bytes[0, 0] = 0", "splitcomp payload 0")


def raw_sc_correct(f):
    raw_sc(f)
    f["splitcomp/payload_bytes"][...] = 100
    c = np.zeros((2, 5), int)
    c[1, 2] = 7
    f["splitcomp/correct"][...] = c


refused(["splitcomp", "eval", "--input", raw("raw_sc2.h5", raw_sc_correct)], "correct[1, 2] = 7", "splitcomp correct 7")


def raw_tts(f):
    kw = tts()
    f["tts/features"], f["tts/fc/weight"], f["tts/fc/bias"] = kw["features"], kw["fc_weight"], kw["fc_bias"]
    f["tts/label"] = np.array(kw["label"])
    f["tts/kp/pos"], f["tts/kp/pos_count"] = kw["kp_pos"], np.array(kw["kp_pos_count"])
    f["tts/kp/neg"], f["tts/kp/neg_count"] = np.full((3, 1, 2), 8), np.array(kw["kp_neg_count"])
    f["tts"].attrs["input_size"] = 8


refused(["tts", "eval", "--input", raw("raw_tts.h5", raw_tts), "--upsample", "bilinear"],
        "/tts/kp/neg[0, 0] = (8, 8) is outside [0, 7]", "tts keypoint outside")
print(f"python_bad: {fails} failed")
sys.exit(1 if fails else 0)
