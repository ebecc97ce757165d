"""The k-sample game on a population of weighted weak orders, vectorised over voters.

For voter i with levels ``l_i`` (0 = best tie group) and a policy ``pi``, the mass *strictly
below* response y is ``B_i(y) = sum_z pi_z [l_i(z) > l_i(y)]``. Then

* ``U(y; pi) = sum_i w_i B_i(y)^k``: the probability that y is strictly preferred to all k
  independent draws from ``pi`` (weights ``w`` normalised to sum to one);
* the k-sample win rate of ``pi`` against y is ``1 - U(y; pi)``;
* ``J[y, z] = dU_y / dpi_z = k sum_i w_i B_i(y)^(k-1) [l_i(z) > l_i(y)]``;
* for multipliers ``lam`` over opponents, the Hessian of ``sum_y lam_y U_y`` is
  ``H[z, z'] = sum_i R_i(min(l_i(z), l_i(z')))`` with
  ``R_i(l) = k (k-1) w_i sum_{y: l_i(y) < l} lam_y B_i(y)^(k-2)``.

Everything costs O(n m) except the Jacobian and Hessian, O(n m^2).

``MatrixGame`` is the k = 1 game given only the strict-preference matrix ``A[y, z]`` (the
probability that y is strictly preferred to z): ``U = A pi``.
"""
from __future__ import annotations

import numpy as np


def int_power(x: np.ndarray, k: int) -> np.ndarray:
    """``x ** k`` for a non-negative integer k by repeated squaring (faster than ``np.power``)."""
    if k == 0:
        return np.ones_like(x)
    result = None
    base = x
    while k:
        if k & 1:
            result = base.copy() if result is None else result * base
        k >>= 1
        if k:
            base = base * base
    return result


class RankingGame:
    """Weighted weak orders (``levels``: n x m, 0 = best) and the number of draws ``k``."""

    def __init__(self, levels: np.ndarray, weights: np.ndarray, k: int):
        self.levels = np.ascontiguousarray(levels, dtype=np.intp)
        n, m = self.levels.shape
        self.n, self.m, self.k = n, m, int(k)
        w = np.asarray(weights, dtype=float)
        self.w = w / w.sum()
        self._flat = (np.arange(n, dtype=np.intp)[:, None] * m + self.levels).ravel()

    # ------------------------------------------------------------------ values
    def _per_level(self, values: np.ndarray) -> np.ndarray:
        """``G[i, l] = sum_{y: l_i(y) = l} values[i, y]`` (values broadcast to n x m)."""
        vals = np.broadcast_to(values, (self.n, self.m)).ravel()
        return np.bincount(self._flat, weights=vals, minlength=self.n * self.m).reshape(self.n, self.m)

    def below(self, pi: np.ndarray) -> np.ndarray:
        """``B[i, y]``: the policy's mass strictly below y for voter i."""
        C = np.cumsum(self._per_level(pi), axis=1)          # mass at levels <= l
        return C[:, -1:] - np.take_along_axis(C, self.levels, axis=1)

    def utility(self, pi: np.ndarray, B: np.ndarray | None = None) -> np.ndarray:
        B = self.below(pi) if B is None else B
        return self.w @ int_power(B, self.k)

    def jacobian(self, pi: np.ndarray, B: np.ndarray | None = None) -> np.ndarray:
        B = self.below(pi) if B is None else B
        C = (self.k * self.w)[:, None] * int_power(B, self.k - 1)
        J = np.empty((self.m, self.m))
        for y in range(self.m):
            J[y] = C[:, y] @ (self.levels > self.levels[:, y:y + 1])
        return J

    def gradient_of_mix(self, pi: np.ndarray, lam: np.ndarray, B: np.ndarray | None = None) -> np.ndarray:
        """``J^T lam``: the gradient of ``sum_y lam_y U_y`` with respect to ``pi`` (O(n m))."""
        B = self.below(pi) if B is None else B
        C = (self.k * self.w)[:, None] * int_power(B, self.k - 1) * lam[None, :]
        R = self._exclusive_prefix(C)
        return np.take_along_axis(R, self.levels, axis=1).sum(axis=0)

    def hessian_of_mix(self, pi: np.ndarray, lam: np.ndarray, B: np.ndarray | None = None) -> np.ndarray:
        if self.k == 1:
            return np.zeros((self.m, self.m))
        B = self.below(pi) if B is None else B
        D = (self.k * (self.k - 1) * self.w)[:, None] * int_power(B, self.k - 2) * lam[None, :]
        R = self._exclusive_prefix(D)
        H = np.empty((self.m, self.m))
        for z in range(self.m):
            idx = np.minimum(self.levels[:, z:z + 1], self.levels)
            H[z] = np.take_along_axis(R, idx, axis=1).sum(axis=0)
        return H

    def _exclusive_prefix(self, values: np.ndarray) -> np.ndarray:
        """``R[i, l] = sum_{y: l_i(y) < l} values[i, y]``."""
        G = self._per_level(values)
        R = np.zeros_like(G)
        np.cumsum(G[:, :-1], axis=1, out=R[:, 1:])
        return R


class MatrixGame:
    """The k = 1 game from a strict-preference matrix ``A`` (``U = A pi``)."""

    def __init__(self, A: np.ndarray):
        self.A = np.asarray(A, dtype=float)
        self.m = self.A.shape[0]
        self.k = 1

    def utility(self, pi: np.ndarray) -> np.ndarray:
        return self.A @ pi

    def jacobian(self, pi: np.ndarray) -> np.ndarray:
        return self.A

    def gradient_of_mix(self, pi: np.ndarray, lam: np.ndarray) -> np.ndarray:
        return self.A.T @ lam

    def hessian_of_mix(self, pi: np.ndarray, lam: np.ndarray) -> np.ndarray:
        return np.zeros((self.m, self.m))
