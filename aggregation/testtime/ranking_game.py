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

Everything costs O(n m) except the Jacobian and Hessian, O(n m^2). The deviation utility
itself (all that k-sample win rates need) is computed by :class:`SortedRankings`: each
voter's alternatives are stored once in worst-first order, a policy is gathered into that
order, an exclusive cumulative sum gives every ``B_i(y)`` at once, and the k-th powers are
scattered back to alternatives, in cache-sized blocks of voters.

``MatrixGame`` is the k = 1 game given only the strict-preference matrix ``A[y, z]`` (the
probability that y is strictly preferred to z): ``U = A pi``.
"""

from __future__ import annotations

import functools
import weakref

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


def _power_in_place(x: np.ndarray, k: int) -> np.ndarray:
    """``x ** k`` (k >= 1) by repeated squaring; ``x`` is overwritten."""
    result = None
    while True:
        if k & 1:
            if result is None:
                result = x.copy()
            else:
                np.multiply(result, x, out=result)
        k >>= 1
        if not k:
            return result
        np.multiply(x, x, out=x)


def _running_sum(rows: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Cumulative sum down the rows (``out`` may be ``rows``): one vector addition per row, much
    faster than ``np.cumsum(axis=0)`` on a few long rows."""
    if out is not rows:
        out[0] = rows[0]
    for j in range(1, len(rows)):
        np.add(out[j - 1], rows[j], out=out[j])
    return out


class SortedRankings:
    """Weighted weak orders prepared for ``U(y; pi) = sum_i w_i B_i(y)^k`` in O(n m).

    Each voter's alternatives are stored once in worst-first order, in blocks of voters held
    position-major (``order[j, i]``: voter i's j-th alternative counted from the *worst*; m x voters),
    so that the running sums along positions add whole rows of voters at once. For weak orders
    ``first[j, i]`` is the position of the first (worst-side) member of j's tie group, where the
    exclusive cumulative sum is the mass strictly below the whole group, and ``last[j, i]`` the
    position of its last member.
    """

    #: Voters per block: about 2**18 numbers per intermediate array, to stay in cache.
    _BLOCK_ELEMENTS = 1 << 18

    def __init__(self, levels: np.ndarray, weights: np.ndarray):
        levels = np.asarray(levels)
        n, m = levels.shape
        self.n, self.m = n, m
        w = np.asarray(weights, dtype=float)
        self.w = w / w.sum()
        self.strict = bool((levels.max(axis=1) == m - 1).all())
        block = max(1, self._BLOCK_ELEMENTS // max(m, 1))
        self.blocks = [
            self._prepared(levels[start : start + block], self.w[start : start + block]) for start in range(0, n, block)
        ]

    def _prepared(self, levels: np.ndarray, w: np.ndarray):
        """One block as position-major arrays: (order, first, last: m x b int32; weights: 1 x b)."""
        b, m = levels.shape
        worst_first = (levels.max(axis=1, keepdims=True) - levels).astype(np.intp)
        if self.strict:  # strict rankings: invert the permutation
            order = np.empty((b, m), dtype=np.int32)
            np.put_along_axis(order, worst_first, np.broadcast_to(np.arange(m, dtype=np.int32), (b, m)), axis=1)
            first = last = None
        else:
            order = np.argsort(worst_first, axis=1, kind="stable").astype(np.int32)
            ranked = np.take_along_axis(worst_first, order.astype(np.intp), axis=1)
            starts = np.zeros((b, m), dtype=np.int32)
            starts[:, 1:] = np.where(ranked[:, 1:] != ranked[:, :-1], np.arange(1, m, dtype=np.int32), 0)
            first = np.ascontiguousarray(np.maximum.accumulate(starts, axis=1).T)
            ends = np.full((b, m), m - 1, dtype=np.int32)
            ends[:, :-1] = np.where(ranked[:, 1:] != ranked[:, :-1], np.arange(m - 1, dtype=np.int32), m - 1)
            last = np.ascontiguousarray(np.minimum.accumulate(ends[:, ::-1], axis=1)[:, ::-1].T)
        return np.ascontiguousarray(order.T), first, last, w[None, :].copy()

    @staticmethod
    def _below(pi: np.ndarray, order: np.ndarray, first: np.ndarray | None) -> np.ndarray:
        """``B[j, i]``: the mass of ``pi`` strictly below voter i's j-th alternative from the worst."""
        mass = pi[order]
        below = np.empty_like(mass)
        below[0] = 0.0
        if len(mass) > 1:
            _running_sum(mass[:-1], below[1:])
        return below if first is None else np.take_along_axis(below, first, axis=0)

    def power_sum(self, pi: np.ndarray, k: int) -> np.ndarray:
        """``U[y] = sum_i w_i B_i(y)^k`` with ``B_i(y)`` the mass of ``pi`` strictly below y."""
        m = self.m
        U = np.zeros(m)
        for order, first, _, w in self.blocks:
            powered = _power_in_place(self._below(pi, order, first), k)
            powered *= w
            U += np.bincount(order.ravel(), weights=powered.ravel(), minlength=m)
        return U

    def power_sum_and_gradient(self, pi: np.ndarray, lam: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``U = power_sum(pi, k)`` and ``g = J^T lam`` (the gradient of ``sum_y lam_y U_y``) in one
        O(n m) pass: ``g[z] = sum_i sum_{y: l_i(y) < l_i(z)} lam_y k w_i B_i(y)^(k-1)``, in worst-first
        order the sum over the positions above z's tie group."""
        m = self.m
        U, g = np.zeros(m), np.zeros(m)
        for order, first, last, w in self.blocks:
            below = self._below(pi, order, first)
            lower = int_power(below, k - 1)
            flat = order.ravel()
            U += np.bincount(flat, weights=(lower * below * w).ravel(), minlength=m)
            c = lower * (k * w) * lam[order]
            prefix = _running_sum(c, c)  # sum over positions <= j
            if last is not None:
                prefix = np.take_along_axis(prefix, last, axis=0)
            above = np.subtract(prefix[-1:], prefix, out=prefix)  # sum over positions above j's group
            g += np.bincount(flat, weights=above.ravel(), minlength=m)
        return U, g


#: Each profile's prepared rankings (:func:`prepared`), kept while the merged profile lives.
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def prepared(profile) -> SortedRankings:
    """The :class:`SortedRankings` of ``profile``'s merged form (:meth:`Profile.compressed`), built once and
    shared by every k and every computation (win rates, MPNE_k, the robust policy) while it lives."""
    merged = profile.compressed()
    found = _PREPARED.get(merged)
    if found is None:
        found = _PREPARED[merged] = SortedRankings(merged.levels, merged.weights)
    return found


class RankingGame:
    """Weighted weak orders (``levels``: n x m, 0 = best) and the number of draws ``k``."""

    def __init__(self, levels: np.ndarray, weights: np.ndarray, k: int, sorted: SortedRankings | None = None):
        """``sorted``: the rankings already prepared (:class:`SortedRankings` of the same levels and weights)."""
        self.levels = np.asarray(levels)
        n, m = self.levels.shape
        self.n, self.m, self.k = n, m, int(k)
        w = np.asarray(weights, dtype=float)
        self.w = w / w.sum()
        self.sorted = SortedRankings(self.levels, weights) if sorted is None else sorted

    @functools.cached_property
    def _flat(self) -> np.ndarray:
        """Each (voter, level) cell's index in an n x m array (the exact derivatives' per-level sums)."""
        return (np.arange(self.n, dtype=np.intp)[:, None] * self.m + self.levels).ravel()

    # ------------------------------------------------------------------ values
    def _per_level(self, values: np.ndarray) -> np.ndarray:
        """``G[i, l] = sum_{y: l_i(y) = l} values[i, y]`` (values broadcast to n x m)."""
        vals = np.broadcast_to(values, (self.n, self.m)).ravel()
        return np.bincount(self._flat, weights=vals, minlength=self.n * self.m).reshape(self.n, self.m)

    def below(self, pi: np.ndarray) -> np.ndarray:
        """``B[i, y]``: the policy's mass strictly below y for voter i."""
        C = np.cumsum(self._per_level(pi), axis=1)  # mass at levels <= l
        return C[:, -1:] - np.take_along_axis(C, self.levels, axis=1)

    def utility(self, pi: np.ndarray) -> np.ndarray:
        return self.sorted.power_sum(pi, self.k)

    def jacobian(self, pi: np.ndarray, B: np.ndarray | None = None) -> np.ndarray:
        B = self.below(pi) if B is None else B
        C = (self.k * self.w)[:, None] * int_power(B, self.k - 1)
        J = np.empty((self.m, self.m))
        for y in range(self.m):
            J[y] = C[:, y] @ (self.levels > self.levels[:, y : y + 1])
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
            idx = np.minimum(self.levels[:, z : z + 1], self.levels)
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
