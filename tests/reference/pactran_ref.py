"""Expected values for tests/unit/test_pactran.c (header tests/unit/pactran_ref_data.h).

Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tests/reference/pactran_ref.py PACTRAN_REPO > tests/unit/pactran_ref_data.h
  PACTRAN_REPO  google-research/pactran_metrics@a5e4997 (a work tree, or the bare git dir of the mirror)
with Debian 12's python3-numpy 1.24.2 and python3-scipy 1.10.1 (specs/scorers4.md, "Reference runs").

PACTran: compute_metrics.py is loaded as it is, with empty stand-ins for absl and TensorFlow (only
calculate_pac_gauss runs, and it uses numpy/scipy alone). The pins of the spec are applied from
outside its body: its random start np.random.normal(size=...)*0.03 gets zeros; its maxiter 100 is
replaced by the case's maxiter inside the call to scipy.optimize.minimize (everything else it passes,
tol=1e-6 and jac, is kept); the features are a float64 copy (it centres them in place). It returns
pac_opt and pac_gauss for its two s2 factors; sigma2_inv, which it does not return, is the scalar it
hands to np.log; nit and nfev come from the OptimizeResult it discards.

Every PACTran case is also run on features perturbed by 1 part in 1e13, and must give the same nit
and nfev: an expected count that hinged on rounding (a chaotic, ill-conditioned run) would test the
last bit of the arithmetic, not the replay.

Optimiser alone: scipy.optimize.minimize(method='L-BFGS-B', jac, tol=1e-6, options={'maxiter': m})
on Rosenbrock (scipy.optimize.rosen/rosen_der) and on a quadratic with a biased gradient whose line
searches fail (a restart, then an abnormal stop).
"""
import os
import subprocess
import sys
import types
import warnings

import numpy as np
import scipy.optimize
import scipy.special

warnings.simplefilter("ignore")


def source(repo, path):
    f = os.path.join(repo, path)
    if os.path.exists(f):
        return open(f).read()
    return subprocess.run(["git", "--git-dir", repo, "show", "HEAD:" + path], check=True,
                          capture_output=True, text=True).stdout


def stub(name, **attrs):
    mod = types.ModuleType(name)
    mod.__dict__.update(attrs)
    sys.modules[name] = mod
    return mod


def load_pactran(repo):
    noop = lambda *a, **k: None
    absl = stub("absl")
    absl.app = stub("absl.app")
    absl.flags = stub("absl.flags", FLAGS=None, DEFINE_string=noop, DEFINE_integer=noop,
                      DEFINE_float=noop, DEFINE_bool=noop, DEFINE_boolean=noop, DEFINE_enum=noop)
    tf = stub("tensorflow")
    tf.compat = stub("tensorflow.compat")
    tf.compat.v1 = stub("tensorflow.compat.v1")
    mod = types.ModuleType("compute_metrics")
    exec(compile(source(repo, "compute_metrics.py"), f"{repo}:compute_metrics.py", "exec"), mod.__dict__)
    return mod


cm = load_pactran(sys.argv[1])
seen = {}


def pinned_minimize(*args, **kwargs):
    kwargs["options"] = dict(kwargs["options"], maxiter=seen["maxiter"])
    seen["res"] = scipy.optimize.minimize(*args, **kwargs)
    return seen["res"]


class NumpyWithZeroStart:
    """numpy as the module sees it: zeros for the random start, np.log noting its scalar argument."""

    def __getattr__(self, name):
        return getattr(np, name)

    random = types.SimpleNamespace(normal=lambda size: np.zeros(size))

    @staticmethod
    def log(x):
        if np.ndim(x) == 0 and "sigma2_inv" not in seen:
            seen["sigma2_inv"] = float(x)
        return np.log(x)


cm.np = NumpyWithZeroStart()
cm.scipy = types.SimpleNamespace(optimize=types.SimpleNamespace(minimize=pinned_minimize),
                                 special=scipy.special)


def pactran(F, y, lam, maxiter):
    seen.clear()
    seen["maxiter"] = maxiter
    rv, _ = cm.calculate_pac_gauss(np.array(F, dtype=np.float64), y.copy(), lam)
    r = seen["res"]
    # rv: (pac_gauss, time, pac_opt, time) for the first s2 factor, then for the second
    return dict(pac_opt=rv[2][1], pac_gauss=rv[0][1], pac_gauss2=rv[4][1],
                sigma2_inv=seen["sigma2_inv"], nit=int(r.nit), nfev=int(r.nfev), msg=r.message)


def lit(a):
    return ", ".join(repr(float(v)) for v in np.ravel(a))


def ilit(a):
    return ", ".join(str(int(v)) for v in np.ravel(a))


def recipe(seed, N, D, C, sep=0.15, scale=1.0):
    """The worked problem's recipe at another size (class means ~ N(0, sep)), printed to 6
    decimals (exact in both languages)."""
    rng = np.random.default_rng(seed)
    y = rng.choice(C, N, p=rng.dirichlet(5 * np.ones(C)))
    y[:C] = np.arange(C)
    M = rng.normal(0, sep, (C, D))
    F = np.maximum(M[y] + rng.normal(0, 1.5, (N, D)) + 0.5, 0) * scale
    return np.round(F, 6), y


def zero_gradient_problem():
    """Three classes holding the same 20 rows: Xcᵀ(Q − Y) and the bias gradient vanish at θ = 0."""
    rng = np.random.default_rng(7)
    block = np.round(rng.normal(0, 1, (20, 4)), 6)
    return np.tile(block, (3, 1)), np.repeat(np.arange(3), 20)


def robust(F, y, lam, maxiter, r):
    p = pactran(F * (1 + 1e-13), y, lam, maxiter)
    return (p["nit"], p["nfev"]) == (r["nit"], r["nfev"])


problems = [
    ("A", "N=300 D=20 C=5, separated classes", recipe(11, 300, 20, 5, sep=1.0)),
    ("B", "N=240 D=16 C=2, separated classes", recipe(12, 240, 16, 2, sep=1.0)),
    ("K", "N=400 D=10 C=80", recipe(13, 400, 10, 80)),
    ("W", "N=30 D=40 C=3 (D > N)", recipe(14, 30, 40, 3)),
]
print("/* Generated by tests/reference/pactran_ref.py: google-research/pactran_metrics@a5e4997")
print(" * compute_metrics.py::calculate_pac_gauss (zero start, maxiter pinned), scipy 1.10.1. */")
print("#ifndef PACTRAN_REF_DATA_H\n#define PACTRAN_REF_DATA_H\n")
print("typedef struct pac_case {\n    double lam; long maxiter; long nit, nfev;")
print("    double pac_opt, pac_gauss, pac_gauss_s2b, sigma2_inv; /* s2b: the reference's second s2 factor, 10·λ */")
print("} pac_case;\n")
for name, what, (F, y) in problems:
    N, D = F.shape
    print(f"/* {name}: {what} */")
    print(f"static const double {name}_X[] = {{{lit(F)}}};")
    print(f"static const int {name}_y[] = {{{ilit(y)}}};")
    print(f"static const pac_case {name}_cases[] = {{")
    for lam in (10.0, 1.0, 0.1):
        for maxiter in (10, 100):
            r = pactran(F, y, lam, maxiter)
            assert robust(F, y, lam, maxiter, r), (name, lam, maxiter)
            print(f"    {{{lam!r}, {maxiter}, {r['nit']}, {r['nfev']}, {r['pac_opt']!r}, {r['pac_gauss']!r}, "
                  f"{r['pac_gauss2']!r}, {r['sigma2_inv']!r}}}, /* {r['msg']} */")
    print("};\n")

F, y = zero_gradient_problem()
r = pactran(F, y, 1.0, 100)
assert r["nit"] == 0 and r["nfev"] == 1, r
print("/* Z: N=60 D=4 C=3, every class the same 20 rows: the gradient vanishes at θ = 0 */")
print(f"static const double Z_X[] = {{{lit(F)}}};")
print(f"static const int Z_y[] = {{{ilit(y)}}};")
print(f"static const pac_case Z_case = {{1.0, 100, {r['nit']}, {r['nfev']}, {r['pac_opt']!r}, "
      f"{r['pac_gauss']!r}, {r['pac_gauss2']!r}, {r['sigma2_inv']!r}}}; /* {r['msg']} */\n")

F, y = recipe(16, 200, 12, 2, scale=0.01)
r = pactran(F, y, 0.1, 100)
assert "PROJECTED_GRADIENT" in r["msg"] and r["nit"] > 1 and robust(F, y, 0.1, 100, r), r
print("/* G: N=200 D=12 C=2, features ×0.01, λ 0.1: stops on ‖g‖∞ ≤ 1e-6 after a few iterations */")
print(f"static const double G_X[] = {{{lit(F)}}};")
print(f"static const int G_y[] = {{{ilit(y)}}};")
print(f"static const pac_case G_case = {{0.1, 100, {r['nit']}, {r['nfev']}, {r['pac_opt']!r}, "
      f"{r['pac_gauss']!r}, {r['pac_gauss2']!r}, {r['sigma2_inv']!r}}}; /* {r['msg']} */\n")


# ---- the optimiser alone ----
def lbfgsb(f, g, x0, maxiter):
    r = scipy.optimize.minimize(f, x0, jac=g, method="L-BFGS-B", tol=1e-6, options={"maxiter": maxiter})
    return r


W4 = np.array([1.0, 2.0, 3.0, 4.0])


def biased(b):
    """½ Σ w_i x_i² with a gradient biased by b·(1, −1, 1, −1): near the gradient's zero the
    function rises along every direction the gradient offers, so the line searches fail."""
    bias = b * np.array([1.0, -1.0, 1.0, -1.0])
    return (lambda x: 0.5 * np.sum(W4 * x * x)), (lambda x: W4 * x + bias)


def absrosen():
    """A non-smooth Rosenbrock: its line searches revisit points, which scipy does not count twice."""
    f = lambda x: abs(1 - x[0]) + 10 * abs(x[1] - x[0] ** 2)
    g = lambda x: np.array([-np.sign(1 - x[0]) - 20 * x[0] * np.sign(x[1] - x[0] ** 2),
                            10 * np.sign(x[1] - x[0] ** 2)])
    return f, g


def stop_name(msg):
    for key, name in (("PROJECTED_GRADIENT", "GTOL"), ("REL_REDUCTION", "FTOL"), ("ITERATIONS", "MAXITER"),
                      ("ABNORMAL", "ABNORMAL")):
        if key in msg:
            return "SB_LBFGSB_" + name
    raise ValueError(msg)


print("typedef struct opt_case {\n    const char *fn; int n; double b; long maxiter;")
print("    long nit, nfev; int stop; double f; double x[6];\n} opt_case;\n")
print("/* scipy.optimize.minimize(f, x0, jac=g, method='L-BFGS-B', tol=1e-6, options={'maxiter': m}),")
print(" * x0 = (-1.2, 1, -1.2, 1, ...): 'rosen' = scipy.optimize.rosen/rosen_der, 'biased' =")
print(" * ½ Σ (i+1)·x_i² with gradient (i+1)·x_i + b·(1, −1, 1, −1), 'absrosen' = |1 − x0| + 10|x1 − x0²|;")
print(" * f is f(res.x) (res.fun is the last evaluation's after an abnormal stop). */")
print("static const opt_case opt_cases[] = {")
for fn, n, b, maxiter in (("rosen", 2, 0.0, 100), ("rosen", 6, 0.0, 100), ("rosen", 6, 0.0, 10),
                          ("rosen", 4, 0.0, 1000), ("biased", 4, 0.0, 100), ("biased", 4, 0.05, 100),
                          ("biased", 4, 0.03, 100), ("absrosen", 2, 0.0, 100)):
    x0 = np.array([-1.2, 1.0] * (n // 2))
    f, g = {"rosen": lambda: (scipy.optimize.rosen, scipy.optimize.rosen_der), "biased": lambda: biased(b),
            "absrosen": absrosen}[fn]()
    r = lbfgsb(f, g, x0, maxiter)
    r2 = lbfgsb(f, g, x0 * (1 + 1e-13), maxiter)
    assert (r.nit, r.nfev) == (r2.nit, r2.nfev), (fn, n, b)
    print(f'    {{"{fn}", {n}, {b!r}, {maxiter}, {r.nit}, {r.nfev}, {stop_name(r.message)}, {float(f(r.x))!r}, '
          f'{{{lit(r.x)}}}}}, /* {r.message} */')
print("};\n")

# ---- numpy's summation order (numerics/numpy_sum.c) ----
def sum_data(n, e):
    """Terms of mixed sign over 2^e binades, each a correctly rounded quotient: the same in C."""
    i = np.arange(n)
    a = (((i * 7919) % 10007) + 1.0) / 10007.0 * np.ldexp(1.0, (i * 31) % e - e // 2)
    return np.where(i % 3 == 0, -a, a)


print("/* np.sum(a) and np.sum(np.square(a)) for a = sum_data(n, e) of the script */")
print("typedef struct sum_case {\n    long n; int e; double sum, sumsq;\n} sum_case;")
print("static const sum_case sum_cases[] = {")
for e in (13, 29, 61):
    for n in (1, 2, 7, 8, 9, 15, 16, 17, 20, 80, 127, 128, 129, 200, 1000, 8192, 8193, 12000, 16385, 20480,
              30000, 50000):
        a = sum_data(n, e)
        print(f"    {{{n}, {e}, {float(np.sum(a))!r}, {float(np.sum(np.square(a)))!r}}},")
print("};\n")
print("#endif")
