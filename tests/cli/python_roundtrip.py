#!/usr/bin/python3
"""Round trips through the Python bridge (python/shardbench) for tests/cli/test_python_roundtrip.sh.

usage: python_roundtrip.py SHARDBENCH WORKDIR

For every input format: a file made by `shardbench gen` is read with h5py, written again by the
bridge from the plain arrays, and both files are evaluated by shardbench: every output CSV must be
byte-identical (timing columns aside), so the bridge writes exactly what the C readers read, with
the same values. Where a metric is one line of numpy (distshift eval accuracy, pose MPJPE,
splitcomp static accuracy, a transfer pair's features) the output is also compared with numpy
computed from the arrays given to the bridge. Prints ok:/FAIL: lines; exit 1 on any failure."""
import csv
import io
import os
import subprocess
import sys

import h5py
import numpy as np

import shardbench as sb

BIN, WORK = sys.argv[1], sys.argv[2]
TIMING = {"seconds", "wall_seconds", "elapsed_s", "time_s"}
fails = 0


def ok(cond, what):
    global fails
    print(("ok: " if cond else "FAIL: ") + what)
    fails += 0 if cond else 1


def run(*args):
    r = subprocess.run([BIN, *args, "--quiet"], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"FAIL: shardbench {' '.join(args)} exited {r.returncode}: {r.stderr.strip()[:400]}")
        sys.exit(1)


def gen(task, *opts):
    out = os.path.join(WORK, "gen_" + task)
    subprocess.run([BIN, "gen", task, "--output", out, "--seed", "5", *opts], check=True, capture_output=True)
    return out


def read_csv(path):
    """Rows of a CSV with the timing columns blanked."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    drop = [i for i, c in enumerate(rows[0]) if c in TIMING or c.endswith("_seconds")]
    return [[v for i, v in enumerate(r) if i not in drop] for r in rows]


def same_outputs(a, b, what):
    names = sorted(n for n in os.listdir(a) if n.endswith(".csv"))
    ok(names == sorted(n for n in os.listdir(b) if n.endswith(".csv")) and names, f"{what}: same tables {names}")
    with open(os.path.join(b, "failures.csv")) as f:
        ok(len(f.read().splitlines()) == 1, f"{what}: no unit failed")
    for n in names:
        ok(read_csv(os.path.join(a, n)) == read_csv(os.path.join(b, n)), f"{what}: {n} identical")


def table(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def h5(path):
    return h5py.File(path, "r")


def strs(ds):
    return [s.decode() if isinstance(s, bytes) else s for s in ds[()]]


def transfer():
    g = gen("transfer", "--datasets", "2", "--models", "3")
    bridge = os.path.join(WORK, "br_transfer")
    rows = table(os.path.join(g, "manifest.csv"))
    for r in rows:
        with h5(os.path.join(g, r["path"])) as f:
            sb.write_pair(os.path.join(bridge, r["path"]), f["features"][()], f["labels"][()],
                          f["source_probs"][()] if "source_probs" in f else None)
    sb.write_manifest(os.path.join(bridge, "manifest.csv"), rows)
    for src, out in ((g, "o_gen"), (bridge, "o_br")):
        run("transfer", "score", "--manifest", os.path.join(src, "manifest.csv"), "--output",
            os.path.join(WORK, "transfer_" + out), "--scorers", "leep,logme,hscore,nce")
    same_outputs(os.path.join(WORK, "transfer_o_gen"), os.path.join(WORK, "transfer_o_br"), "transfer score")
    # values as given: float32 features stay float32, labels are what was passed
    x = np.random.default_rng(1).standard_normal((6, 3)).astype(np.float32)
    p = sb.write_pair(os.path.join(WORK, "one.h5"), x, [0, 1, 2, 0, 1, 2])
    with h5(p) as f:
        ok(f["features"].dtype == np.float32 and np.array_equal(f["features"][()], x)
           and list(f["labels"][()]) == [0, 1, 2, 0, 1, 2], "write_pair keeps float32 features and labels")
    um = os.umask(0)
    os.umask(um)
    ok(os.stat(p).st_mode & 0o777 == 0o666 & ~um, "the written file has the umask's mode, not mkstemp's 0600")


def forecast():
    g = gen("forecast", "--size", "demo")
    src = os.path.join(g, "forecast.h5")
    with h5(src) as f:
        logs, cats = strs(f["logs"]), strs(f["categories"])
        parts = {p: {k: f[p][k][()] for k in f[p]} for p in ("gt", "pred")}
    for p in parts.values():  # names instead of indices: the bridge maps them
        p["log"] = np.array([logs[i] for i in p["log"]])
        p["category"] = np.array([cats[i] for i in p["category"]])
    dst = sb.write_forecast(os.path.join(WORK, "br_forecast.h5"), logs, gt=parts["gt"], pred=parts["pred"])
    for inp, out in ((src, "o_gen"), (dst, "o_br")):
        run("forecast", "eval", "--input", inp, "--output", os.path.join(WORK, "forecast_" + out))
    same_outputs(os.path.join(WORK, "forecast_o_gen"), os.path.join(WORK, "forecast_o_br"), "forecast eval")


def pose():
    g = gen("pose", "--sequences", "3", "--frames", "24", "--hyps", "2")
    src = os.path.join(g, "pose.h5")
    seqs = {}
    with h5(src) as f:
        parents, lr = f.attrs["parents"], f.attrs.get("lr_pairs")
        parts = [s.decode() if isinstance(s, bytes) else s for s in f.attrs["parts"]] if "parts" in f.attrs else None
        for name, sg in f["sequences"].items():
            seqs[name] = {k: sg[k][()] for k in sg}
            for a in ("action", "root_relative"):
                if a in sg.attrs:
                    v = sg.attrs[a]
                    seqs[name][a] = v.decode() if isinstance(v, bytes) else (bool(v) if a == "root_relative" else v)
    dst = sb.write_pose(os.path.join(WORK, "br_pose.h5"), seqs, parents, lr_pairs=lr, parts=parts)
    for inp, out in ((src, "o_gen"), (dst, "o_br")):
        run("pose", "eval", "--input", inp, "--output", os.path.join(WORK, "pose_" + out))
    same_outputs(os.path.join(WORK, "pose_o_gen"), os.path.join(WORK, "pose_o_br"), "pose eval")
    rows = {r["sequence"]: r for r in table(os.path.join(WORK, "pose_o_br", "pose.csv"))}
    worst = 0.0
    for name, s in seqs.items():
        if "pred" in s and not s.get("root_relative"):
            mpjpe = np.linalg.norm(s["pred"] - s["gt"], axis=-1).mean()
            worst = max(worst, abs(float(rows[name]["mpjpe"]) - mpjpe) / mpjpe)
    ok(worst < 1e-9, f"pose.csv mpjpe equals numpy's mean joint distance of the bridge's arrays (rel {worst:.1e})")


def distshift():
    g = gen("distshift", "--n-train", "150", "--n-test", "120")
    src = os.path.join(g, "distshift.h5")
    with h5(src) as f:
        env = {e: (f[e]["z"][()], f[e]["y"][()]) for e in ("P", "Q")}
    dst = sb.write_distshift_envs(os.path.join(WORK, "br_envs.h5"), *env["P"], *env["Q"])
    for inp, out in ((src, "o_gen"), (dst, "o_br")):
        run("distshift", "quantify", "--input", inp, "--output", os.path.join(WORK, "quant_" + out), "--samples", "400")
    same_outputs(os.path.join(WORK, "quant_o_gen"), os.path.join(WORK, "quant_o_br"), "distshift quantify")
    # eval: random predictions, accuracy and n against numpy on the arrays given
    rng = np.random.default_rng(7)
    sets = {}
    for name, n, thr in (("alpha", 50, None), ("beta", 33, 0.3)):
        s = {"score": rng.random(n), "label": rng.integers(0, 2, n), "spurious": rng.integers(0, 2, n)}
        if thr is not None:
            s["threshold"] = thr
        sets[name] = s
    dst = sb.write_distshift_sets(os.path.join(WORK, "br_sets.h5"), sets)
    run("distshift", "eval", "--input", dst, "--output", os.path.join(WORK, "dseval"))
    rows = {r["set"]: r for r in table(os.path.join(WORK, "dseval", "distshift.csv"))}
    for name, s in sets.items():
        acc = np.mean((s["score"] > s.get("threshold", 0.5)) == s["label"])
        r = rows.get(name, {})
        ok(abs(float(r.get("accuracy", "nan")) - acc) < 1e-12 and int(r.get("n", -1)) == len(s["score"]),
           f"distshift eval set {name}: accuracy {r.get('accuracy')} = numpy {acc:.6f}, n = {len(s['score'])}")


def explain():
    g = gen("explain", "--images", "150", "--concepts", "3", "--outputs", "2")
    src = os.path.join(g, "explain.h5")
    with h5(src) as f:
        e = f["explain"]
        a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in e.attrs.items()}
        kw = dict(head=a["head"], stored=a["stored"], class_names=strs(e["class_names"]),
                  concept_names=strs(e["concept_names"]), out_orig=e["out_orig"][()], out_edit=e["out_edit"][()],
                  edit_dir=e["edit_dir"][()], edit_valid=e["edit_valid"][()] if "edit_valid" in e else None)
        for k in ("threshold", "dataset", "classifier"):
            if k in a:
                kw[k] = a[k]
    dst = sb.write_explain(os.path.join(WORK, "br_explain.h5"), **kw)
    for inp, out in ((src, "o_gen"), (dst, "o_br")):
        run("explain", "verify", "--input", inp, "--output", os.path.join(WORK, "explain_" + out), "--bootstrap", "50")
    same_outputs(os.path.join(WORK, "explain_o_gen"), os.path.join(WORK, "explain_o_br"), "explain verify")


def splitcomp():
    g = gen("splitcomp", "--samples", "150", "--traces", "2", "--trace-seconds", "20")
    src, tsrc = os.path.join(g, "splitcomp.h5"), os.path.join(g, "traces.h5")
    with h5(src) as f:
        s = f["splitcomp"]
        kw = {k: s[k][()] for k in s if k != "configs"}
        kw.update({k: s["configs"][k][()] for k in s["configs"]})
        kw["names"] = strs(s["configs"]["name"])
        del kw["name"]
        if "model" in kw:
            kw["model"] = strs(s["configs"]["model"])
    with h5(tsrc) as f:
        tr = {n: (t["time_s"][()], t["bps"][()], float(t.attrs["duration_s"])) for n, t in f["traces"].items()}
    dst = sb.write_splitcomp(os.path.join(WORK, "br_splitcomp.h5"), **kw)
    tdst = sb.write_traces(os.path.join(WORK, "br_traces.h5"), tr)
    for inp, t, out in ((src, tsrc, "o_gen"), (dst, tdst, "o_br")):
        run("splitcomp", "eval", "--input", inp, "--traces", t, "--output", os.path.join(WORK, "sc_" + out),
            "--seeds", "1", "--deadlines", "0.5")
    same_outputs(os.path.join(WORK, "sc_o_gen"), os.path.join(WORK, "sc_o_br"), "splitcomp eval")
    rows = {r["config"]: r for r in table(os.path.join(WORK, "sc_o_br", "splitcomp_configs.csv"))}
    acc = kw["correct"].mean(axis=1)
    worst = max(abs(float(rows[n]["accuracy"]) - acc[i]) for i, n in enumerate(kw["names"]))
    ok(worst < 1e-12, f"splitcomp_configs.csv accuracy equals numpy's mean of the bridge's correct (diff {worst:.1e})")
    # the same data with traces appended into the input file: read the same way
    both = sb.write_splitcomp(os.path.join(WORK, "br_sc_both.h5"), **kw, traces=tr)
    run("splitcomp", "eval", "--input", both, "--output", os.path.join(WORK, "sc_o_both"), "--seeds", "1",
        "--deadlines", "0.5")
    same_outputs(os.path.join(WORK, "sc_o_gen"), os.path.join(WORK, "sc_o_both"), "splitcomp eval, traces inside")


def tts():
    g = gen("tts", "--bias-factors", "0,1", "--splits", "1", "--images", "60", "--channels", "16",
            "--keypoints", "5", "--dtype", "float16")
    rows = table(os.path.join(g, "tts", "manifest.csv"))
    bridge = os.path.join(WORK, "br_tts")
    for r in rows:
        with h5(os.path.join(g, "tts", r["path"])) as f:
            t = f["tts"]
            a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in t.attrs.items()}
            kw = dict(features=t["features"][()], fc_weight=t["fc/weight"][()], fc_bias=t["fc/bias"][()],
                      label=t["label"][()], kp_pos=t["kp/pos"][()], kp_pos_count=t["kp/pos_count"][()],
                      kp_neg=t["kp/neg"][()], kp_neg_count=t["kp/neg_count"][()], input_size=int(a["input_size"]),
                      group=t["group"][()] if "group" in t else None,
                      image_id=strs(t["image_id"]) if "image_id" in t else None)
            f16 = t["features"].dtype == np.float16
        p = sb.write_tts(os.path.join(bridge, r["path"]), **kw)
        with h5(p) as f:
            ok(f16 and f["tts/features"].dtype == np.float16, f"write_tts keeps float16 features ({r['set']})")
    sb.write_tts_manifest(os.path.join(bridge, "manifest.csv"),
                          [dict(r, bias_factor=float(r["bias_factor"]), split=int(r["split"])) for r in rows])
    for src, out in ((os.path.join(g, "tts"), "o_gen"), (bridge, "o_br")):
        run("tts", "eval", "--manifest", os.path.join(src, "manifest.csv"), "--output", os.path.join(WORK, "tts_" + out),
            "--budgets", "1,all")
    same_outputs(os.path.join(WORK, "tts_o_gen"), os.path.join(WORK, "tts_o_br"), "tts eval")


for step in sys.argv[3:] or ["transfer", "forecast", "pose", "distshift", "explain", "splitcomp", "tts"]:
    globals()[step]()
print(f"python_roundtrip: {fails} failed")
sys.exit(1 if fails else 0)
