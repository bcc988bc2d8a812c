"""splitcomp_ref.py — an independent numpy replay of specs/splitcomp.md, used by
tests/cli/test_splitcomp_ref.sh to check every column of splitcomp eval's four CSVs.

Written from the spec's definitions, not from the C code, and by another route: a payload's
send time inverts the trace's cumulative-bits function W(t) = ∫_0^t c (searchsorted over the
segment ends, least t where W reaches W(u) + B), rather than walking segments; area summaries
integrate by the midpoint rule over the breakpoints (exact for piecewise-linear curves).

  python3 splitcomp_ref.py make DIR SEED          random small inputs (zero-capacity segments,
                                                  switch costs, score and correct variants)
  python3 splitcomp_ref.py check OUTDIR INPUT TRACES key=value ...   compare the CSVs
Only --order file is replayed here (the shuffle's generator is shardbench's own)."""
import csv
import math
import sys

import h5py
import numpy as np

REL = 1e-9


# ---------------------------------------------------------------- inputs
def make(d, seed):
    rng = np.random.default_rng(seed)
    for variant in ("a", "b"):
        M, N = (6, 9) if variant == "a" else (4, 5)
        with h5py.File(f"{d}/sc_{variant}.h5", "w") as f:
            g = f.create_group("splitcomp")
            g["configs/name"] = np.array([f"c{k}" for k in range(M)], dtype=h5py.string_dtype())
            if variant == "a":
                g["configs/model"] = np.array(["m1" if k % 2 else "m0" for k in range(M)],
                                              dtype=h5py.string_dtype())
                g["configs/encoder_bits"] = rng.integers(1, 100, M).astype(float) * 1e6
                g["configs/t_enc_est"] = rng.uniform(0.01, 0.08, M)
                g["configs/bytes_est"] = rng.uniform(3000, 40000, M)
                g["correct"] = (rng.uniform(size=(M, N)) < rng.uniform(0.2, 0.9, (M, 1))).astype(np.uint8)
                sw = rng.uniform(0, 0.05, (M, M))
                g["switch_s"] = sw
            else:
                g["score"] = rng.uniform(0, 1, (M, N))
            g["payload_bytes"] = rng.integers(1500, 60000, (M, N))
            g["t_enc"] = rng.uniform(0, 0.1, (M, N))
            g["t_srv"] = rng.uniform(0, 0.05, (M, N))
        with h5py.File(f"{d}/tr_{variant}.h5", "w") as f:
            for i in range(3):
                L = int(rng.integers(3, 9))
                t = np.concatenate([[0.0], np.cumsum(rng.uniform(0.2, 2.0, L - 1))])
                bps = rng.uniform(1e5, 2e6, L)
                bps[rng.uniform(size=L) < 0.3] = 0.0
                bps[int(rng.integers(0, L))] = rng.uniform(5e5, 2e6)
                if variant == "b":
                    bps[-1] = rng.uniform(2e5, 1e6)  # hold needs a last rate > 0
                g = f.create_group(f"traces/t{i}{variant}")
                g["time_s"] = t
                g["bps"] = bps
                g.attrs["duration_s"] = t[-1] + rng.uniform(0.1, 1.5)


def load(inp, traces):
    with h5py.File(inp, "r") as f:
        g = f["splitcomp"]
        names = [s.decode() if isinstance(s, bytes) else s for s in g["configs/name"][()]]
        M = len(names)
        model = ([s.decode() if isinstance(s, bytes) else s for s in g["configs/model"][()]]
                 if "model" in g["configs"] else ["model"] * M)
        D = dict(names=names, model=model)
        for k in ("encoder_bits", "t_enc_est", "bytes_est"):
            D[k] = g[f"configs/{k}"][()].astype(float) if k in g["configs"] else None
        D["value"] = (g["correct"][()] if "correct" in g else g["score"][()]).astype(float)
        D["payload"] = g["payload_bytes"][()].astype(float)
        D["t_enc"] = g["t_enc"][()].astype(float)
        D["t_srv"] = g["t_srv"][()].astype(float)
        D["switch"] = g["switch_s"][()].astype(float) if "switch_s" in g else np.zeros((M, M))
    T = []
    with h5py.File(traces, "r") as f:
        for name in sorted(f["traces"].keys(), key=lambda s: s.encode()):
            g = f["traces"][name]
            T.append(dict(name=name, t=g["time_s"][()].astype(float), bps=g["bps"][()].astype(float),
                          dur=float(g.attrs["duration_s"])))
    return D, T


# ---------------------------------------------------------------- link
class Link:
    """Cumulative bits W over one pass; beyond it, loop or hold."""

    def __init__(self, tr, hold):
        self.t, self.c, self.dur, self.hold = tr["t"], tr["bps"], tr["dur"], hold
        self.ends = np.append(self.t[1:], self.dur)
        self.cum = np.concatenate([[0.0], np.cumsum(self.c * (self.ends - self.t))])  # W at t[i], then dur
        self.P = self.cum[-1]

    def W(self, x):
        if x >= self.dur:
            if self.hold:
                return self.P + self.c[-1] * (x - self.dur)
            k = math.floor(x / self.dur)
            return k * self.P + self.W(x - k * self.dur) if x - k * self.dur < self.dur else (k + 1) * self.P
        i = int(np.searchsorted(self.t, x, side="right")) - 1
        return self.cum[i] + self.c[i] * (x - self.t[i])

    def Winv(self, w):
        """Least x with W(x) >= w."""
        if w > self.P:
            if self.hold:
                return self.dur + (w - self.P) / self.c[-1]
            k = math.ceil(w / self.P) - 1
            return k * self.dur + self.Winv(w - k * self.P)
        j = int(np.searchsorted(self.cum[1:], w, side="left"))  # first segment whose end reaches w
        while self.c[j] == 0:  # cannot end inside a segment carrying nothing
            j += 1
        return self.t[j] + (w - self.cum[j]) / self.c[j]

    def tx(self, u, bits):
        return self.Winv(self.W(u) + bits) - u


# ---------------------------------------------------------------- static results
def stats(D):
    st = dict(acc=D["value"].mean(axis=1), mb=D["payload"].mean(axis=1), sd=D["payload"].std(axis=1),
              te=D["t_enc"].mean(axis=1), ts=D["t_srv"].mean(axis=1))
    st["te_hat"] = D["t_enc_est"] if D["t_enc_est"] is not None else st["te"]
    st["b_hat"] = D["bytes_est"] if D["bytes_est"] is not None else st["mb"]
    st["fallback"] = int(np.argmin(st["mb"]))  # first minimum
    return st


def pareto(acc, mb, idx):
    order = sorted(idx, key=lambda k: (mb[k], -acc[k], k))
    best, front = -np.inf, []
    for k in order:
        if acc[k] > best:
            front.append(k)
            best = acc[k]
    return front  # by bytes ascending


def areas(acc, mb, front, rng):
    x = np.log(mb[front])
    a = acc[front]
    auc = np.nan if len(front) < 2 else np.trapz(a, x) / (x[-1] - x[0])
    if rng is None:
        return auc, np.nan
    lo, hi = math.log(rng[0]), math.log(rng[1])
    pts = np.unique(np.concatenate([[lo, hi], x[(x > lo) & (x < hi)]]))
    mid = (pts[1:] + pts[:-1]) / 2
    vals = np.interp(mid, x, a, left=0.0, right=a[-1])
    return auc, float(np.sum(vals * np.diff(pts)) / (hi - lo))


# ---------------------------------------------------------------- replay
def replay(D, st, tr, policy, dl, o):
    link = Link(tr, o["trace_end"] == "hold")
    M, N = D["value"].shape
    secs = o["seconds"] if o["seconds"] is not None else tr["dur"]
    F = int(math.floor(secs * o["fps"]))
    W = o["warmup"]
    dev = lnk = 0.0
    prev = None
    bhat, fb = 200.0, []  # feedback (t_done, frame, measured kB/s) not yet seen
    rows = []

    def timeline(k, s, t_s):
        sw = D["switch"][prev, k] if prev is not None and prev != k else 0.0
        t_e = t_s + sw + D["t_enc"][k, s]
        u = max(t_e, lnk)
        ttx = link.tx(u, 8 * D["payload"][k, s] * (1 + o["header"]))
        return sw, t_e, u, ttx, u + ttx + o["prop"] + D["t_srv"][k, s]

    def pick(srv):
        best = st["fallback"]
        for k in range(M):
            need = st["te_hat"][k] + (st["ts"][k] if srv else 0) + st["b_hat"][k] / (1000 * bhat)
            if need < 0.8 * dl and st["acc"][k] > st["acc"][best]:
                best = k
        return best

    for n in range(F):
        t_c = n / o["fps"]
        s = n % N
        t_s = max(t_c, dev)
        if policy.startswith("static:"):
            k = D["names"].index(policy[7:])
        elif policy in ("ewma", "ewma-srv"):
            if n == 0:
                k = st["fallback"]
            else:
                seen = sorted(f for f in fb if f[0] <= t_s)
                fb = [f for f in fb if f[0] > t_s]
                for f in seen:
                    bhat = 0.4 * f[2] + 0.6 * bhat
                k = pick(policy == "ewma-srv")
        else:
            lat = np.array([timeline(k, s, t_s)[4] - t_c for k in range(M)])
            ok = [k for k in range(M) if lat[k] <= dl]
            if ok:
                k = min(ok, key=lambda k: (-st["acc"][k], D["payload"][k, s], k))
            else:
                k = int(np.argmin(lat))
        sw, t_e, u, ttx, t_done = timeline(k, s, t_s)
        if policy in ("ewma", "ewma-srv"):
            fb.append((t_done, n, (D["payload"][k, s] / 1000) / (t_done - t_e - D["t_srv"][k, s])))
        L = t_done - t_c
        if n >= W:
            rows.append((D["value"][k, s], L, D["payload"][k, s], prev is not None and prev != k, sw))
        dev, lnk, prev = t_e, u + ttx, k
    v = np.array([r[0] for r in rows])
    L = np.array([r[1] for r in rows])
    late = L > dl
    return [len(rows), v.mean(), np.where(late, 0, v).mean(), late.mean(), L.mean(),
            np.percentile(L, 50), np.percentile(L, 95), np.percentile(L, 99),
            np.mean([r[2] for r in rows]), sum(r[3] for r in rows), sum(r[4] for r in rows)]


# ---------------------------------------------------------------- expected tables
def expected(D, T, o):
    st = stats(D)
    M = len(D["names"])
    models = list(dict.fromkeys(D["model"]))
    flags = np.zeros(M, int)
    fronts = []
    for m in models + ["ALL"]:
        idx = [k for k in range(M) if m == "ALL" or D["model"][k] == m]
        fr = pareto(st["acc"], st["mb"], idx)
        if m != "ALL":
            flags[fr] = 1
        auc, aur = areas(st["acc"], st["mb"], fr, o["auc_range"])
        fronts.append([m, len(idx), len(fr), st["mb"][idx].min(), st["mb"][idx].max(), auc, aur])
    eb = D["encoder_bits"]
    configs = [[D["model"][k], D["names"][k], st["acc"][k], st["mb"][k], st["sd"][k], st["mb"][k] / 1024,
                np.nan if eb is None else eb[k], st["te"][k], st["ts"][k], flags[k]] for k in range(M)]
    pols = []
    for w in o["policies"].split(","):
        pols += [f"static:{n}" for n in D["names"]] if w == "static" else [w]
    runs, summ = [], []
    for tr in T:
        for p in pols:
            for dl in o["deadlines"]:
                r = replay(D, st, tr, p, dl, o)
                runs.append([tr["name"], p, dl, 0] + r)
                summ.append([tr["name"], p, dl, 1] + r)
    for p in pols:
        for dl in o["deadlines"]:
            sel = [r for r in summ if r[1] == p and r[2] == dl]
            summ.append(["ALL", p, dl, 1] + list(np.mean([r[4:] for r in sel], axis=0)))
    return dict(splitcomp_configs=configs, splitcomp_fronts=fronts, splitcomp_runs=runs, splitcomp=summ)


def same(want, got):
    if isinstance(want, str):
        return want == got
    want = float(want)
    if math.isnan(want):
        return got == ""
    if got == "":
        return False
    g = float(got)
    return abs(g - want) <= REL * max(abs(want), 1e-300) or (want == 0 and abs(g) < 1e-15)


def check(outdir, inp, traces, kv):
    o = dict(deadlines=[0.3, 0.6], fps=2.0, seconds=None, policies="static,ewma,ewma-srv,oracle",
             header=0.0, prop=0.0, trace_end="loop", warmup=0, auc_range=None)
    for item in kv:
        k, v = item.split("=", 1)
        if k == "deadlines":
            o[k] = sorted(float(x) for x in v.split(","))
        elif k == "auc_range":
            o[k] = tuple(float(x) for x in v.split(","))
        elif k in ("fps", "seconds", "header", "prop"):
            o[k] = float(v)
        elif k == "warmup":
            o[k] = int(v)
        else:
            o[k] = v
    D, T = load(inp, traces)
    exp = expected(D, T, o)
    bad = 0
    for table, rows in exp.items():
        with open(f"{outdir}/{table}.csv") as f:
            got = list(csv.reader(f))
        head, got = got[0], got[1:]
        if len(got) != len(rows):
            print(f"{table}: {len(got)} rows, expected {len(rows)}")
            bad += 1
            continue
        for i, (w, g) in enumerate(zip(rows, got)):
            for c, (wv, gv) in enumerate(zip(w, g)):
                if not same(wv, gv):
                    bad += 1
                    if bad < 20:
                        print(f"{table} row {i} {head[c]}: got {gv}, expected {wv}")
    n = sum(len(r) * len(r[0]) for r in exp.values())
    print(f"{n} cells compared, {bad} differ")
    return bad == 0


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(0 if check(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]) else 1)
