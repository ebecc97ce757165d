"""User types under the Plackett-Luce *set* comparison: exact multiset enumeration, and the
k-sample game evaluated by numerical integration.

Model (Cai & Zheng, arXiv 2601.08777, section 2.1, "Mixtures of Plackett-Luce Models"). User
type i has weights ``w_i(y) = exp(r_i(y) / T)`` (the project's annotator temperature T, as in
every other use of the types). Two multisets of responses compare by summed weights:

    P_i[S > S'] = W_i(S) / (W_i(S) + W_i(S')),   W_i(S) = sum_{y in S} w_i(y)  (with multiplicity),

so duplicates count and a response against itself gets one half. A *challenger* with weight
``a`` (a single response y, ``a = w_i(y)``, or an opponent's multiset S', ``a = W_i(S')``) beats
k independent draws from a policy ``pi`` with probability

    U_i(a; pi) = E_{S ~ pi^k} [a / (a + W_i(S))]
               = int_0^inf a e^{-t a} phi_i(t)^k dt,    phi_i(t) = sum_z pi_z e^{-t w_i(z)},

using ``a / (a + W) = int_0^inf a e^{-t (a + W)} dt`` and ``E_S e^{-t W_i(S)} = phi_i(t)^k``
(the k draws are independent). ``U(y; pi) = E_i U_i(w_i(y); pi)`` is the deviation utility of
the (k+1)-player alignment game (Definition 4.2: the probability that y beats the k draws of
the others), and the k-sample win rate of ``pi`` against y is ``1 - U(y; pi)`` (antisymmetry,
Property 1 (1): the set comparison has no ties).

Two evaluations:

* :func:`beaten_exact`: the expectation over ``S ~ pi^k`` as a finite sum over every multiset of
  k responses from the policy's support (multinomial probabilities, :mod:`._multisets`);
* :class:`SetGame`: the integral, by Gauss-Legendre panels in ``s = log t``. Each type's
  weights are divided by its largest (the ratios are scale-free), so ``log w <= 0`` whatever the
  reward spread; every exponential is evaluated as ``exp(s + log w)`` (never a ratio of huge
  weights). In ``s`` the integrand is ``exp(x - e^x) phi^k`` with ``x = s + log a``: its mass
  lies in ``x`` in ``[-40, 4]`` (outside it at most ``e^-40 + e^-54`` is lost), so the panels
  (width 1, 20 nodes each) cover the union of those windows over the challengers. The
  integrand is an entire function of ``s``, bounded by ``1 / (e cos y)`` in the strip
  ``|Im s| = y < pi/2`` (``|phi| <= 1`` there), so each panel's Gauss-Legendre error decays like
  ``5^(-2n)``: 20 nodes reach rounding level. :func:`beaten` reports, as the error, the largest
  difference between the 20-node and a 10-node rule on the same panels (the error of the
  cruder rule, a conservative bound for the finer one) plus ``1e-15`` for truncation and rounding.

Game derivatives (``pi`` treated as free coordinates, as for the ranking game):

* ``J[y, z] = dU_y / dpi_z = k E_i int w_i(y) e^{-t w_i(y)} phi_i^{k-1} e^{-t w_i(z)} dt``;
* for multipliers ``lam`` over challengers, the Hessian of ``sum_y lam_y U_y`` is
  ``H[z, z'] = k (k-1) E_i int (sum_y lam_y w_i(y) e^{-t w_i(y)}) phi_i^{k-2} e^{-t w_i(z)} e^{-t w_i(z')} dt``.

**Monotonicity** (why the interior-point solver of :mod:`._complementarity` applies unchanged).
For x with ``sum x = 0`` put ``psi(t) = sum_z x_z e^{-t w_z}`` (one type; the mixture follows by
summing). Then ``sum_y x_y w_y e^{-t w_y} = -psi'(t)`` and

    x^T J x = k int phi^{k-1} psi (-psi') dt = -(k/2) int phi^{k-1} d(psi^2)/dt dt
            = (k/2) int (phi^{k-1})' psi^2 dt <= 0,

integrating by parts: the boundary terms vanish because ``psi(0) = sum x = 0`` and
``psi(t) -> 0`` as ``t -> inf``, and ``phi`` is non-negative and decreasing on the simplex. So
``F = -U`` is monotone on the simplex's tangent space, the set of symmetric equilibria is
convex, and the central path ends in its relative interior. Likewise ``U_y`` is convex in
``pi`` on the simplex (``phi`` is linear and non-negative there and ``phi^k`` convex), so the
robust policy ``min_pi max_y U(y; pi)`` is a convex program.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import multisets as _multisets

#: Exponent differences are clipped here in the exact sums (the ratio they feed is then < e^-600).
MAX_EXPONENT = 600.0
#: The integrand's mass lies in x = s + log a between these (e^-40 + e^-54 lost outside).
WINDOW_BELOW, WINDOW_ABOVE = 40.0, 4.0
#: Gauss-Legendre nodes per panel of width 1, and the cruder rule that estimates the error.
ORDER, CHECK_ORDER = 20, 10
#: Added to the quadrature's error estimate: window truncation (< 1e-17) and rounding.
ERROR_FLOOR = 1e-15
#: Rows of the exact enumeration handled at once (bounded memory).
_CHUNK = 20_000
#: exp() of arguments above this is not needed (e^-e^700 = 0); clipping avoids overflow warnings.
_CLIP = 700.0


def log_weights(population) -> np.ndarray:
    """``log w_i(y) - max_y log w_i(y)`` (types x alternatives): every type's largest weight is 1."""
    R = population.rewards.to_numpy(float) / population.temperature
    return R - R.max(axis=1, keepdims=True)


def set_log_weights(rho: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``log W_i(S)`` for multisets given by multiplicity rows (types x sets), by log-sum-exp."""
    out = np.empty((rho.shape[0], len(counts)))
    with np.errstate(divide="ignore"):
        logc = np.log(counts.astype(float))  # -inf where a response is absent
    for i, r in enumerate(rho):
        v = logc + r[None, :]
        top = v.max(axis=1, keepdims=True)
        out[i] = top[:, 0] + np.log(np.exp(v - top).sum(axis=1))
    return out


# ============================================================================ exact enumeration
def enumeration_size(pi: np.ndarray, k: int) -> int:
    """How many multisets of k draws the policy's support has."""
    return _multisets.count(int((pi > 0).sum()), k)


def beaten_exact(rho: np.ndarray, shares: np.ndarray, pi: np.ndarray, k: int, alpha: np.ndarray) -> np.ndarray:
    """``E_i E_{S ~ pi^k} [a_ic / (a_ic + W_i(S))]`` for every challenger c, by enumerating every
    multiset S of k draws from the support of ``pi`` with its multinomial probability.

    ``rho``: types x m log-weights; ``alpha``: types x C challengers' log-weights."""
    support = np.flatnonzero(pi > 0)
    counts = _multisets.compositions(k, len(support))
    prob = np.exp(_multisets.log_probabilities(counts, pi[support]))
    total = prob.sum()
    if abs(total - 1.0) > 1e-9:  # pragma: no cover - a bug guard, never a user error
        raise AssertionError(f"multiset probabilities sum to {total!r}")
    U = np.zeros(alpha.shape[1])
    c = counts.astype(float)
    for i, share in enumerate(shares):
        E = np.exp(np.minimum(rho[i, support][None, :] - alpha[i][:, None], MAX_EXPONENT))  # (C, s)
        for start in range(0, len(counts), _CHUNK):
            block = slice(start, start + _CHUNK)
            U += share * (prob[block] @ (1.0 / (1.0 + c[block] @ E.T)))
    return U


# ============================================================================ quadrature
@lru_cache(maxsize=8)
def _gauss_legendre(order: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(order)
    x, w = (x + 1.0) / 2.0, w / 2.0  # on [0, 1]
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


def grid(alpha: np.ndarray, order: int = ORDER) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights in ``s = log t`` covering ``[-alpha - 40, -alpha + 4]`` for every
    challenger log-weight ``alpha`` (panels of width 1 on the integers)."""
    lo = np.floor(-np.asarray(alpha, float) - WINDOW_BELOW)
    width = int(WINDOW_BELOW + WINDOW_ABOVE) + 2
    panels = np.unique((lo[:, None] + np.arange(width)[None, :]).ravel())
    x, w = _gauss_legendre(order)
    return (panels[:, None] + x[None, :]).ravel(), np.tile(w, len(panels))


def node_count(alpha: np.ndarray) -> int:
    """Quadrature nodes :class:`SetGame` uses for challengers ``alpha`` (types x C), all types."""
    return sum(len(grid(a)[0]) for a in np.atleast_2d(alpha))


def _phi_power(total: float, D: np.ndarray, j: int) -> np.ndarray:
    """``phi^j`` with ``phi = total - D``; through ``log1p`` where ``0 <= D < total`` (accurate
    when phi is close to 1 and j is large), by plain powers otherwise (a trial point of the
    solver outside the simplex)."""
    if j == 0:
        return np.ones_like(D)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        inside = (D >= 0) & (D <= total) & (total > 0)
        smooth = np.where(inside, total**j * np.exp(j * np.log1p(-np.where(inside, D, 0.0) / total)), 0.0)
        return np.where(inside, smooth, (total - D) ** j)


class SetGame:
    """The k-sample game of user types under the Plackett-Luce set comparison, evaluated by
    numerical integration; the same interface as ``RankingGame`` (``utility``, ``jacobian``,
    ``gradient_of_mix``, ``hessian_of_mix``).

    ``rho``: types x m log-weights (:func:`log_weights`); ``shares``: the types' shares;
    ``alpha``: types x C challengers' log-weights (default ``rho``: the challengers are the
    single responses, and ``utility(pi)[y]`` is ``U(y; pi)``).
    """

    def __init__(
        self, rho: np.ndarray, shares: np.ndarray, k: int, alpha: np.ndarray | None = None, order: int = ORDER
    ):
        self.rho = np.asarray(rho, float)
        self.shares = np.asarray(shares, float) / np.sum(shares)
        self.k = int(k)
        self.m = self.rho.shape[1]
        alpha = self.rho if alpha is None else np.asarray(alpha, float)
        self.n_challengers = alpha.shape[1]
        # Every type's nodes stacked into one array (a type's share folded into its nodes' weights),
        # so that each evaluation is a few matrix products over all types at once.
        G, E, B, share = [], [], [], []
        for i in range(len(self.rho)):
            s, ds = grid(alpha[i], order)
            x = np.minimum(s[:, None] + self.rho[i][None, :], _CLIP)
            ex = np.exp(x)
            G.append(-np.expm1(-ex))  # 1 - e^{-t w_z}
            E.append(np.exp(-ex))  # e^{-t w_z}
            xa = np.minimum(s[:, None] + alpha[i][None, :], _CLIP)
            B.append(ds[:, None] * np.exp(xa - np.exp(xa)))  # a e^{-t a} dt (dt = t ds)
            share.append(np.full(len(s), self.shares[i]))
        self._G, self._E, self._B = np.vstack(G), np.vstack(E), np.vstack(B)
        self._share = np.concatenate(share)
        self.nodes = len(self._share)

    def _phi(self, pi: np.ndarray, j: int) -> np.ndarray:
        """``share * phi^j`` at every node."""
        return self._share * _phi_power(float(pi.sum()), self._G @ pi, j)

    def utility(self, pi: np.ndarray) -> np.ndarray:
        return self._phi(pi, self.k) @ self._B

    def jacobian(self, pi: np.ndarray) -> np.ndarray:
        return self.k * ((self._B * self._phi(pi, self.k - 1)[:, None]).T @ self._E)

    def gradient_of_mix(self, pi: np.ndarray, lam: np.ndarray) -> np.ndarray:
        return self.k * (self._E.T @ (self._phi(pi, self.k - 1) * (self._B @ lam)))

    def hessian_of_mix(self, pi: np.ndarray, lam: np.ndarray) -> np.ndarray:
        if self.k == 1:
            return np.zeros((self.m, self.m))
        weight = self._phi(pi, self.k - 2) * (self._B @ lam)
        return (self.k * (self.k - 1)) * ((self._E * weight[:, None]).T @ self._E)


def beaten_by_integration(
    rho: np.ndarray, shares: np.ndarray, pi: np.ndarray, k: int, alpha: np.ndarray
) -> tuple[np.ndarray, float]:
    """The same quantity as :func:`beaten_exact` by numerical integration, with an error bound
    (the largest difference from a cruder rule on the same panels, plus :data:`ERROR_FLOOR`)."""
    fine = SetGame(rho, shares, k, alpha, ORDER).utility(pi)
    crude = SetGame(rho, shares, k, alpha, CHECK_ORDER).utility(pi)
    return fine, float(np.abs(fine - crude).max()) + ERROR_FLOOR
