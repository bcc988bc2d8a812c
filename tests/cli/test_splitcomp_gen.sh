# gen splitcomp (specs/splitcomp.md "Generator"): accuracies within binomial error of the mAP
# table (4 standard errors), a sample solved by a mode solved by every mode of higher mAP,
# payloads 6912·b, the estimates, traces of 0.5-s slots on the three rates with a stay
# probability near 0.9; the same seed gives the same files' values, another seed other values.
source "$(dirname "$0")/lib.sh"
"$SB_BIN" gen splitcomp --output g1 --seed 21 --samples 20000 --traces 4 --trace-seconds 600 >/dev/null
"$SB_BIN" gen splitcomp --output g2 --seed 21 --samples 20000 --traces 4 --trace-seconds 600 >/dev/null
"$SB_BIN" gen splitcomp --output g3 --seed 22 --samples 20000 --traces 4 --trace-seconds 600 >/dev/null
"$SB_BIN" splitcomp eval --input g1/splitcomp.h5 --traces g1/traces.h5 --policies static:11 --seconds 5 --output e1 --quiet >/dev/null
$PY - g1 g2 g3 e1/splitcomp_configs.csv <<'PY' && ok "generated modes and traces follow the spec" || bad "generator"
import sys, csv, h5py, numpy as np
MAP = [14.5, 27.7, 32.0, 34.3, 16.5, 29.4, 34.1, 36.1, 16.4, 29.4, 34.2, 36.4, 16.6, 29.7, 34.6, 36.8]
a, b, c = (h5py.File(f"{d}/splitcomp.h5", "r")["splitcomp"] for d in sys.argv[1:4])
cor = a["correct"][()].astype(float); N = cor.shape[1]; p = np.array(MAP) / 100
assert cor.shape == (16, 20000)
assert np.all(np.abs(cor.mean(1) - p) <= 4 * np.sqrt(p * (1 - p) / N)), cor.mean(1)
for k in range(16):
    for j in range(16):
        if MAP[k] <= MAP[j]: assert np.all(cor[k] <= cor[j])
rows = list(csv.DictReader(open(sys.argv[4])))
assert [r["config"] for r in rows] == [f"{e}{b}" for e in range(1, 5) for b in range(1, 5)]
assert np.allclose([float(r["accuracy"]) for r in rows], cor.mean(1), rtol=0, atol=1e-15)
eb = np.array([(e, bb) for e in range(1, 5) for bb in range(1, 5)])
assert np.all(a["payload_bytes"][()] == (6912 * eb[:, 1])[:, None])
assert np.allclose(a["configs/t_enc_est"][()], 0.006 * (10 * eb[:, 0] + eb[:, 1]))
assert np.allclose(a["configs/encoder_bits"][()], eb[:, 0] * 1e7)
assert [s.decode() for s in a["configs/model"][()]] == ["slimmable"] * 16
te = a["t_enc"][()] / (0.066 * eb[:, 0])[:, None]
assert abs(np.log(te).std() - 0.05) < 0.002 and abs(np.log(a["t_srv"][()] / 0.02).std() - 0.1) < 0.003
assert np.array_equal(a["t_enc"][()], b["t_enc"][()]) and not np.array_equal(a["t_enc"][()], c["t_enc"][()])
t = h5py.File(f"{sys.argv[1]}/traces.h5", "r")["traces"]
assert sorted(t.keys()) == ["ge1", "ge2", "ge3", "ge4"]
stay = []
for n in t:
    g = t[n]; bps = g["bps"][()]
    assert g.attrs["duration_s"] == 600 and np.allclose(g["time_s"][()], 0.5 * np.arange(1200))
    assert set(np.unique(bps)) <= {3e5, 9e5, 1.8e6}
    stay.append(np.mean(bps[1:] == bps[:-1]))
assert abs(np.mean(stay) - 0.9) < 0.02, stay
PY
finish
