"""Expected values for tests/unit/test_logreg.c.

Run: /usr/bin/python3 tests/reference/logreg_ref.py
Uses sklearn 1.2 LogisticRegression(multi_class='multinomial', solver='newton-cg') with
C = 1/(n*l2): sklearn minimises sum_i loss_i + ||W||^2/(2C) (intercept unpenalised), which is
n times the project's objective mean_i loss_i + (l2/2)||W||^2, so both have the same optimum.
The script checks that claim by evaluating the project's objective and its gradient at
sklearn's solution with numpy.
"""
import warnings
import numpy as np
from sklearn.linear_model import LogisticRegression
from scipy.special import logsumexp


def objective(X, y, W, b, l2):
    Z = X @ W.T + b
    L = Z - logsumexp(Z, axis=1, keepdims=True)
    n, c = Z.shape
    f = -L[np.arange(n), y].mean() + 0.5 * l2 * (W ** 2).sum()
    G = np.exp(L)
    G[np.arange(n), y] -= 1
    G /= n
    gW = G.T @ X + l2 * W
    gb = G.sum(0)
    return f, max(abs(gW).max(), abs(gb).max())


# sklearn's 'lbfgs' solver (scipy L-BFGS-B) also stops on a relative change of f of ~2e-9
# (factr 1e7), which here leaves |grad|_inf ~ 1e-5 and the parameters correct to only ~1e-4.
# 'newton-cg' minimises the very same objective (sklearn 1.2 _logistic.py: l2_reg_strength = 1/C
# on the summed loss for both) and stops on the gradient only, so with tol 1e-10 it reaches the
# optimum to ~1e-11 (smaller tolerances only exhaust max_iter at the same point). The
# project's objective and |grad|_inf at the point found are printed with each case.
SOLVER = "newton-cg"
warnings.simplefilter("ignore")


def lit(a):
    return ", ".join(repr(float(v)) for v in np.ravel(a))


def case(name, X, y, l2):
    n = X.shape[0]
    m = LogisticRegression(multi_class="multinomial", solver=SOLVER, C=1.0 / (n * l2),
                           tol=1e-10, max_iter=1000)
    m.fit(X, y)
    W, b = m.coef_, m.intercept_
    if W.shape[0] == 1:  # binary: sklearn keeps only class 1 of the symmetric pair
        W = np.vstack([-W, W])
        b = np.array([-b[0], b[0]])
    f, ginf = objective(X, y, W, b, l2)
    print(f"/* {name}: n={n} d={X.shape[1]} l2={l2!r}; sklearn {SOLVER} tol 1e-10, sum(b) = {b.sum():.1e}, "
          f"project objective at sklearn optimum, |grad|_inf = {ginf:.3e} */")
    print(f"static const double {name}_X[] = {{{lit(X)}}};")
    print(f"static const int {name}_y[] = {{{', '.join(str(int(v)) for v in y)}}};")
    print(f"static const double {name}_W[] = {{{lit(W)}}};")
    print(f"static const double {name}_b[] = {{{lit(b)}}};")
    print(f"static const double {name}_loss = {f!r};")
    print()


rs = np.random.RandomState(20261125)
# A: 3 overlapping classes, 4 features on different scales.
n, d, c = 45, 4, 3
y = np.arange(n) % c
centers = rs.normal(size=(c, d))
X = centers[y] + 1.3 * rs.normal(size=(n, d))
X[:, 2] *= 5.0
case("A", np.round(X, 6), y, 0.02)
# B: weak regularisation, 4 classes, 3 features.
n, d, c = 40, 3, 4
y = np.arange(n) % c
X = rs.normal(size=(c, d))[y] * 1.5 + rs.normal(size=(n, d))
case("B", np.round(X, 6), y, 1e-3)
# C: binary.
n, d = 30, 2
y = (np.arange(n) % 2)
X = np.c_[y * 1.0, -y * 0.5] + rs.normal(size=(n, d))
case("C", np.round(X, 6), y, 0.01)
# S: linearly separable (the optimum is finite only because of the L2 term).
X = np.array([[-3.0, 0.5], [-2.0, -0.5], [-1.0, 0.0], [1.0, 0.25], [2.0, -0.25], [3.0, 1.0]])
case("S", X, np.array([0, 0, 0, 1, 1, 1]), 1e-3)
