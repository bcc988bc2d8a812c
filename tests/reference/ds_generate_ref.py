"""Expected data of tests/unit/test_ds_generate.c (test_reference_data): the controlled data of
one distshift cell, written from specs/distshift.md ("Controlled data", "Diversity scope") and the
draw order documented in docs/distshift.md, independently of src/tasks/distshift/ds_generate.c.

Run: /usr/bin/python3 tests/reference/ds_generate_ref.py > tests/unit/ds_generate_ref.h
(numpy 1.24). The random numbers are the project's generator (src/core/rng.c: splitmix64
seeding, xoshiro256**, uniform = top 53 bits, below = rejection, normal = Marsaglia polar with a
spare), re-implemented here with Python integers. Everything else is the spec's definition:
  y fair coin; a = y iff u < (1+rho)/2; style g uniform among train styles (or held-out ones for
  the first round(f*n_test) entries of a Fisher-Yates permutation of the test positions);
  x_inv = o_g + (2y-1) mu_inv e_g + sigma_inv eps;
  x_sp  = (2a-1) mu_sp R(theta_g) u + sigma_sp eps, u = (1,...,1)/sqrt(d_sp), R(theta) the rotation
  by theta in the plane of spurious coordinates 0 and 1 -- for held-out styles in scope "both";
  R = I otherwise. theta_g = pi/4 + (pi/2) U for held-out styles, drawn after all style geometry.
Prints a C header: the configuration, the style angles and x, y, a, style of the train set and
of the test set in both scopes (17 significant digits).
"""
import math

import numpy as np

M64 = (1 << 64) - 1


class Rng:
    def __init__(self, seed, stream):
        x = (seed ^ 0x5348415244424E43) & M64
        x, z = self._splitmix(x)
        mixed = z ^ ((stream * 0xD1342543DE82EF95 + 0x632BE59BD9B4E019) & M64)
        self.s = []
        for _ in range(4):
            mixed, z = self._splitmix(mixed)
            self.s.append(z)
        self.spare = None

    @staticmethod
    def _splitmix(x):
        x = (x + 0x9E3779B97F4A7C15) & M64
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return x, z ^ (z >> 31)

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & M64

    def u64(self):
        s = self.s
        result = (self._rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self._rotl(s[3], 45)
        return result

    def uniform(self):
        return (self.u64() >> 11) * 2.0**-53

    def below(self, n):
        limit = M64 - M64 % n
        while True:
            x = self.u64()
            if x < limit:
                return x % n

    def normal(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        while True:
            u = 2.0 * self.uniform() - 1.0
            v = 2.0 * self.uniform() - 1.0
            s = u * u + v * v
            if 0.0 < s < 1.0:
                break
        m = math.sqrt(-2.0 * math.log(s) / s)
        self.spare = v * m
        return u * m


CFG = dict(d_inv=3, d_sp=3, mu_inv=1.5, mu_sp=2.0, sigma_inv=1.0, sigma_sp=1.0, G=4, G_train=2,
           spread=1.5, tilt=0.5, n_train=5, n_test=12, rho=0.5, p_test=0.5, diversity=0.5,
           seed=7, style_stream=100, sample_stream=200)


def styles(c):
    r = Rng(c["seed"], c["style_stream"])
    d = c["d_inv"]
    e = np.ones(d) / math.sqrt(d)
    off, dirs = [], []
    for _ in range(c["G"]):
        o = np.array([r.normal() for _ in range(d)])
        o /= np.linalg.norm(o)
        o -= (o @ e) * e  # orthogonal to the common class axis
        off.append(c["spread"] * o / np.linalg.norm(o))
        m = np.array([r.normal() for _ in range(d)])
        v = e + c["tilt"] * m
        dirs.append(v / np.linalg.norm(v))
    theta = [0.0 if g < c["G_train"] else math.pi / 4 + math.pi / 2 * r.uniform() for g in range(c["G"])]
    return np.array(off), np.array(dirs), np.array(theta)


def rotation(d_sp, t):
    R = np.eye(d_sp)
    R[:2, :2] = [[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]]
    return R


def sample(c, r, off, dirs, theta, p_agree, heldout, scope):
    y = r.below(2)
    a = y if r.uniform() < p_agree else 1 - y
    nt = c["G_train"]
    g = nt + r.below(c["G"] - nt) if heldout else r.below(nt)
    x_inv = off[g] + (2 * y - 1) * c["mu_inv"] * dirs[g] + c["sigma_inv"] * np.array(
        [r.normal() for _ in range(c["d_inv"])])
    u = np.ones(c["d_sp"]) / math.sqrt(c["d_sp"])
    R = rotation(c["d_sp"], theta[g]) if heldout and scope == "both" else np.eye(c["d_sp"])
    mean = (2 * a - 1) * c["mu_sp"] * (R @ u)
    assert abs(np.linalg.norm(mean) - c["mu_sp"]) < 1e-12  # the rotation keeps the norm
    x_sp = mean + c["sigma_sp"] * np.array([r.normal() for _ in range(c["d_sp"])])
    return np.concatenate([x_inv, x_sp]), y, a, g


def generate(c, scope):
    off, dirs, theta = styles(c)
    r = Rng(c["seed"], c["sample_stream"])
    train = [sample(c, r, off, dirs, theta, (1 + c["rho"]) / 2, False, scope) for _ in range(c["n_train"])]
    n = c["n_test"]
    perm = list(range(n))
    for i in range(n - 1, 0, -1):
        j = r.below(i + 1)
        perm[i], perm[j] = perm[j], perm[i]
    k = int(math.floor(c["diversity"] * n + 0.5))  # half-way away from zero (f*n >= 0)
    held = set(perm[:k])
    test = [sample(c, r, off, dirs, theta, c["p_test"], i in held, scope) for i in range(n)]
    return theta, train, test


def lit(v, fmt="%.17g"):
    return ", ".join(fmt % x for x in np.ravel(v))


def emit(name, rows):
    x = np.array([s[0] for s in rows])
    print(f"static const double {name}_x[] = {{{lit(x)}}};")
    for k, f in ((1, "y"), (2, "a"), (3, "style")):
        print(f"static const int {name}_{f}[] = {{{lit([s[k] for s in rows], '%d')}}};")


def main():
    c = CFG
    print("/* Generated by tests/reference/ds_generate_ref.py; do not edit. */")
    print("/* config: " + ", ".join(f"{k}={v}" for k, v in c.items()) + "; test set balanced */")
    theta, train, test_inv = generate(c, "invariant")
    theta2, train2, test_both = generate(c, "both")
    assert all(np.array_equal(p[0], q[0]) for p, q in zip(train, train2))
    print(f"static const double ref_angle[] = {{{lit(theta)}}};")
    emit("ref_train", train)
    emit("ref_test_invariant", test_inv)
    emit("ref_test_both", test_both)
    held = sum(s[3] >= c["G_train"] for s in test_both)
    print(f"/* {held} held-out test samples; their spurious coordinates 0 and 1 differ between scopes */")


if __name__ == "__main__":
    main()
