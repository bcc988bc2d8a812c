"""Expected values for tests/unit/test_gmm.c.

Run: /usr/bin/python3 tests/reference/gmm_ref.py
Three well-separated 2-D clusters (30 points each, different shapes, one point between two): k-means finds the same
partition from any start, so sklearn 1.2 GaussianMixture(n_components=3, random_state=0)
(defaults: covariance_type='full', init_params='kmeans', tol=1e-3, reg_covar=1e-6,
max_iter=100) and the C port start EM from the same responsibilities and must agree to
rounding, up to the order of the components (sorted here by the first mean coordinate).
"""
import numpy as np
from sklearn.mixture import GaussianMixture


def lit(a):
    return ", ".join(repr(float(v)) for v in np.ravel(a))


rs = np.random.RandomState(7)
A = rs.normal(size=(30, 2)) @ np.array([[1.0, 0.0], [0.6, 0.5]]) + [-8.0, 0.0]
B = rs.normal(size=(30, 2)) @ np.array([[0.4, 0.0], [0.0, 1.5]]) + [0.0, 6.0]
C = rs.normal(size=(30, 2)) @ np.array([[1.2, -0.7], [0.0, 0.6]]) + [9.0, -3.0]
# plus one point between A and B, whose posterior is far from 0/1
X = np.round(np.vstack([A, B, C, [[-4.6, 2.2]]]), 6)
g = GaussianMixture(n_components=3, random_state=0).fit(X)
order = np.argsort(g.means_[:, 0])
P = g.predict_proba(X)[:, order]
print(f"/* sklearn n_iter_ = {g.n_iter_}, converged_ = {g.converged_} */")
print(f"static const double X[] = {{{lit(X)}}};")
print(f"static const double ref_weights[] = {{{lit(g.weights_[order])}}};")
print(f"static const double ref_means[] = {{{lit(g.means_[order])}}};")
print(f"static const double ref_covs[] = {{{lit(g.covariances_[order])}}};")
print(f"static const double ref_lower_bound = {g.lower_bound_!r};")
print(f"static const double ref_resp_row0[] = {{{lit(P[0])}}};")
print(f"static const double ref_resp_row45[] = {{{lit(P[45])}}};")
print(f"static const double ref_resp_row90[] = {{{lit(P[90])}}};")
print(f"static const int ref_n_iter = {g.n_iter_};")
